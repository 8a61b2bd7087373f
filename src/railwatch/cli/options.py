"""Options shared by several commands, defined once (as in rasterio's rio/options.py)."""

from __future__ import annotations

import json
from typing import Any

import typer

from railwatch.cli.app import out

DbOption = typer.Option(
    None,
    "--db",
    help="Database URL (sqlite:///file.db or postgresql://...). Default: $RAILWATCH_DB or ./railwatch.db.",
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object on stdout.")


def print_json(obj: Any) -> None:
    """Print an object as JSON on stdout, nothing else."""
    out.print(json.dumps(obj, indent=2, default=str), markup=False, highlight=False)


def open_store(db: str | None):
    """The store every command reads and writes: --db, else $RAILWATCH_DB, else ./railwatch.db."""
    from railwatch import store

    return store.open(db)
