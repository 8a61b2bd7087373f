"""The analyst's brief in Markdown: key judgements, one paragraph per train followed, other
sightings, limits and sources. Pure: records in, text out."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from railwatch.movement.match import chains
from railwatch.movement.network import at_site
from railwatch.narrative import sentences as S
from railwatch.narrative import words
from railwatch.records import Consist, Movement

if TYPE_CHECKING:
    from railwatch.movement.follow import Followed
    from railwatch.store import Store

STILL_M = 30.0
"""A set that moved less than this between images stood still: not a key judgement."""


def _key(c: Consist) -> object:
    return (c.id, c.acquired) if c.id else id(c)


def _here(c: Consist, site_ids: set[str] | None, setting: S.Setting) -> bool:
    return site_ids is None or any(at_site(c.site, c.track, s, setting.network) for s in site_ids)


def _touches(chain: list[Movement], site_ids: set[str] | None, setting: S.Setting) -> bool:
    return any(_here(c, site_ids, setting) for mv in chain for c in (mv.consist_from, mv.consist_to))


def brief(
    movements: list[Movement],
    consists: list[Consist],
    setting: S.Setting,
    start: datetime | None = None,
    end: datetime | None = None,
    site_ids: list[str] | None = None,
) -> str:
    """Markdown brief for the movements (and other sightings) of some sites over a period."""
    wanted = set(site_ids) if site_ids else None
    trips = [ch for ch in chains(movements) if _touches(ch, wanted, setting)]
    followed = {_key(c) for ch in trips for mv in ch for c in (mv.consist_from, mv.consist_to)}
    others = [c for c in consists if _key(c) not in followed and _here(c, wanted, setting)]
    if site_ids:
        names = [setting.site_name(s) or s for s in site_ids]
    else:  # the sites whose tracks the sightings stand on (a combined scene site names its parts)
        seen = [c for ch in trips for mv in ch for c in (mv.consist_from, mv.consist_to)] + others
        names = sorted({S.track_site_name(c, setting) for c in seen} - {None})  # type: ignore[arg-type]
    period = ""
    if start or end:
        period = (
            f", {start:%Y-%m-%d} to {end:%Y-%m-%d}"
            if start and end
            else (
                f", from {start:%Y-%m-%d}" if start else f", to {end:%Y-%m-%d}"  # type: ignore[union-attr]
            )
        )
    lines = [f"# Rail movements: {words.join(list(names))}{period}", ""]
    lines += [
        "_Prepared by railwatch from overhead imagery. Times are local, with their UTC offset. "
        "Likelihood words follow ICD 203 (almost no chance < 5 %, very unlikely 5-20 %, unlikely 20-45 %, "
        "roughly even chance 45-55 %, likely 55-80 %, very likely 80-95 %, almost certain > 95 %)._",
        "",
        "## Key judgements",
        "",
    ]
    moved = [ch for ch in trips if any(mv.crossed_border or mv.distance_m >= STILL_M for mv in ch)]
    if not trips:
        lines.append("- No railcar set was followed from one image to another in this period.")
    elif not moved:
        lines.append("- The sets followed stood where they were; none was seen to move between images.")
    for ch in moved:
        cross = S.crossing_sentence(ch, setting)
        if cross:
            desc = S.describe_trip(ch, setting)
            lines.append(f"- {desc[0].upper()}{desc[1:]}: {cross[0].lower()}{cross[1:]}")
        else:
            lines.append(f"- {S.identity_sentence(ch[-1], setting)}")
    lines += ["", "## Movements", ""]
    for k, ch in enumerate(trips, 1):
        first = ch[0].consist_from
        title = S.describe_trip(ch, setting)
        lines += [f"### {k}. {title[0].upper()}{title[1:]}", ""]
        para = [S.chain_sentence(ch, setting, consists)]
        for mv in ch:
            para.append(S.identity_sentence(mv, setting))
            para.extend(S.change_sentences(mv, setting))
        cross = S.crossing_sentence(ch, setting)
        if cross:
            para.append(cross)
        para.append(S.confidence_sentence(ch))
        para.append(S.limits_sentence(first))
        lines += [" ".join(para), ""]
        lines += [
            "| seen (UTC) | site | track | cars | locomotives | distance from previous | confidence |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines.append(_row(first, None))
        for mv in ch:
            lines.append(_row(mv.consist_to, mv))
        lines.append("")
    lines += ["## Other sightings", ""]
    if not others:
        lines.append("- None.")
    sets = [c for c in others if len(c.railcars) >= 2]
    for c in sorted(sets, key=lambda c: (c.acquired or datetime.min, c.track)):
        desc = S.describe(c, S.front_high(c))
        lines.append(f"- {desc[0].upper()}{desc[1:]} was seen {S.sighting(c, setting, consists)}.")
    singles = len(others) - len(sets)
    if singles:
        were = "car was" if singles == 1 else "cars were"
        lines.append(
            f"- {words.number(singles).capitalize()} single {were} also detected; single cars are not "
            "followed or described (too many look alike, and some are fragments)."
        )
    lines += [
        "",
        "## Limits",
        "",
        "- The imagery shows railcars from above; it does not show what they carry or why they move.",
        "- A set is followed by the order, colours, types and lengths of its cars; identical-looking sets "
        "cannot be told apart, and the likelihood words above account for that.",
        "- Gaps between images are unobserved: a set may have stopped, been split or rejoined in between.",
        "",
    ]
    return "\n".join(lines)


def _row(c: Consist, mv: Movement | None) -> str:
    when = f"{c.acquired:%Y-%m-%d %H:%M}" if c.acquired else "?"
    dist = words.distance(mv.distance_m) if mv else "-"
    conf = f"{mv.confidence:.2f}" if mv else "-"
    return f"| {when} | {c.site or '-'} | {c.track} | {len(c.railcars)} | {c.locomotives} | {dist} | {conf} |"


def stored_brief(
    db: Store,
    site: str | None,
    start: datetime | None,
    end: datetime | None,
    site_ids: list[str] | None = None,
) -> tuple[str, Followed]:
    """Follow the trains seen around `site` in [start, end] in the store and write their brief (about
    `site_ids`, or every site the sightings stand on); also returns what was followed."""
    from railwatch.movement.follow import follow

    found = follow(db, site=site, start=start, end=end)
    text = brief(found.movements, found.consists, S.Setting(found.network, found.sites), start, end,
                 site_ids=site_ids)
    return text, found
