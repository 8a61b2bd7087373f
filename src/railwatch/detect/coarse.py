"""Count at coarse GSD (> 0.6 m), where coupler gaps are not resolved: occupied length / typical car
length, with a low-high interval from the spread of car lengths, the unknown fleet mix and the blur
at run ends.

The occupied rows are read again here from `occ.departure`: at 1-3 m a car's edge, its own shadow past
its end and a neighbour's shadow on the track all depart a little from the empty bed, so a run must
hold a clear core, and its ends are cut where the departure falls below half its own level.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from railwatch.detect import types
from railwatch.detect.estimate import Estimate, Side, Spread
from railwatch.detect.occupancy import Occupancy
from railwatch.detect.runs import runs, touches_unseen
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

FRAGMENT_M = 8.5
"""Shorter runs are not a car (the shortest railcars are ~9.7 m over couplers), unless cut off
by the unseen part of the track."""
Z90 = 1.8
"""Two-sided z for the count interval (a bit above 1.645 to hold truth >= 90 % of the time)."""
COUPLER_M = 1.1
"""Mean coupler gap between two cars of a consist (0.8-1.5 m)."""
READ_CV = {1.0: 0.04, 3.0: 0.12}
"""Relative error of reading the occupied length from the pixels (by GSD in metres): shadows, stains
and ballast changes read as cars, low-contrast cars missed."""
CONSIST_M = 100.0
"""Length over which occupancy goes together (a consist): sets how uncertain a hidden stretch is."""
HIDDEN_MIN_VAR = 0.1
"""Least variance of the occupied share of a hidden stretch (a track seen all empty or all full)."""
MIX_CV = 0.07
"""Relative uncertainty of the mean car length of an unknown fleet mix."""
READ_SHARED = 0.5
"""Share of the read error's variance that all tracks of a scene have in common (the imagery's sun,
shadow length and contrast bias every track alike); the rest is each track's own."""
CAR_BAND_M = 1.3
"""Across-track half width of the band a car body covers for sure (as `occupancy.CAR_HALF_M`)."""
SIDE_GAP_M = 0.3
"""Half width of the middle of the car band left out when its two halves are compared."""
SIDE_FRACTION = 0.5
"""A half of the car band departs when its departure passes this share of the occupancy threshold."""
EMPTY_MIN_M = 20.0
"""Least empty, seen track needed to take its across-track profile as the empty template."""
ONE_SIDED_M = 5.0
"""Shortest stretch departing on one half of the car band only that is taken for a neighbour's shadow."""
CORE_LEVEL = {1.0: 0.05, 3.0: 0.04}
"""A run counts only if somewhere its departure reaches this level (by GSD in metres, interpolated), or
the occupancy threshold where that is higher: a neighbour's shadow or a faint stain lifts the
departure of an empty bed to 0.025-0.045 at most, a car well above; at 3 m a car fills its pixels
only in part and stands out less. A track whose threshold is already above this (a noisy bed) needs
no more than its threshold."""
EDGE_FRACTION = 0.5
"""A run end is where the departure falls below this fraction of the way from the threshold to the
level of the run's end car (the half-maximum edge of a blurred step)."""
END_LEVEL_M = 10.0
"""Length of run, just inside the stretch that may be cut, over which the end car's level is taken."""
MAX_TRIM_M = 8.0
"""Most that is cut from one run end (blur of one pixel plus a car's shadow at low sun)."""


def by_gsd(table: dict[float, float], gsd_m: float) -> float:
    """A per-GSD constant at this GSD (linear in log GSD between the tabulated ones, constant outside)."""
    g = sorted(table)
    return float(np.interp(math.log(gsd_m), [math.log(x) for x in g], [table[x] for x in g]))


def both_sides(strip: Strip, occ: Occupancy) -> np.ndarray | None:
    """Rows where both halves of the car band depart from the empty track: a car covers the band
    across, a neighbour's car shadow falls on the half facing it only. None when the pixels are too
    coarse to have two halves, or the track shows too little empty bed to compare with."""
    a = strip.across_m
    left = (a > SIDE_GAP_M) & (a <= CAR_BAND_M)
    right = (a < -SIDE_GAP_M) & (a >= -CAR_BAND_M)
    empty = occ.seen & ~occ.occupied
    if not left.any() or not right.any() or empty.sum() * strip.step_m < EMPTY_MIN_M:
        return None
    template = np.median(strip.pixels[:, empty, :], axis=1)  # bands x columns

    def side(cols: np.ndarray) -> np.ndarray:
        d = strip.pixels[:, :, cols] - template[:, None, cols]
        return np.sqrt((d**2).mean(axis=(0, 2)))

    return np.minimum(side(left), side(right)) > SIDE_FRACTION * occ.threshold


def occupied_rows(
    occ: Occupancy, step_m: float, gsd_m: float, sides: np.ndarray | None = None
) -> np.ndarray:
    """Occupied rows for a length-based count: rows departing on both sides only (when `sides` is
    given), small holes closed, runs without a clear core dropped, run ends cut at the half-level edge."""
    return _read_rows(occ, step_m, gsd_m, sides)[0]


def _read_rows(
    occ: Occupancy, step_m: float, gsd_m: float, sides: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """`occupied_rows`, and the rows of runs dropped for want of a clear core (faint cars, perhaps)."""
    hole = max(1, int(round(max(3.0, 1.5 * gsd_m) / step_m)))
    base = occ.occupied
    if sides is not None:
        # Only stretches one-sided for several metres are a neighbour's shadow; a car's paint or
        # roof makes short one-sided patches.
        span = max(2, int(round(ONE_SIDED_M / step_m)))
        base = occ.occupied & ~ndimage.binary_opening(occ.occupied & ~sides, np.ones(span, bool))
    occupied = ndimage.binary_closing(base, np.ones(hole + 1, bool)) & occ.seen | base
    dep = occ.departure
    thr = occ.threshold
    core = max(thr, by_gsd(CORE_LEVEL, gsd_m))
    out = np.zeros_like(occupied)
    weak = np.zeros_like(occupied)
    n_end = max(1, int(round(END_LEVEL_M / step_m)))
    max_trim = int(round(MAX_TRIM_M / step_m))
    for i0, i1 in runs(occupied):
        if dep[i0:i1].max() < core:
            weak[i0:i1] = True
            continue
        a, b = i0, i1
        lvl_a, lvl_b = _end_levels(dep, i0, i1, n_end, max_trim)
        cut_a = thr + EDGE_FRACTION * (lvl_a - thr)
        while a < b - 1 and a - i0 < max_trim and dep[a] < cut_a:
            a += 1
        cut_b = thr + EDGE_FRACTION * (lvl_b - thr)
        while b > a + 1 and i1 - b < max_trim and dep[b - 1] < cut_b:
            b -= 1
        out[a:b] = True
    return out, weak


def _end_levels(dep: np.ndarray, i0: int, i1: int, n_end: int, max_trim: int) -> tuple[float, float]:
    """Departure level of the end cars of run [i0, i1), taken just inside the stretch that may be cut
    (where a shadow past the end cannot reach); the whole run's median for a short run."""
    if i1 - i0 < 2 * max_trim + n_end:
        lvl = float(np.median(dep[i0:i1]))
        return lvl, lvl
    return (
        float(np.median(dep[i0 + max_trim : i0 + max_trim + n_end])),
        float(np.median(dep[i1 - max_trim - n_end : i1 - max_trim])),
    )


def estimate(
    strip: Strip, occ: Occupancy, track: str, gsd: float, ballast: np.ndarray
) -> Estimate:
    """Cars spread evenly over each occupied run, and a low-high count interval for the track."""

    step = strip.step_m
    occupied, weak = _read_rows(occ, step, gsd, both_sides(strip, occ))
    min_len = max(FRAGMENT_M, 1.5 * gsd)
    cars: list[Car] = []
    mean_n = 0.0
    var_len = 0.0
    mu = types.TYPICAL_M
    sd = types.SPREAD_M
    n_runs = lift = 0
    for i0, i1 in runs(occupied):
        length = (i1 - i0) * step
        if length < min_len and not touches_unseen(occ, i0, i1):
            continue
        n_runs += 1
        n_r = (length + COUPLER_M) / (mu + COUPLER_M)  # a run holds n bodies and n - 1 coupler gaps
        k = max(1, int(round(n_r)))
        lift += k - int(round(n_r))
        mean_n += n_r
        var_len += n_r * (sd / mu) ** 2 + (1.2 * gsd / mu) ** 2
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
    n = len(cars)
    read_cv = by_gsd(READ_CV, gsd)
    half = Z90 * math.sqrt(var_len + ((MIX_CV**2 + read_cv**2) * mean_n**2))
    hidden_n, hidden_sd = hidden_cars(occ, occupied, step)
    # Every counted run is at least one car: it has a clear core and a car's length.
    low = min(n, max(n_runs, int(math.floor(mean_n - half))))
    weak_n = sum(
        (i1 - i0) * step / (mu + COUPLER_M) for i0, i1 in runs(weak) if (i1 - i0) * step >= min_len
    )
    high = max(n, int(math.ceil(mean_n + half + hidden_n + Z90 * hidden_sd + weak_n)))
    spread = coarse_spread(n, mean_n, var_len, read_cv, hidden_sd, hidden_n + weak_n, lift)
    return Estimate(cars, low, high, occ, spread)


def coarse_spread(
    n: int, mean_n: float, var_len: float, read_cv: float, hidden_sd: float, extra_n: float, lift: int = 0
) -> Spread:
    """How a length-based count's interval splits over a scene: the lengths of this track's cars, its
    run-end blur, its own read noise and an unseen stretch are independent; the fleet mix and the
    read bias of the imagery are shared; `extra_n` (expected hidden cars, faint runs) only adds above.
    The counted cars `n` (whole cars per run) differ from the length-based mean `mean_n` by a fixed
    offset: rounding, which shifts both sides, and `lift`, the runs shorter than half a typical car
    counted as one, which widens the low side only (on short track pieces, as discovered tracks are,
    the whole car is nearer the truth than the length)."""
    own = Z90 * math.sqrt(var_len + (1.0 - READ_SHARED) * (read_cv * mean_n) ** 2)
    common = Z90 * math.sqrt(MIX_CV**2 + READ_SHARED * read_cv**2) * mean_n
    return Spread(
        down=Side(own, common, n - mean_n),
        up=Side(math.hypot(own, Z90 * hidden_sd), common, mean_n + lift - n + extra_n),
    )


def hidden_cars(occ: Occupancy, occupied: np.ndarray, step_m: float) -> tuple[float, float]:
    """Expected cars, and their standard deviation, under cloud shadow: in the image but not read.

    The seen part of the track gives the occupied share; consists are long, so a stretch of
    `CONSIST_M` is full or empty as a whole."""
    hidden_m = float((occ.shadow & ~occ.cloud & ~occ.seen).sum()) * step_m
    if hidden_m <= 0:
        return 0.0, 0.0
    n_seen = int(occ.seen.sum())
    share = float((occupied & occ.seen).sum()) / n_seen if n_seen else 0.5
    pitch = types.TYPICAL_M + COUPLER_M
    sd_share = math.sqrt(max(share * (1 - share), HIDDEN_MIN_VAR)) * min(1.0, math.sqrt(CONSIST_M / hidden_m))
    return share * hidden_m / pitch, sd_share * hidden_m / pitch
