"""`railwatch count IMAGE`: railcars by type per track, with intervals and coverage."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from railwatch.cli.app import app, console, out
from railwatch.cli.options import JsonOption, print_json
from railwatch.errors import InputError


@app.command()
def count(
    image: str = typer.Argument(
        ..., help="GeoTIFF/COG (any CRS; a path or an http(s)/s3/gs URL), or PNG/JPEG with --gsd."
    ),
    tracks: Path | None = typer.Option(None, "--tracks", help="TRACKS.geojson: LineStrings with an 'id'."),
    site: str | None = typer.Option(None, "--site", help="Built-in site id or a site file."),
    gsd: float | None = typer.Option(
        None, "--gsd", help="Metres per pixel (needed for unreferenced images)."
    ),
    time: str | None = typer.Option(None, "--time", help="Acquisition time (ISO 8601, UTC) to record."),
    as_json: bool = JsonOption,
    geojson: Path | None = typer.Option(None, "--geojson", help="Write car footprints to this GeoJSON file."),
) -> None:
    """Count railcars on the tracks of one image."""
    from railwatch.detect.count import count as run_count

    if tracks is not None and site is not None:
        raise InputError("give --tracks or --site, not both")
    when = None
    if time is not None:
        try:
            when = datetime.fromisoformat(time.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"--time is not an ISO 8601 time: {time!r}") from None
    source = tracks
    if site is not None:
        from railwatch.sites import load as load_site

        source = load_site(site)
    result = run_count(image, tracks=source, gsd=gsd, progress=not as_json, time=when)
    for note in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
    if geojson is not None:
        doc = result.to_geojson()
        if when is not None:
            doc["railwatch"]["acquired"] = when.isoformat()
        tmp = geojson.with_name(geojson.name + ".part")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(geojson)
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(
        title=f"{Path(image).name}: {result.total} railcars [{result.total_low}-{result.total_high}], "
        f"{result.locomotives} locomotives, {result.gsd_m:.2f} m/px"
    )
    for col in ("track", "length m", "coverage", "cars", "interval", "by type"):
        table.add_column(col)
    for t in result.tracks:
        types = ", ".join(
            f"{k} {v}" + (f" ({t.by_type_low[k]}-{t.by_type_high[k]})" if k in t.by_type_low else "")
            for k, v in sorted(t.by_type.items())
        )
        table.add_row(
            t.id, f"{t.length_m:.0f}", f"{t.coverage:.0%}", str(t.cars), f"{t.cars_low}-{t.cars_high}", types
        )
    out.print(table)
