"""Numbers, doses, units, frequencies, durations and time points as pure functions.

Nothing here needs spaCy: every function takes a string and returns plain
values, so the parsing rules are tested on tables of phrases. Components
(:mod:`miner.extract.dose`, :mod:`miner.extract.route`, the effect and arm
value extractors) find candidate spans with the compiled expressions exported
here and hand the matched text to the parsers.

Offsets are sacred: the normalising helpers (:func:`normalise`,
:func:`normalise_dashes`, :func:`normalise_spaces`) replace characters one for
one and never change the length of the string, so an offset found in the
normalised text is an offset into the original.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

__all__ = [
    "DASHES",
    "NUMBER_PATTERN",
    "NUMBER_RE",
    "WORD_NUMBER_PATTERN",
    "WORD_NUMBER_RE",
    "normalise",
    "normalise_dashes",
    "normalise_spaces",
    "parse_int_words",
    "parse_number",
]

# Characters used for minus signs and ranges in real abstracts: hyphen-minus,
# minus sign (U+2212), figure dash, en dash, em dash, horizontal bar, small and
# full-width hyphen-minus, non-breaking hyphen, hyphen (U+2010).
DASHES = "-\u2212\u2012\u2013\u2014\u2015\ufe63\uff0d\u2011\u2010"
# Spaces that are not ASCII space: no-break, thin, narrow no-break, figure,
# punctuation, hair, en/em spaces and friends.
_ODD_SPACES = "\u00a0\u2009\u202f\u2007\u2008\u200a\u2002\u2003\u2004\u2005\u2006"

_DASH_TABLE = str.maketrans({c: "-" for c in DASHES[1:]})
_SPACE_TABLE = str.maketrans({c: " " for c in _ODD_SPACES})
# A middle dot (U+00B7) or bullet-like dot between digits is a decimal point in
# Lancet-style typesetting ("0·5 mg"); elsewhere it is a multiplication dot.
_ODD_CHAR_RE = re.compile("[" + re.escape(DASHES[1:] + _ODD_SPACES) + "\u00b7\u2219\u22c5]")
_MIDDOT_DECIMAL_RE = re.compile(r"(?<=\d)[\u00b7\u2219\u22c5](?=\d)")
# For normalise(): str.translate with a dict looks up every character in
# Python (~0.1 ms per abstract); "in" and str.replace per odd character run in C.
_NORMALISE_PAIRS = tuple((c, "-") for c in DASHES[1:]) + tuple((c, " ") for c in _ODD_SPACES)


def normalise_dashes(text: str) -> str:
    """Replace every dash-like character with ``-``, keeping the length.

    Parameters
    ----------
    text:
        Any text.

    Returns
    -------
    str
        ``text`` with U+2212, en/em dashes and the like replaced by ASCII
        hyphen-minus; ``len(result) == len(text)``.
    """
    return text.translate(_DASH_TABLE)


def normalise_spaces(text: str) -> str:
    """Replace no-break, thin and other odd spaces with ASCII space, keeping the length."""
    return text.translate(_SPACE_TABLE)


def normalise(text: str) -> str:
    """Length-preserving clean-up for number finding.

    Dashes become ``-``, odd spaces become `` ``, a middle dot between digits
    becomes ``.``. Every replacement is one character for one character, so
    offsets into the result are offsets into ``text``.

    Examples
    --------
    >>> normalise("0\u00b75\u20131\u00b75 mg")
    '0.5-1.5 mg'
    """
    if text.isascii():
        return text  # nothing to replace; the common case is worth a fast path
    out = text
    for odd, plain in _NORMALISE_PAIRS:
        if odd in out:
            out = out.replace(odd, plain)
    if "\u00b7" in out or "\u2219" in out or "\u22c5" in out:
        out = _MIDDOT_DECIMAL_RE.sub(".", out)
    return out


# --- numbers in digits --------------------------------------------------------

# Thousands groups: "1,525", "12 345" (ASCII or thin/no-break space), only when
# each group has exactly three digits and is not followed by another digit or a
# decimal continuation that would make it a list ("1,5" is not 15 thousand).
_SEP = "[,\u00a0\u2009\u202f\u2007 ]"
NUMBER_PATTERN = (
    r"(?<![\w.])"
    r"(?P<sign>[" + re.escape(DASHES) + r"+])?"
    r"(?P<num>"
    r"\d{1,3}(?:" + _SEP + r"\d{3})+(?![\d])(?:[.\u00b7]\d+)?"
    r"|\d+(?:[.\u00b7]\d+)?"
    r"|[.\u00b7]\d+"
    r")"
    r"(?![\d])"
)
#: A number written in digits, with an optional sign; groups ``sign`` and ``num``.
NUMBER_RE = re.compile(NUMBER_PATTERN)

_PLAIN_RE = re.compile(
    r"^(?P<sign>[" + re.escape(DASHES) + r"+])?\s*"
    r"(?P<num>\d{1,3}(?:" + _SEP + r"\d{3})+(?:[.\u00b7]\d+)?|\d+(?:[.\u00b7]\d+)?|[.\u00b7]\d+)$"
)

# --- numbers in words ----------------------------------------------------------

_UNITS = {
    "zero": 0,
    "no": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling in real abstracts
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_WORD_UNITS = "|".join(k for k in _UNITS if k not in {"no", "a", "an"})
_WORD_TENS = "|".join(_TENS)
# What joins the words of a number: spaces and hyphens, including the Unicode
# hyphen (U+2010), non-breaking hyphen (U+2011) and figure dash (U+2012) that
# typeset abstracts use ("Eighty\u2010one").
_JOIN = "[\\s\\-\u2010\u2011\u2012]"
_WORD_ATOM = rf"(?:(?:{_WORD_TENS})(?:{_JOIN}+(?:{_WORD_UNITS}))?|{_WORD_UNITS})"
#: Regular expression source for a number in words ("forty-two", "one hundred
#: and twelve", "a hundred", "two thousand five hundred"), case-insensitive.
WORD_NUMBER_PATTERN = (
    rf"\b(?:(?:{_WORD_ATOM}|an?){_JOIN}+(?:hundred|thousand|million)"
    rf"(?:(?:{_JOIN}+and)?{_JOIN}+(?:{_WORD_ATOM})(?:{_JOIN}+(?:hundred|thousand))?)*"
    rf"(?:(?:{_JOIN}+and)?{_JOIN}+{_WORD_ATOM})?"
    rf"|{_WORD_ATOM})\b"
)
#: Compiled :data:`WORD_NUMBER_PATTERN` (IGNORECASE).
WORD_NUMBER_RE = re.compile(WORD_NUMBER_PATTERN, re.IGNORECASE)
_WORD_SPLIT_RE = re.compile(_JOIN + "+")


def parse_int_words(text: str) -> int | None:
    """Parse an integer written in English words.

    Parameters
    ----------
    text:
        e.g. ``"forty-two"``, ``"Twenty one"``, ``"one hundred and twelve"``,
        ``"a hundred"``, ``"two thousand five hundred"``.

    Returns
    -------
    int | None
        The value, or ``None`` when any word is not part of a number.
    """
    words = [w for w in _WORD_SPLIT_RE.split(text.strip().lower()) if w]
    if not words:
        return None
    total = 0
    current = 0
    seen_number = False
    previous: str | None = None
    for i, word in enumerate(words):
        if word == "and":
            # "and" only joins parts after a scale word ("one hundred and twelve").
            if previous not in _SCALES or i == len(words) - 1:
                return None
            previous = word
            continue
        if word in {"a", "an"}:
            # "a hundred": the article only counts directly before a scale word.
            if i + 1 >= len(words) or words[i + 1] not in _SCALES or seen_number:
                return None
            current = 1
            seen_number = True
        elif word in _UNITS and word != "no":
            if previous in _UNITS or (previous in _TENS and _UNITS[word] >= 10):
                return None
            current += _UNITS[word]
            seen_number = True
        elif word in _TENS:
            if previous in _UNITS or previous in _TENS:
                return None
            current += _TENS[word]
            seen_number = True
        elif word in _SCALES:
            if not seen_number or previous in _SCALES or previous == "and":
                return None
            scale = _SCALES[word]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        else:
            return None
        previous = word
    if not seen_number:
        return None
    return total + current


# A pure function of the written number (counts and doses repeat).
@lru_cache(maxsize=16384)
def parse_number(text: str) -> float | None:
    """Parse one number written in digits or words.

    Handles decimal points and middle dots ("0·5"), thousands separators
    ("1,525", "1 525", thin spaces), signs written with any dash
    (U+2212 minus, en dash) and English number words ("forty-two").

    Parameters
    ----------
    text:
        The number alone (surrounding whitespace is ignored).

    Returns
    -------
    float | None
        The value, or ``None`` when ``text`` is not exactly one number.

    Examples
    --------
    >>> parse_number("\u22122.65")
    -2.65
    >>> parse_number("Forty-two")
    42.0
    """
    s = normalise_spaces(text).strip()
    if not s:
        return None
    m = _PLAIN_RE.match(s)
    if m:
        num = m.group("num").replace("\u00b7", ".")
        num = re.sub(_SEP, "", num)
        try:
            value = float(num)
        except ValueError:  # pragma: no cover - the pattern admits only digits
            return None
        sign = m.group("sign")
        if sign and sign != "+":
            value = -value
        return value
    words = parse_int_words(s)
    return float(words) if words is not None else None


# --- units -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _UnitEntry:
    unit: str | None
    part: str
    reason: str | None


def _load_jsonl(name: str) -> list[dict[str, Any]]:
    """Read a pattern file shipped beside the extractors (``miner/extract/patterns``)."""
    text = (files("miner") / "extract" / "patterns" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _form_pattern(form: str) -> str:
    # A space inside a written form may be any run of spaces (or none after a
    # micro sign: "\u00b5 g"), so the same entry matches "micro g" and "microg".
    return r"\s?".join(re.escape(piece) for piece in form.split(" "))


def _alternation(forms: list[str]) -> str:
    ordered = sorted(set(forms), key=len, reverse=True)
    return "|".join(_form_pattern(f) for f in ordered)


_UNIT_ENTRIES = _load_jsonl("units.jsonl")
_FORMS: dict[str, dict[str, _UnitEntry]] = {"plain": {}, "exponent": {}, "exact": {}}
_AMOUNT_FORMS: list[str] = []
_AMOUNT_EXACT: list[str] = []
_DENOM_FORMS: list[str] = []
_EXP_FORMS: list[str] = []
for _row in _UNIT_ENTRIES:
    _entry = _UnitEntry(unit=_row["unit"], part=_row["part"], reason=_row.get("reason"))
    for _form in _row.get("forms", []):
        key = f"{_entry.part}:{_form.lower().replace(' ', '')}"
        _FORMS["plain"].setdefault(key, _entry)
        (_AMOUNT_FORMS if _entry.part == "amount" else _DENOM_FORMS).append(_form)
    for _form in _row.get("case_sensitive_forms", []):
        _FORMS["exact"][_form] = _entry
        _AMOUNT_EXACT.append(_form)
    for _form in _row.get("exponent_forms", []):
        _FORMS["exponent"][f"{_entry.part}:{_form.lower()}"] = _entry
        _EXP_FORMS.append(_form)

_AMOUNT_ALT = (
    _alternation(_AMOUNT_FORMS) + "|(?-i:" + "|".join(re.escape(f) for f in _AMOUNT_EXACT) + ")"
)
_DENOM_ALT = _alternation(_DENOM_FORMS)
_EXP_ALT = _alternation(_EXP_FORMS)
# a unit ends its word ("mgX" is none), and "GM-CSF" names a growth factor, not grams
_NOT_WORD = r"(?![A-Za-z\u00b5\u03bc]|(?-i:-[A-Z]{2}))"
_SLASH_SEP = r"(?:\s?/\s?|\s+per\s+)"
_EXP_SEP = r"(?:\s?[\u00b7\u22c5\u2219.]\s?|\s)"
#: Regular expression source for a unit as written ("mg/kg/day", "\u00b5g kg-1 min-1",
#: "units/day", "mg per kg per hour"), used case-insensitively on normalised text.
UNIT_PATTERN = (
    rf"(?:{_AMOUNT_ALT}){_NOT_WORD}"
    rf"(?:{_SLASH_SEP}(?:{_DENOM_ALT}){_NOT_WORD}|{_EXP_SEP}(?:{_EXP_ALT})(?![\w]))*"
)
UNIT_RE = re.compile(UNIT_PATTERN, re.IGNORECASE)
_AMOUNT_AT = re.compile(rf"(?:{_AMOUNT_ALT}){_NOT_WORD}", re.IGNORECASE)
_DENOM_AT = re.compile(rf"{_SLASH_SEP}(?P<d>{_DENOM_ALT}){_NOT_WORD}", re.IGNORECASE)
_EXP_AT = re.compile(rf"{_EXP_SEP}(?P<d>{_EXP_ALT})(?![\w])", re.IGNORECASE)

_AMOUNTS = ("mg", "g", "ug", "ng", "ml", "iu", "mmol", "%")
#: Every unit :func:`canonical_unit` can return: an amount, optionally per body
#: size (kg, m2) and/or per time (day, h, min, week), in written order; or an
#: amount per ml (a concentration of the administered solution).
CANONICAL_UNIT_RE = re.compile(
    r"^(?:mg|g|ug|ng|ml|iu|mmol|%)"
    r"(?:(?:/(?:kg|m2))?(?:/(?:day|h|min|week))?|(?:/(?:day|h|min|week))(?:/(?:kg|m2))"
    r"|/ml)$"
)


def _lookup(written: str, part_order: tuple[str, ...], *, exponent: bool) -> _UnitEntry | None:
    table = _FORMS["exponent" if exponent else "plain"]
    key = written.lower().replace(" ", "").replace("\u2009", "")
    for part in part_order:
        entry = table.get(f"{part}:{key}")
        if entry is not None:
            return entry
    return None


# A pure function of the written unit; abstracts repeat a few units many times.
@lru_cache(maxsize=8192)
def unit_or_reason(text: str) -> tuple[str | None, str | None]:
    """Canonicalise a written unit, or say why it is not a dose unit.

    Parameters
    ----------
    text:
        The unit as written, e.g. ``"mcg/kg/min"``, ``"mg\u00b7kg\u22121\u00b7h\u22121"``,
        ``"mg/m\u00b2"``, ``"units"``, ``"mmol/l"``.

    Returns
    -------
    tuple[str | None, str | None]
        ``(unit, None)`` with the canonical unit of /work/shared/DESIGN.md
        (lowercase, ``ug`` for micrograms, parts joined by ``/`` in written
        order), or ``(None, reason)``.
    """
    s = normalise(text).strip()
    m = _AMOUNT_AT.match(s)
    if not m:
        return (
            None,
            f"unknown unit {text!r}: expected one of {', '.join(_AMOUNTS)}"
            " (optionally /kg, /m2, /day, /h, /min, /ml)",
        )
    written = m.group()
    entry = _FORMS["exact"].get(written) or _lookup(written, ("amount",), exponent=False)
    if entry is None or entry.unit is None:
        reason = entry.reason if entry is not None else "is not a known amount"
        return None, f"unit {written!r} {reason}"
    parts = [entry.unit]
    pos = m.end()
    order = ("body", "time", "volume", "measurement")
    while pos < len(s):
        dm = _DENOM_AT.match(s, pos) or _EXP_AT.match(s, pos)
        if dm is None:
            return None, f"unknown unit {text!r}: cannot read {s[pos:]!r}"
        denom = _lookup(dm.group("d"), order, exponent=dm.re is _EXP_AT)
        if denom is None or denom.unit is None:
            reason = denom.reason if denom is not None else "is not a known denominator"
            return None, f"unit {text!r} {reason}"
        if denom.part == "volume" and parts[0] in {"ng", "mmol", "%", "ml"}:
            return (
                None,
                f"unit {text!r} is a concentration of a measurement, not an administered dose",
            )
        parts.append(denom.unit)
        pos = dm.end()
    unit = "/".join(parts)
    if not CANONICAL_UNIT_RE.match(unit):
        return None, f"unit {text!r} ({unit}) is outside the canonical vocabulary"
    return unit, None


def canonical_unit(text: str) -> str | None:
    """Return the canonical unit for a written unit, or ``None`` (see :func:`unit_or_reason`)."""
    return unit_or_reason(text)[0]


# --- frequency, duration, time points ----------------------------------------------

_COUNT_WORDS = {
    "once": 1,
    "one": 1,
    "twice": 2,
    "two": 2,
    "thrice": 3,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
}
_COUNT_NAMES = {
    1: "once",
    2: "twice",
    3: "three times",
    4: "four times",
    5: "five times",
    6: "six times",
}
_PERIOD_NAMES = {"d": "daily", "w": "weekly", "m": "monthly"}
_LATIN = {
    "qd": "once daily",
    "od": "once daily",
    "bid": "twice daily",
    "bd": "twice daily",
    "tid": "three times daily",
    "tds": "three times daily",
    "qid": "four times daily",
    "qds": "four times daily",
    "qw": "once weekly",
    "qwk": "once weekly",
    "qam": "every morning",
    "qpm": "every evening",
    "qhs": "at bedtime",
    "hs": "at bedtime",
    "qod": "every other day",
}

_N = r"(?:\d+(?:\.\d+)?)"
_COUNT = r"(?:once|twice|thrice|one|two|three|four|five|six|\d+(?:\s?-\s?\d+)?)"
_PERIOD = r"(?:daily|day|d|weekly|week|wk|monthly|month|nightly|night)"
_TIME_UNIT = (
    r"(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?"
    r"|years?|yrs?|y)"
)
#: Regular expression source for an administration frequency ("twice daily",
#: "b.i.d.", "every 8 h", "q8h", "three times a day", "once-weekly", "at bedtime").
FREQUENCY_PATTERN = (
    r"(?<![\w.])(?:"
    r"(?P<either>once[\s-]+or[\s-]+twice)[\s-]+(?:a[\s-]+|per[\s-]+|each[\s-]+)?(?:daily|day)"
    r"|(?P<count>" + _COUNT + r")(?P<times>[\s-]*(?:times?|x|\u00d7))?[\s-]*"
    r"(?:a[\s-]+|per[\s-]+|each[\s-]+|every[\s-]+|/\s?)?(?P<period>" + _PERIOD + r")(?![\w])"
    r"|(?P<daily_once>daily[\s-]+once)"
    r"|(?P<every>every|each)[\s-]+(?:(?P<every_n>\d+|two|three|four|six|eight|twelve)[\s-]*)?"
    r"(?P<every_unit>hours?|hrs?|h|days?|weeks?|months?|morning|evening|night|other[\s-]+day|other[\s-]+week)(?![\w])"
    r"|q\.?\s?(?P<q_n>\d+)\s?(?P<q_unit>h|hr|hrs|hours?|d|days?|w|wk|weeks?)\.?(?![\w])"
    r"|(?P<latin>(?:q\.?\s?d|o\.\s?d|b\.?\s?i\.?\s?d|b\.\s?d|t\.?\s?i\.?\s?d|t\.\s?d\.\s?s|q\.?\s?i\.?\s?d|q\.\s?d\.\s?s"
    r"|q\.?\s?w(?:k)?|q\.?\s?a\.?\s?m|q\.?\s?p\.?\s?m|q\.?\s?h\.?\s?s|q\.?\s?o\.?\s?d)\.?)(?![\w])"
    r"|(?P<hourly>\d+)[\s-]*hourly"
    r"|(?P<adverb>daily|nightly|weekly|fortnightly|monthly|hourly)"
    r"|(?P<timing>at\s+bedtime|at\s+night|before\s+bedtime)"
    r"|(?P<single>(?:as\s+a\s+)?single[\s-]+(?:dose|injection|bolus|administration))"
    r")"
)
FREQUENCY_RE = re.compile(FREQUENCY_PATTERN, re.IGNORECASE)

#: Regular expression source for a treatment duration ("for 5 days", "over 40 min",
#: "for a total of 12 weeks", "during 3 months").
DURATION_PATTERN = (
    r"(?<![\w])(?P<prep>for|over|during|lasting|throughout)\s+"
    r"(?:a\s+(?:total\s+)?(?:period\s+)?of\s+|up\s+to\s+|at\s+least\s+|approximately\s+|about\s+|the\s+(?:first|next|last)\s+)?"
    r"(?P<num>" + _N + r"|" + WORD_NUMBER_PATTERN[2:-2] + r")"
    r"(?:\s?(?:-|to)\s?(?P<num2>" + _N + r"))?[\s-]*(?P<unit>" + _TIME_UNIT + r")(?![\w])"
)
DURATION_RE = re.compile(DURATION_PATTERN, re.IGNORECASE)

_UNIT_NAMES = {
    "s": ("s", "s"),
    "min": ("min", "min"),
    "h": ("h", "h"),
    "d": ("day", "days"),
    "w": ("week", "weeks"),
    "mo": ("month", "months"),
    "y": ("year", "years"),
}
#: Days per time unit. A month is 365.25 / 12 = 30.4375 days and a year 365.25
#: days (the Julian year), so "3 months" is 91.3 days and "12 months" one year.
DAYS_PER_UNIT = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "w": 7.0,
    "mo": 365.25 / 12,
    "y": 365.25,
}


def _time_unit_key(unit: str) -> str | None:
    u = unit.lower().rstrip(".")
    if u in {"s", "sec", "secs", "second", "seconds"}:
        return "s"
    if u in {"min", "mins", "minute", "minutes"}:
        return "min"
    if u in {"h", "hr", "hrs", "hour", "hours"}:
        return "h"
    if u in {"d", "day", "days"}:
        return "d"
    if u in {"w", "wk", "wks", "week", "weeks"}:
        return "w"
    if u in {"mo", "mos", "month", "months"}:
        return "mo"
    if u in {"y", "yr", "yrs", "year", "years"}:
        return "y"
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _count(word: str) -> str | None:
    w = re.sub(r"\s", "", word.lower())
    if w in _COUNT_WORDS:
        n = _COUNT_WORDS[w]
        return _COUNT_NAMES[n]
    if re.fullmatch(r"\d+", w):
        n = int(w)
        return _COUNT_NAMES.get(n, f"{n} times")
    if re.fullmatch(r"\d+-\d+", w):
        return f"{w} times"
    return None


def parse_frequency(text: str) -> str | None:
    """Canonicalise an administration frequency.

    Parameters
    ----------
    text:
        e.g. ``"twice a day"``, ``"b.i.d."``, ``"q8h"``, ``"every 8 hours"``,
        ``"once-weekly"``, ``"3 times daily"``.

    Returns
    -------
    str | None
        ``"once daily"``, ``"twice daily"``, ``"three times daily"``,
        ``"every 8 h"``, ``"once weekly"``, ``"every evening"``,
        ``"at bedtime"``, ``"single dose"`` ...; ``None`` when ``text`` does
        not start with a frequency.
    """
    m = FREQUENCY_RE.match(normalise(text).strip())
    if not m:
        return None
    g = m.groupdict()
    if g["either"]:
        return "once or twice daily"
    if g["count"]:
        count = g["count"]
        is_digit = count[0].isdigit()
        if is_digit and not g["times"]:
            return None  # "3 day" is not a frequency; "3 times a day" is
        name = _count(count)
        if name is None:
            return None
        period = g["period"].lower()
        per = "w" if period.startswith("w") else "m" if period.startswith("month") else "d"
        if period.startswith("night"):
            return f"{name} nightly" if name != "once" else "nightly"
        return f"{name} {_PERIOD_NAMES[per]}"
    if g["daily_once"]:
        return "once daily"
    if g["every"]:
        unit = re.sub(r"[\s-]+", " ", g["every_unit"].lower())
        n = g["every_n"]
        if unit in {"morning", "evening", "night", "other day", "other week"}:
            return f"every {unit}"
        key = _time_unit_key(unit)
        if n is None:
            return {"d": "daily", "w": "once weekly", "mo": "monthly", "h": "hourly"}.get(key or "")
        number = parse_number(n)
        if number is None or key is None:
            return None
        return f"every {_fmt(number)} {_UNIT_NAMES[key][0] if number == 1 else _UNIT_NAMES[key][1]}"
    if g["q_n"]:
        key = _time_unit_key(g["q_unit"])
        if key is None:
            return None
        n = float(g["q_n"])
        return f"every {_fmt(n)} {_UNIT_NAMES[key][0] if n == 1 else _UNIT_NAMES[key][1]}"
    if g["latin"]:
        return _LATIN.get(re.sub(r"[\s.]", "", g["latin"].lower()))
    if g["hourly"]:
        return f"every {int(g['hourly'])} h"
    if g["adverb"]:
        return {"fortnightly": "every 2 weeks"}.get(g["adverb"].lower(), g["adverb"].lower())
    if g["timing"]:
        return "at bedtime" if "bed" in g["timing"].lower() else "at night"
    if g["single"]:
        return "single dose"
    return None  # pragma: no cover - every alternative is handled above


def _duration_from_match(m: re.Match[str]) -> str | None:
    value = parse_number(m.group("num"))
    key = _time_unit_key(m.group("unit"))
    if value is None or key is None:
        return None
    names = _UNIT_NAMES[key]
    if m.group("num2"):
        high = parse_number(m.group("num2"))
        if high is None:
            return None
        return f"{_fmt(value)}-{_fmt(high)} {names[1]}"
    return f"{_fmt(value)} {names[0] if value == 1 else names[1]}"


def parse_duration(text: str) -> str | None:
    """Canonicalise a treatment duration written as "for/over/during N units".

    Returns
    -------
    str | None
        e.g. ``"5 days"``, ``"40 min"``, ``"12 weeks"``, ``"1 week"``,
        ``"2-4 weeks"``; ``None`` when ``text`` holds no duration.
    """
    m = DURATION_RE.search(normalise(text))
    return _duration_from_match(m) if m else None


_ZERO_TIMEPOINTS = re.compile(
    r"^(?:at\s+)?(?:the\s+)?(?:baseline|end\s+of\s+(?:the\s+)?(?:infusion|injection|surgery|operation|procedure)"
    r"|immediately\s+(?:after|post)\b.*|time\s+zero|day\s+0|hour\s+0)$",
    re.IGNORECASE,
)
_ORDINAL_TIMEPOINT = re.compile(
    r"^(?:at\s+|on\s+|by\s+)?(?:the\s+)?(?:post-?operative\s+|postop\s+)?"
    r"(?P<unit>day|d|week|wk|month|mo|year|yr|hour|h|pod)\s*(?P<num>" + _N + r")$",
    re.IGNORECASE,
)
_AMOUNT_TIMEPOINT = re.compile(
    r"^(?:at\s+|after\s+|by\s+|within\s+|over\s+)?(?:the\s+)?(?P<num>"
    + _N
    + r"|"
    + WORD_NUMBER_PATTERN[2:-2]
    + r")"
    r"[\s-]*(?P<unit>" + _TIME_UNIT + r")(?![\w])"
    r"(?:\s+(?:after|post|following|later|of|postoperatively|post-?operative(?:ly)?|follow-?up|"
    r"of\s+(?:treatment|therapy|follow-?up)|after\s+\w+|visit)\b.*)?$",
    re.IGNORECASE,
)


def parse_timepoint(phrase: str) -> tuple[float | None, str]:
    """Turn a time-point phrase into days since the start, keeping the phrase.

    A month counts 365.25 / 12 = 30.4375 days and a year 365.25 days (see
    :data:`DAYS_PER_UNIT`), so "3 months" is 91.3125 days; "week 12" is 84
    days; "end of infusion" and "baseline" are 0.

    Parameters
    ----------
    phrase:
        e.g. ``"24 h"``, ``"1 week"``, ``"day 7"``, ``"week 12"``,
        ``"3 months after surgery"``, ``"end of infusion"``.

    Returns
    -------
    tuple[float | None, str]
        ``(days, phrase)``; ``days`` is ``None`` when the phrase names no
        single time (e.g. "end point", "6 and 12 months", "8 am").
    """
    s = re.sub(r"\s+", " ", normalise(phrase)).strip().rstrip(".,;")
    if not s:
        return None, phrase
    if _ZERO_TIMEPOINTS.match(s):
        return 0.0, phrase
    m = _ORDINAL_TIMEPOINT.match(s)
    if m:
        unit = m.group("unit").lower()
        key = "d" if unit == "pod" else _time_unit_key(unit)
        value = parse_number(m.group("num"))
        if key is not None and value is not None:
            return value * DAYS_PER_UNIT[key], phrase
    m = _AMOUNT_TIMEPOINT.match(s)
    if m:
        key = _time_unit_key(m.group("unit"))
        value = parse_number(m.group("num"))
        # "8 am" and clock times are times of day, not time points since start.
        if key is not None and value is not None and not re.match(r"^\d+\s?[ap]\.?m\b", s, re.I):
            return value * DAYS_PER_UNIT[key], phrase
    return None, phrase


# --- doses -------------------------------------------------------------------------

# Thousands only with commas here: "aged 12 100 mg" must not read as 12,100 mg.
_DOSE_NUM = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_QUALIFIER = (
    r"(?:>\s?or\s?=|<\s?or\s?=|>\s?/\s?=|<\s?/\s?=|>=|<=|\u2265|\u2264|>|<|at\s+least|up\s+to|"
    r"maximum(?:\s+of)?|a\s+maximum\s+of|approximately|about|~)"
)
#: Regular expression source for a dose amount: optional qualifier ("\u2265",
#: "up to"), a value or range ("0.5-1.5", "0.5 to 1.5", "between 1 and 3",
#: "1 mg to 3 mg"), then a unit (:data:`UNIT_PATTERN`). Use on :func:`normalise`-d
#: text with IGNORECASE. Groups: ``qual``, ``v1``, ``v2``, ``unit``.
DOSE_PATTERN = (
    # The lookahead lets most positions fail on one character test.
    r"(?=[\d.<>~\u2264\u2265aAuUmMbB])(?<![\w.,/])(?<!\d )"
    r"(?:(?P<qual>" + _QUALIFIER + r")\s?)?"
    r"(?P<between>between\s+)?"
    r"(?P<v1>" + _DOSE_NUM + r")"
    # the first unit of a range ("1 mg to 3 mg") only: else "5 mg kg-1" would
    # split into "mg" and a unit "kg"
    r"(?:\s?(?P<u1>" + UNIT_PATTERN + r")(?=\s?-\s?[\d.]|\s+(?:to|and)\s+[\d.]))?"
    r"(?:(?(between)\s+and\s+|(?:\s?-\s?|\s+to\s+))(?P<v2>" + _DOSE_NUM + r"))?"
    r"(?:\s?-\s?|\s?)(?P<unit>" + UNIT_PATTERN + r")"
    # a unit that a per-body or volume word follows was not read whole ("5 microg
    # kg day-1", "77.7 mg l(-1) h", "2.0 milligrams%"): no dose rather than a wrong unit
    r"(?!\s?(?:kg|l|dl|%)(?![A-Za-z]))"
)
DOSE_RE = re.compile(DOSE_PATTERN, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Dose:
    """One parsed dose.

    ``value_max`` is set for ranges ("0.5-1.5 mg/kg/day"); ``qualifier`` keeps
    a written bound ("\u2265", "up to") so that "\u22651500 mg/day" is not read as
    an exact amount; ``unit`` is canonical (see :func:`unit_or_reason`).
    """

    value: float
    value_max: float | None
    unit: str
    frequency: str | None = None
    duration: str | None = None
    qualifier: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict with the contract field names."""
        return {
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "frequency": self.frequency,
            "duration": self.duration,
            "qualifier": self.qualifier,
        }


def _qualifier(text: str | None) -> str | None:
    if not text:
        return None
    q = re.sub(r"\s+", " ", text.lower()).strip()
    q = q if q[0].isalpha() else q.replace(" ", "")
    table = {
        ">or=": ">=",
        ">/=": ">=",
        "\u2265": ">=",
        "<or=": "<=",
        "</=": "<=",
        "\u2264": "<=",
        "at least": ">=",
        "up to": "<=",
        "maximum": "<=",
        "maximum of": "<=",
        "a maximum of": "<=",
        "about": "~",
        "approximately": "~",
    }
    return table.get(q, q)


def dose_from_match(m: re.Match[str]) -> tuple[Dose | None, str | None]:
    """Turn a :data:`DOSE_RE` match into a :class:`Dose`, or say why it is none."""
    unit, reason = unit_or_reason(m.group("unit"))
    if unit is None:
        return None, reason
    if m.group("u1"):
        first_unit, _ = unit_or_reason(m.group("u1"))
        if first_unit != unit:
            return None, f"range with two different units {m.group('u1')!r} and {m.group('unit')!r}"
    value = parse_number(m.group("v1"))
    if value is None:  # pragma: no cover - the pattern admits only numbers
        return None, f"cannot read the number {m.group('v1')!r}"
    value_max = parse_number(m.group("v2")) if m.group("v2") else None
    if value_max is not None and value_max < value:
        # "5-1 mg" is not a range; more likely a list or a typo: refuse to guess.
        return None, f"range {m.group('v1')}-{m.group('v2')} runs high to low"
    return Dose(
        value=value, value_max=value_max, unit=unit, qualifier=_qualifier(m.group("qual"))
    ), None


def dose_or_reason(text: str) -> tuple[Dose | None, str | None]:
    """Parse the first dose in ``text`` with frequency and duration, or say why there is none.

    Parameters
    ----------
    text:
        A dose phrase such as ``"0.5-1.5 mg/kg/day for 5 days"``,
        ``"10 \u00b5g twice daily"``, ``"1 g/m2 intravenously every 8 hours"``.

    Returns
    -------
    tuple[Dose | None, str | None]
        The dose and ``None``, or ``None`` and a reason naming the problem
        (no number with a unit, or a unit outside the canonical vocabulary).
    """
    norm = normalise(text)
    m = DOSE_RE.search(norm)
    if m is None:
        return None, f"no number followed by a unit in {text!r}"
    dose, reason = dose_from_match(m)
    if dose is None:
        return None, reason
    rest = norm[m.end() :]
    fm = FREQUENCY_RE.search(rest)
    frequency = parse_frequency(fm.group()) if fm else None
    if frequency is None:
        before = FREQUENCY_RE.search(norm[: m.start()])
        frequency = parse_frequency(before.group()) if before else None
    dm = DURATION_RE.search(rest)
    duration = _duration_from_match(dm) if dm else None
    return Dose(dose.value, dose.value_max, dose.unit, frequency, duration, dose.qualifier), None


def parse_dose(text: str) -> Dose | None:
    """Parse a dose phrase; ``None`` when there is none (see :func:`dose_or_reason` for why).

    Examples
    --------
    >>> parse_dose("0.5-1.5 mg/kg/day").as_dict()["unit"]
    'mg/kg/day'
    """
    return dose_or_reason(text)[0]
