"""`railwatch search`: find imagery of a site in a STAC API or static catalog and ingest it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import typer

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption, JsonOption, print_json


def _day_bound(text: str, what: str, end: bool) -> datetime:
    """A --from/--to value as UTC; a bare date covers the whole day (start of --from, end of --to)."""
    from railwatch.imagery.timestamps import parse_time

    t = parse_time(text, what)
    if end and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        t = t + timedelta(days=1) - timedelta(microseconds=1)
    return t


@app.command()
def search(
    site: str = typer.Option(..., "--site", help="Site id (store or catalog) or site file."),
    start: str = typer.Option(..., "--from", help="Earliest acquisition (ISO 8601 date or time, UTC)."),
    end: str = typer.Option(..., "--to", help="Latest acquisition (a bare date includes that whole day)."),
    stac_source: str = typer.Option(
        ..., "--stac", help="STAC API URL, or a static catalog.json path / file:// URL."),
    max_cloud: float | None = typer.Option(
        None, "--max-cloud", help="Largest eo:cloud_cover (percent) to keep."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Search STAC for items over the site in the date range and ingest the matching images."""
    from railwatch import stac, store
    from railwatch.errors import InputError
    from railwatch.store.ingest import ensure_catalog, resolve_site

    t0 = _day_bound(start, "--from", end=False)
    t1 = _day_bound(end, "--to", end=True)
    if max_cloud is not None and not (0 <= max_cloud <= 100):
        raise InputError(f"cloud cover must be 0-100 percent, not {max_cloud}", path="--max-cloud")
    database = store.open(db)
    try:
        ensure_catalog(database)
        target = resolve_site(database, site)
        with console.status(f"searching {stac_source}", spinner="dots"):
            hits = stac.search(stac_source, target, t0, t1, max_cloud_pct=max_cloud)
        console.print(f"{len(hits)} item(s) over {target.id} from {t0:%Y-%m-%d} to {t1:%Y-%m-%d}")

        scenes: list[dict[str, object]] = []

        def _say(hit, res, error) -> None:
            if res is not None:
                scenes.append({"item": hit.id, **res.to_dict()})
            if error:
                console.print(f"[yellow]{hit.id}: {error}", highlight=False)
            else:
                verb = "ingested" if res.created else "already ingested"
                console.print(f"{hit.id}: {verb} as scene {res.id}", markup=False, highlight=False)

        _, failed = stac.ingest(database, hits, target, progress=_say)
    finally:
        database.close()
    if as_json:
        print_json({
            "site": target.id,
            "items": [h.to_dict() for h in hits],
            "scenes": scenes,
            "errors": [{"item": h.id, "href": h.href, "error": e} for h, e in failed],
        })
    if failed:
        raise typer.Exit(2)
