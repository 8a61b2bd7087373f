"""Realistic synthetic count series for tests and benchmarks: irregular looks, overdispersed yard
occupancy, partial coverage and cloud gaps around a known level curve (flat, step or ramp)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from railwatch.activity.series import COVERAGE_FLOOR, Look, Series, scale

SUMMIT = date(2023, 9, 13)
ONSET = date(2023, 9, 18)
PEAK_DAY = date(2023, 10, 5)
PEAK_CARS = 73.0


def tumangang_level(day: date, base: float = 10.0) -> float:
    """The tumangang-2023 story: ~10 railcars until 2023-09-18, a steady rise to 73 on 2023-10-05,
    then elevated (slowly climbing to ~90 by year end)."""
    if day <= ONSET:
        return base
    if day <= PEAK_DAY:
        return base + (PEAK_CARS - base) * (day - ONSET).days / (PEAK_DAY - ONSET).days
    return PEAK_CARS + 0.2 * (day - PEAK_DAY).days


def look_dates(start: date, end: date, rng: np.random.Generator, cadence_days: float = 7.0,
               jitter_days: int = 2) -> list[date]:
    """Weekly-ish irregular acquisition dates between start and end."""
    out, d = [], start
    while d <= end:
        out.append(d)
        d += timedelta(days=max(1, int(round(cadence_days + rng.integers(-jitter_days, jitter_days + 1)))))
    return out


def observe(level: Callable[[date], float], dates: list[date], rng: np.random.Generator,
            dispersion: float = 20.0, partial_prob: float = 0.2, cloud_prob: float = 0.1,
            detect_sd: float = 0.04, site: str = "synthetic") -> Series:
    """Look at a yard whose mean occupancy follows `level`: the true count is negative-binomial
    (overdispersed Poisson) around the level; a cloud hides the whole look (dropped), a partial look
    sees a random 25-95 % of the tracks; the detector adds a few % counting error."""
    s = Series(site=site, source="synthetic")
    for d in dates:
        if rng.random() < cloud_prob:
            continue
        mu = max(level(d), 0.0)
        true = rng.negative_binomial(dispersion, dispersion / (dispersion + mu)) if mu > 0 else 0
        coverage = float(rng.uniform(0.25, 0.95)) if rng.random() < partial_prob else 1.0
        seen = rng.binomial(true, coverage)
        seen = max(0, int(round(seen * rng.normal(1.0, detect_sd))))
        count, low, high, used = scale(seen, seen, seen, coverage, COVERAGE_FLOOR)
        s.looks.append(Look(d, count, low, high, coverage, float(seen), 1, used))
    return s


def tumangang_2023(seed: int = 0, start: date = date(2023, 6, 1), end: date = date(2023, 12, 15)) -> Series:
    """The tumangang-2023 count series (baseline ~10, rise from 09-18 to ~73 on 10-05), irregular looks."""
    rng = np.random.default_rng(seed)
    base = float(rng.uniform(5, 15))
    dates = look_dates(start, end, rng)
    return observe(lambda d: tumangang_level(d, base), dates, rng, dispersion=40.0, site="tumangang")


def stationary(seed: int, start: date = date(2023, 1, 1), days: int = 240) -> Series:
    """A yard with no change: a level of 5-20 railcars, overdispersed noise, partial looks, gaps."""
    rng = np.random.default_rng(seed)
    level = float(rng.uniform(5, 20))
    dispersion = float(rng.uniform(5, 50))
    dates = look_dates(start, start + timedelta(days=days), rng, cadence_days=float(rng.uniform(4, 10)))
    return observe(lambda d: level, dates, rng, dispersion=dispersion, site="stationary")


def stepped(seed: int, start: date = date(2023, 1, 1), days: int = 240, ramp_days: int = 0,
            delta: float = 30.0) -> tuple[Series, date]:
    """A yard whose level rises by `delta` railcars at a random onset over `ramp_days` days."""
    rng = np.random.default_rng(seed)
    level = float(rng.uniform(5, 20))
    onset = start + timedelta(days=int(rng.integers(days // 3, 2 * days // 3)))

    def curve(d: date) -> float:
        if d <= onset:
            return level
        if ramp_days <= 0:
            return level + delta
        return level + delta * min(1.0, (d - onset).days / ramp_days)

    dates = look_dates(start, start + timedelta(days=days), rng, cadence_days=float(rng.uniform(4, 10)))
    return observe(curve, dates, rng, dispersion=float(rng.uniform(5, 50)), site="stepped"), onset
