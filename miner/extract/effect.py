"""Reported effect estimates: MD, SMD, RR, OR, HR, RD, IRR with CIs and p-values.

The component ``miner_effect`` finds estimates such as ``HR 0.72 (95% CI
0.60-0.86; P < 0.001)`` or ``mean difference, -2.14 [-2.65 to -1.63]`` with
compiled regular expressions over each sentence's raw text (spaCy is used only
for sentence boundaries) and appends one ``EFFECT`` span per estimate to
``doc.spans["miner"]``. :func:`collect_effects` turns those spans into the
``effects`` list of the ``miner extract`` contract.

Rules that keep wrong numbers out (a wrong number is worse than a missing one):

- the value must lie inside its CI (after ordering; a CI written high-to-low
  is swapped only when the value then lies inside it, otherwise the estimate is
  dropped);
- ratio measures (RR, OR, HR, IRR) need a positive value and positive bounds;
- "HR" is not read as a hazard ratio in a document that speaks of heart rate
  but never of a hazard ratio, nor "ARR" / "ARI" as an absolute risk
  reduction / increase in a document that never spells one out (they are as
  often an annualised relapse rate, an adjusted rate ratio, an acute
  respiratory infection);
- no estimate follows "the CI (limit) for the difference" or "relative
  differences"; a number with thousands ("205,618"), after a label ("reader
  1") or a "range" word, or followed by "for the control group" after a bare
  "difference" is not the estimate;
- the value is not a test statistic ("t = -2.4", "r = 0.52", "F = 41"), a
  number ending a name ("IL-6"), a clock time ("0800"), an arm's median
  ("median [IQR]: 3 [2, 5]") or one of two arm values ("71% with A and 80%
  with B"); a number after a p-value in the words after the name needs its
  own CI; "difference of -26 to +16" and "risk ratio 3.6-9.9" give a
  range, not a value, and
  differences "at baseline" are no effects; an arm's dose between name and
  value ("for drugA 15 mg and drugB") is skipped;
- a value in brackets after "compared with the control group (" is the
  control arm's when the other arm's value stands in brackets just before;
  an estimate with neither CI nor p-value ("NNT: 22") starts no chain;
- sentences that describe a power or sample-size calculation ("to detect a
  difference of ...", "assuming an HR of ...") are planned values, not results;
- an estimate whose arms are named between measure and value ("HR for death
  with X versus Y (0.8; 0.6-0.9)", "LS mean [A-B]: 0.21; 95% CI ...") counts
  only with its CI; a bare "difference" only with a CI, a p-value or a unit
  of measurement ("a difference of 2.1 points").

A sentence that the sentence splitter still leaves with a bracket open (the
splitter itself keeps a full stop inside a bracket that the next piece of text
closes; see :mod:`miner.extract.pipeline`) is read joined to the next sentence
when that one closes the bracket.

Negation is deliberately *not* applied to estimates: "no significant
difference (MD 0.2, 95% CI -0.1 to 0.5)" reports a real estimate that a
reviewer needs.

A between-group comparison reported only by its p-value ("IOP was lower with
latanoprost than with timolol (P < 0.001)", "the difference between the groups
was not significant (P = 0.86)") is kept as a fact whose ``measure`` and
``value`` are ``None`` (:func:`find_comparison_p_values`); p-values of changes
within the groups ("fell from baseline in both groups (P < 0.001)") and
significance levels stated in the methods are not. A p-value whose italic P
was lost from the abstract ("(< 0.001, ANCOVA)") counts right after an opening
bracket.

Sign convention: an absolute risk *reduction* (ARR) is reported as a risk
difference (treatment minus control), so ``ARR 5% (2 to 8)`` becomes
``RD -5 (-8 to -2)``; ``text`` keeps the words as written.

This module also holds the small text helpers shared with
:mod:`miner.extract.arm_value` (numbers, p-values, time points, outcomes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.doctext import SPAN_KEY, add_spans, bracket_balance, doc_text, span_list
from miner.extract.doctext import sentence_bounds as doc_sentence_bounds
from miner.extract.quantities import parse_timepoint

LABEL = "EFFECT"
PATTERN_FILE = Path(__file__).resolve().parent / "patterns" / "effect_measures.jsonl"

#: Canonical measures of the contract (/work/shared/DESIGN.md).
MEASURES = ("MD", "SMD", "RR", "OR", "HR", "RD", "IRR", "other")
RATIO_MEASURES = frozenset({"RR", "OR", "HR", "IRR"})

# ---------------------------------------------------------------- numbers
# Minus signs seen in abstracts: hyphen, U+2212, en/em dash and figure dash.
# A dash written right after a digit is a range separator, never a sign; the
# pair pattern below decides which is which.
DASHES = "-\u2212\u2013\u2014\u2012\u2010\u2011"
NUM_CORE = r"(?:\d+(?:[.\u00b7]\d+)?|[.\u00b7]\d+)"
SIGNED = rf"(?:(?<![\d.\u00b7])[{DASHES}]\s?)?{NUM_CORE}"
_DIGIT_RE = re.compile(r"\d")
_NUM_RE = re.compile(rf"(?<![\w.\u00b7]){SIGNED}(?!\w|[.\u00b7]\d)")


_PLAIN_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def parse_num(text: str) -> float:
    """Parse one number as written in an abstract.

    Handles U+2212 and dash minus signs, a space after the sign, the middle
    dot decimal point ("0·5") and spaces or commas grouping thousands.

    Parameters
    ----------
    text:
        The number, e.g. ``"−2.14"``, ``"- 0.7"``, ``"0·5"``, ``".03"``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When ``text`` is not a number.
    """
    if _PLAIN_NUM.fullmatch(text):
        return float(text)  # the common case: nothing to clean
    cleaned = text.strip()
    for dash in DASHES:
        cleaned = cleaned.replace(dash, "-")
    cleaned = re.sub(r"[\s,]", "", cleaned.replace("\u00b7", "."))
    return float(cleaned)


# ------------------------------------------------------------------ CI pairs
# "h·mg/dL", "MET*h/wk": a product of units (an area under the curve) is one
# unit; "cm2", "mm³": a square or a cube
_UNIT = (
    r"(?:%|percentage\s+points?|percent|points?|mm\s?Hg|[a-zA-Z\u00b5\u03bc]{1,8}[23\u00b2\u00b3]?"
    r"(?:[\u00b7\u22c5*][a-zA-Z\u00b5\u03bc]{1,8})?(?:\s?/\s?[a-zA-Z0-9.]{1,6}){0,2})"
)
# Two bounds: "-2.65 to -1.63", "−0.30; −0.02", "0.5–0.9", "1.2, 3.4",
# "- 1.21 % to - 0.74 %" (a unit may follow each bound).
PAIR = (
    rf"(?P<lo>{SIGNED})(?:\s?(?!to\b|and\b){_UNIT})?\s*"
    rf"(?P<sep>to|and|[,;]|[{DASHES}])\s*"
    rf"(?P<hi>{SIGNED})(?!\d|[.\u00b7]\d)(?:\s?(?!to\b|and\b|vs\b){_UNIT})?"
)
# A number with thousands grouped by commas ("1,250", "-12,400.5"); a group
# never starts "0," (a decimal comma: "0,645").
SIGNED_THOUSANDS = (
    rf"(?:(?<![\d.\u00b7])[{DASHES}]\s?)?[1-9]\d{{0,2}}(?:,\d{{3}})+(?!\d)(?:[.\u00b7]\d+)?"
)
_SIGNED_THOUSANDS_RE = re.compile(SIGNED_THOUSANDS)
# Two bounds that may be written with thousands ("1,020 to 1,480"); only the
# bounds of an estimate read them (PAIR keeps to plain numbers)
_PAIR_THOUSANDS = PAIR.replace(SIGNED, f"(?:{SIGNED_THOUSANDS}|{SIGNED})")
# A CI lead-in: "95% CI", "95% C.I", "95% confidence interval", "95%
# confidence limits". The abbreviation may
# follow the words in brackets ("confidence interval [CI],", "( CI )" in
# tokenised text, "(95% CI)", "[CIs]") or after a stray full stop
# ("confidence interval. CI: -1.8 to -0.5"), and the level may come last
# ("confidence interval (CI) 95%, 15.4 to 18.6"; read only when none came
# first, and only as a usual level, so that "CI 43%, 69%" stays a pair).
CI_WORD = (
    r"(?:(?P<level>\d{2}(?:[.\u00b7]\d+)?)\s?%\s?-?\s?)?"
    r"(?:CIs?\b|C\.I\b\.?|CrI\b|[Cc]onfidence[\s-]+(?:[Ii]ntervals?|[Ll]imits?)"
    r"|[Cc]redible\s+[Ii]ntervals?"
    r"|[Cc]onf\.?\s?[Ii]nt\.?)"
    r"(?:\s?[(\[]\s?(?:\d{2}(?:[.\u00b7]\d+)?\s?%\s?)?(?:CIs?|C\.I\.|CrI)\s?[)\]]|\.\s?CI\b)?"
    r"(?(level)|(?:\s?(?P<level_after>80|90|95|97[.\u00b7]5|99)\s?%(?=\s?[,:;]))?)"
)


def ci_level_of(match: re.Match[str]) -> float | None:
    """The level of a CI matched by :data:`CI_WORD` as a fraction (0.95), or ``None``."""
    level = match.group("level") or match.group("level_after")
    return round(float(level.replace("\u00b7", ".")) / 100.0, 4) if level else None


# --------------------------------------------------------------- p-values
_P_NUM = (
    r"(?P<pnum>(?:\d+(?:[.\u00b7]\d+)?|[.\u00b7]\d+)"
    r"(?:\s?[x\u00d7*]\s?10\s?\^?\s?[-\u2212\u2013]\s?\d+|[eE][-\u2212\u2013]?\d+)?)"
)
_P_OP = r"(?P<pop><\s?or\s?=|>\s?or\s?=|<=|>=|=<|=>|\u2264|\u2265|<|>|=|&lt;|&gt;)"
# The letter comes first (the look-behind after it checks the character
# before it): a pattern that starts with a character set lets ``re`` skip
# to the next "p" instead of trying the look-behind at every position.
P_VALUE = (
    r"[Pp](?<![A-Za-z0-9][Pp])(?P<pword>\s?[-\u2010]?\s?values?)?\s*"
    rf"(?:(?::\s?)?{_P_OP}\s*{_P_NUM}|(?:of|was|is|:|=)?\s*(?P<pns>NS\b|ns\b|n\.s\.?)"
    r"|(?(pword)(?:of|was|is|:)?|(?:of|was|is|:))\s*"
    rf"{_P_NUM.replace('?P<pnum>', '?P<pnum2>')})"
)
P_RE = re.compile(P_VALUE)


@lru_cache(maxsize=4096)
def p_matches(sentence: str) -> tuple[re.Match[str], ...]:
    """``P_RE.finditer(sentence)``, searched once per sentence.

    The comparison p-values, arm_value's masking and its p-value pairing
    read the same sentences one after another.
    """
    return tuple(P_RE.finditer(sentence))


_P_OPS = {
    "<": "<",
    ">": ">",
    "=": "=",
    "<=": "<=",
    ">=": ">=",
    "=<": "<=",
    "=>": ">=",
    "\u2264": "<=",
    "\u2265": ">=",
    "&lt;": "<",
    "&gt;": ">",
}


_PLAIN_P = re.compile(r"\d*\.?\d+")


def parse_p(match: re.Match[str]) -> tuple[float | None, str | None]:
    """Turn a :data:`P_RE` match into ``(p, operator)``; "NS" gives ``(None, None)``."""
    if match.group("pns"):
        return None, None
    raw = match.group("pnum") or match.group("pnum2")
    op_raw = match.group("pop")
    op = "="
    if op_raw:
        # the common operators are looked up as written
        op = _P_OPS.get(op_raw) or _P_OPS.get(re.sub(r"\s|or", "", op_raw).replace("==", "="), "=")
        if "or" in op_raw:
            op = "<=" if op_raw.startswith("<") else ">="
    if _PLAIN_P.fullmatch(raw):
        value = float(raw)  # the common case: "0.03", ".001"
        return (value, op) if value <= 1.0 else (None, None)
    text = raw.replace("\u00b7", ".").replace(" ", "")
    text = re.sub(r"[\u2212\u2013]", "-", text)
    sci = re.match(r"([\d.]+)[x\u00d7*]10\^?(-?\d+)$", text)
    try:
        value = float(sci.group(1)) * 10.0 ** int(sci.group(2)) if sci else float(text)
    except ValueError:
        return None, None
    if not 0.0 <= value <= 1.0:
        return None, None
    return value, op


# ------------------------------------------------------------- time points
TIME_UNIT = r"(?:hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|minutes?|mins?)"
_TIME_PHRASE = (
    r"(?:(?:at|after|over|during|by|within|through|to|for|in|from)\s+(?:the\s+)?"
    r"(?:end\s+of\s+)?)?"
    r"(?:"
    rf"(?:week|month|day|year|hour)\s+\d+(?:\.\d+)?"
    rf"|\d+(?:\.\d+)?\s?(?:-|\s)?{TIME_UNIT}(?![\w/])(?:\s+(?:of\s+)?(?:follow[\s-]?up|treatment|therapy))?"
    r"|(?:one|two|three|four|five|six|eight|ten|twelve|eighteen|twenty[\s-]four)\s+"
    r"(?:hours?|days?|weeks?|months?|years?)"
    r"|end\s+of\s+(?:the\s+)?(?:treatment|study|trial|infusion|surgery|follow[\s-]?up)"
    r")"
)
TIME_RE = re.compile(rf"(?<![\w/]){_TIME_PHRASE}", re.IGNORECASE)
_TIME_LEAD = re.compile(
    r"^(?:at|after|over|during|by|within|through|to|for|in|from)\s+(?:the\s+)?", re.I
)
_TIME_NEEDS_PREP = re.compile(rf"^\d+(?:\.\d+)?\s?(?:-|\s)?{TIME_UNIT}$", re.I)


# Every TIME_RE match holds a digit followed (after at most a space and a
# hyphen) by the first letter of a unit, or one of these words (lowercase).
_TIME_DIGIT_UNIT = re.compile(r"\d\s?[-\s]?[hdwmyHDWMY]")
_TIME_WORDS = ("week", "month", "day", "year", "hour", "end")


def may_hold_time(text: str) -> bool:
    """False when :data:`TIME_RE` cannot match in ``text`` (much cheaper than the pattern)."""
    if _TIME_DIGIT_UNIT.search(text):
        return True
    low = text.lower()
    return any(w in low for w in _TIME_WORDS)


def timepoint_days(phrase: str | None) -> float | None:
    """Days since the start for a phrase from :func:`find_timepoint` ("week 12" -> 84)."""
    if not phrase:
        return None
    return parse_timepoint(phrase)[0]


def find_timepoint(sentence: str, anchor: int) -> str | None:
    """The time phrase of ``sentence`` nearest to ``anchor`` (a char offset in it).

    Bare durations ("12 weeks") count only with a preposition ("at 12 weeks",
    "after 12 weeks") or in the "week 12" form, because a bare duration is
    usually a treatment length, not the time point of a result.

    Returns
    -------
    str | None
        The phrase without its preposition ("1 week", "week 24", "end of
        treatment"), or ``None``.
    """
    best: tuple[int, str] | None = None
    for start, end, bare in _time_phrases(sentence):
        dist = min(abs(start - anchor), abs(end - anchor))
        if best is None or dist < best[0]:
            best = (dist, bare)
    return best[1] if best else None


@lru_cache(maxsize=2048)
def _time_phrases(sentence: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, phrase without preposition)`` of the time points of ``sentence``.

    Cached: every value of a sentence asks for its nearest time point.
    """
    out = []
    for m in TIME_RE.finditer(sentence) if may_hold_time(sentence) else ():
        phrase = m.group(0)
        bare = _TIME_LEAD.sub("", phrase)
        if bare == phrase and _TIME_NEEDS_PREP.match(phrase):
            continue
        if re.match(r"^\d+(?:\.\d+)?\s?(?:-\s?)?(?:h|d|mos?|mins?)$", bare, re.I) and not re.match(
            r"^(?:at|after|within|by)\b", phrase, re.I
        ):
            continue
        out.append((m.start(), m.end(), bare.strip()))
    return tuple(out)


# ----------------------------------------------------------------- outcome
def _trie_pattern(names: list[list[str]]) -> str:
    """One pattern for ``names`` (each a list of pattern tokens), shared prefixes merged.

    "hazard ratio|hazard ratios" becomes "hazard ratio(?:s)?": ``re`` then
    tries a few first letters at each position instead of every name, and,
    as with the names sorted longest first, the longest name that fits wins.
    """
    trie: dict[str, Any] = {}
    for tokens in names:
        node = trie
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[""] = {}  # a name ends here

    def depth(node: dict[str, Any]) -> int:
        return max((1 + depth(child) for tok, child in node.items() if tok), default=0)

    def emit(node: dict[str, Any]) -> str:
        kids = sorted(((t, c) for t, c in node.items() if t), key=lambda tc: -depth(tc[1]))
        alts = [tok + emit(child) for tok, child in kids]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# fmt: off
_BOUNDARY_WORDS = (
    "was", "were", "is", "are", "had", "has", "have", "showed", "shows", "show", "reduced",
    "reduces", "reduce", "improved", "improves", "increased", "increases", "decreased",
    "decreases", "lowered", "lowers", "in", "for", "on", "with", "fell", "rose", "declined",
    "dropped", "changed", "remained", "did", "achieved", "experienced", "developed",
    "occurred", "required", "reached", "needed", "between", "regarding", "and", "or", "than",
    "by", "to", "that", "which", "compared", "versus", "vs", "at", "after", "from", "during",
    "over", "within", "among", "when", "while", "whereas", "but", "respectively", "both",
    "group", "groups", "arm", "arms", "receiving", "received", "given", "treated", "patients",
    "participants", "subjects",
)
# fmt: on
# one pattern with shared prefixes merged (see _trie_pattern); the words
# are whole words, so the order of the alternatives does not matter
_BOUNDARY = re.compile(
    r"\b(" + _trie_pattern([[re.escape(ch) for ch in w] for w in _BOUNDARY_WORDS]) + r")\b",
    re.IGNORECASE,
)
# A chunk right after these words (or right before "group"/"arm") names an arm.
_ARM_PREV = frozenset(
    ["with", "than", "versus", "vs", "compared", "receiving", "received", "given", "treated"]
)
_ARM_NEXT = frozenset(["group", "groups", "arm", "arms"])
_NOT_OUTCOME = frozenset(
    [
        "lower",
        "higher",
        "greater",
        "smaller",
        "less",
        "more",
        "better",
        "worse",
        "similar",
        "significant",
        "significantly",
        "reduced",
        "improved",
        "increased",
        "decreased",
        "mean",
        "median",
        "adjusted",
        "overall",
        "the",
        "a",
        "an",
        "this",
        "these",
        "no",
        "not",
        "statistically",
        "there",
        "it",
        "its",
        "their",
        "difference",
        "differences",
        "change",
        "changes",
        "effect",
        "effects",
        "values",
        "value",
        "respectively",
        "baseline",
        "all",
        "each",
        "both",
        "iqr",
        "least",
        "squares",
        "ls",
        "[ls]",
        "(ls)",
        "sd",
        "se",
        "ci",
        "range",
    ]
)
# A chunk made only of these words (once the words above are trimmed) names
# who was measured, an arm, or says how a result was seen: never the outcome.
# fmt: off
_NOT_OUTCOME_ALONE = frozenset(
    [
        # people and populations
        "women", "men", "children", "adults", "infants", "neonates", "girls", "boys", "people",
        "persons", "individuals", "volunteers", "recipients", "completers", "responders",
        "nonresponders", "users", "controls", "cases", "population", "populations", "cohort",
        # arms
        "placebo", "control", "treatment", "treatments", "intervention", "interventions",
        "comparator", "vehicle", "sham", "usual", "standard", "care",
        # how a result was seen or compared
        "observed", "reported", "found", "noted", "seen", "detected", "identified",
        "documented", "recorded", "associated", "comparable", "different", "differ",
        "differed", "frequent", "common", "longer", "shorter", "numerically",
        "insignificantly", "however", "total", "intergroup", "results", "allocated",
        "assigned", "randomized", "randomised", "impact", "p", "weeks", "months", "days",
        "years", "hours", "unchanged", "static", "stable", "indicated",
    ]
)
# fmt: on
# a chunk right before "versus" and after one of these is the first arm
# compared ("response rates for latanoprost versus timolol")
_ARM_BEFORE_VS = frozenset(["for", "in", "on", "with", "between"])
_VERSUS = frozenset(["versus", "vs"])
_WHEN = frozenset(["after", "during"])
_ARM_STEP = frozenset(["on", "in", "did", "with"])
_ARM_STEP_AFTER = _ARM_PREV | {"patients", "participants", "subjects"}
# "the placebo-treated group": a compound naming the arm by its treatment
_ARM_PARTICIPLES = frozenset(["treated", "given", "receiving", "received"])
# degree words at the ends of a chunk ("hip density obviously increased")
_ADVERBS = frozenset(
    ["obviously", "markedly", "substantially", "slightly", "numerically", "notably", "further"]
)
_P_REMNANT = re.compile(r"^[Pp]\s?[=<>]")
_UNITISH = re.compile(r"^(?:%|[a-z\u00b5\u03bc]{1,4}(?:/[a-z0-9.]{1,5}){0,2}|mmhg|units?|points?)$")
_OUTCOME_CLAUSE_BREAK = re.compile(r"[;:!?()\[\]{}]|\.(?=\s|$)|,\s|\s(?:vs\.?|versus)\s")


# "between vildagliptin and placebo", "(omarigliptin vs placebo)": the arms
# compared, never the outcome
_ARM_PAIR_RE = re.compile(
    r"\bbetween\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+and\s+(?:the\s+)?[\w-]+(?:\s+groups?)?"
    r"|\([^()]*\b(?:vs\.?|versus|minus)\s[^()]*\)?",
    re.IGNORECASE,
)


def clean_outcome(phrase: str) -> str | None:
    """Trim a candidate outcome phrase to its content words, or ``None``.

    The phrase is cut at verbs and prepositions; the last chunk that is not an
    arm ("with ketamine", "the placebo group"), a unit or a bare adjective is
    kept (at most 8 words).
    """
    # each pattern needs a word or a digit that a substring test rules out
    # far faster than the pattern
    low = phrase.lower()
    if "(" in phrase or "between" in low:
        phrase = _ARM_PAIR_RE.sub(" ", phrase)
    if may_hold_time(phrase):
        phrase = TIME_RE.sub(" ", phrase)
    if _DIGIT_RE.search(phrase):
        phrase = _NUM_RE.sub(" ", phrase)
    parts = _BOUNDARY.split(phrase)
    # parts = [chunk0, boundary1, chunk1, boundary2, chunk2, ...]
    for k in range(len(parts) - 1, -1, -2):
        prev = parts[k - 1].lower() if k >= 1 else ""
        nxt = parts[k + 1].lower() if k + 1 < len(parts) else ""
        if nxt in _ARM_NEXT or prev in _WHEN or _names_arm(parts, k, prev, nxt):
            # "after a standard breakfast", "during treatment": when, not what
            continue
        words = [w for w in parts[k].strip(" ,-'\"").split() if w.strip("(),;:[]")]
        while words and _trimmed_word(words[0]):
            words.pop(0)
        while words and _trimmed_word(words[-1]):
            words.pop()
        if not words or all(_UNITISH.match(w.lower()) for w in words):
            continue
        if not any(len(w) > 1 and w[0].isalpha() for w in words):
            continue
        if all(w.lower().strip(".,:;") in _NOT_OUTCOME_ALONE for w in words):
            # "recipients", "placebo", "was reported": not the measured thing
            continue
        return " ".join(words[-8:])
    return None


def _trimmed_word(word: str) -> bool:
    """Whether ``word`` is trimmed from the ends of an outcome chunk.

    Bare adjectives and articles go, and so do remnants that hold no letter
    ("%", "+/") and p-value labels ("P=").
    """
    low = word.lower()
    return (
        low in _NOT_OUTCOME
        or low in _ADVERBS
        or not any(ch.isalpha() for ch in word)
        or bool(_P_REMNANT.match(word))
    )


def _names_arm(parts: list[str], k: int, prev: str, nxt: str) -> bool:
    """Whether chunk ``parts[k]`` names an arm.

    It does after "with", "versus", "receiving" ... even across a
    preposition or "did" ("than on placebo", "than did brimonidine"), as the
    first of two arms ("for latanoprost versus timolol") and as the treatment
    of a compound ("the placebo-treated group").
    """
    if prev in _ARM_PREV:
        # "was associated with lower blood pressure": no arm follows
        return not (prev == "with" and parts[k - 2].rstrip().lower().endswith("associated"))
    if nxt in _ARM_PARTICIPLES and parts[k].endswith("-"):
        return True
    if nxt in _VERSUS and prev in _ARM_BEFORE_VS:
        return True
    if prev == "on" and not "".join(parts[: k - 1]).strip():
        # "(75 on drug A and 98 on placebo": counts of the arms
        return True
    # "than on placebo", "patients on metformin": one small word between the
    # comparison word (or the people) and the arm
    return (
        prev in _ARM_STEP
        and k >= 3
        and not parts[k - 2].strip()
        and parts[k - 3].lower() in _ARM_STEP_AFTER
    )


_HBA1C_BRACKET = re.compile(r"\(\s?1c\s?\)")
_HBA1C_BRACKET_END = re.compile(r"\(\s?1c\s?\)$")


def outcome_before(sentence: str, pos: int) -> str | None:
    """The outcome phrase written before ``pos`` in ``sentence``.

    Looks at up to three clauses back from ``pos`` and keeps, from the first
    clause that has one, its last noun-like chunk (words between verbs and
    prepositions), e.g. "Exenatide reduced HbA1c level (" -> "HbA1c level",
    "pain intensity was lower with ketamine (" -> "pain intensity".
    """
    head = sentence[:pos].rstrip(" ([{,;:")
    # (start, end) of each clause; "versus" ends one clause and starts the
    # next but stays in both, so that the arms on either side of it are seen
    # as arms ("reduced HbA1c versus placebo (" -> "HbA1c", not "placebo")
    clauses: list[tuple[int, int]] = []
    start = 0
    for m in _OUTCOME_CLAUSE_BREAK.finditer(head):
        # keep "HbA(1c)": a bracket that belongs to a name is no clause break
        if m.group(0) in "()" and (
            _HBA1C_BRACKET.match(head, m.start())
            or _HBA1C_BRACKET_END.search(head, max(0, m.end() - 7), m.end())
        ):
            continue
        versus = m.group(0)[0].isspace()
        clauses.append((start, m.end() if versus else m.start()))
        start = m.start() if versus else m.end()
    clauses.append((start, len(head)))
    for start, end in reversed(clauses[-3:]):
        found = clean_outcome(head[start:end])
        if found:
            return found
    return None


# ------------------------------------------------------- sentences / hedges
HEDGE_RE = re.compile(
    # "in the powered subgroup (MD -0.8, ...)" reports a result
    r"\b(?:power(?:ed)?\b(?!\s+sub-?groups?\b)|to\s+detect|assum(?:e|ed|ing)|hypothesi[sz]\w*|sample\s+size|"
    r"anticipat\w*|would\s+(?:be|have|provide))",
    re.IGNORECASE,
)
# every HEDGE_RE match contains one of these (lowercase); most sentences none
_HEDGE_WORDS = ("power", "detect", "assum", "hypothesi", "sample", "anticipat", "would")


def is_hedged(sentence: str) -> bool:
    """True when ``sentence`` describes planned values (a power or sample-size calculation)."""
    low = sentence.lower()
    return any(w in low for w in _HEDGE_WORDS) and HEDGE_RE.search(sentence) is not None


def sentence_bounds(doc: Doc, text: str | None = None) -> Iterator[tuple[int, int]]:
    """Char bounds of the sentences of ``doc``, also split at line breaks.

    Line breaks separate the title and labelled abstract sections, which the
    sentencizer does not always split. The Doc's text and sentence bounds
    are read once per document (:mod:`miner.extract.doctext`): the effect and
    arm-value components and their collectors all ask for them.
    """
    if text is None:
        text = doc_text(doc)
    bounds = doc_sentence_bounds(doc) if len(doc) else ([(0, len(text))] if text else [])
    for start, end in bounds:
        pos = start
        while True:
            nl = text.find("\n", pos, end)
            if nl < 0:
                if pos < end:
                    yield pos, end
                break
            if pos < nl:
                yield pos, nl
            pos = nl + 1


def make_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """A span over chars ``start:end`` expanded to token bounds (``None`` if impossible)."""
    return doc.char_span(start, end, label=label, alignment_mode="expand")


# ------------------------------------------------------------ measure names
@dataclass(frozen=True, slots=True)
class _MeasureName:
    measure: str
    sign: int
    generic: bool
    abbrev: bool


# Literal screens (each one pattern of plain strings, prefixes merged): the
# words of the long names (lowercase), the abbreviations as written, and the
# long names themselves where they are plain words
_Literals = tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]


@lru_cache(maxsize=4)
def _load_measures(path: str) -> tuple[re.Pattern[str], dict[str, _MeasureName], _Literals]:
    names: dict[str, _MeasureName] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        measure = row["measure"]
        if measure not in MEASURES:
            raise ValueError(f"{path}: measure {measure!r} is not one of {', '.join(MEASURES)}")
        sign = int(row.get("sign", 1))
        generic = bool(row.get("generic", False))
        for name in row.get("names", []):
            names[name.lower()] = _MeasureName(measure, sign, generic, False)
        for abbr in row.get("abbrevs", []):
            names[abbr] = _MeasureName(measure, sign, generic, True)
    long_names = sorted((n for n, m in names.items() if not m.abbrev), key=len, reverse=True)
    abbrevs = sorted((n for n, m in names.items() if m.abbrev), key=len, reverse=True)

    def name_tokens(n: str) -> list[str]:
        seps = {" ": r"[\s-]+", "-": r"\s?-?\s?"}
        return [seps.get(ch) or re.escape(ch) for ch in n]

    long_alt = _trie_pattern([name_tokens(n) for n in long_names])
    abbr_alt = _trie_pattern([[re.escape(ch) for ch in a] for a in abbrevs])
    pattern = re.compile(rf"(?<![\w-])(?:(?i:(?P<long>{long_alt}))|(?P<abbr>{abbr_alt}))(?![\w-])")
    # Every match contains the longest word of its name (names match
    # case-insensitively, abbreviations as written): most sentences contain
    # none of these words, and a pattern of plain strings costs far less
    # than the pattern of names.
    words = {max(re.split(r"[\s-]+", n), key=len).strip("'\u2019") for n in long_names}
    words = {w for w in words if not any(o != w and o in w for o in words)}
    # A sentence with one of these words may still name no measure ("change"
    # is common, "net change" is not): the plain names are then looked for
    # whole, in the text with hyphens and runs of spaces made single spaces.
    phrases = {
        n
        if re.fullmatch(r"[a-z0-9 ]+", n)
        else max(re.split(r"[\s-]+", n), key=len).strip("'\u2019")
        for n in long_names
    }
    phrases = {p for p in phrases if not any(o != p and o in p for o in phrases)}

    def literal_re(strings: set[str] | list[str]) -> re.Pattern[str]:
        return re.compile(_trie_pattern([[re.escape(ch) for ch in s] for s in sorted(strings)]))

    return pattern, names, (literal_re(words), literal_re(abbrevs), literal_re(phrases))


def _may_name_measure(sentence: str, literals: _Literals) -> bool:
    """False when ``sentence`` cannot contain a measure name (see :func:`_load_measures`)."""
    if literals[1].search(sentence):
        return True
    low = sentence.lower()
    if not literals[0].search(low):
        return False
    norm = " ".join(low.replace("-", " ").split())
    return literals[2].search(norm) is not None


def _lookup(names: dict[str, _MeasureName], m: re.Match[str]) -> _MeasureName:
    if m.group("abbr"):
        return names[m.group("abbr")]
    key = re.sub(r"[\s-]+", " ", m.group("long").lower())
    if key in names:
        return names[key]
    # hyphen/space variants ("between group" vs "between-group")
    squashed = {re.sub(r"[\s-]+", "", k): v for k, v in names.items()}
    return squashed.get(re.sub(r"[\s-]+", "", key), _MeasureName("MD", 1, True, False))


# ------------------------------------------------------------ the matching
# Between a measure name and its value: "(HR)", "of", "was", ":", "=", ","
# and, for full names, a few words ("for death", "in HbA1c").
_ABBR_GAP = re.compile(
    r"^\s*(?:\([A-Za-z]{1,6}\)"
    # "HR (95% CI): 0.58 (0.38, 0.88)": the CI label written before the value
    r"|[(\[]\s*(?:\d{2}(?:\.\d+)?\s?%\s?)?CI\s*[)\]])?"
    r"\s*(?:[:=,]|of|was|is|were)?\s*[(\[]?\s*$"
)
# "HR for death with drug versus placebo (0.8; 0.6-0.9)", "mean change
# difference versus placebo, -0.6% [...]": the arms compared, named between
# the measure and its value (the value then needs its CI)
_CMP_GAP = re.compile(
    r"^\s*(?:(?:for|of|in|with|on)\s+[^;()\[\]]{1,50}?\s+)?"
    r"(?:versus|vs\.?|compared\s+(?:with|to)|relative\s+to)\s+[^;()\[\]]{1,40}?"
    r"\s*(?:[:=,]|of|was|is|were)?\s*[(\[]?\s*$",
    re.IGNORECASE,
)
# "HR for OS was 0.88 (95% CI 0.67-1.16)": the outcome named between an
# abbreviation and its value (the value then needs its CI)
_ABBR_OUTCOME_GAP = re.compile(
    r"^\s*for\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,2}\s+(?:was|were|is|of|:|=)\s*[(\[]?\s*$"
)
_CMP_GAP_START = re.compile(r"\s*(?:for|of|in|with|on|versus|vs|compared|relative)\b", re.I)
_BOUND_BEFORE = re.compile(
    r"(?:\bCIs?|\binterval|\blimits?|\bbounds?|\bmargins?)\s+(?:for|of|on)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_RELATIVE_BEFORE = re.compile(r"\brelative\s*$", re.IGNORECASE)
# "mean of the differences = -9 mmHg", "pseudo-median of the differences": the
# paired (before-after) differences within one group
_PAIRED_BEFORE = re.compile(r"\b(?:mean|median)\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_STANDARDISED_BEFORE = re.compile(r"\bstandardi[sz]ed\s+$", re.IGNORECASE)
# "relative risk (RR) of 0.64": the abbreviation in brackets right after the
# full name belongs to it
_ABBR_IN_BRACKETS = re.compile(r"\s?[(\[]\s*$")
_VALUE_TAIL = re.compile(
    # "RR 1.62 CI 0.93-2.81": a CI word is no unit
    rf"(?P<unit>\s?(?!to\b|and\b|vs\b|CIs?\b|CrI\b|C\.I\b){_UNIT})?"
    # a standard error written after the value: "-0.52 ± 0.09%; 95% CI ..."
    rf"(?P<se>\s*(?:\u00b1|\+\s?/\s?-)\s*{NUM_CORE}\s?(?:{_UNIT})?)?"
    # "-1.69 mmol/L [-30.5 mg/dL] [CI ...]": the value in other units
    rf"(?P<conv>\s*[(\[]\s*{SIGNED}\s?(?P<cunit>{_UNIT})\s*[)\]])?"
    # "1.1 mmHg favouring the unfixed combination (95% CI ...)"
    r"(?P<gap>(?:\s+(?:favou?ring|in\s+favou?r\s+of|between)\s+[^()\[\]\d;.]{1,50}?)?"
    rf"\s*[,;:]?\s*[(\[{{]?\s*"
    rf"(?:(?:{P_VALUE})\s*[,;]\s*)?)"
    # "-1.9 with a 95% CI of -6.1 to 2.3"
    rf"(?P<head>(?:with\s+(?:an?|the)\s+)?{CI_WORD}\s*[:=,]?\s*(?:of|was|is|from|were)?\s*[(\[{{]?\s*)?"
    rf"{_PAIR_THOUSANDS}(?P<close>\s*%?\s*[)\]}}])?"
)
_SKIP_VALUE_BEFORE = re.compile(
    r"(?:[Pp]\s*[<>=\u2264\u2265]|\b(?:week|month|day|year|visit|hour|margin\s+of|bound\s+of|"
    r"limit\s+of|threshold\s+of|[Nn]\s?=|at|reader|rater|phase|type|grade|stage"
    r"|part|period|session|cohort|wave))\s*$",
    re.IGNORECASE,
)
_VS_AFTER = re.compile(rf"^\s?(?:{_UNIT})?\s*(?:vs\.?|versus|v\.?)\s", re.IGNORECASE)
# "76.2% with drug A and 86.1% with drug B": a value of one arm set beside
# the value of the other
_ARMS_AFTER = re.compile(
    rf"\s?(?:{_UNIT})?\s+(?:with|on|receiving|given|using)\s+(?:the\s+)?[^,;()\[\]\d]{{1,40}}?,?\s+"
    rf"(?:and|vs\.?|versus|compared\s+with|while|whereas)\s+(?:[A-Za-z-]+\s+){{0,3}}?{SIGNED}",
    re.IGNORECASE,
)
# A test statistic or a correlation right before the number: "r = 0.52",
# "t = -2.42", "F1,68 = 0.42", "partial \u03b72 = 0.08", "\u03c72 = 3.1"
_STAT_BEFORE = re.compile(
    r"(?<![\w-])(?:[rtFzUH]|[rR]\s?2|[rR]\u00b2|\u03c7\s?2|\u03c7\u00b2|chi2|\u03b7\s?p?\s?2"
    r"|\u03b7\u00b2|\u03b7p\u00b2|\u03c1|rho|\u03c4|tau)"
    r"\s?(?:\(?\s?\d+(?:\.\d+)?\s?,\s?\d+(?:\.\d+)?\s?\)?)?\s*=\s*[(\[]?\s*$"
)
# "median [Q1, Q3]: 2.0 [1.0, 3.0]", "median (IQR) = 4 (1-8)": a label
# announcing the medians of the arms ("mean (SD)" is not one: "difference in
# mean (SD) change" names the estimate)
_ARM_STATS_LABEL = re.compile(
    r"\bmedians?\s*[(\[]\s*(?:IQR|Q1|range|interquartile|min)\b", re.IGNORECASE
)
# "254.6 minutes; 95% CI, 172.7 to 434.7": a duration with a CI of its own is
# the estimate (a difference in time), not a time point or a treatment length
_TIME_VALUE_CI = re.compile(rf"\s?-?\s?{TIME_UNIT}\b\s*[,;:]?\s*[(\[]?\s*{CI_WORD}", re.IGNORECASE)


_RATIO_WORD = re.compile(r"\bratios?\b", re.IGNORECASE)
# A dose after a drug name: "drugA 15 mg", "drugA 10 mg/kg"; a strength in
# percent only when an arm or a regimen word follows ("latanoprost 0.005% and
# timolol", "timolol 0.5% twice daily"), or after another dose of the gap
_DOSE_UNIT_AFTER = re.compile(
    r"\s?(?:mg|\u00b5g|\u03bcg|mcg|IU)(?:\s?/\s?(?:kg|day|d|m2|m\u00b2|dose))?(?![\w/])"
)
_PERCENT_DOSE_AFTER = re.compile(
    r"\s?%\s+(?:(?:and|or|vs\.?|versus|minus|plus|with)\s+[A-Za-z]"
    r"|(?:once|twice|daily|b\.?i\.?d|q\.?d|t\.?i\.?d|eye\s?drops?|solution|gel|cream|ointment"
    r"|groups?|arms?)\b)",
    re.IGNORECASE,
)
# the word before a dose: a drug name, not a link to the value
_DRUG_WORD_BEFORE = re.compile(r"(?<![\w-])(?P<word>[A-Za-z][\w-]*)\s?$")
_LINK_WORDS = frozenset(
    ["was", "were", "is", "are", "of", "by", "to", "from", "be", "been", "at", "about", "only"]
)


def _is_dose(sentence: str, gap: str, num: re.Match[str], dose_seen: bool) -> bool:
    """Whether the number ``num`` in the words after a measure name is an arm's dose."""
    if num.group(0)[0] in DASHES:
        return False
    word = _DRUG_WORD_BEFORE.search(gap)
    if word is None or word.group("word").lower() in _LINK_WORDS:
        return False
    if _DOSE_UNIT_AFTER.match(sentence, num.end()):
        return True
    if dose_seen:
        return sentence.startswith("%", num.end()) or sentence.startswith(" %", num.end())
    return _PERCENT_DOSE_AFTER.match(sentence, num.end()) is not None


_RANGE_AFTER = re.compile(
    rf"\s?(?:{_UNIT}\s?)?to\s+[-+\u2212\u2013]?\s?\d|\s?[-\u2013\u2014]\s?[\d.]"
)
_RANGE_WORD = re.compile(r"\brange\b", re.IGNORECASE)
_THOUSANDS_AFTER = re.compile(r",\d{3}(?![\d.\u00b7])")
# "(CI, 73.0, 81.4) for the control group": the value of one arm
_ARM_LABEL_AFTER = re.compile(
    r"\s*[,;]?\s*(?:for|in)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+"
    r"(?:group|arm|unit|cohort|ward|clinic|cent(?:re|er)|site)s?\b",
    re.IGNORECASE,
)
# "... for placebo, drugA and drugB, respectively": values listed for the arms,
# the control arm among them
_ARMS_RESPECTIVELY = re.compile(
    r"[\s,;)\]]*(?:in|for)\s+(?:the\s+)?"
    # "for drugA 5 mg and 10 mg versus placebo, respectively": differences
    r"(?:(?:(?!\b(?:vs|versus|compared|relative|minus|over|against)\b)[^;()\[\]]){0,80}?\b)?"
    r"(?:placebo|controls?|usual\s+care|standard\s+care|vehicle|sham|no\s+treatment)\b"
    r"[^;()\[\]]{0,80}?\brespectively\b",
    re.IGNORECASE,
)
_BASELINE_GAP = re.compile(
    r"\b(?:at|in)\s+baseline\b|\bbaseline\s+(?:characteristics|demographics|data|variables)\b",
    re.IGNORECASE,
)


def _in_name(sentence: str, pos: int) -> bool:
    """Whether the number at ``pos`` ends a name ("IL-6", "SF-36", "EQ-5D")."""
    return pos >= 2 and sentence[pos - 1] in DASHES and sentence[pos - 2].isalpha()


_SKIP_VALUE_AFTER = re.compile(
    rf"^\s?(?:%\s?-?\s?(?:CI\b|C\.I\.|confidence|credible)|-?\s?{TIME_UNIT}\b(?![\u00b7\u22c5])|"
    r"-?(?:week|month|year|day)|patients|participants|subjects|children|women|men|trials?|"
    r"studies|treatment|groups|arms|sites|centres|centers|countries)",
    re.IGNORECASE,
)


# Results reported in two unit systems (NGSP % and IFCC mmol/mol for HbA1c;
# SI and conventional units for glucose and lipids; kg and lb): the second
# number restates the first and is not an estimate of its own.
_CONVERSIONS = (
    frozenset({"%", "mmol/mol"}),
    frozenset({"mmol/l", "mg/dl"}),
    frozenset({"umol/l", "mg/dl"}),
    frozenset({"kg", "lb"}),
    frozenset({"kg", "lbs"}),
)


def _unit_key(unit: str | None) -> str:
    return re.sub(r"\s", "", unit or "").lower().replace("\u00b5", "u").replace("\u03bc", "u")


def is_conversion(unit_a: str | None, unit_b: str | None) -> bool:
    """True when ``unit_a`` and ``unit_b`` are two unit systems for one quantity.

    A factor both share is left out: "h·mg/dL" and "h·mmol/L" are a conversion.
    """
    key_a, key_b = _unit_key(unit_a), _unit_key(unit_b)
    head_a, dot_a, rest_a = key_a.replace("\u22c5", "\u00b7").partition("\u00b7")
    head_b, dot_b, rest_b = key_b.replace("\u22c5", "\u00b7").partition("\u00b7")
    if dot_a and dot_b and head_a == head_b:
        key_a, key_b = rest_a, rest_b
    return frozenset({key_a, key_b}) in _CONVERSIONS


_BRACKETED = re.compile(r"\([^()]{0,60}\)|\[[^\[\]]{0,60}\]")
_LINK_END = re.compile(r"(?:\b(?:was|were|of|is|are)|[:=,])\s*[(\[]?\s*$")


@dataclass(frozen=True, slots=True)
class EffectMatch:
    """One estimate found in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    measure: str
    value: float
    ci_low: float | None
    ci_high: float | None
    ci_level: float | None
    p: float | None
    p_op: str | None
    unit: str | None
    outcome: str | None
    timepoint: str | None


def _difference(
    sentence: str,
    start: int,
    end: int,
    value: float,
    unit: str | None,
    *,
    ci: tuple[float | None, float | None, float | None] = (None, None, None),
    p: tuple[float | None, str | None] = (None, None),
    anchor: int | None = None,
) -> EffectMatch:
    """A mean difference at ``start:end`` of ``sentence``, written without a measure name.

    ``ci`` is (low, high, level) and ``p`` is (value, operator); the outcome
    and time point are read before ``anchor`` (default: ``start``).
    """
    at = start if anchor is None else anchor
    return EffectMatch(
        start=start,
        end=end,
        measure="MD",
        value=value,
        ci_low=ci[0],
        ci_high=ci[1],
        ci_level=ci[2],
        p=p[0],
        p_op=p[1],
        unit=unit,
        outcome=outcome_before(sentence, at),
        timepoint=find_timepoint(sentence, at),
    )


def _order_ci(value: float, lo: float, hi: float) -> tuple[float, float] | None:
    """Return the CI as (low, high) with ``value`` inside it, or ``None``.

    A CI written high-to-low is swapped; the estimate is dropped when the
    value lies outside the interval (a misread sign or a number that is not
    this estimate's CI).
    """
    if lo > hi:
        lo, hi = hi, lo
    tol = 1e-9 + 1e-6 * max(abs(lo), abs(hi))
    if not (lo - tol <= value <= hi + tol):
        return None
    return lo, hi


# a bracket closed, then a word that starts the next item of a list
_NEXT_ITEM = re.compile(r"[)\]]\s*[,;]?\s*(?:and|or|but|whereas|while)\b", re.IGNORECASE)


def _p_after(sentence: str, pos: int, limit: int) -> re.Match[str] | None:
    window = sentence[pos:limit]
    m = P_RE.search(window)
    if m is None:
        return None
    # only the p of this estimate: nothing but punctuation/short words before it
    before = window[: m.start()]
    if re.search(r"\d", before) or len(before) > 60:
        return None
    if _NEXT_ITEM.search(before):
        # "(effect size = 0.7) and level of comfort (p = 0.03": the p of
        # the next comparison, after the estimate's bracket has closed
        return None
    return m


def _find_effects_cached(
    sentence: str, heart_rate_doc: bool, unspelled: frozenset[str] = frozenset()
) -> tuple[EffectMatch, ...]:
    # An abbreviation the sentence does not contain is never matched, so it
    # changes nothing: without it, the component (which passes the document's
    # unspelled ones) and arm_value's masking (which passes none) share one
    # cache entry for most sentences.
    if unspelled:
        unspelled = frozenset(a for a in unspelled if a in sentence)
    return _find_effects_memo(sentence, heart_rate_doc, unspelled)


@lru_cache(maxsize=4096)
def _find_effects_memo(
    sentence: str, heart_rate_doc: bool, unspelled: frozenset[str]
) -> tuple[EffectMatch, ...]:
    # The component, arm_value's masking and both collectors ask about the
    # same sentences of a document one after another: compute them once.
    return tuple(_find_effects(sentence, heart_rate_doc=heart_rate_doc, unspelled=unspelled))


def find_effects(
    sentence: str, *, heart_rate_doc: bool = False, unspelled: frozenset[str] = frozenset()
) -> list[EffectMatch]:
    """Find effect estimates in one sentence.

    Parameters
    ----------
    sentence:
        The raw text of one sentence.
    heart_rate_doc:
        True when the document speaks of heart rate and never of a hazard
        ratio, so that "HR" is not read as a hazard ratio.
    unspelled:
        Ambiguous abbreviations (:data:`SPELLED_OUT`) whose long form the
        document never writes, which are then not read as measures: "ARR"
        is as often an annualised relapse rate or an adjusted rate ratio,
        "ARI" an acute respiratory infection.

    Returns
    -------
    list[EffectMatch]
        In text order; offsets are relative to ``sentence``.
    """
    return list(_find_effects_cached(sentence, heart_rate_doc, unspelled))


def _find_effects(
    sentence: str, *, heart_rate_doc: bool = False, unspelled: frozenset[str] = frozenset()
) -> list[EffectMatch]:
    if not _DIGIT_RE.search(sentence):
        return []
    pattern, names, literals = _load_measures(str(PATTERN_FILE))
    mentions = list(pattern.finditer(sentence)) if _may_name_measure(sentence, literals) else []
    mentions = [
        m
        for i, m in enumerate(mentions)
        if not (
            i
            and m.group("abbr")
            and mentions[i - 1].group("long")
            and _ABBR_IN_BRACKETS.fullmatch(sentence, mentions[i - 1].end(), m.start())
            and sentence[m.end() : m.end() + 1] in (")", "]")
        )
    ]
    found: list[EffectMatch] = []
    taken_until = 0
    for i, mention in enumerate(mentions):
        if mention.start() < taken_until:
            continue
        info = _lookup(names, mention)
        if info.abbrev and info.measure == "HR" and heart_rate_doc:
            continue
        if unspelled and mention.group("abbr") in unspelled:
            continue
        before = sentence[max(0, mention.start() - 40) : mention.start()]
        if _BOUND_BEFORE.search(before) or (
            info.generic and (_RELATIVE_BEFORE.search(before) or _PAIRED_BEFORE.search(before))
        ):
            # "the upper 95% CI limit of the difference in pain was 1.2",
            # "relative differences were 39%", "mean of the differences":
            # no estimate of a difference between the groups
            continue
        if (
            info.measure == "MD"
            and not info.abbrev
            and _STANDARDISED_BEFORE.search(sentence, max(0, mention.start() - 14), mention.start())
        ):
            # "standardised mean differences (SMDs) of 0.36": the plural
            # name matched from "mean"
            info = replace(info, measure="SMD", generic=False)
        next_start = mentions[i + 1].start() if i + 1 < len(mentions) else len(sentence)
        est = _estimate_after(sentence, mention.start(), mention.end(), next_start, info)
        if est is None:
            continue
        found.append(est)
        chain_from = len(found) - 1
        taken_until = est.end
        # Further estimates chained to the same measure name:
        # "HR 0.70 (0.6-0.8) for death and 0.81 (0.7-0.9) for MI".
        while True:
            more = None
            if est.ci_low is not None or est.p_op is not None:
                # an estimate with neither ("number needed to treat: 22")
                # starts no chain: the values after it belong to other measures
                more = _chained_estimate(sentence, taken_until, next_start, info, est.unit)
            if more is None:
                more = _bare_chained_estimate(sentence, est, taken_until, next_start)
            if more is None:
                break
            taken_until = more.end
            if is_conversion(est.unit, more.unit) and not re.search(
                r"[A-Za-z]", sentence[est.end : more.start]
            ):
                # "-0.94% [-1.17; -0.72]; -10.3 mmol/mol [-12.8; -7.8]; P < .001":
                # the p-value after the restated value is the estimate's own
                if est.p_op is None and more.p_op is not None:
                    found[-1] = est = replace(est, p=more.p, p_op=more.p_op, end=more.end)
                continue
            found.append(more)
        if info.measure in ("MD", "SMD") and _ARMS_RESPECTIVELY.match(sentence, taken_until):
            # "... 1.50 [1.22, 1.78], 1.64 [...] and 1.71 [...] for placebo,
            # drugA 105 mg and drugA 225 mg, respectively": a value for the
            # control arm is an arm's value, and so are the others listed
            del found[chain_from:]
    for est in _unnamed_estimates(sentence):
        if not any(est.start < f.end and f.start < est.end for f in found):
            found.append(est)
    if found and is_hedged(sentence):
        # planned values (checked last: most sentences hold no estimate)
        return []
    found.sort(key=lambda e: e.start)
    # "-0.58%; " ends at its value: a span that ends in separators would
    # shrink to its tokens and lose the estimate in the collector
    return [_trimmed(sentence, est) for est in found]


def _trimmed(sentence: str, est: EffectMatch) -> EffectMatch:
    end = est.end
    while end > est.start and (sentence[end - 1].isspace() or sentence[end - 1] in ",;:"):
        end -= 1
    return est if end == est.end else replace(est, end=end)


# ------------------------------------------------------ unnamed estimates
_COMPARATOR = (
    r"(?:more\s+than|relative\s+to|compared\s+(?:with|to)|versus|vs\.?|than|over|beyond)\s+"
    r"(?:that\s+(?:of|with|in)\s+)?(?:the\s+)?[\w-]+"
)
_CI_BRACKET = rf"[(\[]\s*(?:{CI_WORD}\s*[:=,]?\s*)?{PAIR}\s*(?:[;,]\s*{P_VALUE}\s*)?[)\]]"
# "reduced HbA1c by 0.74% (95% CI 0.5 to 0.9) relative to placebo"
_BY_VALUE = re.compile(
    r"\b(?P<verb>reduced|lowered|decreased|increased|improved|raised)\s+(?:the\s+)?"
    r"(?P<outcome>[^,;()]{1,60}?)\s+by\s+(?:an?\s+(?:mean|average|additional|further)\s+(?:of\s+)?)?"
    rf"(?P<val>{SIGNED})\s?(?P<unit>(?!to\b|and\b){_UNIT})?\s*(?P<ci>{_CI_BRACKET})"
    rf"(?P<cmp>\s*,?\s*{_COMPARATOR})?"
)
# "motion differed by 0.02 mm (95% CI -0.11 to 0.16)": the difference itself
_DIFFERED_BY = re.compile(
    rf"\bdiffer(?:ed|s)?\s+(?:significantly\s+|statistically\s+significantly\s+)?"
    # "differed between the two drugs by 2.8 points (95% CI ...)"
    r"(?:between\s+[^;:()\[\]]{1,40}?\s+)?by\s+"
    rf"(?:an?\s+(?:mean|average)\s+(?:of\s+)?)?(?P<val>{SIGNED})\s?"
    rf"(?P<unit>(?!to\b|and\b|vs\b){_UNIT})?\s*(?P<ci>{_CI_BRACKET})"
)
# "LS mean [Det-Gla]: 0.207; 95% CI: 0.0149, 0.3995": a mean of one arm
# minus the other, written as the arms subtracted
_ARMS_SUBTRACTED = re.compile(
    r"\b(?:(?:LS|[Ll]east[\s-]squares?)\s+)?[Mm]eans?\s*(?:of\s+)?"
    rf"[(\[]\s*[A-Za-z][\w.+/ ]{{0,30}}?\s?(?:[{DASHES}]|minus)\s?[A-Za-z][\w.+/ ]{{0,30}}?\s*[)\]]"
    rf"\s*[:=,]?\s*(?:was\s+|of\s+)?(?P<val>{SIGNED})\s?(?P<unit>(?!to\b|and\b|vs\b){_UNIT})?"
    rf"\s*[;,]?\s*(?P<ci>[(\[]?\s*{CI_WORD}\s*[:=,]?\s*{PAIR}\s*[)\]]?)"
)
# words that every match of the patterns below contains
_UNNAMED_WORDS = ("by", "than", "compared", "relative", "versus", "vs", "difference")
_UNNAMED_CUE = re.compile(r"\b(?:by|than|compared|relative|versus|vs|difference)\b")
_CHANGE_WORDS = (
    "differen",
    "change",
    "reduction",
    "greater",
    "larger",
    "smaller",
    "decrease",
    "increase",
)
_CMP_WORDS = ("than", "compared", "relative", "versus", "vs")
_BY_VERBS = ("reduced", "lowered", "decreased", "increased", "improved", "raised")
_CMP_BEFORE = re.compile(r"\b(?:compared\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+[\w-]+", re.I)
# "... greater mean change in HbA1c than placebo (-0.58%; P < .001)"
_CMP_VALUE = re.compile(
    r"\b(?:than|compared\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+(?:the\s+)?"
    r"(?:placebo|control|usual\s+care|standard\s+care|comparator|[\w-]+)(?:\s+(?:group|arm))?\s*"
    rf"[(\[]\s*(?P<val>{SIGNED})\s?(?P<unit>(?!to\b|and\b|vs\b){_UNIT})?\s*[;,]\s*"
    rf"(?:(?P<ci>{CI_WORD}\s*[:=,]?\s*{PAIR})|(?={P_VALUE}))"
)
_ARM_BRACKET_BEFORE = re.compile(r"[(\[][^()\[\]]*\d[^()\[\]]*[)\]]\s*,?\s*$")
_CHANGE_CUE = re.compile(
    r"\b(?:difference|change|changes|reduction|reductions|greater|larger|smaller|decrease|increase)\b",
    re.I,
)
# "(1.4 kg difference, P < 0.0001)", "a 2.1-point difference"
_VALUE_NAME = re.compile(
    rf"(?:[(\[]|\ban?\s)\s*(?P<val>{SIGNED})\s?-?\s?(?P<unit>(?!to\b|and\b|vs\b){_UNIT})?\s+"
    r"(?:mean\s+|absolute\s+|net\s+|between-group\s+)?difference\b"
)


# "1.17 points/month lower with A than with B (95% CI 0.08-2.26)", "0.66%
# lower (95% CI 0.45-0.81, p < 0.001) than in the usual-care group", "9.7
# percentage points higher (95% CI 6.9-12.8) ... compared with usual care": a
# difference written as a comparative. The value is kept as written (a
# magnitude; the direction is in the words, which ``text`` keeps), with its
# CI as written.
_CMP_UNIT = (
    r"(?:percentage\s+points?|%|mm\s?Hg|mmol/mol|mmol/[lL]|mg/d[lL]|kg|lbs?|cm|mm|ml|mL|bpm"
    r"|beats/min|points?(?:/\s?(?:month|week|year|day))?|units?|days?|hours?|minutes?|min"
    r"|weeks?|months?|ms|seconds?|kcal|g)(?![\w/])"
)
_CMP_DIRECTION = r"(?P<dir>lower|higher|greater|less|more|smaller|larger|fewer|longer|shorter)\b"
_COMPARATIVE = re.compile(
    rf"(?<![{DASHES}\w.\u00b7+\u00b1])(?P<val>{SIGNED})(?![\d.\u00b7])"
    rf"\s?-?\s?(?P<unit>{_CMP_UNIT})?\s*(?P<ci>{_CI_BRACKET})?"
    # "1.09 (95% CI 0.27-1.90) mmHg higher": the unit after the CI
    rf"\s*(?(unit)|(?P<unit_after>{_CMP_UNIT})?)\s*{_CMP_DIRECTION}"
    r"(?P<tail>\s*(?P<ci2>[(\[][^()\[\]]{0,80}[)\]])?[^;:()\[\]\d]{0,70}?)"
    r"\b(?:than|compared\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+"
    r"(?!(?:at\s+|the\s+|their\s+|those\s+at\s+|that\s+at\s+)?(?:baseline|before|pre-?\w+|expected)\b)"
)
_CMP_NOT_BASELINE = (
    r"(?!(?:at\s+|the\s+|their\s+|those\s+at\s+|that\s+at\s+)?"
    r"(?:baseline|before|pre-?\w+|expected)\b)"
)
# "IOP fell more with A than with B by 1.3 mmHg (95% CI 0.6-2.0)": the value
# after the arm compared with
_COMPARATIVE_BY = re.compile(
    rf"{_CMP_DIRECTION}(?P<tail>[^;:()\[\]\d]{{0,60}}?)"
    rf"\b(?:than|compared\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+{_CMP_NOT_BASELINE}"
    r"[^;:()\[\]\d]{1,60}?\bby\s+(?:an?\s+(?:mean|average)\s+(?:of\s+)?)?"
    rf"(?P<val>{SIGNED})(?![\d.\u00b7])\s?-?\s?(?P<unit>{_CMP_UNIT})?\s*(?P<ci>{_CI_BRACKET})?"
)
# "2.2 times more likely", "a 30% lower risk": ratios and relative changes
_CMP_RELATIVE_AFTER = re.compile(
    r"\s*(?:likely|risk|odds|hazard|rates?|incidence|chance|probability|times|fold)\b", re.I
)
_CMP_RELATIVE_WORDS = re.compile(
    r"\b(?:risk|odds|hazard|rates?|incidence|likelihood|chance|probability|mortality|relative)\b",
    re.I,
)
# quantities measured in percent, whose "0.5% lower" is an absolute difference
_PERCENT_QUANTITY = re.compile(
    r"\b(?:HbA\s?\(?1c\)?|A1[cC]|glycat\w+|h(?:a)?emoglobin|fat|ejection\s+fraction|saturation"
    r"|predicted|proportions?|percentages?)",
    re.I,
)
_CMP_LOWER = frozenset(["lower", "less", "smaller", "fewer", "shorter"])
# "... than with placebo (95% CI for difference 0.11-2.05, P = 0.041)": the CI
# after the arm compared with
_CMP_CI_AFTER = re.compile(
    rf"[^;:()\[\]\d]{{0,50}}?[(\[]\s*(?P<ci>{CI_WORD}\s*[:=,]?\s*"
    rf"(?:for\s+(?:the\s+)?differences?\s*[:=,]?\s*)?{PAIR}[^()\[\]]{{0,40}})[)\]]"
)
# "1.12 and 1.47 mm Hg more than": the first of two values in one unit
_CMP_FIRST_OF_TWO = re.compile(
    rf"(?<![{DASHES}\w.\u00b7+\u00b1])(?P<val>{NUM_CORE})\s?(?P<unit>{_CMP_UNIT})?\s*(?:,|and)\s*$"
)
_CMP_DIRECTION_WORDS = (
    "lower",
    "higher",
    "greater",
    "less",
    "more",
    "smaller",
    "larger",
    "fewer",
    "longer",
    "shorter",
)


def _comparative_estimates(sentence: str) -> list[EffectMatch]:
    """Differences written as "X unit lower/higher ... than ..." (see :data:`_COMPARATIVE`).

    The value may also follow the arm compared with ("greater with A than
    with B by 1.3 mmHg"). It needs a unit of measurement or a CI. A
    percentage needs a quantity measured in percent named in its clause (HbA1c, body fat, a
    proportion) and no word of risk, rate or odds there: "relapse was 35%
    lower", "mortality was 30% lower" are relative changes, and so is "a 30%
    lower ...".
    A CI may stand before or right after the comparative word. When the CI
    written holds only the negative of the value ("1.2 mmHg lower (95% CI
    -2.0 to -0.4)"), the value is read as negative.
    """
    out: list[EffectMatch] = []
    matches = list(_COMPARATIVE.finditer(sentence))
    if " by " in sentence:
        matches += _COMPARATIVE_BY.finditer(sentence)
    for m in matches:
        groups = m.groupdict()
        unit = groups["unit"] or groups.get("unit_after")
        ci_text = groups["ci"]
        end = m.end()
        if ci_text is None and groups.get("ci2"):
            ci_text = groups["ci2"]
        if ci_text is None:
            after = _CMP_CI_AFTER.match(sentence, m.end())
            if after is not None:
                ci_text, end = after.group("ci"), after.end()
        ci = (
            re.search(
                rf"(?:{CI_WORD}\s*[:=,]?\s*(?:for\s+(?:the\s+)?differences?\s*)?)?{PAIR}", ci_text
            )
            if ci_text
            else None
        )
        if ci_text is not None and ci is None:
            ci_text = None
        if unit is None and ci is None:
            continue
        if _CMP_RELATIVE_AFTER.match(sentence, m.end("dir")):
            continue
        head = sentence[max(0, m.start() - 60) : m.start()]
        if re.search(r"\b(?:an?|up\s+to|about|approximately|nearly|almost|over)\s*$", head, re.I):
            # "a 30% lower ...": relative; "about 2 points more": not a value
            continue
        percent = unit is not None and unit.startswith("%")
        if unit is None and ci is None:
            continue
        clause = re.split(r"[;:]|,\s", head)[-1]
        if percent and (
            _CMP_RELATIVE_WORDS.search(clause)
            or _CMP_RELATIVE_WORDS.search(m.group("tail"))
            or not _PERCENT_QUANTITY.search(clause)
        ):
            # "relapse was 35% lower": a relative change unless the
            # quantity is itself a percentage ("HbA1c", "body fat")
            continue
        try:
            value = parse_num(m.group("val"))
        except ValueError:
            continue
        ci_low = ci_high = ci_level = None
        if ci is not None:
            try:
                lo, hi = parse_num(ci.group("lo")), parse_num(ci.group("hi"))
            except ValueError:
                continue
            ordered = _order_ci(value, lo, hi)
            if ordered is None and m.group("dir") in _CMP_LOWER:
                value = -value
                ordered = _order_ci(value, lo, hi)
            if ordered is None:
                continue
            ci_low, ci_high = ordered
            ci_level = ci_level_of(ci)
        p_val: float | None = None
        p_op: str | None = None
        pm = P_RE.search(ci_text) if ci_text else None
        if pm is None:
            pm = _p_after(sentence, end, min(len(sentence), end + 60))
            if pm is not None:
                end += pm.end()
        if pm is not None:
            p_val, p_op = parse_p(pm)
        by_form = "unit_after" not in groups
        first = _CMP_FIRST_OF_TWO.search(head) if ci is None and not by_form else None
        if first is not None and (first.group("unit") or unit) == unit:
            try:
                first_value = parse_num(first.group("val"))
            except ValueError:
                first_value = None
            if first_value is not None:
                start = m.start() - len(head) + first.start("val")
                out.append(
                    _difference(sentence, start, start + len(first.group("val")), first_value, unit)
                )
        out.append(
            _difference(
                sentence,
                m.start("val"),
                end,
                value,
                (unit or "").strip() or None,
                ci=(ci_low, ci_high, ci_level),
                p=(p_val, p_op),
                anchor=m.start(),
            )
        )
    return out


def _unnamed_estimates(sentence: str) -> list[EffectMatch]:
    """Mean differences written without a measure name.

    Sign convention: a difference is treatment minus comparator, so
    "reduced HbA1c by 0.74% (95% CI 0.5 to 0.9) relative to placebo" gives
    MD -0.74 (-0.9 to -0.5) and "increased ... by" keeps the sign. Such a
    sentence counts only with a CI and a comparator ("relative to",
    "compared with", "versus", "than" after the CI or "compared with X"
    before the verb): without one, "reduced pain by 2 points" is a
    within-arm change. "LS mean [A-B]: 0.21; 95% CI: 0.01, 0.40" names the
    difference by the arms it subtracts and counts with its CI.
    """
    out: list[EffectMatch] = []
    low = sentence.lower()
    if any(w in low for w in _CMP_WORDS) and any(d in low for d in _CMP_DIRECTION_WORDS):
        out += _comparative_estimates(sentence)
    # each pattern below needs a bracket, and some a word, that plain
    # substring tests rule out far faster than the patterns
    bracket = "(" in sentence or "[" in sentence
    if not bracket and "difference" not in sentence:
        return out
    if bracket and ("mean" in sentence or "Mean" in sentence):
        for m in _ARMS_SUBTRACTED.finditer(sentence):
            est = _estimate_from(sentence, m, m.group("ci"), m.start(), m.end())
            if est is not None:
                out.append(est)
    if bracket and "differ" in sentence:
        for m in _DIFFERED_BY.finditer(sentence):
            est = _estimate_from(sentence, m, m.group("ci"), m.start("val"), m.end())
            if est is not None:
                out.append(est)
    if not any(w in sentence for w in _UNNAMED_WORDS) or not _UNNAMED_CUE.search(sentence):
        return out
    by_value = bracket and "by" in sentence and any(v in sentence for v in _BY_VERBS)
    for m in _BY_VALUE.finditer(sentence) if by_value else ():
        if not (m.group("cmp") or _CMP_BEFORE.search(sentence, 0, m.start())):
            continue
        est = _estimate_from(sentence, m, m.group("ci"), m.start(), m.end())
        if est is None:
            continue
        if m.group("verb") in ("reduced", "lowered", "decreased") and est.value > 0:
            lo, hi = est.ci_low, est.ci_high
            est = replace(
                est,
                value=-est.value,
                ci_low=-hi if hi is not None else None,
                ci_high=-lo if lo is not None else None,
            )
        out.append(replace(est, outcome=clean_outcome(m.group("outcome")) or est.outcome))
    low = sentence.lower()
    if any(w in low for w in _CHANGE_WORDS) and _CHANGE_CUE.search(sentence):
        compares = bracket and any(w in sentence for w in _CMP_WORDS)
        for m in _CMP_VALUE.finditer(sentence) if compares else ():
            if _ARM_BRACKET_BEFORE.search(sentence, max(0, m.start() - 80), m.start()):
                # "in the exercise group (6.0; 95% CI 5.1-6.9) compared to the
                # control group (0.5; ...)": the bracket holds the other arm's value
                continue
            start = m.start("val")
            est = _estimate_from(sentence, m, m.group("ci"), start, m.end())
            if est is not None:
                out.append(est)
        for m in _VALUE_NAME.finditer(sentence) if "difference" in sentence else ():
            est = _estimate_from(sentence, m, None, m.start("val"), m.end())
            if est is not None and (est.unit or est.p_op):
                out.append(est)
    return out


def _estimate_from(
    sentence: str, m: re.Match[str], ci_text: str | None, start: int, end: int
) -> EffectMatch | None:
    try:
        value = parse_num(m.group("val"))
    except ValueError:
        return None
    ci_low = ci_high = ci_level = None
    p_val: float | None = None
    p_op: str | None = None
    if ci_text:
        ci = re.search(rf"(?:{CI_WORD}\s*[:=,]?\s*)?{PAIR}", ci_text)
        if ci is None:
            return None
        try:
            ordered = _order_ci(value, parse_num(ci.group("lo")), parse_num(ci.group("hi")))
        except ValueError:
            return None
        if ordered is None:
            return None
        ci_low, ci_high = ordered
        ci_level = ci_level_of(ci)
    p_from = end if ci_text else m.end("val")
    # "(95% CI 0.3-2.1, p = 0.01)": the p-value inside the CI's bracket
    inner = P_RE.search(ci_text) if ci_text else None
    pm = None if inner else _p_after(sentence, p_from, min(len(sentence), end + 60))
    if inner is not None:
        p_val, p_op = parse_p(inner)
    if pm is None and not ci_text:
        p_from = m.end()
        pm = _p_after(sentence, p_from, min(len(sentence), m.end() + 40))
    if pm is not None:
        p_val, p_op = parse_p(pm)
        # the evidence span reaches to the p-value it reports
        end = max(end, p_from + pm.end())
    if ci_low is None and p_op is None and not m.groupdict().get("unit"):
        return None
    unit = (m.groupdict().get("unit") or "").strip() or None
    return _difference(
        sentence, start, end, value, unit, ci=(ci_low, ci_high, ci_level), p=(p_val, p_op)
    )


def _estimate_after(
    sentence: str, m_start: int, m_end: int, limit: int, info: _MeasureName
) -> EffectMatch | None:
    reach = 160
    if info.abbrev:
        # an abbreviation stands next to its value unless the arms compared
        # come between ("HR for death with drug versus placebo (0.8; ...)")
        reach = 90 if _CMP_GAP_START.match(sentence, m_end) else 30
    window_end = min(limit, m_end + reach)
    dose_seen = False
    for num in _NUM_RE.finditer(sentence, m_end, window_end):
        gap = sentence[m_end : num.start()]
        after = sentence[num.end() : num.end() + 30]
        if _SKIP_VALUE_BEFORE.search(gap) or _in_name(sentence, num.start()):
            continue
        if _is_dose(sentence, gap, num, dose_seen):
            # "difference for drugA 15 mg and drugB of 0.1%", "between
            # latanoprost 0.005% and timolol 0.5% was 1.2 mmHg": an arm's dose
            dose_seen = True
            continue
        if _SKIP_VALUE_AFTER.match(after) and not _TIME_VALUE_CI.match(sentence, num.end()):
            continue
        if _RANGE_AFTER.match(after) or _BASELINE_GAP.search(gap) or _RANGE_WORD.search(gap):
            # "95% CI for the difference of -26 to +16 points": bounds, not a
            # value; "no differences between groups at baseline": no effect
            return None
        if _VS_AFTER.match(after) or _ARMS_AFTER.match(sentence, num.end()):
            # "37% versus 52%", "76.2% with drug A and 86.1% with drug B":
            # values of the arms, not this estimate
            return None
        if _STAT_BEFORE.search(gap) or _ARM_STATS_LABEL.search(gap):
            # "(r = 0.52)", "(t = -2.42, P = 0.017)": a test statistic;
            # "median [Q1, Q3]: 2.0 [1.0, 3.0]": the median of an arm
            return None
        if _THOUSANDS_AFTER.match(after) and not any(c in num.group(0) for c in ".\u00b7"):
            # "205,618 IU/ml", "$1,250": a number with thousands, read whole
            whole = _SIGNED_THOUSANDS_RE.match(sentence, num.start())
            if whole is None:
                return None
            num = whole
        if re.match(rf"[{DASHES}]?\s?0\d", num.group(0)):
            # "0800": a clock time or a code, never a value
            return None
        if (
            info.measure != "other"
            and info.measure not in RATIO_MEASURES
            and _RATIO_WORD.search(gap)
        ):
            # "difference in Cmax (GMR 1.03; 90% CI ...)": a ratio named between
            return None
        # "no difference was found (p = 0.06 (score 1) ...)": after a p-value
        # the name has been answered; a later number counts only with its CI
        compared = P_RE.search(gap) is not None
        if info.abbrev and not _ABBR_GAP.match(gap):
            if not (_CMP_GAP.match(gap) or _ABBR_OUTCOME_GAP.match(gap)):
                return None
            compared = True
        if not info.abbrev:
            # "(omarigliptin vs placebo)", "(BBT minus PPT)": a bracketed
            # label of the comparison is not a break between name and value
            bare_gap = _BRACKETED.sub(" ", gap)
            words = len(bare_gap.split())
            if ";" in bare_gap or words > 18:
                return None
            if re.search(r"\b(?:vs|versus)\b", bare_gap):
                if words > 12 or not _CMP_GAP.match(bare_gap):
                    return None
                compared = True
            elif words > 12 and not _LINK_END.search(bare_gap):
                if not re.search(r"[(\[]\s*$", bare_gap):
                    return None
                # "the hazard ratio for death of A against B was not
                # significant (0.80; 95% CI 0.48-1.35)": a value that opens a
                # bracket counts after many words only with its CI
                compared = True
        return _build(sentence, m_start, m_end, num, limit, info, gap, require_ci=compared)
    return None


# "The mean difference of -0.8 mmHg (per protocol) and -1.6 mmHg (intention
# to treat) ...": two bare values in one unit of measurement, joined by "and"
_MEASURE_UNIT = r"(?:mm\s?Hg|%|kg|mmol/[lL]|mg/d[lL]|mmol/mol|points?|units?|percentage\s+points?)"
# The first value's unit may already be read with it ("-0.5% and -0.7% for
# the 5 mg and 10 mg doses"); "and 7.1% of patients", "and 0.3% in the
# placebo group" are not a second estimate.
_BARE_CHAIN = re.compile(
    rf"\s?(?P<unit1>{_MEASURE_UNIT})?(?:\s*\([^()\d]{{1,40}}\))?\s*,?\s*and\s+"
    rf"(?P<val>{SIGNED})\s?(?P<unit2>{_MEASURE_UNIT})(?![\w/])"
    r"(?!\s*(?:vs\.?|versus|to|of|in|with|among|on)\s)"
)


def _bare_chained_estimate(
    sentence: str, first: EffectMatch, pos: int, limit: int
) -> EffectMatch | None:
    if first.ci_low is not None or first.p_op is not None or pos != first.end:
        return None
    m = _BARE_CHAIN.match(sentence, pos, limit)
    if m is None:
        return None
    unit1 = m.group("unit1") or first.unit
    if unit1 is None or re.sub(r"\s", "", unit1) != re.sub(r"\s", "", m.group("unit2")):
        return None
    try:
        value = parse_num(m.group("val"))
    except ValueError:
        return None
    if first.measure in RATIO_MEASURES:
        return None
    return replace(
        first,
        start=m.start("val"),
        end=m.end("val"),
        value=value,
        timepoint=find_timepoint(sentence, m.start("val")),
    )


_SPREAD_WORD = re.compile(
    r"\b(?:SE|SEM|SD|standard\s+(?:error|deviation)s?|IQR|interquartile|range)\b", re.IGNORECASE
)
_GENERIC_UNIT = re.compile(
    rf"\s?(?P<unit>{_MEASURE_UNIT})(?![\w/])(?!\s*(?:vs\.?|versus|to|from|at\s+baseline)\b)"
)
_GENERIC_LINK = re.compile(r"\s*(?:of|was|were|is|:)\s*")
_DIGIT_IN_NAME = re.compile(r"(?<=[A-Za-z])\d+|(?<=[A-Za-z]\()\d+(?=[a-z]\))")


def _chained_estimate(
    sentence: str, pos: int, limit: int, info: _MeasureName, chain_unit: str | None = None
) -> EffectMatch | None:
    window = sentence[pos:limit]
    # "... at week 18 and -0.8% (P < 0.001) at week 54": digits of a time
    # phrase do not break the chain
    window = TIME_RE.sub(lambda t: re.sub(r"\d", "x", t.group(0)), window)
    # nor do digits inside names ("for HbA1c and -1.1 mmol/L ...")
    window = _DIGIT_IN_NAME.sub(lambda d: "x" * len(d.group(0)), window)
    lead = re.match(
        # the next outcome's name may hold a unit ("BMI kg/m2 (-1.1 (95% CI ...")
        r"^[^\d;]{0,40}?(?:,|\band\b|\bor\b|;)\s*(?:[A-Za-z][\w()/-]*\s+){0,8}?[(\[]?\s*"
        r"(?=[-\u2212\u2013]?\s?\d)",
        window,
    )
    if lead is None or _SPREAD_WORD.search(lead.group(0)):
        # "mean difference = 15%, standard error 3%": the spread, not an estimate
        return None
    num = _NUM_RE.match(sentence, pos + lead.end())
    if num is None:
        return None
    est = _build(sentence, pos, pos, num, limit, info, "", require_ci=True, chain_unit=chain_unit)
    if est is None:
        return None
    # the chained estimate's span starts at its own value
    return replace(est, start=num.start())


def _bare_bounds_in_bracket(sentence: str, m_start: int, tail: re.Match[str]) -> bool:
    """Whether ``tail`` holds bounds written bare after a comma inside the estimate's bracket.

    "(HR 0.61, 0.39-0.95, p=0.009)", "[RR 2.40, 1.85-3.11; p<0.0001]": the
    bounds need a dash or "to" between them and the bracket must go on
    (";", ",") or close right after them.
    """
    if tail.group("gap").strip() != "," or tail.group("head") or tail.group("unit"):
        return False
    if not (tail.group("sep") == "to" or tail.group("sep") in DASHES):
        return False
    if bracket_balance(sentence[:m_start]) <= 0:
        return False
    return bool(tail.group("close")) or re.match(r"\s*[;,]", sentence[tail.end() :]) is not None


def _build(
    sentence: str,
    m_start: int,
    m_end: int,
    num: re.Match[str],
    limit: int,
    info: _MeasureName,
    gap: str,
    *,
    require_ci: bool = False,
    chain_unit: str | None = None,
) -> EffectMatch | None:
    try:
        value = parse_num(num.group(0))
    except ValueError:
        return None
    end = num.end()
    unit: str | None = None
    ci_low = ci_high = ci_level = None
    p_val: float | None = None
    p_op: str | None = None
    tail = _VALUE_TAIL.match(sentence, num.end(), limit)
    if (
        tail is not None
        and tail.group("conv")
        and not is_conversion(tail.group("unit"), tail.group("cunit"))
    ):
        tail = None
    if (
        tail is not None
        and (
            tail.group("head")
            or re.search(r"[(\[{]", tail.group("gap"))
            # "(0.8; 0.6-0.9)": the value opens a bracket that its bounds close
            or (
                tail.group("close")
                and re.search(r"[(\[]\s*$", sentence[max(0, num.start() - 3) : num.start()])
            )
            or _bare_bounds_in_bracket(sentence, m_start, tail)
        )
    ):
        try:
            lo = parse_num(tail.group("lo"))
            hi = parse_num(tail.group("hi"))
        except ValueError:
            return None
        ordered = _order_ci(value, lo, hi)
        if ordered is None:
            return None
        ci_low, ci_high = ordered
        ci_level = ci_level_of(tail)
        if tail.group("unit"):
            unit = tail.group("unit").strip()
        end = tail.end()
        if tail.group("pnum") or tail.group("pns"):
            p_val, p_op = parse_p(tail)
    else:
        # "-0.7 ± 0.1% (p < 0.001)": a standard error between value and p
        se_m = re.match(rf"\s?(?:\u00b1|\+\s?/\s?-)\s?{NUM_CORE}(?=\s?%)", sentence[end:])
        if se_m:
            end += se_m.end()
        unit_m = re.match(r"\s?(?!to\b|and\b|vs\b)(?:%|percentage\s+points?)", sentence[end:])
        if unit_m:
            unit = unit_m.group(0).strip()
            end += unit_m.end()
    if p_val is None and p_op is None:
        pm = _p_after(sentence, end, limit)
        if pm is not None:
            p_val, p_op = parse_p(pm)
            end = end + pm.end()
    if re.match(r"\s*%?\s*[)\]]?\s*(?:vs\.?|versus)\s", sentence[end : end + 12]):
        # "-0.51 [-1.08 to 0.06]% vs. -0.58 [...]": values of two arms
        return None
    if info.generic and _ARM_LABEL_AFTER.match(sentence, end):
        # "no difference in adherence, with 77.2% (CI, 73.0, 81.4) for the
        # control group and ...": the values of the arms
        return None
    if require_ci and ci_low is None and not (p_op and unit and unit == chain_unit):
        # a chained value needs its own CI, or a p-value and the unit of the
        # first one ("-0.7% (P < 0.001) at week 18 and -0.8% (P < 0.001) ...")
        return None
    if info.measure in RATIO_MEASURES:
        if value <= 0 or (ci_low is not None and ci_low < 0):
            return None
        if unit not in (None,):
            return None
    if info.generic and ci_low is None and unit is None and p_op is None:
        # a bare "difference ... 3" is too weak to be an estimate, unless a
        # unit of measurement follows: "a difference of 2.1 points"
        unit_m = _GENERIC_UNIT.match(sentence, end)
        if unit_m is None or not _GENERIC_LINK.fullmatch(gap):
            return None
        unit = unit_m.group("unit")
        end = unit_m.end("unit")
    if ci_low is None and p_op is None and gap.strip() and not _LINK_END.search(gap):
        # a number a few words after the name, with no CI or p and no link
        # ("was", "of", ":") before it, is too often something else
        # ("number needed to treat to prevent 1 event was 16")
        return None
    measure = info.measure
    if info.sign < 0:
        value = -value
        if ci_low is not None and ci_high is not None:
            ci_low, ci_high = -ci_high, -ci_low
    # "(RR)", "(omarigliptin vs placebo)" between name and value: labels
    bare_gap = _BRACKETED.sub(" ", gap)
    outcome = clean_outcome(bare_gap) if bare_gap.strip() else None
    if outcome is None:
        outcome = outcome_before(sentence, m_start)
    timepoint = find_timepoint(sentence, num.start())
    return EffectMatch(
        start=m_start,
        end=end,
        measure=measure,
        value=value,
        ci_low=ci_low,
        ci_high=ci_high,
        ci_level=ci_level,
        p=p_val,
        p_op=p_op,
        unit=unit,
        outcome=outcome,
        timepoint=timepoint,
    )


# ------------------------------------------------ p-values of comparisons
# A between-group comparison reported only by its p-value ("the difference
# between the groups was not significant (P = 0.86)", "IOP was lower with
# latanoprost than with timolol (P < 0.001)") is a fact a reviewer needs: it
# becomes an effect with ``measure`` and ``value`` left empty.
_BETWEEN = re.compile(
    r"\bdifferen(?:ce|ces|t)\s+(?:\w+\s+){0,3}?between\b|\bbetween[\s-]+(?:the\s+)?"
    r"(?:two\s+|2\s+|three\s+|3\s+|treatment\s+|study\s+)?(?:groups?|arms?|treatments?|regimens)\b"
    r"|\bthan\s+(?!(?:at\s+|the\s+|their\s+)?(?:baseline|before|pre-?\w+)\b)(?!\d)"
    r"|\b(?:compared\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+(?!(?:the\s+)?baseline\b)"
    r"|\bin\s+favou?r\s+of\b"
    r"|\b(?:similar|comparable)\s+(?:in|between|across|among|for)\s+(?:the\s+)?(?:both\s+|all\s+|two\s+)?"
    r"(?:groups|arms|treatments|regimens)\b",
    re.IGNORECASE,
)
_DIFFER_CUE = re.compile(
    r"\b(?:differ(?:ed|s|ence|ences)?|similar|comparable|odds|hazard|relative\s+risk"
    r"|(?:significantly|statistically)\s+(?:\w+\s+)?"
    r"(?:more|less|fewer|higher|lower|greater|smaller|larger|better|worse|superior|inferior))\b",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    r"\bfrom\s+baseline\b|\bwithin[\s-]+(?:each\s+|the\s+)?(?:groups?|arms?)\b"
    r"|\bin\s+(?:both|each|all|either)\s+(?:the\s+)?(?:groups?|arms?|treatment|study)"
    r"|\bboth\s+(?:groups|arms|treatments|drugs|regimens)\b|\bcorrelat\w*|\br\s?=",
    re.IGNORECASE,
)
# methods sentences stating the significance level
_P_THRESHOLD = re.compile(
    r"\bconsidered\b|\bsignifican\w*\s+(?:level|threshold)|\bset\s+at\b|\bdefined\s+as\b"
    r"|\balpha\b|\btwo[\s-]sided\b|\bone[\s-]sided\b",
    re.IGNORECASE,
)
# "between the two regimens": the groups, never the outcome
_BETWEEN_GROUPS = re.compile(
    r"\b(?:between|among|across)\s+(?:the\s+)?(?:two\s+|2\s+|three\s+|treatment\s+|study\s+)?"
    r"(?:groups?|arms?|treatments?|regimens)\b",
    re.IGNORECASE,
)
# every _P_THRESHOLD match contains one of these (lowercase)
_P_THRESHOLD_WORDS = ("consider", "signific", "set", "defined", "alpha", "sided")
# "(< 0.001, analysis of covariance)", "(= 0.71)": a p-value whose italic P
# was lost from the abstract, right after an opening bracket
_LETTERLESS_P = re.compile(r"[(\[]\s?(?P<pop>[<=\u2264])\s?(?P<pnum>0?[.\u00b7]\d+)(?=\s*[,;)\]])")
# the most words between one p-value of a list and the next
_P_ONLY_LIST_GAP = 60
# how far after a p-value its comparison may still be named
_P_CUE_AFTER = 40
_DIFFER_AFTER = re.compile(r"[\s),;\]]*(?:\w+\s+){0,2}?differen(?:ce|ces)\b", re.IGNORECASE)


# "11.5% of bimatoprost and 16.5% of travoprost patients (p = ...)": two
# shares set side by side compare the groups, unless they are two times
_PERCENT_PAIR = re.compile(
    r"\d\s?%[^.;()\[\]]{0,40}?\b(?:and|vs\.?|versus)\s+(?:the\s+)?\d+(?:[.\u00b7]\d+)?\s?%"
)
_PAIR_OVER_TIME = re.compile(
    r"\b(?:baseline|before|after|weeks?|months?|years?|days?|visits?|end)\b", re.IGNORECASE
)


def _differs(segment: str) -> tuple[bool, bool]:
    """Whether ``segment`` says the groups differed, and whether it speaks of within-group change.

    The groups differ when a cue comes after any words about within-group
    change: "changes from baseline were -4.0 and -1.4 mmHg, with a
    significant difference (" compares the groups; "decreased from baseline
    in both groups (" does not.
    """
    within = list(_WITHIN.finditer(segment))
    cues = list(_DIFFER_CUE.finditer(segment))
    if "%" in segment:
        cues += [
            m for m in _PERCENT_PAIR.finditer(segment) if not _PAIR_OVER_TIME.search(m.group(0))
        ]
        cues.sort(key=lambda m: m.start())
    if not cues:
        return False, bool(within)
    return not within or within[-1].end() <= cues[-1].start(), bool(within)


@dataclass(frozen=True, slots=True)
class ComparisonP:
    """A between-group comparison reported only by its p-value (offsets in the sentence)."""

    start: int
    end: int
    p: float
    p_op: str
    outcome: str | None
    timepoint: str | None


@lru_cache(maxsize=4096)
def find_comparison_p_values(
    sentence: str, *, heart_rate_doc: bool = False, unspelled: frozenset[str] = frozenset()
) -> tuple[ComparisonP, ...]:
    """P-values of between-group comparisons that no estimate of ``sentence`` carries.

    A p-value counts when the words before it (back to the previous p-value)
    compare groups ("than", "compared with", "versus", "difference between
    the groups"), or say "differed" / "significantly higher" without
    speaking of a change within the groups ("from baseline", "in both
    groups"), or when it continues a list of such p-values. Methods
    sentences that state the significance level and power calculations give
    none.
    """
    # (start, end, P_RE match to parse, or the p and operator of a letterless
    # one); the matches are parsed only outside estimates
    matches: list[tuple[int, int, re.Match[str] | None, float | None, str | None]] = [
        (m.start(), m.end(), m, None, None) for m in p_matches(sentence)
    ]
    if "(" in sentence:
        matches += [
            (
                m.start("pop"),
                m.end(),
                None,
                float(m.group("pnum").replace("\u00b7", ".")),
                _P_OPS[m.group("pop")],
            )
            for m in _LETTERLESS_P.finditer(sentence)
        ]
        matches.sort(key=lambda x: x[0])
    if not matches:
        return ()
    taken = [(e.start, e.end) for e in _find_effects_cached(sentence, heart_rate_doc, unspelled)]
    out: list[ComparisonP] = []
    seg_start = 0
    prev_kept = False
    outcome: str | None = None
    for m_start, m_end, p_match, p_val, p_op in matches:
        seg_begin = seg_start
        segment = sentence[seg_start:m_start]
        seg_start = m_end
        inside = any(s <= m_start < e for s, e in taken)
        if inside:
            prev_kept = True
            continue
        if p_match is not None:
            p_val, p_op = parse_p(p_match)
        if p_val is None or p_op is None:
            prev_kept = False
            continue
        keep = _BETWEEN.search(segment) is not None
        within = False
        if not keep:
            keep, within = _differs(segment)
        if not keep and not within:
            # "showed a statistically significant (P < 0.001) difference"
            after = sentence[m_end : m_end + _P_CUE_AFTER]
            keep = _BETWEEN.match(after) is not None or _DIFFER_AFTER.match(after) is not None
        if not keep and prev_kept and not within and len(segment) <= _P_ONLY_LIST_GAP:
            # "(P < 0.04, PP; P < 0.001, ITT)", "< 7% (p = 0.003) and
            # <= 6.5% (p = 0.001) versus placebo": a list of p-values
            keep = True
        if keep:
            # the outcome is named since the previous p-value; a p-value
            # continuing a list shares the outcome of the one before it
            named = _BETWEEN_GROUPS.sub(" ", segment)
            found = outcome_before(named, len(named))
            if found is not None or not prev_kept or seg_begin == 0:
                outcome = found
            out.append(
                ComparisonP(
                    start=m_start,
                    end=m_end,
                    p=p_val,
                    p_op=p_op,
                    outcome=outcome,
                    timepoint=find_timepoint(sentence, m_start),
                )
            )
        prev_kept = keep
    if out:
        # power calculations and significance levels (checked last: most
        # sentences with a p-value give no comparison p-value of their own)
        low = sentence.lower()
        if is_hedged(sentence) or (
            any(w in low for w in _P_THRESHOLD_WORDS) and _P_THRESHOLD.search(sentence)
        ):
            return ()
    return tuple(out)


def _heart_rate_doc(text: str) -> bool:
    lowered = text.lower()
    return "heart rate" in lowered and "hazard" not in lowered


#: Ambiguous abbreviations read as measures only where the document writes
#: their long form.
SPELLED_OUT = {"ARR": "absolute risk reduction", "ARI": "absolute risk increase"}


def _unspelled(text: str) -> frozenset[str]:
    low = text.lower()
    # a long form's first word (no space or hyphen in it) is in the text
    # wherever the long form is: most texts have none of them
    if not any(long.replace("-", " ").split()[0] in low for long in SPELLED_OUT.values()):
        return frozenset(SPELLED_OUT)
    norm = " ".join(low.replace("-", " ").split())
    return frozenset(a for a, long in SPELLED_OUT.items() if long not in norm)


# the longest text two or more sentences joined at an open bracket may make
_JOINED_MAX = 600


def _bracket_sentences(bounds: Iterable[tuple[int, int]], text: str) -> Iterator[tuple[int, int]]:
    """``bounds`` with a sentence that leaves a bracket open joined to the next one
    when that one closes it.

    "(between-treatment difference in LS mean change from baseline. -0.70%;
    95% CI, -0.85 to -0.54)" is one sentence that the sentence splitter cut
    at "baseline."; a line break always ends a sentence.
    """
    pending: tuple[int, int] | None = None
    for start, end in bounds:
        if pending is not None:
            if (
                bracket_balance(text[start:end]) < 0
                and "\n" not in text[pending[1] : start]
                and end - pending[0] <= _JOINED_MAX
            ):
                start = pending[0]
            else:
                yield pending
            pending = None
        if bracket_balance(text[start:end]) > 0:
            pending = (start, end)
            continue
        yield start, end
    if pending is not None:
        yield pending


_CACHE_KEY = "miner.effect"


def _doc_effects(doc: Doc) -> list[tuple[int, EffectMatch | ComparisonP]]:
    """Every estimate and comparison p-value in ``doc`` with the char offset of its sentence.

    The component keeps the list in ``doc.user_data`` for the collector.
    """
    cached = doc.user_data.get(_CACHE_KEY)
    if isinstance(cached, list):
        return cached
    return list(_each_doc_effect(doc))


def _each_doc_effect(doc: Doc) -> Iterator[tuple[int, EffectMatch | ComparisonP]]:
    text = doc_text(doc)
    heart = _heart_rate_doc(text)
    unspelled = _unspelled(text)
    for start, end in _bracket_sentences(sentence_bounds(doc, text), text):
        sentence = text[start:end]
        if not _DIGIT_RE.search(sentence):
            continue  # neither estimates nor p-values
        found: list[EffectMatch | ComparisonP] = [
            *_find_effects_cached(sentence, heart, unspelled),
            *find_comparison_p_values(sentence, heart_rate_doc=heart, unspelled=unspelled),
        ]
        if len(found) > 1:
            found.sort(key=lambda e: e.start)
        for est in found:
            yield start, est


class EffectFinder:
    """The ``miner_effect`` component: adds ``EFFECT`` spans to ``doc.spans["miner"]``."""

    def __init__(self, nlp: Language, name: str, label: str = LABEL) -> None:
        self.name = name
        self.label = label
        _load_measures(str(PATTERN_FILE))  # fail at construction on a bad pattern file

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        found = _doc_effects(doc)
        doc.user_data[_CACHE_KEY] = found
        for offset, est in found:
            span = make_span(doc, offset + est.start, offset + est.end, self.label)
            if span is not None:
                spans.append(span)
        add_spans(doc, spans)
        return doc


@Language.factory("miner_effect", default_config={"label": LABEL})
def make_effect(nlp: Language, name: str, label: str) -> EffectFinder:
    """Build the ``miner_effect`` component (see :class:`EffectFinder`)."""
    return EffectFinder(nlp, name, label=label)


def collect_effects(doc: Doc) -> list[dict[str, Any]]:
    """Turn the ``EFFECT`` spans of ``doc`` into contract dicts.

    Returns
    -------
    list[dict]
        One dict per estimate with ``measure``, ``value``, ``ci_low``,
        ``ci_high``, ``ci_level``, ``p``, ``p_op``, ``unit``, ``timepoint``,
        ``outcome``, ``start``, ``end``, ``text`` (offsets into ``doc.text``).
    """
    if SPAN_KEY not in doc.spans:
        return []
    wanted = [(a, b) for label, a, b, _kb_id in span_list(doc) if label.startswith(LABEL)]
    if not wanted:
        return []
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    text = doc_text(doc)
    for offset, est in _doc_effects(doc):
        start, end = offset + est.start, offset + est.end
        hit = next((w for w in wanted if w[0] <= start and end <= w[1]), None)
        if hit is None or (start, end) in seen:
            continue
        seen.add((start, end))
        estimate = est if isinstance(est, EffectMatch) else None
        out.append(
            {
                "measure": estimate.measure if estimate else None,
                "value": estimate.value if estimate else None,
                "ci_low": estimate.ci_low if estimate else None,
                "ci_high": estimate.ci_high if estimate else None,
                "ci_level": estimate.ci_level if estimate else None,
                "p": est.p,
                "p_op": est.p_op,
                "unit": estimate.unit if estimate else None,
                "timepoint": est.timepoint,
                "timepoint_days": timepoint_days(est.timepoint),
                "outcome": est.outcome,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
        )
    return out
