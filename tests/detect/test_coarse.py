"""The coarse-GSD count (`railwatch.detect.coarse`) on hand-made departure profiles: which rows count as
occupied, how many cars an occupied length holds, and whether the interval is honest and not huge."""

from __future__ import annotations

import math

import numpy as np
import pytest
import synth

from railwatch.detect import coarse, types
from railwatch.detect.occupancy import Occupancy
from railwatch.imagery.corridor import Strip

THR = 0.02
EMPTY = 0.005
CAR = 0.1


def _occ(dep: np.ndarray, shadow: np.ndarray | None = None) -> Occupancy:
    shadow = np.zeros(dep.size, bool) if shadow is None else shadow
    seen = ~shadow
    return Occupancy(
        departure=dep,
        occupied=(dep > THR) & seen,
        seen=seen,
        cloud=np.zeros(dep.size, bool),
        shadow=shadow,
        threshold=THR,
    )


def _strip(n: int, step_m: float) -> Strip:
    across = np.arange(-6.0, 6.0 + 1e-9, step_m)
    return synth.straight_strip(np.full((3, n, across.size), 0.4), across, step_m)


def _paint(strip: Strip, start_m: float, end_m: float) -> Strip:
    """A car body (brown, across the whole car band) on rows [start_m, end_m)."""
    band = np.abs(strip.across_m) <= 1.5
    a, b = int(round(start_m / strip.step_m)), int(round(end_m / strip.step_m))
    strip.pixels[:, a:b][:, :, band] = np.array([0.55, 0.2, 0.15])[:, None, None]
    return strip


def _profile(n: int, runs_m: list[tuple[float, float, float]], step_m: float) -> np.ndarray:
    """Departure per row: EMPTY, with (start_m, end_m, level) stretches."""
    dep = np.full(n, EMPTY)
    for a, b, lvl in runs_m:
        dep[int(round(a / step_m)) : int(round(b / step_m))] = lvl
    return dep


def test_faint_run_is_dropped_and_clear_run_kept():
    # A neighbour's shadow lifts the departure just over the threshold; a car stands well above it.
    dep = _profile(500, [(100.0, 130.0, 1.6 * THR), (300.0, 350.0, CAR)], 1.0)
    rows = coarse.occupied_rows(_occ(dep), 1.0, 1.0)
    assert not rows[100:130].any()
    assert rows[300:350].all()
    assert rows.sum() == 50


def test_run_end_shadow_is_cut_at_half_level():
    # 60 m of cars, then 4 m of the last car's shadow at a third of the car level.
    dep = _profile(300, [(100.0, 160.0, CAR), (160.0, 164.0, CAR / 3)], 1.0)
    rows = coarse.occupied_rows(_occ(dep), 1.0, 1.0)
    assert np.flatnonzero(rows)[[0, -1]].tolist() == [100, 159]


def test_cut_never_exceeds_max_trim():
    dep = _profile(300, [(100.0, 160.0, CAR), (160.0, 172.0, CAR / 3)], 1.0)
    rows = coarse.occupied_rows(_occ(dep), 1.0, 1.0)
    assert np.flatnonzero(rows)[-1] + 1 == 172 - int(coarse.MAX_TRIM_M)


def test_long_faint_end_is_a_car_and_kept():
    # 30 m at a third of the level is too long for a shadow: a low-contrast car, kept whole.
    dep = _profile(300, [(100.0, 160.0, CAR), (160.0, 190.0, CAR / 3)], 1.0)
    rows = coarse.occupied_rows(_occ(dep), 1.0, 1.0)
    assert np.flatnonzero(rows)[[0, -1]].tolist() == [100, 189]


def test_per_gsd_constants_interpolate_between_gsds():
    table = {1.0: 0.03, 3.0: 0.02}
    assert coarse.by_gsd(table, 1.0) == pytest.approx(0.03)
    assert coarse.by_gsd(table, 3.0) == pytest.approx(0.02)
    assert coarse.by_gsd(table, 0.7) == pytest.approx(0.03)
    assert coarse.by_gsd(table, 10.0) == pytest.approx(0.02)
    assert coarse.by_gsd(table, math.sqrt(3.0)) == pytest.approx(0.025)


@pytest.mark.parametrize("gsd,widest", [(1.0, 0.5), (3.0, 0.7)])
def test_count_of_a_consist_and_an_honest_interval(gsd, widest):
    # 12 cars of the typical length with coupler gaps: one 196 m run.
    n_true = 12
    length = n_true * types.TYPICAL_M + (n_true - 1) * coarse.COUPLER_M
    n_rows = int(600 / gsd)
    dep = _profile(n_rows, [(150.0, 150.0 + length, CAR)], gsd)
    strip = _paint(_strip(n_rows, gsd), 150.0, 150.0 + length)
    est = coarse.estimate(strip, _occ(dep), "t1", gsd, np.array([0.4, 0.4, 0.4]))
    assert abs(len(est.cars) - n_true) <= 1
    assert est.low <= n_true <= est.high
    # Informative: the mix of car lengths and the reading error span a few cars, not the whole count.
    assert 2 <= est.high - est.low <= widest * n_true
    assert all(c.start_m < c.end_m for c in est.cars)


def test_cloud_shadow_widens_only_the_high_end():
    gsd = 1.0
    dep = _profile(500, [(50.0, 200.0, CAR)], gsd)
    clear = coarse.estimate(_paint(_strip(500, gsd), 50.0, 200.0), _occ(dep), "t1", gsd, np.array([0.4] * 3))
    shadow = np.zeros(500, bool)
    shadow[300:450] = True  # 150 m under cloud shadow: cars there are in the image but not read
    strip = _paint(_strip(500, gsd), 50.0, 200.0)
    hid = coarse.estimate(strip, _occ(dep, shadow), "t1", gsd, np.array([0.4, 0.4, 0.4]))
    assert len(hid.cars) == len(clear.cars) == 9
    assert hid.low == clear.low
    pitch = types.TYPICAL_M + coarse.COUPLER_M
    assert hid.high >= clear.high + 0.4 * 150 / pitch


def test_hidden_cars_follow_the_seen_share():
    occ = _occ(np.full(400, EMPTY), np.r_[np.zeros(200, bool), np.ones(200, bool)])
    occupied = np.zeros(400, bool)
    occupied[:100] = True  # half of the seen part occupied
    n, sd = coarse.hidden_cars(occ, occupied, 1.0)
    assert n == pytest.approx(0.5 * 200 / (types.TYPICAL_M + coarse.COUPLER_M))
    assert sd > 0
    assert coarse.hidden_cars(_occ(np.full(400, EMPTY)), occupied, 1.0) == (0.0, 0.0)


def test_neighbour_shadow_on_one_half_is_not_a_car():
    # 1 m pixels, 400 m: rows 100-160 a car across the whole band, rows 250-290 a neighbour's shadow
    # darkening the left half of the band only (with the departure it lifts just over the threshold).
    strip = _strip(400, 1.0)
    a = strip.across_m
    _paint(strip, 100.0, 160.0)
    strip.pixels[:, 250:290][:, :, (a > 0.3) & (a <= 2.0)] = 0.2
    dep = _profile(400, [(100.0, 160.0, CAR), (250.0, 290.0, CAR)], 1.0)
    occ = _occ(dep)
    sides = coarse.both_sides(strip, occ)
    assert sides is not None
    assert sides[100:160].all() and not sides[250:290].any()
    rows = coarse.occupied_rows(occ, 1.0, 1.0, sides)
    assert rows.sum() == 60 and rows[100:160].all()
    est = coarse.estimate(strip, occ, "t1", 1.0, np.array([0.4, 0.4, 0.4]))
    assert len(est.cars) == 4  # 60 m of cars, not 100 m


def test_both_sides_needs_two_halves():
    # At 3 m one pixel spans the car band: no halves to compare.
    strip = _strip(100, 3.0)
    assert coarse.both_sides(strip, _occ(np.full(100, EMPTY))) is None


def test_core_level_and_noisy_bed():
    # Floor threshold: a run must reach the core level; a noisy bed's own threshold is core enough.
    dep = _profile(300, [(100.0, 150.0, 0.1), (200.0, 230.0, 0.045)], 1.0)
    rows = coarse.occupied_rows(_occ(dep), 1.0, 1.0)
    assert rows[100:150].all() and not rows[200:230].any()
    dep = _profile(300, [(100.0, 150.0, 0.1), (200.0, 230.0, 0.07)], 1.0)
    occ = _occ(dep)
    occ.threshold = 0.06
    occ.occupied = dep > 0.06
    rows = coarse.occupied_rows(occ, 1.0, 1.0)
    assert rows[100:150].all() and rows[200:230].all()


def test_faint_run_raises_only_the_high_end():
    # A 50 m stretch just over the threshold is not counted, but it may be faint cars: high covers it.
    dep = _profile(500, [(50.0, 200.0, CAR)], 1.0)
    strip = _paint(_strip(500, 1.0), 50.0, 200.0)
    clear = coarse.estimate(strip, _occ(dep), "t1", 1.0, np.array([0.4] * 3))
    dep_faint = _profile(500, [(50.0, 200.0, CAR), (300.0, 350.0, 1.5 * THR)], 1.0)
    strip = _paint(_paint(_strip(500, 1.0), 50.0, 200.0), 300.0, 350.0)
    faint = coarse.estimate(strip, _occ(dep_faint), "t1", 1.0, np.array([0.4] * 3))
    assert len(faint.cars) == len(clear.cars) and faint.low == clear.low
    assert faint.high >= clear.high + 2
