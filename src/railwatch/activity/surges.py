"""Surge alerts: a look well above its trailing baseline by ratio, z-score and absolute size.

All three tests must pass (defaults: ratio >= 1.5, z >= 3, at least 10 more railcars), so an empty
yard gaining 3 cars (huge ratio) or a busy yard gaining 10 on noisy days (small z) does not alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from railwatch.activity.baseline import Baseline
from railwatch.activity.series import Look

MIN_RATIO = 1.5
MIN_Z = 3.0
MIN_DELTA = 10.0


@dataclass
class Surge:
    """One look that stands out above its trailing baseline."""

    date: date
    count: float
    baseline: float
    spread: float
    ratio: float
    zscore: float

    @property
    def delta(self) -> float:
        return self.count - self.baseline

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "count": round(self.count, 2),
            "baseline": round(self.baseline, 2),
            "ratio": round(self.ratio, 3),
            "zscore": round(self.zscore, 2),
            "delta": round(self.delta, 2),
        }


def ratio(count: float, baseline: float) -> float:
    """count / baseline, with the baseline floored at one railcar so an empty yard has a finite ratio."""
    return count / max(baseline, 1.0)


def find(looks: Sequence[Look], baselines: Sequence[Baseline | None], min_ratio: float = MIN_RATIO,
         min_z: float = MIN_Z, min_delta: float = MIN_DELTA) -> list[Surge]:
    """The looks whose count passes all three surge tests against their trailing baseline."""
    out: list[Surge] = []
    for lk, base in zip(looks, baselines, strict=True):
        if base is None:
            continue
        z = (lk.count - base.median) / base.spread
        r = ratio(lk.count, base.median)
        if r >= min_ratio and z >= min_z and lk.count - base.median >= min_delta:
            out.append(Surge(lk.date, lk.count, base.median, base.spread, r, z))
    return out
