from datetime import UTC, datetime

import pytest

from railwatch.narrative import words


@pytest.mark.parametrize(
    ("p", "word"),
    [
        (0.0, "almost no chance"),
        (0.049, "almost no chance"),
        (0.05, "very unlikely"),
        (0.3, "unlikely"),
        (0.5, "roughly even chance"),
        (0.6, "likely"),
        (0.81, "very likely"),
        (0.96, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd203_likelihood(p, word):
    assert words.likelihood(p) == word


@pytest.mark.parametrize(
    ("metres", "text"),
    [
        (4, "about 0 m"),
        (74, "about 70 m"),
        (196, "about 200 m"),
        (224, "about 200 m"),
        (880, "about 900 m"),
        (1430, "about 1.5 km"),
        (1880, "about 2 km"),
        (7400, "about 7 km"),
    ],
)
def test_distances_rounded_as_analysts_do(metres, text):
    assert words.distance(metres) == text


def test_local_times_carry_their_zone():
    t = datetime(2022, 11, 4, 3, 10, tzinfo=UTC)
    assert words.clock(t, "Asia/Vladivostok") == "13:10 Vladivostok time (UTC+10)"
    assert (
        words.clock(datetime(2022, 11, 4, 1, 24, tzinfo=UTC), "Asia/Pyongyang")
        == "10:24 Pyongyang time (UTC+9)"
    )
    assert words.clock(t, "Asia/Shanghai") == "11:10 Shanghai time (UTC+8)"
    assert words.clock(t, "UTC") == "03:10 UTC"
    assert words.day(datetime(2022, 11, 29, 20, 0, tzinfo=UTC), "Asia/Vladivostok") == "30 November 2022"
    assert (
        words.timezone_for("KP") == "Asia/Pyongyang"
        and words.timezone_for(None, "Europe/Zurich") == "Europe/Zurich"
    )


def test_colour_names_from_hex():
    assert words.color_name("#92b4e2") == "light blue"
    assert words.color_name("#233c90") == "dark blue"
    assert words.color_name("#873d2e") == "red-brown"
    assert words.color_name("#151515") == "black"
    assert words.color_name("#7e7f81") == "grey"
    assert words.color_name("#3b7d3c") == "green"


def test_type_phrases_and_numbers():
    assert words.type_phrase(["boxcar", "passenger", "locomotive"]) == "enclosed railcars"
    assert words.type_phrase(["covered"] * 3) == "covered cars"
    assert words.type_phrase(["tank"]) == "tank cars"
    assert words.type_phrase(["gondola"]) == "open-top cars"
    assert words.type_phrase(["tank", "gondola"]) == "mixed railcars"
    assert words.number(3) == "three" and words.number(21) == "21"
    assert words.join(["a", "b", "c"]) == "a, b and c"


def test_hedge_places_the_likelihood_word_as_english_wants():
    assert words.hedge(0.9, "the set", "", "crossed the border") == "the set very likely crossed the border"
    assert words.hedge(0.97, "the cars", "are", "the same set") == (
        "the cars are almost certainly the same set"
    )
    assert words.hedge(0.5, "the set", "", "crossed") == "there is a roughly even chance that the set crossed"
    assert words.hedge(0.02, "the set", "", "crossed") == "there is almost no chance that the set crossed"
    assert words.hedge(0.3, "the car", "is", "the same car") == "it is unlikely that the car is the same car"
