"""Occupied runs along a track -> cars. At fine GSD (<= 0.6 m) runs are split at coupler gaps
(ballast/rails seen between cars: a dip in the departure from the empty track). At coarse GSD the
count is occupied length / typical car length, with a low-high interval from the spread of car
lengths, the unknown fleet mix and run-end blur.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from railwatch.detect import coarse, locomotive, types
from railwatch.detect.estimate import MISCOUNT_VAR, Estimate, Side, Spread
from railwatch.detect.occupancy import EmptyModel, Occupancy, centre_columns, measure
from railwatch.detect.runs import runs
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

FINE_M = 0.6
"""Finest GSD at which coupler gaps (0.8-1.5 m) are resolved and cars are split one by one."""
MAX_SINGLE_M = 27.0
"""Longest single railcar (articulated tank 24 m) with margin: longer runs hold several cars."""
MIN_CAR_M = 4.0
WEAK_CUT = 1.0
"""Piece marker: the first piece after a cut taken on weak evidence (counted once in the low end)."""
Z_DOUBT = 1.645
"""One-sided z of the 90 % count interval at fine GSD."""
MISS_SHARE = 0.02
"""Share of a track's cars that may be missed or made up beyond the doubtful cuts (low contrast)."""
NEAR_WEAK_CUT = 0.5
"""Piece marker: a piece beside a doubtful cut (lower confidence, not counted in the interval)."""
FRAGMENT_M = 8.0
"""Shorter pieces are parts of a car: the shortest railcars are ~9.3-9.7 m over couplers, and a piece
between two cuts loses the coupler gap (0.8-1.5 m) and a row or so at each end, so a short car shows
as 8-8.5 m; shorter is a container box, a gondola's load or a tarp fold."""
LONE_M = 5.0
"""A piece shorter than this alone on a track is a mast and its shadow, a crossing, not a car end."""
PAIR_M = 20.0
"""Runs longer than this are as likely two short cars coupled as one long car (most cars are 10-17 m)."""
PAINT_NEAR_M, PAINT_FAR_M = 2.0, 7.0
"""Paint either side of a candidate coupler gap is compared between these distances from it."""
PAINT_STEP_RGB = 0.08
"""A paint change (0-1, largest band) that tells two cars apart across a weak dip."""
UNIFORM_RGB = 0.015
"""Largest colour step (0-1) between a car band and both sides that still reads as one surface."""
ROOF_CENTRE_M = 0.5
"""Columns this close to the centreline show a roof fitting (tank dome, hatch, vent: about 1 m across)."""
ROOF_OUTER_M = (0.8, 1.3)
"""Columns this far out lie on the car body beside any roof fitting (car bodies are 2.8-3.3 m wide)."""
ROOF_ONLY = 0.5
"""A dip whose colour change on the outer body columns is under this share of its change at the centre
is a roof fitting, not a coupler gap: a gap runs across the car's full width."""
ROOF_SIDE_M = (1.5, 4.0)
"""The body either side of a dip is sampled between these distances from it."""
GAP_RGB = 0.08
"""A coupler gap changes the colour across the full body width (centre and an outer side) from the
bodies on both sides by at least this (0-1): ballast or shadow between two car ends."""
LONG_PAIR_M = 22.0
"""Runs longer than this are two cars more often than one (only articulated tanks, long boxcars and
coaches are this long; most cars are 10-17 m), so a gap needs less contrast to be taken."""
LONG_GAP_SHARE = 0.5
"""Share of `GAP_RGB` a gap must stand out by in a run longer than `LONG_PAIR_M`."""
GAP_HALF_M = 0.5
"""A gap's colour is read over this many metres either side of its row (gaps are 0.8-1.5 m)."""


def detect(
    strip: Strip,
    gsd_m: float,
    *,
    model: EmptyModel | None = None,
    track: str = "",
    occupancy: Occupancy | None = None,
) -> list[Car]:
    """Cars on a re-centred, 0-1 strip (chainage from the strip's start)."""
    return estimate(strip, gsd_m, model=model, track=track, occupancy=occupancy).cars


def estimate(
    strip: Strip,
    gsd_m: float,
    *,
    model: EmptyModel | None = None,
    track: str = "",
    occupancy: Occupancy | None = None,
) -> Estimate:
    """Cars plus a low-high count interval for one track."""
    occ = occupancy if occupancy is not None else measure(strip, model)
    fine = max(gsd_m, strip.step_m) <= FINE_M
    ballast = _ballast_rgb(strip, occ)
    if fine:
        return _fine(strip, occ, track, ballast)
    return coarse.estimate(strip, occ, track, max(gsd_m, strip.step_m), ballast)


def _ballast_rgb(strip: Strip, occ: Occupancy) -> np.ndarray:
    cols = np.abs(strip.across_m) <= types.BODY_HALF_M
    empty = occ.seen & ~occ.occupied
    px = strip.pixels[:, empty][:, :, cols] if empty.any() else strip.pixels[:, :, cols]
    v = np.median(px.reshape(px.shape[0], -1), axis=1)
    return np.repeat(v[:1], 3) if v.size < 3 else v[:3]


def _fine(strip: Strip, occ: Occupancy, track: str, ballast: np.ndarray) -> Estimate:
    step = strip.step_m
    occupied = occ.occupied.copy()
    if step <= 0.3:
        occupied = ndimage.binary_closing(occupied, np.ones(2, bool)) | occupied
    colour = band_colour(strip)
    width = centre_and_outer(strip)
    pieces: list[tuple[int, int, float]] = []  # start, end, split ambiguity added
    low_adj = high_adj = 0
    for i0, i1 in runs(occupied):
        length = (i1 - i0) * step
        clipped = cut_from_view(occ, i0, i1)
        if length < (3.0 if clipped else MIN_CAR_M * 0.6):
            if length >= 2.0:
                high_adj += 1
            continue
        split = _split(occ.departure, i0, i1, step, colour, width)
        pieces += split
        # One weak cut may be one car too many, one likely cut not taken one too few: the interval
        # moves by one per doubtful cut, not by the number of pieces the cut's side holds.
        low_adj += sum(1 for _, _, amb in split if amb >= WEAK_CUT)
        high_adj += sum(1 for _, _, amb in split if amb < 0)
    merged, n_merges = _merge_fragments(pieces, step)
    high_adj += n_merges
    alone = {
        k
        for k, (a, b, _) in enumerate(merged)
        if (k == 0 or (a - merged[k - 1][1]) * step > 3.0)
        and (k == len(merged) - 1 or (merged[k + 1][0] - b) * step > 3.0)
    }
    merged = [pc for k, pc in enumerate(merged) if _car_like(strip, occ, pc, step, k in alone)]
    merged, locos = locomotive.split_off(strip, merged, FRAGMENT_M)
    cars: list[Car] = []
    ends = _consist_ends(merged, step)
    for k, (a, b, amb) in enumerate(merged):
        f = types.features(strip, a, b, ballast)
        kind, conf, type_p = types.classify_probabilities(f, fine=True, at_consist_end=k in ends)
        if k in locos:
            kind, conf, type_p = "locomotive", locomotive.CONFIDENCE, {}
        if amb != 0:
            conf *= 0.7
        cars.append(span_car(strip, a, b, track, kind, f.rgb, conf, type_p))
    n = len(cars)
    margin = int(math.ceil(MISS_SHARE * n))
    low = max(0, n - doubt_spread(low_adj) - margin)
    high = n + doubt_spread(high_adj) + margin
    return Estimate(cars, low, high, occ, fine_spread(n, low_adj, high_adj))


def span_car(
    strip: Strip, a: int, b: int, track: str, kind: str, rgb: np.ndarray, confidence: float,
    type_p: dict[str, float],
) -> Car:
    """The car over rows [a, b) of `strip`: its chainage from the strip's start, its colour as hex and
    its confidence to 3 decimals (the one way the fine and the shadow paths make a car)."""
    return Car(
        track=track,
        start_m=strip.start_m + a * strip.step_m,
        end_m=strip.start_m + b * strip.step_m,
        type=kind,
        color=types.hex_colour(rgb),
        confidence=round(confidence, 3),
        type_p=type_p,
    )


def fine_spread(n: int, low_adj: int, high_adj: int) -> Spread:
    """How a split count's interval splits over a scene: each doubtful decision is a coin toss of its
    own and unflagged miscounts hit cars one by one (independent: a scene's Binomial half-width is
    that of all its tracks' doubts together); the share of cars missed or made up because of the
    imagery's contrast is common to its tracks (shared)."""
    common = MISS_SHARE * n
    unflagged = MISCOUNT_VAR * n
    return Spread(
        down=Side(Z_DOUBT * math.sqrt(0.25 * low_adj + unflagged), common),
        up=Side(Z_DOUBT * math.sqrt(0.25 * high_adj + unflagged), common),
    )


def doubt_spread(k: int) -> int:
    """Cars the count may be off by from `k` doubtful decisions (weak cuts, cuts not taken, merged
    fragments), each an even chance either way: the 90 % half-width of a Binomial(k, 1/2) count."""
    return int(math.ceil(Z_DOUBT * 0.5 * math.sqrt(k))) if k > 0 else 0


def cut_from_view(occ: Occupancy, i0: int, i1: int) -> bool:
    """True when rows [i0, i1) border a row inside the strip that was not seen (cloud, nodata, the image
    edge): the car may go on out of sight. The strip's own ends are the track's ends, where no car
    goes on; a short run there is the bed's end or a buffer stop (or the catalog end is off by a few
    metres), not part of a car."""
    n = occ.seen.size
    return (i0 > 0 and not occ.seen[i0 - 1]) or (i1 < n and not occ.seen[i1])


def _merge_fragments(
    pieces: list[tuple[int, int, float]], step: float
) -> tuple[list[tuple[int, int, float]], int]:
    """Join pieces too short to be a car (< 8.5 m: gaps between containers, a gondola's dark
    interior, a tarp fold) to the neighbour across a short gap, while the result fits one car."""
    out = sorted(pieces)
    merges = 0
    while True:
        best = None
        for k, (a, b, _) in enumerate(out):
            if (b - a) * step >= FRAGMENT_M:
                continue
            for j in (k - 1, k + 1):
                if not 0 <= j < len(out):
                    continue
                lo, hi = min(a, out[j][0]), max(b, out[j][1])
                gap = (max(a, out[j][0]) - min(b, out[j][1])) * step
                if gap <= 1.8 and (hi - lo) * step <= MAX_SINGLE_M:
                    cost = abs((hi - lo) * step - types.TYPICAL_M) + 5 * gap
                    if best is None or cost < best[0]:
                        best = (cost, min(k, j))
        if best is None:
            return out, merges
        k = best[1]
        a, b, x = out[k]
        c, d, y = out[k + 1]
        out[k : k + 2] = [(a, d, max(x, y))]
        merges += 1


def _car_like(strip: Strip, occ: Occupancy, piece: tuple[int, int, float], step: float, alone: bool) -> bool:
    """False for what no railcar looks like: a piece shorter than any car, alone on the track
    (a mast and its shadow, a crossing), or one whose colour runs on unchanged beyond the car's
    width on both sides (grass, a road or a platform over the track, not a 3 m wide car body)."""
    a, b, _ = piece
    if alone and (b - a) * step < LONE_M and not cut_from_view(occ, a, b):
        return False
    mid, left, right = _like_columns(strip.across_m)
    if not left.size or not right.size:
        return True
    px = strip.pixels[:, a:b]
    c = median_rows(px.take(mid, axis=2).reshape(px.shape[0], -1).T)
    lv = median_rows(px.take(left, axis=2).reshape(px.shape[0], -1).T)
    rv = median_rows(px.take(right, axis=2).reshape(px.shape[0], -1).T)
    return not (np.abs(lv - c).max() < UNIFORM_RGB and np.abs(rv - c).max() < UNIFORM_RGB)


LIKE_COLUMNS_KEPT = 16
"""Across grids whose `_car_like` columns are kept (one per strip resolution in use)."""
_like_columns_kept: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _like_columns(across_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column indexes `_car_like` reads: the car's middle (|across| <= 1 m) and, on the left and the
    right, the ground just beside a car body (2.1-2.9 m: short of a car on a track 4.5 m away); worked
    out once per across grid (it asks for every piece)."""
    key = np.asarray(across_m, np.float64).tobytes()
    hit = _like_columns_kept.get(key)
    if hit is None:
        ac = np.abs(across_m)
        out = (ac >= 2.1) & (ac <= 2.9)
        left, right = np.flatnonzero(out & (across_m > 0)), np.flatnonzero(out & (across_m < 0))
        hit = (np.flatnonzero(ac <= 1.0), left, right)
        if len(_like_columns_kept) >= LIKE_COLUMNS_KEPT:
            _like_columns_kept.pop(next(iter(_like_columns_kept)), None)
        _like_columns_kept[key] = hit
    return hit


def _consist_ends(pieces: list[tuple[int, int, float]], step: float) -> set[int]:
    """Indexes of pieces at either end of a consist (gap > 3 m on one side)."""
    ends: set[int] = set()
    for k, (a, b, _) in enumerate(pieces):
        before = k == 0 or (a - pieces[k - 1][1]) * step > 3.0
        after = k == len(pieces) - 1 or (pieces[k + 1][0] - b) * step > 3.0
        if before or after:
            ends.add(k)
    return ends


def band_colour(strip: Strip) -> np.ndarray:
    """Per-row mean colour (rows x bands) of the car band, the paint a car shows from above."""
    return strip.pixels[:, :, centre_columns(strip)].mean(axis=2).T


def centre_and_outer(strip: Strip) -> tuple[np.ndarray, ...] | None:
    """Per-row mean colour (rows x bands) of the centre columns and of the outer body columns on each
    side, to tell a roof fitting from a coupler gap; None where the strip lacks one of them."""
    a = strip.across_m
    centre = np.abs(a) <= max(ROOF_CENTRE_M, strip.step_m / 2) + 1e-9
    outer = (np.abs(a) >= ROOF_OUTER_M[0]) & (np.abs(a) <= ROOF_OUTER_M[1] + 1e-9) & ~centre
    parts = [centre, outer & (a > 0), outer & (a < 0)]
    if not all(p.any() for p in parts):
        return None
    return tuple(strip.pixels[:, :, p].mean(axis=2).T for p in parts)


def roof_only(width: tuple[np.ndarray, ...] | None, i0: int, k: int, i1: int, step: float) -> bool:
    """True when the dip at row k changes the centre columns but hardly the outer body columns on
    either side (a dome, a hatch or a vent on one car): its change from the body on either side, on
    the outer side that changes most over the centre, is under `ROOF_ONLY`. Both outer sides are
    looked at apart, so a strip off-centre by a metre (one side on the ballast) still sees the gap."""
    if width is None:
        return False
    near, far = int(round(ROOF_SIDE_M[0] / step)), int(round(ROOF_SIDE_M[1] / step))
    if k - far < i0 or k + far >= i1:
        return False
    parts, body = _stacked(width, far - near + 1)  # the gap test's running medians, shared
    row, before, after = parts[k], body[k - far], body[k + near]  # parts x bands
    gone = np.abs(row - before).max(axis=1)
    come = np.abs(row - after).max(axis=1)
    # per part min(change from before, change from after), max over the outer sides, with Python's
    # min/max (a NaN on the right is never taken), as one part at a time
    change = [min(b, a) for b, a in zip(gone, come, strict=True)]
    return bool(max(change[1:]) < ROOF_ONLY * change[0])


def gap_contrast(width: tuple[np.ndarray, ...] | None, k: int, step: float) -> float:
    """How much row k (over +-`GAP_HALF_M`) stands out across the full body width from the bodies
    1.5-4 m before and after it (the smaller of the two changes; the centre and the outer side that
    changes most): high at a coupler gap, low inside a car and at a roof fitting. 0 without data."""
    if width is None:
        return 0.0
    return float(gap_contrasts(width, np.array([k]), step)[0])


def gap_contrasts(width: tuple[np.ndarray, ...], ks: np.ndarray, step: float) -> np.ndarray:
    """`gap_contrast` of every row in `ks` at once (0 where the bodies either side run off the strip):
    the parts stacked and their running medians worked out once per `width` (`_stacked`), not two small
    medians per row and part, for speed."""
    near, far = int(round(ROOF_SIDE_M[0] / step)), int(round(ROOF_SIDE_M[1] / step))
    n = width[0].shape[0]
    w = int(round(GAP_HALF_M / step))
    ok = (ks - far >= 0) & (ks + far < n)
    if not ok.any():
        return np.zeros(len(ks), width[0].dtype)
    k = np.asarray(ks)[ok]
    parts, body = _stacked(width, far - near + 1)  # rows x parts x bands; per body window start, its median
    before = body[k - far][:, None]  # rows k x 1 x parts x bands
    after = body[k + near][:, None]
    rows = parts[k[:, None] + np.arange(-w, w + 1)]  # rows k x window x parts x bands
    # beyond both sides, brighter or darker than either (a ramp between two paints is no gap)
    beyond = np.maximum(np.minimum(rows - before, rows - after), np.minimum(before - rows, after - rows))
    change = np.clip(beyond, 0.0, None).max(axis=(1, 3))  # rows k x parts
    # min(centre, max(outer sides)) with Python's min/max (a NaN on the right is never taken)
    outer = change[:, 1]
    for j in range(2, change.shape[1]):
        outer = np.where(change[:, j] > outer, change[:, j], outer)
    out = np.zeros(len(ks), change.dtype)
    out[ok] = np.where(outer < change[:, 0], outer, change[:, 0])
    return out


STACKS_KEPT = 16
"""Stacked body parts kept (one per strip): a run and its pieces split again read the same rows."""
_stacks: dict[int, tuple[tuple[np.ndarray, ...], np.ndarray, dict[int, np.ndarray]]] = {}


def _stacked(width: tuple[np.ndarray, ...], span: int) -> tuple[np.ndarray, np.ndarray]:
    """The parts of `width` stacked (rows x parts x bands; they come from one strip, in one dtype) and
    their running medians over `span` rows (`_window_medians`), worked out once per `width` (keyed by
    the tuple, which the entry holds, so a key cannot be reused while it is kept)."""
    hit = _stacks.get(id(width))
    if hit is None or hit[0] is not width:
        stacked = np.stack(width, axis=1)
        stacked.flags.writeable = False  # shared by every caller of the entry
        hit = (width, stacked, {})
        if len(_stacks) >= STACKS_KEPT:
            _stacks.pop(next(iter(_stacks)), None)
        _stacks[id(width)] = hit
    if span not in hit[2]:
        hit[2][span] = _window_medians(hit[1], span)
    return hit[1], hit[2][span]


def _window_medians(x: np.ndarray, span: int) -> np.ndarray:
    """Per window start j, the median of rows [j, j + span) of `x` (along its first axis), for every
    window at once: np.median's values to the bit (the middle one or two of each sorted window, the two
    halved in x's dtype), read-only."""
    windows = np.lib.stride_tricks.sliding_window_view(x, span, axis=0)
    if np.isnan(x).any():
        med = np.median(windows, axis=-1)
    else:
        ordered, h = np.sort(windows, axis=-1), span // 2
        med = ordered[..., h] if span % 2 else (ordered[..., h - 1] + ordered[..., h]) / 2
    med.flags.writeable = False
    return med


def median_rows(x: np.ndarray) -> np.ndarray:
    """np.median(x, axis=0) of a 2-D array, to the bit, without np.median's per-call overhead (one
    partition; the two middle values halved in x's dtype); the hundreds of small medians a count takes
    per track made the wrapper itself a cost. NaN anywhere (or no rows) goes to np.median."""
    n = x.shape[0]
    if n == 0 or x.dtype.kind != "f" or np.isnan(x).any():
        return np.median(x, axis=0)
    h = n // 2
    if n % 2:
        return np.partition(x, h, axis=0)[h]
    part = np.partition(x, (h - 1, h), axis=0)
    return (part[h - 1] + part[h]) / 2


def _best_gap(width: tuple[np.ndarray, ...] | None, i0: int, i1: int, step: float) -> tuple[int, float]:
    """The row of [i0, i1) with both sides car-long (>= `FRAGMENT_M`) that stands out most across the
    full body width (`gap_contrast`), and that contrast (the first such row on a tie); (-1, 0) when
    there is none."""
    side = int(math.ceil(FRAGMENT_M / step))
    ks = np.arange(i0 + side, i1 - side)
    if width is None or not ks.size:
        return -1, 0.0
    c = gap_contrasts(width, ks, step)
    c = np.where(c > 0.0, c, 0.0)  # NaN and no contrast are never the best
    j = int(np.argmax(c))
    return (int(ks[j]), float(c[j])) if c[j] > 0.0 else (-1, 0.0)


def _paint_step(colour: np.ndarray | None, i0: int, k: int, i1: int, step: float) -> float:
    """Largest per-band difference (0-1) between the median paint 2-7 m before and after row k."""
    if colour is None:
        return 0.0
    near, far = int(round(PAINT_NEAR_M / step)), int(round(PAINT_FAR_M / step))
    before = colour[max(i0, k - far) : max(i0, k - near)]
    after = colour[min(i1, k + near) : min(i1, k + far)]
    if not len(before) or not len(after):
        return 0.0
    return float(np.abs(median_rows(before) - median_rows(after)).max())


def _split(
    dep: np.ndarray,
    i0: int,
    i1: int,
    step: float,
    colour: np.ndarray | None = None,
    width: tuple[np.ndarray, ...] | None = None,
) -> list[tuple[int, int, float]]:
    """Split a run at the deepest departure dips until every piece is a plausible single car.

    A weaker dip still splits a run long enough for two cars when the paint changes across it and
    both sides are car-long (two cars coupled; a long single car keeps one paint end to end).
    A dip confined to the roof's centre (`roof_only`: a tank dome) is no gap unless the run is too long
    for one car or the paint changes across it (a fitting sits on one car, in one paint).
    Returns (start, end, ambiguity) with ambiguity > 0 for a split taken on weak evidence, < 0 for
    a likely split not taken, 0 otherwise.
    """
    length = (i1 - i0) * step
    if length <= 18.0:
        return [(i0, i1, 0.0)]
    seg = dep[i0:i1]
    level = float(np.median(seg))
    margin = max(2, int(round(MIN_CAR_M / step)))
    if seg.size <= 2 * margin:
        return [(i0, i1, 0.0)]
    inner = seg[margin:-margin]
    k = int(np.argmin(inner)) + margin
    strength = 1.0 - float(seg[k]) / (level + 1e-6)
    must = length > MAX_SINGLE_M
    # a roof fitting sits on one car, in one paint: a paint change across the dip with a car-long
    # piece either side is two cars whatever the roof's centre shows
    two_paints = (
        min(k, seg.size - k) * step >= FRAGMENT_M
        and _paint_step(colour, i0, i0 + k, i1, step) > PAINT_STEP_RGB
    )
    if not must and not two_paints and roof_only(width, i0, i0 + k, i1, step):
        return [(i0, i1, -1.0 if strength > 0.25 else 0.0)]
    pair = length > PAIR_M and strength > 0.2 and two_paints
    if strength > 0.45 or (must and strength > 0.2) or pair:
        cut = i0 + k
        left = _split(dep, i0, cut, step, colour, width)
        right = _split(dep, cut + 1, i1, step, colour, width)
        if strength <= 0.45:
            # the pieces beside a weak cut are less sure; the cut itself is counted once, on the
            # first piece after it
            left = [(a, b, x if x < 0 or x >= WEAK_CUT else max(x, NEAR_WEAK_CUT)) for a, b, x in left]
            side = right if right[0][2] >= 0 else left  # keep a piece's own "likely cut not taken"
            k = 0 if side is right else len(side) - 1
            if side[k][2] >= 0:
                side[k] = (side[k][0], side[k][1], WEAK_CUT)
        return left + right
    if width is not None:
        g, contrast = _best_gap(width, i0, i1, step)
        need = GAP_RGB * (LONG_GAP_SHARE if length > LONG_PAIR_M else 1.0)
        if g >= 0 and contrast > need and not roof_only(width, i0, g, i1, step):
            left = _split(dep, i0, g, step, colour, width)
            right = _split(dep, g + 1, i1, step, colour, width)
            if right[0][2] >= 0:
                right[0] = (right[0][0], right[0][1], WEAK_CUT)
            return left + right
    if must:
        # no gap seen: cut evenly by the typical car length, one doubtful cut either way
        n = max(2, int(round(length / types.TYPICAL_M)))
        edges = np.linspace(i0, i1, n + 1).round().astype(int)
        out = [(int(a), int(b), NEAR_WEAK_CUT) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        out[1] = (out[1][0], out[1][1], WEAK_CUT)
        out[0] = (out[0][0], out[0][1], -NEAR_WEAK_CUT)
        return out
    return [(i0, i1, -1.0 if strength > 0.25 else 0.0)]
