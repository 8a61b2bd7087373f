"""Stretches of track that run so close to another track that one car would show on both.

In a yard throat the sidings fan out of the main line: for tens of metres two centrelines lie less
than a car width apart, so the same car sits in both corridors. Each such stretch belongs to one
track only (the longer, then the lower id), and cars found on the other track there are dropped,
so a car in a throat is counted once.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString

SHARED_M = 3.4
"""Centrelines closer than this (about a car width plus a margin) share their cars."""

STEP_M = 1.0


def owner_order(lengths: list[float], ids: list[str]) -> list[int]:
    """Track indices by precedence: longer tracks own shared stretches, ties go to the lower id."""
    return sorted(range(len(ids)), key=lambda i: (-lengths[i], ids[i]))


def shared_mask(
    lines: list[LineString | None], lengths: list[float], ids: list[str]
) -> list[np.ndarray | None]:
    """For each track, a boolean mask over chainage (STEP_M bins) of stretches owned by another track."""
    order = owner_order(lengths, ids)
    rank = {i: r for r, i in enumerate(order)}
    masks: list[np.ndarray | None] = []
    for i, line in enumerate(lines):
        if line is None:
            masks.append(None)
            continue
        d = np.arange(0.0, line.length + STEP_M, STEP_M)
        pts = shapely.line_interpolate_point(line, d)
        mask = np.zeros(d.shape, dtype=bool)
        for j, other in enumerate(lines):
            if j == i or other is None or rank[j] > rank[i]:
                continue
            mask |= shapely.distance(pts, other) < SHARED_M
        masks.append(mask)
    return masks


def owned_elsewhere(mask: np.ndarray | None, start_m: float, end_m: float) -> bool:
    """True when most of [start_m, end_m] lies on a stretch another track owns."""
    if mask is None or not mask.any():
        return False
    a, b = sorted((start_m, end_m))
    i0 = max(0, int(a / STEP_M))
    i1 = min(len(mask), int(np.ceil(b / STEP_M)) + 1)
    if i1 <= i0:
        return False
    return bool(mask[i0:i1].mean() > 0.5)
