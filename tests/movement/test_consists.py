from datetime import UTC, datetime

from railwatch.movement.consists import from_observations, gap_threshold_m, group
from railwatch.records import Car, Observation


def _cars(track, starts, length=14.0, kind="boxcar"):
    return [Car(track, s, s + length, kind, "#808080", 0.9) for s in starts]


def test_gap_splits_consists_and_orders_cars():
    cars = _cars("a", [30.0, 0.0, 15.0]) + _cars("a", [100.0, 115.5]) + _cars("b", [0.0])
    out = group(cars, gap_m=5.0)
    assert [(c.track, len(c.cars)) for c in out] == [("a", 3), ("a", 2), ("b", 1)]
    first = out[0]
    assert (first.start_m, first.end_m) == (0.0, 44.0)
    assert [c.start_m for c in first.cars] == [0.0, 15.0, 30.0]


def test_locomotive_stays_in_its_consist():
    cars = [Car("a", 0.0, 18.0, "locomotive")] + _cars("a", [19.0, 34.0])
    (c,) = group(cars)
    assert c.locomotives == 1 and len(c.railcars) == 2


def test_gap_floor_follows_gsd():
    assert gap_threshold_m(5.0, None) == 5.0
    assert gap_threshold_m(5.0, 3.0) == 6.0
    cars = _cars("a", [0.0, 19.5])  # 5.5 m gap: split at 0.3 m, one consist at 3 m GSD
    assert len(group(cars, gsd_m=0.3)) == 2
    assert len(group(cars, gsd_m=3.0)) == 1


def test_from_observations_carries_time_scene_and_site():
    t = datetime(2022, 11, 4, 1, 24, tzinfo=UTC)
    obs = Observation(
        "khasan", "khasan/2", t, 1.0, 2, 2, 2, scene_id=7, gsd_m=0.5, car_list=_cars("khasan/2", [0.0, 15.0])
    )
    (c,) = from_observations([obs])
    assert (c.site, c.scene_id, c.acquired, c.track) == ("khasan", 7, t, "khasan/2")
    assert c.id == "s7/khasan/2@0"


def test_fragments_are_dropped_before_grouping():
    cars = _cars("a", [0.0, 15.0]) + [Car("a", 30.0, 33.0, "flat")] + _cars("a", [34.5])
    first, second = group(cars)  # the 3 m fragment is no car: 29.0 -> 34.5 is a 5.5 m gap
    assert [len(first.cars), len(second.cars)] == [2, 1]
    (whole,) = group(cars, min_car_m=0.0)
    assert len(whole.cars) == 4
