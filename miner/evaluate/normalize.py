"""Turning gold strings and predicted values into comparable keys.

The scorer keeps its own small parsers on purpose: the gold side must not be
read with the code under test (:mod:`miner.extract.quantities`), or a parser
bug would make gold and prediction agree on a wrong number.

Matching rules
--------------
Numbers
    Compared as written: ``0.50`` equals ``0.5`` but ``0.49`` does not. Two
    numbers match when they differ by at most :data:`REL_TOL` of the gold
    value (plus :data:`ABS_TOL`, for zero), which only absorbs float noise
    from parsing. An off-by-one count or a rounded mean is a miss.
Units
    Lowercase, micrograms as ``ug`` (mcg, microg, µg, μg), international
    units as ``iu`` (IU, U, units), ``/`` between parts in written order,
    ``m2`` for m^2/m(2)/m²; ``·`` and ``per`` become ``/``.
P-values
    ``(operator, value)``; ``<`` and ``≤`` are one bound family, as are ``>``
    and ``≥``; ``=`` is its own family. ``p < .001`` is ``("<", 0.001)``.
Confidence intervals
    ``(low, high)`` with ``low <= high`` (intervals written high-to-low are
    reordered), level as a fraction (``95 %`` -> 0.95).
"""

from __future__ import annotations

import hashlib
import html
import re

#: Relative tolerance for "the same number as written".
REL_TOL = 1e-6
#: Absolute tolerance (only matters for zero).
ABS_TOL = 1e-9

_DASHES = "\u2212\u2012\u2013\u2014\u2015\ufe63\uff0d\u2011\u2010"
_DASH_TABLE = str.maketrans({c: "-" for c in _DASHES})
# Lancet-style decimal point ("0·5", tokenised "0 · 5") between digits: the
# middle dot and the look-alikes text conversions substitute for it (Greek ano
# teleia, hyphenation point, bullet, bullet and dot operators).
_MIDDOTS = "\u00b7\u0387\u2027\u2022\u2219\u22c5"
_MIDDOT_RE = re.compile(rf"(?<=\d)\s*[{_MIDDOTS}]\s*(?=\d)")


def clean_number_text(text: str) -> str:
    """Unescape HTML, fold dashes to "-" and middle-dot decimals to ".".

    ``"1·81–5·52"`` and the tokenised ``"1 · 81 - 5 · 52"`` both become
    ``"1.81-5.52"``; every gold number, range, p-value and CI goes through it.
    """
    return _MIDDOT_RE.sub(".", html.unescape(text).translate(_DASH_TABLE))


_clean = clean_number_text


_ONES = {
    "zero": 0, "no": 0, "none": 0, "nil": 0, "one": 1, "a": 1, "an": 1, "two": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_PLAIN_RE = re.compile(r"^[+-]?(?:\d+(?:,\d{3})+|\d+)?(?:\.\d+)?$")


def same_number(pred: float | None, gold: float | None) -> bool:
    """True when two numbers are the same value as written (see module docstring)."""
    if pred is None or gold is None:
        return pred is None and gold is None
    return abs(pred - gold) <= ABS_TOL + REL_TOL * abs(gold)


def words_to_int(text: str) -> int | None:
    """Parse an English number written in words ("Two hundred and fifty-three").

    Returns ``None`` when any word is not part of a number.
    """
    words = [w for w in re.split(r"[\s\-]+", text.lower().strip()) if w and w != "and"]
    if not words:
        return None
    total = current = 0
    seen = False
    for w in words:
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w in _SCALES:
            scale = _SCALES[w]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def parse_gold_number(text: str) -> float | None:
    """Parse a gold value string into a float.

    Accepts digits with thousands commas ("1,525"), the pre-tokenised forms of
    the corpora ("- 0 . 94", "1 , 525"), a trailing "%", unicode minus, a
    leading "n =" or "~" and English number words. Returns ``None`` otherwise.
    """
    s = _clean(text).strip()
    s = re.sub(r"^[nN]\s*=\s*", "", s)
    # "~ 20": the text's own approximate value; the extractor reads the number
    s = re.sub(r"^(?:~|\u2248|approx(?:imately|\.)?)\s*", "", s)
    s = s.rstrip("%").strip()
    compact = re.sub(r"\s+", "", s)
    if compact.startswith("."):
        compact = "0" + compact
    compact = compact.replace("-.", "-0.")
    if compact and _PLAIN_RE.match(compact) and any(c.isdigit() for c in compact):
        return float(compact.replace(",", ""))
    n = words_to_int(s)
    return float(n) if n is not None else None


_LEADING_RE = re.compile(r"^\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?)(?=$|[\s%a-zA-Z(])")
_LEADING_WORDS_RE = re.compile(r"^\s*([A-Za-z][A-Za-z\s-]*?)(?=\s+(?:percent|per\s+cent)\b|$)")


def leading_number(text: str) -> float | None:
    """The number a value span starts with ("7.0 months", "2.5 percent", "-2·4%", "Ten").

    Falls back to :func:`parse_gold_number` for the whole span; ``None`` for
    spans such as "not reached".
    """
    whole = parse_gold_number(text)
    if whole is not None:
        return whole
    # Decimal marks written with spaces ("9 · 5 months", tokenised "9 . 5")
    # are one number, not "9" followed by words.
    s = _clean(text).replace("\u00a0", " ")
    s = re.sub(r"(?<=\d) \. (?=\d)", ".", s)
    m = _LEADING_RE.match(s)
    if m and any(c.isdigit() for c in m.group(1)):
        return float(m.group(1).replace(",", ""))
    w = _LEADING_WORDS_RE.match(s)
    if w:
        n = words_to_int(w.group(1))
        return float(n) if n is not None else None
    return None


def parse_range(text: str) -> tuple[float, float | None] | None:
    """Parse "5", "0 . 5", "30 - 150", "1-2" into ``(value, value_max)``."""
    s = re.sub(r"\s+", "", _clean(text))
    m = re.fullmatch(r"(-?\d*\.?\d+)(?:(?:-|to)(\d*\.?\d+))?", s.replace(",", ""))
    if not m:
        v = parse_gold_number(text)
        return (v, None) if v is not None else None
    hi = float(m.group(2)) if m.group(2) else None
    return float(m.group(1)), hi


_NUM = r"-?\d*\.?\d+"


def parse_p_value(text: str) -> tuple[str, float] | None:
    """Parse "P < 0 . 001", "p&lt;.05", "P = 0.0136" into ``(op, value)``.

    ``op`` is one of ``=``, ``<``, ``>`` (``≤``/``<=`` fold into ``<``,
    ``≥``/``>=`` into ``>``: the bound family).
    """
    s = re.sub(r"\s+", "", _clean(text))
    m = re.search(r"([<>=≤≥]+)(\d*\.?\d+(?:[eE]-?\d+)?)", s)
    if not m:
        m2 = re.fullmatch(r"(?:[pP])?(\d*\.?\d+)", s)
        return ("=", float(m2.group(1))) if m2 else None
    return canonical_p_op(m.group(1)), float(m.group(2))


def canonical_p_op(op: str | None) -> str:
    """Fold a comparison operator into its family: ``=``, ``<`` or ``>``."""
    if not op:
        return "="
    op = op.strip()
    if "<" in op or "≤" in op:
        return "<"
    if ">" in op or "≥" in op:
        return ">"
    return "="


def parse_ci(text: str) -> tuple[float | None, float, float] | None:
    """Parse a confidence-interval string into ``(level, low, high)``.

    Handles "95 % CI - 1 . 07 to - 0 . 59", "95%CI: 0.40, 1.53",
    "[−0.30; −0.02]" and high-to-low order; the first pair of numbers after
    the level is used (a second pair in other units is ignored). ``level`` is
    a fraction, or ``None`` when the text does not state it.
    """
    s = re.sub(r"\s+", "", _clean(text))
    level = None
    m = re.search(r"(\d{2}(?:\.\d+)?)%", s)
    rest = s
    if m:
        level = float(m.group(1)) / 100
        rest = s[m.end() :]
    pair = re.search(rf"({_NUM})(?:to|,|;|-(?=\.?\d)|–)({_NUM})", rest)
    if not pair:
        return None
    a, b = float(pair.group(1)), float(pair.group(2))
    return level, min(a, b), max(a, b)


# ---------------------------------------------------------------- units

_UNIT_ATOMS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "g": "g", "gram": "g", "grams": "g",
    "ug": "ug", "µg": "ug", "μg": "ug", "mcg": "ug", "microg": "ug", "microgram": "ug",
    "micrograms": "ug", "ng": "ng", "ml": "ml", "l": "l", "iu": "iu", "u": "iu", "units": "iu",
    "unit": "iu", "mmol": "mmol", "kg": "kg", "m2": "m2", "h": "h", "hr": "h", "hour": "h",
    "min": "min", "day": "day", "d": "day", "week": "week", "wk": "week", "%": "%",
    "drop": "drop", "drops": "drop",
}  # fmt: skip


def canonical_unit(text: str | None) -> str | None:
    """Canonicalise a unit as written ("microg / ml", "IU/kg", "mg·kg−1·h−1").

    Returns ``None`` for an empty or unknown unit. Negative exponents
    ("kg−1") become ``/kg``.
    """
    if not text:
        return None
    s = html.unescape(text).translate(_DASH_TABLE).lower().strip()
    s = re.sub(r"m\s*(?:\^\s*2|\(\s*2\s*\)|²)", "m2", s)
    s = re.sub(r"\s*(?:·|⋅|\bper\b)\s*", "/", s)
    s = re.sub(r"([a-zµμ%]+)\s*-\s*1\b", r"/\1", s)
    parts = [p for p in re.split(r"\s*/\s*", s) if p.strip()]
    out: list[str] = []
    for p in parts:
        p = p.strip().rstrip(".")
        if p not in _UNIT_ATOMS:
            return None
        out.append(_UNIT_ATOMS[p])
    return "/".join(out) if out else None


_UNIT_AFTER_RE = re.compile(
    r"^\s*((?:%|[a-zA-Zµμ]+(?:\s*\(\s*2\s*\))?)"
    r"(?:\s*(?:/|·|per)\s*[a-zA-Zµμ0-9]+(?:\s*\(\s*2\s*\))?|\s+[a-zA-Zµμ]+\s*[-−]\s*1\b)*)"
)


def unit_after(text: str, end: int) -> str | None:
    """The canonical unit written right after ``end`` in ``text`` (or ``None``)."""
    m = _UNIT_AFTER_RE.match(text[end : end + 40])
    if not m:
        return None
    # Try the longest prefix of "/"-parts that canonicalises.
    parts = re.split(r"(\s*(?:/|·|per)\s*|\s+(?=[a-zA-Zµμ]+\s*[-−]\s*1\b))", m.group(1))
    for k in range(len(parts), 0, -1):
        unit = canonical_unit("".join(parts[:k]))
        if unit:
            return unit
    return None


# --------------------------------------------------------------- routes

#: CTRO delivery-method classes -> the route vocabulary of DESIGN.md.
CTRO_ROUTE_CLASSES = {
    "Eyedrops": "ophthalmic",
    "Oral": "oral",
    "SubcutaneousInjection": "subcutaneous",
    "Subcutaneous": "subcutaneous",
    "IntramuscularInjection": "intramuscular",
}

#: Generic CTRO ``DeliveryMethod`` mentions, mapped by their surface words.
DELIVERY_WORDS = (
    ("ophthalmic", "ophthalmic"),
    ("eye", "ophthalmic"),
    ("instill", "ophthalmic"),
    ("topical", "topical"),
    ("subcutaneous", "subcutaneous"),
    ("oral", "oral"),
)


def route_from_words(text: str) -> str | None:
    """Route for a generic delivery-method phrase, or ``None`` when unclear."""
    low = text.lower()
    for word, route in DELIVERY_WORDS:
        if word in low:
            return route
    return None


# ---------------------------------------------------------------- split

SPLITS = ("tune", "check", "all")


def split_of(doc_id: str) -> str:
    """``"tune"`` or ``"check"`` for a document id, deterministically.

    The last hex digit of ``sha1(doc_id)`` decides: even -> tune, odd ->
    check. Sentences of one abstract share its document id, so an abstract
    never straddles the halves.
    """
    digit = int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[-1], 16)
    return "tune" if digit % 2 == 0 else "check"


def detokenise(text: str) -> str:
    """Undo the corpora's spaces around punctuation for display ("0 . 5" -> "0.5")."""
    s = re.sub(r"(\d) \. (\d)", r"\1.\2", text)
    s = re.sub(r" ([,.;:)\]%])", r"\1", s)
    s = re.sub(r"([(\[]) ", r"\1", s)
    return s


_BOUNDARY_RE = re.compile(r"[.!?] +(?=[A-Z(\[])|\n")


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``[start, end)``.

    A plain splitter (full stop + capital, or a line break) that also works
    on the corpora's pre-tokenised text, where "0 . 5" is not a boundary.
    """
    left = 0
    for m in _BOUNDARY_RE.finditer(text, 0, start):
        left = m.end()
    nxt = _BOUNDARY_RE.search(text, end)
    right = nxt.start() + 1 if nxt else len(text)
    return text[left:right].strip()
