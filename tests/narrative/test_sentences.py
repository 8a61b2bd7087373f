import re

from railwatch.narrative import sentences as S
from railwatch.narrative import words


def _chain(moves):
    from railwatch.movement.match import chains

    (chain,) = chains(moves)
    return chain


def test_describe_the_three_car_set(crossing):
    consists, _ = crossing
    assert (
        S.describe(consists[0], high_first=True)
        == "a three-car set of enclosed railcars (light blue, dark blue, red-brown)"
    )
    assert S.describe(consists[3]).startswith("a three-car set of covered cars")


def test_chain_sentence_reads_like_the_published_account(crossing, setting):
    consists, moves = crossing
    text = S.chain_sentence(_chain(moves), setting, consists)
    assert text.startswith(
        "On 4 November 2022 a three-car set of enclosed railcars (light blue, dark blue, red-brown)"
    )
    assert "at 10:24 Pyongyang time (UTC+9) on the Korean side of the Friendship Bridge" in text
    assert (
        "at 13:10 Vladivostok time (UTC+10) in Russia behind a locomotive about 200 m past the end of the "
        "railway bridge" in text
    )
    assert "at 14:29 Vladivostok time (UTC+10)" in text
    assert "at Khasan station, about 2 km from the border" in text
    assert "next to three smaller covered cars on an adjacent track" in text


def test_identity_sentence_uses_likelihood_only(crossing, setting):
    _, moves = crossing
    chain = _chain(moves)
    text = S.identity_sentence(chain[1], setting)
    word = words.likelihood(chain[1].confidence)
    word = {"almost certain": "almost certainly"}.get(word, word)  # the adverb where English wants one
    assert text == (
        f"The three cars seen at Khasan at 14:29 are {word} "
        "the same set seen at 13:10 on the Russian side of the bridge."
    )
    assert "confidence" not in text


def test_return_train_without_its_locomotive(returning, setting):
    consists, moves = returning
    text = S.chain_sentence(moves, setting, consists)
    assert "an eight-car train of mixed railcars" in text
    assert (
        "on 30 November 2022 at 11:40 Pyongyang time (UTC+9) in the Tumangang yard in North Korea "
        "without its locomotive" in text
    )
    assert S.change_sentences(moves[0], setting) == [
        "A locomotive was detached between 13:05 on 29 November 2022 and 11:40 on 30 November 2022."
    ]


def test_confidence_and_likelihood_never_share_a_sentence(crossing, returning, setting):
    for consists, moves in (crossing, returning):
        chain = _chain(moves)
        sents = [
            S.chain_sentence(chain, setting, consists),
            S.crossing_sentence(chain, setting),
            S.confidence_sentence(chain),
            S.limits_sentence(chain[0].consist_from),
        ]
        sents += [S.identity_sentence(m, setting) for m in chain]
        for s in sents:
            has_likelihood = any(re.search(rf"\b{w}\b", s) for w in words.LIKELIHOOD_WORDS)
            has_confidence = "confidence" in s
            assert not (has_likelihood and has_confidence), s


def test_limits_never_assert_cargo(crossing):
    consists, _ = crossing
    text = S.limits_sentence(consists[0])
    assert text == (
        "The imagery does not show what the enclosed cars carry; their purpose cannot be determined "
        "from the imagery."
    )
