"""Car type, dominant colour and confidence from cues in the pixels of one car, each read relative to the
body's own grey: length, the across-track profile (a tank's lit round top, a gondola's rims round a darker
floor), grain and along-track ripple (loads, tarpaulin folds, hatches), colour steps along the car
(containers), the car ends (dark tank heads, deck beyond the boxes), hue and contrast to the ballast.
Each railcar type has a signature (`typesig`: typical cue values, spreads and how cues co-vary, fitted on
simulated tuning yards at 0.3 and 0.5 m; the nearest GSD's table is used); the type whose signature
explains the cues best wins, with its probability as the confidence, or 'unknown' when no type is
likely enough."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from railwatch.detect import typesig
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
    """What the type rules look at, for one car. The cues are read relative to the body's own grey
    (`brightness`) so that sun, exposure and paint shade cancel; NaN marks a cue the pixels cannot give."""

    length_m: float
    rgb: np.ndarray
    brightness: float = 0.5
    """Mean grey of the body's core (|across| <= 1.1 m, 0-1)."""
    dome: float = 0.0
    """(roof centre - shoulders) / brightness: a cylinder lit from above is bright along its top."""
    rim: float = 0.0
    """(side edges - interior) / brightness: an open box shows lit rims round a darker floor or load."""
    texture: float = 0.0
    """Pixel-scale grain of the roof (std of a 4-neighbour high-pass) / brightness: loose loads, fittings."""
    ripple: float = 0.0
    """Along-track roof ripple at 1-3 m (row means minus a 3 m mean) / brightness: tarpaulin folds,
    roof hatches, vents."""
    blocks: float = 0.0
    """Colour steps along the car (RGB std of 2 m means) / brightness: boxes of different paint."""
    chroma_r: float = 0.0
    """Red share of the body colour, r / (r + g + b) - 1/3 (red-brown boxcars and decks > 0)."""
    chroma_b: float = 0.0
    """Blue share of the body colour, b / (r + g + b) - 1/3 (olive tarpaulins < 0)."""
    ends: float = 1.0
    """Grey of the first and last 1.2 m / brightness: dark tank heads, the deck between boxes."""
    contrast: float = float("nan")
    """RGB distance to the empty track's ballast / brightness (NaN when no ballast is known)."""
    frame: float = 0.0
    """RGB distance between the sides (1.15-1.6 m) and the middle (<= 0.5 m) / brightness: a gondola's painted
    walls round a load of another colour."""
    step_m: float = 0.5
    """Pixel step of the strip the cues were read from (m): blur changes them, so it picks the signatures."""
    asymmetry: float = 0.0
    """|left - right side (0.6-1.6 m)| / brightness: a body off the strip's centre or a shadow across it."""


def hex_colour(rgb: np.ndarray) -> str:
    """'#rrggbb' of an RGB triple in 0-1 (a single band is shown as grey)."""
    v = np.asarray(rgb, float).ravel()
    if v.size < 3:
        v = np.repeat(v[:1] if v.size else np.array([0.5]), 3)
    r, g, b = (int(round(min(max(x, 0.0), 1.0) * 255)) for x in v[:3].tolist())
    return f"#{r:02x}{g:02x}{b:02x}"


CORE_HALF_M = 1.1
"""Across-track half-width read as the roof: inside every car body (2.8-3.2 m wide) even when the strip's
centre is off by a few decimetres."""
END_M = 1.2
"""Length at each car end read for `ends` (tank heads, container-flat deck beyond the boxes)."""


def features(strip: Strip, i0: int, i1: int, ballast: np.ndarray | None = None) -> Features:
    """Features of rows [i0, i1) of a (re-centred, 0-1) strip."""
    step = strip.step_m
    near = np.abs(strip.across_m) <= BODY_HALF_M + 0.1 + 1e-9  # the body and its edges: all that is read
    signed = strip.across_m[near]
    a = np.abs(signed)
    px = strip.pixels[:, i0:i1][:, :, near]
    if px.shape[0] < 3:
        px = np.repeat(px[:1], 3, axis=0)
    px = px[:3]
    n = px.shape[1]
    # Trim car ends (couplers, blur, end walls) for the body statistics.
    trim = min(n // 4, max(1, int(round(1.0 / step))))
    body = px[:, trim : n - trim] if n > 2 * trim + 2 else px
    grey = body.mean(axis=0)  # rows, cols
    prof = grey.mean(axis=0)
    core = a <= CORE_HALF_M + 1e-9
    brightness = max(float(prof[core].mean()), 1e-3) if core.any() else max(float(prof.mean()), 1e-3)
    centre = _band(prof, a, 0.0, 0.5)
    shoulder = _band(prof, a, 0.6, CORE_HALF_M)
    edge = _band(prof, a, CORE_HALF_M + 0.05, BODY_HALF_M + 0.1)
    dome = (centre - shoulder) / brightness
    rim = (edge - 0.5 * (centre + shoulder)) / brightness
    inner = grey[:, a <= 1.0 + 1e-9]
    if inner.shape[0] > 2 and inner.shape[1] > 2:
        around = inner[:-2, 1:-1] + inner[2:, 1:-1] + inner[1:-1, :-2] + inner[1:-1, 2:]
        hp = inner[1:-1, 1:-1] - 0.25 * around
        texture = float(np.std(hp)) / brightness
    else:
        texture = 0.0
    rows = inner.mean(axis=1) if inner.size else np.zeros(0)
    k = max(2, int(round(3.0 / step)))
    if rows.size > 2 * k + 2:
        smooth = np.convolve(rows, np.ones(k) / k, mode="same")
        ripple = float(np.std((rows - smooth)[k:-k])) / brightness
    else:
        ripple = 0.0
    body_core = body[:, :, core]
    row_rgb = body_core.mean(axis=2)  # bands, rows
    win = max(1, int(round(2.0 / step)))
    if row_rgb.shape[1] > 2 * win:
        kern = np.ones(win) / win
        sm = np.stack([np.convolve(b, kern, mode="valid") for b in row_rgb])
        blocks = float(np.sqrt(np.mean(np.var(sm, axis=1)))) / brightness
    else:
        blocks = 0.0
    rgb = np.median(body_core.reshape(3, -1), axis=1)
    total = max(float(rgb.sum()), 1e-3)
    e = max(1, int(round(END_M / step)))
    along = px[:, :, core].mean(axis=(0, 2))
    ends = float(np.r_[along[:e], along[-e:]].mean()) / brightness if n > 3 * e else 1.0
    contrast = float(np.linalg.norm(rgb - ballast)) / brightness if ballast is not None else float("nan")
    side_rgb = body[:, :, (a > CORE_HALF_M + 0.05) & (a <= BODY_HALF_M + 0.1)].reshape(3, -1)
    mid_rgb = body[:, :, a <= 0.5 + 1e-9].reshape(3, -1)
    frame = (float(np.linalg.norm(side_rgb.mean(axis=1) - mid_rgb.mean(axis=1))) / brightness
             if side_rgb.size and mid_rgb.size else 0.0)
    left = (signed >= 0.6) & (signed <= BODY_HALF_M + 0.1)
    right = (signed <= -0.6) & (signed >= -BODY_HALF_M - 0.1)
    both = left.any() and right.any()
    asymmetry = abs(float(prof[left].mean()) - float(prof[right].mean())) / brightness if both else 0.0
    return Features(
        length_m=(i1 - i0) * step,
        rgb=rgb,
        brightness=brightness,
        dome=float(dome),
        rim=float(rim),
        texture=texture,
        ripple=ripple,
        blocks=blocks,
        chroma_r=float(rgb[0]) / total - 1.0 / 3.0,
        chroma_b=float(rgb[2]) / total - 1.0 / 3.0,
        ends=ends,
        contrast=contrast,
        frame=frame,
        step_m=step,
        asymmetry=asymmetry,
    )


def _band(prof: np.ndarray, across: np.ndarray, lo_m: float, hi_m: float) -> float:
    """Mean of the across-track profile over lo_m <= |across| <= hi_m (the nearest column if none)."""
    sel = (across >= lo_m - 1e-9) & (across <= hi_m + 1e-9)
    if sel.any():
        return float(prof[sel].mean())
    return float(prof[int(np.argmin(np.abs(across - 0.5 * (lo_m + hi_m))))])


LOCOMOTIVE_CONFIDENCE = 0.6
"""Confidence of the length-texture locomotive rule (too rare on the tuning seeds to measure)."""

CUES = (
    "log_length", "dome", "rim", "texture", "ripple", "blocks", "chroma_r", "chroma_b", "ends", "contrast",
    "frame",
)
"""The cues `classify` weighs, in the order of the `typesig` tables' columns."""


ASYMMETRY_MAX = 0.3
"""Most side-to-side difference (/ body grey) at which the across profile is read as a roof: a wagon off the
strip's centre (a discovered track line beside it) or a shadow over one side makes a lopsided profile whose
centre-shoulder-edge steps are not a tank's ridge or a gondola's rims. Tuning seeds at 0.3 / 0.5 m: 95 % of
cars below 0.22 / 0.33; Muttenz (0.26 m, discovered tracks): median 0.34."""


def cues(f: Features) -> np.ndarray:
    """The car's cue vector (CUES order; NaN where unknown). The across-profile cues (dome, rim, frame)
    are not read from a lopsided profile (ASYMMETRY_MAX)."""
    lopsided = f.asymmetry > ASYMMETRY_MAX
    dome, rim, frame = (np.nan, np.nan, np.nan) if lopsided else (f.dome, f.rim, f.frame)
    return np.array(
        [math.log(max(f.length_m, 1.0)), dome, rim, f.texture, f.ripple, f.blocks, f.chroma_r, f.chroma_b,
         f.ends, f.contrast, frame],
        dtype=float,
    )


RAILCAR_TYPES = ("boxcar", "tank", "flat", "container", "gondola", "covered", "passenger")
"""The types `classify` chooses among from the cues (locomotives come from `locomotive.split_off`)."""
TAIL_DOF = 10.0
"""Degrees of freedom of the multivariate Student-t that scores a car against a type's signature: heavier
tails than a Gaussian, so one odd cue (a shadow, a cloud edge, an odd load) lowers a type's score without
vetoing it."""
TEMPERATURE = 1.6
"""Divides the log-likelihoods before they become probabilities: cues share more than the signatures'
correlations hold, so raw probabilities are overconfident. Held-out tuning seeds 60-99 (0.5 m) and 60-69
(0.3 m), signatures fitted on seeds 0-59: cars typed with 0.52 / 0.71 / 0.88 / 0.99 confidence were right
0.49 / 0.74 / 0.91 / 0.96 of the time (bench/type_accuracy.py measures it on unseen seeds)."""
PRIOR = {"passenger": 0.3}
"""Relative prior of a type (1 where not listed): coaches are rare in freight yards, and a long freight car
is more often a long boxcar or tank than a coach."""
UNKNOWN_BELOW = 0.35
"""A car whose most probable type is less probable than this is typed 'unknown': the pixels cannot tell."""


def signature_gsd(step_m: float) -> float:
    """The tuning GSD whose signatures score cars read at this pixel step (the nearest one)."""
    return min(typesig.GSD_M, key=lambda g: abs(math.log(max(step_m, 1e-3) / g)))


@functools.cache
def _model(gsd: float, kinds: tuple[str, ...], known: tuple[bool, ...]) -> tuple[np.ndarray, ...]:
    """Signatures of `kinds` at a tuning GSD over the known cues: typical (types x cues), spread, inverse
    correlation (types x cues x cues) and the log normaliser of each type's density."""
    sel = np.array(known)
    mu = np.array([typesig.TYPICAL[gsd][k] for k in kinds])[:, sel]
    sd = np.array([typesig.SPREAD[gsd][k] for k in kinds])[:, sel]
    corr = np.array([typesig.CORRELATION[gsd][k] for k in kinds])[:, sel][:, :, sel]
    inv = np.linalg.inv(corr)
    lognorm = -np.log(sd).sum(axis=1) - 0.5 * np.linalg.slogdet(corr)[1]
    return mu, sd, inv, lognorm


def _loglik(x: np.ndarray, gsd: float, kinds: tuple[str, ...]) -> np.ndarray:
    """Log density of the cue vector x (NaN cues left out) under each type's multivariate t signature."""
    known = np.isfinite(x)
    mu, sd, inv, lognorm = _model(gsd, kinds, tuple(bool(k) for k in known))
    z = (x[known] - mu) / sd
    q = np.einsum("ki,kij,kj->k", z, inv, z)
    return lognorm - 0.5 * (TAIL_DOF + int(known.sum())) * np.log1p(q / TAIL_DOF)


GRAIN_CUES = ("texture", "ripple")
"""Cues that sensor noise, compression and sharpening raise as much as the car does: real imagery (Muttenz,
0.26 m) shows twice the grain of any type on the tuning yards, so grain beyond `_cue_range` is left out
instead of read as the grainiest type (the tank)."""
EXTREME_SPREADS = 2.0
"""How far (in spreads) past the most extreme type's typical value a cue still tells types apart."""


@functools.cache
def _cue_range(gsd: float) -> tuple[np.ndarray, np.ndarray]:
    """Range of each cue that the types tell apart: from the least to the greatest typical value over the
    railcar types, widened by EXTREME_SPREADS of the extreme type's spread."""
    typical = np.array([typesig.TYPICAL[gsd][k] for k in RAILCAR_TYPES])
    spread = np.array([typesig.SPREAD[gsd][k] for k in RAILCAR_TYPES])
    k_lo, k_hi = typical.argmin(axis=0), typical.argmax(axis=0)
    cols = np.arange(typical.shape[1])
    return (typical[k_lo, cols] - EXTREME_SPREADS * spread[k_lo, cols],
            typical[k_hi, cols] + EXTREME_SPREADS * spread[k_hi, cols])


def probabilities(f: Features, kinds: tuple[str, ...] = RAILCAR_TYPES) -> dict[str, float]:
    """Probability of each railcar type given the car's cues (a NaN cue is left out).

    A cue well beyond every type's typical value (`_cue_range`) is read as the edge of that range: a sharper
    ridge than the typical tank's is still a tank, not less of one (other imagery and other wagons draw
    stronger or weaker cues than the tuning yards); too much grain (GRAIN_CUES) is left out."""
    gsd = signature_gsd(f.step_m)
    lo, hi = _cue_range(gsd)
    x = cues(f)
    grain = np.isin(np.array(CUES), GRAIN_CUES) & (x > hi)
    x = np.where(grain, np.nan, np.clip(x, lo, hi))
    v = (_loglik(x, gsd, kinds) + np.log([PRIOR.get(k, 1.0) for k in kinds])) / TEMPERATURE
    p = np.exp(v - v.max())
    p /= p.sum()
    return dict(zip(kinds, (float(q) for q in p), strict=True))


def classify(f: Features, fine: bool, at_consist_end: bool = False) -> tuple[str, float]:
    """(type, confidence 0-1) from one car's features: `classify_probabilities` without the probabilities."""
    kind, conf, _ = classify_probabilities(f, fine, at_consist_end)
    return kind, conf


def classify_probabilities(
    f: Features, fine: bool, at_consist_end: bool = False
) -> tuple[str, float, dict[str, float]]:
    """(type, confidence 0-1, every railcar type's probability) from one car's features; coarse imagery
    gives 'unknown' and no probabilities (types are not read), as does the locomotive rule.

    A long textured car at a consist's end is a locomotive (LOCOMOTIVE_CONFIDENCE); otherwise each
    railcar type's signature (`typesig`: the cue values its top view shows) scores the car's cues and the
    most probable type wins with its probability as confidence, or 'unknown' when no type reaches
    UNKNOWN_BELOW. An end car is not typed passenger: its shadow can make it read long."""
    if not fine:
        return "unknown", 0.3, {}
    grain, steps = f.texture * f.brightness, f.blocks * f.brightness  # absolute, as the rule was measured
    if f.length_m >= 17.0 and at_consist_end and grain > 0.03 and steps < 0.12:
        return "locomotive", LOCOMOTIVE_CONFIDENCE, {}
    kinds = tuple(k for k in RAILCAR_TYPES if not (at_consist_end and k == "passenger"))
    p = probabilities(f, kinds)
    kind = max(p, key=p.__getitem__)
    if p[kind] < UNKNOWN_BELOW:
        return "unknown", round(p[kind], 3), p
    return kind, p[kind], p
