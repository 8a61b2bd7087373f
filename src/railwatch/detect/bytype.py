"""Railcar counts by type with a 90 % interval, from the cars' type probabilities and the count's interval.

Given the cars found, the number of one type among them is a Poisson-binomial sum of the cars' type
probabilities (`detect.types.probabilities`): mean sum p, variance sum p (1 - p), widened because the cars'
type errors are not independent (look-alike blocks, confusions every car of one look shares). The count
may have missed cars or counted extra ones ([low, high] around the cars found): those are shared out by
the type's share of the cars found and added in quadrature. Where types are not read (coarse GSD) there
is no by-type interval: every car is 'unknown' and saying more would be more than the pixels show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from railwatch.records import Car

Z90 = 1.645
"""Standard normal quantile of a two-sided 90 % interval."""
LOOKALIKE_CORRELATION = 0.5
"""Correlation of the type errors of look-alike cars (`lookalikes`): a block of cars of one type in one
consist is read through the same light and the same confusions, so when one of them is mistyped its
neighbours tend to be too; independent cars would make a scene's type counts too sure (tuning seeds 200-215
at 0.5 m, before CONFUSION_CV: 0 / 0.5 / 1 gave 78 / 80 / 81 % of scene type counts inside)."""
CONFUSION_CV = 0.1
"""Relative standard deviation of a type's count from confusions shared by a look's cars, however sure each
car looks (a look that makes boxcars read as covered cars does so for all of them): the cars' probabilities
are calibrated one car at a time, but summed over a scene a type's count is off by more than their variances
say (tuning seeds 200-215: boxcars and gondolas 15-25 % under, flats and covered cars 10-35 % over the sum
of the probabilities)."""
SHARED_CORRELATION = 0.04
"""Correlation of the type errors of any two cars of a look (beyond `LOOKALIKE_CORRELATION` within a block):
unsure cars err together, so a look of many doubtful cars is less sure of its type counts than their
variances add to. With CONFUSION_CV, tuning seeds 200-215 (0.5 / 0.3 m): scene type counts inside their 90 %
interval 95 % / 96 %, mean width 9.7 / 9.0 cars for a mean type count of 9.1 (CONFUSION_CV 0.2 alone:
92 % / 96 %, 9.5 / 9.3; neither: 80 % / 89 %)."""
CONSIST_GAP_M = 3.0
"""Most gap (m) between two cars of one consist (coupler gaps are 0.8-1.5 m)."""


@dataclass(frozen=True)
class TypeStats:
    """Sums over some cars (a track's, a look's) that a type's interval is drawn from; tracks' sums add."""

    expected: float = 0.0
    """Sum of the cars' probabilities of the type."""
    own: float = 0.0
    """Variance of the type's count from the cars' own doubts, look-alike blocks correlated."""
    root: float = 0.0
    """Sum over the cars of the standard deviation sqrt(p (1 - p)) (for the look-wide correlation)."""

    def __add__(self, other: TypeStats) -> TypeStats:
        return TypeStats(self.expected + other.expected, self.own + other.own, self.root + other.root)


@dataclass(frozen=True)
class TypeCount:
    """Expected count of one railcar type, its 90 % interval (cars) and the variance it was drawn from."""

    expected: float
    low: int
    high: int
    variance: float
    stats: TypeStats = TypeStats()


def type_counts(cars: Sequence[Car], low: int, high: int, read: bool = True) -> dict[str, TypeCount]:
    """Per railcar type, the expected count and 90 % interval among `cars` (locomotives left out) whose count
    interval is [low, high]; empty when types are not read (`read` false, or no car has probabilities)."""
    railcars = [c for c in cars if not c.is_locomotive]
    n = len(railcars)
    if not read or (n and not any(c.type_p for c in railcars)):
        return {}
    point: dict[str, int] = {}
    for c in railcars:
        point[c.type] = point.get(c.type, 0) + 1
    return intervals(type_stats(railcars), point, n, low, high)


def type_stats(railcars: Sequence[Car]) -> dict[str, TypeStats]:
    """Per type, the sums `intervals` needs over these railcars (a car without probabilities is 'unknown')."""
    rho = LOOKALIKE_CORRELATION
    out: dict[str, TypeStats] = {}
    for group in lookalikes(railcars):
        mean: dict[str, float] = {}
        own: dict[str, float] = {}
        root: dict[str, float] = {}
        for c in group:
            for k, p in (c.type_p or {"unknown": 1.0}).items():
                mean[k] = mean.get(k, 0.0) + p
                own[k] = own.get(k, 0.0) + p * (1.0 - p)
                root[k] = root.get(k, 0.0) + math.sqrt(p * (1.0 - p))
        for k in mean:  # within a group: (1 - rho) x independent + rho x fully correlated
            var = (1.0 - rho) * own[k] + rho * root[k] ** 2
            out[k] = out.get(k, TypeStats()) + TypeStats(mean[k], var, root[k])
    return out


def intervals(stats: dict[str, TypeStats], point: dict[str, int], n: int, low: int, high: int
              ) -> dict[str, TypeCount]:
    """Per type, the 90 % interval from its `stats` over `n` railcars counted in [low, high], `point` of them
    typed each type by the most probable type (that count is kept inside its interval; 'unknown' has none)."""
    missed, extra = max(0, high - n), max(0, n - low)
    out: dict[str, TypeCount] = {}
    for k in sorted(set(stats) | set(point)):
        st = stats.get(k, TypeStats())
        m = st.expected
        share = m / n if n else 1.0
        # errors shared by the look: a share of every car pair's covariance, and a share of the count itself
        v = st.own + SHARED_CORRELATION * max(0.0, st.root**2 - st.own) + (CONFUSION_CV * m) ** 2
        down = math.hypot(Z90 * math.sqrt(v), share * extra)
        up = math.hypot(Z90 * math.sqrt(v), share * missed)
        lo = max(0, math.floor(m - down + 1e-9))
        hi = min(max(high, 0), math.ceil(m + up - 1e-9))
        pt = point.get(k, 0) if k != "unknown" else None
        if pt is not None:  # the point count by argmax is always inside its own interval
            lo, hi = min(lo, pt), max(hi, pt)
        if hi <= 0 and m < 0.05:
            continue
        out[k] = TypeCount(expected=m, low=lo, high=hi, variance=v, stats=st)
    return out


def lookalikes(cars: Sequence[Car]) -> list[list[Car]]:
    """Cars in groups of look-alikes: neighbours in one consist (same track, gaps <= CONSIST_GAP_M) typed the
    same."""
    groups: list[list[Car]] = []
    for c in sorted(cars, key=lambda c: (c.track, min(c.start_m, c.end_m))):
        last = groups[-1][-1] if groups else None
        if (last is not None and last.track == c.track and last.type == c.type
                and min(c.start_m, c.end_m) - max(last.start_m, last.end_m) <= CONSIST_GAP_M):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def majority_probability(expected: float, variance: float, total: float) -> float:
    """Probability that a type makes up more than half of `total` railcars, its count being about normal
    with this mean and variance (continuity-corrected: 'more than half' of 7 is 4 or more)."""
    if total <= 0:
        return 0.0
    need = math.floor(total / 2.0) + 1 - 0.5
    if variance <= 1e-12:
        return 1.0 if expected > need else 0.0
    return 0.5 * math.erfc((need - expected) / math.sqrt(2.0 * variance))


def majority(counts: dict[str, TypeCount], total: int) -> tuple[str, float] | None:
    """(type, probability it is more than half of the railcars) for the most likely majority type among the
    read types ('unknown' never), or None when no type was read or there are no railcars."""
    best: tuple[str, float] | None = None
    for k, tc in counts.items():
        if k == "unknown":
            continue
        p = majority_probability(tc.expected, tc.variance, total)
        if best is None or p > best[1]:
            best = (k, p)
    return best if total > 0 else None
