"""`railwatch watch`: poll a folder or STAC source, ingest and analyse new imagery, raise alerts."""

from __future__ import annotations

import typer

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption, JsonOption, print_json


@app.command()
def watch(
    source: str = typer.Argument(
        ..., metavar="DIR|STAC", help="Folder of GeoTIFFs, STAC API URL or catalog.json."),
    site: str | None = typer.Option(None, "--site", help="Only this site (required for STAC)."),
    interval: float = typer.Option(300.0, "--interval", help="Seconds between polls."),
    once: bool = typer.Option(False, "--once", help="Poll once and exit."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST new alerts as JSON to this URL."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Ingest and analyse new imagery as it arrives; store alerts and post new ones to a webhook."""
    from railwatch import store
    from railwatch import watch as watching
    from railwatch.errors import InputError
    from railwatch.store.ingest import ensure_catalog, resolve_site

    if not interval > 0:
        raise InputError(f"interval must be a positive number of seconds, not {interval}", path="--interval")
    database = store.open(db)
    try:
        ensure_catalog(database)
        target = resolve_site(database, site) if site else None

        def _report(p: watching.Poll) -> None:
            console.print(f"poll: {len(p.scenes)} new scene(s), {len(p.errors)} error(s), "
                          f"{len(p.alerts)} new alert(s)", highlight=False)
            for a in p.alerts:
                console.print(f"[bold red]ALERT[/] {a.site} {a.date} {a.kind}: {a.message}", highlight=False)
            if as_json:
                print_json(p.to_dict())

        with console.status("watching", spinner="dots"):
            polls = watching.watch(
                database, source, site=target, interval_s=interval, once=once, webhook=webhook,
                say=lambda m: console.print(m, markup=False, highlight=False), on_poll=_report)
    finally:
        database.close()
    if polls and polls[-1].errors:
        raise typer.Exit(2)
