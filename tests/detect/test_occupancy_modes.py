"""Occupancy helpers made faster: colour modes (`occupancy._modes`) and the bed running median."""

from __future__ import annotations

import numpy as np

from railwatch.detect import occupancy


def test_modes_are_the_densest_well_separated_colours_in_order():
    """Three paints, 3000 / 1200 / 400 rows: the modes come densest first, each near its paint, and a
    fourth colour right beside the first (within two bins) is passed over for the next one."""
    rng = np.random.default_rng(2)
    paints = np.array([[0.40, 0.38, 0.35], [0.55, 0.20, 0.18], [0.20, 0.30, 0.60], [0.43, 0.40, 0.37]])
    sizes = (3000, 1200, 400, 900)
    rows = np.concatenate([rng.normal(p, 0.01, (n, 3)) for p, n in zip(paints, sizes, strict=True)])
    modes = occupancy._modes(rows, k=3)
    assert len(modes) == 3
    for m, p in zip(modes, paints[:3], strict=True):
        assert np.abs(m - p).max() < 0.03


def test_running_median_is_scipys_2d_median_filter_column_by_column():
    """The local bed template's running median (column by column, scipy's fast 1-D path) gives the same
    values as the 2-D (win x 1) median filter, with ties, short inputs and non-finite values."""
    from scipy import ndimage

    rng = np.random.default_rng(3)
    for n, win in ((1, 5), (30, 51), (600, 51), (200, 83)):
        x = rng.integers(0, 6, (n, 9)).astype(np.float32) / 5
        ref = ndimage.median_filter(x, size=(win, 1), mode="nearest")
        assert np.array_equal(occupancy.running_median(x, win), ref)
    x[3, 2] = np.nan
    ref = ndimage.median_filter(x, size=(83, 1), mode="nearest")
    assert np.array_equal(occupancy.running_median(x, 83), ref, equal_nan=True)
