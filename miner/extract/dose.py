"""Administered doses of study drugs, with drug, frequency, duration and route.

The component ``miner_dose`` finds amounts with units (:data:`DOSE_RE` of
:mod:`miner.extract.quantities`) over the raw text, keeps those that are
administered doses and appends one ``DOSE`` span per dose to
``doc.spans["miner"]``. :func:`collect_doses` turns them into the contract
dicts ``{"drug", "value", "value_max", "unit", "frequency", "duration",
"route", "start", "end", "text"}``.

What is not a dose: values in units of a measurement (mmol/l, mg/dl: refused
by the unit parser; flow rates in ml/min; exposures in ng*h/ml), percentages
not written next to a drug name ("HbA1c 7%"), standard deviations ("\u00b1 10
mg"), amounts that are changes, levels or intakes ("reduced by 10 mg", "intake
of 1500 mg", "mean reduction, 19.6 IU/d"), estimates (an amount with its CI,
"fentanyl requirement ... 81 mcg", "ED50 was 4.66 mg"), blood products and
volumes of blood ("26 units of PRBC", "blood loss was 70 ml"), test loads ("75 g
OGTT"), needle gauges ("19-G"), and doses in negated statements
(:func:`miner.extract.negation.negation_cue`; a negation inside closed brackets,
"(without washout)", is an aside). "From 40 mg to 20 mg" is two doses.

Drug names come from ``patterns/drugs.jsonl`` (INN/USAN stem endings, common
names), development codes ("LAF237"), abbreviations whose long form is a drug,
and, failing those, the word written after "of" ("2 mg of vincristine", "250 mg
intravenous dose of lorcainide") or right before the amount ("diazoxide,
100 mg"; a salt word takes the word before it: "isosorbide dinitrate (5 mg)").
The drug of a dose is the first of: the name right before it, the name right
after it ("0.005% latanoprost", "850 mg of metformin"), those words, the
nearest name earlier in the sentence, the nearest later in the sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.abbreviation import ABBREVIATIONS_KEY
from miner.extract.doctext import SPAN_KEY, add_spans, doc_text, sentence_bounds, span_list
from miner.extract.quantities import (
    DOSE_RE,
    DURATION_RE,
    FREQUENCY_RE,
    _duration_from_match,
    _load_jsonl,
    dose_from_match,
    normalise,
    parse_frequency,
)
from miner.extract.route import find_routes, is_eye_text
from miner.extract.scan import match_at_starts

LABEL = "DOSE"
_CACHE_KEY = "miner.doses"

_DRUG_ROWS = {row["kind"]: row["items"] for row in _load_jsonl("drugs.jsonl")}
_STEMS = sorted(_DRUG_ROWS["stems"], key=len, reverse=True)
_NAMES = sorted(_DRUG_ROWS["names"], key=len, reverse=True)
_NOT_DRUGS = frozenset(w.lower() for w in _DRUG_ROWS["not_drugs"])

_SINGLE_NAMES = frozenset(n.lower() for n in _NAMES if " " not in n and "-" not in n)
_MULTI_NAMES = [n for n in _NAMES if " " in n or "-" in n]
_STEM_TUPLE = tuple(s.lower() for s in _STEMS)
#: Multi-word and hyphenated drug names ("tranexamic acid", "5-fluorouracil").
MULTI_DRUG_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in _MULTI_NAMES) + r")(?![\w])", re.IGNORECASE
)
#: Development codes such as "LAF237" or "MK-0431".
DRUG_CODE_RE = re.compile(r"(?<![\w-])[A-Z]{2,6}[- ]?\d{3,6}(?![\w])")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]+")


@lru_cache(maxsize=65536)
def is_drug_word(word: str) -> bool:
    """Whether one word is a drug name by the lexicon or an INN/USAN stem ending."""
    w = word.lower()
    if w in _NOT_DRUGS:
        return False
    return w in _SINGLE_NAMES or (len(w) >= 6 and w.endswith(_STEM_TUPLE))


_WORD_BEFORE_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]{3,})[ \t]*[,(]?[ \t]*(?:\(\s*)?$")
# "850 mg of metformin", "0.3 ml of 10% phenol", "250 mg intravenous dose of lorcainide".
_WORD_AFTER_OF_RE = re.compile(
    r"^\s+(?:(?:[A-Za-z.-]+\s+)?(?:doses?|dosages?|injections?|infusions?|bolus|tablets?|capsules?)\s+)?"
    r"of\s+(?:\d+(?:\.\d+)?\s?%\s+)?([A-Za-z][A-Za-z0-9-]{3,})(?:\s+([A-Za-z][A-Za-z0-9-]{3,}))?"
)
# Salt, ester, acid and Greek-letter words name a drug only with the word
# before them ("isosorbide dinitrate (5 mg)", "phenytoin sodium 300 mg/day",
# "zoledronic acid 5 mg", "darbepoetin alfa 200 ug").
_SALT_WORDS = frozenset(
    {
        "dinitrate",
        "mononitrate",
        "sodium",
        "potassium",
        "calcium",
        "hydrochloride",
        "hcl",
        "maleate",
        "tartrate",
        "sulfate",
        "sulphate",
        "acetate",
        "citrate",
        "oxide",
        "besylate",
        "mesylate",
        "fumarate",
        "succinate",
        "phosphate",
        "bromide",
        "chloride",
        "carbonate",
        "bicarbonate",
        "gluconate",
        "acid",
        "alfa",
        "alpha",
        "beta",
        "gamma",
    }
)
# "the dose of drug X from 200 to 400 mg/day": the drug named with "dose of".
_DOSE_OF_BEFORE_RE = re.compile(
    r"\b(?:doses?|dosages?|dosing)\s+of\s+([A-Za-z][A-Za-z0-9-]{3,})\b[^.;]*$", re.IGNORECASE
)
_WORD_THEN_SALT_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]{3,})\s+$")
# A single capital letter completes some names ("mitomycin C", "amphotericin B").
_LETTER_AFTER_RE = re.compile(r"\s[A-Z](?![\w-])")
# What may stand between a drug name and its amount ("timolol maleate 0.5%",
# "latanoprost, 0.005%", "metformin (>= 1500 mg").
_GAP_BEFORE_RE = re.compile(
    r"^[\s,(:]*(?:(?:hydrochloride|hcl|maleate|tartrate|sodium|potassium|acetate|sulfate|sulphate"
    r"|eye\s?drops?|ophthalmic\s+solution|solution|gel|cream|ointment|tablets?|capsules?"
    r"|monotherapy|therapy|treatment|at\s+a\s+dose\s+of|at\s+doses?\s+of|dose\s+of|in\s+a\s+dose\s+of"
    r"|titrated\s+(?:up\s+)?to|up\s+to|at)\s*[,(:]?\s*){0,3}(?:\(\s*)?$",
    re.IGNORECASE,
)
# ... and between an amount and its drug ("850 mg of metformin", "1 mg oral
# anastrozole", "2.5 ml 0.5% bupivacaine").
_GAP_AFTER_RE = re.compile(
    r"^[\s-]*(?:of\s+)?(?:\d+(?:\.\d+)?\s?%\s+)?(?:(?:oral|intravenous|i\.v\.|iv|subcutaneous|s\.c\.|intramuscular"
    r"|i\.m\.|topical|intranasal|inhaled|sublingual|intrathecal|epidural)\s+)?$",
    re.IGNORECASE,
)
_TIGHT_GAP_AFTER_RE = re.compile(r"^[\s-]*$")
# A sentence that reports doses as an outcome ("mean daily insulin dose was
# higher (0.78 U/kg ...)", "insulin requirement ... reduction, 19.6 IU/d",
# "a lower insulin requirement [62 units vs. 86]"): insulin needed is measured,
# not given by protocol.
_DOSE_OUTCOME_RE = re.compile(
    r"\b(?:requirements?|(?:mean|median|average|total|final)\s+(?:\w+\s+){0,3}?(?:doses?|dosages?)"
    r"|(?:doses?|dosages?|requirements?)\s+(?:\w+\s+){0,3}?(?:was|were)\s+(?:\w+\s+)?"
    r"(?:higher|lower|greater|smaller|increased|decreased|reduced|similar))",
    re.IGNORECASE,
)
# Only true negation removes a dose; hedges ("to be treated with", "will
# receive") still state the dose of the protocol.
_NEGATION_CUES = frozenset(
    {
        "no",
        "not",
        "nor",
        "never",
        "without",
        "none of",
        "neither",
        "absence of",
        "free of",
        "failed to",
        "did not",
        "didn't",
        "didnt",
        "cannot",
        "unable to",
    }
)
_WITH_OR_WITHOUT_RE = re.compile(r"\bwith\s+or\s+without\b[^.;]*$", re.IGNORECASE)
# Concentrations per ml are mostly measurements; they count as doses only
# next to a drug name or a word saying they are one ("the 50 ug/ml dose").
_CONC_NEXT_RE = re.compile(
    r"^\s+(?:doses?|formulations?|solutions?|concentrations?|eye\s?drops?|groups?)\b", re.I
)
# Amounts that are not doses: spreads, changes, levels, intakes.
_NOT_DOSE_BEFORE_RE = re.compile(
    r"(?:\u00b1|\+/-|\+-|\bsd\b|\bse\b|\bby|\bchanges?\s+(?:of|in)|\breductions?\s+of|\bincreases?\s+of"
    r"|\bdecreases?\s+of|\bdifferences?\s+of|\bloss\s+of|\bgain\s+of|\blevels?\s+of"
    r"|\bconcentrations?\s+of|\bintake\s+of|\bexcretion\s+of|\bexcretion|\bintake|\bcontent\s+of"
    r"|\bvs\.?|\bversus|\bcompared\s+with)"
    r"(?:\s+(?:was|were|is|are|of|at|reached|fell|rose|decreased|increased))*"
    r"\s*[(:=]?\s*(?:to\s+)?(?:\s*[<>\u2264\u2265=~]\s*)?$",
    re.IGNORECASE,
)
# An amount written right after a change word is a result ("mean reduction,
# 19.6 IU/d", "adjusted difference 25 units"); "reduced to 10 mg" stays a dose.
_CHANGE_BEFORE_RE = re.compile(
    r"\b(?:changes?|reductions?|increases?|decreases?|differences?)\s*[,:=]?\s*(?:\(\s*)?$",
    re.IGNORECASE,
)
# "titrated up to 2 g a day", "at doses up to 600 mg/day": a target or the
# highest dose of the protocol, not an eligibility bound.
_TITRATED_UP_TO_RE = re.compile(
    r"\b(?:(?:up|force|forced)[\s-]?titrat\w*|titrat\w*|increas\w*|escalat\w*|doses|dosages|dosing)"
    r"(?:\s+(?:\w+\s+){0,2}?)?\s*$",
    re.IGNORECASE,
)
# An amount followed by its confidence interval or spread is an estimate ("ED50
# was 4.66 mg (95% CI 4.6-4.7)"); followed by a p-value, it is one unless it
# names a dose group next to its drug ("formoterol 4.5 ug (p = 0.07 vs.
# placebo)" stays; "morphine group = 14.2 mg, p = 0.037" and "fruit (184
# g/day; p = 0.001)" go).
_ESTIMATE_AFTER_RE = re.compile(
    r"^\s*[;,(\[]?\s*(?:95\s?%\s*)?(?:CI\b|confidence\s+intervals?|\u00b1|\+/-)"
    # a bare bracketed range right after the amount is its spread ("42.5 units
    # [30.1-55.0] vs. ..."), so the amount is a result
    r"|^\s?[(\[]\s*-?\d+(?:\.\d+)?\s*(?:-|\u2013|to)\s*-?\d+(?:\.\d+)?\s*[)\]]",
    re.IGNORECASE,
)
# A summary statistic is measured, not given ("blood loss fell (median,
# 250 mL; interquartile range, 180 to 390 mL)").
_SUMMARY_BEFORE_RE = re.compile(
    r"\b(?:median|mean|average|interquartile\s+range|IQR)\s*[,:=]?\s*(?:(?:was|were|of)\s+)?$",
    re.IGNORECASE,
)
# An amount per 100 g (or per kcal) of something is the content of a food
# ("0.4 mg/100 g of apricots"), not a dose.
_FOOD_CONTENT_AFTER_RE = re.compile(
    r"^\s?(?:/|per\s)\s?(?:100\s?(?:g|gm|grams?|ml)|\d*\s?(?:kcal|kj|MJ))\b"
    # ... but a drug made up in a diluent is a dose ("1 g/100 ml 0.9% saline")
    r"(?!\s*(?:of\s+)?(?:\d+(?:\.\d+)?\s?%\s*)?(?:normal\s+)?(?:saline|water|dextrose|glucose"
    r"|sodium\s+chloride|NaCl|NS\b|solution|infusion|Ringer))",
    re.IGNORECASE,
)
_P_AFTER_RE = re.compile(r"^\s*[;,(\[]?\s*p\s?[=<>\u2264\u2265]", re.IGNORECASE)
# Words saying that what follows is a measured amount of drug, not the dose of
# the protocol ("fentanyl requirement was higher in group N (81 mcg vs. 114
# mcg)", "morphine consumption", "the ED50 of bupivacaine was 4.66 mg").
_RESULT_CUE_RE = re.compile(
    r"\b(?:requirements?|consumption(?!\s+of\b)|(?<![x\u00d7]\s)(?<![x\u00d7])(?:ED\s?50|ED\s?95|EC\s?50)"
    r"|MLAC|minimum\s+local\s+an(?:a)?esthetic\s+concentration)\b",
    re.IGNORECASE,
)
# ... unless the dose is given after the cue ("the primary outcome was morphine
# consumption; patients received ketamine 0.5 mg/kg").
_GIVEN_RE = re.compile(
    r"[;:]|\b(?:receiv\w*|given|gave|administ\w*|inject\w*|infus\w*|randomi[sz]\w*|assigned"
    r"|allocated|treated|took|taking)\b",
    re.IGNORECASE,
)
# Flow and clearance rates ("eGFR 60 ml/min/1.73 m2", "blood flow of 100
# ml/min") are no doses of a drug.
_NOT_DOSE_UNITS = frozenset({"ml/min", "ml/min/m2", "l/min"})
# An amount times hours is an exposure ("AUC 2.87 ng*h/ml"), not a dose.
_EXPOSURE_AFTER_RE = re.compile(r"^\s?(?:[\u2022\u00b7\u22c5*\u00d7x]\s?h\b|h\s?/)", re.IGNORECASE)
# Units of blood products and volumes of blood or urine are no doses of a drug
# ("26 units of PRBC", "blood loss was 1306 ml", "877 ml blood").
_BLOOD_AFTER_RE = re.compile(
    r"^\s*(?:of\s+)?(?:packed\s+|whole\s+)?(?:blood|red\s+(?:blood\s+)?cells|PRBCs?|RBCs?|FFP"
    r"|fresh\s+frozen\s+plasma|platelets|urine)\b",
    re.IGNORECASE,
)
_VOLUME_LOST_BEFORE_RE = re.compile(
    r"\b(?:loss(?:es)?|bleeding|blood|output|urine|drainage|drained|transfus\w*|residual)\b[^.;\d]{0,25}$",
    re.IGNORECASE,
)
# The load of a diagnostic test is no dose of a study drug ("a 75 g oral
# glucose tolerance test", "75-g OGTT", "a 600-kcal mixed-meal test").
_TEST_AFTER_RE = re.compile(
    r"^[\s-]*(?:oral\s+)?(?:glucose\s+(?:tolerance|challenge|load|drink)|(?-i:O?GTTs?)\b|mixed[\s-]meal"
    r"|meal\s+tolerance|lactulose\s+(?:breath|test))",
    re.IGNORECASE,
)
# "per 50 mmol", "per 100 ml": the denominator of a rate.
_PER_BEFORE_RE = re.compile(r"\bper\s*$", re.IGNORECASE)
# The three tests of the text right before an amount, in one search.
_NOT_DOSE_BEFORE_ANY_RE = re.compile(
    "|".join(
        f"(?:{rx.pattern})" for rx in (_NOT_DOSE_BEFORE_RE, _CHANGE_BEFORE_RE, _PER_BEFORE_RE)
    ),
    re.IGNORECASE,
)
# Every test of _NOT_DOSE_BEFORE_ANY_RE needs one of these words or a "+"/"\u00b1";
# most windows have none, and a set intersection is far cheaper than the search.
_NOT_DOSE_CUE_WORDS = frozenset(
    {
        "sd",
        "se",
        "by",
        "change",
        "changes",
        "reduction",
        "reductions",
        "increase",
        "increases",
        "decrease",
        "decreases",
        "difference",
        "differences",
        "loss",
        "gain",
        "level",
        "levels",
        "concentration",
        "concentrations",
        "intake",
        "excretion",
        "content",
        "vs",
        "versus",
        "compared",
        "per",
    }
)
_LOWER_WORD_RE = re.compile(r"[a-z]+")


def _not_dose_before(before: str) -> bool:
    """Whether the text right before an amount makes it no dose (see _NOT_DOSE_BEFORE_ANY_RE)."""
    low = before.lower()
    if (
        "+" not in low
        and "\u00b1" not in low
        and _NOT_DOSE_CUE_WORDS.isdisjoint(_LOWER_WORD_RE.findall(low))
    ):
        return False
    return _NOT_DOSE_BEFORE_ANY_RE.search(before) is not None


# A sign opening a bracket or clause, even spaced ("(+ 50.7 gm)", "(- 0.7
# gm)"), makes the amount a change; "quercetin + 250 mg vitamin C" joins drugs.
_SIGN_BEFORE_RE = re.compile(r"(?:^|[(\[,;:=])\s*(?:\+|[-\u2212](?=\s))\s*$")
# "reduced from 40 mg to 20 mg", "increased from 5 to 10 mg": two doses, one
# after the other, not a range ("ranging from 5 to 10 mg" is one).
_FROM_BEFORE_RE = re.compile(
    r"(?<!ranging )(?<!ranged )(?<!range )(?<!ranges )(?<!varied )(?<!varying )\bfrom\s*$",
    re.IGNORECASE,
)
_LIST_BEFORE_RE = re.compile(
    r"(?<![\w.,])(?P<list>\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*)\s*,?\s*(?:or|and|,)\s*$",
    re.IGNORECASE,
)
_NOT_LIST_CONTEXT_RE = re.compile(
    r"(?:weeks?|days?|months?|years?|visits?|n\s?=|=|:|groups?|arms?|patients)\s*$", re.IGNORECASE
)

FREQ_AFTER_WINDOW = 45
FREQ_BEFORE_WINDOW = 40
DURATION_WINDOW = 90


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    text: str


# _WORD_RE's words are the runs of ASCII letters and digits without their
# leading digits, when two characters or more are left. Runs are split as
# bytes (C-level; every non-ASCII character becomes one "?", so offsets stay).
_ALNUM_ELSE_SPACE = bytes(
    c if 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256)
)
_DIGIT_BYTES = b"0123456789"
_DIGIT_SET = frozenset(_DIGIT_BYTES)
_ALNUM_SET = frozenset(_ALNUM_ELSE_SPACE) - {32}


# Alphanumeric runs already classified (as ASCII bytes): the drug runs of a text
# are then one set intersection away.
_DRUG_RUNS: set[bytes] = set()
_OTHER_RUNS: set[bytes] = set()
_KNOWN_RUNS_MAX = 200_000


def _is_drug_run(run: bytes) -> bool:
    word = run.lstrip(_DIGIT_BYTES)
    return len(word) >= 2 and is_drug_word(word.decode("ascii"))


def _drug_word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the ``_WORD_RE`` words of ``text`` that :func:`is_drug_word` accepts.

    Each distinct alphanumeric run is classified once (and remembered); only
    drug words are then located.
    """
    raw = text.encode("ascii", "replace")
    runs = set(raw.translate(_ALNUM_ELSE_SPACE).split())
    unknown = runs - _DRUG_RUNS - _OTHER_RUNS
    if unknown:
        if len(_OTHER_RUNS) > _KNOWN_RUNS_MAX:
            _OTHER_RUNS.clear()
        for run in unknown:
            (_DRUG_RUNS if _is_drug_run(run) else _OTHER_RUNS).add(run)
    words = {run.lstrip(_DIGIT_BYTES) for run in runs & _DRUG_RUNS}
    if not words:
        return []
    n = len(raw)
    out = []
    for word in words:
        k = len(word)
        i = raw.find(word)
        while i >= 0:
            if i + k >= n or raw[i + k] not in _ALNUM_SET:
                j = i
                while j > 0 and raw[j - 1] in _DIGIT_SET:
                    j -= 1
                if j == 0 or raw[j - 1] not in _ALNUM_SET:
                    out.append((i, i + k))
            i = raw.find(word, i + 1)
    return out


_MULTI_LOWER = tuple(n.lower() for n in _MULTI_NAMES)


def _multi_drug_spans(text: str) -> list[tuple[int, int]]:
    """The :data:`MULTI_DRUG_RE` matches of ``text``, found with ``str.find``.

    A handful of names looked for one by one is far cheaper than the
    alternation tried at every position; overlaps resolve as ``finditer``
    would (leftmost, then longest: the names are sorted longest first).
    """
    low = text.lower()
    if len(low) != len(text):
        return [m.span() for m in MULTI_DRUG_RE.finditer(text)]
    hits = []
    n = len(low)
    for name in _MULTI_LOWER:
        k = len(name)
        i = low.find(name)
        while i >= 0:
            before = low[i - 1] if i else " "
            after = low[i + k] if i + k < n else " "
            if not (before.isalnum() or before in "_-") and not (after.isalnum() or after == "_"):
                hits.append((i, -k))
            i = low.find(name, i + 1)
    out: list[tuple[int, int]] = []
    for i, negk in sorted(hits):
        if out and i < out[-1][1]:
            continue
        out.append((i, i - negk))
    return out


def find_drugs(text: str, extra: Iterable[tuple[int, int]] = ()) -> list[_Mention]:
    """Drug-name mentions in ``text`` (lexicon, stems, codes) plus ``extra`` spans, in order.

    Words are checked one by one against a set and a tuple of stem endings,
    which is far faster than one regular expression with hundreds of
    alternatives tried at every position.
    """
    found: set[tuple[int, int]] = set(extra)
    found.update(_drug_word_spans(text))
    found.update(_multi_drug_spans(text))
    for m in DRUG_CODE_RE.finditer(text):
        found.add(m.span())
    # A name inside a longer found name ("insulin" in "insulin glargine" is not
    # in the lexicon as one, but "5-fluorouracil" contains "fluorouracil") goes.
    # Sorted by start, longest first: a span inside the previous kept one goes.
    kept: list[_Mention] = []
    for s, e in sorted(found, key=lambda se: (se[0], -se[1])):
        if kept and e <= kept[-1].end:
            continue
        letter = _LETTER_AFTER_RE.match(text, e)
        if letter is not None:
            e = letter.end()
        kept.append(_Mention(s, e, text[s:e]))
    return kept


def _sentence_of(
    bounds: Sequence[tuple[int, int]], pos: int, length: int, starts: Sequence[int] | None = None
) -> tuple[int, int]:
    if not bounds:
        return 0, length
    if starts is None:
        starts = [b[0] for b in bounds]
    i = max(0, bisect.bisect_right(starts, pos) - 1)
    return bounds[i]


# A word picked only by its place ("20 g" after "ingested immediately", "10 ml"
# after "applied") names no drug when it is an adverb or a verb form; lexicon
# drugs and seed oils ("linseed") keep their name.
_VERB_OR_ADVERB_RE = re.compile(r"(?:ly|ing|ed)$", re.IGNORECASE)


def _plain_word_drug(word: str) -> bool:
    """Whether a word found only by its position may name the drug of an amount."""
    low = word.lower()
    if low in _NOT_DRUGS:
        return False
    if is_drug_word(low) or low.endswith("seed"):
        return True
    return _VERB_OR_ADVERB_RE.search(low) is None


# An unknown name right after an amount in a list ("12 mg beta-carotene").
_LIST_WORD_AFTER_RE = re.compile(r"\s([A-Za-z][A-Za-z0-9-]{3,})\b")


def _drug_for(
    norm: str, start: int, end: int, drugs: Sequence[_Mention], sent: tuple[int, int]
) -> tuple[str | None, bool]:
    """Pick the drug of the amount at ``start:end``; also say whether it is written adjacent."""
    s0, s1 = sent
    before = [d for d in drugs if s0 <= d.start and d.end <= start]
    after = [d for d in drugs if end <= d.start and d.end <= s1]
    after_adjacent = bool(after) and _GAP_AFTER_RE.match(norm[end : after[0].start]) is not None
    if before and _GAP_BEFORE_RE.match(norm[before[-1].end : start]):
        # In a list of amounts each before its own drug ("288 mg vitamin E,
        # 375 mg vitamin C"), the drug before the comma is the last one's.
        listed = "," in norm[before[-1].end : start]
        if not listed:
            return before[-1].text, True
        if not after_adjacent:
            named = _LIST_WORD_AFTER_RE.match(norm, end, s1)
            if (
                named is None
                or not _plain_word_drug(named.group(1))
                or FREQUENCY_RE.match(norm, named.start(1))
            ):
                return before[-1].text, True
            return named.group(1), False
    if after_adjacent:
        return after[0].text, True
    m = _WORD_AFTER_OF_RE.match(norm[end:s1])
    if m and _plain_word_drug(m.group(1)):
        if m.group(1).lower() in _SALT_WORDS and m.group(2):
            return f"{m.group(1)} {m.group(2)}", False  # "of sodium aurothiomalate"
        return m.group(1), False
    if m and m.group(2) and _VERB_OR_ADVERB_RE.search(m.group(1)):
        # "10 ml of distilled water": what the amount is of is named here,
        # so no drug further on is taken for it.
        return (m.group(2), False) if _plain_word_drug(m.group(2)) else (None, False)
    window_start = max(s0, start - 40)
    m = _WORD_BEFORE_RE.search(norm, window_start, start)
    if m and _plain_word_drug(m.group(1)) and not m.group(1)[0].isdigit():
        word = m.group(1)
        if word.lower() in _SALT_WORDS:
            w = _WORD_THEN_SALT_RE.search(norm, max(s0, m.start(1) - 30), m.start(1))
            # A salt alone ("sodium 300 mg") names no drug.
            word = "" if w is None or w.group(1).lower() in _NOT_DRUGS else f"{w.group(1)} {word}"
        if word:
            return word, False
    m = _DOSE_OF_BEFORE_RE.search(norm, max(s0, start - 60), start)
    if m and _plain_word_drug(m.group(1)) and (not before or before[-1].end <= m.start(1)):
        return m.group(1), False
    if before:
        return before[-1].text, False
    if after:
        return after[0].text, False
    return None, False


def _percent_is_dose(
    norm: str, start: int, end: int, drugs: Sequence[_Mention], adjacent: bool, value: float
) -> bool:
    """A percentage is a dose only as a concentration written next to its drug.

    It must be a plausible strength of a drug product (at most 10%: "50%
    insulin lispro" in a premix and "dorzolamide 37% versus ..." are not),
    with the drug right after ("0.005% latanoprost") or right before and not
    in brackets ("dapagliflozin (9.8%)" is a result).
    """
    if not adjacent or value > 10:
        return False
    after = [d for d in drugs if d.start >= end]
    if after and _TIGHT_GAP_AFTER_RE.match(norm[end : after[0].start]):
        return True
    before = [d for d in drugs if d.end <= start]
    gap = norm[before[-1].end : start] if before else ""
    return bool(before) and "(" not in gap and _GAP_BEFORE_RE.match(gap) is not None


# What may stand between a route word and the drug it belongs to ("oral
# sitagliptin", "intravenous (IV) diazepam", "subcutaneous injection of exenatide").
_ROUTE_DRUG_GAP_RE = re.compile(
    r"^\s*(?:\([^()]{0,12}\)\s*)?(?:(?:injections?|infusions?|administration|bolus|doses?"
    r"|tablets?|capsules?)\s+(?:of\s+)?)?$",
    re.IGNORECASE,
)


def _from_to_first(norm: str, m: re.Match[str]) -> tuple[int, int, float, str | None] | None:
    """The first dose of "from 40 mg to 20 mg" (start, end, value, unit if written), or ``None``."""
    if not m.group("v2") or m.group("between") or m.group("qual"):
        return None
    first_end = m.end("u1") if m.group("u1") else m.end("v1")
    if norm[first_end : m.start("v2")].strip().lower() != "to":
        return None
    if not _FROM_BEFORE_RE.search(norm, max(0, m.start() - 20), m.start()):
        return None
    unit = None
    if m.group("u1"):
        own = DOSE_RE.match(norm, m.start("v1"), first_end)
        parsed = dose_from_match(own)[0] if own is not None else None
        if parsed is None:
            return None
        unit = parsed.unit
    return m.start("v1"), first_end, float(m.group("v1").replace(",", "")), unit


_ROUTE_OF_DUMMY_RE = re.compile(
    r"\s*(?:\([^()]{0,12}\)\s*)?(?:matching\s+)?(?:placebo|saline|vehicle|sham)\b", re.IGNORECASE
)


def _route_for(
    norm: str,
    start: int,
    end: int,
    drug: str | None,
    routes: Sequence[tuple[int, int, str]],
    drugs: Sequence[_Mention],
    sent: tuple[int, int],
) -> str | None:
    """The route of the dose at ``start:end``: the nearest in its sentence.

    A route written right before the dose's own drug wins ("subcutaneous
    denosumab 120 mg and intravenous placebo"); one written right before
    another drug or a placebo ("... or once-daily oral sitagliptin 50 mg")
    belongs to that one, not to this dose.
    """
    best: tuple[int, str] | None = None
    for r0, r1, name in routes:
        if r0 < sent[0] or r1 > sent[1]:
            continue
        owner = next(
            (
                d
                for d in drugs
                if r1 <= d.start <= r1 + 40 and _ROUTE_DRUG_GAP_RE.match(norm[r1 : d.start])
            ),
            None,
        )
        if owner is None and _ROUTE_OF_DUMMY_RE.match(norm, r1):
            owner = _Mention(r1, r1, "placebo")  # "intravenous placebo": the route of the dummy
        if owner is not None and drug is not None:
            if not _same_drug(owner.text, drug):
                continue
            # "subcutaneous denosumab 120 mg", "1 mg oral anastrozole": written with the dose.
            if (owner.end <= start and _GAP_BEFORE_RE.match(norm[owner.end : start])) or (
                end <= r0 and not norm[end:r0].strip()
            ):
                return name
        distance = min(abs(r0 - end), abs(start - r1))
        if best is None or distance < best[0]:
            best = (distance, name)
    return best[1] if best else None


def _same_drug(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a


# The product written after an amount does not count against the frequency
# window ("timolol 0.25% ophthalmic solution (1 drop per treated eye BID)").
_FORM_AFTER_RE = re.compile(
    r"\s*(?:ophthalmic\s+(?:solution|suspension|gel|emulsion)|eye\s?drops?|tablets?|capsules?"
    r"|oral\s+(?:solution|suspension)|nasal\s+spray|cream|ointment|gel)\b",
    re.IGNORECASE,
)


_STEP_BEFORE_RE = re.compile(
    r"\b(?:increas\w*|titrat\w*|escalat\w*|uptitrat\w*|raised|doubled|reduced|tapered)\s+$",
    re.IGNORECASE,
)


_NEW_CLAUSE_RE = re.compile(r";|,\s+(?:and|but|whereas|while)\s")


def _frequency(norm: str, start: int, end: int, lo: int, hi: int) -> str | None:
    form = _FORM_AFTER_RE.match(norm, end, hi)
    after = form.end() if form else end
    window = norm[end : min(hi, after + FREQ_AFTER_WINDOW)]
    # A frequency after a new clause belongs to something else ("4 g oil per
    # day for 8 weeks, and weekly fish intake was recorded").
    for clause in _NEW_CLAUSE_RE.finditer(window):
        rest = window[clause.end() :]
        if (
            clause.group() == ";"
            and rest.find(")") != -1
            and rest.find(")") < (rest + "(").find("(")
        ):
            continue  # inside brackets: "(5 g; n = 59) daily"
        window = window[: clause.start()]
        break
    for m in FREQUENCY_RE.finditer(window):
        if _STEP_BEFORE_RE.search(window, 0, m.start()):
            continue  # "10 ug initially, increased weekly": how often the dose changes
        freq = parse_frequency(m.group())
        if freq:
            return freq
    left_start = max(lo, start - FREQ_BEFORE_WINDOW)
    found = None
    for m in FREQUENCY_RE.finditer(norm[left_start:start]):
        found = parse_frequency(m.group()) or found
    return found


def _duration(norm: str, end: int, hi: int) -> str | None:
    m = DURATION_RE.search(norm[end : min(hi, end + DURATION_WINDOW)])
    return _duration_from_match(m) if m else None


# Cheap first pass: a digit followed (closely) by something that starts a unit.
# (The lookahead lets most digits fail on one character test: every
# alternative starts with one of its characters.)
_DOSE_HINT_RE = re.compile(
    r"\d\s?-?\s?(?=[%\u00b5\u03bcmugnicp])(?:[%\u00b5\u03bc]|mg|mcg|ug|ng|ml|iu|i\.u|u\b|units?|mmol|micro|milli|percent|per\s+cent"
    r"|g\b|gm|gram|cc\b|international)",
    re.IGNORECASE,
)
# A dose amount starts at most this far before its first unit hint ("between
# 1,000 and 2,000 mg", "up to a maximum of 2 g").
_HINT_BEFORE = 40
# Where DOSE_RE can start: its own opening lookahead and lookbehinds.
_DOSE_START_RE = re.compile(r"(?=[\d.<>~\u2264\u2265aAuUmMbB])(?<![\w.,/])(?<!\d )")


def _dose_matches(norm: str) -> list[re.Match[str]]:
    """:data:`DOSE_RE` matches, tried only at possible starts shortly before a unit hint.

    Leftmost first and without overlaps, as ``finditer`` would give them.
    """
    ranges: list[list[int]] = []
    for h in _DOSE_HINT_RE.finditer(norm):
        lo, hi = max(0, h.start() - _HINT_BEFORE), h.start()
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1][1] = hi
        else:
            ranges.append([lo, hi])
    return match_at_starts(DOSE_RE, _DOSE_START_RE, norm, ranges)


def find_doses(
    text: str,
    sentences: Sequence[tuple[int, int]] = (),
    extra_drugs: Iterable[tuple[int, int]] | Callable[[], Iterable[tuple[int, int]]] = (),
) -> list[dict[str, Any]]:
    """Find administered doses in raw text (no spaCy, no negation check).

    Parameters
    ----------
    text:
        The document text.
    sentences:
        ``(start, end)`` of each sentence, in order; the whole text is one
        sentence when empty.
    extra_drugs:
        Further drug-name spans (e.g. abbreviations whose long form is a drug),
        or a function returning them (called only when the text has an amount).

    Returns
    -------
    list[dict]
        Contract dicts ``{"drug", "value", "value_max", "unit", "frequency",
        "duration", "route", "start", "end", "text"}`` in text order;
        ``start:end`` covers the amount and unit ("0.5-1.5 mg/kg/day").
    """
    norm = normalise(text)
    matches = _dose_matches(norm)
    if not matches and not _COMBINATION_RE.search(norm):
        return []
    starts = [b[0] for b in sentences]
    # Drug names and routes matter only in sentences that hold a dose: they are
    # looked for the first time a sentence needs them.
    sentence_drugs: dict[tuple[int, int], list[_Mention]] = {}
    sentence_routes: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    known: dict[str, Any] = {}

    def drugs_in(sent: tuple[int, int]) -> list[_Mention]:
        found = sentence_drugs.get(sent)
        if found is None:
            if "extra" not in known:
                known["extra"] = sorted(extra_drugs() if callable(extra_drugs) else extra_drugs)
            s0, s1 = sent
            local = [(a - s0, b - s0) for a, b in known["extra"] if s0 <= a and b <= s1]
            found = [
                _Mention(d.start + s0, d.end + s0, d.text) for d in find_drugs(norm[s0:s1], local)
            ]
            sentence_drugs[sent] = found
        return found

    def routes_in(sent: tuple[int, int]) -> list[tuple[int, int, str]]:
        found = sentence_routes.get(sent)
        if found is None:
            if "eye" not in known:
                known["eye"] = is_eye_text(norm)
            s0, s1 = sent
            found = [
                (a + s0, b + s0, r) for a, b, r in find_routes(norm[s0:s1], eye_text=known["eye"])
            ]
            sentence_routes[sent] = found
        return found

    out: list[dict[str, Any]] = []
    for i, m in enumerate(matches):
        dose, _reason = dose_from_match(m)
        first = _from_to_first(norm, m)
        if first is not None:
            second = DOSE_RE.match(norm, m.start("v2"))
            dose = dose_from_match(second)[0] if second is not None else None
            if dose is not None and first[3] not in (None, dose.unit):
                dose = None  # "from 40 mg to 2 g": not one unit
        if dose is None:
            continue
        start = m.start("between") if m.group("between") else m.start("v1")
        end = m.end()
        sent = _sentence_of(sentences, start, len(text), starts)
        before = norm[max(sent[0], start - 30) : m.start()]
        if _not_dose_before(before):
            continue
        if m.group("unit") == "G":
            continue  # "a 19-G epidural catheter", "25 G needle": a gauge, not grams
        if dose.unit in _NOT_DOSE_UNITS or _EXPOSURE_AFTER_RE.match(norm[end : end + 4]):
            continue
        if _TEST_AFTER_RE.match(norm[end : end + 30]):
            continue
        # "x" stands for the text before the window: "^" is the sentence start only.
        lead = ("x" if start - 6 > sent[0] else "") + norm[max(sent[0], start - 6) : start]
        if _SIGN_BEFORE_RE.search(lead):
            continue
        if (dose.unit == "iu" or dose.unit.startswith("ml")) and _BLOOD_AFTER_RE.match(
            norm[end : end + 40]
        ):
            continue
        if dose.unit == "ml" and _VOLUME_LOST_BEFORE_RE.search(
            norm[max(sent[0], start - 40) : start]
        ):
            continue
        if _ESTIMATE_AFTER_RE.match(norm[end : end + 30]) or _is_measured(norm, sent[0], start):
            continue
        if _FOOD_CONTENT_AFTER_RE.match(norm[end : end + 40]):
            continue
        if _SUMMARY_BEFORE_RE.search(norm[max(sent[0], start - 30) : start]):
            continue
        if dose.qualifier in {">=", ">", "<", "<="} and not (
            (m.group("qual") or "").lower().startswith("up")
            and _TITRATED_UP_TO_RE.search(norm[max(sent[0], m.start() - 40) : m.start()])
        ):
            continue  # "metformin >=1500 mg/day": an eligibility threshold, not the dose given
        if start > 0 and norm[start - 1] in "-+" and (start < 2 or not norm[start - 2].isalnum()):
            continue  # a signed amount ("-1.01 U") is a change, not a dose
        if dose.unit.startswith("iu") and _DOSE_OUTCOME_RE.search(norm[sent[0] : start]):
            continue
        drugs = drugs_in(sent)
        drug, adjacent = _drug_for(norm, start, end, drugs, sent)
        if (
            _P_AFTER_RE.match(norm[end : end + 12])
            and not adjacent
            and not (
                drug and norm[max(0, start - len(drug) - 3) : start].rstrip(" ,(").endswith(drug)
            )
        ):
            continue
        if dose.unit == "%" and not _percent_is_dose(norm, start, end, drugs, adjacent, dose.value):
            continue
        if dose.unit.endswith("/ml") and not (
            adjacent or _CONC_NEXT_RE.match(norm[end : end + 20])
        ):
            continue
        prev_end = matches[i - 1].end() if i else sent[0]
        next_start = matches[i + 1].start() if i + 1 < len(matches) else sent[1]
        hi = min(sent[1], next_start)
        frequency = _frequency(norm, start, end, max(sent[0], prev_end), hi)
        duration = _duration(norm, end, hi)
        route = _route_for(norm, start, end, drug, routes_in(sent), drugs, sent)
        values: list[tuple[int, int, float, float | None]] = [
            (start, end, dose.value, dose.value_max)
        ]
        if first is not None:
            values = [(first[0], first[1], first[2], None), (m.start("v2"), end, dose.value, None)]
        elif not m.group("v2") and not m.group("qual"):
            lo = max(sent[0], start - 40)
            lm = _LIST_BEFORE_RE.search(norm[lo:start])
            if lm and not _NOT_LIST_CONTEXT_RE.search(
                norm[max(sent[0], start - 60) : lo + lm.start()]
            ):
                for nm in re.finditer(r"\d+(?:\.\d+)?", lm.group("list")):
                    s = lo + lm.start("list") + nm.start()
                    values.append((s, s + len(nm.group()), float(nm.group()), None))
        for s, e, value, value_max in sorted(values):
            out.append(
                {
                    "drug": drug,
                    "value": value,
                    "value_max": value_max,
                    "unit": dose.unit,
                    "frequency": frequency,
                    "duration": duration,
                    "route": route,
                    "start": s,
                    "end": e,
                    "text": text[s:e],
                }
            )
    out += _combination_doses(text, norm, sentences, starts, drugs_in, routes_in)
    out.sort(key=lambda d: (d["start"], d["end"]))
    return out


# A fixed combination names both drugs and both amounts with slashes
# ("mometasone/formoterol 200/5 ug twice daily"): each amount belongs to the
# drug in the same place. Both names must be drugs; the unit is shared.
_COMBINATION_RE = re.compile(
    r"(?<![\w./])(?P<v1>\d+(?:\.\d+)?)\s?/\s?(?P<v2>\d+(?:\.\d+)?\s?(?:mg|mcg|ug|\u00b5g|\u03bcg)\b)",
    re.IGNORECASE,
)
_COMBINATION_PAIR_GAP_RE = re.compile(r"^\s?/\s?$")
# What may stand between the named pair and its amounts: a device or product
# word ("pMDI", "SPC") and an opening bracket.
_COMBINATION_GAP_RE = re.compile(r"^\s*(?:[A-Za-z]{2,6}\s*)?[(,:]?\s*$")


def _combination_doses(
    text: str,
    norm: str,
    sentences: Sequence[tuple[int, int]],
    starts: Sequence[int],
    drugs_in: Callable[[tuple[int, int]], list[_Mention]],
    routes_in: Callable[[tuple[int, int]], list[tuple[int, int, str]]],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in _COMBINATION_RE.finditer(norm):
        sent = _sentence_of(sentences, m.start(), len(text), starts)
        drugs = [d for d in drugs_in(sent) if d.end <= m.start()]
        if len(drugs) < 2:
            continue
        first, second = drugs[-2], drugs[-1]
        if not (
            _COMBINATION_PAIR_GAP_RE.match(norm[first.end : second.start])
            and _COMBINATION_GAP_RE.match(norm[second.end : m.start()])
        ):
            continue
        # (a slice: DOSE_RE does not start right after a slash)
        if _not_dose_before(norm[max(sent[0], first.start - 30) : first.start]) or (
            _ESTIMATE_AFTER_RE.match(norm[m.end() : m.end() + 30])
            or _is_measured(norm, sent[0], first.start)
        ):
            continue
        second_match = DOSE_RE.fullmatch(m.group("v2"))
        dose = dose_from_match(second_match)[0] if second_match is not None else None
        if dose is None or dose.value_max is not None or dose.qualifier:
            continue
        frequency = _frequency(norm, m.start(), m.end(), sent[0], sent[1])
        duration = _duration(norm, m.end(), sent[1])
        # One product, one route: the route of the first name holds for both.
        route = _route_for(norm, m.start(), m.end(), first.text, routes_in(sent), drugs, sent)
        amounts = (
            (first, m.start("v1"), m.end("v1"), float(m.group("v1"))),
            (second, m.start("v2"), m.end(), dose.value),
        )
        for drug, s, e, value in amounts:
            out.append(
                {
                    "drug": drug.text,
                    "value": value,
                    "value_max": None,
                    "unit": dose.unit,
                    "frequency": frequency,
                    "duration": duration,
                    "route": route,
                    "start": s,
                    "end": e,
                    "text": text[s:e],
                }
            )
    return out


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    if not doc.has_annotation("SENT_START"):
        return [(0, len(doc_text(doc)))]
    return sentence_bounds(doc)


def _abbreviation_drugs(doc: Doc) -> list[tuple[int, int]]:
    """Short forms whose long form is a drug name ("metformin (MET)")."""
    found = doc.user_data.get(ABBREVIATIONS_KEY)
    if found is not None:
        text = doc_text(doc)
        return [(s, e) for s, e, ls, le in found if _names_a_drug(text[ls:le])]
    if not Span.has_extension("long_form") or not Doc.has_extension("abbreviations"):
        return []
    out: list[tuple[int, int]] = []
    for short in doc._.abbreviations:
        long_form = short._.long_form
        if long_form is not None and _names_a_drug(long_form.text):
            out.append((short.start_char, short.end_char))
    return out


@lru_cache(maxsize=16384)
def _names_a_drug(phrase: str) -> bool:
    return bool(find_drugs(phrase))


def _is_measured(norm: str, lo: int, start: int) -> bool:
    """Whether a result cue ("requirement", "consumption", "ED50") governs ``start``.

    The last cue before the amount counts unless a dose is given after it.
    """
    low = norm[lo:start].lower()
    if not (
        any(cue in low for cue in ("requirement", "consumption", "mlac", "minimum"))
        or (("50" in low or "95" in low) and ("ed" in low or "ec" in low))
    ):
        return False  # none of the cues can be there: skip the search
    last = None
    for last in _RESULT_CUE_RE.finditer(norm, lo, start):  # noqa: B007 - the last one counts
        pass
    return last is not None and _GIVEN_RE.search(norm, last.end(), start) is None


def _closed_aside(sentence: str, cue: str, start: int) -> bool:
    """Whether the last ``cue`` before ``start`` sits in brackets closed before it.

    "switched (without washout) to bimatoprost 0.03%": the negation is an aside.
    """
    at = sentence.rfind(cue, 0, start)
    if at < 0:
        return False
    between = sentence[at:start]
    return between.count(")") + between.count("]") > between.count("(") + between.count("[")


def _doses_of(doc: Doc) -> list[dict[str, Any]]:
    # Only cues BEFORE the dose count: "latanoprost 0.005% is not inferior"
    # negates the comparison, not the dose that was given.
    from miner.extract.negation import negation_cue

    text = doc_text(doc)
    bounds = _sentence_bounds(doc)
    found = find_doses(text, bounds, lambda: _abbreviation_drugs(doc))
    starts = [b[0] for b in bounds]
    out = []
    for d in found:
        s0, s1 = _sentence_of(bounds, d["start"], len(text), starts)
        sentence = text[s0:s1]
        cue = negation_cue(sentence, d["start"] - s0, d["end"] - s0, after=0)
        if (
            cue is not None
            and re.sub(r"\s+", " ", cue.lower()) in _NEGATION_CUES
            and not (
                cue.lower() == "without" and _WITH_OR_WITHOUT_RE.search(sentence[: d["start"] - s0])
            )
            and not _closed_aside(sentence, cue, d["start"] - s0)
        ):
            continue
        out.append(d)
    return out


class DoseComponent:
    """Append a ``DOSE`` span for every administered dose (see the module docstring)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        doses = _doses_of(doc)
        # The collector reads the parsed fields back instead of finding every
        # dose again; the cache lives on this document only.
        doc.user_data[_CACHE_KEY] = doses
        for dose in doses:
            span = doc.char_span(dose["start"], dose["end"], label=LABEL, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        add_spans(doc, spans)
        return doc


@Language.factory("miner_dose")
def make_dose(nlp: Language, name: str) -> DoseComponent:
    """spaCy factory of the dose component (no settings: the patterns are data)."""
    return DoseComponent(nlp, name)


def collect_doses(doc: Doc) -> list[dict[str, Any]]:
    """Turn the ``DOSE`` spans of ``doc`` into contract dicts.

    The fields (drug, frequency, duration, route) are recomputed from the
    text around each span, which is deterministic, so nothing but the span
    has to survive ``nlp.pipe`` or ``DocBin``.

    Returns
    -------
    list[dict]
        ``{"drug", "value", "value_max", "unit", "frequency", "duration",
        "route", "start", "end", "text"}`` per dose, in text order, with
        ``text == doc.text[start:end]``.
    """
    if SPAN_KEY not in doc.spans:
        return []
    spans = [(a, b) for label, a, b, _kb_id in span_list(doc) if label == LABEL]
    if not spans:
        return []
    cached = doc.user_data.get(_CACHE_KEY)
    found = cached if isinstance(cached, list) else _doses_of(doc)
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for span_start, span_end in spans:
        # Two doses may share one token ("160/4.5 ug"): each span takes the
        # first dose inside it that no other span took.
        for i, dose in enumerate(found):
            if i not in used and span_start <= dose["start"] and dose["end"] <= span_end:
                used.add(i)
                out.append(dict(dose))
                break
    out.sort(key=lambda d: (d["start"], d["end"]))
    return out
