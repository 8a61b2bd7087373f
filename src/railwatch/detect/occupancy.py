"""Occupancy along a track: how far each along-track row departs from what an empty track looks
like there (ballast bed and rail pair), and which rows could be seen at all (cloud, cloud shadow,
nodata, image edge). Cars are what is on the track and is not ballast or rails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from railwatch.imagery.corridor import Strip

CAR_HALF_M = 1.3
"""Across-track half width of the band that a car body covers for sure (cars are 2.9-3.3 m wide)."""

SIDE_M = (2.0, 2.6)
"""Across-track offsets of the ballast shoulder beside a car: ballast or shadow, rarely a car."""

BED_SHOULDER_M = (1.75, 2.3)
"""Across-track offsets of the bright edge of an empty track bed (ballast shoulder, bridge deck kerb)."""
BED_RATIO = 1.12
"""An empty bed's shoulders are this much brighter than its centre on both sides; a car is as bright
as or brighter than one shoulder and throws its shadow over the other."""
BED_RUN_M = 100.0
"""Empty-shaped stretches at least this long make the local empty template (bridge decks, platforms, a
change of ballast); cars break them with their shadows, and no string of cars passes for bed this long."""
BED_WINDOW_M = 25.0
"""Along-track window of the running median of empty bed rows."""
CLOUD_GREY = 0.92
"""Brightness (0-1) of cloud that veils the ground: a thin cloud mixes the ground towards it."""
VEIL_SPREAD = 2.0
"""A cloud's rim brightens the far shoulder at most this many times as much as the near one (clouds
are hundreds of metres across); more than that is something bright beside the track, not cloud."""
VEIL_WINDOW_M = 50.0
"""Along-track window of the running median of the empty rows' shoulder brightness that a veil is
measured against: the bed's own brightness varies along the track (older and newer ballast, a low
sun's lit stretches), so a veil is brightening against the bed nearby, not against the whole track."""
BED_BRIGHT_PERCENTILE = 80.0
"""Coarser than `SHAPE_MAX_STEP_M` the shoulder is a column or two that mixes the bed's edge with what
lies beside it: a veil there is brightening beyond this percentile of the whole track's empty rows
(the local median follows that mixture too closely)."""
MIN_HAZE = 0.02
"""Least veil (on the more veiled shoulder) that is undone: a fainter lift is the bed's own texture, and
undoing it would only nudge the departures of clear rows."""
MAX_HAZE = 0.5
"""Most veiling by thin cloud that is undone (thicker cloud is masked as unseen)."""
DEEP_SHADOW = 0.35
"""Rows whose corridor is darker than this share of the site's usual ground are too deep in shadow
to see into (a cloud shadow darkens by about half; a corridor full of dark cars by less)."""
MIN_SHADE_GAIN = DEEP_SHADOW
"""Least gain (shaded / lit brightness) a shaded row is scaled back by: darker rows are masked unseen."""
SHADED = 0.95
"""Rows darker than this share of the template are judged by shape: a cloud shadow's soft edge dims
the ground by a few per cent at first (brightness noise of an empty bed is about 1 %)."""
SHAPE_MAX_STEP_M = 0.6
"""Finest-sampled strips up to this step resolve the rails across the car band, so shape tells a shaded
bed from a car; coarser, it does not."""
BED_BLOCK_M = 5.0
"""Along-track block over which a bed stretch's colour is averaged to test that it stays the same."""
BED_STEADY_RGB = 0.04
"""Largest colour difference (0-1) between a block and the rest of its stretch on one empty bed."""
BED_MODE_SHAPED = (0.3, 0.8)
"""A track's dominant colour whose rows are bed-shaped (`bed_shaped`) less often than the first share is
not its bed (a long train's paint, or the bed half-shaded by the cars on the sun-side neighbour, which
darken one shoulder): a rival colour whose rows are bed-shaped at least as often as the second is."""
BED_MODE_MIN_SHARE = 0.1
"""Least share of a track's rows that a bed-shaped rival colour must cover to take over (noise aside)."""
BED_MODE_BRIGHTER = 1.15
"""The bed-shaped rival must be this much brighter than the picked colour: it is the lit bed beside a
shaded one or a dark train, never a second ballast of similar tone."""


@dataclass
class Occupancy:
    """Per-row departure from the empty track, the occupied rows, and the rows actually seen."""

    departure: np.ndarray
    occupied: np.ndarray
    seen: np.ndarray
    cloud: np.ndarray
    shadow: np.ndarray
    threshold: float
    veiled: np.ndarray | None = None
    """Rows whose thin-cloud veil was undone (`cloud_veil` at least `MIN_HAZE`): their departures rest on
    that correction, so a faint car there may be the cloud's rim (None: not measured)."""
    explained: np.ndarray | None = None
    """Rows taken off `occupied` as a neighbour's car shadow darkening one side of the band
    (`castshadow.explained_parts`): a dark car there fits that model as well (None: none taken)."""

    @property
    def coverage(self) -> float:
        return float(self.seen.mean()) if self.seen.size else 0.0


@dataclass
class EmptyModel:
    """What an empty, lit track looks like: a median across-track profile (bands x columns)."""

    profile: np.ndarray
    noise: float
    brightness: float
    mode: np.ndarray | None = None
    seeds: list[tuple[Strip, np.ndarray]] = field(default_factory=list, repr=False)
    """Each strip the model was built from with its `_seed_rows` under `mode` (reused by `measure`)."""

    def seed_rows(self, strip: Strip) -> np.ndarray | None:
        """The seed rows computed for `strip` (the same object) while building the model, else None."""
        return next((rows for s, rows in self.seeds if s is strip), None)


def centre_columns(strip: Strip) -> np.ndarray:
    """Indexes of the across-track columns inside the car body band."""
    cols = np.flatnonzero(np.abs(strip.across_m) <= max(CAR_HALF_M, strip.step_m * 0.5) + 1e-9)
    return cols


def features(strip: Strip) -> tuple[np.ndarray, np.ndarray]:
    """Per-row profile vectors (rows x bands*cols) over the car band, and their brightness-normalised form."""
    cols = centre_columns(strip)
    p = strip.pixels[:, :, cols]  # bands, rows, cols
    f = np.moveaxis(p, 1, 0).reshape(strip.n_along, -1)
    bright = f.mean(axis=1, keepdims=True)
    return f, f / (bright + 0.03)


def cloud_and_shadow(strip: Strip, site_brightness: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows under cloud (bright, grey, smooth across the whole corridor) or under shadow too deep to
    see into (the whole corridor far darker than the site's usual ground). Car shadows cover only one
    side, clouds all. A cloud's shadow of ordinary depth is seen through: cars show there by shape."""
    px = strip.pixels
    ok = strip.valid
    grey = px.mean(axis=0)
    cloud = _cloud_core(strip, grey)
    n_ok = ok.sum(axis=1)
    rb = np.where(
        n_ok > 0,
        np.sort(np.where(ok, grey, np.inf), axis=1)[np.arange(ok.shape[0]), np.maximum(n_ok - 1, 0) // 2],
        np.nan,
    )
    ref = (
        site_brightness
        if site_brightness is not None
        else float(np.nanmedian(rb))
        if np.isfinite(rb).any()
        else 0.5
    )
    win_s = max(1, int(round(25.0 / strip.step_m)))
    rb_s = ndimage.uniform_filter1d(np.nan_to_num(rb, nan=ref), win_s, mode="nearest")
    shadow = (rb_s < DEEP_SHADOW * ref) & ~cloud
    return _soft_edges(cloud, strip.step_m), shadow


def cloud_rows(strip: Strip) -> np.ndarray:
    """The cloud rows of `cloud_and_shadow` alone (no shadow test: cheaper)."""
    return _soft_edges(_cloud_core(strip, strip.pixels.mean(axis=0)), strip.step_m)


def _cloud_core(strip: Strip, grey: np.ndarray) -> np.ndarray:
    """Rows bright, grey and smooth across the whole corridor (`grey`: the pixels' band mean)."""
    px = strip.pixels
    sat = px.max(axis=0) - px.min(axis=0)
    wide = np.abs(strip.across_m) <= max(np.abs(strip.across_m).max(), strip.step_m)
    cloudy_px = (grey > 0.6) & (sat < 0.12) & strip.valid
    frac = cloudy_px[:, wide].mean(axis=1)
    win = max(1, int(round(6.0 / strip.step_m)))
    frac = ndimage.uniform_filter1d(frac, win, mode="nearest")
    return frac > 0.6


def _soft_edges(cloud: np.ndarray, step_m: float) -> np.ndarray:
    """Cloud edges are soft: give up a few metres either side."""
    if not cloud.any():
        return cloud
    return ndimage.binary_dilation(cloud, iterations=max(1, int(round(4.0 / step_m))))


def empty_model(strips: list[Strip]) -> EmptyModel | None:
    """A site-wide empty-track profile: ballast is the one colour common to every track (cars come in
    many paints), so rows whose car-band colour sits at the mode of all strips' colours are empty."""
    cents: list[np.ndarray] = []
    feats: list[np.ndarray] = []
    oks: list[np.ndarray] = []
    centres: list[np.ndarray] = []  # per strip, its smoothed car-band colour (again in `_seed_rows`)
    for s in strips:
        f, _ = features(s)
        ok = s.valid[:, centre_columns(s)].all(axis=1)
        feats.append(f)
        oks.append(ok)
        centres.append(_centre_colour(s, f))
        cents.append(centres[-1][ok])
    if not cents or not sum(c.shape[0] for c in cents):
        return None
    mode = _mode(np.concatenate(cents))
    picks: list[np.ndarray] = []
    brights: list[float] = []
    seeds: list[tuple[Strip, np.ndarray]] = []
    for s, f, ok, centre in zip(strips, feats, oks, centres, strict=True):
        rows = _seed_rows(s, f, mode, centre)
        seeds.append((s, rows))
        seed = rows & ok
        if seed.any():
            picks.append(f[seed])
            brights.append(float(f[seed].mean()))
    if not picks:
        return None
    allf = np.concatenate(picks)
    prof = np.median(allf, axis=0)
    dev = np.sqrt(np.mean((allf - prof) ** 2, axis=1))
    return EmptyModel(
        profile=prof,
        noise=float(np.median(dev)),
        brightness=float(np.median(brights)),
        mode=mode,
        seeds=seeds,
    )


def rail_contrast(strip: Strip, profile: np.ndarray) -> float:
    """How much darker the rail lines (+-0.76 m) are than the ballast around them, in a profile vector."""
    cols = centre_columns(strip)
    a = strip.across_m[cols]
    grey = profile.reshape(strip.pixels.shape[0], -1).mean(axis=0)
    rails = np.abs(np.abs(a) - 0.76) <= max(0.2, strip.step_m / 2)
    ballast = (np.abs(a) <= 0.3) | (np.abs(a) >= 1.1)
    if not rails.any() or not ballast.any():
        return 0.0
    return float(grey[ballast].mean() - grey[rails].mean())


def _centre_colour(strip: Strip, f: np.ndarray) -> np.ndarray:
    """Per-row mean colour of the car band, smoothed over ~1.5 m so sleepers do not split the ballast."""
    nb = strip.pixels.shape[0]
    c = f.reshape(strip.n_along, nb, -1).mean(axis=2)
    win = max(1, int(round(1.5 / strip.step_m)))
    return ndimage.uniform_filter1d(c, win, axis=0, mode="nearest") if win > 1 else c


def _densities(q: np.ndarray, nbins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The histogram bins of the rows' bin coordinates `q` (rows x bands, 0 to nbins - 1) that any row
    lies in or beside (flat indexes, ascending), each bin's own count and its count of rows within one
    bin in every band (the full histogram's 3 x 3 x 3 box sum at those bins; 0 elsewhere), reckoned
    from the few filled bins (a few dozen of 41^3) instead of over the whole grid."""
    shape = (nbins,) * q.shape[1]
    filled, count = np.unique(np.ravel_multi_index(tuple(q.T), shape), return_counts=True)
    at = np.stack(np.unravel_index(filled, shape), axis=1)
    steps = np.stack(np.meshgrid(*([np.arange(-1, 2)] * q.shape[1]), indexing="ij"), axis=-1)
    near = (at[:, None, :] + steps.reshape(1, -1, q.shape[1])).reshape(-1, q.shape[1])
    inside = np.all((near >= 0) & (near < nbins), axis=1)
    bins, where = np.unique(np.ravel_multi_index(tuple(near[inside].T), shape), return_inverse=True)
    weights = np.repeat(count, steps.size // q.shape[1])[inside]
    dens = np.bincount(where.ravel(), weights=weights, minlength=bins.size).astype(np.int64)  # exact < 2^53
    own = np.zeros(bins.size, np.int64)
    own[np.searchsorted(bins, filled)] = count
    return bins, own, dens


def _modes(colours: np.ndarray, k: int = 3, bin_w: float = 0.025) -> list[np.ndarray]:
    """The `k` densest, well separated colours (rows x bands) on a smoothed histogram."""
    if colours.shape[0] > 20000:
        colours = colours[:: colours.shape[0] // 20000]
    nbins = int(np.ceil(1.0 / bin_w)) + 1
    if not colours.shape[0]:
        return [np.median(colours, axis=0)]
    q = np.clip(np.floor(colours / bin_w).astype(np.int64), 0, nbins - 1)
    # Smooth: count of rows within one bin in every band (exact integers, so equal densities tie).
    bins, hist, dens = _densities(q, nbins)
    out: list[np.ndarray] = []
    top = float(dens.max())
    # Bins densest first; equal densities by the bin's own count (the sharper peak), then by bin index:
    # the count must not hang on how an unstable sort orders ties. Only bins at >= 10 % of the top are
    # taken. A bin within 2 bins of a colour already taken is passed over (marked for all bins at once
    # as each colour is taken).
    dense = np.flatnonzero(dens >= 0.1 * top)
    order = bins[dense[np.lexsort((-hist[dense], -dens[dense]))][:5000]]
    stop = order.size
    keys = np.stack(np.unravel_index(order, (nbins,) * q.shape[1]), axis=1)
    free = np.ones(stop, bool)
    p = 0
    while len(out) < k:
        nxt = np.flatnonzero(free[p:])
        if not nxt.size:
            break
        p += int(nxt[0])
        near = np.all(np.abs(q - keys[p]) <= 1, axis=1)
        if near.any():
            out.append(np.median(colours[near], axis=0))
            free &= ~np.all(np.abs(keys - np.floor(out[-1] / bin_w)) <= 2, axis=1)
        p += 1
    return out or [np.median(colours, axis=0)]


def _mode(colours: np.ndarray) -> np.ndarray:
    """The densest colour (rows x bands): the ballast when no track is mostly one paint."""
    return _modes(colours, 1)[0]


def _shoulder_colour(strip: Strip) -> np.ndarray | None:
    """Per row, the colour of the brighter ballast shoulder beside the car band (the other may be shadow)."""
    side = (np.abs(strip.across_m) >= SIDE_M[0]) & (np.abs(strip.across_m) <= SIDE_M[1])
    if not (side & (strip.across_m > 0)).any() or not (side & (strip.across_m < 0)).any():
        return None
    left = strip.pixels[:, :, side & (strip.across_m > 0)].mean(axis=2).T
    right = strip.pixels[:, :, side & (strip.across_m < 0)].mean(axis=2).T
    return np.where((left.mean(axis=1) >= right.mean(axis=1))[:, None], left, right)


def _seed_rows(
    strip: Strip, f: np.ndarray, mode: np.ndarray | None, centre: np.ndarray | None = None
) -> np.ndarray:
    """Rows whose car-band colour is the track's ballast colour (its dominant colour): probably empty.

    Ballast varies from track to track (fresh or old stone), so a track's own mode is used, unless
    that mode is clearly unlike the ballast shoulder beside it (a long unit train of one paint) and
    another dominant colour is like it. `centre`: `_centre_colour(strip, f)` when the caller has it."""
    centre = _centre_colour(strip, f) if centre is None else centre
    # a cloud is one smooth grey, often the commonest colour of a track it covers in part
    ok = np.isfinite(centre).all(axis=1) & (centre.sum(axis=1) > 0) & ~cloud_rows(strip)
    candidates = _modes(centre[ok]) if ok.sum() >= 20 else []
    if not candidates:
        if mode is None:
            return np.zeros(strip.n_along, bool)
        candidates = [mode]
    shoulder = _shoulder_colour(strip)
    pick = candidates[0]
    if shoulder is not None and len(candidates) > 1 and strip.step_m <= 0.6:
        likeness, shares = [], []
        for c in candidates:
            rows = np.linalg.norm(centre - c, axis=1) < 0.035
            like = np.linalg.norm(centre[rows] - shoulder[rows], axis=1) < 0.08 if rows.any() else np.zeros(1)
            likeness.append(float(like.mean()))
            shares.append(float(rows.mean()))
        # Only a rival nearly as common as the top colour can take over (ballast is never rare).
        rivals = [k for k in range(1, len(candidates)) if likeness[k] > 0.6 and shares[k] >= 0.4 * shares[0]]
        if likeness[0] < 0.3 and rivals:
            pick = candidates[max(rivals, key=lambda k: likeness[k])]
    if len(candidates) > 1 and strip.step_m <= SHAPE_MAX_STEP_M:
        pick = _bed_shaped_mode(strip, centre, candidates, pick)
    return np.linalg.norm(centre - pick, axis=1) < 0.035


def _bed_shaped_mode(
    strip: Strip, centre: np.ndarray, candidates: list[np.ndarray], pick: np.ndarray
) -> np.ndarray:
    """The picked colour, unless its rows are rarely shaped like an empty bed and another dominant
    colour's rows mostly are (`BED_MODE_SHAPED`): then that colour, the lit bed seen between the cars."""
    shaped = bed_shaped(strip)

    def share_shaped(c: np.ndarray) -> tuple[float, float]:
        rows = np.linalg.norm(centre - c, axis=1) < 0.035
        return float(rows.mean()), float(shaped[rows].mean()) if rows.any() else 0.0

    if share_shaped(pick)[1] >= BED_MODE_SHAPED[0]:
        return pick
    best, best_share = pick, 0.0
    for c in candidates:
        share, like_bed = share_shaped(c)
        lit = float(c.mean()) >= BED_MODE_BRIGHTER * float(pick.mean())
        if lit and like_bed >= BED_MODE_SHAPED[1] and share >= BED_MODE_MIN_SHARE and share > best_share:
            best, best_share = c, share
    return best


def bed_shaped(strip: Strip) -> np.ndarray:
    """Rows that look like an empty track bed across the track: both shoulders brighter than the
    centre, and alike (a dark car's shadow darkens one); smoothed over ~3 m so sleepers and deck
    joints do not break it."""
    a = np.abs(strip.across_m)
    side = (a >= BED_SHOULDER_M[0]) & (a <= BED_SHOULDER_M[1])
    mid = a <= max(1.0, strip.step_m)
    left, right = side & (strip.across_m > 0), side & (strip.across_m < 0)
    if not left.any() or not right.any() or not mid.any():
        return np.zeros(strip.n_along, bool)
    grey = strip.pixels.mean(axis=0)
    win = max(1, int(round(3.0 / strip.step_m)))
    sm = ndimage.uniform_filter1d(grey, win, axis=0, mode="nearest")
    c = sm[:, mid].mean(axis=1)
    lv, rv = sm[:, left].mean(axis=1), sm[:, right].mean(axis=1)
    alike = np.minimum(lv, rv) > 0.85 * np.maximum(lv, rv)  # no car shadow on either shoulder
    return (lv > BED_RATIO * c) & (rv > BED_RATIO * c) & alike


def uniform_pieces(strip: Strip, i0: int, i1: int) -> list[tuple[int, int]]:
    """Rows [i0, i1) cut into pieces of one colour along the track, `BED_BLOCK_M` block by block: a
    piece ends where a block's colour leaves the median of the piece so far by more than
    `BED_STEADY_RGB` (a deck end, a ballast change, or the next car of a string of different paints)."""
    cols = centre_columns(strip)
    grey = strip.pixels[:, i0:i1][:, :, cols].mean(axis=2).T  # rows x bands
    n = max(1, int(round(BED_BLOCK_M / strip.step_m)))
    edges = list(range(0, grey.shape[0], n)) + [grey.shape[0]]
    blocks = np.array([grey[a:b].mean(axis=0) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    out: list[tuple[int, int]] = []
    first = 0
    for k in range(1, len(blocks) + 1):
        if k < len(blocks) and np.abs(blocks[k] - np.median(blocks[first:k], axis=0)).max() <= BED_STEADY_RGB:
            continue
        out.append((i0 + edges[first], i0 + edges[k]))
        first = k
    return out


def bed_runs(strip: Strip, seen: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) rows of seen stretches shaped like an empty bed and of one colour along the track,
    at least `BED_RUN_M` long: a deck or a platform keeps its colour, a string of dark cars (bed-shaped
    where their shadows fall along the track) changes paint from car to car."""
    m = bed_shaped(strip) & seen
    m = np.concatenate([[False], m, [False]])
    d = np.diff(m.astype(np.int8))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    need = BED_RUN_M / strip.step_m
    return [
        (p, q)
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        if b - a >= need
        for p, q in uniform_pieces(strip, a, b)
        if q - p >= need
    ]


def local_template(strip: Strip, f: np.ndarray, seen: np.ndarray) -> np.ndarray | None:
    """Per row, the empty bed of its own stretch of track (rows x features): a running median of the
    bed-shaped rows only (cars left out), which keeps the step at a bridge end sharp; None when the
    track shows too little empty bed."""
    bed = np.zeros(strip.n_along, bool)
    for a, b in bed_runs(strip, seen):
        bed[a:b] = True
    if bed.sum() * strip.step_m < BED_RUN_M:
        return None
    idx = np.flatnonzero(bed)
    win = max(3, int(round(BED_WINDOW_M / strip.step_m)) | 1)
    local = running_median(f[idx], win)
    rows = np.arange(strip.n_along)
    pos = np.clip(np.searchsorted(idx, rows), 0, idx.size - 1)
    prev = np.clip(pos - 1, 0, idx.size - 1)
    nearer = np.abs(idx[prev] - rows) < np.abs(idx[pos] - rows)
    return local[np.where(nearer, prev, pos)]


def running_median(x: np.ndarray, win: int) -> np.ndarray:
    """`ndimage.median_filter(x, size=(win, 1), mode="nearest")` of a rows x features array: column by
    column, where scipy's one-dimensional running median is several times faster than its 2-D rank
    filter (a median picks an element, so the values are the same); NaN or inf take the 2-D path."""
    if x.ndim != 2 or not np.isfinite(x).all():
        return ndimage.median_filter(x, size=(win, 1), mode="nearest")
    cols = [ndimage.median_filter(np.ascontiguousarray(c), size=win, mode="nearest") for c in x.T]
    return np.stack(cols, axis=1) if cols else x.copy()


RAIL_HALF_GAUGE_M = 0.76
"""Each rail's distance from the centreline (1520 mm gauge plus the head; 1435 mm is 0.04 m less)."""
RAIL_SEEN = 0.35
"""Rows whose rail-pair contrast is under this share of the track's empty rows' show no rails: a car
(or its load) covers them, however close its paint is to the ballast."""
RAIL_MIN_CONTRAST = 0.04
"""Rails are used as evidence only where the empty rows show them at least this dark (relative to the
bed beside them), so imagery that does not resolve rails is left to the colour departure."""


def rails_hidden(strip: Strip, seed: np.ndarray) -> np.ndarray | None:
    """Rows where the rail pair (dark lines at +-0.76 m against the bed between and beside them) is not
    seen although the track's empty rows show it clearly; None where they do not."""
    a = strip.across_m
    if seed.sum() < 10 or strip.step_m > SHAPE_MAX_STEP_M:
        return None

    def cols(offsets: tuple[float, ...]) -> np.ndarray:
        return np.unique([int(np.argmin(np.abs(a - o))) for o in offsets])

    grey = strip.pixels.mean(axis=0)
    rail = grey[:, cols((-RAIL_HALF_GAUGE_M, RAIL_HALF_GAUGE_M))].mean(axis=1)
    ref = grey[:, cols((0.0, -1.3, 1.3))].mean(axis=1)
    rel = (ref - rail) / (ref + 0.03)
    rel = ndimage.median_filter(rel, size=3, mode="nearest")
    typ = float(np.median(rel[seed]))
    if typ < RAIL_MIN_CONTRAST:
        return None
    return rel < RAIL_SEEN * typ


def _departure(f: np.ndarray, fn: np.ndarray, rows_t: np.ndarray, resolved: bool = True) -> np.ndarray:
    """Per-row distance from the empty template; shape-only where the row is darker (shadowed ballast).

    Shade scales the ground's light (a cloud's shadow dims every band and column of a row alike), so
    where the rails are `resolved` a darker row is compared with the template scaled by its own best
    gain, read back at the template's brightness: a shaded empty bed departs by its noise only, a car
    by its shape and colour. Coarser, the car band is a column or two and a gain would explain any
    dark car away, so the brightness-normalised form `fn` is compared for clearly darker rows only."""
    t_mean = rows_t.mean(axis=1)
    d_raw = np.sqrt(np.mean((f - rows_t) ** 2, axis=1))
    if not resolved:
        t_norm = rows_t / (t_mean[:, None] + 0.03)
        d_norm = np.sqrt(np.mean((fn - t_norm) ** 2, axis=1)) * (t_mean + 0.03)
        return np.where(f.mean(axis=1) < 0.8 * t_mean, np.minimum(d_raw, 1.5 * d_norm), d_raw)
    gain = np.einsum("ij,ij->i", f, rows_t) / np.maximum(np.einsum("ij,ij->i", rows_t, rows_t), 1e-9)
    gain = np.maximum(gain, MIN_SHADE_GAIN)
    d_shape = np.sqrt(np.mean((f / gain[:, None] - rows_t) ** 2, axis=1))
    darker = f.mean(axis=1) < SHADED * t_mean
    return np.where(darker, np.minimum(d_raw, 1.5 * d_shape), d_raw)


def marked_running_median(values: np.ndarray, rows: np.ndarray, window_rows: float) -> np.ndarray:
    """Per row, the running median of `values` over the marked `rows` only (about `window_rows` of
    them), read at the nearest marked row: a level that leaves the unmarked rows out."""
    idx = np.flatnonzero(rows)
    win = max(3, int(round(window_rows)) | 1)
    local = ndimage.median_filter(values[idx], size=win, mode="nearest")
    at = np.arange(values.shape[0])
    pos = np.clip(np.searchsorted(idx, at), 0, idx.size - 1)
    prev = np.clip(pos - 1, 0, idx.size - 1)
    nearer = np.abs(idx[prev] - at) < np.abs(idx[pos] - at)
    return local[np.where(nearer, prev, pos)]


def cloud_veil(strip: Strip, seed: np.ndarray) -> np.ndarray:
    """Per row and car-band column (rows x columns): how far thin cloud veils the ground towards cloud
    white (0-1), against the track's empty rows. Both ballast shoulders must show it (a car leaves its
    shoulders as they are); a cloud's edge may cross the track aslant, so the veil is interpolated
    across from one shoulder to the other. 0 where there is no empty reference.

    Darkening is not undone: a cloud's shadow and a neighbouring car's shadow on one shoulder plus the
    car's own on the other look alike there; shaded rows are judged by shape (`_departure`)."""
    a = strip.across_m
    sides = [
        (a >= BED_SHOULDER_M[0]) & (a <= BED_SHOULDER_M[1]),
        (a <= -BED_SHOULDER_M[0]) & (a >= -BED_SHOULDER_M[1]),
    ]
    cols = a[centre_columns(strip)]
    shape = (strip.n_along, cols.size)
    none = np.zeros(shape)
    if not all(c.any() for c in sides) or not seed.any():
        return none
    grey = strip.pixels.mean(axis=0)
    win = max(1, int(round(3.0 / strip.step_m)))
    veil = []
    for c in sides:
        g = ndimage.uniform_filter1d(grey[:, c].mean(axis=1), win, mode="nearest")
        if not 0.02 < float(np.median(g[seed])) < CLOUD_GREY - 0.05:
            return none
        if strip.step_m > SHAPE_MAX_STEP_M:
            usual = float(np.percentile(g[seed], BED_BRIGHT_PERCENTILE))
            veil.append((g - usual) / (CLOUD_GREY - float(np.median(g[seed]))))
            continue
        # The bed nearby, from the empty rows either side (a veiled stretch has none of its own).
        ref = marked_running_median(g, seed, VEIL_WINDOW_M / strip.step_m)
        veil.append((g - ref) / np.maximum(CLOUD_GREY - ref, 0.05))
    pos = [float(a[c].mean()) for c in sides]
    w = np.clip((cols - pos[1]) / (pos[0] - pos[1]), 0.0, 1.0)[None, :]  # 1 at the left shoulder

    def across(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return right[:, None] + (left - right)[:, None] * w

    low = np.clip(np.minimum(*veil), 0.0, MAX_HAZE)
    if strip.step_m <= SHAPE_MAX_STEP_M:
        low = np.where(np.maximum(*veil) >= MIN_HAZE, low, 0.0)
    low = low[:, None]
    return np.clip(across(veil[0], veil[1]), low, VEIL_SPREAD * low)


def measure(strip: Strip, model: EmptyModel | None, *, rails: bool = True) -> Occupancy:
    """Departure of every row from the empty track, and the occupied and seen rows.

    `rails`: the strip is centred on the track's rails (a co-registered catalog track), so rows where
    the rail pair is hidden are cars whatever their paint (`rails_hidden`); False for lines found in
    the pixels, which may follow a wagon's edge rather than the rails."""
    f, fn = features(strip)
    ok = strip.valid[:, centre_columns(strip)].all(axis=1)
    cloud, shadow = cloud_and_shadow(strip, model.brightness if model else None)
    seen = ok & ~cloud & ~shadow
    template = model.profile if model is not None else None
    known = model.seed_rows(strip) if model is not None else None
    seed = (known if known is not None else _seed_rows(strip, f, model.mode if model else None)) & seen
    own_rows = seed.sum() * strip.step_m >= 15.0
    veiled = np.zeros(strip.n_along, bool)
    if own_rows:
        # Thin cloud over the whole corridor (a cloud's rim) is not a car.
        veil = cloud_veil(strip, seed)[:, None, :]
        veiled = veil.max(axis=2)[:, 0] >= MIN_HAZE if veil.size else veiled
        nb = strip.pixels.shape[0]
        px = (f.reshape(strip.n_along, nb, -1) - veil * CLOUD_GREY) / (1.0 - veil)
        f = px.reshape(strip.n_along, -1)
    # A track's own empty rows describe it better than the site model when there are enough.
    if own_rows:
        template = np.median(f[seed], axis=0)
    if template is None:
        template = np.median(f[seen], axis=0) if seen.any() else f.mean(axis=0)
    resolved = strip.step_m <= SHAPE_MAX_STEP_M
    dep_one = _departure(f, fn, np.broadcast_to(template, f.shape), resolved)
    floor = 0.02
    ref = dep_one[seed] if own_rows else None
    if ref is not None:
        med = float(np.median(ref))
        mad = float(np.median(np.abs(ref - med))) * 1.4826
        floor = max(floor, med + 4.0 * mad)
    elif model is not None:
        floor = max(floor, 3.0 * model.noise)
    local = local_template(strip, f, seen)
    # The local bed only explains rows away (a bridge deck), it never adds departures.
    dep = np.minimum(dep_one, _departure(f, fn, local, resolved)) if local is not None else dep_one
    thr = floor
    hidden = rails_hidden(strip, seed) if rails else None
    if hidden is not None:
        # No rails seen on a row that departs at all: a car the colour of the ballast.
        dep = np.where(hidden & (dep > 0.5 * thr), np.maximum(dep, 1.2 * thr), dep)
    win = 3 if strip.step_m <= 0.35 else 1
    dep_s = ndimage.median_filter(dep, size=win, mode="nearest") if win > 1 else dep
    occupied = (dep_s > thr) & seen
    return Occupancy(
        departure=dep_s, occupied=occupied, seen=seen, cloud=cloud, shadow=shadow, threshold=thr,
        veiled=veiled,
    )
