"""The doubt a look's pixels give a track's count (`railwatch.detect.doubt`): faint cars on undone
thin-cloud veil, at a cloud's rim or shorter than any car may not be there; car-long gaps inside a
consist read as a neighbour's shadow may hold cars. They widen the interval's offsets, nothing else."""

from __future__ import annotations

import numpy as np
import pytest
import synth

from railwatch.detect import doubt
from railwatch.detect.count import CountResult
from railwatch.detect.estimate import Estimate, Side, Spread, total_interval
from railwatch.detect.occupancy import Occupancy
from railwatch.records import Car, TrackCount

STEP = 0.5
N = 1000  # 500 m
THR = 0.02


def _strip():
    across = np.arange(-12, 13) * STEP
    return synth.straight_strip(np.full((3, N, across.size), 0.4, np.float32), across, STEP)


def _occ(dep: np.ndarray, **masks: np.ndarray) -> Occupancy:
    z = np.zeros(N, bool)
    return Occupancy(
        departure=dep, occupied=dep > THR, seen=~masks.get("cloud", z), cloud=masks.get("cloud", z),
        shadow=z, threshold=THR, veiled=masks.get("veiled"), explained=masks.get("explained"),
    )


def _car(start_m: float, end_m: float, kind: str = "flat") -> Car:
    return Car(track="t", start_m=start_m, end_m=end_m, type=kind, color="#000000", confidence=0.5)


def _rows(a_m: float, b_m: float) -> slice:
    return slice(int(a_m / STEP), int(b_m / STEP))


def test_faint_cars_are_doubted_only_for_a_reason_the_pixels_give():
    dep = np.full(N, 0.005)
    veiled = np.zeros(N, bool)
    cloud = np.zeros(N, bool)
    cars = [
        _car(20, 34),  # faint, on veiled rows
        _car(40, 54),  # strong, on veiled rows: a car seen through the veil
        _car(100, 114),  # faint, 10 m from a cloud
        _car(200, 206),  # faint and 6 m long
        _car(300, 314),  # faint, clear, car-long: a low flat car, counted without doubt
        _car(400, 406, "locomotive"),  # locomotives are not railcars
    ]
    for c in cars:
        dep[_rows(c.start_m, c.end_m)] = 1.5 * THR
    dep[_rows(40, 54)] = 5 * THR
    veiled[_rows(15, 60)] = True
    cloud[_rows(124, 160)] = True
    occ = _occ(dep, veiled=veiled, cloud=cloud)
    assert doubt.doubted(cars, _strip(), occ) == (1, 1, 1)
    # the cloud's rim reaches CLOUD_RIM_M: 30 m from the cloud the same faint car is not doubted
    cloud2 = np.zeros(N, bool)
    cloud2[_rows(144, 180)] = True
    assert doubt.doubted(cars, _strip(), _occ(dep, veiled=veiled, cloud=cloud2)) == (1, 0, 1)
    # without the veil evidence (not measured) the veiled faint car is doubted for nothing else
    assert doubt.doubted(cars, _strip(), _occ(dep, cloud=cloud)) == (0, 1, 1)


def test_a_car_long_gap_in_a_consist_read_as_shadow_may_hold_cars():
    dep = np.full(N, 0.1)
    explained = np.zeros(N, bool)
    explained[_rows(35, 49)] = True  # 15 m gap between cars 2 and 3: one hidden car
    explained[_rows(64, 95)] = True  # 31 m gap: two
    explained[_rows(300, 340)] = True  # shadow on empty track beyond the consist: no car stands above it
    cars = [_car(20, 34.5), _car(49.5, 64), _car(95, 110), _car(110.5, 125)]
    occ = _occ(dep, explained=explained)
    assert doubt.shadowed(cars, _strip(), occ) == 3
    # a gap mostly not explained, or shorter than a car, holds none
    half = explained.copy()
    half[_rows(64, 85)] = False
    assert doubt.shadowed(cars, _strip(), _occ(dep, explained=half)) == 1
    short = [_car(20, 34.5), _car(42, 64)]
    assert doubt.shadowed(short, _strip(), occ) == 0
    assert doubt.shadowed(cars, _strip(), _occ(dep)) == 0


def test_widen_moves_only_the_offsets_and_the_scene_adds_them_linearly():
    dep = np.full(N, 0.005)
    veiled = np.zeros(N, bool)
    veiled[_rows(0, 100)] = True
    cars = [_car(10, 24), _car(30, 44), _car(200, 215)]
    dep[_rows(10, 24)] = dep[_rows(30, 44)] = 1.2 * THR
    dep[_rows(200, 215)] = 6 * THR
    spread = Spread(down=Side(1.5, 0.06, 0.0), up=Side(1.5, 0.06, 0.5))
    est = Estimate(cars, 1, 5, _occ(dep, veiled=veiled), spread)
    d = doubt.widen(est, _strip())
    assert (d.veiled, d.down, d.up) == (2, 2, 0)
    assert "2 faint under undone thin cloud" in d.describe()
    assert (est.low, est.high) == (0, 5)
    assert est.spread == Spread(down=Side(1.5, 0.06, 2.0), up=Side(1.5, 0.06, 0.5))
    # two such tracks: the independent parts add in quadrature, the doubted cars one for one
    low, high = total_interval([(3, 0, 5, est.spread), (3, 0, 5, est.spread)])
    assert low == 0  # 6 - (hypot(1.5 * sqrt 2, 0.12) + 4) = -0.1
    plain = total_interval([(3, 1, 5, spread), (3, 1, 5, spread)])
    assert plain[0] == 3 and high == plain[1]


def test_clear_strong_cars_leave_the_interval_as_it_was():
    dep = np.full(N, 0.005)
    cars = [_car(10, 24), _car(24.5, 39)]
    dep[_rows(10, 39)] = 4 * THR
    spread = Spread(down=Side(1.0), up=Side(1.0))
    est = Estimate(cars, 1, 3, _occ(dep), spread)
    assert doubt.widen(est, _strip()) == doubt.Doubt()
    assert (est.low, est.high, est.spread) == (1, 3, spread)


def test_count_result_carries_each_tracks_doubt():
    tc = TrackCount(id="t", length_m=500.0, coverage=1.0, cars=3, cars_low=0, cars_high=5)
    r = CountResult(image="x", gsd_m=0.5, tracks=[tc], cars=[], doubts={"t": doubt.Doubt(veiled=2)})
    assert r.doubts["t"].down == 2
    assert r.total_interval == (0, 5)
    assert doubt.Doubt(shadowed=1).describe() == "1 may hide in rows read as a neighbour's shadow"
    with pytest.raises(AttributeError):
        doubt.Doubt().veiled = 1  # frozen: a look's evidence is not edited after the count


def test_uncount_leaves_cloud_faint_cars_out_but_keeps_them_on_the_upper_side():
    dep = np.full(N, 0.005)
    veiled = np.zeros(N, bool)
    veiled[_rows(0, 100)] = True
    cars = [_car(10, 24), _car(30, 44), _car(200, 215), _car(300, 305)]
    dep[_rows(10, 24)] = dep[_rows(30, 44)] = dep[_rows(300, 305)] = 1.2 * THR
    dep[_rows(200, 215)] = 6 * THR
    spread = Spread(down=Side(1.5, 0.08, 0.0), up=Side(1.5, 0.08, 0.0))
    est = Estimate(list(cars), 2, 6, _occ(dep, veiled=veiled), spread)
    d = doubt.widen(est, _strip(), uncount=True)
    assert est.cars == [cars[2], cars[3]], "the two veiled faint cars are left out, the short one stays"
    assert (d.uncounted, d.veiled, d.short, d.down, d.up) == (2, 0, 1, 1, 2)
    assert "2 faint under cloud left out of the count" in d.describe()
    # the interval keeps its ends: two cars fewer counted, two more that may be there, one doubted
    assert (est.low, est.high) == (0, 6)
    assert est.spread.up.fixed == 2 and est.spread.down.fixed == 1
    # without uncount the count keeps them and the lower side takes them
    est2 = Estimate(list(cars), 2, 6, _occ(dep, veiled=veiled), spread)
    d2 = doubt.widen(est2, _strip())
    assert len(est2.cars) == 4 and (d2.veiled, d2.short, d2.down, d2.up) == (2, 1, 3, 0)
    assert (est2.low, est2.high) == (0, 6)


def test_a_shadow_gap_with_no_neighbours_car_abreast_is_counted_as_a_dark_car():
    dep = np.full(N, 0.1)
    explained = np.zeros(N, bool)
    explained[_rows(35, 49)] = True  # 15 m gap: one car
    explained[_rows(64, 95)] = True  # 31 m gap: two
    cars = [_car(20, 34.5), _car(49.5, 64), _car(95, 110), _car(110.5, 125)]
    abreast = np.zeros(N, bool)
    abreast[_rows(64, 95)] = True  # a neighbour's car beside the second gap: it may be its shadow
    spread = Spread(down=Side(1.0, 0.05, 0.0), up=Side(1.0, 0.05, 0.0))
    est = Estimate(list(cars), 3, 5, _occ(dep, explained=explained), spread)
    d = doubt.widen(est, _strip(), uncount=True, abreast=abreast)
    assert (d.restored, d.shadowed) == (1, 2)
    assert len(est.cars) == 5 and [c.start_m for c in est.cars] == sorted(c.start_m for c in est.cars)
    new = est.cars[1]
    assert (new.start_m, new.end_m) == pytest.approx((34.5, 49.5)) and new.track == "t"
    assert new.confidence == doubt.RESTORED_CONFIDENCE
    # the restored car is counted but may be a shadow after all: low stays, high rises by it and the gap
    assert (est.low, est.high) == (3, 5 + 1 + 2)
    assert est.spread.down.fixed == 1 and est.spread.up.fixed == 2
    assert "counted" in d.describe()
    # without `abreast` (or where cars are lengths, not split) every gap stays a doubt only
    est2 = Estimate(list(cars), 3, 5, _occ(dep, explained=explained), spread)
    d2 = doubt.widen(est2, _strip(), uncount=True)
    assert (d2.restored, d2.shadowed, len(est2.cars)) == (0, 3, 4)
    est3 = Estimate(list(cars), 3, 5, _occ(dep, explained=explained), spread)
    d3 = doubt.widen(est3, _strip(), uncount=False, abreast=np.zeros(N, bool))
    assert (d3.restored, d3.shadowed, len(est3.cars)) == (0, 3, 4)
