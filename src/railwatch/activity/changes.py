"""Change points in a count series: when the level shifted, from what to what, and how sure we are.

1. Counts are variance-stabilised with the Anscombe transform y = 2 sqrt(x + 3/8) (Poisson noise
   becomes ~1 whatever the level).
2. The noise sigma is estimated robustly from first differences (1.4826 MAD(diff y) / sqrt 2), which
   a step or a steady ramp barely moves; it is floored at 1 (Poisson) so an exact, flat series keeps
   a sane noise level.
3. PELT (ruptures, l2 cost) segments y with a penalty of k sigma^2 log(n) per change (k = 3, an
   MBIC-style penalty: a change must pay for its location and its new level). Nothing is tuned
   to a particular series.
4. Adjacent breaks in one direction, with at most 3 looks between them, are one change (a ramp cut
   into steps). Around each change a
   flat-ramp-flat "hinge" is fitted by least squares on the counts over a daily grid of onset and
   end days, so a gradual rise is dated at its onset, interpolating between looks; the onset is
   searched up to 3 looks before the first break and the end up to 3 looks after the last (PELT cuts
   a sparsely sampled ramp where it is steepest). When no look falls inside the fitted ramp the
   change is a step, dated at the first look of the new regime. A look still within 2 Poisson sigmas
   of the old level bounds the onset from below: the change has not begun before it.
5. A change is kept when its size |after - before| reaches `min_delta` railcars and its confidence
   (1 - a Bonferroni-corrected two-sided p-value of the before/after difference in sigma units,
   corrected for the n places a change could have been) reaches `min_confidence`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import ruptures as rpt

from railwatch.activity.series import Look

PENALTY_K = 3.0
MIN_SIZE = 2
MIN_DELTA = 10.0
MIN_CONFIDENCE = 0.9
MARGIN_LOOKS = 3
FIT_LOOKS = 6
BASELINE_SIGMAS = 2.0
"""A look within this many Poisson sigmas of the old level is still at the baseline: a change that PELT
starts before it (an odd high look or two ahead of the rise) has not begun yet."""


@dataclass
class Change:
    """A shift in level: dated at the first look of the new regime, or the onset of a ramp."""

    date: date
    before: float
    after: float
    confidence: float
    kind: str = "step"
    earliest: date | None = None
    ramp_end: date | None = None
    zscore: float = 0.0

    @property
    def direction(self) -> str:
        return "increase" if self.after > self.before else "decrease"

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "before": round(self.before, 1),
            "after": round(self.after, 1),
            "direction": self.direction,
            "delta": round(self.delta, 1),
            "confidence": round(self.confidence, 3),
            "kind": self.kind,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "ramp_end": self.ramp_end.isoformat() if self.ramp_end else None,
            "zscore": round(self.zscore, 2),
        }


def anscombe(counts: Sequence[float] | np.ndarray) -> np.ndarray:
    """Variance-stabilising transform for counts: Poisson noise becomes ~1 at any level."""
    return 2.0 * np.sqrt(np.asarray(counts, dtype=float) + 0.375)


def noise_sigma(y: np.ndarray) -> float:
    """Robust noise sigma from first differences (MAD of diffs / sqrt 2), floored at 1 (Poisson)."""
    if len(y) < 3:
        return 1.0
    d = np.diff(y)
    mad = float(np.median(np.abs(d - np.median(d))))
    return max(1.4826 * mad / math.sqrt(2.0), 1.0)


def penalty(sigma: float, n: int, k: float = PENALTY_K) -> float:
    """The cost one extra change must pay: k sigma^2 log n (BIC-style; k=3 is MBIC-like)."""
    return k * sigma * sigma * math.log(max(n, 2))


def breaks(y: np.ndarray, pen: float, min_size: int = MIN_SIZE) -> list[int]:
    """PELT breakpoints of y (index of the first point of each new segment)."""
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(y.reshape(-1, 1))
    return [int(b) for b in algo.predict(pen=pen)[:-1]]


@dataclass
class Hinge:
    """Least-squares flat-ramp-flat fit: level a until t0, ramp to a + c at t1, flat after."""

    t0: float
    t1: float
    a: float
    c: float
    sse: float


def fit_hinge(t: np.ndarray, x: np.ndarray, t0_range: tuple[float, float],
              t1_range: tuple[float, float], w: np.ndarray | None = None) -> Hinge | None:
    """Grid-search (daily) the hinge onset t0 and end t1 within the given ranges (days); weighted
    least squares for the two levels (weights ~ 1/variance of each count)."""
    g0 = np.arange(math.floor(t0_range[0]), math.ceil(t0_range[1]) + 1, dtype=float)
    g1 = np.arange(math.floor(t1_range[0]), math.ceil(t1_range[1]) + 1, dtype=float)
    t0g, t1g = np.meshgrid(g0, g1, indexing="ij")
    ok = t1g > t0g
    t0v, t1v = t0g[ok], t1g[ok]
    if t0v.size == 0:
        return None
    w = np.ones_like(x) if w is None else w / w.sum() * len(w)
    u = np.clip((t[None, :] - t0v[:, None]) / (t1v - t0v)[:, None], 0.0, 1.0)
    um = (u * w).sum(axis=1, keepdims=True) / w.sum()
    xm = float((x * w).sum() / w.sum())
    var_u = (w * (u - um) ** 2).sum(axis=1)
    cov = (w * (u - um) * (x - xm)[None, :]).sum(axis=1)
    valid = var_u > 1e-12
    c = np.where(valid, cov / np.where(valid, var_u, 1.0), 0.0)
    a = xm - c * um[:, 0]
    resid = x[None, :] - a[:, None] - c[:, None] * u
    sse = np.where(valid, (w * resid**2).sum(axis=1), np.inf)
    # A ramp (a look inside it) must beat the best step by an AIC margin for its extra parameter.
    order = np.lexsort((t1v - t0v, np.round(sse, 9)))
    best = int(order[0])
    if not np.isfinite(sse[best]):
        return None
    step = ~((t[None, :] > t0v[:, None]) & (t[None, :] < t1v[:, None])).any(axis=1)
    if step.any() and not step[best]:
        s_order = [int(k) for k in order if step[k]]
        s_best = s_order[0]
        noise = sse[best] / max(len(x) - 4, 1)
        if np.isfinite(sse[s_best]) and sse[s_best] - sse[best] < 2.0 * noise:
            best = s_best
    return Hinge(float(t0v[best]), float(t1v[best]), float(a[best]), float(c[best]), float(sse[best]))


def _bonferroni_confidence(z: float, n: int) -> float:
    p = math.erfc(abs(z) / math.sqrt(2.0)) * max(n, 1)
    return max(0.0, 1.0 - min(1.0, p))


def detect(looks: Sequence[Look], penalty_k: float = PENALTY_K, min_delta: float = MIN_DELTA,
           min_confidence: float = MIN_CONFIDENCE, min_size: int = MIN_SIZE) -> list[Change]:
    """The change points of a daily series (use only looks at or above the coverage floor)."""
    n = len(looks)
    if n < 2 * min_size + 1:
        return []
    day0 = looks[0].date
    t = np.array([(lk.date - day0).days for lk in looks], dtype=float)
    x = np.array([lk.count for lk in looks], dtype=float)
    y = anscombe(x)
    sigma = noise_sigma(y)
    bks = breaks(y, penalty(sigma, n, penalty_k), min_size)
    bounds = [0, *bks, n]
    segs = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    levels = [float(np.median(x[a:b])) for a, b in segs]
    changes: list[Change] = []
    i = 1
    while i < len(segs):
        sign = np.sign(levels[i] - levels[i - 1])
        j = i
        # A ramp cut into steps: the segments between its breaks are short.
        while (j + 1 < len(segs) and sign != 0 and np.sign(levels[j + 1] - levels[j]) == sign
               and segs[j][1] - segs[j][0] <= MARGIN_LOOKS):
            j += 1
        ch = _refine(t, x, y, sigma, segs, i - 1, j, day0, n)
        if ch is not None and abs(ch.delta) >= min_delta and ch.confidence >= min_confidence:
            changes.append(ch)
        i = j + 1
    return changes


def _refine(t: np.ndarray, x: np.ndarray, y: np.ndarray, sigma: float, segs: list[tuple[int, int]],
            p: int, q: int, day0: date, n: int) -> Change | None:
    """Date one (possibly multi-step) change between segment p and segment q with a hinge fit."""
    first_new, last_new = segs[p + 1][0], segs[q][0]
    # Fit locally: the levels just before and just after, not a drift months away.
    lo = max(segs[p][0], first_new - MARGIN_LOOKS - FIT_LOOKS)
    hi = min(segs[q][1], last_new + MARGIN_LOOKS + FIT_LOOKS)
    t0_range = (t[max(lo, first_new - MARGIN_LOOKS)], t[first_new])
    # A ramp may run on past the last break (PELT cuts a gradual rise where it is steepest): its end
    # is searched as far after the break as its onset before it.
    t1_range = (t[max(lo, last_new - 1)], t[min(last_new + MARGIN_LOOKS, hi - 1)])
    # The level has not left the baseline while a look is still at it: the onset lies after that look.
    old = float(np.median(x[segs[p][0]:segs[p][1]]))
    sign = np.sign(np.median(x[segs[q][0]:segs[q][1]]) - old)
    reach = BASELINE_SIGMAS * math.sqrt(max(old, 0.0) + 1.0)
    still = [i for i in range(first_new, last_new + 1) if sign * (x[i] - old) <= reach]
    if still and still[-1] + 1 < hi:
        t0_range = (t[still[-1]], t[still[-1] + 1])
    tw, xw, yw = t[lo:hi], x[lo:hi], y[lo:hi]
    seg_level = np.concatenate([np.full(b - a, np.median(x[a:b])) for a, b in segs])[lo:hi]
    h = fit_hinge(tw, xw, t0_range, t1_range, w=1.0 / (seg_level + 1.0))
    if h is None:
        return None
    before_mask, after_mask = tw <= h.t0, tw >= h.t1
    nb, na = int(before_mask.sum()), int(after_mask.sum())
    if nb == 0 or na == 0:
        return None
    z = (yw[after_mask].mean() - yw[before_mask].mean()) / (sigma * math.sqrt(1.0 / nb + 1.0 / na))
    inside = (tw > h.t0) & (tw < h.t1)
    last_old = float(tw[before_mask].max())
    if inside.any():
        kind, when, ramp_end = "ramp", h.t0, day0 + timedelta(days=int(round(h.t1)))
    else:
        kind, when, ramp_end = "step", float(tw[after_mask].min()), None
    return Change(
        date=day0 + timedelta(days=int(round(when))),
        before=h.a,
        after=h.a + h.c,
        confidence=_bonferroni_confidence(z, n),
        kind=kind,
        earliest=day0 + timedelta(days=int(last_old) + 1),
        ramp_end=ramp_end,
        zscore=float(z),
    )
