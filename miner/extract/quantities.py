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

import re

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
_MIDDOT_DECIMAL_RE = re.compile(r"(?<=\d)[\u00b7\u2219\u22c5](?=\d)")


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
    out = normalise_spaces(normalise_dashes(text))
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
_WORD_ATOM = rf"(?:(?:{_WORD_TENS})(?:[\s-]+(?:{_WORD_UNITS}))?|{_WORD_UNITS})"
#: Regular expression source for a number in words ("forty-two", "one hundred
#: and twelve", "a hundred", "two thousand five hundred"), case-insensitive.
WORD_NUMBER_PATTERN = (
    rf"\b(?:(?:{_WORD_ATOM}|an?)[\s-]+(?:hundred|thousand|million)"
    rf"(?:(?:[\s-]+and)?[\s-]+(?:{_WORD_ATOM})(?:[\s-]+(?:hundred|thousand))?)*"
    rf"(?:(?:[\s-]+and)?[\s-]+{_WORD_ATOM})?"
    rf"|{_WORD_ATOM})\b"
)
#: Compiled :data:`WORD_NUMBER_PATTERN` (IGNORECASE).
WORD_NUMBER_RE = re.compile(WORD_NUMBER_PATTERN, re.IGNORECASE)
_WORD_SPLIT_RE = re.compile(r"[\s-]+")


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
