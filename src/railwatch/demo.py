"""The built-in demonstration: simulate the two real cases, then run the real pipeline on the
pixels (ingest -> analyze -> activity -> movements -> brief -> report) into one folder.

Nothing here is canned: the scenes are rendered, counted and analysed as a user's would be.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from railwatch.records import Event

SCENARIOS = ("tumangang-2023", "crossing-2022-11-04", "return-2022-11-29")


@dataclass
class DemoResult:
    """Where the demo wrote things, and the headline figures it found."""

    out: Path
    db_url: str
    scenes: int = 0
    files: dict[str, Path] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)


def run(
    out: str | Path,
    gsd_m: float | None = None,
    seed: int = 0,
    scenarios: tuple[str, ...] = SCENARIOS,
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Render the scenarios into `out`, push them through the pipeline, and write the evidence."""
    from railwatch import pipeline, report, simulate, store
    from railwatch.activity import analyze as activity_analyze
    from railwatch.activity import events as activity_events
    from railwatch.activity import plot as activity_plot
    from railwatch.activity.series import from_observations
    from railwatch.movement.follow import parse_time
    from railwatch.narrative import stored_brief
    from railwatch.store.ingest import ensure_catalog, ingest

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "railwatch.db"
    result = DemoResult(out=out, db_url=f"sqlite:///{db_path}")
    db = store.open(result.db_url)
    ensure_catalog(db)

    events: list[Event] = []
    for name in scenarios:
        say(f"simulating {name}")
        paths = simulate.scenario(name, out / "scenes" / name, seed=seed, gsd_m=gsd_m)
        for p in paths:
            got = ingest(db, p)
            result.scenes += int(got.created)
        ev_csv = out / "scenes" / name / "events.csv"
        if ev_csv.exists():
            events += activity_events.read_csv(ev_csv)
    known = {(e.date, e.title) for e in db.events()}
    for ev in events:
        if (ev.date, ev.title) not in known:
            db.add_event(ev)
            known.add((ev.date, ev.title))

    say(f"counting railcars in {result.scenes} scenes")
    results = pipeline.analyse(db)
    failed = [r for r in results if r.error]
    for r in failed:
        say(f"  scene {r.scene_id} x {r.site_id}: {r.error}")

    if "tumangang-2023" in scenarios:
        say("analysing activity at tumangang")
        obs = db.observations(site="tumangang")
        series = [s for s in from_observations(obs) if s.site == "tumangang"]
        if series:
            act = activity_analyze(series, db.events())
            db.put_alerts("tumangang", act.alerts())
            png = activity_plot.plot(act, out / "tumangang-activity.png")
            (out / "tumangang-activity.json").write_text(json.dumps(act.to_dict(), indent=2, default=str))
            result.files["activity plot"] = png
            for site_act in act.to_dict().get("sites", []):
                result.headlines += list(site_act.get("sentences", []))

    for name, site, start, end in (
        ("crossing-2022-11-04", "friendship-bridge", "2022-11-04", "2022-11-04"),
        ("return-2022-11-29", "khasan", "2022-11-29", "2022-11-30"),
    ):
        if name not in scenarios:
            continue
        say(f"following trains: {name}")
        t0, t1 = parse_time(start, "--from"), parse_time(end, "--to", end_of_day=True)
        md, found = stored_brief(db, site, t0, t1)
        db.put_movements(found.movements)
        path = out / f"brief-{name}.md"
        path.write_text(md)
        result.files[f"brief {name}"] = path

    say("writing the report")
    start = datetime(2022, 11, 1, tzinfo=UTC)
    end = datetime(2023, 12, 31, tzinfo=UTC)
    result.files["report"] = Path(report.write(db, "tumangang", start, end, out / "report", pdf=True))
    db.close()
    return result
