"""Car shadows cast onto the neighbouring track: cross-track reasoning between parallel tracks.

In a yard the tracks lie about 5 m apart. Under a low sun a 4 m high car throws a shadow 4-9 m long;
across the tracks it reaches the car band of the next track, and with light passing through the
coupler gaps it looks like a string of cars there. Such rows are explained without a car: the track's
own empty bed, darkened on the side that faces a neighbour with an occupied row beside it. Rows that
fit that model are not occupied. A lit car on the track does not fit it (its roof hides the rails and
is not a darkened copy of the bed), so real cars beside other cars are kept.

When the sun's position is known, a lower sun may shade the whole band: rows where a sun-side
neighbour's car can throw its shadow past the band's far edge (`whole_band_shaded`) are also explained
by the bed dimmed all across, and where most of the track's empty bed lies in such shade, by the lit
bed between the neighbour's trains. A car on the track stands above that shadow and keeps its roof lit.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from railwatch.detect.occupancy import Occupancy, centre_columns, features
from railwatch.imagery import sun as sun_geometry
from railwatch.imagery.corridor import Strip

MIN_COLUMNS = 5
"""Fewest pixels across the car band that tell a bed darkened on one side from a car (<= 0.6 m GSD);
coarser imagery is left as it was."""
NEIGHBOUR_M = (3.5, 8.5)
"""Centre distance of a neighbouring track whose car shadows can reach this track's car band: closer
tracks share cars (`detect.shared`), farther ones are beyond any shadow of a 4 m car above 25 deg sun."""
PARALLEL_COS = 0.95
"""Tracks whose directions differ by less than ~18 deg are neighbours (a diverging track is not)."""
SHADOW_REACH_M = 8.0
"""Along-track slack between a neighbour's occupied rows and the shadow they cast (oblique sun)."""
DARK_MAX = 0.85
"""The shadowed part of the band keeps at most this share of the lit bed's brightness (per band)."""
DARK_MIN = 0.1
"""Shadowed ground keeps at least this share of the lit bed's brightness (skylight)."""
EDGE_BLUR_M = (0.5, 1.0, 2.0)
"""Widths of the shadow's edge across the band tried (penumbra plus the image's blur)."""
FAR_LIT = 0.95
"""The band's far edge (away from the neighbour) must be fully lit bed: a car covers the whole band."""
EXPLAINED_SHARE = 0.5
"""The shadow model must also take away at least half the row's departure from the lit bed: a row
barely above the floor (a coupler gap, a bed-coloured flat car) is not a shadow for a small gain."""
FIT_SLACK = 1.25
"""A row is explained when the darkened-bed model fits it within this multiple of the empty-row floor."""
TALLEST_CAR_HEIGHT_M = 4.7
"""Tallest common freight wagon above the rail head (RU covered wagon 11-276 and tank 15-1547 about
4.7 m, gondola 12-132 3.5 m, double-stacked containers excluded): the longest shadow a car can throw."""
CAR_HALF_WIDTH_M = 1.6
"""Half the width of a wagon body (RU wagons 3.1-3.25 m wide): a neighbour's shadow starts at its side."""
FULL_DARK_MAX = 0.6
"""A neighbour's shadow that covers the whole car band dims the bed all across to at most this share
of its lit brightness; a lit car's roof fitted by a dimmed copy of the bed needs 0.7 or more."""
WHOLE_FIT_SLACK = 0.75
"""A band shaded all across is the bed scaled per band, nothing to place: it must fit within this multiple
of the empty-row floor (empty rows fit at 0.2-0.45 of it), stricter than `FIT_SLACK`, as dark cars
also fit a dimmed bed loosely (the yard's dark wagons fit at 1-2 times the floor)."""
SHADED_TEMPLATE_SHARE = 0.5
"""When at least this share of a track's empty rows lies beside a busy sun-side neighbour that can shade
the whole band, its empty-bed template is the shaded bed, and rows of lit bed (brighter by
1 / `FULL_DARK_MAX` or more, same pattern) read as occupied: those are explained too."""


TREE_CACHE_SIZE = 64
"""Centreline trees kept (one per strip): every track is the neighbour of each other track in a count."""
_trees: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, cKDTree]] = {}


def _centreline_tree(strip: Strip) -> cKDTree:
    """A k-d tree of the strip's row centre points, built once per strip (keyed by its coordinate arrays,
    which the entry holds, so a key cannot be reused while it is cached)."""
    key = (id(strip.x0), id(strip.y0))
    hit = _trees.get(key)
    if hit is not None and hit[0] is strip.x0 and hit[1] is strip.y0:
        return hit[2]
    tree = cKDTree(np.column_stack([strip.x0, strip.y0]))
    if len(_trees) >= TREE_CACHE_SIZE:
        _trees.pop(next(iter(_trees)))
    _trees[key] = (strip.x0, strip.y0, tree)
    return tree


def _within_reach(strip: Strip, other: Strip) -> bool:
    """Whether the two centrelines' bounding boxes come within the farthest neighbour distance."""
    gap_x = max(float(other.x0.min()) - float(strip.x0.max()), float(strip.x0.min()) - float(other.x0.max()))
    gap_y = max(float(other.y0.min()) - float(strip.y0.max()), float(strip.y0.min()) - float(other.y0.max()))
    return not max(gap_x, gap_y) > NEIGHBOUR_M[1]  # not-greater: undefined coordinates are not skipped


REACH_BOUND_M = NEIGHBOUR_M[1] * (1.0 + 1e-9)
"""The nearest-row search looks no farther than the farthest neighbour (a hair beyond: the tree's own
cut-off is strict), so it prunes early beside a track out of reach."""


def neighbours(strip: Strip, other: Strip, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `strip`: the nearest row of `other` (-1 when not a parallel neighbour 3.5-8.5 m away)
    and the neighbour's signed across offset (positive: to the left of `strip`). Only the `rows` mask
    is looked up when given (the others are -1): each row's answer is its own, so this is for speed."""
    n = strip.n_along
    idx = np.full(n, -1, dtype=np.int64)
    off = np.zeros(n)
    same_crs = strip.crs is other.crs or strip.crs == other.crs
    if other.n_along == 0 or n == 0 or not same_crs or not _within_reach(strip, other):
        return idx, off
    pick = np.arange(n) if rows is None else np.flatnonzero(rows)
    x0, y0, tx, ty = strip.x0[pick], strip.y0[pick], strip.tx[pick], strip.ty[pick]
    # rows with no row of `other` within reach come back at inf (index n_along, clipped: never kept)
    dist, j = _centreline_tree(other).query(np.column_stack([x0, y0]), distance_upper_bound=REACH_BOUND_M)
    j = np.minimum(np.asarray(j, dtype=np.int64), other.n_along - 1)
    dx, dy = other.x0[j] - x0, other.y0[j] - y0
    side = -dx * ty + dy * tx
    cos = np.abs(tx * other.tx[j] + ty * other.ty[j])
    ok = (dist >= NEIGHBOUR_M[0]) & (dist <= NEIGHBOUR_M[1]) & (cos >= PARALLEL_COS)
    idx[pick[ok]] = j[ok]
    off[pick[ok]] = side[ok]
    return idx, off


def empty_template(strip: Strip, occ: Occupancy) -> np.ndarray | None:
    """The track's lit empty bed over the car band (a feature vector): median of its seen, unoccupied rows."""
    f, _ = features(strip)
    rows = occ.seen & ~occ.occupied
    if rows.sum() * strip.step_m < 15.0:
        return None
    return np.median(f[rows], axis=0)


EDGE_MODELS_KEPT = 16
"""Across grids (signed per side) whose edge models are kept: a count has a few strip resolutions."""
_edge_models: dict[tuple[str, bytes], np.ndarray] = {}


def edge_models(across_m: np.ndarray) -> np.ndarray:
    """The distinct lit shares (models x columns) of 'lit up to a soft edge' over a band whose across
    offsets, signed towards the shadow side, are `across_m`: every edge position (0.25 m steps) and
    width in EDGE_BLUR_M that keeps the far edge lit. Duplicates (an edge past the band: all lit) are
    fitted once. Worked out once per across grid (read-only; each fit on every track asks again)."""
    key = (across_m.dtype.str, np.ascontiguousarray(across_m).tobytes())
    hit = _edge_models.get(key)
    if hit is None:
        hit = _edge_models_of(across_m)
        hit.flags.writeable = False
        if len(_edge_models) >= EDGE_MODELS_KEPT:
            _edge_models.pop(next(iter(_edge_models)), None)
        _edge_models[key] = hit
    return hit


def _edge_models_of(across_m: np.ndarray) -> np.ndarray:
    """`edge_models` worked out."""
    lo, hi = float(across_m.min()), float(across_m.max())
    far = int(np.argmin(across_m))
    out: list[np.ndarray] = []
    seen: set[bytes] = set()
    for w in EDGE_BLUR_M:
        for e in np.arange(lo + 0.25, hi + w / 2 + 1e-9, 0.25):
            lit = np.clip(0.5 - (across_m - e) / w, 0.0, 1.0)
            if lit[far] < FAR_LIT or lit.tobytes() in seen:
                continue
            seen.add(lit.tobytes())
            out.append(lit)
    return np.array(out).reshape(len(out), across_m.size)


def darkened_bed_misfit(
    strip: Strip, template: np.ndarray, side: int, rows: np.ndarray | None = None
) -> np.ndarray:
    """Per row, RMS misfit of the best model 'empty bed, darkened beyond a soft across edge on `side`'
    (+1: the left, -1: the right) over the car-band features; one darkening factor for all bands. The
    band's far edge stays lit: a band dark all across is left to occupancy's shadow rule. Only the
    `rows` mask is fitted when given (the others are inf): the fit is row by row, so this is for speed.
    All edge models are fitted at once: the fit and its squared misfit expand into dot products of each
    row with every model's lit and darkened parts (two matrix products), not a rows x models x features
    array (equal to the direct sum of squares up to float rounding, ~1e-15 of the row's energy)."""
    f, _ = features(strip)
    cols = centre_columns(strip)
    nb = strip.pixels.shape[0]
    pick = np.arange(strip.n_along) if rows is None else np.flatnonzero(rows)
    out = np.full(strip.n_along, np.inf)
    lits = edge_models(strip.across_m[cols] * side)
    if not pick.size or not lits.shape[0]:
        return out
    x = f[pick].astype(np.float64)  # rows x features
    t = template.reshape(1, nb, cols.size)
    base = (t * lits[:, None, :]).reshape(lits.shape[0], -1)  # models x features
    dark = (t * (1.0 - lits)[:, None, :]).reshape(lits.shape[0], -1)
    dd = (dark**2).sum(axis=1)
    bd = (base * dark).sum(axis=1)
    xd = x @ dark.T  # rows x models
    alpha = np.clip((xd - bd) / (dd + 1e-9), DARK_MIN, DARK_MAX)
    # |x - base - a dark|^2 = |x|^2 - 2 x.base + |base|^2 - 2 a (x.dark - base.dark) + a^2 |dark|^2
    sq = (x**2).sum(axis=1)[:, None] - 2.0 * (x @ base.T) + (base**2).sum(axis=1)
    sq += alpha * (alpha * dd - 2.0 * (xd - bd))
    out[pick] = np.sqrt(np.clip(sq, 0.0, None).min(axis=1) / x.shape[1])
    return out


def whole_band_shaded(strip: Strip, other: Strip, idx: np.ndarray, sun: tuple[float, float]) -> np.ndarray:
    """Per row of `strip`, whether a car on `other` (its nearest row `idx`, -1: none) can shade the
    whole car band at the sun's (azimuth_deg, elevation_deg): the car stands on the sun side and its
    shadow, `TALLEST_CAR_HEIGHT_M` / tan(elevation) long away from the azimuth, reaches past the
    band's far edge."""
    out = np.zeros(strip.n_along, bool)
    az, el = sun
    ok = idx >= 0
    if not ok.any() or el <= 0.0:
        return out
    j = idx[ok]
    ux, uy = strip.x0[ok] - other.x0[j], strip.y0[ok] - other.y0[j]  # from the neighbour to this track
    dist = np.hypot(ux, uy)
    east, north = sun_geometry.shadow_direction(az)
    toward = (ux * east + uy * north) / np.maximum(dist, 1e-9)
    reach_m = CAR_HALF_WIDTH_M + TALLEST_CAR_HEIGHT_M / math.tan(math.radians(el)) * toward
    band_m = float(np.abs(strip.across_m[centre_columns(strip)]).max()) + strip.step_m / 2  # pixel's edge
    out[ok] = (toward > 0) & (reach_m >= dist + band_m)
    return out


def whole_band_misfit(
    strip: Strip, template: np.ndarray, rows: np.ndarray, relit: bool = False, side: int = 0
) -> np.ndarray:
    """Per row, RMS misfit of the model 'empty bed dimmed all across by one gain per band of at most
    `FULL_DARK_MAX`' over the car-band features (inf outside `rows`): a neighbour's shadow over the band.
    `side` (+1 left, -1 right: the neighbour's): the shadow may also end with a soft edge in the band's
    far half (a lower car). `relit`: the template is the shaded bed and the row the lit one, all across
    (gain at least 1 / `FULL_DARK_MAX`)."""
    f, _ = features(strip)
    nb = strip.pixels.shape[0]
    pick = np.flatnonzero(rows)
    fr = f[pick].reshape(pick.size, nb, -1)
    t = template.reshape(nb, -1)
    lo, hi = (1.0 / FULL_DARK_MAX, 1.0 / DARK_MIN) if relit else (DARK_MIN, FULL_DARK_MAX)
    shaded = [np.ones(t.shape[1])]  # per column, the share in shade
    if side and not relit:
        a = strip.across_m[centre_columns(strip)] * side  # positive toward the neighbour
        for w in EDGE_BLUR_M:
            for e in np.arange(float(a.min()) - w / 2, 1e-9, 0.25):
                shaded.append(np.clip(0.5 + (a - e) / w, 0.0, 1.0))
    best = np.full(pick.size, np.inf)
    for sh in shaded:
        base = t * (1.0 - sh)[None]
        dark = t * sh[None]
        # one gain per band: skylight in the shade is bluer than sunlight
        gain = ((fr - base[None]) * dark[None]).sum(axis=2) / ((dark**2).sum(axis=1)[None] + 1e-9)
        model = base[None] + np.clip(gain, lo, hi)[:, :, None] * dark[None]
        best = np.minimum(best, np.sqrt(np.mean((fr - model) ** 2, axis=(1, 2))))
    out = np.full(strip.n_along, np.inf)
    out[pick] = best
    return out


def explained_rows(
    strip: Strip,
    occ: Occupancy,
    beside: list[tuple[Strip, Occupancy]],
    sun: tuple[float, float] | None = None,
) -> np.ndarray:
    """Occupied rows of a track that are a neighbour's car shadow: a parallel neighbour 3.5-8.5 m away
    is occupied beside them and the track's empty bed, darkened on that neighbour's side, fits them.
    With the `sun` (azimuth_deg, elevation_deg) known, the bed dimmed all across also fits where the
    neighbour's car can shade the whole band (`whole_band_shaded`)."""
    one_side, whole_band = explained_parts(strip, occ, beside, sun)
    return one_side | whole_band


def explained_parts(
    strip: Strip,
    occ: Occupancy,
    beside: list[tuple[Strip, Occupancy]],
    sun: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`explained_rows` as its two models' rows: (darkened on one side, dimmed all across). The first
    also fits a dark car beside a busy neighbour, so a count says how many cars those rows could hold."""
    out = np.zeros(strip.n_along, bool)
    none = (out, out.copy())
    if not occ.occupied.any() or centre_columns(strip).size < MIN_COLUMNS:
        return none
    reach = max(1, int(round(SHADOW_REACH_M / strip.step_m)))
    # Rows a neighbour's shadow may fall on, per side: occupied, beside a busy parallel neighbour.
    cands = {1: np.zeros(strip.n_along, bool), -1: np.zeros(strip.n_along, bool)}
    whole = []  # with the sun known, per neighbour: (strip, row index, busy rows) for the whole-band model
    for other, other_occ in beside:
        if not other_occ.occupied.any():
            continue
        # only occupied rows can be explained; the whole-band model also reads the empty rows
        idx, off = neighbours(strip, other, None if sun is not None else occ.occupied)
        near = idx >= 0
        if not near.any():
            continue
        busy = ndimage.binary_dilation(other_occ.occupied, iterations=reach)
        for side in (1, -1):
            cand = near & (np.sign(off) == side) & occ.occupied
            cand[cand] = busy[idx[cand]]
            cands[side] |= cand
        if sun is not None:
            whole.append((other, idx, busy))
    if not (cands[1].any() or cands[-1].any() or whole):
        return none
    template = empty_template(strip, occ)
    if template is None:
        return none
    win = 3 if strip.step_m <= 0.35 else 1
    for side, cand in cands.items():
        if not cand.any():
            continue
        # the fit depends on the track alone; the median filter reads one row either side of a candidate
        fit_rows = ndimage.binary_dilation(cand, iterations=win // 2) if win > 1 else cand
        mis = darkened_bed_misfit(strip, template, side, fit_rows)
        mis = ndimage.median_filter(mis, size=win, mode="nearest") if win > 1 else mis
        fits = (mis <= FIT_SLACK * occ.threshold) & (mis <= EXPLAINED_SHARE * occ.departure)
        out |= cand & fits
    all_across = np.zeros(strip.n_along, bool)
    for other, idx, busy in whole:
        all_across |= _whole_band_rows(strip, occ, template, other, idx, busy, sun)
    return out, all_across


def _whole_band_rows(
    strip: Strip,
    occ: Occupancy,
    template: np.ndarray,
    other: Strip,
    idx: np.ndarray,
    busy: np.ndarray,
    sun: tuple[float, float],
) -> np.ndarray:
    """Occupied rows that `other`'s cars (`busy`: its occupied rows, widened) shade all across at this
    sun, or, when the track's empty bed lies mostly in that shade, the lit bed between its trains."""
    shade = whole_band_shaded(strip, other, idx, sun)
    if not shade.any():
        return shade
    beside_busy = shade.copy()
    beside_busy[shade] = busy[idx[shade]]
    side = int(np.sign(np.median(-(other.x0[idx[shade]] - strip.x0[shade]) * strip.ty[shade]
                                 + (other.y0[idx[shade]] - strip.y0[shade]) * strip.tx[shade])))
    out = _whole_band_explained(strip, occ, template, occ.occupied & beside_busy, side=side)
    empty = occ.seen & ~occ.occupied
    if beside_busy[empty].mean() >= SHADED_TEMPLATE_SHARE:
        out |= _whole_band_explained(strip, occ, template, occ.occupied & shade, relit=True)
    return out


def _whole_band_explained(
    strip: Strip, occ: Occupancy, template: np.ndarray, cand: np.ndarray, relit: bool = False, side: int = 0
) -> np.ndarray:
    """The `cand` rows that the bed dimmed (`relit`: brightened) all across fits (`whole_band_misfit`)
    within `WHOLE_FIT_SLACK` of the empty-row floor, and that loses half the row's departure."""
    if not cand.any():
        return cand
    mis = whole_band_misfit(strip, template, cand, relit, side)
    return cand & (mis <= WHOLE_FIT_SLACK * occ.threshold) & (mis <= EXPLAINED_SHARE * occ.departure)


def cars_abreast(
    strips: list[Strip | None], occs: list[Occupancy | None], known: list[bool]
) -> list[np.ndarray | None]:
    """Per track, its rows read as a neighbour's one-sided shadow (`Occupancy.explained`) that have a known
    parallel neighbour's occupied row (after that neighbour's own shadows were taken off) at the same
    chainage (None: no such rows). A shadow needs the car that throws it: where the neighbour beside is
    empty, rows read as its shadow are more likely a dark car of the track's own."""
    out: list[np.ndarray | None] = []
    for k, (s, occ) in enumerate(zip(strips, occs, strict=True)):
        if s is None or occ is None or occ.explained is None or not occ.explained.any():
            out.append(None)
            continue
        held = np.zeros(s.n_along, bool)
        for j, (o, oc) in enumerate(zip(strips, occs, strict=True)):
            if j == k or not known[j] or o is None or oc is None or not oc.occupied.any():
                continue
            idx, _ = neighbours(s, o, occ.explained)
            ok = idx >= 0
            held[ok] |= oc.occupied[idx[ok]]
        out.append(held)
    return out
