"""`cars.gap_contrasts` (all rows at once) gives `gap_contrast`'s per-row values to the bit, and
`_best_gap` the first row of the highest contrast, as the row-by-row loop it replaced."""

from __future__ import annotations

import math

import numpy as np

from railwatch.detect import cars


def _row_by_row(width: tuple[np.ndarray, ...], k: int, step: float) -> float:
    """The per-row definition: medians of the bodies 1.5-4 m either side, row k +-0.5 m against them."""
    near, far = int(round(cars.ROOF_SIDE_M[0] / step)), int(round(cars.ROOF_SIDE_M[1] / step))
    if k - far < 0 or k + far >= width[0].shape[0]:
        return 0.0
    w = int(round(cars.GAP_HALF_M / step))
    change = []
    for x in width:
        before = np.median(x[k - far : k - near + 1], axis=0)
        after = np.median(x[k + near : k + far + 1], axis=0)
        rows = x[k - w : k + w + 1]
        out = np.maximum(np.minimum(rows - before, rows - after), np.minimum(before - rows, after - rows))
        change.append(float(np.clip(out, 0.0, None).max()))
    return min(change[0], max(change[1:]))


def _widths(rng: np.random.Generator, n: int, coarse: bool) -> tuple[np.ndarray, ...]:
    x = [rng.random((n, 3)).astype(np.float32) for _ in range(3)]
    return tuple(np.round(v * 4) / 4 for v in x) if coarse else tuple(x)  # coarse: many ties


def test_all_rows_at_once_equal_the_row_by_row_contrast():
    rng = np.random.default_rng(7)
    for trial in range(40):
        step = (0.25, 0.3, 0.5, 0.6)[trial % 4]
        width = _widths(rng, int(rng.integers(40, 200)), coarse=trial % 2 == 1)
        if trial % 5 == 0:
            width[1][3, 0] = np.nan
        ks = np.arange(-2, width[0].shape[0] + 2)
        got = cars.gap_contrasts(width, ks, step)
        want = [_row_by_row(width, int(k), step) for k in ks]
        assert [float(v) for v in got] == want or all(
            float(a) == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(got, want, strict=True)
        )
        assert any(v > 0 for v in want)


def test_best_gap_is_the_first_row_of_the_highest_contrast():
    rng = np.random.default_rng(3)
    step = 0.5
    width = _widths(rng, 160, coarse=True)
    side = int(math.ceil(cars.FRAGMENT_M / step))
    want_c = max(_row_by_row(width, k, step) for k in range(10 + side, 150 - side))
    want_k = next(k for k in range(10 + side, 150 - side) if _row_by_row(width, k, step) == want_c)
    assert cars._best_gap(width, 10, 150, step) == (want_k, want_c)
    assert cars._best_gap(width, 10, 10 + 2 * side, step) == (-1, 0.0)  # no row with car-long sides
    assert cars._best_gap(None, 10, 150, step) == (-1, 0.0)
    flat = tuple(np.full((160, 3), 0.4, np.float32) for _ in range(3))
    assert cars._best_gap(flat, 10, 150, step) == (-1, 0.0)  # nothing stands out


def test_window_medians_are_numpys_medians_of_every_window():
    rng = np.random.default_rng(5)
    for span in (5, 6, 9, 11):
        x = (np.round(rng.random((80, 3)) * 6) / 6).astype(np.float32)  # ties
        want = np.array([np.median(x[j : j + span], axis=0) for j in range(80 - span + 1)])
        got = cars._window_medians(x, span)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        width = (x, x[::-1].copy(), x * 0.5)
        parts, body = cars._stacked(width, span)
        assert np.array_equal(parts[:, 2], width[2]) and np.array_equal(body[:, 0], want)
        assert cars._stacked(width, span)[1] is body  # worked out once per width
        y = x.copy()
        y[40, 1] = np.nan
        nan_rows = np.isnan(cars._window_medians(y, span)[:, 1])
        assert np.array_equal(np.flatnonzero(nan_rows), np.arange(40 - span + 1, 41))


def test_median_rows_is_numpys_median_to_the_bit():
    rng = np.random.default_rng(11)
    for n in (1, 2, 5, 6, 31, 64):
        for dtype in (np.float32, np.float64):
            x = (np.round(rng.random((n, 3)) * 5) / 5).astype(dtype)  # ties
            want = np.median(x, axis=0)
            got = cars.median_rows(x)
            assert got.dtype == want.dtype and np.array_equal(got, want)
            z = x.T.reshape(3, -1).T  # a strided view, as _car_like passes
            assert np.array_equal(cars.median_rows(z), np.median(z, axis=0))
    y = rng.random((9, 3))
    y[4, 2] = np.nan
    got = cars.median_rows(y)
    assert np.isnan(got[2]) and np.array_equal(got[:2], np.median(y, axis=0)[:2])


def _roof_only_per_part(width: tuple[np.ndarray, ...], i0: int, k: int, i1: int, step: float) -> bool:
    """The per-part definition roof_only had: two np.median per part of the bodies either side."""
    near, far = int(round(cars.ROOF_SIDE_M[0] / step)), int(round(cars.ROOF_SIDE_M[1] / step))
    if k - far < i0 or k + far >= i1:
        return False
    change = []
    for x in width:
        before = np.median(x[k - far : k - near + 1], axis=0)
        after = np.median(x[k + near : k + far + 1], axis=0)
        change.append(min(np.abs(x[k] - before).max(), np.abs(x[k] - after).max()))
    return bool(max(change[1:]) < cars.ROOF_ONLY * change[0])


def test_roof_only_from_the_shared_running_medians_equals_the_per_part_medians():
    rng = np.random.default_rng(13)
    seen = set()
    for trial in range(30):
        step = (0.3, 0.5, 0.6)[trial % 3]
        width = _widths(rng, 120, coarse=trial % 2 == 1)
        width[0][60:62] += 0.6  # a centre-only dip at some rows: roof_only is sometimes true
        if trial % 7 == 0:
            width[2][50, 1] = np.nan
        for k in range(0, 120, 3):
            want = _roof_only_per_part(width, 5, k, 115, step)
            assert cars.roof_only(width, 5, k, 115, step) == want
            seen.add(want)
    assert seen == {True, False}


def test_like_columns_are_the_middle_and_the_ground_beside_the_car_on_each_side():
    across = np.arange(-12, 13) * 0.25  # -3 .. 3 m
    mid, left, right = cars._like_columns(across)
    assert np.array_equal(across[mid], np.arange(-4, 5) * 0.25)
    assert np.array_equal(across[left], [2.25, 2.5, 2.75])
    assert np.array_equal(across[right], [-2.75, -2.5, -2.25])
    assert cars._like_columns(across.copy())[0] is mid  # kept per grid
    narrow = cars._like_columns(np.arange(-4, 5) * 0.5)  # +-2 m: no ground beside the car
    assert narrow[0].size == 5 and not narrow[1].size and not narrow[2].size
