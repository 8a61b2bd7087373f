"""Stretches of track that run so close to another track that one car would show on both.

In a yard throat the sidings fan out of the main line: for tens of metres two centrelines lie less
than a car width apart, so the same car sits in both corridors. Each such stretch belongs to one
track only (the longer, then the lower id), and cars found on the other track there are dropped,
so a car in a throat is counted once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from scipy import ndimage
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
    rank = {i: r for r, i in enumerate(owner_order(lengths, ids))}
    return [
        _any_close(near, lambda j, d, i=i: (d < SHARED_M) & (rank[j] < rank[i])) if near else None
        for i, near in enumerate(_distances(lines))
    ]


Near = tuple[int, dict[int, np.ndarray]]
"""A track's number of STEP_M bins, and the distance (m) from each bin to every other track."""


def _distances(lines: list[LineString | None]) -> list[Near | None]:
    """For each track, the distance (m) from every STEP_M bin of its centreline to each other track."""
    out: list[Near | None] = []
    for i, line in enumerate(lines):
        if line is None:
            out.append(None)
            continue
        pts = shapely.line_interpolate_point(line, np.arange(0.0, line.length + STEP_M, STEP_M))
        others = {j: shapely.distance(pts, o) for j, o in enumerate(lines) if j != i and o is not None}
        out.append((pts.size, others))
    return out


def _any_close(near: Near, close: Callable[[int, np.ndarray], np.ndarray]) -> np.ndarray:
    """Bins where `close(j, distance_to_j)` holds for some other track j."""
    n, dist = near
    mask = np.zeros(n, dtype=bool)
    for j, d in dist.items():
        mask |= close(j, d)
    return mask


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


FOUL_M = 3.0
"""Centrelines closer than this put the other track's near rail inside this track's car band (car half
width 1.45 m + half the rail spacing 0.75 m + 0.8 m for blur and schematic geometry): a turnout."""
TURNOUT_MAX_M = 40.0
"""Longest run of a diverging track within FOUL_M of this one (a 1:12 turnout: 36 m); a longer close run
is two lines along one track (a throat overlap, a doubled discovered line), left to `shared_mask`."""
COUPLED_GAP_M = 3.0
"""Cars whose ends are at most this far apart are coupled (buffers plus a missed coupler row or two)."""


def fouled_mask(lines: list[LineString | None]) -> list[np.ndarray | None]:
    """For each track, a boolean mask over chainage (STEP_M bins) of turnout stretches: another track's
    centreline closer than FOUL_M for at most TURNOUT_MAX_M: that track's rails cross this one's car band."""
    longest = int(TURNOUT_MAX_M / STEP_M)
    return [
        _any_close(near, lambda j, d: _short_runs(d < FOUL_M, longest)) if near else None
        for near in _distances(lines)
    ]


def turnout_artefacts(mask: np.ndarray | None, spans: list[tuple[float, float]]) -> list[int]:
    """Indices of the cars (start_m, end_m spans) that are a turnout's crossing rails, not a wagon.

    A car standing mostly on a turnout stretch, where the other track's rails cross the car band, is
    what the bed looks like there without any car; and a standing wagon would foul the other track,
    which operating rules forbid. A wagon of a train passing the turnout is coupled to cars beyond it,
    so a car on the stretch is kept when a chain of coupled cars joins it to a car off the stretch.
    """
    if mask is None or not mask.any() or not spans:
        return []
    ivs = [tuple(sorted(s)) for s in spans]
    on = [owned_elsewhere(mask, a, b) for a, b in ivs]
    kept = [not x for x in on]
    changed = True
    while changed:
        changed = False
        for i, (a, b) in enumerate(ivs):
            if kept[i]:
                continue
            for j, (c, d) in enumerate(ivs):
                if kept[j] and max(a, c) - min(b, d) <= COUPLED_GAP_M:
                    kept[i] = changed = True
                    break
    return [i for i, k in enumerate(kept) if not k]


def _short_runs(mask: np.ndarray, max_len: int) -> np.ndarray:
    """`mask` with its runs of True longer than `max_len` bins cleared."""
    lab, n = ndimage.label(mask)
    if n == 0:
        return mask
    sizes = np.bincount(lab.ravel())
    keep = sizes <= max_len
    keep[0] = False
    return keep[lab]
