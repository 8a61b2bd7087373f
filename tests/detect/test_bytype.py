"""detect.bytype: by-type expected counts and 90 % intervals from cars' type probabilities."""

from __future__ import annotations

import math

import pytest
import synth

from railwatch.detect import bytype
from railwatch.detect.count import count
from railwatch.records import Car


def _car(k: int, p: dict[str, float], track: str = "t", gap_m: float = 1.0) -> Car:
    start = k * (14.0 + gap_m)
    return Car(track=track, start_m=start, end_m=start + 14.0, type=max(p, key=p.__getitem__), type_p=p)


def test_sure_cars_give_their_count_with_the_count_interval_shared_by_type():
    cars = [_car(k, {"tank": 1.0}) for k in range(6)]
    cars += [_car(k, {"boxcar": 1.0}, track="u") for k in range(4)]
    out = bytype.type_counts(cars, low=8, high=14)
    assert out["tank"].expected == pytest.approx(6.0)
    assert out["boxcar"].expected == pytest.approx(4.0)
    # no type doubt beyond the scene-wide confusion part: the count's 2 extra / 4 missed cars by share
    cv = bytype.CONFUSION_CV
    tank_down = math.hypot(bytype.Z90 * cv * 6, 0.6 * 2)
    tank_up = math.hypot(bytype.Z90 * cv * 6, 0.6 * 4)
    assert out["tank"].low == math.floor(6 - tank_down)
    assert out["tank"].high == math.ceil(6 + tank_up)
    assert out["tank"].low <= 6 <= out["tank"].high <= 14


def test_doubtful_cars_widen_their_types_and_share_their_mass():
    sure = bytype.type_counts([_car(k, {"covered": 1.0}, gap_m=10.0) for k in range(10)], 10, 10)
    doubt = bytype.type_counts(
        [_car(k, {"covered": 0.7, "boxcar": 0.3}, gap_m=10.0) for k in range(10)], 10, 10
    )
    assert doubt["covered"].expected == pytest.approx(7.0)
    assert doubt["boxcar"].expected == pytest.approx(3.0)
    assert doubt["covered"].high - doubt["covered"].low > sure["covered"].high - sure["covered"].low
    # the argmax count (10 covered) stays inside its own interval
    assert doubt["covered"].low <= 10 <= doubt["covered"].high
    assert doubt["boxcar"].low == 0  # argmax says none
    assert doubt["boxcar"].high >= 4


def test_lookalike_cars_in_one_consist_are_less_sure_than_scattered_ones():
    p = {"flat": 0.6, "covered": 0.4}
    coupled = bytype.type_counts([_car(k, p, gap_m=1.0) for k in range(12)], 12, 12)
    apart = bytype.type_counts([_car(k, p, gap_m=20.0) for k in range(12)], 12, 12)
    assert len(bytype.lookalikes([_car(k, p, gap_m=1.0) for k in range(12)])) == 1
    assert len(bytype.lookalikes([_car(k, p, gap_m=20.0) for k in range(12)])) == 12
    assert coupled["flat"].variance > apart["flat"].variance


def test_many_unsure_cars_of_one_look_err_together(monkeypatch):
    p = {"boxcar": 0.5, "covered": 0.5}
    cars = [_car(k, p, gap_m=20.0) for k in range(40)]  # no look-alike blocks: only the look's share
    monkeypatch.setattr(bytype, "CONFUSION_CV", 0.0)
    monkeypatch.setattr(bytype, "SHARED_CORRELATION", 0.0)
    alone = bytype.type_counts(cars, 40, 40)["boxcar"].variance
    monkeypatch.setattr(bytype, "SHARED_CORRELATION", 0.04)
    shared = bytype.type_counts(cars, 40, 40)["boxcar"].variance
    assert alone == pytest.approx(40 * 0.25)
    # 40 x 0.25 on its own, plus 4 % of the 40 x 39 pair covariances of 0.25 each
    assert shared == pytest.approx(10.0 + 0.04 * (20.0**2 - 10.0))


def test_no_interval_where_types_are_not_read():
    cars = [Car(track="t", start_m=15.0 * k, end_m=15.0 * k + 14.0) for k in range(5)]  # no probabilities
    assert bytype.type_counts(cars, 4, 7) == {}
    assert bytype.type_counts([_car(0, {"tank": 1.0})], 1, 1, read=False) == {}
    assert bytype.majority({}, 5) is None


def test_majority_probability_follows_the_expected_share():
    assert bytype.majority_probability(9.0, 1.0, 10) > 0.95
    assert bytype.majority_probability(5.4, 1e-9, 10) == 0.0  # 6 of 10 needed
    assert 0.4 < bytype.majority_probability(5.5, 1.0, 10) < 0.6
    assert bytype.majority_probability(2.0, 1.0, 10) < 0.01
    counts = bytype.type_counts([_car(k, {"tank": 0.95, "boxcar": 0.05}, gap_m=20) for k in range(8)]
                                + [_car(20 + k, {"boxcar": 1.0}, gap_m=20) for k in range(2)], 10, 10)
    kind, p = bytype.majority(counts, 10)
    assert kind == "tank" and p > 0.8


@pytest.mark.parametrize("gsd", [0.5, 3.0])
def test_count_reports_by_type_intervals_only_where_types_are_read(tmp_path, gsd):
    scene = synth.render(tmp_path / "s.tif", gsd_m=gsd, n_tracks=2, length_m=250, seed=3, fill=0.5)
    r = count(scene.path, tracks=scene.tracks)
    d = r.to_dict()
    if gsd >= 1.0:
        assert not r.types_read
        assert d["by_type_low"] == {} and d["by_type_high"] == {}
        assert all(t["by_type_low"] == {} for t in d["tracks"])
        assert r.type_majority() is None
        return
    assert all(c.type_p for c in r.railcars)
    typed = r.by_type_interval
    assert sum(tc.expected for tc in typed.values()) == pytest.approx(r.total)
    for k, tc in typed.items():
        assert 0 <= tc.low <= tc.expected <= tc.high <= r.total_high
        assert d["by_type_low"][k] == tc.low and d["by_type_high"][k] == tc.high
    for t in d["tracks"]:
        for k, v in t["by_type"].items():
            if k != "unknown":  # unknown cars are shared out among the types by their probabilities
                assert t["by_type_low"][k] <= v <= t["by_type_high"][k]
    kind, p = r.type_majority()
    assert kind in typed and 0.0 <= p <= 1.0
