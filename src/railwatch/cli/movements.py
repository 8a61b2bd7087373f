"""`railwatch movements`: follow consists across stored scenes and borders, store and list the movements."""

from __future__ import annotations

import typer
from rich.table import Table

from railwatch.cli.app import app, console, out
from railwatch.cli.options import DbOption, JsonOption, print_json


@app.command()
def movements(
    site: str = typer.Option(None, "--site", help="Only movements starting or ending at this site."),
    start: str = typer.Option(None, "--from", help="First time (ISO date or time, UTC unless given)."),
    end: str = typer.Option(None, "--to", help="Last time (a bare date means the end of that day)."),
    window_h: float = typer.Option(48.0, "--window-h", help="Longest gap between two sightings, hours."),
    max_speed: float = typer.Option(60.0, "--max-speed", help="Fastest plausible average speed, km/h."),
    db: str = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Match consists between scenes (signature + rail distance / time), store the movements, list them."""
    from railwatch.cli.options import open_store
    from railwatch.movement.follow import follow, movement_dict, parse_time

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to", end_of_day=True)
    s = open_store(db)
    with console.status("following consists", spinner="dots") if not as_json else _null():
        found = follow(s, site=site, start=t0, end=t1, window_h=window_h, max_speed_kmh=max_speed)
        ids = s.put_movements(found.movements) if found.movements else []
    if as_json:
        print_json(
            {
                "consists": len(found.consists),
                "movements": [
                    {"id": i, **movement_dict(m)} for i, m in zip(ids, found.movements, strict=True)
                ],
            }
        )
        return
    console.print(f"{len(found.consists)} consists, {len(found.movements)} movements stored")
    if not found.movements:
        out.print("no movements")
        return
    t = Table(
        "from (UTC)",
        "to (UTC)",
        "from",
        "to",
        "cars",
        "km",
        "km/h",
        "border",
        "conf.",
        "changes",
        box=None,
        pad_edge=False,
    )
    for m in found.movements:
        a, b = m.consist_from, m.consist_to
        t.add_row(
            f"{m.t0:%Y-%m-%d %H:%M}",
            f"{m.t1:%Y-%m-%d %H:%M}",
            f"{a.track}@{a.start_m:.0f}",
            f"{b.track}@{b.start_m:.0f}",
            f"{len(a.railcars)}->{len(b.railcars)}",
            f"{m.distance_m / 1000:.2f}",
            f"{m.speed_kmh:.1f}",
            "->".join(c or "?" for c in m.countries) if m.crossed_border else "",
            f"{m.confidence:.2f}",
            ", ".join(m.changes),
        )
    out.print(t)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
