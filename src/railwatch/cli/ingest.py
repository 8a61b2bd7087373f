"""`railwatch ingest FILE...`: store images as scenes linked to the sites they overlap."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption, JsonOption, print_json
from railwatch.errors import InputError, RailwatchError


@app.command()
def ingest(
    files: list[str] = typer.Argument(
        ..., help="Image files (GeoTIFF/COG, PNG/JPEG with world file) or http(s)/s3/gs URLs of COGs."
    ),
    site: str | None = typer.Option(
        None, "--site", help="Link to this site only (id or site file); the image must overlap it."
    ),
    time: str | None = typer.Option(None, "--time", help="Acquisition time (ISO 8601, UTC if no zone)."),
    gsd: float | None = typer.Option(None, "--gsd", help="Ground sample distance in metres (overrides)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Store images as scenes, linked to the sites whose area they overlap."""
    from railwatch import store
    from railwatch.imagery.timestamps import parse_time
    from railwatch.store.ingest import ensure_catalog, resolve_site
    from railwatch.store.ingest import ingest as ingest_file

    when = parse_time(time, "--time") if time else None
    if gsd is not None and not gsd > 0:
        raise InputError(f"GSD must be a positive number of metres, not {gsd}", path="--gsd")
    database = store.open(db)
    try:
        ensure_catalog(database)
        target = resolve_site(database, site) if site else None
        done, failed = [], []
        columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"))
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("", total=len(files))
            for path in files:
                progress.update(task, description=Path(path).name)
                try:
                    res = ingest_file(database, path, site=target, gsd_m=gsd, time=when)
                except RailwatchError as exc:
                    failed.append({"path": str(path), "error": exc.message})
                    print(f"railwatch: error: {exc}", file=sys.stderr)
                else:
                    done.append(res)
                    verb = "ingested" if res.created else "already ingested"
                    console.print(f"{path}: {verb} as scene {res.id} (sites: {', '.join(res.sites)})",
                                  markup=False, highlight=False, soft_wrap=True)
                progress.advance(task)
    finally:
        database.close()
    if as_json:
        print_json({"scenes": [r.to_dict() for r in done], "errors": failed})
    if failed:
        raise typer.Exit(2)
