"""The CLI shell: version, usage errors, and expected errors as one line with exit code 2."""

from __future__ import annotations

import subprocess
import sys

from railwatch import __version__
from railwatch.cli.app import app
from railwatch.errors import ImageError


def test_version(cli):
    r = cli("version")
    assert r.code == 0
    assert r.out.strip() == __version__


def test_unknown_command_is_usage_error(cli):
    r = cli("no-such-command")
    assert r.code == 2


def test_expected_error_is_one_line_exit_2(cli):
    @app.command("raise-for-test", hidden=True)
    def _raise() -> None:
        raise ImageError("not an image", path="x.tif")

    r = cli("raise-for-test")
    assert r.code == 2
    assert r.err.strip() == "railwatch: error: x.tif: not an image"
    assert "Traceback" not in r.err


def test_console_script_runs():
    p = subprocess.run(
        [sys.executable, "-m", "railwatch.cli.main", "version"], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == __version__
