"""Car likeness as matching needs it from pixels: type readings weighed by their confidence (noisy types
tolerated, confident ones still decisive), colour decisive, evidence as a likelihood ratio against the
chance likeness of the period's other cars."""

from datetime import timedelta

import numpy as np
import pytest
import scenarios

from railwatch.movement.color import lab
from railwatch.movement.match import match, signatures_with_chance
from railwatch.movement.signature import (
    DEFAULT,
    CarMark,
    Signature,
    car_cost,
    compare,
    likeness,
    with_chance,
)
from railwatch.records import Car

LIGHT_BLUE, DARK_BLUE, RED_BROWN = "#84a5be", "#294068", "#6b4031"
GREYS = ["#5e5953", "#605b55", "#5d5751", "#67625b", "#5b5650", "#6a655f"]


def _mark(kind: str, colour: str, length_m: float = 16.5, conf: float = 0.5) -> CarMark:
    return CarMark(kind, lab(colour), length_m, conf)


def _like(a: CarMark, b: CarMark) -> float:
    return float(likeness((a,), (b,))[0, 0])


def test_type_disagreement_weighs_by_both_confidences():
    same = _like(_mark("boxcar", LIGHT_BLUE), _mark("boxcar", LIGHT_BLUE))
    unsure = _like(_mark("boxcar", LIGHT_BLUE, conf=0.3), _mark("tank", LIGHT_BLUE, conf=0.5))
    sure = _like(_mark("boxcar", LIGHT_BLUE, conf=0.95), _mark("tank", LIGHT_BLUE, conf=0.95))
    assert same == pytest.approx(1.0, abs=1e-9)
    assert unsure == pytest.approx(1.0 - 0.3 * 0.5, abs=1e-6)
    assert sure == pytest.approx(1.0 - 0.95 * 0.95, abs=1e-6)
    # as evidence: the unsure pair still speaks for one car, the sure one against
    assert car_cost(_mark("boxcar", LIGHT_BLUE, conf=0.3), _mark("tank", LIGHT_BLUE, conf=0.5)) < -0.5
    assert car_cost(_mark("boxcar", LIGHT_BLUE, conf=0.95), _mark("tank", LIGHT_BLUE, conf=0.95)) > 0.0


def test_car_evidence_is_a_likelihood_ratio_over_chance():
    a, b = _mark("boxcar", LIGHT_BLUE), _mark("boxcar", LIGHT_BLUE)
    # no pool: chance is DEFAULT.default_chance; ratio = (1 - failure) * like / chance + failure
    expect = (1 - DEFAULT.read_failure) / DEFAULT.default_chance + DEFAULT.read_failure
    assert car_cost(a, b) == pytest.approx(-np.log(expect), abs=1e-9)
    rare = CarMark(a.type, a.lab, a.length_m, a.type_confidence, chance=0.1)
    common = CarMark(a.type, a.lab, a.length_m, a.type_confidence, chance=0.8)
    assert car_cost(rare, rare) == pytest.approx(-np.log(0.7 / 0.1 + 0.3), abs=1e-9)
    assert car_cost(common, common) == pytest.approx(-np.log(0.7 / 0.8 + 0.3), abs=1e-9)
    # a pair that looks unrelated is weak evidence against (a failed reading), never a veto
    other = _mark("boxcar", "#e0c234")
    assert 0.0 < car_cost(a, other) <= -np.log(DEFAULT.read_failure) + 1e-9


def test_unknown_type_is_a_wildcard():
    assert _like(_mark("unknown", RED_BROWN, conf=0.3), _mark("tank", RED_BROWN, conf=0.9)) == pytest.approx(
        1.0, abs=1e-9
    )


def test_noisy_types_tolerated_but_colours_still_decide():
    first = Signature(
        (_mark("container", RED_BROWN), _mark("container", DARK_BLUE), _mark("boxcar", LIGHT_BLUE)), 0
    )
    # the same three cars read with other (low-confidence) types, a locomotive now attached
    again = Signature((_mark("boxcar", RED_BROWN), _mark("flat", DARK_BLUE), _mark("tank", LIGHT_BLUE)), 1)
    assert compare(first, again).similarity > 0.6
    # the same types as the first look, but other colours: not the same cars
    other = Signature(
        (_mark("container", "#e0c234"), _mark("container", "#3a7a3a"), _mark("boxcar", "#f4f4f4")), 1
    )
    assert compare(first, other).similarity < 0.2
    # confident type readings that disagree still say these are other cars
    sure_a = Signature(tuple(CarMark("boxcar", c.lab, c.length_m, 0.95) for c in first.cars), 0)
    sure_b = Signature(tuple(CarMark("tank", c.lab, c.length_m, 0.95) for c in first.cars), 0)
    assert compare(sure_a, sure_b).similarity < 0.2


def test_common_look_scores_less_beyond_chance():
    greys = tuple(_mark("flat", g, 15.0) for g in GREYS * 4)
    grey_cut = Signature((_mark("flat", GREYS[0], 15.0), _mark("flat", GREYS[1], 15.0)), 0)
    grey_again = Signature((_mark("flat", GREYS[2], 15.5), _mark("flat", GREYS[3], 14.5)), 0)
    blue_cut = Signature((_mark("boxcar", LIGHT_BLUE, 15.0), _mark("boxcar", DARK_BLUE, 15.0)), 0)
    blue_again = Signature((_mark("boxcar", LIGHT_BLUE, 15.5), _mark("boxcar", DARK_BLUE, 14.5)), 0)
    raw_grey = compare(grey_cut, grey_again).similarity
    raw_blue = compare(blue_cut, blue_again).similarity
    assert raw_grey > 0.8 and raw_blue > 0.8  # alike either way, judged against a default chance
    grey_k = compare(with_chance(grey_cut, greys), with_chance(grey_again, greys)).similarity
    blue_k = compare(with_chance(blue_cut, greys), with_chance(blue_again, greys)).similarity
    assert grey_k < 0.6  # among many grey cuts two grey cuts say little
    assert blue_k > 0.9 and blue_k > raw_blue  # two blue boxcars among grey cuts say a lot
    assert all(0.5 < c.chance <= 1.0 for c in with_chance(grey_cut, greys).cars)
    assert all(c.chance < 0.25 for c in with_chance(blue_cut, greys).cars)


def test_chance_leaves_out_the_sighting_itself(network):
    kp, ru, _, _ = scenarios.crossing()
    sigs = signatures_with_chance([kp, ru])
    # each car's chance is its likeness to the other sighting's three cars: about 1/3 (its own twin)
    for consist in (kp, ru):
        chances = [c.chance for c in sigs[id(consist)].cars]
        assert all(0.2 < p < 0.45 for p in chances), chances


def test_grey_cuts_in_a_grey_yard_are_not_followed_but_a_typed_noisily_train_is(network):
    rng = np.random.default_rng(11)
    t0, t1 = scenarios.T_KP, scenarios.T_KP + timedelta(hours=3)

    def cut(track: str, start_m: float, colours: list[str], kinds: list[str], when, scene: int):
        spec = [(k, c, 15.0) for k, c in zip(kinds, colours, strict=True)]
        cars = scenarios.cars_at(track, start_m, spec, rng, color_noise=3.0)
        cars = [Car(c.track, c.start_m, c.end_m, c.type, c.color, 0.5) for c in cars]
        return scenarios.consist(cars, when, "tumangang", scene)

    consists = []
    for k in range(4):  # grey fragments (shadows, ballast) read as flats, in both looks
        consists.append(cut("tumangang/main", 100.0 + 200 * k, GREYS[k : k + 2], ["flat", "flat"], t0, 1))
        consists.append(cut("tumangang/main", 110.0 + 200 * k, GREYS[k + 1 : k + 3], ["flat", "flat"], t1, 2))
    train = [RED_BROWN, DARK_BLUE, LIGHT_BLUE]
    consists.append(cut("tumangang/main", 1000.0, train, ["container", "container", "boxcar"], t0, 1))
    consists.append(cut("tumangang/main", 1200.0, train, ["boxcar", "flat", "tank"], t1, 2))
    moves = match(consists, network)
    assert len(moves) == 1
    (m,) = moves
    assert m.consist_from.start_m == pytest.approx(1000.0) and m.consist_to.start_m == pytest.approx(1200.0)
    assert m.confidence > 0.6


def test_end_car_length_is_read_less_surely():
    inner = 1.0 - _like(
        CarMark("boxcar", lab(RED_BROWN), 21.5, 0.3), CarMark("boxcar", lab(RED_BROWN), 17.0, 0.3)
    )
    end = 1.0 - _like(
        CarMark("boxcar", lab(RED_BROWN), 21.5, 0.3, at_end=True),
        CarMark("boxcar", lab(RED_BROWN), 17.0, 0.3),
    )
    rel = 4.5 / 21.5
    assert inner == pytest.approx(0.5 * (rel / 0.25) ** 2, abs=1e-6)
    assert end == pytest.approx(0.5 * (rel / 0.375) ** 2, abs=1e-6)
    assert end < inner
