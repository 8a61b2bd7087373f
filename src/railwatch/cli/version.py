"""`railwatch version`: print the installed version."""

from __future__ import annotations

from railwatch import __version__
from railwatch.cli.app import app, out


@app.command()
def version() -> None:
    """Print railwatch's version."""
    out.print(__version__)
