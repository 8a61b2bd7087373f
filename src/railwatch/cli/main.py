"""Entry point: import every command module, run the app, and turn expected errors into one line
on stderr with exit code 2 (never a traceback)."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from railwatch.cli.app import app
from railwatch.errors import RailwatchError

COMMANDS = [
    # One module per command (or command group); each attaches itself to `app` on import.
    "version",
    "count",
    "ingest",
    "analyze",
    "demo",
    "activity",
    "events",
    "alerts",
    "sites",
    "simulate",
    "movements",
    "brief",
    "search",
    "watch",
    "serve",
    "report",
]


def _load_commands() -> None:
    for name in COMMANDS:
        importlib.import_module(f"railwatch.cli.{name}")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and exits with) 0 on success, 2 on bad input, 1 on a bug."""
    _load_commands()
    try:
        rv = app(args=argv, prog_name="railwatch", standalone_mode=False)
    except RailwatchError as exc:
        print(f"railwatch: error: {exc}", file=sys.stderr)
        return _exit(2, argv)
    except typer.Exit as exc:
        return _exit(exc.exit_code, argv)
    except typer.Abort:
        print("railwatch: aborted", file=sys.stderr)
        return _exit(1, argv)
    except KeyboardInterrupt:
        print("railwatch: interrupted", file=sys.stderr)
        return _exit(130, argv)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click usage errors
            exc.show()
            return _exit(int(exc.exit_code), argv)
        # A bug, not bad input: still one line unless debugging.
        if os.environ.get("RAILWATCH_DEBUG"):
            raise
        print(
            f"railwatch: internal error: {type(exc).__name__}: {exc} "
            "(set RAILWATCH_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return _exit(1, argv)
    return _exit(rv if isinstance(rv, int) else 0, argv)


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    run()
