"""Shortcuts taken for speed give what the full search gives.

Each shortcut (a cache shared between components, a cheap test that skips a
regular expression, positions a pattern is tried at) is compared with the
plain computation on invented sentences that do and do not hold a match.
"""

from __future__ import annotations

import re

import pytest

from miner.extract import arm_value, effect, route, scan

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


def test_every_number_word_holds_a_part() -> None:
    for word in arm_value._WORD_NUMBERS:
        assert any(part in word for part in arm_value._WORD_NUMBER_PARTS), word


PAIR_SENTENCES = [
    pytest.param("Nausea (12 drug, 9 placebo) and rash (3 drug; 4 placebo).", id="brackets"),
    pytest.param("Two lists: 5 A, 6 B; 7 C,8 D [ 9 E].", id="separators"),
    pytest.param("Nothing to open here", id="none"),
]


@pytest.mark.parametrize("sentence", PAIR_SENTENCES)
def test_pair_openers_are_the_plain_alternation(sentence: str) -> None:
    plain = re.compile(r"[(\[]\s?|[:;,]\s")
    assert [m.end() for m in arm_value._PAIR_OPENERS.finditer(sentence)] == [
        m.end() for m in plain.finditer(sentence)
    ]


BODY_LABEL_CASES = [
    pytest.param("Participants (Age: ", id="colon"),
    pytest.param("at entry (BMI = ", id="equals"),
    pytest.param("mean body weight:  \n", id="trailing-space"),
    pytest.param("the weight fell to ", id="no-label"),
    pytest.param("age was 54; height", id="label-without-sign"),
]


@pytest.mark.parametrize("before", BODY_LABEL_CASES)
def test_body_label_end_screen_keeps_every_match(before: str) -> None:
    end_pattern = arm_value._BODY_LABEL
    assert bool(end_pattern.search(before, 0, len(before))) == bool(
        end_pattern.rx.search(before, 0, len(before))
    )


# ---------------------------------------------------------------- scan helpers

MAY_CONTAIN_CASES = [
    pytest.param("Saline was INFUSED over an hour.", ("infus",), True, id="upper"),
    pytest.param("Saline was given over an hour.", ("infus",), False, id="absent"),
    pytest.param("An infu\u017fion of saline.", ("infus",), True, id="long-s"),
    pytest.param("D\u0130SEASE", ("dis",), True, id="dotted-capital-i"),
]


@pytest.mark.parametrize(("text", "words", "expected"), MAY_CONTAIN_CASES)
def test_may_contain(text: str, words: tuple[str, ...], expected: bool) -> None:
    assert scan.may_contain(text, text.lower(), words) is expected


def test_may_contain_never_skips_a_case_insensitive_match() -> None:
    rx = re.compile(r"infus(?:ion|ed)", re.IGNORECASE)
    for text in ("INFUSION", "infu\u017fed", "Infusion", "no match", "\u0131nfusion"):
        if rx.search(text):
            assert scan.may_contain(text, text.lower(), ("infus",))


def test_literal_positions() -> None:
    assert scan.literal_positions("iv im ivim", ("iv", "im")) == [0, 3, 6, 8]
    assert scan.literal_positions("none here", ("iv",)) == []


# ---------------------------------------------------------------- route forms

SHORT_FORM_TEXTS = [
    pytest.param("Patients got 40 mg iv twice daily.", id="after-dose-lower"),
    pytest.param("Ketorolac was administered IM after surgery.", id="after-given"),
    pytest.param("An iv infusion of saline and an im injection.", id="before-form"),
    pytest.param("It was given SC.", id="form-then-stop"),
    pytest.param("The 10 mg/kg\tIV dose (IV) group.", id="tab-and-bracket"),
    pytest.param("Time to improvement with active drug given weekly.", id="letters-only"),
    pytest.param("iv-bolus then 5 mg sc", id="at-edges"),
]


@pytest.mark.parametrize("text", SHORT_FORM_TEXTS)
def test_before_form_tried_at_its_literals_finds_every_match(text: str) -> None:
    rx = route._BEFORE_FORM_SHORT_RE
    starts = scan.literal_positions(text, route._BEFORE_FORM_STARTS)
    assert [m.span() for m in scan.matches_at(rx, text, starts)] == [
        m.span() for m in rx.finditer(text)
    ]


@pytest.mark.parametrize("text", SHORT_FORM_TEXTS)
def test_spaced_form_screen_passes_every_after_dose_match(text: str) -> None:
    if route._AFTER_DOSE_SHORT_RE.search(text):
        assert route._has_spaced_form(text)


def test_spaced_form_screen_skips_text_without_a_form() -> None:
    assert not route._has_spaced_form("Time to improvement with active drug given weekly.")


# ---------------------------------------------------------------- arm count cues


def _shortest_words(alternation: str) -> list[str]:
    """The shortest text each alternative of ``(?:a|b|...)`` matches (simple forms only)."""
    out = []
    for alt in alternation.split("|"):
        alt = alt.replace(r"\s+", " ")
        alt = re.sub(r"\[(\w)\w*\]", r"\1", alt)  # "[sz]" -> "s"
        alt = re.sub(r".\?", "", alt)  # "events?" -> "event"
        out.append(alt)
    return out


def _alternation(source: str) -> str:
    inner = source[source.rindex("(?:") + 3 :]
    return inner[: inner.index(")")]


def _cue_words() -> list[str]:
    return [
        *_shortest_words(_alternation(arm_value._EVENT_CUE.pattern)),
        *_shortest_words(_alternation(arm_value._EVENT_NOUNS)),
        *_shortest_words(_alternation(arm_value._COUNT_CUE.pattern)),
    ]


def test_cue_words_are_read_from_the_patterns() -> None:
    words = _cue_words()
    assert {"died", "hemorrhages", "incidence", "number of", "hospitalisations"} <= set(words)
    for word in words:
        assert re.fullmatch(r"[a-z ]+", word), word


@pytest.mark.parametrize("word", _cue_words())
def test_every_cue_word_passes_the_literal_screen(word: str) -> None:
    sentence = f"Then 12 {word.upper()} in the drug group."
    assert scan.may_contain(sentence, sentence.lower(), arm_value._CUE_LITERALS)
    assert (
        arm_value._EVENT_CUE.search(sentence)
        or arm_value._COUNTED_EVENTS.search(sentence)
        or arm_value._COUNT_CUE.search(sentence)
    )


COUNT_CUE_SENTENCES = [
    pytest.param(
        "Three strokes occurred in the warfarin group and 9 in the aspirin group.", id="kept"
    ),
    pytest.param("Scores were 4 in the drug group and 6 in the placebo group.", id="no-cue"),
    pytest.param("(14 apixaban and 22 enoxaparin) had bleeds.", id="pair-cue"),
]


@pytest.mark.parametrize("sentence", COUNT_CUE_SENTENCES)
def test_count_cue_screen_changes_no_count(sentence: str) -> None:
    screened = arm_value._arm_counts(sentence, sentence, [])
    cues = (
        arm_value._EVENT_CUE.search(sentence)
        or arm_value._COUNTED_EVENTS.search(sentence)
        or arm_value._COUNT_CUE.search(sentence)
    )
    if not cues:
        assert screened == []
    else:
        assert scan.may_contain(sentence, sentence.lower(), arm_value._CUE_LITERALS)


# ---------------------------------------------------------------- spelled-out forms

SPELLED_TEXTS = [
    pytest.param("Title\nThe absolute risk reduction was 4%.", id="arr-long"),
    pytest.param("Title\nAn ABSOLUTE-RISK increase of 2% (ARI).", id="ari-hyphen-upper"),
    pytest.param("Title\nAbsolute values only; relapse rate fell.", id="first-word-only"),
    pytest.param("Title\nRelapses fell (ARR 0.3).", id="none"),
]


@pytest.mark.parametrize("text", SPELLED_TEXTS)
def test_unspelled_screen_gives_the_full_test(text: str) -> None:
    norm = " ".join(text.lower().replace("-", " ").split())
    expected = frozenset(a for a, long in effect.SPELLED_OUT.items() if long not in norm)
    assert effect._unspelled(text) == expected


# ---------------------------------------------------------------- span list


def test_span_list_reads_the_group_and_follows_additions() -> None:
    import spacy

    from miner.extract.doctext import add_spans, span_list

    doc = spacy.blank("en")("Forty adults took 5 mg orally each day.")
    assert span_list(doc) == []
    add_spans(doc, [doc.char_span(0, 5, label="SAMPLE_SIZE_ENROLLED")])
    first = span_list(doc)
    assert first == [("SAMPLE_SIZE_ENROLLED", 0, 5, "")]
    add_spans(doc, [doc.char_span(23, 29, label="ROUTE", kb_id="oral")])
    assert span_list(doc) == [
        (s.label_, s.start_char, s.end_char, s.kb_id_) for s in doc.spans["miner"]
    ]
    assert span_list(doc)[1] == ("ROUTE", 23, 29, "oral")
    assert all(
        doc.text[a:b] == s.text
        for (_l, a, b, _k), s in zip(span_list(doc), doc.spans["miner"], strict=True)
    )


P_SENTENCES = [
    pytest.param("Pain fell (p = 0.03) and sleep rose (P<0.001).", id="two"),
    pytest.param("No p-value was given for mood.", id="none"),
    pytest.param("Grip improved (p-value of 0.2; P = NS).", id="word-and-ns"),
]


@pytest.mark.parametrize("sentence", P_SENTENCES)
def test_p_matches_are_the_plain_search(sentence: str) -> None:
    assert [m.span() for m in effect.p_matches(sentence)] == [
        m.span() for m in effect.P_RE.finditer(sentence)
    ]
