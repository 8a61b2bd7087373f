"""narrative.composition: the largest railcar type of a look with its interval and ICD 203 majority odds."""

from __future__ import annotations

from datetime import UTC, datetime

from railwatch.narrative.composition import composition_sentence, latest_composition, scene_by_type
from railwatch.records import Observation

T0 = datetime(2023, 10, 5, 2, 15, tzinfo=UTC)


def _obs(track: str, cars: int, expected: dict[str, float] | None, low=None, high=None, when=T0, scene=1):
    typed = {k: round(m) for k, m in (expected or {}).items()}
    return Observation(site="yard", track=track, acquired=when, coverage=1.0, cars=cars, cars_low=cars - 2,
                       cars_high=cars + 2, by_type=typed, scene_id=scene, by_type_expected=expected,
                       by_type_low=low, by_type_high=high)


def test_a_clear_majority_is_named_with_its_likelihood_and_interval():
    obs = [_obs("t1", 20, {"covered": 17.0, "boxcar": 3.0}, {"covered": 14, "boxcar": 1},
                {"covered": 20, "boxcar": 6}),
           _obs("t2", 20, {"covered": 16.0, "tank": 4.0}, {"covered": 13, "tank": 2},
                {"covered": 19, "tank": 6})]
    typed = scene_by_type(obs)
    # without their sums (`by_type_doubt`) each track's interval is read as its own variance and the look's
    # shared parts are added again: wider than the tracks' 27-39 summed, never narrower
    assert typed["covered"][:3] == (33.0, 25, 41)
    text = composition_sentence(obs, T0, "Asia/Pyongyang")
    assert text == ("On 5 October 2023, most of the railcars were almost certainly covered cars: "
                    "about 33 (90 % interval 25–41) of 40.")


def test_a_close_call_is_hedged_and_a_mix_is_called_a_mix():
    even = [_obs("t1", 20, {"tank": 10.5, "gondola": 9.5}, {"tank": 6, "gondola": 5},
                 {"tank": 15, "gondola": 14})]  # 11 of 20 needed: half the odds
    assert "roughly even chance that most of the railcars were tank cars" in composition_sentence(even)
    mix = [_obs("t1", 20, {"tank": 7.0, "gondola": 6.0, "flat": 7.0 - 0.5, "boxcar": 0.5},
                {"tank": 5, "gondola": 4, "flat": 4, "boxcar": 0},
                {"tank": 9, "gondola": 8, "flat": 9, "boxcar": 2})]
    assert composition_sentence(mix) == (
        "The railcars were a mix; the most were tank cars: about 7 (90 % interval 4–10) of 20.")


def test_nothing_when_types_were_not_read_or_no_railcars():
    assert composition_sentence([_obs("t1", 12, None)]) is None  # coarse GSD
    assert composition_sentence([_obs("t1", 0, {}, {}, {})]) is None
    later = datetime(2023, 10, 9, tzinfo=UTC)
    obs = [_obs("t1", 5, {"tank": 5.0}, {"tank": 4}, {"tank": 6}), _obs("t1", 9, None, when=later, scene=2)]
    assert latest_composition(obs).startswith("On 5 October 2023")  # the later look is coarse
