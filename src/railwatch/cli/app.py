"""The typer application every command module attaches to, and the consoles they print with."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="railwatch",
    help="Count railcars, follow trains and flag surges at rail sites from overhead imagery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(stderr=True)
"""Progress, tables and messages go to stderr so that --json output on stdout stays clean."""

out = Console(highlight=False, soft_wrap=True)
"""Plain stdout, for JSON and reports."""


@app.callback()
def main() -> None:
    """Count railcars, follow trains and flag surges at rail sites from overhead imagery."""
