"""Cars from their cast shadows along track strips, for sunny sub-metre imagery.

In full sun every wagon casts a dark band beside its long side; coupler gaps break the band, and an
empty track casts none. Where the imagery shows that pattern consistently (one shadow side for the
whole image, found from the pixels), the shadow band beside each track is stronger evidence of cars
than the track's departure from the empty-track colour, which mistakes a neighbour's shadow, or a
patch of odd ballast, for a car. Works on the re-centred 0-1 strips of `count()`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from railwatch.detect import types
from railwatch.detect.estimate import Estimate
from railwatch.detect.runs import runs
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

__all__ = ["MAX_GSD_M", "Sun", "sun", "estimate"]

MAX_GSD_M = 0.6
"""Coarser than this the shadow band and the coupler gaps in it are not resolved."""
DARK_PERCENTILE = 10.0
"""Cast shadows are the darkest tenth of the pixels around a sunny yard's tracks."""
GREEN_EXCESS = 0.02
"""Dark pixels whose green exceeds red and blue by this much (0-1) are vegetation, not shadow."""
CAR_HALF_M = 1.45
"""Half the body width of a freight wagon (2.6-3.1 m wide)."""
BAND_M = (0.5, 1.5)
"""The probed shadow band, metres beyond the wagon's side."""
RAIL_HALF_M = 0.75
"""Half the rail-head centre spacing of standard gauge."""
PROBE_M = 2.5
"""Rails are probed this far either side of a shadow pixel: the wagon side hides them."""
SUNNY_RATIO = 0.6
"""Sunny when the wagon side of the shadows shows at most this fraction of the other side's rails
(real Muttenz, long shadows: 0.49; simulated yards near noon, short shadows: 0.66-0.99)."""
MIN_SHADE_PX = 200
"""Fewer shadow pixels than this over all strips decide nothing."""
MIN_DARK_FRACTION = 0.3
"""A row is shadowed when this fraction of its shadow band is dark."""
SMOOTH_M = 0.75
"""Along-track smoothing of the dark fraction (bridges rail and sleeper texture)."""
WAGON_LENGTH_M = 14.5
"""Median freight wagon length over buffers (real layouts: 9.7-22.1 m, 5-95 %)."""
SPILL_M = 3.0
"""Shadow reaching past the wagon ends (oblique sun), taken off a run before dividing by length."""
MIN_RUN_M = 4.0
"""Shorter shadow runs are masts, signals and posts."""
MIN_CUT_M = 1.5
"""A run at the end of the seen strip may be a wagon cut by the image edge: accepted from this long."""
INTERVAL_FRACTION = 0.15
"""Relative count uncertainty of the shadow path (splits of long runs, shadows hidden by neighbours)."""


class Sun:
    """Which way cast shadows fall (a unit vector in the strips' metric frame) and how dark they are."""

    def __init__(self, direction: np.ndarray, dark: float) -> None:
        self.direction = direction
        self.dark = dark


def _gray(strip: Strip) -> np.ndarray:
    px = strip.pixels
    return px[:3].mean(axis=0) if px.shape[0] >= 3 else px[0]


def _shade(strip: Strip, dark: float) -> np.ndarray:
    """Cast-shadow pixels of a strip: dark, not green, seen."""
    px = strip.pixels
    m = (_gray(strip) < dark) & strip.valid
    if px.shape[0] >= 3:
        m &= px[1] - np.maximum(px[0], px[2]) < GREEN_EXCESS
    return m


def _rail_pairs(strip: Strip) -> np.ndarray:
    """Per pixel, how clearly a rail pair (two dark ridges 1.5 m apart) is centred there."""
    g = ndimage.gaussian_filter1d(_gray(strip), 0.7, axis=1)
    ridge = np.zeros_like(g)
    ridge[:, 1:-1] = np.maximum(g[:, :-2] + g[:, 2:] - 2 * g[:, 1:-1], 0)
    k = max(int(round(RAIL_HALF_M / strip.step_m)), 1)
    out = np.zeros_like(ridge)
    out[:, k:-k] = np.minimum(ridge[:, : -2 * k], ridge[:, 2 * k :])
    return out


def _normals(strip: Strip) -> np.ndarray:
    """Per row, the unit vector of positive across offsets (left of travel) in the frame."""
    return np.stack([-strip.ty, strip.tx], axis=1)


def sun(strips: list[Strip], gsd_m: float) -> Sun | None:
    """The shadow direction and dark level when the strips show consistent cast shadows, else None.

    A cast shadow lies between the wagon casting it, which hides the rails, and open track whose
    rails show: summed over every shadow pixel, the side with clearly fewer rails is the wagon side.
    """
    if gsd_m > MAX_GSD_M or not strips:
        return None
    vals = np.concatenate([_gray(s)[s.valid] for s in strips])
    if vals.size == 0:
        return None
    dark = float(np.percentile(vals, DARK_PERCENTILE))
    vec = np.zeros(2)
    per_strip = []
    for s in strips:
        k = int(round(PROBE_M / s.step_m))
        if s.pixels.shape[2] <= 2 * k + 1:
            per_strip.append(None)
            continue
        shade = _shade(s, dark)[:, k:-k]
        pairs = _rail_pairs(s)
        left, right = pairs[:, 2 * k :], pairs[:, : -2 * k]
        plus = (left * shade).sum(axis=1)  # rails on the + side of shadow pixels, per row
        minus = (right * shade).sum(axis=1)
        per_strip.append((plus, minus, int(shade.sum())))
        vec += ((plus - minus)[:, None] * _normals(s)).sum(axis=0)
    n_shade = sum(p[2] for p in per_strip if p is not None)
    if n_shade < MIN_SHADE_PX or not np.linalg.norm(vec):
        return None
    u = vec / np.linalg.norm(vec)
    wagon_side = shadow_side = 0.0
    for s, p in zip(strips, per_strip, strict=True):
        if p is None:
            continue
        plus, minus, _ = p
        toward = _normals(s) @ u > 0  # rows whose + side is the shadow side
        shadow_side += float(np.where(toward, plus, minus).sum())
        wagon_side += float(np.where(toward, minus, plus).sum())
    if wagon_side > SUNNY_RATIO * shadow_side:
        return None
    return Sun(u, dark)


def estimate(strip: Strip, gsd_m: float, sunlight: Sun, base: Estimate, track: str = "") -> Estimate:
    """Cars on one strip from the shadow band beside it; coverage comes from `base` (the occupancy)."""
    step = strip.step_m
    side = np.where(_normals(strip) @ sunlight.direction > 0, 1.0, -1.0)
    lo, hi = CAR_HALF_M + BAND_M[0], CAR_HALF_M + BAND_M[1]
    cols_pos = np.flatnonzero((strip.across_m >= lo) & (strip.across_m <= hi))
    cols_neg = np.flatnonzero((strip.across_m <= -lo) & (strip.across_m >= -hi))
    shade = _shade(strip, sunlight.dark)
    if cols_pos.size == 0 or cols_neg.size == 0:
        return base
    frac = np.where(side > 0, shade[:, cols_pos].mean(axis=1), shade[:, cols_neg].mean(axis=1))
    frac = ndimage.uniform_filter1d(frac.astype(float), max(int(round(SMOOTH_M / step)), 1))
    seen = strip.valid.any(axis=1)
    cars: list[Car] = []
    for i0, i1 in runs(frac > MIN_DARK_FRACTION):
        length = (i1 - i0) * step
        cut = i0 == 0 or i1 >= len(seen) or not seen[i0 - 1] or not seen[min(i1, len(seen) - 1)]
        if length < (MIN_CUT_M if cut else MIN_RUN_M):
            continue
        n = max(1, int(round((length - SPILL_M) / WAGON_LENGTH_M)))
        edges = np.linspace(i0, i1, n + 1).round().astype(int)
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            f = types.features(strip, int(a), int(b))
            kind, conf = types.classify(f, fine=True)
            cars.append(
                Car(
                    track=track,
                    start_m=strip.start_m + a * step,
                    end_m=strip.start_m + b * step,
                    type=kind,
                    color=types.hex_colour(f.rgb),
                    confidence=round(conf * float(np.clip(frac[a:b].mean() / 0.6, 0.5, 1.0)), 3),
                )
            )
    n = len(cars)
    margin = int(math.ceil(INTERVAL_FRACTION * n))
    return Estimate(cars, max(0, n - margin), n + margin, base.occupancy)
