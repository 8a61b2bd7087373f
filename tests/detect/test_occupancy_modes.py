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


def test_equally_dense_colours_come_in_bin_order_whatever_the_row_order():
    """Two paints of exactly the same count (an exact tie in density): the one in the lower bin comes
    first, and shuffling the rows changes nothing (the count must not hang on a sort's tie order)."""
    paints = np.array([[0.6125, 0.3125, 0.2125], [0.2125, 0.4125, 0.5125]])  # bin centres, far apart
    rows = np.repeat(paints, 500, axis=0)
    first = occupancy._modes(rows, k=2)
    assert np.allclose(first[0], paints[1]) and np.allclose(first[1], paints[0])
    for seed in range(5):
        shuffled = np.random.default_rng(seed).permutation(rows)
        assert all(np.array_equal(a, b) for a, b in zip(occupancy._modes(shuffled, k=2), first, strict=True))


def test_densities_are_the_histograms_box_sums_exactly():
    """The bins beside any row, their own counts and 3 x 3 x 3 box sums equal those of the full
    histogram (padded with zeros at the grid's edges), every other bin's box sum being 0."""
    rng = np.random.default_rng(3)
    for nbins, n in ((9, 40), (9, 2000), (41, 300)):
        q = rng.integers(0, nbins, (n, 3))
        q[:5] = [0, nbins - 1, 0]  # grid corners and edges
        hist = np.zeros((nbins,) * 3, np.int64)
        np.add.at(hist, tuple(q.T), 1)
        p = np.pad(hist, 1)
        n3 = range(3)
        ref = sum(p[i : i + nbins, j : j + nbins, k : k + nbins] for i in n3 for j in n3 for k in n3)
        bins, own, dens = occupancy._densities(q, nbins)
        assert dens.dtype.kind == "i" and np.all(np.diff(bins) > 0)
        assert np.array_equal(bins, np.flatnonzero(ref))
        assert np.array_equal(dens, ref.ravel()[bins]) and np.array_equal(own, hist.ravel()[bins])


def test_of_equally_dense_colours_the_sharper_peak_comes_first():
    """500 rows in one bin against 500 rows split over two neighbouring bins: their smoothed densities
    tie (500), and the bin holding all its rows wins though its bin index is the higher one."""
    sharp = np.tile([0.6125, 0.3125, 0.2125], (500, 1))
    split = np.tile([0.2125, 0.4125, 0.5125], (500, 1))
    split[::2, 0] += 0.025
    modes = occupancy._modes(np.concatenate([split, sharp]), k=2)
    assert np.allclose(modes[0], sharp[0])
