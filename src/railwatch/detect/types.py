"""Car type, dominant colour and confidence from simple features of the pixels of one car: length,
across-track brightness profile (tank ridge, gondola rims), colour blocks along the car
(containers), wrinkle texture and hue (tarps), and length plus roof detail (locomotives)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from railwatch.imagery.corridor import Strip

BODY_HALF_M = 1.5

LENGTH_M = {
    # Length over couplers, from /work/shared/data/reference/rail_vehicles.csv (RU 1520 mm and CN
    # 1435 mm fleets) and the Muttenz yard median; used to turn occupied length into a count.
    "gondola": 13.9,
    "tank": 12.0,
    "container": 15.0,
    "boxcar": 16.4,
    "covered": 14.5,
    "flat": 14.0,
    "passenger": 24.5,
    "locomotive": 18.15,
    "unknown": 14.5,
}
TYPICAL_M = 15.5
"""Mean car length over couplers of a mixed fleet (reference lengths above weighted by a typical
mix; the Muttenz median is 14.5 m but the mean is pulled up by long cars)."""
SPREAD_M = 4.2
"""Standard deviation of car length (Muttenz 5-95 %: 9.7-22.1 m)."""


@dataclass
class Features:
    """What the type rules look at, for one car."""

    length_m: float
    rgb: np.ndarray
    ridge: float
    rim: float
    blocks: float
    texture: float
    saturation: float
    contrast: float
    brightness: float = 0.5
    """Mean grey of the body (0-1): profile features are read relative to it (sun, paint)."""


def hex_colour(rgb: np.ndarray) -> str:
    """'#rrggbb' of an RGB triple in 0-1 (a single band is shown as grey)."""
    v = np.asarray(rgb, float).ravel()
    if v.size < 3:
        v = np.repeat(v[:1] if v.size else np.array([0.5]), 3)
    r, g, b = (int(round(min(max(x, 0.0), 1.0) * 255)) for x in v[:3].tolist())
    return f"#{r:02x}{g:02x}{b:02x}"


BODY_COLUMNS_CACHE = 16
"""Across grids whose body columns are kept (one per strip resolution in use)."""
_body_cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _body_columns(across_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The body columns of an across grid (|across| <= `BODY_HALF_M`) and, among them, the masks of the
    centre (<= 0.45 m), the shoulders (0.6-1.15 m) and the rims (> 1.15 m); worked out once per grid
    (every car of a strip reads the same columns)."""
    key = across_m.dtype.str.encode() + across_m.tobytes()
    hit = _body_cache.get(key)
    if hit is None:
        cols = np.flatnonzero(np.abs(across_m) <= BODY_HALF_M + 1e-9)
        across = np.abs(across_m[cols])
        hit = (cols, across <= 0.45, (across > 0.6) & (across <= 1.15), across > 1.15)
        for a in hit:
            a.flags.writeable = False  # shared by every car of every strip on this grid
        if len(_body_cache) >= BODY_COLUMNS_CACHE:
            _body_cache.pop(next(iter(_body_cache)), None)
        _body_cache[key] = hit
    return hit


def _row_medians(x: np.ndarray) -> np.ndarray:
    """`np.median(x, axis=1)` of a 2-D float array, to the bit (the middle one or two of a partition, the
    two summed and halved in the array's dtype), without np.median's per-call overhead."""
    n = x.shape[1]
    if n == 0:
        return np.median(x, axis=1)
    h = n // 2
    part = np.partition(x, [h - 1, h, n - 1] if n % 2 == 0 else [h, n - 1], axis=1)
    if np.isnan(part[:, -1]).any():  # NaN sorts last: np.median's answer (NaN) for those rows
        return np.median(x, axis=1)
    return part[:, h].copy() if n % 2 else (part[:, h - 1] + part[:, h]) / 2


def features(strip: Strip, i0: int, i1: int, ballast: np.ndarray | None = None) -> Features:
    """Features of rows [i0, i1) of a (re-centred, 0-1) strip."""
    cols, inner, middle, outer = _body_columns(strip.across_m)
    px = strip.pixels[:, i0:i1][:, :, cols]  # bands, rows, cols
    nb = px.shape[0]
    if nb < 3:
        px = np.repeat(px[:1], 3, axis=0)
    grey = px.mean(axis=0)
    # Trim car ends (couplers, blur) for the body statistics.
    trim = min(grey.shape[0] // 4, max(1, int(round(0.8 / strip.step_m))))
    trimmed = grey.shape[0] > 2 * trim + 1
    body = px[:, trim : grey.shape[0] - trim] if trimmed else px
    gb = grey[trim : grey.shape[0] - trim] if trimmed else grey  # the band mean is per pixel
    rgb = _row_medians(body.reshape(3, -1))
    prof = gb.mean(axis=0)
    centre = prof[inner].mean() if inner.any() else prof.mean()
    mid = prof[middle]
    mid_v = mid.mean() if mid.size else prof.mean()
    edge = prof[outer]
    edge_v = edge.max() if edge.size else prof.mean()
    ridge = float(centre - mid_v)
    rim = float(edge_v - 0.5 * (centre + mid_v))
    row_rgb = body.mean(axis=2)  # bands, rows
    win = max(1, int(round(2.0 / strip.step_m)))
    if row_rgb.shape[1] > 2 * win:
        # the 2 m running mean of each band: one pass over the bands end to end, the outputs that
        # straddle two bands dropped (each output is the same dot product as band by band)
        n = row_rgb.shape[1]
        run = np.convolve(row_rgb.ravel(), np.ones(win) / win, mode="valid")
        sm = run[np.arange(3)[:, None] * n + np.arange(n - win + 1)]
        blocks = float(np.sqrt(np.mean(np.var(sm, axis=1))))
    else:
        blocks = 0.0
    if gb.shape[0] > 2 and gb.shape[1] > 2:
        hp = gb[1:-1, 1:-1] - 0.25 * (gb[:-2, 1:-1] + gb[2:, 1:-1] + gb[1:-1, :-2] + gb[1:-1, 2:])
        texture = float(np.std(hp))
    else:
        texture = 0.0
    saturation = float(rgb.max() - rgb.min())
    contrast = float(np.linalg.norm(rgb - ballast)) if ballast is not None else 1.0
    length = (i1 - i0) * strip.step_m
    brightness = float(max(prof.mean(), 1e-3))
    return Features(length, rgb, ridge, rim, blocks, texture, saturation, contrast, brightness)


TANK_RIDGE = 0.14
"""Relative ridge (centre over shoulders / body grey) of a cylinder lit from above; a boxcar's arched
roof reaches about 0.1."""
CONTAINER_BLOCKS = 0.035
"""Colour steps along the car (RGB std of 2 m means) of boxes of different paint on one flat."""
FLAT_CONTRAST = 0.12
"""RGB distance to the empty track below which a car is a low deck (a flat) rather than a body."""
DECK_SATURATION = 0.12
"""Most colour saturation (RGB max - min, 0-1) of a flat read from a bright rim: decks of weathered
steel or timber (and what they carry) are near grey, while a lighter edge round a saturated painted body
(red-brown boxcar, olive tarpaulin) is the lighter bed blurred into its side. Tuning seeds 101-102 at
0.5 m: flats typed by their rim had 0.00-0.08, covered and boxcar bodies 0.17-0.31."""
PASSENGER_M = 23.0
"""Only passenger coaches (and locomotive pairs) are this long; a consist's end car can read longer
by its shadow, so it is not typed passenger on length alone."""
PRECISION = {
    "tank": 0.50,
    "container": 0.59,
    "gondola": 0.88,
    "flat": 0.52,
    "covered": 0.65,
    "boxcar": 0.28,
    "passenger": 0.5,
    "locomotive": 0.6,
}
"""Confidence of each rule's answer: how often it was right on the tuning seeds 101-102 at 0.5 m
(112 matched cars; (right + 1) / (n + 2), so a rule seen rarely stays near a coin flip; passenger and
the length-only locomotive fallback were too rare to measure and keep their earlier values).
Movement matching weighs a type disagreement by these, so they must be honest rather than hopeful."""


def classify(f: Features, fine: bool, at_consist_end: bool = False) -> tuple[str, float]:
    """(type, confidence 0-1) from one car's features; coarse imagery gives 'unknown'. The confidence
    is the rule's measured precision (PRECISION).

    Rules, in order: a lit ridge (tanks), colour blocks (containers), bright rims round a dark
    interior (gondolas), a deck close to the track's colour or a greyish load narrower than the deck (flats),
    long bodies (passenger), and closed bodies: a level, unarched top in a green-olive-grey-blue (not
    red-brown) hue reads as a tarpaulin (covered), else a boxcar."""
    if not fine:
        return "unknown", 0.3
    r, g, b = (float(x) for x in f.rgb[:3])
    rel_ridge = f.ridge / f.brightness
    if f.length_m >= 17.0 and at_consist_end and f.texture > 0.03 and f.blocks < 0.12:
        return "locomotive", PRECISION["locomotive"]
    if rel_ridge > TANK_RIDGE and f.blocks <= 1.3 * CONTAINER_BLOCKS:
        return "tank", PRECISION["tank"]
    if f.blocks > CONTAINER_BLOCKS:
        return "container", PRECISION["container"]
    if f.rim > 0.12 and f.ridge < 0.05:
        return "gondola", PRECISION["gondola"]
    if f.contrast < FLAT_CONTRAST or (f.rim > 0.0 and rel_ridge < 0.05 and f.saturation < DECK_SATURATION):
        return "flat", PRECISION["flat"]
    if f.length_m >= PASSENGER_M and not at_consist_end:
        return "passenger", PRECISION["passenger"]
    if g >= r and rel_ridge < 0.09:
        return "covered", PRECISION["covered"]
    return "boxcar", PRECISION["boxcar"]
