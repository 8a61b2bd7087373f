"""What a look's railcars were, by type, in an analyst's words: the largest type with its 90 % interval and,
when it is even odds or better that it is most of the cars, how likely that is (ICD 203). Nothing where types
were not read (coarse GSD) or no railcar was seen: never more than the pixels show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from railwatch.detect import bytype, estimate
from railwatch.narrative import words
from railwatch.records import Observation

MIN_MAJORITY_P = 0.45
"""Least probability that one type is most of the railcars for the brief to say so ('roughly even chance'
and up); below it the railcars are a mix and only the largest type's count is given."""


def scene_by_type(observations: Sequence[Observation]) -> dict[str, tuple[float, int, int, float]] | None:
    """Per type (expected, low, high, variance) over the tracks of one look whose types were read, or None
    when there are none: the tracks' sums (`bytype.TypeStats`) add and the look's count interval
    (`estimate.total_interval`) is shared out by type, as count() does for the scene. A track stored without
    its sums adds the variance its interval implies."""
    typed = [o for o in observations if o.by_type_expected is not None]
    if not typed:
        return None
    stats: dict[str, bytype.TypeStats] = {}
    point: dict[str, int] = {}
    for o in typed:
        low, high, doubt = o.by_type_low or {}, o.by_type_high or {}, o.by_type_doubt or {}
        for k, v in o.by_type.items():
            point[k] = point.get(k, 0) + v
        for k, m in (o.by_type_expected or {}).items():
            # without its sums, a track's own variance is read from its interval's half-width
            own, root = doubt.get(k, ((max(m - low.get(k, 0), high.get(k, 0) - m) / bytype.Z90) ** 2, 0.0))
            stats[k] = stats.get(k, bytype.TypeStats()) + bytype.TypeStats(m, own, root)
    n = sum(o.cars for o in typed)
    low_n, high_n = estimate.total_interval([(o.cars, o.cars_low, o.cars_high, o.spread) for o in typed])
    return {k: (tc.expected, tc.low, tc.high, tc.variance)
            for k, tc in bytype.intervals(stats, point, n, low_n, high_n).items()}

def composition_sentence(observations: Sequence[Observation], when: datetime | None = None,
                         zone: str = "UTC") -> str | None:
    """'On 5 October 2023, most of the railcars were likely covered cars: about 31 (90 % interval 26-37) of
    40.' for the tracks of one look; None when types were not read or there were no railcars."""
    typed = scene_by_type(observations)
    total = sum(o.cars for o in observations if o.by_type_expected is not None)
    if not typed or total <= 0:
        return None
    kinds = [k for k in typed if k != "unknown"]
    if not kinds:
        return None
    largest = max(kinds, key=lambda k: typed[k][0])
    m, lo, hi, var = typed[largest]
    name = words.type_phrase([largest])
    count = f"about {round(m)} (90 % interval {lo}–{hi}) of {total}"
    lead = f"On {words.day(when, zone)}, " if when is not None else ""
    p = bytype.majority_probability(m, var, total)
    if p >= MIN_MAJORITY_P:
        clause = words.hedge(p, "most of the railcars", "were", name)
        text = f"{lead}{clause}: {count}."
    else:
        text = f"{lead}the railcars were a mix; the most were {name}: {count}."
    return text[0].upper() + text[1:]


def latest_composition(observations: Sequence[Observation], zone: str = "UTC") -> str | None:
    """The composition sentence of the latest look (scene) whose types were read, or None."""
    looks: dict[tuple[int | None, datetime], list[Observation]] = {}
    for o in observations:
        looks.setdefault((o.scene_id, o.acquired), []).append(o)
    for (_, when), obs in sorted(looks.items(), key=lambda kv: kv[0][1], reverse=True):
        if any(o.by_type_expected is not None for o in obs):
            return composition_sentence(obs, when, zone)
    return None
