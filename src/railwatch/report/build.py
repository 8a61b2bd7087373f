"""Gather what the store knows about a site over a period into the report's template context."""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from railwatch.errors import InputError, RailwatchError
from railwatch.imagery import source
from railwatch.records import Observation, Scene, Site
from railwatch.report import figures

MAX_CHIPS = 8
"""Chips for the most recent observations with cars (a report, not an atlas)."""


@dataclass
class Context:
    """Everything the template shows; pictures are base64 PNG strings."""

    site: Site
    start: datetime | None
    end: datetime | None
    generated: datetime
    site_map: str
    chips: list[dict[str, Any]] = field(default_factory=list)
    plot: str | None = None
    activity_sentences: list[str] = field(default_factory=list)
    composition: str | None = None
    """What the latest look's railcars were by type (`narrative.composition`); None if types were not read."""
    narrative_html: str = ""
    movements: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def b64(png: bytes) -> str:
    """PNG bytes as a base64 string for a data: URL."""
    return base64.b64encode(png).decode("ascii")


def _local(t: datetime, zone: str) -> str:
    return f"{t.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def _obs_row(o: Observation, scene: Scene | None, zone: str) -> dict[str, Any]:
    return {
        "time_utc": f"{o.acquired:%Y-%m-%d %H:%M}", "time_local": _local(o.acquired, zone), "track": o.track,
        "cars": o.cars, "low": o.cars_low, "high": o.cars_high, "locomotives": o.locomotives,
        "coverage": o.coverage, "by_type": by_type_text(o),
        "scene_id": o.scene_id, "scene_name": Path(scene.path).name if scene else "-",
        "sha": scene.sha256[:12] if scene else "-", "source": (scene.source if scene else None) or "-",
    }


SHOWN_EXPECTED = 0.5
"""Least expected count of a type no car was typed as for the table to list it with its interval."""


def by_type_text(o: Observation) -> str:
    """'covered 5 (3–7), tank 2 (1–4)': each type's count as typed and, where types were read, its 90 %
    interval; a type no car was typed as is listed when it is expected at least SHOWN_EXPECTED times."""
    if o.by_type_expected is None or o.by_type_low is None or o.by_type_high is None:
        return ", ".join(f"{k} {v}" for k, v in sorted(o.by_type.items()))
    kinds = {k for k, v in o.by_type.items() if v} | {
        k for k, m in o.by_type_expected.items() if m >= SHOWN_EXPECTED}
    parts = []
    for k in sorted(kinds):
        point = o.by_type.get(k, 0)
        if k in o.by_type_low:
            parts.append(f"{k} {point} ({o.by_type_low[k]}–{o.by_type_high.get(k, point)})")
        else:
            parts.append(f"{k} {point}")
    return ", ".join(parts)


def _chips(obs: list[Observation], scenes: dict[int, Scene], site: Site, notes: list[str]) -> list[dict]:
    wanted = [o for o in obs if o.scene_id in scenes and any(c.footprint is not None for c in o.car_list)]
    out = []
    for o in sorted(wanted, key=lambda o: o.acquired, reverse=True)[:MAX_CHIPS]:
        scene = scenes[o.scene_id]  # type: ignore[index]
        if not source.reachable(scene.path):
            notes.append(f"No chip for {o.track} at {o.acquired:%Y-%m-%d %H:%M} UTC: scene file "
                         f"{Path(scene.path).name} is not available here.")
            continue
        try:
            png = figures.chip(o, scene, site)
        except RailwatchError as exc:
            notes.append(f"No chip for {o.track} at {o.acquired:%Y-%m-%d %H:%M} UTC: {exc.message}")
            continue
        out.append({"png": b64(png), "track": o.track, "time": f"{o.acquired:%Y-%m-%d %H:%M}",
                    "scene": Path(scene.path).name, "sha": scene.sha256[:12]})
    return out


def _activity(obs: list[Observation], events: list, ctx: Context) -> None:
    from railwatch.activity import analyze, from_observations
    from railwatch.activity.plot import plot

    try:
        series = from_observations(obs)
        result = analyze(series, events)
        with tempfile.TemporaryDirectory(prefix="railwatch-report-") as tmp:
            ctx.plot = b64(plot(result, Path(tmp) / "activity.png").read_bytes())
        for act in result.sites:
            ctx.activity_sentences += act.sentences()
    except RailwatchError as exc:
        ctx.notes.append(f"No activity analysis: {exc.message}")


def _narrative(db: Any, site: Site, start: datetime | None, end: datetime | None, ctx: Context) -> None:
    from markdown_it import MarkdownIt

    from railwatch.movement.follow import follow, movement_dict
    from railwatch.narrative import Setting, brief

    try:
        found = follow(db, site=site.id, start=start, end=end)
    except RailwatchError as exc:
        ctx.notes.append(f"No movements: {exc.message}")
        return
    text = brief(found.movements, found.consists, Setting(found.network, found.sites), start, end,
                 site_ids=[site.id])
    text = text.split("\n", 1)[1] if text.startswith("# ") else text  # the report has its own title
    text = text.replace("\n### ", "\n#### ").replace("\n## ", "\n### ")  # under the report's h2
    ctx.narrative_html = MarkdownIt("commonmark").enable("table").render(text)
    ctx.movements = [movement_dict(m) for m in sorted(found.movements, key=lambda m: m.t0)]


def gather(db: Any, site_id: str, start: datetime | None, end: datetime | None) -> Context:
    """Read the site's observations, scenes, events and movements and draw the pictures."""
    site = db.get_site(site_id)
    if start and end and end < start:
        raise InputError(f"--to ({end:%Y-%m-%d}) is before --from ({start:%Y-%m-%d})")
    obs = db.observations(site=site_id, start=start, end=end, with_cars=True)
    if not obs:
        raise InputError(f"no observations of site '{site_id}' in this period", path=db.url)
    scenes = {sid: db.get_scene(sid) for sid in sorted({o.scene_id for o in obs if o.scene_id is not None})}
    ctx = Context(site=site, start=start, end=end, generated=datetime.now(UTC),
                  site_map=b64(figures.site_map(site)))
    ctx.chips = _chips(obs, scenes, site, ctx.notes)
    first, last = f"{start:%Y-%m-%d}" if start else "", f"{end:%Y-%m-%d}" if end else "9999"
    events = [e for e in db.events() if first <= e.date <= last]
    _activity(obs, events, ctx)
    from railwatch.narrative.composition import latest_composition

    ctx.composition = latest_composition(obs, site.timezone)
    _narrative(db, site, start, end, ctx)
    ctx.observations = [_obs_row(o, scenes.get(o.scene_id), site.timezone)  # type: ignore[arg-type]
                        for o in obs]
    srcs = sorted({f"{s.source or 'unknown source'}: {Path(s.path).name} (sha256 {s.sha256[:12]}…)"
                   for s in scenes.values()})
    ctx.sources = srcs + [f"Event: {e.date} {e.title}" + (f" ({e.source})" if e.source else "")
                          for e in events]
    return ctx
