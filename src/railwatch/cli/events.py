"""`railwatch events add|list|import`: the outside events activity lags are measured against."""

from __future__ import annotations

from pathlib import Path

import typer

from railwatch.cli.app import app, console, out
from railwatch.cli.options import DbOption, JsonOption, print_json

events_app = typer.Typer(help="Outside events (summits, sanctions) to measure activity lags against.",
                         no_args_is_help=True)
app.add_typer(events_app, name="events")


def _store(db: str | None):
    from railwatch.cli.options import open_store

    return open_store(db)


@events_app.command("add")
def add(
    date: str = typer.Argument(..., metavar="DATE", help="YYYY-MM-DD"),
    title: str = typer.Argument(..., metavar="TITLE"),
    source: str = typer.Option(None, "--source", help="Where the event is reported (URL)."),
    db: str = DbOption,
) -> None:
    """Store one event."""
    from railwatch.activity.events import make

    ev = make(date, title, source)
    s = _store(db)
    with s.transaction():
        event_id = s.add_event(ev)
    console.print(f"event {event_id}: {ev.date} {ev.title}")


@events_app.command("list")
def list_(db: str = DbOption, as_json: bool = JsonOption) -> None:
    """List stored events by date."""
    evs = sorted(_store(db).events(), key=lambda e: e.date)
    if as_json:
        rows = [{"id": e.id, "date": e.date, "title": e.title, "source": e.source} for e in evs]
        print_json({"events": rows})
        return
    for e in evs:
        out.print(f"{e.date}  {e.title}" + (f"  ({e.source})" if e.source else ""))


@events_app.command("import")
def import_(path: Path = typer.Argument(..., metavar="EVENTS.csv"), db: str = DbOption) -> None:
    """Store every event of EVENTS.csv (date,title[,source]) in one transaction; an event already
    stored (same date and title) is skipped, so importing a file twice does not double it."""
    from railwatch.activity.events import read_csv

    evs = read_csv(path)
    s = _store(db)
    with s.transaction():
        known = {(e.date, e.title) for e in s.events()}
        new = [ev for ev in evs if (ev.date, ev.title) not in known]
        for ev in new:
            s.add_event(ev)
    console.print(f"imported {len(new)} events from {path} ({len(evs) - len(new)} already stored)")
