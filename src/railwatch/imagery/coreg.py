"""Co-registration: catalog tracks and imagery disagree by up to ~5 m. Find the rigid map shift
(dx, dy) that puts the track centrelines on the rails, from the strips themselves.

Each strip gives a score per across-track offset from its median across-track profile: the
profile of a track (ballast bed, rails, cars) is mirror-symmetric about the centreline and shows
the rail pair at +-0.75 m. A rigid shift shared by all tracks of a site is found by summing the
per-track scores over a grid of (dx, dy): parallel tracks vote together, which is more robust
than shifting each track on its own.

Along parallel tracks that rigid vote is a ridge: rails look the same everywhere, so it fixes only the
across-track part. On sub-metre imagery `along_from_ends` then reads the along part from where the
track ends: rows inside a catalog end that show neither rails nor a car say the track starts later
(or ends earlier) than the catalog by that much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from railwatch.imagery.corridor import Strip

SEARCH_M = 6.0
"""Largest shift searched, metres: catalog geometry is good to about +-5 m."""

RAIL_HALF_GAUGE_M = 0.76
TIE_SCORE = 0.01
"""Scores this close to the best are ties (grid ripple along a ridge of parallel tracks)."""
PIECE_M = 120.0
"""Curved tracks are scored in pieces this long, each with its own normal."""
FINE_STEP_M = 0.6
"""Rails are resolved (and track ends readable from them) at strip steps up to this."""
PARALLEL_MIN = 0.95
"""Tracks count as parallel (the along part unresolved) when the mean resultant of their doubled
tangent angles is at least this."""
FEATURELESS_SAT = 0.05
"""Rows whose mean band spread (0-1) is under this are grey (cloud, fog) ..."""
FEATURELESS_STD = 0.02
"""... and, with an across-track brightness spread under this, featureless: they say nothing about
whether a track runs there."""
SCALE_EVERY_ROWS = 4
"""A track's typical rail contrast and brightness step are read from every this many rows."""
END_MARGIN_ROWS = 4.0
"""The along shift read from the ends must beat none by this many rows of clear evidence (a clear row
scores 0.5), so a stray dark row or a car parked on the end alone does not move every car."""


@dataclass
class Shift:
    """A map shift in the frame CRS (metres) and how sure we are of it (0-1)."""

    dx_m: float
    dy_m: float
    score: float = 0.0
    confidence: float = 0.0

    def across_m(self, strip: Strip) -> float:
        """The mean across-track component of the shift for one strip (positive = left)."""
        return float(np.mean(-self.dx_m * strip.ty + self.dy_m * strip.tx))


def profile(
    strip: Strip, rows: slice | None = None, grey: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean across-track brightness profile over valid pixels, and the fraction of rows seen per column.

    A mean (not a median) keeps the rail pair visible even when most rows hold cars: car roofs are
    flat across and add little to the rail-pair response. `grey`: the band mean of those rows, when
    the caller has it.
    """
    sl = rows or slice(None)
    grey = strip.pixels[:, sl].mean(axis=0) if grey is None else grey
    ok = strip.valid[sl]
    n = ok.sum(axis=0)
    seen = ok.mean(axis=0) if ok.size else np.zeros(strip.across_m.size)
    # Median over the valid rows of each column: a plain median where every row is valid (the usual
    # case, and much faster than a NaN-aware one), NaN-aware only over partly seen columns.
    med = np.full(grey.shape[1], np.nan, dtype=grey.dtype)
    full = ok.all(axis=0) & (n > 0)
    if full.any():
        med[full] = np.median(grey[:, full], axis=0)
    part = ~full & (n > 0)
    if part.any():
        med[part] = np.nanmedian(np.where(ok[:, part], grey[:, part], np.nan), axis=0)
    prof = np.where(n > 0, med, np.nan)
    return prof, seen


def score_curve(prof: np.ndarray, across_m: np.ndarray, step_m: float, offsets_m: np.ndarray) -> np.ndarray:
    """Score (higher = better) that the track centre lies at each across offset: the rail pair at
    +-0.76 m (fine imagery) plus mirror symmetry of the profile (any resolution)."""
    if not np.isfinite(prof).any():
        return np.zeros(offsets_m.size)
    finite = np.isfinite(prof)
    p = prof if finite.all() else np.where(finite, prof, np.nanmedian(prof))
    scale = float(np.median(np.abs(np.diff(p)))) * 4 + float(p.std()) * 0.25 + 1e-4
    p = (p - p.mean()) / scale

    def at(x: np.ndarray) -> np.ndarray:
        return np.interp(x, across_m, p, left=np.nan, right=np.nan)

    half = np.arange(step_m, 2.3 + 1e-9, step_m) if step_m < 2.3 else np.array([step_m])
    o = offsets_m[:, None]
    left, right = at(o + half[None, :]), at(o - half[None, :])
    ok = np.isfinite(left) & np.isfinite(right)
    n = ok.sum(axis=1)
    lz, rz = np.where(ok, left, 0.0), np.where(ok, right, 0.0)
    nn = np.maximum(n, 1)
    lm, rm = lz.sum(axis=1) / nn, rz.sum(axis=1) / nn
    cov = (np.where(ok, (lz - lm[:, None]) * (rz - rm[:, None]), 0.0)).sum(axis=1) / nn
    sym = np.where(n >= 2, cov, -1.0)
    rail = np.zeros(offsets_m.size)
    if step_m <= 0.6:
        r = at(o + np.array([-RAIL_HALF_GAUGE_M, RAIL_HALF_GAUGE_M])[None, :])
        ref = at(o + np.array([0.0, -1.3, 1.3])[None, :])
        good = np.isfinite(r).all(axis=1) & np.isfinite(ref).all(axis=1)
        with np.errstate(invalid="ignore"):
            val = ref.mean(axis=1) - r.mean(axis=1) - 0.5 * np.abs(r[:, 0] - r[:, 1])
        rail = np.where(good, val, 0.0)
    return (0.05 if step_m <= 0.6 else 0.3) * np.tanh(sym / 4.0) + np.tanh(rail / 2.0)


def edge_curve(
    strip: Strip, rows: slice, offsets_m: np.ndarray, grey: np.ndarray | None = None
) -> np.ndarray:
    """Score that the centre lies at each offset from car sides: in rows holding cars the
    across-track brightness gradient peaks at +-1.5 m (car edges against ballast or shadow, whatever
    the paint) and is low on the roof between. Requires both edges, so a one-sided shadow edge or a
    bed edge does not score. `grey`: the band mean of those rows, when the caller has it."""
    grey = strip.pixels[:, rows].mean(axis=0) if grey is None else grey
    ok = strip.valid[rows]
    g = np.abs(np.diff(grey, axis=1)) / strip.step_m
    okg = ok[:, 1:] & ok[:, :-1]
    n = okg.sum(axis=0)
    if not n.any():
        return np.zeros(offsets_m.size)
    gm = np.where(n > 0, (g * okg).sum(axis=0) / np.maximum(n, 1), np.nan)
    mid = 0.5 * (strip.across_m[1:] + strip.across_m[:-1])
    if not np.isfinite(gm).all():
        gm = np.where(np.isfinite(gm), gm, np.nanmedian(gm))
    gm = gm / (np.median(gm) * 4 + 1e-4)
    best = np.full(offsets_m.size, -1.0)
    for half in (1.35, 1.5, 1.65):
        lo = np.interp(offsets_m - half, mid, gm, left=np.nan, right=np.nan)
        hi = np.interp(offsets_m + half, mid, gm, left=np.nan, right=np.nan)
        val = np.tanh(np.minimum(lo, hi) - 0.25)
        best = np.where(np.isfinite(val), np.maximum(best, np.nan_to_num(val, nan=-1.0)), best)
    return best


def _cov(a: np.ndarray, b: np.ndarray) -> float:
    """Covariance of two mirrored half-profiles of a standardised profile: high where the profile
    has structure that is mirror-symmetric, near zero over flat ground."""
    return float(np.mean((a - a.mean()) * (b - b.mean())))


def estimate(
    strips: list[Strip], search_m: float = SEARCH_M, step_m: float = 0.25, *, ends: bool = True
) -> Shift:
    """The rigid (dx, dy) map shift shared by `strips` that best centres them on their tracks.

    `ends`: the strips end where their tracks end (catalog lines), so the part of the shift along
    parallel tracks is read from there (`along_from_ends`); False for lines found in the pixels, which
    end wherever the finding stopped."""
    grid = np.arange(-search_m, search_m + 1e-9, step_m)
    pieces: list[tuple[float, float, np.ndarray, float]] = []
    offsets = np.arange(-search_m * 1.5, search_m * 1.5 + 1e-9, step_m)
    for s in strips:
        grey = s.pixels.mean(axis=0)  # band mean, once per strip (per pixel, so slicing it is exact)
        rows_per = max(1, int(PIECE_M / s.step_m))
        for r0 in range(0, s.n_along, rows_per):
            sl = slice(r0, min(s.n_along, r0 + rows_per))
            if s.valid[sl].mean() < 0.3:
                continue
            prof, seen = profile(s, sl, grey[sl])
            curve = score_curve(prof, s.across_m, s.step_m, offsets)
            if s.step_m <= 1.0:
                curve = curve + edge_curve(s, sl, offsets, grey[sl])
            nx, ny = float(-np.mean(s.ty[sl])), float(np.mean(s.tx[sl]))
            pieces.append((nx, ny, curve, float(s.valid[sl].sum())))
    if not pieces:
        return Shift(0.0, 0.0, 0.0, 0.0)
    dx, dy = np.meshgrid(grid, grid, indexing="ij")
    total = np.zeros_like(dx)
    weights = sum(p[3] for p in pieces)
    for nx, ny, curve, w in pieces:
        o = dx * nx + dy * ny
        total += (w / weights) * np.interp(o, offsets, curve)
    # Prefer the smaller shift among near-ties (catalog geometry is usually close).
    total -= 0.002 * np.hypot(dx, dy)
    total[np.hypot(dx, dy) > search_m] = -np.inf
    i, j = np.unravel_index(int(np.argmax(total)), total.shape)
    best = float(total[i, j])
    # Parallel tracks fix only the across-track part of the shift: along them the score is a ridge
    # whose small ripples are grid noise, so take the smallest shift that scores as well as the best.
    near = np.flatnonzero((total >= best - TIE_SCORE).ravel())
    i, j = np.unravel_index(int(near[np.argmin(np.hypot(dx, dy).ravel()[near])]), total.shape)
    fin = total[np.isfinite(total)]
    spread = float(np.std(fin)) + 1e-6
    conf = float(np.clip((best - float(np.median(fin))) / (4 * spread), 0.0, 1.0))
    shift = Shift(float(grid[i]), float(grid[j]), best, conf)
    return along_from_ends(strips, shift, search_m) if ends else shift


def _row_evidence(
    strip: Strip, rows: np.ndarray, across_m: float, grey: np.ndarray, sample: np.ndarray
) -> np.ndarray:
    """Per row, evidence (0-1) that the track is there: its rail pair darker than the bed beside and
    between the rails, or a car's two sides (across-track brightness steps at +-1.5 m). 0 on bare
    ground past the end of a track; rows outside the image or featureless give NaN (no vote).
    `grey`: the band mean of `rows`; `sample`: the band mean of rows spread over the whole strip, for
    the track's typical rail contrast and brightness steps."""
    off = across_m + np.array([-RAIL_HALF_GAUGE_M, RAIL_HALF_GAUGE_M, 0.0, -1.3, 1.3])
    at = np.stack([np.interp(o, strip.across_m, np.arange(strip.across_m.size)) for o in off])
    idx = np.clip(np.round(at).astype(int), 0, strip.across_m.size - 1)
    rr = grey[:, idx[2:]].mean(axis=1) - grey[:, idx[:2]].mean(axis=1)
    grad = np.abs(np.diff(grey, axis=1))
    mid = 0.5 * (strip.across_m[1:] + strip.across_m[:-1])
    sides = []
    for sign in (-1.0, 1.0):
        near = np.abs(mid - (across_m + sign * 1.5)) <= 0.2 + strip.step_m / 2
        sides.append(grad[:, near].max(axis=1) if near.any() else np.zeros(rows.size))
    car = np.minimum(*sides)
    rr_typ = float(np.percentile(sample[:, idx[2:]].mean(axis=1) - sample[:, idx[:2]].mean(axis=1), 80))
    noise = float(np.median(np.abs(np.diff(sample, axis=1)))) + 1e-4
    if rr_typ <= 2 * noise / 4:
        return np.full(rows.size, np.nan)  # rails not resolved on this track
    ev = np.maximum(np.clip(rr / rr_typ, 0.0, 1.0), np.clip((car / noise - 2.0) / 4.0, 0.0, 1.0))
    ok = (strip.valid[rows].mean(axis=1) > 0.9) & ~_featureless(strip, rows, grey)
    return np.where(ok, ev, np.nan)


def _featureless(strip: Strip, rows: np.ndarray, grey: np.ndarray) -> np.ndarray:
    """Rows that show nothing across the whole corridor: grey and smooth from edge to edge (cloud,
    fog, snow). Bare ground past a track's end has texture and colour; these rows cast no vote.
    `grey`: the band mean of `rows`."""
    px = strip.pixels[:, rows]
    sat = (px.max(axis=0) - px.min(axis=0)).mean(axis=1)
    return (sat < FEATURELESS_SAT) & (grey.std(axis=1) < FEATURELESS_STD)


def along_from_ends(strips: list[Strip], shift: Shift, search_m: float = SEARCH_M) -> Shift:
    """`shift` with its part along parallel tracks read from where the tracks end in the image.

    For a candidate along shift u the track starts at catalog chainage u and ends at length + u: the
    rows within `search_m` of each catalog end are scored +-(evidence - 0.5) for agreeing with that.
    Only for sub-metre strips of (near) parallel tracks; the shift is kept unless the ends say clearly
    otherwise (`END_MARGIN_ROWS`). Where beds and rails run on past both catalog ends, u = 0 wins.
    """
    fine = [s for s in strips if s.step_m <= FINE_STEP_M and s.n_along * s.step_m > 4 * search_m]
    if not fine:
        return shift
    ang = np.concatenate([2 * np.arctan2(s.ty, s.tx) for s in fine])
    res = np.hypot(np.mean(np.cos(ang)), np.mean(np.sin(ang)))
    if res < PARALLEL_MIN:
        return shift
    axis = 0.5 * np.arctan2(np.mean(np.sin(ang)), np.mean(np.cos(ang)))
    ax, ay = float(np.cos(axis)), float(np.sin(axis))
    step = min(s.step_m for s in fine)
    # Whole rows: the shifted strip then moves its rows rather than blending neighbours, which would
    # blur the 2-3-row coupler gaps that split cars at 0.5 m.
    n_cand = int(np.floor(search_m / step + 1e-9))
    cand = np.arange(-n_cand, n_cand + 1) * step
    score = np.zeros(cand.size)
    along0 = shift.dx_m * ax + shift.dy_m * ay
    base_x, base_y = shift.dx_m - along0 * ax, shift.dy_m - along0 * ay  # the across-track part
    for s in fine:
        sample = s.pixels[:, ::SCALE_EVERY_ROWS].mean(axis=0)
        n_end = int(np.ceil(search_m / s.step_m)) + 1
        for rows, at_start in ((np.arange(n_end), True), (np.arange(s.n_along - n_end, s.n_along), False)):
            sign = 1.0 if float(s.tx[rows[0]] * ax + s.ty[rows[0]] * ay) >= 0 else -1.0
            across = float(-base_x * s.ty[rows[0]] + base_y * s.tx[rows[0]])
            ev = _row_evidence(s, rows, across, s.pixels[:, rows].mean(axis=0), sample)
            ok = np.isfinite(ev)
            if not ok.any():
                continue
            c = rows[ok] * s.step_m  # chainage from the strip start
            u = sign * cand[:, None]  # the candidate shift along this strip's direction
            present = c[None, :] >= u if at_start else c[None, :] <= s.length_m - s.step_m + u
            score += np.where(present, ev[ok] - 0.5, 0.5 - ev[ok]).sum(axis=1)
    here = float(np.interp(along0, cand, score))
    best = int(np.argmax(score - 1e-6 * np.abs(cand)))
    if score[best] - max(here, float(score[np.argmin(np.abs(cand))])) < END_MARGIN_ROWS * 0.5:
        return shift
    if abs(float(cand[best])) > search_m - step:
        return shift  # the end lies at or past the search edge: no end was seen, only its absence
    u = float(cand[best])
    return Shift(base_x + u * ax, base_y + u * ay, shift.score, shift.confidence)
