"""Outcome values per arm: mean ± SD, mean (SD), median (IQR), events/total, n (%).

The component ``miner_arm_value`` finds the values with compiled regular
expressions over each sentence's raw text and appends one ``ARM_VALUE`` span
per value to ``doc.spans["miner"]``; :func:`collect_arm_values` turns those
spans into the ``arm_values`` list of the ``miner extract`` contract, each
tied to the arm the sentence names for it ("in the ketamine group", "ketamine:
3.1 ± 1.2 vs placebo: 4.0 ± 1.1", "18% and 27% in groups A and B,
respectively") and to the sentence's time point.

What is *not* an arm value: numbers inside effect estimates and their CIs
(those belong to :mod:`miner.extract.effect`), p-values, "n = 21" arm sizes,
doses ("10/20 mg"), ratios written like blood pressure ("120/80"), thresholds
("HbA1c < 7%"), and planned values in power calculations. A bare percentage
is kept only when the sentence ties it to an arm, because untied percentages
are mostly thresholds, relative changes and eligibility criteria. Values that
describe the sample rather than an outcome are dropped too: means and medians
of age, BMI, follow-up or baseline scores, counts of who took part ("65 (81%)
completed"), and, in the component, any value without an arm in a sentence
that compares nothing.

Arms are found, in order of trust, from "respectively" lists, comparison
frames ("higher with X than with Y (66% vs 20%)"), the words right before or
after a value ("in the X group", "X: 3.1", "of patients treated with X"),
labels beside each value of a pair ("(X, 26%; Y, 22%)", "15% (X) and 30%
(Y)"), two treatments written as the subject, and as many group mentions as
values. A value gets no arm rather than a doubtful one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from miner.extract.doctext import doc_text, span_list
from miner.extract.dose import is_drug_word
from miner.extract.effect import (
    CI_WORD,
    DASHES,
    PAIR,
    SIGNED,
    SPAN_KEY,
    add_spans,
    find_effects,
    find_timepoint,
    is_hedged,
    make_span,
    outcome_before,
    p_matches,
    parse_num,
    parse_p,
    sentence_bounds,
    timepoint_days,
)
from miner.extract.scan import CASE_ODD, matches_at, may_contain

LABEL = "ARM_VALUE"
KINDS = ("mean", "median", "events", "percent")


class _EndPattern:
    """A pattern that ends its text (``...\\s*$``), tried only when the text ends as it can.

    ``re`` tries such a pattern at every position of the text before it
    fails; most texts end in none of the characters or words the pattern can
    end in, and a look at the text's last word says so for far less. ``chars``
    are the characters the pattern's last non-space character can be,
    ``words`` (lower case) the words it can end in, ``digit`` whether it can
    end in a digit, ``short`` the length up to which any word can end it and
    ``tails`` the words it can end in glued to a word character before them
    ("groupof", "2and": the pattern lets a space be left out). A word that is
    not ASCII always tries the pattern, as ``re`` matches a few other letters
    to ASCII ones ignoring case.
    """

    __slots__ = ("chars", "digit", "rx", "short", "tails", "words")

    def __init__(
        self,
        rx: re.Pattern[str],
        chars: str = "",
        words: str = "",
        digit: bool = False,
        short: int = 0,
        tails: str = "",
    ) -> None:
        self.rx = rx
        self.chars = chars
        self.words = frozenset(words.split())
        self.digit = digit
        self.short = short
        self.tails = tuple(tails.split())

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """``rx.search(text, pos, endpos)``, or ``None`` when the text cannot end a match."""
        end = len(text) if endpos is None else min(endpos, len(text))
        while end > pos and text[end - 1].isspace():
            end -= 1
        if end <= pos:
            return None  # every form needs a character other than a space
        last = text[end - 1]
        if not (last in self.chars or (self.digit and last.isdecimal())):
            if not ((self.words or self.tails or self.short) and (last.isalnum() or last == "_")):
                return None
            start = end - 1
            while start > pos and (text[start - 1].isalnum() or text[start - 1] == "_"):
                start -= 1
            word = text[start:end]
            if word.isascii() and len(word) > self.short:
                low = word.lower()
                if low not in self.words and not low.endswith(self.tails):
                    return None
        if endpos is None:
            return self.rx.search(text, pos)
        return self.rx.search(text, pos, endpos)


_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_TENS.update({"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
_WORD_NUMBERS.update(_TENS)
# "Twenty-one (22%)", "Thirty five of 40": the tens take their unit along, so
# that the "one" of "Twenty-one" is never read alone
_WORD_NUM = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine)\b)?|"
    + "|".join(sorted(_WORD_NUMBERS.keys() - _TENS.keys(), key=len, reverse=True))
    + r")"
)
_INT = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_PM = r"(?:\u00b1|\+\s?/\s?[-\u2212\u2013]|\+\s?[-\u2212]|[-\u2212]\s?/\s?\+)"
# Units an outcome value may carry; a dose unit alone ("10 mg") is not one.
_OUT_UNIT = (
    r"(?:(?:[a-zA-Z\u00b5\u03bc]{1,5}\s?/\s?[a-zA-Z0-9.]{1,6}(?:\s?/\s?[a-zA-Z0-9.]{1,6})?)"
    r"|mm\s?Hg|cmH2O|hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|"
    r"minutes?|mins?|min|seconds?|secs?|s|kg|g|ml|mL|L|dl|dL|cm|mm|m|km|kcal|bpm|"
    r"points?|units?|episodes?|euros?|EUR|USD|dollars?|ms|mmol|ng|pg|lbs?|nodes)"
)
_DOSE_UNIT = re.compile(
    r"^(?:mg|mcg|ug|\u00b5g|\u03bcg|g|iu|u|units?)"
    r"(?:\s?/\s?(?:kg|day|d|m2|h|hr|min|dose|week|wk|cycle|course|infusion))*$",
    re.IGNORECASE,
)
# What follows the estimate of "(0.21; 0.05-0.96; ...)" or "(0.93; 95% CI,
# 0.87-0.98)" once the interval is masked: its bounds or a blank run
_ESTIMATE_REST = re.compile(
    r"^\s*[;,]\s*(?:\s{3}|[-\u2212]?\d+(?:[.\u00b7]\d+)?\s?(?:[-\u2013]|to)\s?[-\u2212]?\d)"
)
_LISTED_DOSE_AFTER = re.compile(
    r"^(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|to)\s)\s*\d+(?:[.\u00b7]\d+)?){1,4}"
    r"\s?(?:mg|mcg|ug|\u00b5g|\u03bcg|iu)\b",
    re.IGNORECASE,
)
_TIME_UNIT_RE = re.compile(
    r"^(?:hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|minutes?|mins?|min)$", re.I
)
# A unit between a value and its SD or bracket. Atomic: what follows it (a
# space, a bracket or a plus-minus sign) can never continue it, so giving
# characters back never finds another match, and ``re`` need not try.
_VUNIT = r"(?>(?:\s?(?:%|[a-zA-Z\u00b5\u03bc]{1,6}(?:\s?/\s?[a-zA-Z0-9.]{1,6}){0,2}))?)"
# The leading number of a value with a unit, SD or bracket after it, atomic
# for the same reason: a unit, a space, a bracket or a sign follows it
_LEAD = rf"(?>{SIGNED})"

# "95 deaths", "104 invasive cancers", "300 relapse events"
_EVENT_NOUNS = (
    r"(?:[A-Za-z-]+\s+){0,2}(?:deaths|events|cases|cancers|recurrences|relapses|infections|"
    r"episodes|fractures|responses|complications|readmissions|admissions|hospitali[sz]ations|"
    r"exacerbations|infarctions|strokes|seizures|falls|bleeds|hemorrhages|haemorrhages)"
)
_COUNT_NOUN = (
    r"(?:patients|participants|subjects|children|women|men|cases|eyes|deaths|events|"
    r"responders|relapses|recurrences|infections|episodes)"
)
# Alternatives are tried left to right at each position, so the longer forms
# ("30% (12/40)") come before the shorter ones ("30%").
# Every form but the bare number has one of these right after its leading
# number (or starts with a word number): checked once, it spares the bare
# numbers, most of the matches, a try of each longer form.
_NOT_BARE_GUARD = (
    rf"(?=[^\W\d_]|(?>(?:[{DASHES}]\s?)?[\d.\u00b7,]+)(?:\s?(?:%|per\s?cent)|\s{{0,2}}(?:/|of\b|out\b)"
    rf"|{_VUNIT}\s*(?:[(\[]|{_PM})"
    rf"|\s{_COUNT_NOUN}\s*[(\[]))"
)
_VALUE_SOURCE = (
    rf"(?<![\w.\u00b7/])(?:{_NOT_BARE_GUARD}(?:"
    # 30% (12/40)
    rf"(?P<pe_pct>\d+(?:[.\u00b7]\d+)?)\s?%\s*[(\[]\s*(?P<pe_ev>{_INT})\s?/\s?(?P<pe_tot>{_INT})\s*[)\]]"
    # 12/40 (30%) | 12 of 40 (30%) | seven of 67
    rf"|(?P<ev_ev>{_INT}|(?i:{_WORD_NUM}))\s?(?:/|\s(?:of|out\s+of)\s)\s?(?P<ev_tot>{_INT}|(?i:{_WORD_NUM})\b)(?![\d.,]\d|\s?/)"
    rf"(?:\s?(?:patients|participants|subjects|children|women|men|cases|eyes))?"
    rf"(?:\s*[(\[]\s*(?P<ev_pct>\d+(?:[.\u00b7]\d+)?)\s?%\s*[)\]])?"
    # 12.3 ± 4.1 | 12.3 +/- 4.1
    rf"|(?P<ms_m>{_LEAD}){_VUNIT}\s*{_PM}\s*(?P<ms_sd>\d+(?:[.\u00b7]\d+)?)"
    # 12.3 (SD 4.1) | 12.3 [SD: 4.1]
    rf"|(?P<psd_m>{_LEAD}){_VUNIT}\s*[(\[]\s*(?:SD|s\.d\.|standard\s+deviation)\s*[:=,]?\s*"
    rf"(?P<psd_sd>\d+(?:[.\u00b7]\d+)?)\s*[)\]]"
    # 5 (IQR 3-8) | 5 (3–8) | 5 [range 1 to 9]
    # (spaces taken whole: a CI blanked out by the masking leaves a long run
    # of them, and three optional runs in a row would share it out in every way)
    rf"|(?P<q_m>{_LEAD}){_VUNIT}\s*[(\[]\s*+(?P<q_word>IQR|interquartile\s+range|range|Q1\s?[{DASHES}]\s?Q3)?"
    rf"\s*+[:=,]?\s*+{PAIR}\s*[)\]]"
    # 8 (57%) of 14 patients
    rf"|(?P<nt_n>{_INT}|(?i:{_WORD_NUM}))\s*[(\[]\s*(?P<nt_pct>\d+(?:[.\u00b7]\d+)?)\s?%\s*[)\]]"
    rf"\s+(?:of|out\s+of)\s+(?:the\s+)?(?P<nt_tot>\d{{1,3}}(?:[,\s\u2009\u202f]\d{{3}})+(?!\d)|\d+"
    rf"|(?i:{_WORD_NUM})\b)(?![\d.,]\d|\s?/)"
    rf"(?:\s{_COUNT_NOUN})?"
    # 12 (30%) | 12 patients (30%) | 31 deaths (55%)
    rf"|(?P<np_n>{_INT}|(?i:{_WORD_NUM}))(?:\s{_COUNT_NOUN})?"
    rf"\s*[(\[]\s*(?P<np_pct>\d+(?:[.\u00b7]\d+)?)\s?%\s*[)\]]"
    # 12.3 (4.1)
    rf"|(?P<pp_m>{_LEAD}){_VUNIT}\s*\(\s*(?P<pp_sd>\d+(?:[.\u00b7]\d+)?)\s*\)"
    # 27.5%
    rf"|(?P<pc>\d+(?:[.\u00b7]\d+)?)\s?(?:%|per\s?cent\b)"
    # 2.0 kg | 8.5 months | 3.4 (kept only when paired or tied to an arm)
    rf")|(?P<bn>[-\u2212]?\d{{1,3}}(?:,\d{{3}})+|{SIGNED})(?![\d.\u00b7,]?\d)(?:\s?(?P<bn_unit>{_OUT_UNIT})(?![\w/]))?"
    r")"
)
_VALUE_RE = re.compile(_VALUE_SOURCE)
# Where a value may start: a character of the class the value pattern's
# digit lookahead used (the same class, "\u00b7-\u2212" range and all), not
# after a word character. ``re`` skips straight to the characters of a
# pattern that begins with a class; a pattern that begins with an assertion,
# as the value pattern must, is tried at every position of the sentence.
_DIGIT_START = re.compile(rf"[-\d.\u00b7{DASHES}](?<![\w.\u00b7/].)")
# Where a word number may start, in the lower-cased text: a pattern of
# literals lets ``re`` skip to their first letters
_WORD_START = re.compile("|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)))
_MEDIAN_CUE = re.compile(r"\bmedian|\bIQR\b|interquartile", re.IGNORECASE)
_SD_CUE = re.compile(r"\bmeans?\b|\bSD\b|standard\s+deviation|\u00b1|\+/-", re.IGNORECASE)
_SE_CUE = re.compile(r"\bSEM?\b|standard\s+error", re.IGNORECASE)
_THRESHOLD_BEFORE = _EndPattern(
    re.compile(
        r"(?:[<>\u2264\u2265]|\bor\s?=|\bthan|\bleast|\bmost|\bby|\bto|\bof|\bfrom|\bwithin|"
        r"\bover|\bunder|\babove|\bbelow|\bup|\bHbA1c|\bA1C|\bHbA\s?\(1c\))\s*$",
        re.IGNORECASE,
    ),
    chars="<>\u2264\u2265=)",
    words="than least most by to of from within over under above below up hba1c a1c",
)
_THRESHOLD_HARD = _EndPattern(
    re.compile(
        r"(?:[<>\u2264\u2265]|\bor\s?=|\bthan|\bleast|\bmost|\bup\s+to|\bHbA1c|\bA1C"
        r"|\bHbA\s?\(1c\))\s*$",
        re.IGNORECASE,
    ),
    chars="<>\u2264\u2265=)",
    words="than least most to hba1c a1c",
)
_AFTER_EVENTS_NOT = re.compile(
    r"^\s?(?:mg|g|ml|mcg|ug|µg|kg|mmhg|mm\s?hg|units?|iu|years?|months?|weeks?|days?|hours?|cm|mm)\b"
    # "one of two groups", "1 of 3 treatment arms": allocation, not events
    r"|^\s(?:(?!(?:in|of|on|the|with|for|at)\b)[\w-]+\s){0,2}(?:groups|arms|conditions|sequences|"
    r"strata|cohorts|registries|sites|centres|centers|regimens|schedules|treatments|interventions)\b",
    re.I,
)
# "1:2/3" and the second date of "between 09/92 and 12/96"
_RATIO_OR_DATE_BEFORE = re.compile(
    r"\d\s?[:/]\s*$|\b\d{1,2}/\d{2,4}\s*(?:and|to|until|-|\u2013)\s*$"
)
_NOT_RATIO_BEFORE = re.compile(
    r"(?:phase|grade|stage|type|kinase|CDK|[<>\u2264\u2265]|\bor\s?=|\binto|\bto\s+one)\s*$",
    re.IGNORECASE,
)
_N_EQUALS = re.compile(r"\b[nN]\s?=\s?\d+")
# "210 x 10(9)/l", "3.1 \u00d7 10^6": the power of ten is part of the unit,
# never a mean with its SD ("10 (9)")
_POWER_OF_TEN = re.compile(
    r"(?<=\d)\s?[x\u00d7]\s?10\s?(?:\(\s?[-\u2212]?\d+\s?\)|\^\s?[-\u2212]?\d+|"
    r"[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)"
)
# "(95% C.I 65.2, 98.0)": CI_WORD reads the abbreviation without its last full stop
_CI_REGION = re.compile(rf"{CI_WORD}\s*[:=,]?\s*(?:of|was|from)?\s*[(\[]?\s*{PAIR}")

# ---------------------------------------------------------------- arms
_STOP_ARM = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "with",
        "for",
        "to",
        "at",
        "on",
        "by",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
        "vs",
        "versus",
        "than",
        "both",
        "each",
        "all",
        "two",
        "three",
        "study",
        "trial",
        "this",
        "these",
        "as",
        "mean",
        "median",
        "average",
        "recipients",
        "users",
        "population",
        "sample",
        "patients",
        "participants",
        "subjects",
        "compared",
        "respectively",
        "group",
        "groups",
        "arm",
        "arms",
        "who",
        "which",
        "that",
        "received",
        "receiving",
        "given",
        "from",
        "after",
        "during",
        "significantly",
        "higher",
        "lower",
        "more",
        "less",
        "greater",
        "similar",
        "those",
    ]
)
_STOP_ALT = "|".join(sorted(_STOP_ARM, key=len, reverse=True))
# An arm word is any word but a function word, so that a leftmost regex match
# starts at the arm's first content word.
# A capital letter after a word ("drug A", "than B") names an arm, although
# "a" is an article.
_ARM_WORD = rf"(?<![\w'+/-])(?:(?<=[a-z]\s)[A-Z]\b|(?!(?i:{_STOP_ALT})\b)[A-Za-z][\w+\-/']*)"
_ARM_PHRASE = rf"{_ARM_WORD}(?:\s{_ARM_WORD}){{0,3}}"
_UNIT_AFTER = (
    r"(?:%|(?!(?:in|for|with|among|on|of|from|after|and|vs|versus|whereas|while|but|which|that|"
    r"who|where|when|compared|than|respectively|was|were|is|are|had|has|or|to|at|by|as)\b)"
    r"[a-zA-Z\u00b5\u03bc]{1,8}(?:\s?/\s?[a-zA-Z0-9.]{1,6}){0,2})"
)
_PEOPLE = r"(?:patients|participants|subjects|children|women|men|infants|adults)"
_ARM_AFTER = re.compile(
    rf"^\s*(?:{_UNIT_AFTER})?\s*[)\]]?\s*(?:\(\s*n\s?=\s?\d+\s*\)\s*)?,?\s*"
    rf"(?:(?:in|for|with|among|on|receiving|after)\s+(?:the\s+)?(?:(?:{_PEOPLE}|those|groups?|arms?)\s+"
    # "among those allocated placebo", "in patients assigned to drug X"
    r"(?:receiving|given|treated\s+with|in|on|with|allocated(?:\s+to)?|assigned\s+to|"
    r"randomi[sz]ed\s+to)\s+(?:the\s+)?)?"
    # "21% of patients who received SK", "39.8% of those treated with X"
    rf"|(?P<of>of)\s+(?:the\s+)?(?:{_PEOPLE}|those)\s+(?:who\s+(?:received|were\s+given|were\s+treated\s+with"
    r"|were\s+randomi[sz]ed\s+to|were\s+assigned\s+to)|receiving|given|treated\s+with|"
    r"randomi[sz]ed\s+to|assigned\s+to|allocated(?:\s+to)?|in|on)\s+(?:the\s+)?"
    r")"
    rf"(?P<arm>{_ARM_PHRASE})(?:\s+(?P<grp>groups?|arms?|cohorts?)\b|(?=\s*(?:[,;:.)\](\[]|$|"
    r"\s(?:vs|versus|and|compared|than|respectively|at|after|during|from|by|p\b|P\b|following))))"
)
_ARM_BEFORE_STRONG = _EndPattern(
    re.compile(
        rf"(?:(?P<arm1>{_ARM_PHRASE})\s+(?:groups?|arms?)\s*(?:\(\s*n\s?=\s?\d+\s*\))?\s*[(:,=]?\s*"
        r"(?:was|were|had|of|showed|reported)?\s*[(\[]?\s*"
        rf"|(?P<arm2>{_ARM_WORD}(?:\s{_ARM_WORD})?)\s*[:=]\s*"
        rf"|(?P<kw3>group|arm)\s+(?P<arm3>[A-Z0-9]{{1,3}})\s*[(:,=]?\s*(?:was|were|had)?\s*[(\[]?\s*)$"
    ),
    chars="([:,=)",
    short=3,  # "group B", "arm 2"
    tails="group groups arm arms was were had of showed reported",
)
_GROUP_LETTER_AFTER = re.compile(
    rf"^\s*(?:{_UNIT_AFTER})?\s*[)\]]?\s*,?\s*(?:in|for|with|on)\s+(?:the\s+)?"
    # "in groups A and B" lists arms; "41% for group A and 47% for group B" does not
    r"(?P<kw>group|arm)\s+(?P<letter>[A-Z0-9]{1,3})\b"
    r"(?!\s+and\s+(?:(?:group|arm)s?\s+)?(?:[A-Z]{1,3}|\d)\b(?![.,\u00b7]?\d|\s?%))"
)
# "lower in the X group than in the Y group [4 (3.8%) vs 13 (11.9%)]": a few
# words may stand between the two arms when both are called groups or arms.
_COMPARISON_GAP = re.compile(
    r"(?:with|in|for|receiving|on)\s+(?:the\s+)?"
    rf"(?P<x>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+(?:groups?|arms?)\b(?:\s+[\w-]+){{0,6}}?\s+"
    r"(?:than|(?:as\s+)?compared\s+(?:with|to)|versus|vs\.?)\s+(?:(?:those|that)\s+)?(?:with\s+|in\s+|for\s+|of\s+)?"
    rf"(?:the\s+)?(?P<y>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+(?:groups?|arms?)\b"
)
_ARM_BEFORE_WEAK = re.compile(
    r"(?:vs\.?|versus|compared\s+(?:with|to)|than(?:\s+(?:with|in|for))?)\s+(?:the\s+)?"
    rf"(?P<arm>{_ARM_PHRASE})\s*(?:groups?|arms?)?\s*[(:,]?\s*$"
)
_GRP_WORD = r"(?:\s+(?:groups?|arms?))?"
_RESPECTIVELY_LIST = re.compile(
    rf"(?P<list>{_ARM_PHRASE}(?:\s*,\s*(?:the\s+)?{_ARM_PHRASE})*,?\s+and\s+(?:the\s+)?{_ARM_PHRASE})"
    r"\s+(?:groups|arms\b|(?P<people>patients|participants|subjects|recipients|users)\s*,?\s*"
    r"respectively)\b"
    r"|(?P<kw2>group|arm)s?\s+(?P<list2>[A-Z0-9]{1,3}(?:\s*,\s*(?:(?:group|arm)\s+)?[A-Z0-9]{1,3})*"
    r",?\s+and\s+(?:(?:group|arm)\s+)?[A-Z0-9]{1,3})\b"
    r"|(?:[Ii]n|[Ff]or|[Ww]ith|[Aa]mong|[Rr]eceiving)\s+(?:the\s+)?"
    # "in the surgery arm and watchful-waiting arm, respectively"
    rf"(?P<list3>{_ARM_PHRASE}{_GRP_WORD}(?:\s*,\s*(?:the\s+)?{_ARM_PHRASE}{_GRP_WORD})*,?\s+(?:and|or)\s+"
    rf"(?:in\s+|with\s+)?(?:the\s+)?{_ARM_PHRASE})"
    r"(?:\s+(?:groups?|arms?))?\s*,?\s*respectively"
)
# What shows that the last number of "group A and 24" is a count, not a group
_COUNT_AFTER_LIST = re.compile(
    r"\s?(?:%|percent|[.,\u00b7]\d|\s*[(\[]|\s+(?:patients|participants|subjects|of)\b)"
)
_COMPARISON = re.compile(
    r"(?:with|in|for|receiving|on)\s+(?:the\s+)?"
    rf"(?P<x>{_ARM_PHRASE})\s+(?:groups?\s+|arms?\s+)?"
    r"(?:than|(?:as\s+)?compared\s+(?:with|to)|versus|vs\.?)\s+(?:with\s+|in\s+|for\s+)?(?:the\s+)?"
    # "than those receiving usual care": the people who had the other arm
    r"(?:(?:those|patients|participants|subjects)\s+(?:(?:who\s+were\s+)?(?:treated\s+with|given)"
    r"|receiving|(?:assigned|allocated|randomi[sz]ed)\s+to)\s+(?:the\s+)?)?"
    rf"(?P<y>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})"
)


def _may_compare(sentence: str) -> bool:
    # the comparison words of _COMPARISON and _COMPARISON_GAP, as written
    return "than" in sentence or "compared" in sentence or "vs" in sentence or "versus" in sentence


_GROUP_MENTION = re.compile(
    rf"(?P<arm>{_ARM_PHRASE})\s+(?:groups?|arms?)\b|\b(?P<pl>placebo)\b", re.I
)


@dataclass(frozen=True, slots=True)
class ArmValueMatch:
    """One value found in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    kind: str
    value: float
    sd: float | None = None
    se: float | None = None
    low: float | None = None
    high: float | None = None
    range_kind: str | None = None
    events: int | None = None
    total: int | None = None
    percent: float | None = None
    unit: str | None = None
    weak: bool = False
    p: float | None = None
    p_op: str | None = None
    arm: str | None = None
    outcome: str | None = None
    timepoint: str | None = None


_YEAR = re.compile(r"(?:19|20)\d\d")
_P_LETTER = re.compile(r"(?<![A-Za-z])[Pp]\b")
_NUMBER_WORD = re.compile(r"[\d.,%]+")


def _int(text: str) -> int:
    low = text.lower()
    if low in _WORD_NUMBERS:
        return _WORD_NUMBERS[low]
    if low[:1].isalpha():  # "twenty-one", "thirty five"
        return sum(_WORD_NUMBERS[w] for w in re.split(r"[-\s]+", low))
    return int(re.sub(r"[,\s\u2009\u202f]", "", text))


def _clean_arm(raw: str | None) -> str | None:
    if not raw:
        return None
    words = raw.strip(" ,;:()[]").split()

    def stop(word: str) -> bool:
        # "A" and "B" name arms ("group A"); only lower-case forms are articles
        low = word.lower()
        if low in _STOP_ARM and not (len(word) <= 3 and word.isupper()):
            return True
        # "Twenty-three heparin recipients": the count is no part of the arm
        return all(part in _WORD_NUMBERS for part in low.split("-"))

    while words and stop(words[0]):
        words.pop(0)
    while words and stop(words[-1]):
        words.pop()
    if len(words) > 1 and words[-1].lower() in _OUTCOME_VERBS:
        # "9 of 30 patients assigned to drug X discontinued, compared with ...":
        # the phrase ran on into what happened to them
        words.pop()
    if not words or _NUMBER_WORD.fullmatch(words[0]) or words[-1].lower() in _OUTCOME_NOUNS:
        return None
    arm = " ".join(words)
    if arm.islower() and _TIME_UNIT_RE.match(arm):
        return None  # "120 min: 188.9 ± 19.4": a time point labels the value
    if "/" in arm and _LAB_UNIT.fullmatch(arm):
        return None  # "70-180 mg/dL: 75%": a unit
    if arm.islower() and (_DOSE_UNIT.match(arm) or _LAB_UNIT.fullmatch(arm + "/x")):
        return None  # "25, 50 and 100 mg groups": the unit of the doses alone
    return None if _NOT_AN_ARM.fullmatch(arm) or _CLAUSE_VERB.search(arm) else arm


# Units that a label before a colon may be ("mg/dL", "copies/mL")
_LAB_UNIT = re.compile(
    r"(?:mg|g|kg|mmol|\u00b5mol|umol|nmol|pmol|ng|pg|\u00b5g|ug|mcg|iu|u|copies|cells|ml|l|dl|mm|cm)"
    r"(?:/[a-z0-9.]{1,6}){1,2}",
    re.IGNORECASE,
)
_OUTCOME_VERBS = frozenset(
    [
        "discontinued",
        "withdrew",
        "died",
        "dropped",
        "stopped",
        "relapsed",
        "responded",
        "developed",
        "experienced",
        "required",
        "reported",
        "achieved",
        "showed",
        "needed",
        "underwent",
        "recovered",
        "survived",
    ]
)
# Phrases that stand where an arm would but name none: a section heading
# ("RESULTS: 27 of 72 patients ..."), a time of measurement ("PRE, 70.5 kg
# to POST, 67.9 kg", "9 ± 2 on the final day"), a side of the body ("0.09
# mGy on the right")
_NOT_AN_ARM = re.compile(
    r"(?:results?|methods?|conclusions?|background|objectives?|findings|aims?|design|"
    r"pre|post|baseline|(?:the\s+)?(?:first|final|last)\s+(?:day|visit|session|week)|"
    r"(?:the\s+)?(?:right|left)(?:\s+(?:side|eye|breast|arm|leg|hand|knee))?)",
    re.IGNORECASE,
)
# "... did not differ between intervention and control; TBS were 436 and
# 434": a phrase with a finite verb or a negation in it is a clause, not an arm
_CLAUSE_VERB = re.compile(r"\b(?:not|did|does|do|differ|differed|differences?)\b", re.IGNORECASE)


# "40.1 for any fall, 12.6 for hip fracture": an arm phrase that
# ends in one of these names an outcome
_OUTCOME_NOUNS = frozenset(
    [
        "fracture",
        "fractures",
        "event",
        "events",
        "death",
        "deaths",
        "cancer",
        "cancers",
        "infection",
        "infections",
        "score",
        "scores",
        "rate",
        "rates",
        "survival",
        "mortality",
        "pain",
        "toxicity",
        "toxicities",
        "analysis",
        "analyses",
        "outcome",
        "outcomes",
        "endpoint",
        "endpoints",
        "recurrence",
        "recurrences",
        "progression",
        "disease",
        "neutropenia",
        "nausea",
        "vomiting",
        "fatigue",
        "age",
        "bmi",
        "baseline",
        "variation",
        "level",
        "levels",
    ]
)


_ARM_LIST_AFTER_RUN = re.compile(
    rf"\s*(?:{_UNIT_AFTER})?\s*[)\]]?\s*,?\s*(?:in|for|with|among|on|receiving)\s+(?:the\s+)?"
    r"(?:(?P<kw>group|arm)s?\s+(?P<letters>[A-Z0-9]{1,3}(?:\s*,\s*[A-Z0-9]{1,3})*,?\s+and\s+"
    r"[A-Z0-9]{1,3})\b"
    rf"|(?P<list>{_ARM_PHRASE}(?:\s*,\s*(?:the\s+)?{_ARM_PHRASE})*,?\s+and\s+(?:the\s+)?"
    rf"{_ARM_PHRASE})\s+(?:groups|arms)\b"
    rf"|(?P<pair>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}}\s+(?:and|or|vs\.?|versus)\s+(?:the\s+)?"
    # "(P < .001)" may follow the pair: "-0.53 and -0.28 for X and placebo (P < .001)"
    rf"{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})(?=\s*(?:[,;.)\]]|\((?:[^()]{{0,30}}\b[Pp]\b|\s*\))|$)))"
)


def _arm_list_after_run(sentence: str, values: list[ArmValueMatch], arms: list[str | None]) -> None:
    """Give a run of listed or compared values the arms listed right after it, in order."""
    i = 0
    while i < len(values) - 1:
        j = i
        while j + 1 < len(values) and values[j].kind == values[j + 1].kind:
            link = sentence[values[j].end : values[j + 1].start]
            if not (_list_link(link) or _pair_link(link)):
                break
            j += 1
        m = _ARM_LIST_AFTER_RUN.match(sentence, values[j].end) if j > i else None
        if m and all(a is None for a in arms[i : j + 1]):
            if m.group("letters"):
                kw = m.group("kw").lower()
                names = [f"{kw} {x}" for x in re.split(r"\s*,\s*|,?\s+and\s+", m.group("letters"))]
            else:
                names = _split_list(m.group("list") or m.group("pair"))
            if len(names) == j - i + 1 and len(set(names)) == len(names):
                arms[i : j + 1] = names
        i = j + 1


def _as_many_arms_after(masked: str, end: int, count: int) -> bool:
    """Whether ``count`` distinct arms are listed right after the value ending at ``end``."""
    m = _ARM_LIST_AFTER_RUN.match(masked, end)
    if m is None or m.group("letters"):
        return False
    names = _split_list(m.group("list") or m.group("pair"))
    # "for men and women", "for the first and second periods": subgroups and
    # times; arms are treatments or named groups
    return (
        len(names) == count
        and len(set(names)) == count
        and (bool(m.group("list")) or any(_names_treatment(n) for n in names))
    )


def _split_list(text: str) -> list[str]:
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus)\s+", text)
    out = []
    for part in parts:
        arm = _clean_arm(re.sub(r"^(?:in|the)\s+(?:the\s+)?", "", part.strip()))
        if arm:
            out.append(arm)
    return out


def _may_have_ci(sentence: str) -> bool:
    # every CI_WORD match contains one of these literals; most sentences none
    return (
        "CI" in sentence
        or "onf" in sentence
        or "CrI" in sentence
        or "C.I" in sentence
        or ("redible" in sentence)
    )


def _masked(sentence: str) -> str:
    """``sentence`` with effect estimates, CIs, p-values and "n = 21" blanked out."""
    spans = [(est.start, est.end) for est in find_effects(sentence)]
    spans += [m.span() for m in p_matches(sentence)]
    spans += [
        m.span()
        for rx, needed in (
            (_CI_REGION, _may_have_ci(sentence)),
            (_N_EQUALS, "=" in sentence),
            (_POWER_OF_TEN, "10" in sentence),
        )
        if needed
        for m in rx.finditer(sentence)
    ]
    if not spans:
        return sentence
    parts: list[str] = []
    pos = 0
    for a, b in sorted(spans):
        if b <= pos:
            continue
        a = max(a, pos)
        parts.append(sentence[pos:a])
        parts.append(" " * (b - a))
        pos = b
    parts.append(sentence[pos:])
    return "".join(parts)


class _Context:
    """Whether a sentence speaks of medians, SDs or SEs, each read on first use.

    Most values (bare numbers, percentages, counts) never ask.
    """

    __slots__ = ("_low", "_median", "_sd", "_se", "sentence")

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self._low: str | None = None
        self._median: bool | None = None
        self._sd: bool | None = None
        self._se: bool | None = None

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.sentence.lower()
        return self._low

    # the cue patterns start with \b and would be tried at every position;
    # a substring test first skips the sentences that cannot contain them
    @property
    def median(self) -> bool:
        if self._median is None:
            low = self.low
            self._median = ("median" in low or "iqr" in low or "interquartile" in low) and bool(
                _MEDIAN_CUE.search(self.sentence)
            )
        return self._median

    @property
    def sd(self) -> bool:
        if self._sd is None:
            low = self.low
            self._sd = (
                "mean" in low or "sd" in low or "standard" in low or "\u00b1" in low or "+/-" in low
            ) and bool(_SD_CUE.search(self.sentence))
        return self._sd

    @property
    def se(self) -> bool:
        if self._se is None:
            low = self.low
            self._se = ("se" in low or "standard" in low) and bool(_SE_CUE.search(self.sentence))
        return self._se


def _scan(masked: str, word_numbers: bool) -> Iterator[re.Match[str]]:
    """The matches of :data:`_VALUE_RE` in ``masked``, as ``finditer`` finds them.

    The pattern is tried only where a value can start (a digit or sign, or a
    number word when ``word_numbers``), each time from the end of the
    previous match on, as ``finditer`` does.
    """
    starts = [m.start() for m in _DIGIT_START.finditer(masked)]
    if word_numbers:
        low = masked.lower()
        # a letter that matches a number word's letter but does not lowercase to
        # it (scan.CASE_ODD): the sentence is scanned at every position
        if len(low) != len(masked) or any(c in masked for c in CASE_ODD):
            yield from _VALUE_RE.finditer(masked)
            return
        words = [m.start() for m in _WORD_START.finditer(low)]
        if words:
            starts = sorted(starts + words)
    end = 0
    for pos in starts:
        if pos < end:
            continue
        m = _VALUE_RE.match(masked, pos)
        if m is not None:
            yield m
            end = m.end()


# "the 2W laser group", "the 0.5-mm needle arm": a setting glued to its
# unit, then "group" or "arm" one or two words on, names the group
_NAMES_GROUP = re.compile(
    r"[-\d.,\u00b7]+[a-zA-Z\u00b5]{1,4}\s(?:(?!(?:in|of|for|with|among|the|and|or|vs|versus|than|"
    r"on|at|to|per|from)\b)[a-zA-Z][\w-]*\s)?(?:groups?|arms?)\b"
)


# "higher after drug A than after drug B (31.5%, P = 0.012)": a lone value
# opening the bracket after a comparison, its p-value next, is the difference
# between the arms (as is the next one of that bracket: "(31.5%, P = 0.01
# and 20.2%, P = 0.03, respectively)"); after another value ("More patients
# on A (28%) stopped than on B (18%, P = 0.01)") it is B's own
_DIFFERENCE_BEFORE = _EndPattern(
    re.compile(
        r"\bthan\b[^.;()\[\]\d]{0,60}[(\[]\s*(?:[^()\[\]]{0,40}?[Pp]\s?[=<>\u2264]"
        r"[^()\[\]]{0,20}?\band\s+)?$"
    ),
    chars="([",
    words="and",
)
_P_NEXT = re.compile(r"\s?[,;]\s*[Pp]\s?[=<>\u2264]")


def _is_difference(sentence: str, v: ArmValueMatch) -> bool:
    return bool(
        v.sd is None
        and v.se is None
        and _P_NEXT.match(sentence, v.end)
        and _DIFFERENCE_BEFORE.search(sentence[max(0, v.start - 140) : v.start])
    )


def _values(sentence: str, word_numbers: bool) -> tuple[str, list[ArmValueMatch]]:
    masked = _masked(sentence)
    ctx = _Context(sentence)
    out: list[ArmValueMatch] = []
    for m in _scan(masked, word_numbers):
        g = m.groupdict()
        before = masked[max(0, m.start() - 25) : m.start()]
        after = masked[m.end() : m.end() + 30]
        try:
            val = _make_value(m, g, before, after, ctx)
        except (ValueError, KeyError):
            continue
        if (
            val is not None
            and not _NAMES_GROUP.match(masked, val.start)
            and not (not out and _is_difference(sentence, val))
        ):
            out.append(val)
    if masked is not sentence and "10" in sentence:
        out = [_with_power_of_ten(sentence, v) if v.kind == "bare" else v for v in out]
    if "SD" in masked and "M" in masked:
        out = _with_apa_means(masked, out)
    return masked, _percent_then_count(masked, _shared_percent_sign(masked, out))


_COUNT_IN_BRACKET = re.compile(r"\s*[(\[]\s*$")
_BRACKET_CLOSE = re.compile(r"\s*[)\]]")


def _percent_then_count(masked: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """Read "1.8% (6 of 334 patients)" as one count with its share, from the share on.

    The share before the bracket and the count inside it are one value; read
    apart, the share would go without its count and often without its arm.
    """
    out: list[ArmValueMatch] = []
    for v in values:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "percent"
            and v.kind == "events"
            and v.percent is None
            and v.events is not None
            and v.total
            and abs(100 * v.events / v.total - prev.value) <= 1
            and _COUNT_IN_BRACKET.fullmatch(masked, prev.end, v.start)
        ):
            close = _BRACKET_CLOSE.match(masked, v.end)
            end = close.end() if close else v.end
            out[-1] = replace(v, start=prev.start, end=end, percent=prev.value)
        else:
            out.append(v)
    return out


# "(M = 4.78, SD = 3.56)": the mean and SD as psychology journals write them
_APA_MEAN = re.compile(
    r"(?<![\w.])M\s*=\s*(?P<m>[-\u2212]?\d+(?:[.\u00b7]\d+)?)\s*[,;]\s*SD\s*=\s*"
    r"(?P<sd>\d+(?:[.\u00b7]\d+)?)"
)


_POWER_UNIT = re.compile(rf"{_POWER_OF_TEN.pattern}(?:\s?/\s?[a-zA-Z\u00b5\u03bc]{{1,5}})?")


def _with_power_of_ten(sentence: str, v: ArmValueMatch) -> ArmValueMatch:
    """A bare number with the power of ten and unit written after it ("210 x 10(9)/l")."""
    pm = _POWER_UNIT.match(sentence, v.end)
    if pm is None:
        return v
    unit = re.sub(r"\s", "", pm.group(0))
    return replace(v, end=pm.end(), unit=(v.unit or "") + unit)


def _with_apa_means(masked: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """``values`` with each "M = x, SD = y" read as one mean with its SD."""
    found = [
        ArmValueMatch(
            m.start(), m.end(), "mean", parse_num(m.group("m")), sd=parse_num(m.group("sd"))
        )
        for m in _APA_MEAN.finditer(masked)
    ]
    if not found:
        return values
    kept = [v for v in values if not any(a.start < v.end and v.start < a.end for a in found)]
    return sorted(kept + found, key=lambda v: v.start)


# "(36 vs. 22%)", "56 and 71%": one % sign written after the last of
# several numbers
_SIGN_SHARED_LINK = re.compile(
    r"\s*(?:,|,?\s*(?:and|or)|vs\.?|versus|v\.?|compared\s+(?:with|to))\s*", re.IGNORECASE
)


_GROUP_NUMBER_BEFORE = _EndPattern(
    re.compile(r"\b(?:groups?|arms?|cohorts?)\s*$", re.IGNORECASE),
    words="group groups arm arms cohort cohorts",
)


def _shared_percent_sign(masked: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """A bare number joined to a following percentage reads as a percentage too.

    Only pairs: the numbers of a longer list ("42, 90, and 90%") are as
    often time points or grades as arms.
    """
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        if (
            a.kind == "bare"
            and a.unit is None
            and b.kind == "percent"
            and 0 <= a.value <= 100
            and _SIGN_SHARED_LINK.fullmatch(masked, a.end, b.start)
            and not (i and _SIGN_SHARED_LINK.fullmatch(masked, values[i - 1].end, a.start))
            and not _THRESHOLD_HARD.search(masked, max(0, a.start - 25), a.start)
            and not _GROUP_NUMBER_BEFORE.search(masked, max(0, a.start - 25), a.start)
        ):
            weak = bool(_THRESHOLD_BEFORE.search(masked, max(0, a.start - 25), a.start))
            values[i] = replace(a, kind="percent", percent=a.value, weak=weak)
    return values


# "68.0% (95% CI, 63.1% to 72.9%) and 71.5% (...)": a value's interval (blank
# once masked) may stand before the word that joins it to the next value
_OWN_INTERVAL = (
    r"(?:\s*[(\[](?:[^()\[\]]{0,40}?\b(?:CI|C\.I|confidence\s+interval)\b[^()\[\]]{0,60}"
    r"|\s*)[)\]])?"
)
_PAIR_LINK = re.compile(
    rf"^[\s)\]]*(?:{_OUT_UNIT}|%|{_EVENT_NOUNS})?{_OWN_INTERVAL}[\s)\]]*[,;]?\s*"
    r"(?:vs\.?|versus\.?|v\.?|compared\s+(?:with|to)|against)\s*[(\[]?\s*$",
    re.IGNORECASE,
)
_LIST_LINK = re.compile(
    rf"^[\s)\]]*(?:{_OUT_UNIT}|%)?{_OWN_INTERVAL}[\s)\]]*(?:,\s*(?:and\s+)?|\s+and\s+)[(\[]?\s*$",
    re.I,
)


def _pair_link(link: str) -> bool:
    """Whether ``link`` compares the values on either side of it: :data:`_PAIR_LINK`."""
    # every form has "v" (vs, versus, v), "compared" or "against" (whose
    # "aga" no other letter matches ignoring case)
    low = link.lower()
    return ("v" in low or "compared" in low or "aga" in low) and bool(_PAIR_LINK.match(link))


def _list_link(link: str) -> bool:
    """Whether ``link`` lists the values on either side of it: :data:`_LIST_LINK`."""
    return ("," in link or "and" in link.lower()) and bool(_LIST_LINK.match(link))


_RESPECTIVELY_AFTER = re.compile(r"^(?:[^.;]|\.(?=\d)){0,160}?\brespectively\b", re.IGNORECASE)
_KIND_CUE = re.compile(r"\b(?:median|IQR|interquartile|mean|means|average|averaged)\b", re.I)


def _linked(masked: str, values: list[ArmValueMatch]) -> list[bool]:
    """Which values are paired ("37% vs 52%") or listed ("6 and 12 months, respectively").

    A number compared with another of the same kind, or one of a list that
    the sentence closes with "respectively", is a per-arm value even when no
    arm is named next to it.
    """
    flags = [False] * len(values)
    drop: set[int] = set()
    same = [
        i + 1 < len(values)
        and (
            values[i].kind == values[i + 1].kind or {values[i].kind, values[i + 1].kind} == {"mean"}
        )
        for i in range(len(values))
    ]
    for i in range(len(values) - 1):
        if not same[i]:
            continue
        link = masked[values[i].end : values[i + 1].start]
        if _pair_link(link) or _pair_labels(masked, values[i], values[i + 1]):
            flags[i] = flags[i + 1] = True
    i = 0
    while i < len(values) - 1:
        j = i
        while (
            j + 1 < len(values)
            and same[j]
            and _list_link(masked[values[j].end : values[j + 1].start])
        ):
            j += 1
        timeline = (
            values[j].kind == "bare"
            and _TIME_UNIT_RE.match(values[j].unit or "")
            and _TIME_PREP.search(masked[max(0, values[i].start - 12) : values[i].start])
        )
        if timeline:
            # "after 1, 3 and 12 months": time points, not values
            for k in range(i, j + 1):
                flags[k] = False
                drop.add(k)
        elif j > i and (
            _RESPECTIVELY_AFTER.match(masked[values[j].end :])
            or _as_many_arms_after(masked, values[j].end, j - i + 1)
        ):
            # "... and ..., respectively", or "0.61 and 0.22 for drug Q and placebo"
            for k in range(i, j + 1):
                flags[k] = True
        i = j + 1
    for k in drop:
        values[k] = replace(values[k], kind="drop")
    return flags


_DURATION_CUE = re.compile(
    r"\b(?:median|mean|average|survival|time|duration|length|stay|TTP|PFS|OS|DFS|EFS|TTF)\b", re.I
)
_EVENT_CUE = re.compile(
    r"\b(?:developed|occurred|experienced|events?|cases|died|deaths?|responded|responders|"
    r"relapsed|relapses|recurrences?|infections?|suffered|required|needed|complications?)\b",
    re.IGNORECASE,
)
_ALLOCATION_CUE = re.compile(
    r"\b(?:randomi[sz]|assigned|allocated|enrolled|recruited|included|assessable|evaluable|"
    r"analy[sz]ed|withdrew|withdrawn|completed|leaving|remained|treated\s+with|received)",
    re.IGNORECASE,
)
_RATIO_WORDS = re.compile(r"\b(?:ratios?|odds|hazard|RR|OR|HR|IRR)\b")


_CUE_OF_SAMPLE = re.compile(
    r"\s+(?:(?:duration|length)\s+of\s+)?(?:follow[-\s]?up|age|observation|of\s+\d)", re.IGNORECASE
)


_COUNTED_EVENTS = re.compile(rf"\d\s{_EVENT_NOUNS}\b", re.IGNORECASE)


_TIME_TO_EVENT = re.compile(
    r"\b(?:survival|time\s+to|TTP|PFS|OS|DFS|EFS|TTF|duration\s+of\s+response)\b", re.IGNORECASE
)
_TIME_UNIT_AFTER = re.compile(
    r"\s*(?:vs\.?|versus|v\.?|and|,)\s*[-\u2212]?\d+(?:[.\u00b7]\d+)?\s?(?:months?|weeks?|days?|years?)\b",
    re.IGNORECASE,
)


def _bare_kind(sentence: str, v: ArmValueMatch) -> str | None:
    """The kind of a bare number: "median"/"mean" after such a word, "events" or ``None``.

    A whole number with no unit and no mean/median word in its sentence is a
    count: an event count when the sentence speaks of events ("developed",
    "occurred", "cases") and not of allocation; otherwise nothing, since such
    counts are mostly arm sizes, which belong to the sample-size component.
    A number with a range right after it ("1.25 (0.32 to 5.18)") in a
    sentence about ratios is an estimate, not an arm value.
    """
    # "after a median follow-up of 38 months, 11 ... and 13 ...": that median
    # describes the follow-up, not the numbers after it
    cues = [
        c
        for c in _KIND_CUE.finditer(sentence, 0, v.start)
        if not _CUE_OF_SAMPLE.match(sentence, c.end())
    ]
    if v.low is None and "(" in sentence[v.start : v.end] and _RATIO_WORDS.search(sentence):
        return None
    if cues:
        return (
            "median" if cues[-1].group(0).lower() in ("median", "iqr", "interquartile") else "mean"
        )
    if _TIME_TO_EVENT.search(sentence, 0, v.start) and (
        _TIME_UNIT_RE.match(v.unit or "") or _TIME_UNIT_AFTER.match(sentence, v.end)
    ):
        # "time to progression (5.5 vs 3.9 months)": time-to-event outcomes
        # are summarised by medians
        return "median"
    is_int = v.value == int(v.value) and not re.search(r"[.\u00b7]", sentence[v.start : v.end])
    if v.unit is None and is_int:
        events = _EVENT_CUE.search(sentence) or _COUNTED_EVENTS.search(sentence)
        if events and not _ALLOCATION_CUE.search(sentence):
            return "events" if v.value >= 0 else None
        return None
    return "mean"


def _make_value(
    m: re.Match[str],
    g: dict[str, str | None],
    before: str,
    after: str,
    ctx: _Context,
) -> ArmValueMatch | None:
    s, e = m.start(), m.end()
    if g["pe_pct"] is not None:
        ev, tot = _int(g["pe_ev"] or ""), _int(g["pe_tot"] or "")
        if not 0 <= ev <= tot or tot == 0:
            return None
        return ArmValueMatch(
            s, e, "events", float(ev), events=ev, total=tot, percent=parse_num(g["pe_pct"] or "0")
        )
    if g["ev_ev"] is not None:
        ev, tot = _int(g["ev_ev"]), _int(g["ev_tot"] or "")
        if not 0 <= ev <= tot or tot == 0 or _AFTER_EVENTS_NOT.match(after):
            return None
        if g["ev_ev"].startswith("0") and len(g["ev_ev"]) > 1:
            return None  # "09/92": a date
        if _NOT_RATIO_BEFORE.search(before) or _RATIO_OR_DATE_BEFORE.search(before):
            return None
        pct = parse_num(g["ev_pct"]) if g["ev_pct"] else None
        return ArmValueMatch(s, e, "events", float(ev), events=ev, total=tot, percent=pct)
    if g["ms_m"] is not None or g["psd_m"] is not None:
        mean = parse_num(g["ms_m"] or g["psd_m"] or "")
        spread = parse_num(g["ms_sd"] or g["psd_sd"] or "")
        if ctx.se and not re.search(r"\bSD\b|standard\s+deviation", m.group(0) + before, re.I):
            return ArmValueMatch(s, e, "mean", mean, se=spread)
        return ArmValueMatch(s, e, "mean", mean, sd=spread)
    if g["q_m"] is not None:
        word = (g["q_word"] or "").lower()
        if not word and not ctx.median:
            # "60% (53-67)", "62 (50 to 74) seconds": a value with its CI;
            # keep the value, the interval is not an IQR
            mid = parse_num(g["q_m"])
            if "%" in m.group(0)[: m.group(0).find("(") if "(" in m.group(0) else None]:
                return ArmValueMatch(s, e, "percent", mid, percent=mid) if 0 <= mid <= 100 else None
            return ArmValueMatch(s, e, "bare", mid)
        lo, hi = parse_num(g["lo"] or ""), parse_num(g["hi"] or "")
        if lo > hi:
            lo, hi = hi, lo
        mid = parse_num(g["q_m"])
        if not lo <= mid <= hi:
            return None
        kind = "range" if word == "range" else "iqr"
        return ArmValueMatch(s, e, "median", mid, low=lo, high=hi, range_kind=kind)
    if g["nt_n"] is not None:
        ev, tot = _int(g["nt_n"]), _int(g["nt_tot"] or "")
        if not 0 <= ev <= tot or tot == 0 or _AFTER_EVENTS_NOT.match(after):
            return None
        pct = parse_num(g["nt_pct"] or "0")
        return ArmValueMatch(s, e, "events", float(ev), events=ev, total=tot, percent=pct)
    if g["np_n"] is not None:
        return ArmValueMatch(
            s,
            e,
            "events",
            float(_int(g["np_n"])),
            events=_int(g["np_n"]),
            percent=parse_num(g["np_pct"] or "0"),
        )
    if g["pp_m"] is not None:
        if not ctx.sd and not ctx.se:
            return None
        mean, spread = parse_num(g["pp_m"]), parse_num(g["pp_sd"] or "")
        if ctx.se and not ctx.sd:
            return ArmValueMatch(s, e, "mean", mean, se=spread)
        return ArmValueMatch(s, e, "mean", mean, sd=spread)
    if g["pc"] is not None:
        if _THRESHOLD_HARD.search(before):
            return None
        pct = parse_num(g["pc"])
        if pct > 100:
            return None
        # "a rate of 62%", "reduced by 30%": often a threshold or a relative
        # change; kept only when paired or listed with another value
        weak = bool(_THRESHOLD_BEFORE.search(before))
        return ArmValueMatch(s, e, "percent", pct, percent=pct, weak=weak)
    if g["bn"] is not None:
        return _bare_value(m, g, before, after)
    return None


_BARE_BEFORE_NOT = _EndPattern(
    re.compile(
        r"(?:[<>\u2264\u2265=:/^]|\b(?:grade|stage|phase|type|class|day|week|month|year|visit|"
        r"cycle|level|step|version|aged?|n|no|number|dose\s+of|total\s+of|than|least|most|under|"
        r"above|below|within|up|every|per|each|x|times|between)|[-\u2013]|\d\s"
        # "on postoperative days 1, 2 and 3": the rest of a list of labels
        r"|\b(?:grades?|stages?|days|weeks|months|years|visits|cycles)\s+\d+(?:\s*,\s*\d+)*"
        r"\s*,?\s*(?:and|or)?)\s*$",
        re.IGNORECASE,
    ),
    chars="<>\u2264\u2265=:/^-\u2013,",
    words="grade stage phase type class day week month year visit cycle level step version age "
    "aged n no number of than least most under above below within up every per each x times "
    "between and or",
    digit=True,
    tails="and or",  # "days 1, 2and"
)
# "ranged from 0 to 228.27 cm3": the bounds of a range, not values of an arm
_RANGE_END_BEFORE = _EndPattern(
    re.compile(
        r"\b(?:rang\w*\s+(?:from\s+)?|between\s+)[-\u2212]?[\d.,]+\s?\S{0,8}\s+(?:to|and)\s*$",
        re.I,
    ),
    words="to and",
)
_RANGE_START_AFTER = re.compile(r"^\s?\S{0,8}\s+(?:to|and)\s+[-\u2212]?\d", re.I)
_RANGE_WORD_BEFORE = re.compile(r"\b(?:rang\w*(?:\s+from)?|between)\s*$", re.I)
_BARE_BEFORE_WEAK = _EndPattern(
    re.compile(r"\b(?:from|to|of|by|over)\s*$", re.IGNORECASE), words="from to of by over"
)
_TIME_PREP = _EndPattern(
    re.compile(
        r"\b(?:at|after|for|within|during|over|until|before|by|to|from|in|of|up\s+to|"
        r"first|last|next|past|every|per|each|aged?)\s*$",
        re.IGNORECASE,
    ),
    words="at after for within during over until before by to from in of first last next past "
    "every per each age aged",
)
_BARE_AFTER_NOT = re.compile(
    r"^(?:\s?[-\u2013]\s?[A-Za-z]|\s?(?:patients|participants|subjects|children|women|men|"
    r"infants|cases|eyes|people|persons|adults|individuals|trials|studies|centres|centers|sites|"
    r"times|fold|[x\u00d7]|years?\s+old|items?|questions?|doses?)\b|\s?[/:]\s?\d|[.\u00b7]\d|"
    # "2.04-9.04" is a range and "132 979" one number with a thin space
    r"\s?[-\u2013]\s?\d|\s\d{3}(?!\d))",
    re.IGNORECASE,
)


# "3 cycles", "2 drugs": a count of something, not an outcome value
_EVENT_NOUNS_AFTER = re.compile(rf"\s{_EVENT_NOUNS}\b")
_BARE_COUNT_AFTER = re.compile(
    r"^\s?(?!(?:in|for|with|among|on|vs|versus|v|and|or|than|compared|respectively|at|after|"
    r"of|from|during|per|was|were|is|are|to|but|while|whereas|when|among|the)\b"
    # "95 deaths with the combination": events counted, not things
    rf"|{_EVENT_NOUNS}\b)[A-Za-z]{{2,}}"
)
_STAT_OF = _EndPattern(
    re.compile(r"\b(?:mean|median|average|score)\s+(?:\w+\s+)?(?:of|was|were|=|:)\s*$", re.I),
    chars="=:",
    words="of was were",
)


def _bare_value(
    m: re.Match[str], g: dict[str, str | None], before: str, after: str
) -> ArmValueMatch | None:
    """A number with an optional outcome unit ("2.0 kg", "8.5 months", "3.4")."""
    unit = (g["bn_unit"] or "").strip() or None
    if _BARE_AFTER_NOT.match(after) or (unit is None and _BARE_COUNT_AFTER.match(after)):
        return None
    if _BARE_BEFORE_NOT.search(before) or _RANGE_END_BEFORE.search(before):
        return None
    if _RANGE_START_AFTER.match(after) and _RANGE_WORD_BEFORE.search(before):
        return None
    if unit and _DOSE_UNIT.match(unit.replace(" ", "")):
        return None
    if unit is None and _LISTED_DOSE_AFTER.match(after):
        return None  # "drug X 50, 90 and 130 mg": doses sharing one unit
    if unit is None and before.rstrip().endswith(("(", "[")) and _ESTIMATE_REST.match(after):
        return None  # "(0.21; 0.05-0.96; P = 0.04)": an estimate and its interval
    if unit and _TIME_UNIT_RE.match(unit) and _TIME_PREP.search(before):
        return None
    raw = g["bn"] or ""
    value = parse_num(raw)
    if unit is None and _YEAR.fullmatch(raw):
        return None  # a year
    weak = bool(_BARE_BEFORE_WEAK.search(before)) and not _STAT_OF.search(before)
    return ArmValueMatch(m.start(), m.end(), "bare", value, unit=unit, weak=weak)


def _assign_arms(sentence: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    if not values:
        return []
    arms: list[str | None] = [None] * len(values)
    # 1. "... 18% and 27% in groups A and B, respectively"
    if "respectively" in sentence.lower():
        for lm in _RESPECTIVELY_LIST.finditer(sentence):
            names = _split_list(lm.group("list") or lm.group("list2") or lm.group("list3") or "")
            if lm.group("list2"):
                # "groups A and B": the letters alone say little to a reader
                # ("arm A and arm B" repeats the word)
                names = [f"{lm.group('kw2').lower()} {n.split()[-1]}" for n in names]
                numbers = re.findall(r"\b\d{1,2}\b", lm.group("list2"))
                if len(numbers) == len(re.findall(r"\b\w+\b", lm.group("list2"))) - 1 and not (
                    _COUNT_AFTER_LIST.match(sentence, lm.end())
                ):
                    # "groups 1 and 2 were": numbers, which no arm name is alone
                    names = [f"{lm.group('kw2').lower()} {n}" for n in numbers]
            if lm.group("people") and not any(_names_treatment(n) for n in names):
                continue  # "in diabetic and non-diabetic patients": subgroups
            if len(names) < 2:
                continue
            stop = sentence.lower().find("respectively", lm.start())
            if stop < 0:
                stop = lm.end()
            _assign_runs(
                sentence, values, arms, names, max(stop, lm.start()), (lm.start(), lm.end())
            )
            if len(names) == 2 and all(a is None for a in arms) and stop < values[0].start:
                # "between the formoterol and placebo groups, respectively, for
                # heart rate (80 vs. 82 bpm) and QTc (401 vs. 399 ms)"
                _give_pairs(sentence, values, arms, names[0], names[1])
            break
    # 1b. "12%, 15% and 30% in groups A, B and C", "16 vs 20 months for
    # drug X and drug Y": a run of values and, right after it, as many arms
    if any(a is None for a in arms):
        _arm_list_after_run(sentence, values, arms)
    # 2. "in the X group than in the Y group (4 vs 13)": a compared pair takes
    # the two arms of the comparison written before it
    # the comparison frames are read only once a compared pair needs them
    frames: list[tuple[int, str | None, str | None]] | None = None
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        if arms[i] is not None or arms[i + 1] is not None or a.kind != b.kind:
            continue
        if not _pair_link(sentence[a.end : b.start]):
            continue
        if frames is None:
            frames = [
                (m.end(), _clean_arm(m.group("x")), _clean_arm(m.group("y")))
                for rx in (_COMPARISON_GAP, _COMPARISON)
                for m in (rx.finditer(sentence) if _may_compare(sentence) else ())
            ]
        if frames:
            before = [f for f in frames if f[0] <= a.start and f[1] and f[2] and f[1] != f[2]]
            if before:
                _, arms[i], arms[i + 1] = max(before, key=lambda f: f[0])
    # 3. arms written right before or right after each value
    for i, v in enumerate(values):
        if arms[i] is None:
            prev_end = values[i - 1].end if i else 0
            j = i + 2 if _own_share_next(sentence, values, i) else i + 1
            next_start = values[j].start if j < len(values) else len(sentence)
            arms[i] = _not_subgroup(_direct_arm(sentence, v, prev_end, next_start))
    # a bracketed compared pair whose first value alone took the arm written
    # before the bracket ("for the X arm (17% v 26%, respectively)"): that arm
    # may be either side's; a label before the colon of such a pair names
    # what the pair measures ("(time in range: 75% vs. 61%)")
    for i in range(len(values) - 1):
        if (
            arms[i] is not None
            and arms[i + 1] is None
            and sentence[: values[i].start].rstrip().endswith(("(", "[", ":"))
            and _pair_link(sentence[values[i].end : values[i + 1].start])
        ):
            arms[i] = None
    # 4. "higher with doxorubicin than with PLD (66% vs 20%; 53% vs 37%)": pairs
    if any(a is None for a in arms):
        cm = _COMPARISON.search(sentence) if _may_compare(sentence) else None
        if cm:
            _give_pairs(
                sentence, values, arms, _clean_arm(cm.group("x")), _clean_arm(cm.group("y"))
            )
    # 4b. "Drug A and drug B were rated as 70% and 90% successful": two
    # treatments as the subject, compared pairs after them
    if any(a is None for a in arms):
        sm = _SUBJECT_PAIR.match(sentence)
        if sm and _names_treatment(sm.group("x")) and _names_treatment(sm.group("y")):
            _give_pairs(
                sentence, values, arms, _clean_arm(sm.group("x")), _clean_arm(sm.group("y"))
            )
    # 4c. "15.2% (induction) and 30.4% (noninduction)", "(2.0%, denosumab;
    # 1.4%, zoledronic acid)", "(induction, 32.5% vs. noninduction, 19.0%)"
    if any(a is None for a in arms):
        _labelled_pairs(sentence, values, arms)
    # weak: "... vs placebo (4.0 ± 1.1)" once pairs have had their turn; not
    # for the first of a compared pair ("than with placebo (41 vs 18%)": 41 is
    # the other arm's)
    for i, v in enumerate(values):
        if arms[i] is None:
            if (
                i + 1 < len(values)
                and arms[i + 1] is None
                and _pair_link(sentence[v.end : values[i + 1].start])
            ):
                continue
            prev_end = values[i - 1].end if i else 0
            weak = _ARM_BEFORE_WEAK.search(sentence[max(prev_end, v.start - 70) : v.start])
            if weak:
                arms[i] = _not_subgroup(_clean_arm(weak.group("arm")))
    # 6. "Risperidone therapy was associated with a gain of 2.7 kg, as
    # compared with 0.8 kg with placebo": the subject is the first value's arm
    if len(values) >= 2 and arms[0] is None and arms[1] is not None:
        sm = _SUBJECT_ARM.match(sentence, 0, values[0].start)
        if (
            sm
            and values[0].kind == values[1].kind
            and _COMPARED_LINK.fullmatch(sentence, values[0].end, values[1].start)
        ):
            x = _clean_arm(sm.group("x"))
            if x and x != arms[1] and _names_treatment(x):
                arms[0] = x
    # 6b. "the rate for drug A was 86% compared with 20% for drug B": the arm
    # the first value is said of, once the second has its own
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        if arms[i] is not None or arms[i + 1] is None or a.kind != b.kind:
            continue
        fm = _ARM_WAS_BEFORE.search(sentence, max(0, a.start - 60), a.start)
        if fm and _COMPARED_LINK.fullmatch(sentence, a.end, b.start):
            x = _clean_arm(fm.group("x"))
            if x is None or x == arms[i + 1]:
                continue
            # "the change in VMI was 35%": after "in", only a group is an arm;
            # an arm opening the clause ("In the test group, ...") comes first
            named = fm.group("grp") or (fm.group("prep") in ("for", "with") and _names_treatment(x))
            if named and _opening_arm(sentence, a.start) is None:
                arms[i] = x
    # 7. "In the X group, the rate was 30%": the arm that opens the clause
    if any(a is None for a in arms):
        for i, v in enumerate(values):
            if arms[i] is None:
                arms[i] = _opening_arm(sentence, v.start)
    # 5. as many "<arm> group" mentions as values: in order
    if any(a is None for a in arms):
        mentions = []
        for gm in _group_mentions(sentence):
            name = _clean_arm(gm.group("arm") or gm.group("pl"))
            if name and name not in mentions:
                mentions.append(name)
        # one value and one mention ("... after the placebo phase") tell nothing
        if len(mentions) == len(values) > 1 and all(
            a is None or a == mentions[i] for i, a in enumerate(arms)
        ):
            arms = list(mentions)
    # 8. "Pain was lower with drug X (3.1 vs 4.2)": a bracketed compared pair
    # after the arms the sentence has named so far
    if any(a is None for a in arms):
        _bracketed_pairs(sentence, values, arms)
    # 9. "infection (A, 32% vs. B, 19%), fever (25% vs. 10%)": later pairs of
    # a list of outcomes keep the arms of the pair before them
    if any(a is None for a in arms):
        _pairs_in_list(sentence, values, arms)
    return [v if a == v.arm else replace(v, arm=a) for v, a in zip(values, arms, strict=True)]


# What opens the bracket of a compared pair: a bracket and at most a label
# without digits ("(mean +/- SD, ", "[")
_PAIR_OPEN = re.compile(r"[(\[][^()\[\]\d]{0,30}$")
_PAIR_CLOSE = re.compile(r"[^()\[\]]{0,80}?[)\]]")
# The words of a comparison between arms: without one the sentence may only
# describe its groups ("age (61 vs 63 years)")
_COMPARATIVE = re.compile(
    r"\b(?:higher|lower|greater|less|more|fewer|better|worse|superior|inferior|shorter|longer|"
    r"larger|smaller|faster|slower|favou?r\w*|reduc\w*|increas\w*|decreas\w*|improv\w*|"
    r"prolong\w*|than|compared|versus|vs)\b",
    re.IGNORECASE,
)
# A dose that names its arm: "the 20 mg arm", "the 50-mg group"
_DOSE_ARM = r"\d+(?:\.\d+)?[\s-]?(?:mg|mcg|\u00b5g|g|ml|mL|IU)(?:/[a-z0-9]+)*"
_SUBJECT_VERBS = (
    r"had|has|showed|achieved|was|were|experienced|exhibited|reported|demonstrated|required|"
    r"needed|used|gained|lost|scored"
)
# An arm named before a compared pair: "in the X group", "group B", "with
# drug X", "favoured drug X"; people "with" something are a subgroup, not an arm
_MENTION = re.compile(
    r"\b(?:in|with|for|on|among|receiving|to|of|favou?red|than|versus|vs\.?)\s+(?:the\s+)?"
    rf"(?P<grp>{_DOSE_ARM}|{_ARM_PHRASE})\s+(?:groups?|arms?)\b"
    r"|\b(?P<kw>[Gg]roup|[Aa]rm)\s+(?P<letter>[A-Z0-9]{1,2}|I{3}|IV)\b"
    r"|\b(?P<prep>with|favou?red|receiving)\s+(?:the\s+)?"
    rf"(?P<drug>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})"
    # "patients allocated to education", "those randomised to receive drug X"
    r"|\b(?:allocated|assigned|randomi[sz]ed)\s+to\s+(?:receive\s+)?(?:the\s+)?"
    rf"(?P<alloc>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})"
    # "After six hours, the combined group achieved ...": a group as subject
    r"|(?:^|[,;:]\s*)(?:RESULTS?\s*:*\s*)?(?:[Tt]he\s+)?"
    rf"(?P<subj>{_ARM_PHRASE})\s+(?:groups?|arms?)\s+(?:{_SUBJECT_VERBS})\b"
)
_PEOPLE_BEFORE = re.compile(rf"\b(?:{_PEOPLE}|those|people|cases)\s+$", re.IGNORECASE)
_MENTION_END = re.compile(
    rf"\s*(?:[(\[,;.]|$|\s(?:than|compared|versus|vs|and|or|groups?|arms?|{_SUBJECT_VERBS})\b)"
)
# What earlier brackets hold ("(2.5 vs. 2.6%)") compares no arms of this pair
_INNER_BRACKETS = re.compile(r"[(\[][^()\[\]]*[)\]]")
# "X vs. Y: 136 vs. 132": the order of the arms written as a label
_LABEL_ORDER = re.compile(r"[A-Za-z][\w/+-]*\s+(?:vs\.?|versus)\s+[A-Za-z][\w/+-]*\s*:")
# A group named by a word before it; "both groups", "the two arms" name none
_GROUP_NOUN = re.compile(
    r"(?<!\bboth )(?<!\btwo )(?<!\bthe )(?<!\ball )(?<!\beach )(?<!\bthese )(?<!\bthree )"
    r"(?<=[A-Za-z0-9] )(?:groups?|arms?)\b",
    re.IGNORECASE,
)
# A ";" that ends a clause, not one that separates bracketed results of a
# list ("(82% vs 36%, OR 10); sepsis (74% vs 11%)")
_CLAUSE_BREAK = re.compile(r"[^\s)\]]\s*;")
_COMPARED_BEFORE = re.compile(r"\b(?:than|compared|versus|vs|relative|against)\b", re.I)
_THEN_COMPARED = re.compile(
    r"^[^()\[\]\d]{0,60}?\b(?:compared\s+(?:with|to)|than(?:\s+(?:with|in|for))?)\s+(?:the\s+)?"
    rf"(?P<arm>{_ARM_PHRASE})\s+(?:groups?|arms?)\s*[.;,]?\s*$"
)


def _blank_brackets(text: str) -> str:
    """``text`` with every bracket and what it holds written as ")", nested ones too."""
    while True:
        blanked = _INNER_BRACKETS.sub(lambda m: ")" * len(m.group(0)), text)
        if blanked == text:
            return text
        text = blanked


def _mentions(text: str) -> list[tuple[str, int, int]]:
    """The arms ``text`` names and where, in order of first mention (see :data:`_MENTION`)."""
    names: list[tuple[str, int, int]] = []
    for m in _MENTION.finditer(text):
        if m.group("letter"):
            name: str | None = f"{m.group('kw').lower()} {m.group('letter')}"
        else:
            raw = m.group("grp") or m.group("drug") or m.group("alloc") or m.group("subj")
            if re.fullmatch(_DOSE_ARM, raw):
                names.append((raw, m.start(), m.end()))
                continue
            if _SUBGROUP_WORD.search(raw):
                continue
            if m.group("drug") or m.group("alloc"):
                if m.group("prep") == "with" and _PEOPLE_BEFORE.search(
                    text, max(0, m.start() - 16), m.start()
                ):
                    continue  # "patients with diabetes": a subgroup
                # the phrase must end where a name can end; after "with" it
                # must name a treatment too, as allocation alone says it is one
                at = m.start("drug") if m.group("drug") else m.start("alloc")
                words = raw.split()
                raw = next(
                    (
                        " ".join(words[:n])
                        for n in range(1, len(words) + 1)
                        if _MENTION_END.match(text, at + len(" ".join(words[:n])))
                    ),
                    "",
                )
                if not raw or (m.group("drug") and not _names_treatment(raw)):
                    continue
            name = _clean_arm(raw)
        if name and all(name != n for n, _, _ in names):
            names.append((name, m.start(), m.end()))
    return names


def _bracketed_pairs(sentence: str, values: list[ArmValueMatch], arms: list[str | None]) -> None:
    """Arms of compared pairs in brackets, from the arms named before the bracket.

    One arm named ("fewer infarctions with drug X (0.5% vs 2.2%)") is the
    first value's: writers put the arm they name first; a group named in a
    closing "compared with the Y group" is the second's. Two arms named take
    the pair in their order when the sentence compares them in that order
    ("in the X arm ... than the Y arm (40% vs 36%)") or says "respectively".
    Anything else, or a pair whose bracket names an arm, is left alone.
    """
    start = 0
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        if arms[i] is not None or arms[i + 1] is not None or a.kind != b.kind:
            start = max(start, a.end)
            continue
        if not _pair_link(sentence[a.end : b.start]):
            continue
        opener = _PAIR_OPEN.search(sentence, max(start, a.start - 31), a.start)
        close = _PAIR_CLOSE.match(sentence, b.end)
        if opener is None or close is None:
            continue
        inside = sentence[opener.end() : close.end()]
        if _MENTION.search(inside) or _GROUP_WORD.search(inside):
            continue  # the bracket labels its own values
        head = sentence[: opener.start()]
        named = _mentions(head)
        if not named or len(named) > 2 or not _COMPARATIVE.search(head):
            continue
        if _LABEL_ORDER.search(sentence):
            return  # "(empiric vs. hemodynamic: 136 vs. 132)": the sentence states its order
        if len(named) == 1:
            if len(_GROUP_NOUN.findall(_blank_brackets(head))) > 1:
                continue  # another group is named, in words we cannot read as an arm
            ((x, _, at),) = named
            if _COMPARED_BEFORE.search(_INNER_BRACKETS.sub(" ", head[:at])):
                continue  # "... compared with those in the X group": the other side's
            if _CLAUSE_BREAK.search(_blank_brackets(head), at - 1):
                continue  # the arm is named in another clause
            arms[i] = x
            tail = _THEN_COMPARED.match(sentence[close.end() :])
            later = _clean_arm(tail.group("arm")) if tail else None
            if later and later != x:
                arms[i + 1] = later
        elif "respectively" in inside.lower() or _COMPARED_BEFORE.search(
            _INNER_BRACKETS.sub(" ", head[named[0][2] : named[1][2]])
        ):
            arms[i], arms[i + 1] = named[0][0], named[1][0]


# From one bracketed pair to the next in a list of outcomes: the rest of the
# bracket (a p-value), then a comma and the next outcome's name, no number
_NEXT_IN_LIST = re.compile(
    r"[^()\[\]]{0,60}[)\]]\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<name>[^\d()\[\];]{1,60})"
    r"[(\[][^()\[\]\d]{0,30}"
)
_NEW_CLAUSE = re.compile(
    r"\b(?:whereas|while|but|however|respectively|although|than|compared|versus|vs)\b", re.I
)


def _pairs_in_list(sentence: str, values: list[ArmValueMatch], arms: list[str | None]) -> None:
    """Give the arms of a compared pair to the bracketed pairs listed after it.

    "infection (A, 32% vs. B, 19%; P=0.01), fever (25% vs. 10%)": a list of
    outcomes, each with its pair in brackets, keeps one order of the arms. A
    word that may bring in other arms or a new clause between them ends it.
    """
    for i in range(len(values) - 3):
        x, y = arms[i], arms[i + 1]
        if x is None or y is None or x == y or arms[i + 2] is not None or arms[i + 3]:
            continue
        a, b, c, d = values[i : i + 4]
        if a.kind != b.kind or c.kind != d.kind:
            continue
        if not _pair_link(sentence[c.end : d.start]):
            continue
        if not (_pair_link(sentence[a.end : b.start]) or _pair_labels(sentence, a, b)):
            continue
        gap = _NEXT_IN_LIST.fullmatch(sentence, b.end, c.start)
        if gap is None or _NEW_CLAUSE.search(gap.group("name")):
            continue
        if _MENTION.search(gap.group("name")) or _GROUP_WORD.search(gap.group("name")):
            continue
        arms[i + 2], arms[i + 3] = x, y


def _not_subgroup(arm: str | None) -> str | None:
    """``arm`` unless it names a subgroup ("in the older group", "among high-risk patients")."""
    if arm is None or (_SUBGROUP_WORD.search(arm) and not _TREATMENT_WORD.search(arm)):
        return None
    return arm


def _own_share_next(sentence: str, values: list[ArmValueMatch], i: int) -> bool:
    """Whether the value after a count is its share, opening a bracket with its interval.

    "8 of 25 patients (32%; 95% CI, 14% to 50%) on the X arm": the share is
    read apart from the count, and the arm is written after both.
    """
    if i + 1 >= len(values):
        return False
    v, share = values[i], values[i + 1]
    return (
        v.kind == "events"
        and bool(v.total)
        and v.events is not None
        and share.kind == "percent"
        and abs(100 * v.events / (v.total or 1) - share.value) <= 1
        and re.fullmatch(r"\s*[(\[]\s*", sentence[v.end : share.start]) is not None
    )


# "In the X group, ...", "..., whereas in group B with 78 patients, ...",
# "In patients receiving X, ...": an arm that opens a clause
_OPENING_ARM = re.compile(
    r"(?:^|[;,:]\s*|\b(?:and|whereas|while|but)\s+)(?:RESULTS?\s*:?\s*)?"
    r"(?:[Ii]n|[Ff]or|[Aa]mong|[Oo]f)\s+(?:the\s+)?"
    rf"(?:(?P<arm>{_ARM_PHRASE})\s+(?:groups?|arms?)\b"
    r"|(?P<kw>group|arm)\s+(?P<letter>[A-Z0-9]{1,3})\b"
    rf"|(?:{_PEOPLE}|those)\s+(?:receiving|treated\s+with|given|on|allocated(?:\s+to)?|"
    r"assigned\s+to|randomi[sz]ed\s+to)\s+(?:the\s+)?"
    rf"(?P<arm2>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s*,"
    # "..., and, for paclitaxel, 53.0 weeks": a drug or kind of care alone
    rf"|(?P<arm3>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s*,)"
)
_CLOSES_VALUES = re.compile(r"(?:respectively|[\d%)\]])\s*,?$")
# A subgroup of patients, not an arm ("In the high-risk group, ...")
_SUBGROUP_WORD = re.compile(
    r"\b(?:risk|aged?|older|younger|elderly|male|female|men|women|children|adults|patients|"
    r"subgroups?|strat\w*|cohorts?|positive|negative|stage|grade|premenopausal|postmenopausal|"
    r"responders?|non-?responders?|overall|total|whole|both|all|each|two|three|four)\b",
    re.IGNORECASE,
)
# Where such an arm stops holding: a comparison brings in another arm
_OPENING_SCOPE_END = re.compile(
    r"\b(?:than|compared|versus|vs|whereas|while|respectively|relative|against)\b|;", re.I
)


def _opening_arm(sentence: str, pos: int) -> str | None:
    """The arm named at the start of the clause that ``pos`` is in, if any.

    The clause runs from the opening phrase to the next opening phrase or the
    first word that brings in a comparison ("than", "compared", "vs", ";").
    """
    if not ("n " in sentence or "or " in sentence or "ong " in sentence or "f " in sentence):
        return None
    best: re.Match[str] | None = None
    for m in _OPENING_ARM.finditer(sentence, 0, pos):
        if m.end() <= pos:
            best = m
    if best is None or _OPENING_SCOPE_END.search(sentence, best.end(), pos):
        return None
    if best.group("letter"):
        return f"{best.group('kw')} {best.group('letter')}"
    if (best.group("arm2") or best.group("arm3")) and _CLOSES_VALUES.search(
        sentence, 0, best.start() + 1
    ):
        # "27% and 15%, respectively, in adults on placebo, and 38% ...":
        # the phrase ends the values before it rather than opening a clause
        return None
    raw = best.group("arm") or best.group("arm2") or best.group("arm3")
    if _SUBGROUP_WORD.search(raw or ""):
        return None
    arm = _clean_arm(raw)
    if arm is None or (best.group("arm2") and not _names_treatment(arm)):
        return None
    if best.group("arm3") and not _labelled_count_pair(arm):
        return None
    return arm


_SUBJECT_ARM = re.compile(
    r"(?:RESULTS?\s*:?\s+)?(?:(?:treatment|therapy)\s+with\s+)?(?:the\s+)?"
    rf"(?P<x>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+(?:(?:therapy|treatment)\s+)?"
    r"(?:\([^()]{0,60}\)\s*|for\s+[\w\s]{1,30}?\s*)?(?:\([^()]{0,60}\)\s*)?"
    r"(?:was\s+associated\s+with|resulted\s+in|led\s+to|produced|reduced|increased|improved|"
    r"decreased|lowered|raised|induced|achieved)\b",
    re.IGNORECASE,
)
_ARM_WAS_BEFORE = re.compile(
    r"\b(?P<prep>for|with|in|among)\s+(?:the\s+)?"
    rf"(?P<x>{_ARM_WORD}(?:\s(?:and\s|plus\s|\+\s)?{_ARM_WORD}){{0,3}})\s+"
    r"(?P<grp>(?:groups?|arms?)\s+)?(?:was|were)\s+$"
)
_COMPARED_LINK = re.compile(
    rf"\s*(?:{_OUT_UNIT}|%)?(?:\s+[\w-]+){{0,6}}?\s*,?\s*(?:as\s+)?(?:compared\s+(?:with|to)|versus|vs\.?)"
    r"\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
_PAIR_JOIN = re.compile(r"\W*(?:vs\.?|versus|and|v)?\W*")


def _give_pairs(
    sentence: str,
    values: list[ArmValueMatch],
    arms: list[str | None],
    x: str | None,
    y: str | None,
) -> None:
    """Give ``x`` and ``y`` to each compared pair of values that has no arm yet."""
    i = 0
    while x and y and i + 1 < len(values):
        link = sentence[values[i].end : values[i + 1].start]
        if (
            arms[i] is None
            and arms[i + 1] is None
            and values[i].kind == values[i + 1].kind
            and _PAIR_JOIN.fullmatch(link.strip() or "-")
            and not _in_longer_list(sentence, values, i)
        ):
            arms[i], arms[i + 1] = x, y
            i += 2
        else:
            i += 1


def _in_longer_list(sentence: str, values: list[ArmValueMatch], i: int) -> bool:
    """Whether the pair at ``i`` is part of a longer list ("49.4, 47.5 and 26.5")."""

    def listed(x: ArmValueMatch, y: ArmValueMatch) -> bool:
        return x.kind == y.kind and _list_link(sentence[x.end : y.start])

    return (i > 0 and listed(values[i - 1], values[i])) or (
        i + 2 < len(values) and listed(values[i + 1], values[i + 2])
    )


_SUBJECT_PAIR = re.compile(
    r"(?:RESULTS?\s*:?\s+)?(?:the\s+)?"
    rf"(?P<x>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+and\s+(?:the\s+)?"
    rf"(?P<y>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+(?:groups?\s+|arms?\s+)?"
    r"(?:were|was|had|showed|produced|resulted|achieved|gave|yielded)\b"
)
# Abbreviations that name outcomes or statistics, not treatments
_NOT_TREATMENT = frozenset(
    [
        "CR",
        "PR",
        "SD",
        "PD",
        "ORR",
        "OS",
        "PFS",
        "DFS",
        "EFS",
        "TTP",
        "CI",
        "IQR",
        "SE",
        "SEM",
        "NS",
        "ITT",
        "PP",
        "HR",
        "OR",
        "RR",
        "AE",
        "AES",
        "SAE",
        "SAES",
        "BMI",
        # measures, never treatments
        "FEV1",
        "FVC",
        "VO2",
        "HBA1C",
        "A1C",
        "LDL",
        "HDL",
        "SBP",
        "DBP",
        "CRP",
        "LVEF",
        "GFR",
        "EGFR",
    ]
)
_TREATMENT_WORD = re.compile(
    r"\b(?:placebo|control|usual|sham|standard|group|arm|therapy|treatment|surgery|combination|"
    r"monotherapy|alone|"
    r"radiotherapy|chemotherapy|exercise|diet|training|counselling|counseling|intervention)\b",
    re.IGNORECASE,
)


def _names_treatment(phrase: str) -> bool:
    """Whether a phrase looks like a treatment: a drug name, an abbreviation or a kind of care.

    Two outcomes written as a subject ("Pain and nausea were reduced by 30%
    and 40%") name no arm.
    """
    words = re.findall(r"[A-Za-z][\w/+-]*", phrase)
    if not words or any(w.upper() in _NOT_TREATMENT for w in words):
        return False
    return bool(
        _TREATMENT_WORD.search(phrase)
        or any(is_drug_word(part) for w in words for part in re.split(r"[/+-]", w) if part)
        or any(2 <= len(w) <= 8 and w.isupper() for w in words)
    )


_LABEL_AFTER = re.compile(rf"\s*[(\[]\s*(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s*[)\]]")
_COMMA_LABEL_AFTER = re.compile(
    rf"\s*,\s*(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s*(?=[;)\]]|$)"
)
_COMMA_LABEL_BEFORE = _EndPattern(
    re.compile(
        rf"(?:^|[(\[;]|vs\.?|versus|\bv\.?|\band)\s*(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})"
        r"\s*,\s*$"
    ),
    chars=",",
)


_SEMICOLON = re.compile(r"\s*;\s*")
# "(tacrolimus 9.5% vs placebo 17.9%)", "were: drug A 12.1 ± 3.4; placebo 10.2":
# a name right before each value, after a bracket, a colon, ";" or "vs"
_BARE_LABEL_BEFORE = re.compile(
    rf"(?:^|[(\[;:,]|\bvs\.?|\bversus|\bv\.?)\s*(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}})\s+$"
)
_BARE_LABEL_JOIN = re.compile(rf"\s*(?:{_OUT_UNIT}|%)?\s*(?:;|,?\s*(?:vs\.?|versus|v\.?))\s*", re.I)


def _bare_labels(text: str, a: ArmValueMatch, b: ArmValueMatch) -> tuple[str, str] | None:
    """The arm names written right before each of two values, if both are treatments' names.

    One of the two must look like a treatment and neither may name a subgroup
    ("(men 12% vs women 15%)" compares no arms).
    """
    bb = _BARE_LABEL_BEFORE.search(text, a.end, b.start)
    if bb is None or not _BARE_LABEL_JOIN.fullmatch(text, a.end, bb.start("arm")):
        return None
    if text[bb.start() : bb.start("arm")].strip() not in ("", ";") and not text[
        bb.start() : bb.start("arm")
    ].strip().lower().startswith("v"):
        return None
    ba = _BARE_LABEL_BEFORE.search(text, max(0, a.start - 40), a.start)
    if ba is None:
        return None
    x, y = _clean_arm(ba.group("arm")), _clean_arm(bb.group("arm"))
    if not (x and y and x != y and _names_label(x) and _names_label(y)):
        return None
    if _SUBGROUP_WORD.search(x) or _SUBGROUP_WORD.search(y):
        return None
    if not (_names_treatment(x) or _names_treatment(y)):
        return None
    return x, y


def _pair_labels(text: str, a: ArmValueMatch, b: ArmValueMatch) -> tuple[str, str] | None:
    """The arm labels of two values each labelled in brackets or beside a comma.

    "15.2% (induction) and 30.4% (noninduction)", "(2.0%, denosumab; 1.4%,
    zoledronic acid)", "(denosumab, 8.5 months; ZA, 7.4 months)".
    """
    between = text[a.end : b.start]
    bare = _bare_labels(text, a, b)
    if bare:
        return bare
    if "(" not in between and "[" not in between and "," not in between:
        return None  # every other form has a bracket or a comma between the values
    names: tuple[str, str] | None = None
    la, lb = _LABEL_AFTER.match(text, a.end), _LABEL_AFTER.match(text, b.end)
    if la and lb and la.end() <= b.start and _PAIR_JOIN.fullmatch(text, la.end(), b.start):
        names = la.group("arm"), lb.group("arm")
    if names is None:
        ca, cb = _COMMA_LABEL_AFTER.match(text, a.end), _COMMA_LABEL_AFTER.match(text, b.end)
        if ca and cb and _SEMICOLON.fullmatch(text, ca.end(), b.start):
            names = ca.group("arm"), cb.group("arm")
    if names is None:
        ba = _COMMA_LABEL_BEFORE.search(text, max(0, a.start - 40), a.start)
        bb = _COMMA_LABEL_BEFORE.search(text, a.end, b.start)
        if ba and bb and _LABEL_JOIN.fullmatch(text, a.end, bb.start("arm")):
            names = ba.group("arm"), bb.group("arm")
    if names is None:
        return None
    x, y = _clean_arm(names[0]), _clean_arm(names[1])
    if x and y and x != y and _names_label(x) and _names_label(y):
        return x, y
    return None


_LABEL_JOIN = re.compile(rf"\s*(?:{_OUT_UNIT}|%)?\W*(?:vs\.?|versus|and|v)?\W*", re.IGNORECASE)


def _labelled_pairs(sentence: str, values: list[ArmValueMatch], arms: list[str | None]) -> None:
    """Pairs of values each labelled with its arm in brackets or after a comma."""
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        if arms[i] is not None or arms[i + 1] is not None or a.kind != b.kind:
            continue
        labels = _pair_labels(sentence, a, b)
        if labels:
            arms[i], arms[i + 1] = labels


def _names_label(name: str) -> bool:
    # "(CR)", "(range)", "(SD)": not arms
    return name.upper() not in _NOT_TREATMENT and name.lower() not in (
        "range",
        "median",
        "mean",
        "sd",
        "iqr",
        "total",
        "overall",
        "all",
        "respectively",
    )


def _comparison_p(sentence: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """Give the values of a comparison the p-value written right after them.

    "(20.2% vs 30.6%; p = 0.003)", "18.0 ± 2.2 for A and 17.4 ± 2.0 for B
    (p = 0.22)": a p-value within 60 characters after at least two values
    (counted since the previous p-value) compares them. A p-value after a
    single value ("3.6 ± 1.9 mmHg (P < 0.001)") is a within-arm change test
    and is not attached.
    """
    if not values or not _P_LETTER.search(sentence):
        return values
    out = list(values)
    first = 0  # first value since the previous p-value
    for pm in p_matches(sentence):
        group = [i for i in range(first, len(out)) if out[i].end <= pm.start()]
        if not group:
            continue
        first = group[-1] + 1
        if len(group) < 2 or pm.start() - out[group[-1]].end > 60:
            continue
        p_val, p_op = parse_p(pm)
        if p_val is None:
            continue
        for i in group:
            out[i] = replace(out[i], p=p_val, p_op=p_op)
    return out


_PEOPLE_END = re.compile(rf"{_PEOPLE}$")
_OF_GROUP_AFTER = re.compile(
    # one group: "of possible groups" counts groups, not people
    rf"\s*(?:[)\]]\s*)?of\s+(?:the\s+)?(?P<arm>{_ARM_PHRASE})\s+(?:group|arm)\b(?!\s+(?:and|or)\b)"
)
_ASSIGNED_AFTER = re.compile(
    rf"\s*(?:[(\[][^()\[\]]{{0,20}}[)\]]\s*)?(?:{_PEOPLE}\s+)?(?:who\s+were\s+)?"
    r"(?:assigned|allocated|randomi[sz]ed)\s+to\s+(?:receive\s+)?(?:the\s+)?"
    rf"(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,2}}?)(?=\s*(?:[,;:.)\](\[]|$)|\s+(?:group|arm|and|vs|versus|compared|than|were|was|had)\b)"
)
_PEOPLE_AFTER = re.compile(rf"\s*(?:of\s+)?(?:the\s+)?{_PEOPLE}\b")
_WHO_RECEIVED = re.compile(
    r"\s*(?:(?:who|that)\s+(?:received|were\s+given|were\s+treated\s+with|were\s+randomi[sz]ed\s+to|"
    r"were\s+assigned\s+to)|treated\s+with|receiving|given|randomi[sz]ed\s+to|assigned\s+to|"
    r"allocated\s+to)\s+(?:(?:treatment|therapy)\s+with\s+)?(?:the\s+)?"
    rf"(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,3}}?)(?:\s+(?:groups?|arms?))?"
    r"(?=\s*(?:[,;:.)\](\[]|$)|\s+(?:were|was|had|for|following|who|with|and|vs|versus|"
    r"compared|than|at|during|in|responded|showed|achieved|developed)\b)"
)
_LIST_GOES_ON = re.compile(
    r"\s*(?:(?:groups?|arms?)\s*)?(?:,|and\b)[^.;]{0,60}?\brespectively\b", re.IGNORECASE
)
_TREATED_PEOPLE_AFTER = re.compile(
    rf"\s+(?:of\s+)?(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD})?)\s+(?:recipients|users|{_PEOPLE})\b"
)
_TREATED_PEOPLE_WORDS = (
    "recipients",
    "users",
    "patients",
    "participants",
    "subjects",
    "children",
    "men",  # and "women"
    "infants",
    "adults",
)
_TREATED_PEOPLE_BEFORE = re.compile(
    rf"(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD})?)\s+(?:recipients|users|{_PEOPLE})\s*[(\[]\s*$"
)
_CHANGE_AFTER = re.compile(
    r"\s*(?:fall|drop|rise|gain|loss|increase|decrease|decline|reduction|change|improvement)\b",
    re.IGNORECASE,
)
_OF_FROM_AFTER = re.compile(r"\s*[)\]]?\s*,?\s*(?:of|from|after)\b")


_ARM_BEFORE_BRACKET = re.compile(
    r"\b(?:with|in|for|on|receiving|treated\s+with|given)\s+(?:the\s+)?"
    rf"(?P<arm>{_ARM_WORD}(?:\s{_ARM_WORD}){{0,3}}?)(?:\s+(?P<grp>groups?|arms?))?\s*[(\[]\s*$"
)
_INTERVAL_AFTER = re.compile(
    r"\s*[(\[](?:[^()\[\]]{0,40}?\b(?:CI|confidence\s+interval|IQR|range)\b"
    # "20 of 40 patients (50%; 95% CI, 34% to 66%) on the X arm"
    r"|\s*\d+(?:\.\d+)?\s?%\s*[;,])[^()\[\]]{0,60}[)\]]",
    re.IGNORECASE,
)


# What stands between a value and the arm it is in: its unit, a preposition
_PREV_VALUES_ARM = re.compile(
    r"[\s)\]%]*(?:(?!(?:than|vs|versus|and|or|but|whereas|while)\b)[a-zA-Z/]{1,8}\s+)?"
    r"(?:in|for|with|among|on|receiving)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def _direct_arm(sentence: str, v: ArmValueMatch, prev_end: int, next_start: int) -> str | None:
    """The arm written right before ("placebo group: 4.0") or after ("4.0 in the placebo group")."""
    before = sentence[max(prev_end, v.start - 70) : v.start]
    after = sentence[v.end : min(next_start, v.end + 70)]
    if before.rstrip().endswith(("(", "[")):
        # "for the X arm (7.9 months in the control arm v ...)": the value's own
        # group wins over the one that opens the bracket
        own = _ARM_AFTER.match(after)
        if own and own.group("grp"):
            return _clean_arm(own.group("arm"))
    strong = (
        _ARM_BEFORE_STRONG.search(before)
        # without "group"/"arm" only the "<arm>:" form can match, and it ends
        # the text but for whitespace
        if ("group" in before or "arm" in before or before.rstrip().endswith((":", "=")))
        else None
    )
    if (
        strong
        and prev_end > v.start - 70
        and strong.group(0).rstrip().endswith(",")
        and _PREV_VALUES_ARM.fullmatch(before, 0, strong.start())
    ):
        # "61% in the A arm, 55% in the B arm": the arm before the value is
        # the one the previous value was in
        strong = None
    if strong:
        if strong.group("arm3"):
            return f"{strong.group('kw3')} {strong.group('arm3')}"
        arm = _clean_arm(strong.group("arm1") or strong.group("arm2"))
        if arm:
            return arm
    lm = _GROUP_LETTER_AFTER.match(after)
    if lm:
        return f"{lm.group('kw')} {lm.group('letter')}"
    # "with letrozole (38%) than with tamoxifen (18%)", "22 warfarin recipients (10.4%)"
    bracketed = before.endswith(("(", "[", "( ", "[ "))
    pm = _ARM_BEFORE_BRACKET.search(before) if bracketed else None
    if pm:
        arm = _clean_arm(pm.group("arm"))
        if arm and (pm.group("grp") or _names_treatment(arm)):
            return arm
    pm = (
        _TREATED_PEOPLE_BEFORE.search(before)
        # the pattern ends in a people word and the bracket
        if bracketed and before.rstrip()[:-1].rstrip().endswith(_TREATED_PEOPLE_WORDS)
        else None
    )
    if pm and _names_treatment(pm.group("arm")):
        return _clean_arm(pm.group("arm"))
    # "7% (95% CI, 1-12%) for epoetin beta": the interval stands between
    cm = _INTERVAL_AFTER.match(after)
    if cm:
        after = after[cm.end() :]
    elif v.kind in ("bare", "events") and v.unit is None:
        # "104 invasive cancers in the intervention group"
        nm = _EVENT_NOUNS_AFTER.match(after)
        if nm:
            after = after[nm.end() :]
    if v.kind in ("events", "percent"):
        # "98 of 205 heparin recipients", "13% of drug X patients"
        rm = _TREATED_PEOPLE_AFTER.match(after)
        if rm and _names_treatment(rm.group("arm")):
            return _clean_arm(rm.group("arm"))
    if v.kind in ("events", "percent") and (gm := _OF_GROUP_AFTER.match(after)):
        # "33% of the exercise group": a share of the group's members
        return _not_subgroup(_clean_arm(gm.group("arm")))
    # "20 of 41 assigned to placebo": a count out of its arm; "69 (49%)
    # assigned to drug A" without the total only says how the sample split
    am = _ASSIGNED_AFTER.match(after) if v.kind == "events" and v.total else None
    if am and _names_treatment(am.group("arm")):
        return _clean_arm(am.group("arm"))
    if _PEOPLE_END.search(sentence, max(v.start, v.end - 14), v.end):
        # "7 (50%) of 14 patients who received treatment with drug A were"
        wm = _WHO_RECEIVED.match(after)
        if wm:
            return _clean_arm(wm.group("arm"))
    elif v.kind in ("events", "percent") and (pw := _PEOPLE_AFTER.match(after)):
        # "5 of 86 (5.8%) patients who received drug A": the people come after
        # the count and its share
        wm = _WHO_RECEIVED.match(after, pw.end())
        if wm and "espectively" not in after and _names_treatment(wm.group("arm")):
            return _clean_arm(wm.group("arm"))
    lm2 = (
        _ARM_LIST_AFTER_RUN.match(sentence, v.end)
        if prev_end and " and " in after[:60] and _list_link(sentence[prev_end : v.start])
        else None
    )
    if lm2 and lm2.group("pair") and len(set(_split_list(lm2.group("pair")))) == 2:
        # "3.1 and 4.2 for drug Q and placebo": the value is one of the pair,
        # which is read as a run or not at all, never as the first arm alone
        return None
    am = _ARM_AFTER.match(after)
    if am and (am.group("grp") or am.group("of") or not _OF_FROM_AFTER.match(after)):
        if "espectively" in after and _LIST_GOES_ON.match(after, am.end("arm")):
            return None  # "for A and B arms, respectively": a list, not one arm
        arm = _clean_arm(am.group("arm"))
        # "a 41% fall in the anxiety score": what changed, unless it is a group
        # or a treatment ("a 14% decrease in the placebo group")
        if arm and _CHANGE_AFTER.match(after) and not (am.group("grp") or _names_treatment(arm)):
            return None
        return arm
    return None


_GROUP_WORD = re.compile(r"\b(?:groups?|arms?)\b|\b[Pp]lacebo\b")
_PHRASE_BEFORE_GROUP = re.compile(rf"(?P<arm>{_ARM_PHRASE})\s+$")


def _group_mentions(sentence: str) -> Iterator[re.Match[str]]:
    """:data:`_GROUP_MENTION` matches, found from the cheap "group"/"arm" words outward."""
    if not ("group" in sentence or "arm" in sentence or "lacebo" in sentence):
        return
    for w in _GROUP_WORD.finditer(sentence):
        lo = max(0, w.start() - 60)
        m = _GROUP_MENTION.match(sentence, lo if w.group(0)[0] in "ga" else w.start(), w.end())
        if w.group(0)[0] in "ga":
            head = _PHRASE_BEFORE_GROUP.search(sentence, lo, w.start())
            if head is None:
                continue
            m = _GROUP_MENTION.match(sentence, head.start(), w.end())
        if m is not None:
            yield m


def _assign_runs(
    sentence: str,
    values: list[ArmValueMatch],
    arms: list[str | None],
    names: list[str],
    stop: int,
    inside: tuple[int, int] = (0, 0),
) -> None:
    """Give runs of values of one kind the arms of a "respectively" list in order.

    Only runs that end before "respectively" (``stop``) and whose values are
    joined by "and", commas or "vs" take the names: a later pair in the same
    sentence ("..., respectively, with rates of 86% vs 62% at 2 years")
    belongs to its own comparison. Numbers ``inside`` the list itself ("in
    groups 1 and 2") are none of its values.
    """
    k = len(names)
    i = 0
    while i + k <= len(values):
        run = values[i : i + k]
        joined = all(
            _list_link(sentence[a.end : b.start]) or _pair_link(sentence[a.end : b.start])
            for a, b in itertools.pairwise(run)
        )
        if (
            len({v.kind for v in run}) == 1
            and joined
            and run[-1].end <= stop
            and not any(inside[0] <= v.start < inside[1] for v in run)
            and not _compared_with_run(sentence, values, i, k, stop)
        ):
            for j, name in enumerate(names):
                arms[i + j] = name
            i += k
        else:
            i += 1


def _compared_with_run(
    sentence: str, values: list[ArmValueMatch], i: int, k: int, stop: int
) -> bool:
    """Whether the run of ``k`` values at ``i`` starts with one compared with the list after it.

    "lower in group D than in groups E and N (1.2 vs. 3.6 and 2.9,
    respectively)": the first value is group D's, and the list of the
    "respectively" is the two after "vs.".
    """
    if i + k >= len(values):
        return False
    a, b, after = values[i], values[i + 1], values[i + k]

    def joined(x: ArmValueMatch, y: ArmValueMatch) -> bool:
        link = sentence[x.end : y.start]
        return x.kind == y.kind and (_list_link(link) or _pair_link(link))

    return (
        after.kind == a.kind
        and after.end <= stop
        and _pair_link(sentence[a.end : b.start])
        and all(
            _list_link(sentence[x.end : y.start])
            for x, y in itertools.pairwise(values[i + 1 : i + k + 1])
        )
        # the chain is the one value and the list: nothing joined before or after
        and not (i and joined(values[i - 1], a))
        and not (i + k + 1 < len(values) and joined(after, values[i + k + 1]))
    )


def find_arm_values(sentence: str) -> list[ArmValueMatch]:
    """Find outcome values per arm in one sentence.

    Returns
    -------
    list[ArmValueMatch]
        In text order, offsets relative to ``sentence``; bare percentages are
        kept only when an arm is found for them.
    """
    return list(_find_arm_values_cached(sentence))


@lru_cache(maxsize=4096)
def _find_arm_values_cached(sentence: str) -> tuple[ArmValueMatch, ...]:
    # the component and the adverse-event finder read the same sentences in
    # turn: the second reading is a cache hit
    return tuple(_find_arm_values(sentence, _has_word_number(sentence)))


_DIGIT = re.compile(r"\d")
_PUNCT_TO_SPACE = str.maketrans({c: " " for c in "()[]{},;:.-/%"})


# every number word contains one of these; most sentences contain none
_WORD_NUMBER_PARTS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "teen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
)


def _has_word_number(sentence: str) -> bool:
    # a few substring tests rule out most sentences; then str.split and a set
    # lookup cost far less than a regex alternation of twenty words
    low = sentence.lower()
    if not any(part in low for part in _WORD_NUMBER_PARTS):
        return False
    return not _WORD_NUMBERS.keys().isdisjoint(low.translate(_PUNCT_TO_SPACE).split())


# "three deaths in the drug group and eight in the control group", "141
# patients in the letrozole arm", "28 VTEs on placebo": a whole number, with
# at most three words for what it counts, right before the arm that had them
_COUNT_STOP = (
    r"(?:in|of|on|among|from|with|within|receiving|given|treated|and|or|vs|versus|than|was|were|"
    r"had|has|is|are|at|to|for|by|after|before|during|the|a|an|per|each|both|all|who|which|that)"
)
_ARM_COUNT = re.compile(
    rf"(?<![\w.,/\u00b7\u2212-])(?P<n>{_INT}|(?i:{_WORD_NUM}))(?![\w.,/%\u00b7-])"
    rf"(?P<noun>(?:\s+(?!{_COUNT_STOP}\b)[A-Za-z][\w-]*){{0,3}})"
    r"\s+(?:(?P<took>on|receiving|treated\s+with|given)|in|of|among|from|with)\s+(?:the\s+)?"
    rf"(?P<arm>{_ARM_PHRASE}?)(?:\s+(?P<grp>groups?|arms?)\b"
    r"|(?=\s*[,;.)(\[]|\s+(?:and|vs|versus|compared|than|but|while|whereas)\b))"
)
# "among 2,463 women receiving X", "out of 40 patients in group A": a
# denominator; "in 40 patients in the X group" is a subgroup unless the
# words before say that something was seen in them
_COUNT_BEFORE_NOT = _EndPattern(
    re.compile(
        r"\b(?:of|among|from|to|than|with|for|within|over|(?<!occurred\s)(?<!seen\s)"
        r"(?<!observed\s)(?<!found\s)(?<!detected\s)(?<!reported\s)(?<!recorded\s)"
        r"(?<!noted\s)in)\s*$",
        re.IGNORECASE,
    ),
    words="of among from to than with for within over in",
)
# "2471 eligible participants (1238 participants in the X arm and ...)": the
# arms' shares of a sample, not events
_SAMPLE_BREAKDOWN = _EndPattern(re.compile(rf"{_PEOPLE}\s*[(\[]\s*$", re.IGNORECASE), chars="([")


def _in_sample_breakdown(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside a bracket opened right after a people word."""
    opened = max(text.rfind("(", 0, pos), text.rfind("[", 0, pos))
    if opened < 0 or max(text.rfind(")", opened, pos), text.rfind("]", opened, pos)) >= 0:
        return False
    return bool(_SAMPLE_BREAKDOWN.search(text, max(0, opened - 40), opened + 1))


_WORD_COLON = re.compile(r"(?<=[^\W\d_])\s*:\s*$")
_COUNT_CUE = re.compile(
    r"\b(?:achieved|improved|detected|observed|seen|reported|recorded|numbers?\s+of|incidence)\b",
    re.IGNORECASE,
)
_NOUN_NOT_COUNTED = re.compile(
    r"(?:hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|minutes?|mins?|mg|g|ml|mcg|ug|kg|cm|"
    r"mm|units?|iu|times|fold|points?|percent|cycles?|courses?|doses?|sessions?|visits?|groups?|"
    r"arms?|increases?|decreases?|reductions?|changes?|rises?|falls?|gains?|loss)",
    re.IGNORECASE,
)


# "(164 letrozole and 235 placebo)", "(4 drug X and 2 placebo patients)",
# "(tamoxifen 34, placebo 36)": a pair of counts, each labelled by its arm
_LABELLED_COUNT_PAIR = re.compile(
    rf"(?:(?<=[(\[])|(?<=[(\[:;,]\s))(?:(?P<n1>{_INT})\s(?P<x>{_ARM_WORD}(?:\s{_ARM_WORD})?)"
    r"\s*(?:,|and|vs\.?|versus)\s*"
    rf"(?P<n2>{_INT})\s(?P<y>{_ARM_WORD}(?:\s{_ARM_WORD})?)(?:\s(?:recipients|users|{_PEOPLE}))?"
    rf"|(?P<x2>{_ARM_WORD}(?:\s{_ARM_WORD})?)\s(?P<m1>{_INT})\s*(?:,|;|and|vs\.?|versus)\s*"
    rf"(?P<y2>{_ARM_WORD}(?:\s{_ARM_WORD})?)\s(?P<m2>{_INT}))"
    r"(?=\s*[,;)\]])"
)


# The pair patterns start right after a bracket or a ", ; :" and a space;
# the count pattern at a digit or a number word. ``re`` would try either
# pattern, which starts with a look-behind, at every position.
# (written as one character class first, which ``re`` skips to quickly)
_PAIR_OPENERS = re.compile(r"[(\[:;,](?:(?<=[(\[])\s?|\s)")
_DIGIT_RUN = re.compile(r"\d+")


def _count_starts(masked: str) -> list[int]:
    """Where a count may start: the digit runs and number words, in text order."""
    starts = [m.start() for m in _DIGIT_RUN.finditer(masked)]
    low = masked.lower()
    # every number word holds one of the parts: most sentences need no scan
    if len(low) == len(masked) and any(part in low for part in _WORD_NUMBER_PARTS):
        words = [m.start() for m in _WORD_START.finditer(low)]
        if words:
            starts = sorted(starts + words)
    return starts


def _labelled_count_pair(name: str) -> bool:
    """Whether a pair label names a treatment that a reader would take for an arm."""
    words = name.split()
    return _names_treatment(name) and (
        bool(_TREATMENT_WORD.search(name)) or any(is_drug_word(w) for w in words)
    )


def _labelled_counts(pairs: list[re.Match[str]]) -> list[ArmValueMatch]:
    """The two counts of each labelled pair whose labels both name treatments."""
    out = []
    for m in pairs:
        slots = (
            [("n1", "x"), ("n2", "y")]
            if m.group("n1") is not None
            else [("m1", "x2"), ("m2", "y2")]
        )
        arms = [_clean_arm(m.group(a)) for _, a in slots]
        if not all(a and _labelled_count_pair(a) for a in arms) or arms[0] == arms[1]:
            continue
        for (n, _), arm in zip(slots, arms, strict=True):
            k = _int(m.group(n))
            out.append(ArmValueMatch(m.start(n), m.end(n), "events", float(k), events=k, arm=arm))
    return out


# Every match of _EVENT_CUE, _COUNTED_EVENTS or _COUNT_CUE holds one of these
# (ignoring case); a sentence with none keeps no count, and most sentences
# have none. tests/extract/test_prefilters.py pins the three patterns: a
# change to them must be brought here.
_CUE_LITERALS = (
    # _EVENT_CUE
    "developed",
    "occurred",
    "experienced",
    "event",
    "cases",
    "died",
    "death",
    "responded",
    "responders",
    "relapse",
    "recurrence",
    "infection",
    "suffered",
    "required",
    "needed",
    "complication",
    # _COUNTED_EVENTS (its event nouns not above)
    "cancers",
    "episodes",
    "fractures",
    "responses",
    "admissions",
    "hospitali",
    "exacerbations",
    "infarctions",
    "strokes",
    "seizures",
    "falls",
    "bleeds",
    "hemorrhages",
    "haemorrhages",
    # _COUNT_CUE
    "achieved",
    "improved",
    "detected",
    "observed",
    "seen",
    "reported",
    "recorded",
    "number",
    "incidence",
)


def _arm_counts(masked: str, sentence: str, taken: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """Counts written right before their arm that no other form of value found.

    "two deaths in the drug group", "141 patients in the letrozole arm": kept
    only in a sentence that speaks of events and not of allocation, and not
    after a mean or median word, so that arm sizes and scores stay out.
    """
    if not may_contain(sentence, sentence.lower(), _CUE_LITERALS):
        return []  # no event cue can match (see _CUE_LITERALS)
    counts = matches_at(_ARM_COUNT, masked, _count_starts(masked))
    openers = [m.end() for m in _PAIR_OPENERS.finditer(masked)]
    pairs = matches_at(_LABELLED_COUNT_PAIR, masked, openers)
    # the cue patterns cost more than the count patterns: read them only
    # for a sentence that has a count to keep
    if not (counts or pairs):
        return []
    if not (
        _EVENT_CUE.search(sentence)
        or _COUNTED_EVENTS.search(sentence)
        or _COUNT_CUE.search(sentence)
    ) or _ALLOCATION_CUE.search(sentence):
        return []
    out = []
    for m in counts:
        s = m.start("n")
        if any(v.start < m.end("noun") and s < v.end for v in taken):
            continue
        if any(_NOUN_NOT_COUNTED.fullmatch(w) for w in m.group("noun").split()):
            continue
        if _in_sample_breakdown(masked, s):
            continue
        before = masked[max(0, s - 25) : s]
        # "... were rare: four cases in the X group": a colon after a word
        # opens a list; after a number it makes a ratio
        before = _WORD_COLON.sub("", before)
        if _BARE_BEFORE_NOT.search(before) or _COUNT_BEFORE_NOT.search(before):
            continue
        if any(
            not _CUE_OF_SAMPLE.match(sentence, c.end()) for c in _KIND_CUE.finditer(sentence, 0, s)
        ):
            continue
        arm = _clean_arm(m.group("arm"))
        # "2 cases of CHF", "12 patients with diabetes": without a group word
        # only a treatment taken names an arm ("28 events on drug X")
        if not arm or not (m.group("grp") or (m.group("took") and _names_treatment(arm))):
            continue
        n = _int(m.group("n"))
        out.append(ArmValueMatch(s, m.end("noun"), "events", float(n), events=n, arm=arm))
    for v in _labelled_counts(pairs):
        if not any(t.start < v.end and v.start < t.end for t in [*taken, *out]):
            out.append(v)
    return sorted(out, key=lambda v: v.start)


_FORMULATION_AFTER = re.compile(
    r"\s*(?:w/v|v/v|w/w)?\s*(?:solution|cream|gel|ointment|spray|drops|lotion|mouthwash|"
    r"mouth\s*rinse|gargle|eye\s*drops|patch|foam|shampoo|varnish|suspension|emulsion)\b",
    re.IGNORECASE,
)
_SEX_SHARE_AFTER = re.compile(
    r"\s*(?:were\s+|was\s+)?(?:males?|females?|men|women|boys|girls|male\s+sex|female\s+sex)\b",
    re.IGNORECASE,
)


def _find_arm_values(sentence: str, word_numbers: bool) -> list[ArmValueMatch]:
    if not (word_numbers or _DIGIT.search(sentence)) or is_hedged(sentence):
        return []
    masked, found = _values(sentence, word_numbers)
    if not found:
        return _finish(sentence, _arm_counts(masked, sentence, []))
    linked = _linked(masked, found)
    # Bare numbers and percentages take part in the sentence-level arm rules
    # (lists, pairs, "as many groups as values") only when they are paired
    # or listed; a lone one must name its arm right next to it.
    main_idx = [i for i, v in enumerate(found) if v.kind not in ("bare", "drop") or linked[i]]
    with_arms = dict(
        zip(main_idx, _assign_arms(sentence, [found[i] for i in main_idx]), strict=True)
    )
    values: list[ArmValueMatch] = []
    sample_end: int | None = None  # end of the last mean that describes the sample
    for i, v in enumerate(found):
        w = with_arms.get(i)
        if w is None:
            if v.kind == "drop":
                continue
            # both dropped below whatever their arm: skip looking for it
            if v.kind in ("percent", "bare") and not linked[i] and v.weak:
                continue
            if (
                not linked[i]
                and _TIME_UNIT_RE.match(v.unit or "")
                and not _DURATION_CUE.search(sentence, 0, v.start)
            ):
                continue
            prev_end = found[i - 1].end if i else 0
            next_start = found[i + 1].start if i + 1 < len(found) else len(sentence)
            arm = _direct_arm(sentence, v, prev_end, next_start) or _opening_arm(sentence, v.start)
            if arm is None and v.kind in ("percent", "bare") and not linked[i]:
                continue  # decided below too; skipping here saves the copy
            w = v if arm is None else replace(v, arm=arm)
        if w.kind == "drop":
            continue
        if w.kind in ("percent", "bare") and not linked[i] and (w.arm is None or w.weak):
            continue
        if (
            not linked[i]
            and _TIME_UNIT_RE.match(w.unit or "")
            and not _DURATION_CUE.search(sentence, 0, w.start)
        ):
            # "48 hours", "6 months": a time unless the sentence measures one
            continue
        if w.kind == "bare":
            kind = _bare_kind(sentence, w)
            if kind is None:
                continue
            w = replace(w, kind=kind, events=int(w.value) if kind == "events" else None)
        if w.kind in ("mean", "median"):
            if _describes_sample(sentence, w) or (
                sample_end is not None and _SAME_LIST.fullmatch(sentence, sample_end, w.start)
            ):
                # "baseline scores were 58.1 for A, 57.4 for B and 60.0 for
                # C": the list goes on describing the sample
                sample_end = w.end
                continue
            sample_end = None
        if w.kind == "events" and w.arm is None and _counts_the_sample(sentence, w):
            continue
        if w.kind == "percent" and _SEX_SHARE_AFTER.match(sentence, w.end):
            continue  # "(61 ± 7 years, 53% males)": how the sample is made up
        if w.kind == "percent" and _FORMULATION_AFTER.match(sentence, w.end):
            continue  # "glycine 1.5% solution": the strength of what was given
        values.append(w)
    counts = _arm_counts(masked, sentence, [v for v in found if v.kind != "bare"] + values)
    return _finish(sentence, sorted(values + counts, key=lambda v: v.start))


def _finish(sentence: str, values: list[ArmValueMatch]) -> list[ArmValueMatch]:
    """``values`` with the p-value of their comparison, their outcome and time point."""
    values = _comparison_p(sentence, values)
    out = []
    outcome: str | None = None
    prev_end = 0
    prev_arm: str | None = None
    for v in values:
        # a later value names its own outcome only in the text since the
        # previous value ("Alopecia (66% vs 20%) and nausea (53% vs 37%)")
        segment = _blank_arms(sentence[prev_end : v.start], v.arm, prev_arm)
        prev_arm = v.arm
        own = outcome_before(segment, len(segment))
        outcome = own or outcome
        prev_end = v.end
        out.append(replace(v, outcome=outcome, timepoint=find_timepoint(sentence, v.start)))
    return out


def _blank_arms(segment: str, *arms: str | None) -> str:
    """``segment`` with each of ``arms`` blanked out, the longest first.

    "of fixed brimonidine-timolol patients" loses the whole combination
    whichever value names it: blanking "timolol" first would leave "fixed
    brimonidine-" to be read as an outcome (a fixed order, too, keeps the
    output the same from one process to the next).
    """
    for arm in sorted({a for a in arms if a}, key=lambda a: (-len(a), a)):
        segment = segment.replace(arm, " " * len(arm))
    return segment


# "mean age 51.9 ± 9.8 years", "median follow-up was 30 (IQR 20-41) months",
# "mean baseline scores were 62.95 for A": who was studied and for how long,
# not what the treatment did
_DESCRIPTOR = re.compile(
    r"\b(?:age[ds]?|M\s?age|BMI|body\s+mass\s+index|baseline(?![-\s]adjusted)|(?:median|mean|average)\s+"
    r"(?:(?:duration|length)\s+of\s+)?follow[-\s]?up|follow[-\s]?up\s+(?:period|time|duration)|"
    r"(?:duration|length)\s+of\s+follow[-\s]?up)\b",
    re.IGNORECASE,
)
# "change from baseline" is an outcome
_CHANGE_BEFORE = re.compile(
    r"\b(?:from|since|over|vs\.?|versus|than|to|compared\s+(?:with|to))\s*$", re.IGNORECASE
)
# What may stand between the values of one list: arm labels, units,
# commas, "and", "vs"; no number, bracket or clause that moves on to another
# time or to a change ("..., and after 12 weeks 3.1 vs 4.0")
_SAME_LIST = re.compile(
    r"(?:(?!\b(?:after|at|by|week|month|year|day|follow|end|final|post|change|decrease|increase|"
    r"reduc|improv|fell|rose|dropped|to|from|then|whereas|while|but|was|were|is|are)\w*\b)"
    r"[^\d.;:()\[\]]){0,40}",
    re.IGNORECASE,
)
_ENROLMENT = re.compile(
    r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided)|(?:were|was)\s+"
    r"(?:assigned|allocated|divided|enrolled|recruited|included|randomi[sz]ed)|enrolled|recruited)\b",
    re.IGNORECASE,
)
_RESULT_WORDS = re.compile(
    r"\b(?:vs|versus|v|compared|than|p|significant\w*|differ\w*|reduc\w*|increas\w*|decreas\w*|"
    r"improv\w*|higher|lower|greater|less|more|fewer|better|worse|changed?|after|respectively|"
    r"results?|outcomes?)\b",
    re.IGNORECASE,
)
# "Height: 181.2 \u00b1 6.9 cm, Weight: 80.1 \u00b1 12.4 kg", "(age = 30.2 \u00b1 5.1;
# BMI = 24.0 \u00b1 2.9)": a label and its value, the way a sample is described;
# outcomes are told in words ("weight fell to 78.3 kg in the X group")
_BODY_LABEL = _EndPattern(
    re.compile(
        r"\b(?:age|height|stature|(?:body\s+)?weight|body\s+fat|fat\s+mass|BMI|body\s+mass\s+index|"
        r"VO\s?2\s?(?:max|peak)|waist(?:\s+circumference)?)\s*%?\s*[:=]\s*$",
        re.IGNORECASE,
    ),
    chars=":=",
)
# "At baseline, scores were 0.41 (SD 0.12) and 0.40 (SD 0.13)": the whole
# sentence tells where the groups started
_AT_BASELINE = re.compile(r"\W*(?:[A-Z][A-Z .]+:+\s*)?(?:at|on)\s+baseline\s*,", re.IGNORECASE)
# "(mean age, 61 \u00b1 7 years)": the comma there cuts no clause
_DESCRIPTOR_COMMA = re.compile(
    r"\b(?:mean|median|average)\s+(?:age|BMI|body\s+mass\s+index|follow[-\s]?up)\s*,\s*$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(r"[\s)\]]*(?:years?|yrs?)\s+(?:of\s+age|old)\b", re.IGNORECASE)
_CLAUSE_CUT = re.compile(r"[;,(\[]")


# "65 (81%) participants completed", "1967 (74%) are included", "data were
# available on 309 women (96.6%)": how many took part, not how many had an event
_FLOW_AFTER = re.compile(
    r"[^.;,]{0,40}?\b(?:randomi[sz]ed|assigned|allocated|enrolled|recruited|included|available|"
    r"eligible|evaluable|completed|finished|entered|accepted|agreed|approached|screened|consented|"
    r"participated|"
    r"withdrew|excluded|analy[sz]ed)\b",
    re.IGNORECASE,
)
_FLOW_BEFORE = re.compile(r"\b(?:available|data)\s+(?:on|for|from)\s*$", re.IGNORECASE)


_COMPARES_ARMS = re.compile(
    r"\b(?:groups?|arms?|vs\.?|versus|v|compared|comparison|than|placebo|control|respectively|"
    r"both|either|each|whereas|while)\b",
    re.IGNORECASE,
)


def _counts_the_sample(sentence: str, v: ArmValueMatch) -> bool:
    """True when an event count with no arm counts the trial's participants."""
    return bool(
        _FLOW_AFTER.match(sentence, v.end)
        or _FLOW_BEFORE.search(sentence, max(0, v.start - 30), v.start)
    )


def _describes_sample(sentence: str, v: ArmValueMatch) -> bool:
    """True when a mean or median describes the sample (age, BMI, follow-up, baseline).

    Only the clause the value is in counts ("in patients aged over 65, the
    mean reduction was 5.0" is an outcome; "baseline scores were 58.1 for A
    and 57.4 for B" are both baseline values), plus "years of age"/"years
    old" right after it.
    """
    if (
        _AGE_AFTER.match(sentence, v.end)
        or _BODY_LABEL.search(sentence, 0, v.start)
        or _DESCRIPTOR_COMMA.search(sentence, max(0, v.start - 40), v.start)
        or _AT_BASELINE.match(sentence)
    ):
        return True
    if _ENROLMENT.search(sentence) and not _RESULT_WORDS.search(sentence):
        # "Seventeen women (mean age 61 ± 8 years) were randomised to ...",
        # "(n = 144: 11.0 ± 0.5 years, 151 ± 8 cm)": who was enrolled; a
        # sentence with a result in it says "vs", "p" or "higher"
        return True
    clause = sentence[max(0, v.start - 80) : v.start]
    cuts = list(_CLAUSE_CUT.finditer(clause))
    if cuts:
        clause = clause[cuts[-1].end() :]
    for m in _DESCRIPTOR.finditer(clause):
        if m.group(0).lower() == "baseline" and _CHANGE_BEFORE.search(clause, 0, m.start()):
            continue
        return True
    return False


_CACHE_KEY = "miner.arm_value"


def _doc_values(doc: Doc) -> list[tuple[int, ArmValueMatch]]:
    """Every value of ``doc`` with the char offset of its sentence.

    The component keeps the list in ``doc.user_data`` for the collector.
    """
    cached = doc.user_data.get(_CACHE_KEY)
    if isinstance(cached, list):
        return cached
    text = doc_text(doc)
    out: list[tuple[int, ArmValueMatch]] = []
    for start, end in sentence_bounds(doc, text):
        # per sentence: str.translate is fast only on ASCII-only strings,
        # which most sentences are and few whole abstracts
        sentence = text[start:end]
        values = _find_arm_values_cached(sentence)
        if values and not _COMPARES_ARMS.search(sentence):
            # with no arm and nothing compared, a value describes the sample
            # ("212 (61%) tumour samples were ...", "plasma endoglin was 6.4 ±
            # 2.2 ng/ml"); the adverse-event finder still reads such counts
            values = tuple(v for v in values if v.arm is not None)
        out.extend((start, val) for val in values)
    return out


class ArmValueFinder:
    """The ``miner_arm_value`` component: adds ``ARM_VALUE`` spans to ``doc.spans["miner"]``."""

    def __init__(self, nlp: Language, name: str, label: str = LABEL) -> None:
        self.name = name
        self.label = label

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        values = _doc_values(doc)
        doc.user_data[_CACHE_KEY] = values
        for offset, val in values:
            span = make_span(doc, offset + val.start, offset + val.end, self.label)
            if span is not None:
                spans.append(span)
        add_spans(doc, spans)
        return doc


@Language.factory("miner_arm_value", default_config={"label": LABEL})
def make_arm_value(nlp: Language, name: str, label: str) -> ArmValueFinder:
    """Build the ``miner_arm_value`` component (see :class:`ArmValueFinder`)."""
    return ArmValueFinder(nlp, name, label=label)


def collect_arm_values(doc: Doc) -> list[dict[str, Any]]:
    """Turn the ``ARM_VALUE`` spans of ``doc`` into contract dicts.

    Returns
    -------
    list[dict]
        One dict per value: ``arm``, ``kind`` (mean, median, events, percent),
        ``value``, ``sd``, ``se``, ``iqr_low``/``iqr_high`` (median with IQR) or
        ``low``/``high`` (median with range), ``n``, ``events``, ``total``,
        ``percent``, ``outcome``, ``timepoint``, ``start``, ``end``, ``text``.
    """
    if SPAN_KEY not in doc.spans:
        return []
    wanted = [(a, b) for label, a, b, _kb_id in span_list(doc) if label.startswith(LABEL)]
    if not wanted:
        return []
    out: list[dict[str, Any]] = []
    text = doc_text(doc)
    for offset, v in _doc_values(doc):
        start, end = offset + v.start, offset + v.end
        if not any(a <= start and end <= b for a, b in wanted):
            continue
        iqr = v.range_kind == "iqr"
        out.append(
            {
                "arm": v.arm,
                "kind": v.kind,
                "value": v.value,
                "sd": v.sd,
                "se": v.se,
                "iqr_low": v.low if iqr else None,
                "iqr_high": v.high if iqr else None,
                "low": v.low if v.range_kind == "range" else None,
                "high": v.high if v.range_kind == "range" else None,
                "n": v.total,
                "events": v.events,
                "total": v.total,
                "percent": v.percent,
                "p": v.p,
                "p_op": v.p_op,
                "outcome": v.outcome,
                "timepoint": v.timepoint,
                "timepoint_days": timepoint_days(v.timepoint),
                "start": start,
                "end": end,
                "text": text[start:end],
            }
        )
    return out
