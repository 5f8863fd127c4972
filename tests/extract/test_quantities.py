"""Pure parsing of numbers, doses, units, frequencies and time points (no spaCy)."""

from __future__ import annotations

import pytest

from miner.extract import quantities as q

NUMBERS = [
    ("42", 42.0, "integer"),
    ("0.5", 0.5, "decimal"),
    (".5", 0.5, "leading-point"),
    ("0\u00b75", 0.5, "middle-dot"),
    ("1,525", 1525.0, "thousands-comma"),
    ("12,345,678", 12345678.0, "two-thousands-groups"),
    ("1 525", 1525.0, "thousands-space"),
    ("1\u2009525", 1525.0, "thousands-thin-space"),
    ("1\u00a0525.5", 1525.5, "thousands-nbsp-decimal"),
    ("-2.14", -2.14, "hyphen-minus"),
    ("\u22122.65", -2.65, "unicode-minus"),
    ("\u20130.3", -0.3, "en-dash-sign"),
    ("+3", 3.0, "plus-sign"),
    ("  7  ", 7.0, "surrounding-space"),
    ("forty-two", 42.0, "words-hyphen"),
    ("Twenty one", 21.0, "words-space-capital"),
    ("one hundred and twelve", 112.0, "words-hundred-and"),
    ("a hundred", 100.0, "words-a-hundred"),
    ("two thousand five hundred", 2500.0, "words-thousand"),
    ("Nineteen", 19.0, "words-teen"),
    ("fourty", 40.0, "words-misspelt"),
]

NOT_NUMBERS = [
    ("", "empty"),
    ("abc", "letters"),
    ("1,5", "comma-not-thousands"),
    ("12 34", "space-not-thousands"),
    ("one two", "two-words"),
    ("hundred", "scale-alone"),
    ("and", "and-alone"),
    ("twenty and one", "and-without-scale"),
    ("1.2.3", "two-points"),
    ("5 mg", "number-with-unit"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in NUMBERS], ids=[i for *_, i in NUMBERS]
)
def test_parse_number(text: str, expected: float) -> None:
    assert q.parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", [t for t, _ in NOT_NUMBERS], ids=[i for _, i in NOT_NUMBERS])
def test_parse_number_rejects(text: str) -> None:
    assert q.parse_number(text) is None


INT_WORDS = [
    ("one", 1, "one"),
    ("Forty-Two", 42, "capitalised"),
    ("ninety nine", 99, "space"),
    ("three hundred", 300, "hundreds"),
    ("one hundred and five", 105, "hundred-and-unit"),
    ("one thousand two hundred and thirty-four", 1234, "long"),
    ("twelve", 12, "teen"),
    ("twenty twelve", None, "tens-then-teen"),
    ("five four", None, "two-units"),
    ("patients", None, "not-a-number"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in INT_WORDS], ids=[i for *_, i in INT_WORDS]
)
def test_parse_int_words(text: str, expected: int | None) -> None:
    assert q.parse_int_words(text) == expected


FIND = [
    ("In 1,525 adults", ["1,525"], "thousands"),
    ("MD \u22122.14 (95% CI \u22122.65 to \u22121.63)", ["-2.14", "95", "-2.65", "-1.63"], "minus"),
    ("0\u00b75\u20131\u00b75 mg/kg", ["0.5", "1.5"], "range-is-not-negative"),
    ("p<.001", [".001"], "leading-point"),
    ("at 1, 2 and 3 months", ["1", "2", "3"], "list"),
    ("HbA1c fell", [], "digit-inside-word"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in FIND], ids=[i for *_, i in FIND]
)
def test_number_re_finds(text: str, expected: list[str]) -> None:
    found = [m.group() for m in q.NUMBER_RE.finditer(q.normalise(text))]
    assert found == expected


WORD_FIND = [
    ("Forty-two patients", ["Forty-two"], "hyphen"),
    (
        "one hundred and twelve men and twenty one women",
        ["one hundred and twelve", "twenty one"],
        "two",
    ),
    ("a hundred volunteers", ["a hundred"], "article"),
    ("none of them", [], "none"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in WORD_FIND], ids=[i for *_, i in WORD_FIND]
)
def test_word_number_re_finds(text: str, expected: list[str]) -> None:
    assert [m.group() for m in q.WORD_NUMBER_RE.finditer(text)] == expected


NORMALISE = [
    ("\u22122.65 to \u22121.63", "-2.65 to -1.63", "minus"),
    ("1\u20133 mg", "1-3 mg", "en-dash"),
    ("1\u2009525", "1 525", "thin-space"),
    ("0\u00b75 mg\u00b7kg", "0.5 mg\u00b7kg", "middle-dot-only-between-digits"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in NORMALISE], ids=[i for *_, i in NORMALISE]
)
def test_normalise_keeps_length(text: str, expected: str) -> None:
    out = q.normalise(text)
    assert out == expected
    assert len(out) == len(text)
