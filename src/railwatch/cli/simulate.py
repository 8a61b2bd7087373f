"""`railwatch simulate`: write simulated, georeferenced scenes with ground truth (a named scenario, or one
random scene of any site)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from railwatch.cli.app import app, console
from railwatch.errors import InputError


def _bar() -> Progress:
    """A rich progress bar on stderr (silent when stderr is not a terminal)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _parse_time(text: str | None) -> datetime:
    if text is None:
        return datetime(2023, 10, 5, 2, 0, tzinfo=UTC)
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"bad --time {text!r} (want ISO 8601, e.g. 2023-10-05T02:00Z)") from exc
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


@app.command()
def simulate(
    name: str = typer.Argument(
        ...,
        help="Scenario (tumangang-2023, crossing-2022-11-04, return-2022-11-29) "
        "or `site` for one random scene of SITE.",
    ),
    site: str | None = typer.Argument(None, help="With `site`: a built-in site id or a site file."),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same pixels)."),
    gsd: float | None = typer.Option(None, "--gsd", help="Ground sample distance in metres (default 0.5)."),
    time: str | None = typer.Option(
        None, "--time", help="With `site`: acquisition time, ISO 8601 (UTC if no zone)."
    ),
    occupancy: float = typer.Option(0.4, "--occupancy", help="With `site`: share of track length occupied."),
    clouds: float = typer.Option(0.0, "--clouds", help="With `site`: cloud fraction 0-1."),
) -> None:
    """Write simulated scenes (COG GeoTIFF + <scene>.truth.geojson) and a scenario.json into --out."""
    from railwatch import simulate as sim

    if name == "site":
        if site is None:
            raise InputError("`railwatch simulate site` needs a SITE (built-in id or file)")
        from railwatch import sites

        s = sites.load(site)
        if not s.tracks:
            raise InputError("site has no tracks", site)
        if not 0.0 <= occupancy <= 1.0:
            raise InputError(f"--occupancy {occupancy} out of range 0-1")
        when = _parse_time(time)
        cars = sim.random_cars(s, seed=seed, occupancy=occupancy)
        path = Path(out) / f"{s.id.replace('/', '_')}-{when.strftime('%Y%m%dT%H%MZ')}-s{seed}.tif"
        with _bar() as bar:
            task = bar.add_task(f"{path.name} ({len(cars)} cars)", total=None)
            sim.render(
                s,
                cars,
                path,
                gsd_m=gsd or 0.5,
                acquired=when,
                seed=seed,
                clouds=clouds,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        console.print(f"wrote {path} and {path.with_suffix('.truth.geojson').name}")
        return
    if site is not None:
        raise InputError(f"unexpected argument {site!r} after scenario {name!r}")
    if name not in sim.SCENARIOS:
        raise InputError(f"unknown scenario {name!r}; scenarios: {', '.join(sim.SCENARIOS)}, or `site SITE`")
    with _bar() as bar:
        task = bar.add_task(name, total=None)
        paths = sim.scenario(
            name, out, seed=seed, gsd_m=gsd, progress=lambda msg: bar.update(task, description=msg, advance=1)
        )
    console.print(f"wrote {len(paths)} scenes and scenario.json to {out}")
