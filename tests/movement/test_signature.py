from dataclasses import replace

import numpy as np
import pytest
import scenarios

from railwatch.movement.signature import similarity


def _consists(seed=1):
    return scenarios.crossing(seed)


def test_same_set_reversed_with_locomotive_attached_matches():
    kp, ru, kh, _ = _consists()
    cmp_ = similarity(kp, ru)
    assert cmp_.similarity > 0.85
    assert cmp_.reversed is False
    assert cmp_.changes == ["locomotive attached"]
    # the same set seen from the other end (a track drawn the other way) matches just as well
    flipped = replace(
        ru, cars=[replace(c, start_m=1000.0 - c.end_m, end_m=1000.0 - c.start_m) for c in ru.cars]
    )
    turned = similarity(kp, flipped)
    assert turned.reversed is True
    assert turned.similarity == pytest.approx(cmp_.similarity, abs=1e-9)
    back = similarity(ru, kp)
    assert back.changes == ["locomotive detached"]
    assert similarity(ru, kh).changes == []


def test_same_count_different_colours_does_not_match():
    kp, _, _, _ = _consists()
    rng = np.random.default_rng(3)
    other = scenarios.consist(
        scenarios.cars_at(
            "khasan/main",
            200.0,
            [("boxcar", "#e0c234", 14.7), ("boxcar", "#3a7a3a", 14.7), ("boxcar", "#f4f4f4", 14.7)],
            rng,
        ),
        scenarios.T_BRIDGE_RU,
        "khasan",
        9,
    )
    assert similarity(kp, other).similarity < 0.2


def test_car_added_or_dropped_is_reported():
    rng = np.random.default_rng(5)
    eight = scenarios.consist(
        scenarios.cars_at("khasan/main", 0.0, scenarios.EIGHT, rng), scenarios.T_RETURN_KHASAN, "khasan", 1
    )
    seven = scenarios.consist(
        scenarios.cars_at("khasan/main", 0.0, scenarios.EIGHT[:3] + scenarios.EIGHT[4:], rng),
        scenarios.T_RETURN_YARD,
        "khasan",
        2,
    )
    cmp_ = similarity(eight, seven)
    assert cmp_.changes == ["1 car dropped"]
    same = similarity(eight, eight)
    assert cmp_.similarity > 0.6
    assert cmp_.log_lr < same.log_lr - 1.0  # a dropped car is evidence against, weighed in the ratio
    assert similarity(seven, eight).changes == ["1 car added"]


def test_different_types_same_colours_score_low():
    rng = np.random.default_rng(6)
    spec = [("tank", c, 14.7) for _, c, _ in scenarios.THREE]
    tanks = scenarios.consist(
        scenarios.cars_at("khasan/main", 0.0, spec, rng), scenarios.T_KHASAN, "khasan", 4
    )
    kp = _consists()[0]
    assert similarity(kp, tanks).similarity < 0.4


def test_vectorised_cost_matrix_equals_pairwise_costs():
    from railwatch.movement.signature import car_cost, cost_matrix, signature

    rng = np.random.default_rng(9)
    a = signature(
        scenarios.consist(scenarios.cars_at("x", 0.0, scenarios.EIGHT, rng), scenarios.T_KP, "x", 1)
    )
    b = signature(
        scenarios.consist(scenarios.cars_at("x", 0.0, scenarios.THREE, rng), scenarios.T_KP, "x", 2)
    )
    m = cost_matrix(a.cars, b.cars)
    assert m.shape == (8, 3)
    for i, ca in enumerate(a.cars):
        for j, cb in enumerate(b.cars):
            assert m[i, j] == pytest.approx(car_cost(ca, cb), abs=1e-12)
