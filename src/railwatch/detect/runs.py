"""Runs of a 1-D mask along a track, and whether a run is cut by the unseen part of the track."""

from __future__ import annotations

import numpy as np

from railwatch.detect.occupancy import Occupancy


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs of a 1-D mask."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def touches_unseen(occ: Occupancy, i0: int, i1: int) -> bool:
    """True when rows [i0, i1) border the strip end or an unseen row: the run may go on out of sight."""
    n = occ.seen.size
    return (i0 == 0 or not occ.seen[i0 - 1]) or (i1 >= n or not occ.seen[min(i1, n - 1)])
