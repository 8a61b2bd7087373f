"""`evaluate.match_chainage`: the one-to-one chainage matcher the benches and tests score cars with."""

from __future__ import annotations

from dataclasses import dataclass

from railwatch.detect.evaluate import match_chainage


@dataclass
class _Car:
    track: str
    start_m: float
    end_m: float
    type: str = "boxcar"


def test_pairs_need_the_same_track_and_half_overlap():
    truth = [_Car("a", 0, 15), _Car("a", 16, 30), _Car("b", 0, 15)]
    cars = [_Car("a", 2, 15), _Car("b", 8, 23), _Car("a", 16, 31)]
    pairs = match_chainage(truth, cars)
    # (2, 15) vs (0, 15): IoU 13/15; (8, 23) vs (0, 15): 7/23 < 0.5; (16, 31) vs (16, 30): 14/15
    assert [(t.start_m, c.start_m) for t, c in pairs] == [(0, 2), (16, 16)]


def test_each_true_car_is_used_once():
    truth = [_Car("a", 0, 15)]
    cars = [_Car("a", 0, 15), _Car("a", 1, 15)]
    assert len(match_chainage(truth, cars)) == 1
    assert match_chainage(truth, cars, min_iou=0.95)[0][1] is cars[0]
    assert match_chainage([], cars) == [] and match_chainage(truth, []) == []
