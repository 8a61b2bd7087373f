"""Count at coarse GSD (> 0.6 m), where coupler gaps are not resolved: occupied length / typical car
length, with a low-high interval from the spread of car lengths, the unknown fleet mix and the blur
at run ends.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from railwatch.detect import types
from railwatch.detect.estimate import Estimate
from railwatch.detect.occupancy import Occupancy
from railwatch.detect.runs import runs, touches_unseen
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

FRAGMENT_M = 8.5
"""Shorter runs are not a car (the shortest railcars are ~9.7 m over couplers), unless cut off
by the unseen part of the track."""
Z90 = 1.8
"""Two-sided z for the count interval (a bit above 1.645 to hold truth >= 90 % of the time)."""
MIX_CV = 0.07
"""Relative uncertainty of the mean car length of an unknown fleet mix."""


def estimate(
    strip: Strip, occ: Occupancy, track: str, gsd: float, ballast: np.ndarray
) -> Estimate:
    """Cars spread evenly over each occupied run, and a low-high count interval for the track."""

    step = strip.step_m
    hole = max(1, int(round(max(3.0, 1.5 * gsd) / step)))
    occupied = ndimage.binary_closing(occ.occupied, np.ones(hole + 1, bool)) & occ.seen | occ.occupied
    min_len = max(FRAGMENT_M, 1.5 * gsd)
    cars: list[Car] = []
    mean_n = 0.0
    var_n = 0.0
    mu = types.TYPICAL_M
    sd = types.SPREAD_M
    gap = 1.1
    for i0, i1 in runs(occupied):
        length = (i1 - i0) * step
        if length < min_len and not touches_unseen(occ, i0, i1):
            continue
        n_r = (length + gap) / (mu + gap)  # a run holds n bodies and n - 1 coupler gaps
        k = max(1, int(round(n_r)))
        mean_n += n_r
        var_n += n_r * (sd / mu) ** 2 + (1.2 * gsd / mu) ** 2
        edges = np.linspace(i0, i1, k + 1)
        f = types.features(strip, i0, i1, ballast)
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            cars.append(
                Car(
                    track=track,
                    start_m=strip.start_m + a * step,
                    end_m=strip.start_m + b * step,
                    type="unknown",
                    color=types.hex_colour(f.rgb),
                    confidence=0.3,
                )
            )
    var_n += (MIX_CV * mean_n) ** 2
    half = Z90 * math.sqrt(var_n)
    n = len(cars)
    n_runs = len(runs(occupied))
    low = max(min(n, n_runs), int(math.floor(mean_n - half)))
    high = max(n, int(math.ceil(mean_n + half)))
    low = min(low, n)
    return Estimate(cars, low, high, occ)
