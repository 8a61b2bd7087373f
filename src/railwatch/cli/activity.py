"""`railwatch activity`: baseline, change points, surges and event lags from a SERIES.csv or the store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from railwatch.cli.app import app, console, out
from railwatch.cli.options import DbOption, JsonOption, open_store, print_json

_HELP_RULES = (
    "SERIES.csv has columns date,site,count[,coverage]; rows may come in any order (they are sorted); "
    "several rows for one site and day keep the best coverage (equal coverage: mean count). A look with "
    "coverage >= --coverage-floor is scaled to a full count (count / coverage, wider interval); below the "
    "floor it is shown but not analysed."
)


@app.command(help="Find surges and change points against a baseline, and the lag from events to them. "
             + _HELP_RULES)
def activity(
    series_csv: Path = typer.Argument(None, metavar="[SERIES.csv]",
                                      help="Counts: date,site,count[,coverage]."),
    events_csv: Path = typer.Option(None, "--events", help="EVENTS.csv: date,title[,source]."),
    site: str = typer.Option(None, "--site",
                             help="Only this site (required without SERIES.csv: read the store)."),
    plot: Path = typer.Option(None, "--plot", help="Write a PNG chart here."),
    tracks: bool = typer.Option(False, "--tracks", help="From the store: also analyse each track."),
    coverage_floor: float = typer.Option(0.5, "--coverage-floor", help="Looks seeing less are not analysed."),
    window_days: int = typer.Option(60, "--window-days", help="Trailing baseline window in days."),
    db: str = DbOption,
    as_json: bool = JsonOption,
) -> None:
    from railwatch.activity import Params, analyze, events, series
    from railwatch.errors import InputError, SeriesError, SiteNotFound

    if not 0.0 < coverage_floor <= 1.0:
        raise InputError(f"--coverage-floor {coverage_floor:g} must be in (0, 1]")
    if window_days < 1:
        raise InputError(f"--window-days {window_days} must be at least 1")
    evs = events.read_csv(events_csv) if events_csv is not None else []
    from_store = series_csv is None
    if from_store:
        if site is None:
            raise InputError("give SERIES.csv or --site SITE (to read the store)")
        s = open_store(db)
        s.get_site(site)
        obs = s.observations(site=site)
        if not obs:
            raise SeriesError(f"no observations stored for site {site!r} (run `railwatch analyze` first)",
                              path=s.url)
        found = series.from_observations(obs, coverage_floor=coverage_floor, tracks=tracks)
        evs = sorted(list(s.events()) + evs, key=lambda e: e.date)
    else:
        found = series.read_csv(series_csv, coverage_floor=coverage_floor)
        if site is not None:
            names = [x.site for x in found]
            found = [x for x in found if x.site == site]
            if not found:
                raise SiteNotFound(f"site {site!r} not in the file (it has: {', '.join(names)})",
                                   path=str(series_csv))
        if db is not None:
            evs = sorted(list(open_store(db).events()) + evs, key=lambda e: e.date)
    result = analyze(found, evs, Params(window_days=window_days))
    if plot is not None:
        from railwatch.activity.plot import plot as draw

        draw(result, plot)
    if from_store:
        with s.transaction():
            s.put_alerts(site, result.alerts())
    if as_json:
        print_json(result.to_dict())
        return
    _summary(result)
    if plot is not None:
        console.print(f"wrote {plot}")


def _summary(result) -> None:
    for act in result.sites:
        b = act.baseline
        head = f"[bold]{act.series.label}[/bold]: {len(act.series.looks)} looks " \
               f"({len(act.series.used)} used), {act.series.looks[0].date} .. {act.series.looks[-1].date}"
        out.print(head)
        if b is not None:
            out.print(f"  baseline {b.median:.1f} railcars (spread {b.spread:.1f}, {b.looks} looks "
                      f"{b.start} .. {b.end})")
        if act.changes:
            t = Table("change", "before", "after", "direction", "kind", "confidence",
                      box=None, pad_edge=False)
            for c in act.changes:
                t.add_row(str(c.date), f"{c.before:.0f}", f"{c.after:.0f}", c.direction, c.kind,
                          f"{c.confidence:.2f}")
            out.print(t)
        else:
            out.print("  no change point")
        if act.surges:
            t = Table("surge", "count", "baseline", "ratio", "z", box=None, pad_edge=False)
            for sg in act.surges:
                t.add_row(str(sg.date), f"{sg.count:.0f}", f"{sg.baseline:.0f}", f"{sg.ratio:.1f}",
                          f"{sg.zscore:.1f}")
            out.print(t)
        else:
            out.print("  no surge")
        for line in act.sentences():
            out.print(f"  {line}")
