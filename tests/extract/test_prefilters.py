"""Shortcuts taken for speed give what the full search gives.

Each shortcut (a cache shared between components, a cheap test that skips a
regular expression, positions a pattern is tried at) is compared with the
plain computation on invented sentences that do and do not hold a match.
"""

from __future__ import annotations

import pytest

from miner.extract import arm_value, effect

# ---------------------------------------------------------------- effect cache

EFFECT_SENTENCES = [
    pytest.param("Relapses fell (ARR 0.31, 95% CI 0.20-0.48; P < 0.001).", id="arr-written"),
    pytest.param("Infections rose (ARI 4.1%, 95% CI 1.2 to 7.0).", id="ari-written"),
    pytest.param("Mortality was lower (HR 0.72, 95% CI 0.61-0.85).", id="no-ambiguous-abbr"),
    pytest.param("Scores improved by 3.2 points (P = 0.02).", id="no-measure"),
    pytest.param("ARRIVAL time fell (OR 0.5, 95% CI 0.3-0.9).", id="abbr-inside-word"),
]


@pytest.mark.parametrize("sentence", EFFECT_SENTENCES)
@pytest.mark.parametrize(
    "unspelled",
    [frozenset(), frozenset({"ARR"}), frozenset({"ARR", "ARI"})],
    ids=["none", "arr", "both"],
)
@pytest.mark.parametrize("heart", [False, True], ids=["hr-hazard", "hr-heart"])
def test_shared_effect_cache_gives_the_plain_search(
    sentence: str, unspelled: frozenset[str], heart: bool
) -> None:
    effect._find_effects_memo.cache_clear()
    # fill the cache under the other key first, as the component and
    # arm_value's masking do one after the other
    effect.find_effects(sentence, heart_rate_doc=heart)
    cached = effect.find_effects(sentence, heart_rate_doc=heart, unspelled=unspelled)
    plain = effect._find_effects(sentence, heart_rate_doc=heart, unspelled=unspelled)
    assert cached == plain


def test_unspelled_abbreviation_still_drops_its_estimate() -> None:
    sentence = "Relapses fell (ARR 0.31, 95% CI 0.20-0.48)."
    assert effect.find_effects(sentence)
    assert not [
        e for e in effect.find_effects(sentence, unspelled=frozenset({"ARR"})) if e.value == 0.31
    ]


# ---------------------------------------------------------------- arm counts

COUNT_SENTENCES = [
    pytest.param("Nine deaths occurred in the drug group and 14 in the placebo group.", id="word"),
    pytest.param("There were 12 falls in the exercise arm versus 20 in controls.", id="digits"),
    pytest.param("Bleeding (31 warfarin and 18 aspirin) was rare.", id="labelled-pair"),
    pytest.param("Someone often had none of the seventeen tests done.", id="number-words-inside"),
    pytest.param("No counts here at all.", id="none"),
]


@pytest.mark.parametrize("sentence", COUNT_SENTENCES)
def test_count_starts_are_the_digit_runs_and_number_words(sentence: str) -> None:
    low = sentence.lower()
    expected = sorted(
        [m.start() for m in arm_value._DIGIT_RUN.finditer(sentence)]
        + [m.start() for m in arm_value._WORD_START.finditer(low)]
    )
    assert arm_value._count_starts(sentence) == expected


@pytest.mark.parametrize("sentence", COUNT_SENTENCES)
def test_arm_count_tried_at_starts_finds_every_match(sentence: str) -> None:
    full = [m.span() for m in arm_value._ARM_COUNT.finditer(sentence)]
    tried = [
        m.span()
        for m in arm_value.matches_at(
            arm_value._ARM_COUNT, sentence, arm_value._count_starts(sentence)
        )
    ]
    assert tried == full
