"""Fine-GSD car splitting: what counts as a car at the ends of the track and beside unseen rows."""

from __future__ import annotations

import numpy as np
import synth

from railwatch.detect import cars
from railwatch.detect.occupancy import Occupancy
from railwatch.imagery.corridor import Strip

STEP_M = 0.5


def _strip(n_rows: int) -> Strip:
    across = np.arange(-12, 13) * STEP_M
    px = np.full((3, n_rows, across.size), 0.45, np.float32)
    return synth.straight_strip(px, across, STEP_M)


def _occupancy(n_rows: int, occupied_m: list[tuple[float, float]], unseen_m=()) -> Occupancy:
    occ = np.zeros(n_rows, bool)
    seen = np.ones(n_rows, bool)
    for a, b in occupied_m:
        occ[int(a / STEP_M) : int(b / STEP_M)] = True
    for a, b in unseen_m:
        seen[int(a / STEP_M) : int(b / STEP_M)] = False
    dep = np.where(occ, 0.1, 0.005)
    none = np.zeros(n_rows, bool)
    return Occupancy(departure=dep, occupied=occ & seen, seen=seen, cloud=~seen, shadow=none, threshold=0.02)


def _paint(strip: Strip, a_m: float, b_m: float) -> None:
    rows = slice(int(a_m / STEP_M), int(b_m / STEP_M))
    body = np.abs(strip.across_m) <= 1.5
    strip.pixels[0, rows][:, body] = 0.6
    strip.pixels[1:, rows][:, :, body] = 0.2


def test_short_run_at_the_track_end_is_not_a_car():
    n = int(200 / STEP_M)
    strip = _strip(n)
    _paint(strip, 0.0, 3.5)
    _paint(strip, 60.0, 74.0)
    est = cars.estimate(strip, STEP_M, occupancy=_occupancy(n, [(0.0, 3.5), (60.0, 74.0)]))
    assert [(c.start_m, c.end_m) for c in est.cars] == [(60.0, 74.0)]


def test_short_run_beside_cloud_is_kept_as_a_cut_car():
    n = int(200 / STEP_M)
    strip = _strip(n)
    _paint(strip, 100.0, 104.0)
    occ = _occupancy(n, [(90.0, 104.0)], unseen_m=[(80.0, 100.0)])
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert [(c.start_m, c.end_m) for c in est.cars] == [(100.0, 104.0)]
    assert cars.cut_from_view(occ, int(100 / STEP_M), int(104 / STEP_M))
    assert not cars.cut_from_view(occ, 0, int(3 / STEP_M))


def _two_cars_weak_gap(paint_b: tuple[float, float, float]) -> tuple[Strip, Occupancy]:
    """A 23 m run: 11 m + 11 m with a weak coupler dip (0.07 vs 0.1) between, second car painted `paint_b`."""
    n = int(100 / STEP_M)
    strip = _strip(n)
    _paint(strip, 20.0, 31.0)
    rows = slice(int(32 / STEP_M), int(43 / STEP_M))
    body = np.abs(strip.across_m) <= 1.5
    for b, v in enumerate(paint_b):
        strip.pixels[b, rows][:, body] = v
    occ = _occupancy(n, [(20.0, 43.0)])
    occ.departure[int(31 / STEP_M) : int(32 / STEP_M)] = 0.07
    return strip, occ


def test_weak_dip_splits_two_cars_of_different_paint():
    strip, occ = _two_cars_weak_gap((0.15, 0.35, 0.5))
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(est.cars) == 2
    assert abs(est.cars[0].end_m - 31.0) <= 1.0
    assert est.low <= 2 <= est.high


def test_weak_dip_in_one_paint_stays_one_car():
    strip, occ = _two_cars_weak_gap((0.6, 0.2, 0.2))  # same paint as the first: a long single car
    _paint(strip, 31.0, 32.0)  # one body end to end: no ballast shows at the weak dip
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(est.cars) == 1


def _long_car_with_dip(full_width: bool) -> tuple[Strip, Occupancy]:
    """A 24 m run of one grey body with a 1 m dark dip in the middle (departure 0.04 vs 0.1): across
    the centre only (a tank dome) or across the full body width (a coupler gap between two 11.5 m cars)."""
    n = int(100 / STEP_M)
    strip = _strip(n)
    rows = slice(int(20 / STEP_M), int(44 / STEP_M))
    body = np.abs(strip.across_m) <= 1.5
    strip.pixels[:, rows][:, :, body] = 0.3
    dip = slice(int(31.5 / STEP_M), int(32.5 / STEP_M))
    cols = body if full_width else np.abs(strip.across_m) <= 0.5
    strip.pixels[:, dip][:, :, cols] = 0.12
    occ = _occupancy(n, [(20.0, 44.0)])
    occ.departure[dip] = 0.04
    return strip, occ


def test_dip_at_the_roof_centre_only_is_a_dome_not_a_gap():
    strip, occ = _long_car_with_dip(full_width=False)
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert [(c.start_m, c.end_m) for c in est.cars] == [(20.0, 44.0)]
    width = cars.centre_and_outer(strip)
    assert cars.roof_only(width, int(20 / STEP_M), int(31.5 / STEP_M), int(44 / STEP_M), STEP_M)


def test_dip_at_the_roof_centre_with_a_paint_change_across_it_splits_two_cars():
    strip, occ = _long_car_with_dip(full_width=False)
    width = cars.centre_and_outer(strip)
    assert cars.roof_only(width, int(20 / STEP_M), int(31.5 / STEP_M), int(44 / STEP_M), STEP_M)
    body = np.abs(strip.across_m) <= 1.5
    dip = np.abs(strip.across_m) <= 0.5
    rows = slice(int(32.5 / STEP_M), int(44 / STEP_M))
    strip.pixels[0, rows][:, body & ~dip] = 0.55  # the second body another paint: no fitting, two cars
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(est.cars) == 2
    assert abs(est.cars[0].end_m - 31.5) <= 0.5 and abs(est.cars[1].start_m - 32.0) <= 0.5


def test_dip_across_the_full_body_width_splits_two_cars():
    strip, occ = _long_car_with_dip(full_width=True)
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(est.cars) == 2
    assert abs(est.cars[0].end_m - 31.5) <= 0.5 and abs(est.cars[1].start_m - 32.0) <= 0.5
    width = cars.centre_and_outer(strip)
    assert not cars.roof_only(width, int(20 / STEP_M), int(31.5 / STEP_M), int(44 / STEP_M), STEP_M)


def test_gap_that_stands_out_across_the_body_splits_without_a_departure_dip():
    """Two 11 m cars of one dark paint with a 1 m gap of lit ballast between them that the departure
    does not show (shade explains both away): the gap is brighter than both bodies across the full
    width, so the 23 m run is two cars; the same run without the gap stays one car."""
    n = int(100 / STEP_M)
    strip = _strip(n)
    rows = slice(int(20 / STEP_M), int(43 / STEP_M))
    body = np.abs(strip.across_m) <= 1.5
    strip.pixels[:, rows][:, :, body] = 0.15
    occ = _occupancy(n, [(20.0, 43.0)])
    one = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(one.cars) == 1
    strip.pixels[:, int(31 / STEP_M) : int(32 / STEP_M)][:, :, body] = 0.35
    width = cars.centre_and_outer(strip)
    assert cars.gap_contrast(width, int(31 / STEP_M), STEP_M) > cars.GAP_RGB
    assert cars.gap_contrast(width, int(25 / STEP_M), STEP_M) < 0.01
    two = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(two.cars) == 2
    assert abs(two.cars[0].end_m - 31.0) <= 1.0
    assert two.low <= 1 and two.high >= 2


def _run_with_gaps(gaps_m: list[float], end_m: float) -> tuple[Strip, Occupancy]:
    """One run from 20 m to `end_m` with a clear coupler dip (half a metre) at each of `gaps_m`."""
    n = int(100 / STEP_M)
    strip = _strip(n)
    _paint(strip, 20.0, end_m)
    occ = _occupancy(n, [(20.0, end_m)])
    for g in gaps_m:
        occ.departure[int(g / STEP_M)] = 0.01
    return strip, occ


def test_short_car_between_two_cuts_is_kept_and_a_box_length_piece_is_not():
    # 9.5 m + 8 m + 10 m: the middle piece is a short car (9.3-9.7 m over couplers less its gaps)
    strip, occ = _run_with_gaps([29.5, 38.0], 48.5)
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert [(c.start_m, c.end_m) for c in est.cars] == [(20.0, 29.5), (30.0, 38.0), (38.5, 48.5)]
    # 6 m between two cuts (a container box) joins its neighbour
    strip, occ = _run_with_gaps([29.5, 36.0], 48.5)
    est = cars.estimate(strip, STEP_M, occupancy=occ)
    assert len(est.cars) == 2


def _dark_pair(length_m: float, gap_grey: float) -> tuple[Strip, Occupancy]:
    """A run of two dark cars (grey 0.15) from 20 m, `length_m` long, with a 1 m gap of grey `gap_grey`
    in the middle that the departure does not show."""
    n = int(100 / STEP_M)
    strip = _strip(n)
    end = 20.0 + length_m
    body = np.abs(strip.across_m) <= 1.5
    strip.pixels[:, int(20 / STEP_M) : int(end / STEP_M)][:, :, body] = 0.15
    mid = 20.0 + length_m / 2
    strip.pixels[:, int((mid - 0.5) / STEP_M) : int((mid + 0.5) / STEP_M)][:, :, body] = gap_grey
    return strip, _occupancy(n, [(20.0, end)])


def test_a_faint_gap_splits_a_run_too_long_for_most_cars_but_not_a_shorter_one():
    # a gap 0.06 brighter than the bodies: below GAP_RGB, above LONG_GAP_SHARE * GAP_RGB
    strip, occ = _dark_pair(24.0, 0.21)
    assert len(cars.estimate(strip, STEP_M, occupancy=occ).cars) == 2
    strip, occ = _dark_pair(21.0, 0.21)
    assert len(cars.estimate(strip, STEP_M, occupancy=occ).cars) == 1
