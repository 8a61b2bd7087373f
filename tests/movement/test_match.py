from datetime import timedelta

import numpy as np
import pytest
import scenarios
from shapely.geometry import LineString

from railwatch.movement.match import chains, confidence, match
from railwatch.movement.network import Network
from railwatch.records import Track


def test_crossing_is_one_chain_kp_to_ru_with_locomotive_attached(network):
    consists = scenarios.crossing()
    moves = match(consists, network)
    (chain,) = chains(moves)
    assert len(chain) == 2
    first, second = chain
    assert first.t0 == scenarios.T_KP and first.t1 == scenarios.T_BRIDGE_RU
    assert second.t1 == scenarios.T_KHASAN
    assert first.crossed_border and first.countries == ("KP", "RU")
    assert first.landmarks_passed == [
        f"friendship-bridge/{x}" for x in ("fb-kp-end", "fb-border", "fb-ru-end")
    ]
    assert first.changes == ["locomotive attached"]
    assert not second.crossed_border and second.changes == []
    assert 0.8 <= first.confidence <= 1.0 and 0.8 <= second.confidence <= 1.0
    assert first.distance_m == pytest.approx(100 + 601 + 160, abs=40)
    assert all(m.speed_kmh < 60 for m in chain)
    # the covered cars at Khasan match nothing
    covered = consists[3]
    assert all(covered not in (m.consist_from, m.consist_to) for m in moves)


def test_return_train_matched_with_locomotive_detached(network):
    moves = match(scenarios.returning(), network)
    (m,) = moves
    assert m.changes == ["locomotive detached"]
    assert m.countries == ("RU", "KP") and m.crossed_border
    assert len(m.consist_to.railcars) == 8 and m.consist_to.locomotives == 0


def test_same_count_other_colours_is_not_matched(network):
    rng = np.random.default_rng(8)
    kp = scenarios.crossing()[0]
    spec = [("boxcar", "#e0c234", 14.7), ("boxcar", "#3a7a3a", 14.7), ("boxcar", "#f4f4f4", 14.7)]
    decoy = scenarios.consist(
        scenarios.cars_at("khasan/main", 200.0, spec, rng), scenarios.T_BRIDGE_RU, "khasan", 5
    )
    assert match([kp, decoy], network) == []


def test_window_limits_matching(network):
    kp, ru, _, _ = scenarios.crossing()
    late = scenarios.consist(ru.cars, kp.acquired + timedelta(hours=50), "khasan", 6)
    assert match([kp, late], network) == []
    assert len(match([kp, late], network, window_h=72)) == 1


def test_infeasible_speed_is_a_hard_no():
    line = Track("long", LineString([(130.0, 42.0), (130.3, 42.0)]), country="RU")  # ~25 km
    net = Network([line])
    kp = scenarios.crossing()[0]
    a = scenarios.consist([_moved(c, "long", 100.0) for c in kp.cars], kp.acquired, "x", 1)
    b5 = scenarios.consist(
        [_moved(c, "long", 20_100.0) for c in kp.cars], kp.acquired + timedelta(minutes=5), "x", 2
    )
    assert match([a, b5], net) == []
    b_day = scenarios.consist(
        [_moved(c, "long", 20_100.0) for c in kp.cars], kp.acquired + timedelta(hours=1), "x", 3
    )
    (m,) = match([a, b_day], net)
    assert m.speed_kmh == pytest.approx(20.0, abs=0.5)
    # standing still is always feasible, even a minute later
    still = scenarios.consist(
        [_moved(c, "long", 100.0) for c in kp.cars], kp.acquired + timedelta(minutes=1), "x", 4
    )
    (m,) = match([a, still], net)
    assert m.distance_m == pytest.approx(0.0, abs=1.0)


def _moved(car, track, offset):
    from dataclasses import replace

    base = 2395.0
    return replace(car, track=track, start_m=car.start_m - base + offset, end_m=car.end_m - base + offset)


def test_two_identical_candidates_lower_confidence(network):
    kp, ru, _, _ = scenarios.crossing()
    twin = scenarios.consist(
        [
            type(c)("khasan/main", c.start_m + 300.0, c.end_m + 300.0, c.type, c.color, c.confidence)
            for c in ru.cars
        ],
        ru.acquired,
        "khasan",
        7,
    )
    assert match([kp, ru, twin], network) == []  # a coin flip between twins is not reported
    (m,) = match([kp, ru, twin], network, min_confidence=0.0)
    assert m.confidence < 0.5
    assert confidence(0.95, 0.0) == pytest.approx(0.95)
    assert confidence(0.95, 0.95) == pytest.approx(0.475)


def test_single_cars_are_not_followed(network):
    kp, ru, _, _ = scenarios.crossing()
    one_a = scenarios.consist(kp.railcars[:1], kp.acquired, "tumangang", 1)
    one_b = scenarios.consist(
        [c for c in ru.cars if c.color == one_a.cars[0].color][:1] or ru.cars[:1],
        ru.acquired,
        "friendship-bridge",
        2,
    )
    assert match([one_a, one_b], network) == []
    assert len(match([one_a, one_b], network, min_railcars=1, min_confidence=0.0)) <= 1
