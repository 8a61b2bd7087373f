"""`railwatch alerts`: list the surge and change-point alerts stored by `railwatch activity --site`."""

from __future__ import annotations

import typer
from rich.table import Table

from railwatch.cli.app import app, out
from railwatch.cli.options import DbOption, JsonOption, print_json


@app.command()
def alerts(
    site: str = typer.Option(None, "--site", help="Only this site."),
    db: str = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List stored alerts (surges and change points), by site and date."""
    from railwatch.cli.options import open_store

    s = open_store(db)
    if site is not None:
        s.get_site(site)
    found = sorted(s.alerts(site=site), key=lambda a: (a.site, a.date, a.kind))
    if as_json:
        print_json({"alerts": [a.to_dict() for a in found]})
        return
    if not found:
        out.print("no alerts")
        return
    t = Table("site", "date", "kind", "count", "baseline", "ratio", "message", box=None, pad_edge=False)
    for a in found:
        t.add_row(a.site + (f"/{a.track}" if a.track else ""), a.date, a.kind, f"{a.count:.0f}",
                  f"{a.baseline:.0f}", f"{a.ratio:.1f}", a.message)
    out.print(t)
