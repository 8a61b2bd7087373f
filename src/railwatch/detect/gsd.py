"""Ground sample distance from the picture itself, for plain PNG/JPEG images with no georeference.

Parallel yard tracks sit on a regular spacing (track centres ~4.5-4.75 m apart in yards). Turned
so the tracks run along rows, the cross-track profile of rail ridges repeats with that period; its
autocorrelation peak in pixels gives metres per pixel.
"""

from __future__ import annotations

import numpy as np

from railwatch.detect.discover import frame, rail_ridges

__all__ = ["TRACK_SPACING_M", "estimate_gsd"]

TRACK_SPACING_M = 4.6
"""Nominal centre spacing of parallel yard tracks; real yards vary about ±5 % around it."""

_SPACING_SPREAD = 0.05


def _autocorr(prof: np.ndarray, max_lag: int) -> np.ndarray:
    p = prof - prof.mean()
    ac = np.correlate(p, p, mode="full")[len(p) - 1 : len(p) - 1 + max_lag + 1]
    return ac / ac[0] if ac[0] > 0 else np.zeros(max_lag + 1)


def estimate_gsd(
    image: np.ndarray, valid: np.ndarray | None = None, min_gsd_m: float = 0.1, max_gsd_m: float = 1.0
) -> tuple[float, float]:
    """(gsd_m, relative uncertainty) of a (bands, H, W) image of parallel tracks, from the track spacing.

    Raises ValueError when no periodic track pattern is found (too few tracks, or too coarse).
    """
    fr = frame(image, valid)
    ridge = rail_ridges(fr)
    max_lag = int(np.ceil(TRACK_SPACING_M / min_gsd_m))
    min_lag = max(int(np.floor(TRACK_SPACING_M / max_gsd_m)), 3)
    block = int(min(max(4 * max_lag, 64), max(ridge.shape) // 2))
    acs = []
    h, w = ridge.shape
    for y0 in range(0, h - block + 1, block // 2):
        for x0 in range(0, w - block + 1, block // 2):
            if fr.valid[y0 : y0 + block, x0 : x0 + block].mean() < 0.99:
                continue
            acs.append(_autocorr(ridge[y0 : y0 + block, x0 : x0 + block].mean(axis=1), max_lag))
    if not acs:
        raise ValueError("image too small to measure track spacing")
    acs_arr = np.array(acs)
    ac = acs_arr.mean(axis=0)
    lags = np.arange(min_lag, max_lag)
    k = int(lags[np.argmax(ac[min_lag:max_lag])])
    if ac[k] <= 0.02 or k in (min_lag, max_lag - 1):
        raise ValueError("no periodic track spacing found")
    # parabolic sub-pixel peak
    den = ac[k - 1] - 2 * ac[k] + ac[k + 1]
    lag = k + (0.5 * (ac[k - 1] - ac[k + 1]) / den if den < 0 else 0.0)
    # spread of the per-block peak positions near the mean peak, as a standard error
    peaks = [k - 2 + int(np.argmax(a[k - 2 : k + 3])) for a in acs_arr if a[k - 2 : k + 3].max() > 0]
    sem = float(np.std(peaks) / np.sqrt(max(len(peaks), 1))) / lag if peaks else 0.1
    gsd_m = TRACK_SPACING_M / lag
    rel = float(np.hypot(_SPACING_SPREAD, sem))
    return float(gsd_m), rel
