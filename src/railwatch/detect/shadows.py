"""Wagons from their shadows: on sunny sub-metre imagery every wagon casts a dark band beside itself.

Along each track centreline, the band one half wagon width off the centre on the shadow side is
dark wherever a wagon stands and light over empty ballast; coupler gaps break the shadow. Runs of
shadow become wagons (long runs split by the typical wagon length); long stretches where the rail
pair vanishes without a shadow (low, shadowless wagons) count too. The shadow side is measured
from the image. Works in pixel (col, row) space; a comparison for the engine's occupancy model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from shapely.geometry import LineString, Polygon, box

__all__ = ["Wagon", "detect"]

WAGON_LENGTH_M = 14.5
HALF_WIDTH_M = 1.45
MIN_DARK_FRACTION = 0.3
BAND_M = (0.5, 1.5)
"""Shadow band, metres beyond the wagon side."""
DARK_PERCENTILE = 10.0
"""Shadow = darker than this percentile of the image (shadows are the darkest tenth of a sunny yard)."""
USE_RAILS = True
"""Also take long stretches of hidden rails (wagons with no visible shadow) as occupied."""
RAIL_GONE = 0.2
"""Rails count as hidden where their ridge falls below this fraction of the image's typical track."""
SPILL_M = 3.0
"""Shadow reaching past the wagon ends (oblique sun), taken off a run before dividing by wagon length."""
DEDUPE_M = 2.0
"""Two finds closer than this (from neighbouring lines) are one wagon."""
BODY_MIN_M = 8.0
"""A shadowless wagon must hide the rails over at least this length."""


@dataclass
class Wagon:
    """A wagon found from its shadow: track index, start/end along the line (m), footprint in pixels."""

    track: int
    start_m: float
    end_m: float
    footprint: Polygon
    shadow: float


def _strip(gray: np.ndarray, line: LineString, offsets_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample `gray` along `line` every pixel, at each perpendicular offset; returns (strip, points)."""
    n = max(int(line.length), 2)
    t = np.linspace(0, line.length, n)
    pts = np.array([line.interpolate(d).coords[0] for d in t])
    tang = np.gradient(pts, axis=0)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True) + 1e-12
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    xs = pts[None, :, 0] + offsets_px[:, None] * normal[None, :, 0]
    ys = pts[None, :, 1] + offsets_px[:, None] * normal[None, :, 1]
    vals = ndi.map_coordinates(gray, [ys, xs], order=1, mode="constant", cval=np.nan)
    return vals, np.concatenate([pts, normal], axis=1)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    m = np.r_[False, mask, False].astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def detect(
    image: np.ndarray, lines: list[LineString], gsd_m: float, dark: float | None = None
) -> list[Wagon]:
    """Wagons on each of `lines` (pixel coordinates) of a (bands, H, W) 0-1 image, from their shadows."""
    gray = np.asarray(image, np.float32)
    gray = gray[:3].mean(axis=0) if gray.ndim == 3 else gray
    if dark is None:
        dark = float(np.percentile(gray, DARK_PERCENTILE))
    hw = HALF_WIDTH_M / gsd_m
    band = np.arange(hw + BAND_M[0] / gsd_m, hw + BAND_M[1] / gsd_m + 1e-9, 1.0)
    strips = []
    side_votes = np.zeros(2)
    for ln in lines:
        if ln.length < 2:
            strips.append(None)
            continue
        both = np.r_[-band[::-1], band]
        vals, geo = _strip(gray, ln, both)
        strips.append((vals, geo))
        side_votes += [np.nanmean(vals[: len(band)] < dark), np.nanmean(vals[len(band) :] < dark)]
    sign = -1 if side_votes[0] > side_votes[1] else 1
    # rails hidden under a wagon: the rail-pair ridge along the centre vanishes
    hr = 0.75 / gsd_m
    rails, rails_ok = [], []
    for ln in lines:
        if ln.length < 2:
            rails.append(np.zeros(0))
            rails_ok.append(np.zeros(0, bool))
            continue
        v, _ = _strip(gray, ln, np.array([-hr - 1, -hr, -hr + 1, hr - 1, hr, hr + 1]))
        left = v[1] - 0.5 * (v[0] + v[2])
        right = v[4] - 0.5 * (v[3] + v[5])
        r = np.minimum(np.abs(np.nan_to_num(left)), np.abs(np.nan_to_num(right)))
        rails.append(ndi.uniform_filter1d(r, size=max(int(3.0 / gsd_m), 1)))
        rails_ok.append(np.isfinite(v).all(axis=0))
    allr = np.concatenate([r for r in rails if r.size]) if rails else np.zeros(1)
    rail_ref = float(np.median(allr)) if allr.size else 0.0
    min_len = 4.0 / gsd_m
    min_cut = 1.5 / gsd_m
    frame = box(0, 0, gray.shape[1], gray.shape[0])
    out: list[Wagon] = []
    for k, item in enumerate(strips):
        if item is None:
            continue
        vals, geo = item
        sh = vals[: len(band)] if sign < 0 else vals[len(band) :]
        frac = np.nanmean(sh < dark, axis=0)
        frac = ndi.uniform_filter1d(np.nan_to_num(frac), size=max(int(0.75 / gsd_m), 1))
        occ = frac > MIN_DARK_FRACTION
        if USE_RAILS:
            # a long stretch with the rails gone and no shadow is a wagon without a visible shadow
            gone = rails_ok[k] & (rails[k] < RAIL_GONE * rail_ref) & ~occ
            for i0, i1 in _runs(gone):
                if i1 - i0 >= BODY_MIN_M / gsd_m:
                    occ[i0:i1] = True
        for i0, i1 in _runs(occ):
            # a wagon cut by the image edge shows only a stub: accept it shorter
            at_edge = (
                min(_edge_dist(geo[i0, :2], gray.shape), _edge_dist(geo[i1 - 1, :2], gray.shape)) < min_cut
            )
            if i1 - i0 < (min_cut if at_edge else min_len):
                continue
            length_m = (i1 - i0) * ln_step(lines[k], vals.shape[1]) * gsd_m
            n = max(1, int(round((length_m - SPILL_M) / WAGON_LENGTH_M)))
            edges = np.linspace(i0, i1, n + 1)
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                w = _wagon(k, a, b, geo, gsd_m, hw, float(frac[int(a) : int(b)].mean()))
                w.footprint = w.footprint.intersection(frame)
                if w.footprint.area > 0:
                    out.append(w)
    return _dedupe(out, DEDUPE_M / gsd_m)


def _edge_dist(p: np.ndarray, shape: tuple[int, ...]) -> float:
    """Pixels from a point to the nearest image edge."""
    return float(min(p[0], p[1], shape[1] - p[0], shape[0] - p[1]))


def ln_step(line: LineString, n: int) -> float:
    """Pixels between consecutive samples of a line sampled at `n` points."""
    return line.length / max(n - 1, 1)


def _wagon(k: int, a: float, b: float, geo: np.ndarray, gsd_m: float, hw: float, score: float) -> Wagon:
    ia, ib = int(a), min(int(b), len(geo) - 1)
    pa, pb = geo[ia, :2], geo[ib, :2]
    nrm = geo[(ia + ib) // 2, 2:]
    poly = Polygon([pa + hw * nrm, pb + hw * nrm, pb - hw * nrm, pa - hw * nrm])
    return Wagon(k, a * gsd_m, b * gsd_m, poly, score)


def _dedupe(wagons: list[Wagon], radius_px: float) -> list[Wagon]:
    """Drop a wagon whose centre lies within `radius_px` of a stronger one (found from two lines)."""
    keep: list[Wagon] = []
    for w in sorted(wagons, key=lambda w: -w.shadow):
        c = w.footprint.centroid
        if all(c.distance(k.footprint.centroid) > radius_px for k in keep):
            keep.append(w)
    return keep
