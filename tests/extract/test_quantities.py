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
    ("Thirty\u2010eight", 38.0, "words-unicode-hyphen"),
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
    ("Seventy\u2010three", 73, "unicode-hyphen"),
    ("sixty\u2011four", 64, "non-breaking-hyphen"),
    ("two hundred and fifty\u2012one", 251, "figure-dash"),
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
    ("Ninety\u2010six adults", ["Ninety\u2010six"], "unicode-hyphen"),
    ("one\u2011hundred and four men", ["one\u2011hundred and four"], "non-breaking-hyphen"),
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
    (
        "a\u00a0b\u202fc\u2014d \u00e9t\u00e9 1\u00b7\u00b72",
        "a b c-d \u00e9t\u00e9 1\u00b7\u00b72",
        "mixed",
    ),
    ("caf\u00e9 only", "caf\u00e9 only", "non-ascii-untouched"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in NORMALISE], ids=[i for *_, i in NORMALISE]
)
def test_normalise_keeps_length(text: str, expected: str) -> None:
    out = q.normalise(text)
    assert out == expected
    assert len(out) == len(text)


UNITS = [
    ("mg", "mg", "mg"),
    ("mcg", "ug", "mcg"),
    ("\u00b5g", "ug", "micro-sign"),
    ("\u03bc g", "ug", "greek-mu-spaced"),
    ("micrograms", "ug", "micrograms"),
    ("IU", "iu", "IU"),
    ("units", "iu", "units"),
    ("U/day", "iu/day", "U-per-day"),
    ("mg/kg", "mg/kg", "per-kg"),
    ("mg/m\u00b2", "mg/m2", "superscript-m2"),
    ("mg/m^2", "mg/m2", "caret-m2"),
    ("mg/d", "mg/day", "per-d"),
    ("mg/kg/day", "mg/kg/day", "per-kg-per-day"),
    ("mg\u00b7kg\u22121\u00b7h\u22121", "mg/kg/h", "exponent-form"),
    ("mg/kg per hour", "mg/kg/h", "per-hour-words"),
    ("mcg/kg/min", "ug/kg/min", "ug-kg-min"),
    ("ml/kg", "ml/kg", "ml-per-kg"),
    ("IU/kg", "iu/kg", "iu-per-kg"),
    ("mg/ml", "mg/ml", "solution-strength"),
    ("%", "%", "percent"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in UNITS], ids=[i for *_, i in UNITS]
)
def test_canonical_unit(text: str, expected: str) -> None:
    unit = q.canonical_unit(text)
    assert unit == expected
    assert q.CANONICAL_UNIT_RE.match(unit)


NOT_DOSE_UNITS = [
    ("mmol/l", "measurement", "glucose"),
    ("mg/dl", "measurement", "mg-per-dl"),
    ("ng/ml", "measurement", "serum-level"),
    ("mEq", "canonical", "milliequivalents"),
    ("furlongs", "unknown unit", "nonsense"),
]


@pytest.mark.parametrize(
    ("text", "reason_word"),
    [(t, r) for t, r, _ in NOT_DOSE_UNITS],
    ids=[i for *_, i in NOT_DOSE_UNITS],
)
def test_unit_refused_with_reason(text: str, reason_word: str) -> None:
    unit, reason = q.unit_or_reason(text)
    assert unit is None
    assert reason is not None and reason_word in reason


DOSES = [
    ("0.5-1.5 mg/kg/day", (0.5, 1.5, "mg/kg/day", None, None), "range-hyphen"),
    ("0.5 to 1.5 mg", (0.5, 1.5, "mg", None, None), "range-to"),
    ("1\u20133 mg", (1.0, 3.0, "mg", None, None), "range-en-dash"),
    ("between 2 and 4 mg", (2.0, 4.0, "mg", None, None), "range-between"),
    ("1,500 mg twice daily", (1500.0, None, "mg", "twice daily", None), "thousands-bid"),
    ("10 \u00b5g b.i.d. for 5 days", (10.0, None, "ug", "twice daily", "5 days"), "latin-freq"),
    ("25 mcg/kg/min over 40 min", (25.0, None, "ug/kg/min", None, "40 min"), "infusion"),
    ("2 g/m2 every 12 hours", (2.0, None, "g/m2", "every 12 h", None), "every-12-h"),
    ("20 mg daily", (20.0, None, "mg", "daily", None), "daily-is-frequency"),
    ("20 mg/d", (20.0, None, "mg/day", None, None), "per-day-is-unit"),
    ("5-mg once-weekly", (5.0, None, "mg", "once weekly", None), "hyphenated"),
    ("0\u00b75 mg/kg", (0.5, None, "mg/kg", None, None), "middle-dot"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in DOSES], ids=[i for *_, i in DOSES]
)
def test_parse_dose(text: str, expected: tuple[object, ...]) -> None:
    dose = q.parse_dose(text)
    assert dose is not None
    assert (dose.value, dose.value_max, dose.unit, dose.frequency, dose.duration) == expected


@pytest.mark.parametrize(
    "text",
    ["6.7 mmol/l", "126 mg/dl", "three patients", "5 mEq", "7.5 ng/ml"],
    ids=["glucose", "mg-dl", "no-unit", "meq", "serum-level"],
)
def test_parse_dose_refuses(text: str) -> None:
    dose, reason = q.dose_or_reason(text)
    assert dose is None
    assert reason


def test_dose_qualifier_is_kept() -> None:
    dose = q.parse_dose("\u22651,500 mg/day")
    assert dose is not None and dose.qualifier == ">=" and dose.value == 1500.0


FREQUENCIES = [
    ("once daily", "once daily", "once-daily"),
    ("once-daily", "once daily", "hyphen"),
    ("twice a day", "twice daily", "twice-a-day"),
    ("b.i.d.", "twice daily", "bid-dots"),
    ("BID", "twice daily", "bid-caps"),
    ("t.i.d.", "three times daily", "tid"),
    ("three times a day", "three times daily", "three-times"),
    ("3 times daily", "three times daily", "digit-times"),
    ("every 8 h", "every 8 h", "every-8-h"),
    ("every 8 hours", "every 8 h", "every-8-hours"),
    ("q8h", "every 8 h", "q8h"),
    ("weekly", "weekly", "weekly"),
    ("once weekly", "once weekly", "once-weekly"),
    ("every evening", "every evening", "evening"),
    ("at bedtime", "at bedtime", "bedtime"),
    ("once or twice daily", "once or twice daily", "either"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in FREQUENCIES], ids=[i for *_, i in FREQUENCIES]
)
def test_parse_frequency(text: str, expected: str) -> None:
    assert q.parse_frequency(text) == expected


@pytest.mark.parametrize(
    "text", ["3 day", "patients", "day 3"], ids=["digit-day", "word", "ordinal"]
)
def test_parse_frequency_refuses(text: str) -> None:
    assert q.parse_frequency(text) is None


DURATIONS = [
    ("for 5 days", "5 days", "days"),
    ("over 40 min", "40 min", "minutes"),
    ("for 12 weeks", "12 weeks", "weeks"),
    ("for a total of 3 months", "3 months", "total-of"),
    ("during six weeks", "6 weeks", "word-number"),
    ("for 1 week", "1 week", "singular"),
    ("for 2-4 weeks", "2-4 weeks", "range"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in DURATIONS], ids=[i for *_, i in DURATIONS]
)
def test_parse_duration(text: str, expected: str) -> None:
    assert q.parse_duration(text) == expected


TIMEPOINTS = [
    ("end of infusion", 0.0, "end-of-infusion"),
    ("baseline", 0.0, "baseline"),
    ("24 h", 1.0, "24-h"),
    ("1 week", 7.0, "1-week"),
    ("30 days", 30.0, "30-days"),
    ("3 months", 3 * 365.25 / 12, "3-months"),
    ("12 months after surgery", 365.25, "months-after"),
    ("day 7", 7.0, "day-7"),
    ("Week 12", 84.0, "week-12"),
    ("six months", 6 * 365.25 / 12, "word-number"),
    ("POD 1", 1.0, "postoperative-day"),
]


@pytest.mark.parametrize(
    ("text", "days"), [(t, d) for t, d, _ in TIMEPOINTS], ids=[i for *_, i in TIMEPOINTS]
)
def test_parse_timepoint(text: str, days: float) -> None:
    value, phrase = q.parse_timepoint(text)
    assert phrase == text
    assert value == pytest.approx(days)


@pytest.mark.parametrize(
    "text", ["end point", "6 and 12 months", "8 am", ""], ids=["endpoint", "list", "clock", "empty"]
)
def test_parse_timepoint_unknown(text: str) -> None:
    assert q.parse_timepoint(text) == (None, text)


def test_ade_dose_strings_parse_to_canonical_units(shared) -> None:  # type: ignore[no-untyped-def]
    """Real dose strings (ADE corpus): every parsed unit is canonical, most amounts parse."""
    path = shared("ade-corpus-v2-drug-dose", "DRUG-DOSE.rel")
    doses = [line.split("|")[2] for line in path.read_text(encoding="utf-8").splitlines() if line]
    numeric = [d for d in doses if any(c.isdigit() for c in d) and "mg" in d.lower()]
    parsed = [q.parse_dose(d) for d in numeric]
    ok = [p for p in parsed if p is not None]
    assert len(numeric) > 50
    assert len(ok) >= 0.8 * len(numeric)
    assert all(q.CANONICAL_UNIT_RE.match(p.unit) for p in ok)
