import re

from railwatch.narrative import words
from railwatch.narrative.brief import brief

FORBIDDEN = re.compile(
    r"\b(carrying|carries|carried|loaded with|laden|weapons?|ammunition|munitions?|missiles?|shells|arms|"
    r"artillery|cargo of|transporting|military equipment)\b",
    re.IGNORECASE,
)


def _brief(setting, *scenario):
    consists = [c for s in scenario for c in s[0]]
    moves = [m for s in scenario for m in s[1]]
    return brief(moves, consists, setting)


def test_brief_has_the_expected_phrases(crossing, returning, setting):
    text = _brief(setting, crossing, returning)
    for phrase in (
        "three-car set of enclosed railcars",
        "light blue, dark blue, red-brown",
        "behind a locomotive",
        "about 200 m",
        "Vladivostok time",
        "Pyongyang time (UTC+9)",
        "three smaller covered cars",
        "crossed the border from North Korea into Russia",
        "without its locomotive",
        "A locomotive was detached",
        "cannot be determined from the imagery",
    ):
        assert phrase in text, phrase
    assert text.startswith("# Rail movements")
    assert text.count("### ") == 2


def test_brief_never_states_cargo_or_purpose(crossing, returning, setting):
    text = _brief(setting, crossing, returning)
    assert FORBIDDEN.search(text) is None, FORBIDDEN.search(text)


def test_brief_sentences_keep_likelihood_and_confidence_apart(crossing, returning, setting):
    text = _brief(setting, crossing, returning)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("_Prepared"))
    for sentence in re.split(r"(?<=[.!?])\s+", body):
        lik = any(re.search(rf"\b{w}\b", sentence) for w in words.LIKELIHOOD_WORDS)
        assert not (lik and re.search(r"\b(low|moderate|high) confidence\b", sentence)), sentence


def test_brief_filters_by_site_and_lists_unfollowed_sightings(crossing, returning, setting):
    text = brief(
        crossing[1] + returning[1], crossing[0] + returning[0], setting, site_ids=["friendship-bridge"]
    )
    assert "three-car set of enclosed railcars" in text
    assert "eight-car train" not in text
    only_khasan = brief(crossing[1], crossing[0], setting, site_ids=["khasan"])
    assert "## Other sightings" in only_khasan
    assert "three-car set of covered cars" in only_khasan.split("## Other sightings")[1]


def test_empty_brief_says_so(setting):
    assert "No railcar set was followed" in brief([], [], setting)


def test_single_detections_are_summarised_not_described(crossing, setting):
    from railwatch.records import Car, Consist

    consists, moves = crossing
    t = consists[2].acquired
    singles = [
        Consist("khasan/2", x, x + 12.0, [Car("khasan/2", x, x + 12.0, "flat", "#474747")], t, 3, "khasan")
        for x in (50.0, 700.0)
    ]
    text = brief(moves, consists + singles, setting, site_ids=["khasan"])
    assert "Two single cars were also detected" in text
    assert "single flat car" not in text
    assert "next to three smaller covered cars on an adjacent track" in text
