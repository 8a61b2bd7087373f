"""`railwatch sites list | show SITE | import FILE`: the built-in catalog and site import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from railwatch import sites
from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption, JsonOption, print_json
from railwatch.errors import SiteNotFound
from railwatch.records import Site

sites_app = typer.Typer(help="The site catalog: list and show built-in sites, import GeoJSON / OSM.")
app.add_typer(sites_app, name="sites")


def summary(site: Site) -> dict[str, Any]:
    """One line of facts about a site: id, name, countries, timezone, track count and km, landmarks."""
    return {
        "id": site.id,
        "name": site.name,
        "countries": list(site.countries),
        "timezone": site.timezone,
        "tracks": len(site.tracks),
        "track_km": round(sum(t.length_m for t in site.tracks) / 1000.0, 3),
        "landmarks": len(site.landmarks),
    }


@sites_app.command("list")
def list_(json_out: bool = JsonOption) -> None:
    """List the built-in sites."""
    rows = [summary(s) for s in sites.catalog()]
    if json_out:
        print_json(rows)
        return
    table = Table(title="railwatch sites")
    for col, justify in (
        ("id", "left"),
        ("name", "left"),
        ("countries", "left"),
        ("tracks", "right"),
        ("track km", "right"),
        ("landmarks", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=col == "id")  # type: ignore[arg-type]
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            ",".join(r["countries"]),
            str(r["tracks"]),
            f"{r['track_km']:.2f}",
            str(r["landmarks"]),
        )
    console.print(table)


@sites_app.command("show")
def show(
    site: str = typer.Argument(..., help="A built-in site id, or a GeoJSON / OSM file."),
    json_out: bool = typer.Option(False, "--json", help="Print the site as GeoJSON on stdout."),
    db: str | None = typer.Option(
        None, "--db", help="Also look the site up in this store (a site saved by `sites import`)."
    ),
) -> None:
    """Show a site's tracks (with lengths) and landmarks (with chainage)."""
    s = _lookup(site, db)
    if json_out:
        print_json(sites.to_geojson(s))
        return
    info = summary(s)
    console.print(f"[bold]{s.id}[/bold]  {s.name}")
    console.print(
        f"countries: {', '.join(s.countries) or '-'}   timezone: {s.timezone}   "
        f"tracks: {info['tracks']} ({info['track_km']:.2f} km)   landmarks: {info['landmarks']}"
    )
    if s.description:
        console.print(s.description, markup=False)
    tracks = Table(title="tracks")
    for col in ("id", "kind", "gauge mm", "country", "length m", "geometry"):
        tracks.add_column(
            col,
            justify="right" if col in ("gauge mm", "length m") else "left",
            no_wrap=col in ("id", "track"),
        )
    for t in s.tracks:
        gauge = "-" if t.gauge_mm is None else ("dual" if t.gauge_mm == 0 else str(t.gauge_mm))
        tracks.add_row(t.id, t.kind, gauge, t.country or "-", f"{t.length_m:.1f}", t.geometry_quality)
    console.print(tracks)
    if s.landmarks:
        marks = Table(title="landmarks")
        for col in ("id", "kind", "name", "country", "track", "chainage m"):
            marks.add_column(
                col, justify="right" if col == "chainage m" else "left", no_wrap=col in ("id", "track")
            )
        for lm in s.landmarks:
            chain = "-" if lm.chainage_m is None else f"{lm.chainage_m:.1f}"
            marks.add_row(lm.id, lm.kind, lm.name, lm.country or "-", lm.track or "-", chain)
        console.print(marks)


@sites_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="GeoJSON, OSM XML (.osm) or Overpass JSON file."),
    site_id: str | None = typer.Option(None, "--id", help="Site id (default: from the file, else its name)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Read a site from GeoJSON or OSM, check it, and save it to the store."""
    site = sites.read_file(file, site_id=site_id)
    if any(t.site is None for t in site.tracks):  # a bare tracks file: prefix its ids with the site id
        site = sites.read_file(file, site_id=site.id)
    stored = _save(site, db)
    info = {**summary(site), "file": str(file), "stored": stored}
    if json_out:
        print_json(info)
        return
    console.print(
        f"imported site [bold]{site.id}[/bold] from {file}: {info['tracks']} tracks "
        f"({info['track_km']:.2f} km), {info['landmarks']} landmarks" + (f" -> {stored}" if stored else "")
    )


def _lookup(name: str, db: str | None) -> Site:
    """A built-in site or site file; with --db, a stored site when the catalog has none of that name."""
    try:
        return sites.load(name)
    except SiteNotFound:
        if db is None:
            raise
    from railwatch import store

    with store.open(db) as handle:
        return handle.get_site(name)


def _save(site: Site, db: str | None) -> str | None:
    """Write the site to the store; returns the store's URL."""
    from railwatch import store

    with store.open(db) as handle:
        handle.put_site(site)
        return str(getattr(handle, "url", db))
