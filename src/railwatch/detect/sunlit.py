"""Cars from their cast shadows along track strips, for sunny sub-metre imagery.

In full sun every wagon casts a dark band beside its long side; coupler gaps break the band, and an
empty track casts none. Where the imagery shows that pattern consistently (one shadow side for the
whole image, found from the pixels), the shadow band beside each track is stronger evidence of cars
than the track's departure from the empty-track colour, which mistakes a neighbour's shadow, or a
patch of odd ballast, for a car. The pattern must show long shadows (the wagon side hides the rails
and the shadow fills the probed band): short noon shadows or dark cars do not switch it on. Runs of
shadow are split at coupler gaps; long stretches of hidden rails with a body count where a wagon's
shadow falls on its neighbour. Works on the re-centred 0-1 strips of `count()`.

When the sun's position is known (time and place, or image metadata), the geometry must also suit
the path: the shadows the pixels point to must fall away from the sun, reach across the probed band,
and leave the coupler gaps open (an oblique sun smears each wagon's shadow along the track over the
gap, and a train's shadow becomes one unbroken wall). Otherwise a dark neighbour, dark cars or the
far side's rails can pass the pixel test and put the cars on the wrong tracks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import ndimage
from shapely import STRtree, points
from shapely.geometry import Polygon

from railwatch.detect import types
from railwatch.detect.cars import span_car
from railwatch.detect.estimate import Estimate
from railwatch.detect.runs import runs
from railwatch.imagery import sun as sun_geometry
from railwatch.imagery.corridor import Strip
from railwatch.records import Car

__all__ = [
    "MAX_GSD_M",
    "Sun",
    "sun",
    "suited",
    "estimate",
    "beside",
    "beside_rounds",
    "duplicates",
    "margins",
    "widen",
]

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
SUNNY_RATIO = 0.56
"""Sunny when the wagon side of the shadows shows at most this fraction of the other side's rails
(real Muttenz, long shadows: 0.49; simulated yards, tuning seeds: 0.39-0.99)..."""
MIN_BAND_FILL = 0.8
"""...and the cast shadows reach across the probed band: where the first half metre beyond a wagon
side is shadow, at least this share of the band is (Muttenz: 0.93; simulated yards whose rail ratio
passes, with shorter shadows or dark cars rather than shadows: 0.0-0.65)."""
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
SAME_CAR = 0.5
"""Two cars from different lines whose footprints share this much of the smaller one are one wagon
(discovery finds a wagon's rails and its shadow edge as two lines)."""
INTERVAL_FRACTION = 0.2
"""Relative count uncertainty of the shadow path over an image (runs split wrong, shadows hidden by
neighbours, low wagons with no shadow: real Muttenz misses a fifth of its wagons and one find in six
is false, the total within 5-10 % of the truth)."""


SPLIT_ABOVE_M = 18.0
"""Shadow runs longer than this may hold two wagons and are searched for a coupler gap."""
MAX_SINGLE_M = 27.0
"""Longest single wagon (articulated tank 24 m) with margin: a merged run stays within it."""
END_M = 4.0
"""A coupler gap lies at least this far from either end of a run (the shortest wagon's shadow)."""
FRAGMENT_M = 8.5
"""A shadow run shorter than this is part of a wagon (the shortest are 9.7 m over buffers)..."""
MERGE_GAP_M = 1.0
"""...and is joined to a neighbouring run at most this far away (a break in a wagon's shadow: a ladder,
a hopper's waist). Wider breaks are coupler gaps: the bodies of coupled wagons stand 1.2-1.5 m apart
(buffers), and a short wagon or a wagon stub beside one is a car of its own."""
MAX_UNBROKEN_M = 45.0
"""A shadow run with no coupler gap over three wagons' length is a wall, fence or kerb edge: the sun
shines through the 1-1.5 m between the buffers of coupled wagons."""
GAP_DIP = 0.35
"""A coupler gap: the shadow fraction dips by this share below the run's median."""
USE_RAILS = True
"""Also take long stretches of hidden rails with no shadow as wagons (their shadow falls on a
neighbouring wagon, or the wagon is low)."""
RAIL_GONE = 0.2
"""Rails are hidden where their ridge is below this fraction of the image's typical track."""
BODY_MIN_M = 8.0
"""A wagon without its own shadow must hide the rails over at least this length."""
NEAR_RAILS_M = 0.8
"""A rail pair centred this close to the line is its track (a discovered line may follow one rail:
half the gauge, 0.75 m, off the centre)."""
BODY_OCCUPIED = 0.5
"""...and the occupancy model must see something other than empty track on this share of it
(paving, grass and lines off the rails hide rails too, but look like empty ground)."""
NEIGHBOUR_PROBE_M = 3.5
"""Across the track, this far on the shadow side stands the body of a wagon on the next track (track
spacing 4.5-5 m less half a wagon width, 1.45 m, with margin): a wagon there catches this one's shadow."""
RAIL_HIDDEN_BESIDE = 0.45
"""Beside such a neighbour, rails weaker than this fraction of the image's typical track (relative to the
local brightness, so that the neighbour's shade on empty track does not hide them) are hidden: a low flat
wagon's frame and deck show faint ridges of their own, so the bare `RAIL_GONE` is too strict."""
BESIDE_ROUNDS = 3
"""At most this many rounds of `beside`, each with the previous round's finds as neighbours: low wagons
stand side by side on several tracks of a yard's sorting sidings, each shading the next."""
MIN_LOCAL_GRAY = 0.02
"""Floor of the local brightness (0-1) that relative rail ridges are divided by (black shade, nodata)."""
STUB_REACH_M = 3.0
"""A strip end is at the image border when its corridor leaves the image within this of the end (a
discovered line stops short of the border by 1-2 m where the wagon stub at the border hides its rails)."""
STUB_BAND_M = 1.0
"""Shortest shadow band of a wagon stub at the border that is split off its neighbour (`_cut_stub`):
the band leaves the image before the body does, so a 3 m stub may show 1 m of band."""
STUB_CLOSE_M = 1.0
"""Gaps in the hidden rails of a border stub up to this long are bridged (a bright edge, a ladder)."""
BESIDE_CONFIDENCE = 0.25
"""Confidence of a wagon found beside its shadowed neighbour: below every shadow find, so that where
lines overlap the wagon is kept from its own shadow (`duplicates`)."""


TYPICAL_CAR_HEIGHT_M = 4.0
"""Roof height of a typical freight wagon above the ground (covered wagons and tanks 4.0-4.3 m)."""
LOW_CAR_HEIGHT_M = 3.0
"""Roof or load height of the lower common wagons (gondolas 3.5 m, loaded flats 2.5-3.5 m): a look
suits the shadow path only when their shadows too reach past the probed band (a 4 m wagon alone let
62 deg suns through by 0.09 m, and the path then cut simulated yards worse than occupancy)."""
MIN_REACH_M = 2.0
"""With the sun known, a wagon's shadow must reach this far beyond its side, across the track: the
probed band (to 1.5 m) with a margin, so that a borderline look does not flip the path."""
MAX_SPILL_M = 0.6
"""...and, in the middle of the probed band, slide along the track past the wagon's end by at most
this: the bodies of coupled wagons stand 0.8-1.5 m apart, and the gap must stay open in the band."""
MIN_SUITED = 0.5
"""Share of the seen track rows on which the known sun's geometry must suit the shadow path."""


class Sun:
    """Which way cast shadows fall (a unit vector in the strips' metric frame), how dark they are, and
    the typical rail-pair strength on the track centres, absolute and relative to the local brightness
    (`_rail_pairs`; 0 when unknown)."""

    def __init__(
        self, direction: np.ndarray, dark: float, rails: float = 0.0, rails_rel: float = 0.0
    ) -> None:
        self.direction = direction
        self.dark = dark
        self.rails = rails
        self.rails_rel = rails_rel


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


def _rail_pairs(strip: Strip, relative: bool = False) -> np.ndarray:
    """Per pixel, how clearly a rail pair (two dark ridges 1.5 m apart) is centred there; `relative`:
    each ridge as a share of the local brightness, so that rails in shade count as much as in sun."""
    g = ndimage.gaussian_filter1d(_gray(strip), 0.7, axis=1)
    ridge = np.zeros_like(g)
    ridge[:, 1:-1] = np.maximum(g[:, :-2] + g[:, 2:] - 2 * g[:, 1:-1], 0)
    if relative:
        local = ndimage.uniform_filter(g, max(int(round(2 * RAIL_HALF_M / strip.step_m)), 3))
        ridge /= np.maximum(local, MIN_LOCAL_GRAY)
    k = max(int(round(RAIL_HALF_M / strip.step_m)), 1)
    out = np.zeros_like(ridge)
    out[:, k:-k] = np.minimum(ridge[:, : -2 * k], ridge[:, 2 * k :])
    return out


def _normals(strip: Strip) -> np.ndarray:
    """Per row, the unit vector of positive across offsets (left of travel) in the frame."""
    return np.stack([-strip.ty, strip.tx], axis=1)


def sun(
    strips: list[Strip], gsd_m: float, position: Sequence[float] | None = None, *, catalog: bool = False
) -> Sun | None:
    """The shadow direction and dark level when the strips show consistent cast shadows, else None.

    A cast shadow lies between the wagon casting it, which hides the rails, and open track whose
    rails show: summed over every shadow pixel, the side with clearly fewer rails is the wagon side.
    `position`: the sun's (azimuth_deg, elevation_deg) when known; its shadows must then agree
    (`suited`). `catalog`: the tracks are surveyed lines, not found from the pixels; there the pixel
    test alone is not trusted (it was validated on discovered tracks, and on simulated catalog yards it
    passed on dark cars and oblique shadows, 7 of 21 Tumangang looks, 5 of them read far worse), so
    without the sun's position the occupancy path counts.
    """
    if gsd_m > MAX_GSD_M or not strips or (catalog and position is None):
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
    if wagon_side > SUNNY_RATIO * shadow_side or _band_fill(strips, u, dark) < MIN_BAND_FILL:
        return None
    if position is not None and suited(strips, u, position) < MIN_SUITED:
        return None
    centre = np.concatenate([_centre_rails(s)[s.valid.any(axis=1)] for s in strips])
    rel = np.concatenate([_centre_rails(s, True)[s.valid.any(axis=1)] for s in strips])
    return Sun(
        u, dark, float(np.median(centre)) if centre.size else 0.0, float(np.median(rel)) if rel.size else 0.0
    )


def suited(strips: list[Strip], u: np.ndarray, position: Sequence[float]) -> float:
    """Share of the seen rows where the sun at (azimuth_deg, elevation_deg) casts wagon shadows that
    the shadow path can read: on the side the pixels show (`u`), a low wagon's (`LOW_CAR_HEIGHT_M`)
    reaching `MIN_REACH_M` beyond the wagon side, and sliding along the track by at most `MAX_SPILL_M`
    in the probed band."""
    el = math.radians(position[1])
    if el <= 0:
        return 0.0
    shadow = np.array(sun_geometry.shadow_direction(position[0])) / math.tan(el)  # m per m of height
    x_m = 0.5 * (BAND_M[0] + BAND_M[1])  # the band's middle, beyond the wagon side
    good = total = 0
    for s in strips:
        seen = s.valid.any(axis=1)
        n = _normals(s)[seen]
        across = n @ shadow  # per metre of height, + = towards the strip's + side
        along = np.abs(s.tx[seen] * shadow[0] + s.ty[seen] * shadow[1])
        same_side = np.sign(across) == np.sign(n @ u)
        reach = LOW_CAR_HEIGHT_M * np.abs(across)
        with np.errstate(divide="ignore"):
            spill = along * np.maximum(TYPICAL_CAR_HEIGHT_M - x_m / np.abs(across), 0.0)
        good += int((same_side & (reach >= MIN_REACH_M) & (spill <= MAX_SPILL_M)).sum())
        total += int(seen.sum())
    return good / total if total else 0.0


def _band_fill(strips: list[Strip], u: np.ndarray, dark: float) -> float:
    """How far cast shadows reach: over rows whose first half metre beyond a wagon side is shadow,
    the mean shadow share of the whole probed band (long shadows fill it, short ones do not)."""
    lo, hi = CAR_HALF_M + BAND_M[0], CAR_HALF_M + BAND_M[1]
    filled, n = 0.0, 0
    for s in strips:
        side = np.where(_normals(s) @ u > 0, 1.0, -1.0)
        shade = _shade(s, dark)
        for sign in (1.0, -1.0):
            rows = side == sign
            a = sign * s.across_m
            inner = (a >= CAR_HALF_M) & (a < lo)
            band = (a >= lo) & (a <= hi)
            if not inner.any() or not band.any() or not rows.any():
                continue
            start = shade[rows][:, inner].mean(axis=1) > 0.5
            filled += float(shade[rows][start][:, band].mean(axis=1).sum())
            n += int(start.sum())
    return filled / n if n else 0.0


def _centre_rails(strip: Strip, relative: bool = False) -> np.ndarray:
    """Per row, the strongest rail pair centred within `NEAR_RAILS_M` of the line, smoothed over 3 m
    (sleepers, noise): a discovered line may run along one rail or the ballast edge, not the centre."""
    near = np.flatnonzero(np.abs(strip.across_m) <= max(NEAR_RAILS_M, strip.step_m))
    r = _rail_pairs(strip, relative)[:, near].max(axis=1)
    return ndimage.uniform_filter1d(r, max(int(round(3.0 / strip.step_m)), 1))


def _merge_fragments(
    pieces: list[tuple[int, int]], step: float, cut: frozenset[tuple[int, int]] = frozenset()
) -> list[tuple[int, int]]:
    """Join each run too short for a wagon to its nearest neighbour across a short break, as long as
    the two still fit one wagon: a dip in one wagon's shadow, not a coupler gap. Runs in `cut` end at
    the edge of what is seen: a wagon cut there is short, not a fragment."""
    out = list(pieces)
    changed = True
    while changed:
        changed = False
        for k, (a, b) in enumerate(out):
            if (b - a) * step >= FRAGMENT_M or (a, b) in cut:
                continue
            options = []
            if k > 0 and (a - out[k - 1][1]) * step <= MERGE_GAP_M:
                options.append((a - out[k - 1][1], b - out[k - 1][0], k - 1))
            if k + 1 < len(out) and (out[k + 1][0] - b) * step <= MERGE_GAP_M:
                options.append((out[k + 1][0] - b, out[k + 1][1] - a, k + 1))
            for _, _, j in sorted(options):  # the nearer, then the one leaving the shorter wagon
                lo, hi = min(a, out[j][0]), max(b, out[j][1])
                if (hi - lo) * step <= MAX_SINGLE_M:
                    out[min(k, j)] = (lo, hi)
                    del out[max(k, j)]
                    changed = True
                    break
            if changed:
                break
    return out


def _split(frac: np.ndarray, i0: int, i1: int, step: float) -> list[tuple[int, int]]:
    """Split a shadow run at coupler gaps (dips of the shadow fraction) into single wagons; a run with
    no clear gap is divided evenly by the typical wagon length, or dropped past `MAX_UNBROKEN_M`."""
    length = (i1 - i0) * step
    end = int(round(END_M / step))
    if length > SPLIT_ABOVE_M and i1 - i0 > 2 * end + 1:
        seg = frac[i0:i1]
        k = int(np.argmin(seg[end:-end])) + end
        if float(seg[k]) < (1.0 - GAP_DIP) * float(np.median(seg)):
            return _split(frac, i0, i0 + k, step) + _split(frac, i0 + k + 1, i1, step)
    if length > MAX_UNBROKEN_M:
        return []
    n = max(1, int(round((length - SPILL_M) / WAGON_LENGTH_M)))
    edges = np.linspace(i0, i1, n + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _cut_stub(
    frac: np.ndarray, i0: int, i1: int, step: float, at_start: bool
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A run that reaches the image border split into (wagon, stub) at a coupler gap between
    `MIN_CUT_M` and `END_M` from the border end (`at_start`: the border is at i0): the wagon cut
    there can be shorter than any whole wagon, so `_split` does not look that close to the end."""
    lo, hi = int(round(STUB_BAND_M / step)), int(round(END_M / step))
    if (i1 - i0) * step < FRAGMENT_M + MIN_CUT_M or hi <= lo:
        return None
    ks = np.arange(i0 + lo, i0 + hi) if at_start else np.arange(i1 - hi, i1 - lo)
    k = int(ks[np.argmin(frac[ks])])
    if float(frac[k]) >= (1.0 - GAP_DIP) * float(np.median(frac[i0:i1])):
        return None
    return ((k + 1, i1), (i0, k)) if at_start else ((i0, k), (k + 1, i1))


def _spans(
    frac: np.ndarray,
    occupied: np.ndarray,
    seen: np.ndarray,
    step: float,
    border: tuple[bool, bool] = (False, False),
) -> list[tuple[int, int]]:
    """Row spans of single wagons: every occupied run long enough is split at its coupler gaps first,
    then pieces too short for a wagon are joined to a neighbour (`_merge_fragments`). In that order a
    dip inside a wagon that cuts a run next to a break in the same wagon's shadow is mended.
    `border`: whether the strip's start / end lies at the image border, where a run may end in a stub
    (`_cut_stub`)."""
    pieces, cut = [], set()
    for i0, i1 in runs(occupied):
        at_edge = _at_edge(seen, i0, i1)
        if (i1 - i0) * step >= (MIN_CUT_M if at_edge else MIN_RUN_M):
            for first in (True, False):
                touches = not seen[:i0].any() if first else not seen[i1:].any()
                stub = _cut_stub(frac, i0, i1, step, first) if border[0 if first else 1] and touches else None
                if stub is not None:
                    pieces.append(stub[1])
                    cut.add(stub[1])
                    i0, i1 = stub[0]
            for a, b in _split(frac, i0, i1, step):
                pieces.append((a, b))
                if _at_edge(seen, a, b):
                    cut.add((a, b))
    return _merge_fragments(sorted(pieces), step, frozenset(cut))


def _at_edge(seen: np.ndarray, i0: int, i1: int) -> bool:
    """Whether the run of rows [i0, i1) touches the end of the strip or a row not seen."""
    return i0 == 0 or i1 >= len(seen) or not seen[i0 - 1] or not seen[i1]


def _border_stubs(strip: Strip, hidden: np.ndarray, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row spans of wagons cut by the image border at either end of a strip: their shadow band leaves
    the image (or falls on the next wagon), so only the body shows, hiding the rails from the last car
    found up to the border. `hidden`: per row, rails hidden and the occupancy model sees a body."""
    step = strip.step_m
    n = strip.n_along
    reach = max(int(round(STUB_REACH_M / step)), 1)
    taken = np.zeros(n, bool)
    for a, b in spans:
        taken[a:b] = True
    body = hidden | ndimage.binary_closing(hidden, np.ones(max(int(round(STUB_CLOSE_M / step)), 1), bool))
    body &= ~taken
    seen = np.flatnonzero(strip.valid.any(axis=1))
    if seen.size == 0:
        return []
    out = []
    for first in (True, False):
        ends = strip.valid[:reach] if first else strip.valid[-reach:]
        if ends.all():
            continue  # the corridor stays inside the image: the line ends, not the image
        i = int(seen[0]) if first else int(seen[-1])
        j = i
        while 0 <= j < n and body[j]:
            j += 1 if first else -1
        i0, i1 = (i, j) if first else (j + 1, i + 1)
        if MIN_CUT_M <= (i1 - i0) * step <= MAX_SINGLE_M:
            out.append((i0, i1))
    return out


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
    # where the shadow band leaves the image a wagon's shadow cannot be seen: the strip ends there
    band_seen = np.where(side > 0, strip.valid[:, cols_pos].any(axis=1), strip.valid[:, cols_neg].any(axis=1))
    occupied = frac > MIN_DARK_FRACTION
    if USE_RAILS and sunlight.rails > 0:
        body_cols = np.abs(strip.across_m) <= CAR_HALF_M
        in_shade = shade[:, body_cols].mean(axis=1) > MIN_DARK_FRACTION  # a neighbour's shadow, not a body
        hidden = seen & (_centre_rails(strip) < RAIL_GONE * sunlight.rails) & ~occupied & ~in_shade
        body = base.occupancy.occupied if base.occupancy is not None else np.zeros_like(hidden)
        for i0, i1 in runs(hidden):
            long_enough = BODY_MIN_M if not _at_edge(band_seen, i0, i1) else MIN_CUT_M
            if (i1 - i0) * step >= long_enough and body[i0:i1].mean() >= BODY_OCCUPIED:
                occupied[i0:i1] = True
    reach = max(int(round(STUB_REACH_M / step)), 1)
    border = (not strip.valid[:reach].all(), not strip.valid[-reach:].all())
    spans = sorted(_spans(frac, occupied, seen & band_seen, step, border))
    if USE_RAILS and sunlight.rails > 0 and base.occupancy is not None:
        hidden = seen & (_centre_rails(strip) < RAIL_GONE * sunlight.rails) & base.occupancy.occupied
        spans = sorted(spans + _border_stubs(strip, hidden, spans))
    cars: list[Car] = []
    for a, b in spans:
        f = types.features(strip, int(a), int(b))
        kind, conf, type_p = types.classify_probabilities(f, fine=True)
        scale = float(np.clip(frac[a:b].mean() / 0.6, 0.5, 1.0))
        cars.append(span_car(strip, int(a), int(b), track, kind, f.rgb, conf * scale, type_p))
    n = len(cars)
    return Estimate(cars, n, n, base.occupancy)  # the interval comes from `widen`, over all tracks


def beside(strip: Strip, sunlight: Sun, others: list[Polygon], cars: list[Car], track: str = "") -> list[Car]:
    """Wagons whose shadow falls on a wagon standing on the next track, so they cast no band of their own.

    `others`: footprints (the strip's frame) of the cars found on other tracks; `cars`: this track's.
    Where a neighbour's body lies `NEIGHBOUR_PROBE_M` across on the shadow side, a stretch of at least
    `BODY_MIN_M` with the rails hidden (`RAIL_HIDDEN_BESIDE`, relative to the local brightness) and no
    shadow in the band is a wagon: empty track there shows its rails, in a neighbour's shade or not. Only
    beside a car already found, so paving and grass, which hide rails too, do not count on their own.
    """
    if not others or sunlight.rails_rel <= 0:
        return []
    step = strip.step_m
    side = np.where(_normals(strip) @ sunlight.direction > 0, 1.0, -1.0)
    x, y = strip.to_map(strip.along_m, side * NEIGHBOUR_PROBE_M)
    covered = np.zeros(strip.n_along, bool)
    covered[np.unique(STRtree(others).query(points(x, y), predicate="within")[0])] = True
    if not covered.any():
        return []
    lo, hi = CAR_HALF_M + BAND_M[0], CAR_HALF_M + BAND_M[1]
    a = strip.across_m
    shade = _shade(strip, sunlight.dark)
    pos, neg = shade[:, (a >= lo) & (a <= hi)].mean(axis=1), shade[:, (a <= -lo) & (a >= -hi)].mean(axis=1)
    band = np.where(side > 0, pos, neg)
    band = ndimage.uniform_filter1d(band.astype(float), max(int(round(SMOOTH_M / step)), 1))
    hidden = strip.valid.any(axis=1) & (_centre_rails(strip, True) < RAIL_HIDDEN_BESIDE * sunlight.rails_rel)
    free = covered & hidden & (band <= MIN_DARK_FRACTION)
    for c in cars:  # rows this track's own finds hold
        i0, i1 = (max(int(round((m - strip.start_m) / step)), 0) for m in (c.start_m, c.end_m))
        free[i0:i1] = False
    out = []
    for i0, i1 in runs(free):
        if (i1 - i0) * step < BODY_MIN_M:
            continue
        for a0, a1 in _split(np.zeros(strip.n_along), i0, i1, step):
            f = types.features(strip, int(a0), int(a1))
            kind, conf, type_p = types.classify_probabilities(f, fine=True)
            conf *= BESIDE_CONFIDENCE
            out.append(span_car(strip, int(a0), int(a1), track, kind, f.rgb, conf, type_p))
    return out


def beside_rounds(
    strips: Sequence[Strip | None],
    sunlight: Sun,
    cars: Sequence[list[Car]],
    frames: Sequence[object],
    tracks: Sequence[str],
) -> list[list[Car]]:
    """Per track, the wagons `beside` finds, round after round (`BESIDE_ROUNDS`) until none is new.

    `cars`: each track's cars so far; `frames`: each strip's frame (CRS), footprints of strips in
    different frames are not compared. Footprints are in each strip's own frame; the caller places them.
    """
    fps = [
        s.footprints([(c.start_m, c.end_m) for c in cs]) if s is not None else []
        for s, cs in zip(strips, cars, strict=True)
    ]
    found: list[list[Car]] = [[] for _ in strips]
    for _ in range(BESIDE_ROUNDS):
        new = []
        for k, s in enumerate(strips):
            if s is None:
                new.append([])
                continue
            others = [fp for j, f in enumerate(fps) if j != k and frames[j] == frames[k] for fp in f]
            new.append(beside(s, sunlight, others, list(cars[k]) + found[k], track=tracks[k]))
        if not any(new):
            break
        for k, s in enumerate(strips):
            if new[k] and s is not None:
                fps[k] = fps[k] + s.footprints([(c.start_m, c.end_m) for c in new[k]])
                found[k] += new[k]
    return found


def margins(counts: list[int], fraction: float = INTERVAL_FRACTION) -> list[int]:
    """Per-track count margins summing to `fraction` of the image total, rounded up, shared in
    proportion to each track's count (largest remainders first).

    The shadow path's errors (a run split wrong, a wagon hidden by its neighbour) scale with the cars
    seen, not with the number of discovered lines: rounding each line's margin up on its own would
    add a car either side of every one- or two-car line and inflate the image interval several-fold.
    """
    total = sum(counts)
    if total <= 0:
        return [0] * len(counts)
    budget = int(math.ceil(fraction * total - 1e-9))
    share = np.asarray(counts, float) * budget / total
    out = np.floor(share).astype(int)
    for k in np.argsort(-(share - out), kind="stable")[: budget - int(out.sum())]:
        out[k] += 1
    return [int(m) for m in out]


def widen(ests: list[Estimate | None]) -> None:
    """Give every track of the shadow path its share of the image margin (`margins`), in place."""
    live = [e for e in ests if e is not None]
    for e, m in zip(live, margins([len(e.cars) for e in live]), strict=True):
        n = len(e.cars)
        e.low, e.high = max(0, n - m), n + m


def duplicates(per_track: list[list[Car]]) -> list[list[Car]]:
    """Per track, its cars whose footprint mostly overlaps a more confident car of another track.

    Discovered lines overlap where a wagon's rails and its shadow edge are both found, and where
    yard lines cross; each wagon should be counted once, by its most confident find.
    """
    items = [
        (c.confidence, k, c) for k, cars in enumerate(per_track) for c in cars if c.footprint is not None
    ]
    items.sort(key=lambda it: -it[0])
    polys = [c.footprint for _, _, c in items]
    tree = STRtree(polys)
    kept = np.zeros(len(items), bool)
    out: list[list[Car]] = [[] for _ in per_track]
    for i, (_, k, car) in enumerate(items):
        fp = polys[i]
        same = any(
            kept[j]
            and items[j][1] != k
            and fp.intersection(polys[j]).area > SAME_CAR * min(fp.area, polys[j].area)
            for j in tree.query(fp)
        )
        if same:
            out[k].append(car)
        else:
            kept[i] = True
    return out
