"""Fixtures shared by every test: the shared reference data, a temporary store, a CLI runner."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path | None:
    for cand in (os.environ.get("RAILWATCH_SHARED_DATA"), REPO.parent / "shared" / "data"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: reference facts, the real Muttenz images, sample GeoTIFFs."""
    p = _shared_data()
    if p is None:
        pytest.skip("../shared/data not present")
    return p


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite store in a temporary folder."""
    return f"sqlite:///{tmp_path / 'railwatch.db'}"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `railwatch ARGS...` in-process; returns exit code, stdout and stderr."""
    from railwatch.cli.main import run

    def _run(*args: str) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        cap = capsys.readouterr()
        return CliResult(code, cap.out, cap.err)

    return _run
