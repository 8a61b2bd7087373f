"""Robust baselines: median and scaled MAD of the looks in a trailing window of days.

The spread is 1.4826 x MAD (a normal sigma for clean data), floored by the Poisson noise of a count
(sqrt(median)) and by one railcar, so a flat series still has a sane spread and a single extra car
on an empty yard is not a 10-sigma event.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from railwatch.activity.series import Look

WINDOW_DAYS = 60
MIN_LOOKS = 4
MAD_TO_SIGMA = 1.4826
MIN_SPREAD = 1.0


@dataclass
class Baseline:
    """Median level and spread of the looks between `start` and `end` (inclusive)."""

    median: float
    mad: float
    spread: float
    looks: int
    start: date
    end: date

    def to_dict(self) -> dict:
        return {
            "median": round(self.median, 2),
            "mad": round(self.mad, 2),
            "spread": round(self.spread, 2),
            "looks": self.looks,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def robust(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, MAD, spread) of counts; spread = max(1.4826 MAD, sqrt(median), 1)."""
    x = np.asarray(values, dtype=float)
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med)))
    spread = max(MAD_TO_SIGMA * mad, math.sqrt(max(med, 0.0)), MIN_SPREAD)
    return med, mad, spread


def of(looks: Sequence[Look]) -> Baseline:
    """The baseline of a set of looks (all of them, no window)."""
    if not looks:
        raise ValueError("no looks to take a baseline of")
    med, mad, spread = robust([lk.count for lk in looks])
    return Baseline(med, mad, spread, len(looks), looks[0].date, looks[-1].date)


def trailing(looks: Sequence[Look], window_days: int = WINDOW_DAYS,
             min_looks: int = MIN_LOOKS) -> list[Baseline | None]:
    """For each look, the baseline of the earlier looks within `window_days` before it (the look
    itself excluded), or None when fewer than `min_looks` such looks exist."""
    out: list[Baseline | None] = []
    for i, lk in enumerate(looks):
        since = lk.date - timedelta(days=window_days)
        prior = [p for p in looks[:i] if p.date >= since and p.date < lk.date]
        out.append(of(prior) if len(prior) >= min_looks else None)
    return out
