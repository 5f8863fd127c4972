"""Sample size: participants randomized, analysed, and per-arm sizes with their label.

The component ``miner_sample_size`` runs compiled regular expressions over
the raw text and appends spans to ``doc.spans["miner"]``:

``SAMPLE_SIZE_RANDOMIZED``
    A count of participants randomized ("Forty-two patients were randomly
    assigned", "we randomized 1,525 women", "Patients (n = 42) were
    randomized", "58 randomised patients").
``SAMPLE_SIZE_ENROLLED``
    A total enrolled or studied ("A total of 120 patients were enrolled",
    "a trial in 84 women", "Of 580 enrolled patients", a structured
    "Participants: 72 women ...").
``ANALYSED``
    Participants analysed ("116 women completed the study", "57 evaluable
    subjects", "data from 309 women were analysed").
``ARM_SIZE``
    One arm's size with its label, only where the text states two or more
    arms together ("to ketamine (n = 21) or placebo (n = 21)", "78 patients
    to capecitabine and 78 to capecitabine plus trastuzumab", "(26 eribulin
    and 31 TPC)", "Arm A: 284, Arm B: 277").

:func:`collect_sample_size` picks ``randomized`` (the first randomized
count, else the first enrolled total; never a sum), ``analysed`` and the
arms. Negated or hedged statements ("will enroll 280") are skipped through
:func:`miner.extract.negation.is_negated`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.doctext import SPAN_KEY, add_spans, doc_text, sentence_bounds
from miner.extract.negation import WINDOW_AFTER, WINDOW_BEFORE, is_negated, negation_cue
from miner.extract.quantities import (
    _WORD_ATOM,
    _WORD_TENS,
    _WORD_UNITS,
    WORD_NUMBER_PATTERN,
    normalise,
    parse_number,
)
from miner.extract.scan import matches_at

_LABELS_KEY = "miner.arm_labels"
LABELS = ("SAMPLE_SIZE_RANDOMIZED", "SAMPLE_SIZE_ENROLLED", "ANALYSED", "ARM_SIZE")

# A count: digits with thousands separators (comma, thin or no-break space),
# plain digits, or English words. Never part of a decimal, percentage or range.
_DIGITS = r"\d{1,3}(?:[, \u2009\u202f\u00a0\u2008\u2007]\d{3})+(?![\d]|[.,]\d)|\d+"
_NUM_CORE = rf"(?:{_DIGITS}|{WORD_NUMBER_PATTERN})"
_NUM = rf"(?<![\w.,/:-])(?P<num>{_NUM_CORE})(?![.,:]\d|\s*%|\s*-\s*\d|\w)"


def _num(name: str) -> str:
    return _NUM.replace("(?P<num>", f"(?P<{name}>")


_POP = (
    r"(?:patients|participants|subjects|women|men|children|adults|infants|neonates|newborns"
    r"|individuals|volunteers|people|persons|cases|mothers|smokers|students|girls|boys"
    r"|survivors|couples|families|residents|adolescents|dyads|pairs|eyes|teeth"
    r"|caregivers|veterans|outpatients|inpatients|recipients|donors|parturients|pregnancies"
    r"|athletes|elderly|youths?|schoolchildren|pupils)"
)
# Professionals are counted only when a verb says they took part; so are
# "males" and "females", which elsewhere describe an arm ("(14 males, 23
# females)").
_POP_ANY = (
    _POP[:-1]
    + r"|radiologists|physicians|nurses|surgeons|clinicians|workers|employees|males|females)"
)
# A count followed by an outcome verb or a percentage is a subset, not a total;
# a verb inside a relative clause ("women who had not had a mammogram") says
# who was eligible, not what happened to some of them.
_NOT_SUBSET = (
    # (a decimal point is no sentence end: "4 adults on 0.5% drops did not finish")
    r"(?!\s*\(\s*\d+(?:\.\d+)?\s*%)(?!(?:(?!\b(?:who|that|which|whose)\b)(?:[^.;]|\.(?=\d)))"
    r"{0,60}"
    r"\b(?:had|has|developed|experienced|showed|achieved|died|reported|observed|occurred|gained"
    r"|relapsed|progressed|responded|discontinued|withdrew|withdrawn|dropped|completed|did\s+not"
    r"|left\s+the\s+(?:study|trial)"
    r"|were\s+lost)\b)"
)
# Words that make "X patients (n = 30)" an arm rather than the whole sample.
_NOT_ARM_BEFORE = (
    r"\b(?=[a-z])(?<!intervention\s)(?<!control\s)(?<!placebo\s)(?<!treatment\s)(?<!experimental\s)"
    r"(?<!treated\s)(?<!exercise\s)"
    # "group A patients (n = 18)", "arm II women (n = 40)"
    r"(?<!\bgroup\s\w\s)(?<!\bgroup\s\w\w\s)(?<!\bgroup\s\w\w\w\s)(?<!\barm\s\w\s)(?<!\barm\s\w\w\s)"
)
# Between a population noun and "(n = ...)": no verb and no list word.
# "to" between numbers is a range ("aged 50 to 74 years"), not a list word.
_GAP = (
    r"(?:(?!\b(?:were|was|and|or|versus|vs|in|received|receiving)\b)(?!\bto\b(?!\s+\d))"
    r"[^.;()\[\]]){0,40}?"
)
# Up to six modifier words between the count and the population noun
# ("72 postmenopausal, sedentary women", "280 female (18-60 years) patients");
# no digits outside brackets, no clause words.
_MODS = (
    r"(?:(?:(?!(?:and|or|of|were|was|who|with|in|years?|months?|weeks?|days?|hours?|minutes?"
    r"|times|cycles?|sessions?)\b|(?:" + _WORD_ATOM + r"|hundred|thousand)(?![\w-]))"
    # a word, "type 2", "stage III", or a spaced hyphen ("insulin - naive")
    r"[A-Za-z][\w'/-]*|(?:type|stage|grade|class)\s+[0-4IV]{1,3}[a-cA-C]?|-),?\s+"
    # two modifiers joined ("healthy and sedentary volunteers")
    r"(?:and\s+(?=[a-z]))?"
    r"(?:\([^()%]{1,30}\)\s+)?){0,6}?"
)
# Between a counted noun and its verb: no other verb and no other count of
# people ("... and 30 patients were", "... and 30 were"); ages, sizes and
# decimals may stand in it ("435 patients over 45 years old with tumours up to
# 1.2 cm were randomized").
_VERB_GAP = (
    # (a count of some of them in brackets may stand in it: "39 adults (29 women) received")
    # (nor a count of one sex: "36 patients, 21 females, mean age 63, were randomized")
    r"(?:(?!\b(?:were|was)\b)(?!(?<![\w.,(])(?<!\(\s)(?<!age\sof\s)(?<!aged\s)\d[\d,]*\s+(?:(?:[A-Za-z][\w'/-]*\s+){0,3}?"
    + _POP_ANY.replace("|males|females", "")
    + r"|were|was|had)\b)(?:[^.;]|\.(?=\d))){0,140}?"
)
_RAND = (
    r"(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided|distributed)"
    r"|(?:allocated|assigned)(?:\s+(?:at\s+)?random(?:ly)?)?)"
)
_ENROL = (
    r"(?:enrolled|recruited|included|entered|registered|accrued|studied|eligible"
    r"|participated|screened\s+and\s+enrolled)"
)
_BE = r"(?:were|was|had\s+been|have\s+been|being)"
# Words after a count that say it counts no people: units, times, places, clauses.
_NOT_PEOPLE = (
    r"(?:of|and|or|with|who|which|that|in|to|from|at|for|on|by|were|was|had|have|mg|g|kg|ml"
    r"|mcg|years?|months?|weeks?|days?|hours?|minutes?|cycles?|sessions?|times|doses?|practices"
    r"|clinics|sites|cent(?:er|re)s|hospitals|schools|communities|wards|villages|clusters|units"
    r"|teams|classes|counties|districts|regions|countries|nodes?|lesions?|tumou?rs?|metastases"
    r"|cancers|cells|samples|specimens|biopsies|mmhg|mm|cm|positive|negative|studies|trials"
    r"|articles|papers|reports|records|publications|items|questions)\b"
)

# Each rule is (label, left, right): the regular expression is left + right,
# and right starts with the count. Rules are tried only at the counts of a
# document (see _Counts), never at every character: ``left`` (words before the
# count) is checked in a short window before it, ``after`` is a cheap test
# of what must follow it.
_AFTER_POP = r"\s+" + _MODS + _POP_ANY  # superset of every "count + population noun"
# Each rule: (label, left, right, after, window[, words]); see _rule.
_BE_WORDS = frozenset({"were", "was", "been", "being"})


def _be_randomized_ahead(window: str) -> bool:
    # "N <one to four words> were randomized": the verb is word 1 to 5 after the count.
    return not _BE_WORDS.isdisjoint(window.split(maxsplit=6)[:6]) and "random" in window


def _be_enrolled_ahead(window: str) -> bool:
    words = window.split(maxsplit=7)[:7]
    return not _BE_WORDS.isdisjoint(words[:6]) and any(
        w.startswith(("enrol", "recruit", "includ", "accrue", "regist")) for w in words
    )


# Not a count of people: "a median age of 70 were randomized", "more than 60".
# (nor a bound: "a score \u2264 35 were randomized")
_NOT_AN_AGE = (
    r"(?<!age\sof\s)(?<!aged\s)(?<!median\s)(?<!mean\s)(?<!than\s)(?<!over\s)"
    r"(?<![<>=\u2264\u2265])(?<![<>=\u2264\u2265]\s)"
)
# "... were (then) randomized", but not "were randomly assigned to the control
# group": that is one arm.
_RANDOMIZED_WHOLE = (
    r"\s+(?:subsequently\s+|then\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated))"
    r"(?!\s+to\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:group|arm)\b)"
)
# "141 Spanish-speaking Latinas were": a count, a short noun phrase the
# population nouns do not know, and the verb.
_FEW_WORDS_BE = (
    _NOT_AN_AGE
    + r"(?<!least\s)(?<!most\s)(?<![<>=\u2264\u2265])(?<![<>=\u2264\u2265]\s)"
    + _NUM
    + r"\s+(?:(?!"
    + _NOT_PEOPLE
    + r")[A-Za-z][\w'/-]*\s+){1,4}?"
    + _BE
)
# Literal words a rule's sentence must hold (see _rule): enrolment, allocation.
_ENROL_WORDS = (
    "enrol",
    "recruit",
    "includ",
    "entered",
    "regist",
    "accrued",
    "studied",
    "eligible",
    "particip",
)
_RAND_WORDS = ("random", "assign", "allocat")

_TOTAL_RULES: tuple[tuple[Any, ...], ...] = (
    # "Forty-two patients with ... were randomly assigned"
    (
        "SAMPLE_SIZE_RANDOMIZED",
        "",
        _NUM
        + r"\s+"
        + _MODS
        + _POP_ANY
        + r"\b"
        + _VERB_GAP
        + r"\b"
        + _BE
        + r"\s+(?:\w+\s+)?"
        + _RAND
        # (not one arm: "12 adults were randomly allocated to the experimental group.")
        + r"(?!\s+to\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:group|arm)\s*[.;])",
        _AFTER_POP,
        0,
        _RAND_WORDS,
    ),
    # "we randomized 120 patients", "randomly assigned a total of 1,525 women"
    (
        "SAMPLE_SIZE_RANDOMIZED",
        r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)"
        r"|randomi[sz]ation\s+of)\s+(?:a\s+total\s+of\s+)?",
        _NUM + r"\s+" + _MODS + _POP + r"(?!\s+each\b)",
        _AFTER_POP,
        45,
        None,
        ("random",),
    ),
    # "58 randomised patients", "Of 58 randomized women"
    (
        "SAMPLE_SIZE_RANDOMIZED",
        "",
        _NUM + r"\s+(?:eligible\s+)?(?:randomi[sz]ed|randomly\s+assigned)"
        r"\s+(?:\w+\s+){0,2}?" + _POP,
        r"\s+(?:eligible\s+)?random",
        0,
    ),
    # "58 were randomized" (not "a median age of 70 were randomized")
    (
        "SAMPLE_SIZE_RANDOMIZED",
        "",
        _NOT_AN_AGE + _NUM + r"\s+" + _BE + _RANDOMIZED_WHOLE,
        r"\s+" + _BE,
        0,
    ),
    # "141 Spanish-speaking Latinas were randomly assigned", "33 AA BCS were
    # randomized": a short noun phrase the population nouns do not know
    (
        "SAMPLE_SIZE_RANDOMIZED",
        "",
        _FEW_WORDS_BE + _RANDOMIZED_WHOLE,
        r"\s+[A-Za-z]",
        0,
        _be_randomized_ahead,
    ),
    # "A total of 52 BCS were enrolled": the same for enrolment
    (
        "SAMPLE_SIZE_ENROLLED",
        "",
        _FEW_WORDS_BE + r"\s+(?:enrolled|recruited|included|accrued|registered)\b",
        r"\s+[A-Za-z]",
        0,
        _be_enrolled_ahead,
    ),
    # "(n = 182; mean age 56 years) were randomly assigned": the count leads a
    # bracket that goes on to describe everyone
    (
        "SAMPLE_SIZE_RANDOMIZED",
        r"[(\[]\s*[nN]\s*=\s*",
        _NUM + r"\s*[;,][^()\[\]]{1,80}?[)\]]\s*" + _BE + _RANDOMIZED_WHOLE,
        None,
        20,
        ("random",),
    ),
    # "(N = 300) were enrolled", after a long description of who
    (
        "SAMPLE_SIZE_ENROLLED",
        r"[(\[]\s*[nN]\s*=\s*",
        _NUM + r"\s*[)\]]\s*" + _BE + r"\s+(?:\w+\s+)?(?:" + _ENROL + r"|" + _RAND + r")",
        None,
        20,
        _ENROL_WORDS + _RAND_WORDS,
    ),
    # "Patients (n = 449) were randomly assigned"
    (
        "SAMPLE_SIZE_RANDOMIZED",
        _NOT_ARM_BEFORE + _POP + r"\b" + _GAP + r"[(\[,]\s*[nN]\s*=\s*",
        _NUM + r"\s*[)\],;][^.;]{0,40}?\b" + _BE + r"\s+(?:\w+\s+)?" + _RAND,
        None,
        90,
        _RAND_WORDS,
    ),
    # "120 women ... were enrolled"
    (
        "SAMPLE_SIZE_ENROLLED",
        "",
        _NUM
        + r"\s+"
        + _MODS
        + _POP_ANY
        + r"\b"
        + _VERB_GAP
        + r"\b"
        + _BE
        + r"\s+(?:\w+\s+)?"
        + _ENROL,
        _AFTER_POP,
        0,
        _ENROL_WORDS,
    ),
    # "enrolled 80 patients", "included a total of 440 breast cancer patients"
    (
        "SAMPLE_SIZE_ENROLLED",
        # (not "the analysis included 211 persons": those are analysed)
        r"(?<!analysis\s)(?<!analyses\s)"
        r"\b(?:enrolled|enrolling|enrolls|enrols|recruited|recruiting|recruits|included|including"
        r"|includes|include|involving|involved|involves|accrued|registered|comprised|comprising"
        r"|comprises|studied)\s+"
        r"(?:a\s+total\s+of\s+|all\s+)?",
        _NUM + r"\s+" + _MODS + _POP,
        _AFTER_POP,
        45,
        None,
        ("enrol", "recruit", "includ", "involv", "accrued", "registered", "compris", "studied"),
    ),
    # "A total of 200 breast cancer patients"
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:a\s+total\s+of|in\s+total,?|in\s+all,?|overall,?|altogether,?)\s+",
        _NUM + r"\s+" + _MODS + _POP + _NOT_SUBSET,
        _AFTER_POP,
        30,
        None,
        ("total", "all", "overall", "altogether"),
    ),
    # "a randomized controlled trial of 84 female survivors"
    (
        "SAMPLE_SIZE_ENROLLED",
        # (not across the line that ends a title: "... trial\nOf 412 adults")
        # (not someone else's study: "in a case-control study among 1830 men")
        r"(?<!case-control\s)(?<!case\scontrol\s)(?<!cohort\s)(?<!observational\s)"
        r"(?<!previous\s)(?<!prior\s)(?<!earlier\s)"
        r"\b(?:trial|study|RCT|design)[^\S\n]+(?:of|in|with|among|on)\s+",
        _NUM + r"\s+" + _MODS + _POP,
        _AFTER_POP,
        30,
        None,
        ("trial", "study", "rct", "design"),
    ),
    # "Of 580 enrolled patients", "Among 262 patients registered"
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:Of|Among|From)\s+(?:the\s+|a\s+total\s+of\s+|all\s+)?",
        _NUM + r"\s+(?:" + _MODS + _POP + r"\s+)?(?:enrolled|registered|recruited|randomi[sz]ed"
        r"|included|eligible|entered|accrued)(?!\s+to\b)",
        None,
        35,
        ("enrol", "regist", "recruit", "random", "includ", "eligible", "entered", "accrued"),
        ("of", "among", "from"),
    ),
    # "Women with bone disease (N = 210)" -- a stated total without a verb
    (
        "SAMPLE_SIZE_ENROLLED",
        _NOT_ARM_BEFORE + _POP + r"\b" + _GAP + r"[(\[]\s*[nN]\s*=\s*",
        _NUM + r"\s*[)\],;]",
        None,
        90,
    ),
    # "5408 women randomly assigned to", "165 patients randomized to" (not "Of 72
    # patients randomized to X": one arm)
    (
        "SAMPLE_SIZE_RANDOMIZED",
        "",
        r"(?<!of\s)(?<!of\sthe\s)(?<!among\s)(?<!among\sthe\s)(?<!in\sthe\s)"
        + _NUM
        + r"\s+"
        + _MODS
        + _POP_ANY
        # "254 women with early breast cancer randomised to"
        + r"\b(?:\s+with\s+[^.;,()\[\]\d]{1,60}?)?"
        r",?\s+(?:(?:who|that)\s+were\s+)?(?:randomly\s+(?:assigned|allocated)|randomi[sz]ed)"
        r"\s+(?:to|into|between|in)\b",
        _AFTER_POP,
        0,
        ("random",),
    ),
    # "The trial was conducted in 320 women", "a total sample of 230 patients"
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:(?:conducted|performed|carried\s+out|undertaken)\s+(?:in|on|with|among)"
        r"|(?:sample|cohort)\s+of)\s+",
        _NUM + r"\s+" + _MODS + _POP,
        _AFTER_POP,
        40,
        None,
        ("conducted", "performed", "carried", "undertaken", "sample", "cohort"),
    ),
    # "Enrolled in the study were forty patients"
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:enrolled|recruited|included)\s+(?:in(?:to)?\s+(?:the|this)\s+(?:study|trial)\s+)?"
        r"(?:were|was)\s+",
        _NUM + r"\s+" + _MODS + _POP,
        _AFTER_POP,
        60,
        None,
        ("enrolled", "recruited", "included"),
    ),
    # "The 170 participants received drug A or placebo", "268 patients with
    # glaucoma received either latanoprost or timolol"
    (
        "SAMPLE_SIZE_ENROLLED",
        "",
        _NUM
        + r"\s+"
        + _MODS
        + _POP
        + r"\b"
        + _VERB_GAP
        + r"\b(?:received|were\s+given|were\s+treated\s+with)\s+(?:either\b|[^.;]{1,60}?"
        r"\b(?:or|versus|vs)\b)",
        _AFTER_POP,
        0,
        ("receiv", "given", "treated"),
    ),
    # "a randomised trial (n = 1021)", "RCT; N = 160", "a large (769 patients) trial"
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:RCT|trials?|study|studies)\s*[(\[](?:[^()\[\]=]{0,12}?[;,]\s*)?[nN]\s*=\s*",
        _NUM + r"\s*[)\]]",
        None,
        30,
    ),
    (
        "SAMPLE_SIZE_ENROLLED",
        r"\b(?:large|small|multicent(?:er|re)|trial|study)\s*[(\[]\s*",
        _NUM + r"\s+" + _POP + r"\s*[)\]]",
        _AFTER_POP,
        30,
        None,
        ("large", "small", "multicent", "trial", "study"),
    ),
    # "540 enrolled patients", "120 consecutive eligible women"
    (
        "SAMPLE_SIZE_ENROLLED",
        "",
        _NUM + r"\s+(?:consecutive\s+)?(?:enrolled|recruited|eligible)\s+(?:\w+\s+){0,2}?" + _POP,
        r"\s+(?:consecutive\s+)?(?:enrolled|recruited|eligible)",
        0,
    ),
    # Structured "Participants" section: "Seventy-two women scheduled for ..."
    (
        "SAMPLE_SIZE_ENROLLED",
        "",
        r"(?:^|(?<=[.:]\s)|(?<=\n))"
        + _NUM
        + r"\s+"
        + _MODS
        + _POP
        + r"\b"
        + _NOT_SUBSET
        # "43 patients were given metformin, and 46 patients placebo": one arm
        + r"(?![^.;]{0,60}\b(?:received|were\s+given|were\s+administered|were\s+treated)\b"
        r"(?![^.;]*\b(?:or|either|versus|vs)\b))",
        _AFTER_POP,
        0,
    ),
)
# "urine from 8 and 24 hours was analysed": times, units and things
# counted are no participants.
_NOT_THINGS = (
    r"(?!\s+(?:years?|months?|weeks?|days?|hours?|h|hrs?|minutes?|min|seconds?|mg|g|kg|ml|mcg"
    r"|cycles?|sessions?|times|doses?|samples|specimens|biopsies|sites|cent(?:er|re)s|hospitals"
    r"|clinics|practices|lesions?|nodes?|tumou?rs?|cells|studies|trials|articles|papers|records"
    r"|questionnaires|items|images|scans|visits|measurements|variables|genes)\b)"
)
_ANALYSED_RULES: tuple[tuple[str, str, str, str | None, int], ...] = (
    (
        "ANALYSED",
        "",
        _NUM + _NOT_THINGS + r"\s+(?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s+)?(?:" + _MODS + _POP + r"\s+)?"
        r"(?:\w+\s+){0,2}?(?:" + _BE + r"\s+)?(?:evaluable|assessable|analy[sz]ed|completed"
        r"|included\s+in\s+the\s+(?:final\s+|primary\s+)?analys[ie]s|provided\s+(?:\w+\s+)?data)",
        None,
        0,
    ),
    (
        "ANALYSED",
        r"\b(?:analy[sz]ed|analysis\s+(?:of|included)|data\s+(?:were\s+)?(?:available\s+)?"
        r"(?:from|for|on))\s+(?:data\s+(?:from|of|on)\s+)?",
        _NUM + r"\s+" + _MODS + _POP,
        _AFTER_POP,
        60,
    ),
    ("ANALYSED", "", _NUM + r"\s+evaluable\s+" + _POP, r"\s+evaluable", 0),
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern with a count in it, tried only at the counts of a document."""

    label: str
    regex: re.Pattern[str]
    #: Words before the count, anchored at the count (``None``: starts with it).
    left: re.Pattern[str] | None
    #: Must match right after the count (``None``: no pre-test).
    after: re.Pattern[str] | None
    #: How far before the count the ``left`` words may start.
    window: int
    #: ``left`` ends with "n =": an "=" stands right before the count.
    equals: bool
    #: A cheap test of the lowercased :data:`AHEAD` characters after the count
    #: (``None``: no test); it must hold wherever the rule matches.
    ahead: Callable[[str], bool] | None = None
    #: The words ``ahead`` looks for (substrings of the window), when it does.
    words: tuple[str, ...] | None = None
    #: Lowercase literals one of which every ``left`` match contains: one must
    #: stand in the ``window`` characters before the count (``None``: no test).
    behind: tuple[str, ...] | None = None
    #: With ``after`` the population-noun test: counts where this matches
    #: after the count pass too ("21 to X", "25 per group").
    or_next: re.Pattern[str] | None = None


_AFTER_POP_RE = re.compile(_AFTER_POP, re.IGNORECASE)


#: Characters after a count that a rule's ``ahead`` test looks at.
AHEAD = 400


def _rule(
    label: str,
    left: str,
    right: str,
    after: str | None,
    window: int,
    words: tuple[str, ...] | Callable[[str], bool] | None = None,
    behind: tuple[str, ...] | None = None,
    or_next: str | None = None,
) -> _Rule:
    """Compile a rule; ``words``: one of them must stand in the lowercased
    :data:`AHEAD` characters after the count (or a test of those characters);
    ``behind`` and ``or_next``: see :class:`_Rule`."""
    after_re = None if after is None else re.compile(after, re.IGNORECASE)
    ahead = _any_word(words) if isinstance(words, tuple) else words
    return _Rule(
        label,
        re.compile(left + right, re.IGNORECASE),
        re.compile(rf"(?:{left})\Z", re.IGNORECASE) if left else None,
        _AFTER_POP_RE if after == _AFTER_POP else after_re,
        window,
        left.endswith(r"=\s*"),
        ahead,
        words if isinstance(words, tuple) else None,
        behind,
        None if or_next is None else re.compile(or_next, re.IGNORECASE),
    )


def _any_word(words: tuple[str, ...]) -> Callable[[str], bool]:
    def ahead(window: str) -> bool:
        return any(word in window for word in words)

    return ahead


# A count of one sex beside a count of the other ("39 men and 49 women were
# randomized", "(20 females, 12 males)") splits the sample: neither is its
# total, and the sum is not written.
_SEX_NOUN = r"(?:(?:fe)?males|(?:wo)?men|boys|girls)"
_SEX_PAIR_RE = re.compile(
    _num("a")
    + r"\s+(?:[A-Za-z][\w'-]*\s+){0,2}?"
    + _SEX_NOUN
    + r"\b\s*(?:,|;|and|,\s*and)\s+"
    + _num("b")
    + r"\s+(?:[A-Za-z][\w'-]*\s+){0,2}?"
    + _SEX_NOUN
    + r"\b",
    re.IGNORECASE,
)
# People counted "in the X group" or analysed "in the X arm" are one arm's
# size, not the whole sample ("62 patients in the early group and 61 in the
# late group were scanned"); "in each group" gives a size per arm.
_IN_ONE_ARM_RE = re.compile(
    r"\s+" + _MODS + _POP_ANY + r"(?:\s+(?:were|was)(?:\s+\w+){1,2}?)?\s+(?:in|of|from)\s+"
    r"(?:the\s+|each\s+)?"
    r"(?:(?!both\b)[\w'/+-]+\s+){0,4}?(?:group|arm)\b",
    re.IGNORECASE,
)
# "52 adults in group walks and 49 adults in home walks": counts listed
# side by side, each with where its people were, are parts.
_PARTS_LISTED_RE = re.compile(
    r"\s+"
    + _MODS
    + _POP_ANY
    + r"\s+(?:in|on|receiving|given)\s+(?:(?!\b(?:were|was|had|have)\b)[^.;,()\[\]\d]){1,60}?\s+"
    r"(?:and|or|versus|vs\.?)\s+"
    + _NUM_CORE
    + r"\s+(?:"
    + _POP_ANY
    + r"\s+)?(?:in|on|receiving|given)\b",
    re.IGNORECASE,
)
_IN_ARM_AFTER_RE = re.compile(
    r"\s+(?:in|of|from)\s+(?:the\s+|each\s+)(?:(?!both\b)[\w'/+-]+\s+){0,4}?(?:group|arm)\b",
    re.IGNORECASE,
)


# "149 were randomised to the A programme (...) and 148 to B": a second count
# allocated later in the clause makes the first one an arm, not the sample.
_NEXT_ARM_RE = re.compile(
    # (not "435 adults were randomized 214 to A and 221 to B": the arms split it)
    r"(?!\s*[:,(]?\s*" + _NUM_CORE + r"\s+(?:to|into)\b)"
    r"[^.;]{0,200}?\b(?:and|while|whereas)\s+"
    + _NUM
    # (any noun: "74 manuscripts were randomized to X, and 78 manuscripts were
    # randomized to the control arm")
    + r"\s+(?:(?!(?:weeks?|days?|months?|years?|hours?|times|mg|ml)\b)[A-Za-z][\w-]*\s+)?"
    r"(?:(?:were|was)\s+(?:(?:randomly\s+)?(?:randomi[sz]ed|assigned"
    r"|allocated)\s+)?)?(?:to|into)\s+(?!\d)",
    re.IGNORECASE,
)


# "(n = 41) and patients on placebo (n = 40)": two bracketed sizes joined by a
# list word are arms (or groups compared), never the whole sample.
_N_LIST_NEXT_RE = re.compile(
    r"\s*[)\]]\s*,?\s*(?:and|or|versus|vs\.?|than|compared\s+(?:with|to))\s+[^.;]{0,100}?"
    r"[(\[]\s*n\s*=\s*\d",
    re.IGNORECASE,
)
_N_LIST_PREV_RE = re.compile(
    r"[(\[]\s*n\s*=\s*\d[\d,]*\s*[)\]]\s*,?\s*(?:and|or|versus|vs\.?|than"
    r"|compared\s+(?:with|to))\s+[^.;()\[\]]{0,100}[(\[]\s*n\s*=\s*\Z",
    re.IGNORECASE,
)


def _in_n_list(text: str, start: int, end: int) -> bool:
    """Whether the count at ``start:end`` is one "(n = ...)" of a list of them."""
    if text.rfind("=", max(0, start - 4), start) < 0:
        return False
    return (
        _N_LIST_NEXT_RE.match(text, end) is not None
        or _N_LIST_PREV_RE.search(text, max(0, start - 160), start) is not None
    )


# Counts that describe part of a sample, never its total: "39 adults (29
# women)", "(walking: 29 subjects, ...)", and a share of a larger sample, "133
# (76.4%) women".
_PART_BEFORE_RE = re.compile(
    r"(?:\d[\d,]*\s+(?:[\w-]+\s+){0,3}?" + _POP_ANY + r"\s*[(\[]\s*"
    # "36 patients, 21 females, ...": a part described after the whole
    r"|\d[\d,]*\s+(?:[\w-]+\s+){0,3}?" + _POP_ANY + r"\s*,\s*"
    r"|[(\[][^()\[\]]{0,120}:\s*"
    # "the control group that included 21 patients"
    r"|\b(?:group|arm)\s+(?:that\s+|which\s+)?(?:included|includes|comprised|consisted\s+of)\s+)\Z",
    re.IGNORECASE,
)
_SHARE_AFTER_RE = re.compile(
    r"\s*[(\[]\s*\d+(?:\.\d+)?\s*%|\s+"
    + _MODS
    + _POP_ANY
    + r"\s*[(\[]\s*\d+(?:\.\d+)?\s*%\s*[)\]]",
    re.IGNORECASE,
)


def _names_a_part(text: str, start: int, end: int) -> bool:
    """Whether the count at ``start:end`` is a part of the sample (see _PART_BEFORE_RE)."""
    return (
        _PART_BEFORE_RE.search(text, max(0, start - 140), start) is not None
        or _SHARE_AFTER_RE.match(text, end) is not None
    )


_DONE_VERBS = ("conducted", "performed", "carried", "undertaken")
_GROUP_WORD_RE = re.compile(r"\b(?:groups?|arms?)\b", re.IGNORECASE)
_STUDY_WORD_RE = re.compile(
    r"\b(?:study|trial|RCT|research|investigation|experiment|randomi[sz]ed)\b", re.IGNORECASE
)
# "53 eyes (28 in A and 25 in B) of 28 patients", "164 eyes from 82 patients"
_EYES_OF_RE = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:eyes|teeth)\s*(?:[(\[][^()\[\]]{0,80}[)\]]\s*)?"
    r"(?:of|from|in)\s+(?:the\s+)?" + _num("num") + r"\s+" + _MODS + _POP,
    re.IGNORECASE,
)


def _sex_split_starts(text: str) -> set[int]:
    """Starts of the counts that give one sex beside the other (see _SEX_PAIR_RE)."""
    low = text.lower()
    if "men" not in low and "males" not in low and "boys" not in low and "girls" not in low:
        return set()
    out: set[int] = set()
    for m in _SEX_PAIR_RE.finditer(text):
        out.update((m.start("a"), m.start("b")))
    return out


_ANALYSED_WORDS = ("evaluable", "assessable", "analy", "completed", "included", "provided")


_TOTAL_RES = tuple(_rule(*r) for r in _TOTAL_RULES)
# "In this randomized trial, we evaluated X in 668 postmenopausal women with
# ...": a count of people the trial was done in, taken only in a sentence that
# names the trial and reports no outcome (see SampleSizeComponent).
_IN_TRIAL_RULE = _rule(
    "SAMPLE_SIZE_ENROLLED",
    r"\bin\s+(?:a\s+total\s+of\s+)?",
    _NUM
    + r"\s+"
    + _MODS
    + _POP
    + r"\b(?=\s+(?:with|who|aged|undergoing|receiving|treated|scheduled|at|from|in|after"
    r"|before|having)\b|\s*[,.;(])",
    _AFTER_POP,
    25,
    behind=("in",),
)
# "In this clinical trial, 80 adults with asthma were selected": the people a
# sentence about the trial says took part (same conditions as _IN_TRIAL_RULE).
_IN_THIS_TRIAL_RULE = _rule(
    "SAMPLE_SIZE_ENROLLED",
    r"\b(?:in|for)\s+(?:this|the|a|an|our)\s+(?:[\w-]+,?\s+){0,5}?(?:trial|study|RCT)\s*,?\s*",
    _NUM
    + r"\s+"
    + _MODS
    + _POP
    # only who they were may stand before the verb, not what they did
    + r"\b(?:,?\s+(?:who|that|with|aged|between|from|at|in|undergoing|having|attending"
    r"|admitted|diagnosed|referred)\b"
    + _VERB_GAP
    + r")?(?<!\band)\s+"
    + _BE
    + r"\s+(?:\w+\s+)?(?:selected|investigated|studied|examined|evaluated|followed|treated"
    r"|enrolled|recruited|included|randomi[sz]ed|allocated|assigned|divided)\b",
    _AFTER_POP,
    90,
    behind=("trial", "study", "rct"),
)
_TRIAL_WORD_RE = re.compile(r"\b(?:trial|study)\Z", re.IGNORECASE)
_TRIAL_SENTENCE_RE = re.compile(r"\btrial\b|randomi[sz]", re.IGNORECASE)
_ANALYSED_RES = tuple(
    _rule(
        *r,
        words=_ANALYSED_WORDS if i == 0 else None,
        behind=("analy", "data") if i == 1 else None,
    )
    for i, r in enumerate(_ANALYSED_RULES)
)

# Where a count may start: a digit, or a number word ("forty-two", "a hundred").
_DIGIT_RUN_RE = re.compile(r"\d+")
_NOT_BEFORE_COUNT = frozenset(".,/:-_")
# One byte per character of the ASCII-encoded text: "d" an ASCII digit, "w" a
# letter or "_", "p" one of ".,/:-", "u" a non-ASCII character (encoded as "?")
# or "?", " " anything else.
_COUNT_CLASSES = bytes(
    ord(
        "d"
        if chr(c).isdigit()
        else "w"
        if chr(c).isalpha() or c == 95
        else "p"
        if chr(c) in ".,/:-"
        else "u"
        if c == 63 or c > 127
        else " "
    )
    for c in range(256)
)


def _digit_starts(text: str) -> list[int]:
    """Starts of the digit runs not glued to a word or number before them (the
    look-behind of :data:`_NUM`), in order.

    ``str.find`` over a byte class string (C-level translate) replaces a
    regular expression scan of every character, several times slower.
    """
    raw = text.encode("ascii", "replace")
    if not text.isascii():
        i = raw.find(b"?")
        while i >= 0:
            if text[i].isdecimal() and not text[i].isascii():
                # A non-ASCII digit ("\u0663"): the regular expression decides.
                return [
                    s
                    for s in (m.start() for m in _DIGIT_RUN_RE.finditer(text))
                    if s == 0 or not (text[s - 1].isalnum() or text[s - 1] in _NOT_BEFORE_COUNT)
                ]
            i = raw.find(b"?", i + 1)
    cls = raw.translate(_COUNT_CLASSES)
    out = [0] if cls[:1] == b"d" else []
    i = cls.find(b" d")
    while i >= 0:
        out.append(i + 1)
        i = cls.find(b" d", i + 2)
    i = cls.find(b"ud")
    if i >= 0:
        while i >= 0:
            if not text[i].isalnum():
                out.append(i + 1)
            i = cls.find(b"ud", i + 2)
        out.sort()
    return out


# Every word that starts a number word (the alternatives of _WORD_ATOM).
_NUMBER_WORDS = tuple(f"{_WORD_TENS}|{_WORD_UNITS}".split("|"))
_NUMBER_WORD_SET = frozenset((*_NUMBER_WORDS, "hundred", "thousand", "million"))
_NUMBER_WORD_BYTES = frozenset(w.encode("ascii") for w in _NUMBER_WORD_SET)
# Every byte but a-z becomes a space before splitting into words.
_LOWER_LETTERS_ELSE_SPACE = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
_WORD_START_RE = re.compile(
    r"(?<![\w.,/:-])(?=(?:" + _WORD_ATOM + r"|an?[\s-]+(?:hundred|thousand|million))\b)",
    re.IGNORECASE,
)
_COUNT_AT_RE = re.compile(_NUM, re.IGNORECASE)
# What may follow a count in any rule: a space, or the end of "(n = 42)".
_COUNT_END = frozenset(" \t\n\r\u00a0\u2009\u202f)],;")


def _word_starts(text: str) -> list[int]:
    """Positions where a number word may start (a superset; :data:`_NUM` decides).

    ``str.find`` for each number word is many times faster than one regular
    expression tried at every character; a case-changing lowercase (length
    differs) falls back to the regular expression.
    """
    low = text.lower()
    if len(low) != len(text):
        return [m.start() for m in _WORD_START_RE.finditer(text)]
    # Only the number words that stand as words somewhere need a search.
    # The runs of a-z (``low`` has no A-Z), split as bytes: C-level and several
    # times cheaper than a str translate or a regular expression split.
    words = low.encode("ascii", "replace").translate(_LOWER_LETTERS_ELSE_SPACE).split()
    present = [w.decode("ascii") for w in _NUMBER_WORD_BYTES.intersection(words)]
    found: set[int] = set()
    for word in present:
        i = low.find(word)
        while i >= 0:
            found.add(i)
            i = low.find(word, i + 1)
    for big in ("hundred", "thousand", "million"):
        if big not in present:
            continue
        i = low.find(big)
        while i >= 0:
            # "a hundred", "an hundred": the article starts the number.
            j = low.rfind("a", max(0, i - 4), i)
            if j >= 0:
                found.add(j)
            i = low.find(big, i + 1)
    return [i for i in found if i == 0 or not (low[i - 1].isalnum() or low[i - 1] in "_.,/:-")]


class _Counts:
    """The counts of one text: every position where :data:`_NUM` matches.

    Found with cheap scans; every rule is then tried only at these positions
    (and only where its cheap pre-tests pass), which gives the matches of
    running each rule over the whole text at a small fraction of the cost.
    """

    __slots__ = ("_ahead", "_low", "_occ", "_tested", "ends", "pop", "pop_at", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # Digit runs not glued to a word or number before them (the look-behind
        # of _NUM), checked by hand: cheaper than a look-behind at every character.
        starts = _digit_starts(text)
        starts += _word_starts(text)
        starts.sort()
        self.starts: list[int] = []
        self.ends: list[int] = []
        n = len(text)
        for q in starts:
            m = _COUNT_AT_RE.match(text, q)
            if m is not None and (m.end() == n or text[m.end()] in _COUNT_END):
                self.starts.append(q)
                self.ends.append(m.end())
        #: Whether a population noun follows each count (the test most rules share).
        # (the noun follows a space: a count before ")", "]", "," or ";" has none)
        self.pop = [
            e < n and text[e].isspace() and _AFTER_POP_RE.match(text, e) is not None
            for e in self.ends
        ]
        #: The counts followed by a population noun.
        self.pop_at = [i for i, p in enumerate(self.pop) if p]
        self._ahead: dict[int, str] = {}
        # The lowercased text when lowercasing keeps every offset: windows are
        # then slices of it (the same characters the tests look at).
        low = text.lower()
        self._low = low if len(low) == n else None
        #: Per rule, the counts that pass its cheap pre-tests.
        self._tested: dict[int, list[int]] = {}
        #: Per word, its ``(start, end)`` occurrences in the lowercased text.
        self._occ: dict[str, list[tuple[int, int]]] = {}

    def ahead(self, i: int) -> str:
        """The lowercased :data:`AHEAD` characters after count ``i``."""
        window = self._ahead.get(i)
        if window is None:
            e = self.ends[i]
            low = self._low
            window = self._ahead[i] = (
                low[e : e + AHEAD] if low is not None else self.text[e : e + AHEAD].lower()
            )
        return window

    def candidates(self, rule: _Rule) -> list[int]:
        """Indices of the counts that pass the ``after`` and ``ahead`` tests of ``rule``."""
        key = id(rule)
        found = self._tested.get(key)
        if found is not None:
            return found
        after = rule.after
        if rule.equals:
            # "n =" before the count: an "=" in the 8 characters before it.
            text, starts = self.text, self.starts
            found = [i for i, q in enumerate(starts) if text.rfind("=", max(0, q - 8), q) >= 0]
            if after is not None and found:
                found = [i for i in found if after.match(text, self.ends[i]) is not None]
        elif after is None:
            found = list(range(len(self.starts)))
        elif after is _AFTER_POP_RE:
            found = self.pop_at
            if rule.or_next is not None:
                text, ends, pop, nxt = self.text, self.ends, self.pop, rule.or_next
                found = [i for i, e in enumerate(ends) if pop[i] or nxt.match(text, e)]
        else:
            text, ends = self.text, self.ends
            found = [i for i in range(len(ends)) if after.match(text, ends[i]) is not None]
        behind, low = rule.behind, self._low
        if behind is not None and low is not None and found:
            starts, w = self.starts, rule.window
            found = [
                i for i in found if any(b in low[max(0, starts[i] - w) : starts[i]] for b in behind)
            ]
        test = rule.ahead
        if test is not None and found:
            # Both tests give the same counts; finding the words once per text
            # pays off only when many counts are left to test.
            if rule.words is not None and self._low is not None and len(found) > 3:
                found = self._words_ahead(found, rule.words)
            else:
                found = [i for i in found if test(self.ahead(i))]
        self._tested[key] = found
        return found

    def _words_ahead(self, found: list[int], words: tuple[str, ...]) -> list[int]:
        """The counts of ``found`` with one of ``words`` in their :meth:`ahead` window.

        The window is ``low[e : e + AHEAD]``: a word is in it when it occurs in
        ``low`` at or after ``e`` and ends by ``e + AHEAD``. Occurrences are
        found once per text (``str.find``) instead of once per count.
        """
        low = self._low
        assert low is not None
        occ: list[tuple[int, int]] = []
        for word in words:
            found_word = self._occ.get(word)
            if found_word is None:
                found_word = self._occ[word] = []
                j = low.find(word)
                while j >= 0:
                    found_word.append((j, j + len(word)))
                    j = low.find(word, j + 1)
            occ += found_word
        if not occ:
            return []
        occ.sort()
        occ_starts = [a for a, _b in occ]
        out = []
        for i in found:
            e = self.ends[i]
            limit = e + AHEAD
            k = bisect.bisect_left(occ_starts, e)
            while k < len(occ) and occ[k][0] < limit:
                if occ[k][1] <= limit:
                    out.append(i)
                    break
                k += 1
        return out

    def matches(self, rule: _Rule) -> Iterator[re.Match[str]]:
        """Non-overlapping matches of ``rule`` in text order, as ``finditer`` gives them."""
        text = self.text
        cursor = 0
        starts = self.starts
        for i in self.candidates(rule):
            q = starts[i]
            if q < cursor:
                continue
            m: re.Match[str] | None = None
            if rule.left is None:
                m = rule.regex.match(text, q)
            else:  # (an "=" before the count, if the rule needs one: see candidates)
                pos = max(cursor, q - rule.window)
                while pos <= q:
                    lm = rule.left.search(text, pos, q)
                    if lm is None:
                        break
                    m = rule.regex.match(text, lm.start())
                    if m is not None:
                        break
                    pos = lm.start() + 1
            if m is not None and m.start() >= cursor:
                yield m
                cursor = m.end()


# ---- arms ---------------------------------------------------------------------

_LABEL = r"[A-Za-z0-9][\w+/'-]*(?:\s+[\w+/'-]+){0,5}?"
# "ketamine (n = 21)", "group I (dressing removed ..., n = 100)", "(TAM, n = 164)",
# "drug X 60 mg/m(2) (n = 300)", "controls (150)", "(29 patients)". The label is
# what stands before the parenthesis back to the previous list word.
# More may follow "n = 21" in the bracket ("n = 18, mean age 47 years", "n = 211
# couples"), or a word precede it ("control n = 56"): the tail.
_ARM_PAREN_RE = re.compile(
    r"[(\[](?:(?P<inner>[^()\[\]]{0,80}?(?:[(\[][^()\[\]]{0,20}[)\]][^()\[\]]{0,40}?)?)"
    r"(?:[,;]\s*|(?P<spaced>\s+)(?=(?:[nN]|group|arm)\s*=)))?"
    # "(early group = 40)": the group word before "="
    r"(?:(?:[nN]|group|arm)\s*=\s*"
    + _num("num")
    + r"(?P<tail>\s+"
    + _POP
    # (a short bracket may stand in it: "(n = 50; target index [GI] 50)")
    + r"|\s*[,;](?:[^()\[\]=]|[(\[][^()\[\]=]{0,20}[)\]]){1,60}?)?"
    r"|" + _num("bare") + r"(?:\s+" + _POP + r")?)\s*[)\]]",
)
# Where the text before an arm's parenthesis starts its label.
# (Not the comma inside "40,000 U", the bracket of "mg/m(2)", the colon of "1:1".)
_LABEL_START_RE = re.compile(
    r"(?:^|(?<![\w/])\(|;|:(?!\d)|,(?!\d)\s*(?:or|and)?|\b(?:or|and|versus|vs\.?|to|either|receive|received|receiving"
    r"|given|with|between|of|into|underwent|undergo|assigned|allocated|while|whereas)\b"
    # "patients on drug A (n = 41)", "those taking drug B (n = 40)"
    r"|\b(?:patients|participants|subjects|women|men|children|adults|those)\s+(?:on|taking|given)\b"
    r")\s*",
    re.IGNORECASE,
)
# Where an arm label starts inside words that describe everyone (see
# SampleSizeComponent._arms), in a sentence that allocates (_ASSIGNED_RE).
_LABEL_TRIM_RE = re.compile(
    r"\b(?:with|without|patients|participants|subjects|women|men|children|adults"
    r"|received|receiving)\s+",
    re.IGNORECASE,
)
_ASSIGNED_RE = re.compile(r"randomi[sz]|\bassign|\ballocat|\bdivided\b", re.IGNORECASE)
# An amount before a drug name in an arm label ("1 mg oral anastrozole",
# "20 or 30 mg tamoxifen"): the label is the words after it.
_LEADING_AMOUNT_RE = re.compile(
    r"^\d[\d.,]*(?:\s*(?:or|to|-|\u2013)\s*\d[\d.,]*)?\s*"
    r"(?:mg|g|ug|mcg|microg|\u00b5g|\u03bcg|ng|iu|u|units?|ml|mmol|%|min)(?:/[\w()]+)*(?:\s+|$)",
    re.IGNORECASE,
)
# The group an arm label ends with, after "in (the)": "subjects in the yoga
# group", "nurses who stayed in the control arm".
_IN_GROUP_RE = re.compile(
    r"\bin\s+(?:the\s+)?(?=(?:[^\s()\[\]]+\s+){0,3}?(?:groups?|arms?)"
    r"(?:\s+(?:\d{1,2}|[A-Z]|[IVX]{1,4}))?\s*$)",
    re.IGNORECASE,
)
# "78 patients to capecitabine", "221 to breast conservation", "122 women in the O3-FA arm"
_ARM_TO_RE = re.compile(
    _NUM
    # "69 (49.3%) assigned to X": the share of the sample, kept only with an
    # allocation verb or "to" (see SampleSizeComponent._arms)
    + r"(?P<pct>\s*[(\[]\s*\d+(?:\.\d+)?\s*%\s*[)\]])?"
    + r"\s+(?P<pop>"
    + _MODS
    + _POP
    + r"\s+)?"
    r"(?P<verb>(?:were\s+|was\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|assigned"
    r"|allocated)\s+"
    # "40 patients were given placebo", "43 were administered metformin"
    r"|(?:were|was)\s+(?:given|administered)\s+"
    # "76 patients were treated with drug A and 80 with drug B"
    r"|(?:were|was)\s+(?=in\s+|treated\s+with\s)\s*)?"
    r"(?:(?P<prep>to\s+receive|to\s+the|to|in\s+the|into\s+the|received|receiving|on"
    # "40 adults given drug A and 37 adults given placebo"
    r"|(?<=\s)given"
    # "120 patients treated with drug A and 121 who received placebo"
    r"|treated\s+with|who\s+received|who\s+were\s+given"
    # "were treated, 42 with drug A, 40 with drug B": see SampleSizeComponent._arms
    r"|with"
    # "145 were in timolol group", "30 in group B": an arm named as a group
    # "3,054 women in intervention practices": the arm of a cluster trial
    r"|in(?=\s+(?:[^\s,;.()\[\]]+\s+){0,3}?(?:group|arm|practices|clinics|schools"
    r"|communities|villages|wards)\b))\s+"
    # "190 were assigned intensive chemotherapy": the arm right after the verb
    r"|(?<=assigned\s)|(?<=allocated\s)|(?<=given\s)|(?<=administered\s))"
    # Possessive "++"/"*+": a word is never split into pieces, which with a lazy
    # repeat made some sentences cost milliseconds of backtracking.
    # The first word whole: "for prophylaxis" is no "f" followed by "or".
    r"(?P<label>[A-Za-z][^\s,;.()\[\]]*+\s*+"
    r"(?:(?!and\b|or\b|versus\b|vs\b|were\b|was\b)[^\s,;.()\[\]]++\s*+){0,8}?)"
    # a label ends with its "group" or "arm" ("12 in the A group were seen"),
    # unless that word starts it ("to arm A", "in group B")
    r"(?:"
    + "|".join(
        rf"(?<=\w\s{g}\s)"
        + "".join(rf"(?<!\b{p}\s{g}\s)" for p in ("to", "the", "in", "into", "on"))
        for g in (
            "group",
            "groups",
            "arm",
            "practices",
            "clinics",
            "schools",
            "communities",
            "villages",
            "wards",
        )
    )
    + r"|(?=\s*(?:,|;|\.(?:\s|$)|\(|\[|\b(?:and|or|versus|vs|were|was)\b|$)))",
    re.IGNORECASE,
)
# The next arm after one of _ARM_TO_RE, its verb left out: a count and a label
# that runs to the end of the clause ("and 180 usual treatment.").
_ARM_ELLIPSIS_RE = re.compile(
    r"\s*(?:[,;]\s*(?:and\s+)?|\b(?:and|or|versus|vs\.?)\s+)"
    + _NUM
    + r",?\s+(?:"
    + _POP
    + r"\s+)?(?!(?:to|in|into|on|received|receiving|were|was|had|have|who|with|completed|did"
    r"|died|withdrew|discontinued|dropped|remained|developed|experienced|achieved|showed"
    r"|reported)\b)(?P<label>[A-Za-z][^\s,;.()\[\]]*+(?:\s+(?!and\b|or\b|versus\b|vs\b)"
    r"[^\s,;.()\[\]]++){0,3}?)(?=\s*(?:[,;(\[]|\.(?:\s|$)|$|\b(?:and|or|versus|vs)\b))",
    re.IGNORECASE,
)
# The next arm after "76 patients were treated with drug A": "and 80 with
# drug B", ", 58 patients with a brace" (see _arms).
_ARM_WITH_ELLIPSIS_RE = re.compile(
    r"\s*(?:[,;]\s*(?:and\s+)?|\b(?:and|or|versus|vs\.?)\s+)"
    + _NUM
    + r",?\s+(?:"
    + _POP
    + r"\s+)?(?:were\s+)?(?:treated\s+)?with\s+"
    r"(?P<label>[A-Za-z][^\s,;.()\[\]]*+(?:\s+(?!and\b|or\b"
    r"|versus\b|vs\b|were\b|was\b|had\b)[^\s,;.()\[\]]++){0,5}?)"
    r"(?=\s*(?:[,;(\[]|\.(?:\s|$)|$|\b(?:and|or|versus|vs)\b))",
    re.IGNORECASE,
)
# The next arm after "13 in the A group": "and 10 in usual care", "(peer
# support) and 10 in the B group"; only after an allocation (see _arms).
_ARM_IN_ELLIPSIS_RE = re.compile(
    r"(?:\s*[(\[][^()\[\]\d]{1,60}[)\]])?\s*(?:[,;]\s*(?:and\s+)?|\b(?:and|or|versus|vs\.?)\s+)"
    + _NUM
    + r",?\s+(?:"
    + _POP
    + r"\s+)?in\s+(?:the\s+)?(?P<label>[A-Za-z][^\s,;.()\[\]]*+(?:\s+(?!and\b|or\b|versus\b"
    r"|vs\b|were\b|was\b|had\b)[^\s,;.()\[\]]++){0,3}?)"
    r"(?=\s*(?:[,;(\[]|\.(?:\s|$)|$|\b(?:and|or|versus|vs)\b))",
    re.IGNORECASE,
)
_N_PAREN = r"\s*[(\[]\s*[nN]\s*=\s*"
_WITH_WITHOUT_RE = re.compile(
    r"\b(?P<a>with)" + _N_PAREN + _num("na") + r"\s*[)\]]\s*,?\s*(?:or|and|versus|vs\.?)\s+"
    r"(?P<b>without)" + _N_PAREN + _num("nb") + r"\s*[)\]]\s+"
    r"(?P<what>[A-Za-z][\w+/'-]*(?:\s+(?!for\b|during\b|in\b|at\b|to\b|and\b|or\b)"
    r"[A-Za-z][\w+/'-]*){0,2}?)(?=\s*[,.;()]|\s+(?:for|during|in|at|to|and|or)\b)",
    re.IGNORECASE,
)
# "to drug X (n = 44) or not (n = 49)": the second arm is "no drug X".
_NOT_ARM_RE = re.compile(
    r"\b(?:to|receive|with)\s+(?P<what>[A-Za-z][\w+/'-]*)" + _N_PAREN + r"\d+\s*[)\]]"
    r"\s*,?\s*or\s+(?P<not>not)" + _N_PAREN + _num("num") + r"\s*[)\]]",
    re.IGNORECASE,
)
# A count of people with its group in brackets: "54 patients (the experimental
# group)", "in 57 women (control arm)".
_COUNT_THEN_GROUP_RE = re.compile(
    _num("num")
    + r"\s+"
    + _POP
    + r"\s*[(\[]\s*(?:the\s+)?(?:(?P<label>[A-Za-z][\w+/'-]*(?:\s+[\w+/'-]+){0,2}?)"
    r"\s+(?:group|arm)"
    # "10 patients (group I)"
    r"|(?P<group_id>(?:group|arm)\s+(?:\d{1,2}|[A-H]|[IVX]{1,4})))\s*[)\]]",
    re.IGNORECASE,
)
# A verb that gives everyone a treatment, before "42 with drug A, 40 with drug B".
_TREATED_BEFORE_RE = re.compile(
    r"\b(?:were|was)\s+(?:\w+\s+)?(?:treated|randomi[sz]ed|assigned|allocated)\s*[,:;]",
    re.IGNORECASE,
)
_BE_IN_LABEL_RE = re.compile(r"\b(?:is|are|was|were)\b", re.IGNORECASE)
_VERB_IN_LABEL_RE = re.compile(
    r"\b(?:received|receiving|were|was|had|underwent|got|took)\b", re.IGNORECASE
)
# Counts and arms in two lists: "818 and 756 in the A and B arms, respectively",
# "128 and 130 were randomized to X and Y, respectively".
_RESPECTIVELY_RE = re.compile(
    r"(?<![\w.,/:-])(?P<nums>"
    + _DIGITS
    + r"(?:\s*,\s*(?:"
    + _DIGITS
    + r"))*,?\s+and\s+(?:"
    + _DIGITS
    + r"))\s+(?P<pop>"
    + _POP
    + r"\s+)?(?:(?P<verb>(?:(?:were|was)\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)"
    r"|assigned|allocated|received|receiving))\s+(?:to\s+)?(?:receive\s+)?|in\s+|to\s+)"
    r"(?:the\s+)?(?P<labels>[A-Za-z][^.;:()\[\]%]{2,100}?)(?:\s+(?:groups?|arms?))?\s*,?\s+"
    r"respectively\b",
    re.IGNORECASE,
)
_GROUPS_PREFIX_RE = re.compile(r"groups?\s+(\d{1,2}|[A-H]|[IVX]{1,4})$", re.IGNORECASE)
_LABEL_LIST_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
# A group named by its number or letter ("Group 1 (n = 54)", "arm B (n = 30)").
_GROUP_ID_RE = re.compile(r"(?:groups?|arms?)\s+(?:\d{1,2}|[A-H]|[IVX]{1,4})\Z", re.IGNORECASE)
# An arm named as a group ("the HA group (n = 50)", "Control dyads (n = 63)").
_GROUP_NAMED_RE = re.compile(
    r"\b(?:groups?|arms?)\b|\b(?:intervention|control|placebo|experimental)\s+\w+\s*[(\[]",
    re.IGNORECASE,
)
# "Of 120 adults randomized to X, ...": what follows the comma is the sentence.
_OF_BEFORE_RE = re.compile(r"\b(?:of|among|from|in)\s+(?:the\s+)?\Z", re.IGNORECASE)
_GROUP_END_RE = re.compile(r"(\S.*?\s(?:groups?|arms?))\b", re.IGNORECASE)
_ARM_PREPS = frozenset(
    {
        "to",
        "in",
        "into",
        "received",
        "receiving",
        "on",
        "assigned",
        "allocated",
        "given",
        "administered",
        "treated",
        "who",
        "with",
    }
)


def _arm_to_ahead(window: str) -> bool:
    # The preposition stands alone between spaces, after at most five
    # modifiers, the population noun and a three-word verb: word 10 at the latest.
    return not _ARM_PREPS.isdisjoint(window.split(maxsplit=10)[:10])


_ARM_TO_RULE = _Rule(
    "ARM_SIZE",
    _ARM_TO_RE,
    None,
    _AFTER_POP_RE,
    0,
    False,
    _arm_to_ahead,
    # no population noun: a share in brackets, a verb or the preposition next
    or_next=re.compile(
        r"\s*[(\[]|\s+(?:were|was|randomi[sz]ed|randomly|assigned|allocated|given|administered"
        r"|to|in|into|treated|who|with"
        r"|received|receiving|on)\b",
        re.IGNORECASE,
    ),
)
# A denominator named with its arm: "of the 99 patients in the levofloxacin
# group", "among the 700 patients randomly assigned to receive drug Y", "Of 511
# patients randomised to anastrozole", "among 2,100 women receiving drug X".
# Such arms may stand in different sentences; two different labels are needed.
# ("in the 149 adults randomized to the late group": see SampleSizeComponent._arms)
_OF_ARM_LEFT = r"\b(?:(?:out\s+)?of|among|in(?=\s+the\s))\s+(?:the\s+)?"
# Words before a population noun that describe everyone, not one arm.
_NOT_ARM_WORD = (
    r"(?:eligible|evaluable|assessable|analy[sz]able|analy[sz]ed|randomi[sz]ed|enrolled|included"
    r"|treated|consecutive|adult|female|male|elderly|older|younger|healthy|obese|remaining|other"
    r"|these|those|all|such|study|trial|total|new|first|second|\w+ed)"
)
_OF_ARM_RE = re.compile(
    _OF_ARM_LEFT
    + _NUM
    # "44 of 54 brimonidine patients": the arm's name before the noun
    + r"\s+(?:(?!"
    + _NOT_ARM_WORD
    + r"\b)(?P<label2>[A-Za-z][\w+/-]*+)\s+"
    + _POP
    + r"\b(?!\s+(?:in|on|receiving|who|treated|randomi[sz]ed|assigned|allocated)\b)|(?:"
    + _MODS
    + _POP
    + r"\s+)?(?:(?:who\s+were\s+)?(?:randomly\s+)?(?:assigned|allocated|randomi[sz]ed)\s+to"
    r"\s+(?:receive\s+)?(?:the\s+)?|(?:who\s+)?(?:receiv(?:ing|ed)|were\s+given|took|taking)"
    r"\s+(?:the\s+)?|(?:who\s+were\s+)?treated\s+with\s+|on\s+|in\s+the\s+)"
    r"(?P<label>[A-Za-z][\w+/'-]*+(?:\s+(?!(?:groups?|arms?|and|or|versus|vs|had|have|were|was"
    r"|who|with|at|for|in|compared)\b)[A-Za-z0-9][\w+/'-]*+){0,3}?)"
    r"(?=\s*(?:(?:groups?|arms?)\b|[,;.()]|\s(?:and|or|versus|vs|had|have|were|was|who|with|at"
    r"|for|in|compared|experienced|developed|died|achieved|reported|showed|did|is|are)\b|$)))",
    re.IGNORECASE,
)
_ALLOCATED_TO_RE = re.compile(r"\b(?:assigned|allocated|randomi[sz]ed)\s+to\b", re.IGNORECASE)
_OF_ARM_WORDS = frozenset(
    {
        "assigned",
        "allocated",
        "randomized",
        "randomised",
        "receiving",
        "received",
        "given",
        "took",
        "taking",
        "treated",
        "on",
        "in",
    }
)


_POP_WORDS = frozenset(_POP[3:-1].split("|"))
_LEADING_LETTERS_RE = re.compile(r"[a-z]+")


def _of_arm_ahead(window: str) -> bool:
    words = window.split(maxsplit=9)[:9]
    noun = _LEADING_LETTERS_RE.match(words[1]) if len(words) > 1 else None
    if noun is not None and noun.group() in _POP_WORDS:
        return True  # "of 41 ginger adults.", "of 110 NTG patients--55 ..."
    return not _OF_ARM_WORDS.isdisjoint(words)


_OF_ARM_RULE = _Rule(
    "ARM_SIZE",
    _OF_ARM_RE,
    re.compile(rf"(?:{_OF_ARM_LEFT})\Z", re.IGNORECASE),
    None,
    30,
    False,
    _of_arm_ahead,
    behind=("of", "among", "in"),
)
# Parenthesised lists: "(26 eribulin and 31 TPC)", "(Arm A: 284, Arm B: 277)"
_PAREN_RE = re.compile(r"[(\[]([^()\[\]]{3,160})[)\]]")
# (not the thousands comma of "48,618")
_PART_SPLIT_RE = re.compile(
    r"\s*(?:,(?!(?<=\d,)\d{3}(?!\d))\s*(?:and\s+)?|;\s*|\s+and\s+|\s+vs\.?\s+|\s+versus\s+)"
)
# A literal that each separator of a list contains (the splitters are case-sensitive).
_PART_SEPARATORS = (",", ";", "and", "vs", "versus")
# Lists whose parts have commas inside ("A-B, n = 150; C-D, n = 149").
_SEMICOLON_SPLIT_RE = re.compile(r"\s*;\s*(?:and\s+)?")
_PART_NUM_FIRST_RE = re.compile(
    r"^" + _num("num") + r"\s+(?:" + _POP + r"\s+)?(?P<prep>(?:were\s+)?(?:in\s+the|to\s+the|to"
    r"|on|assigned(?:\s+to)?|received|receiving|in)\s+)?(?P<label>[A-Za-z][^\d]{0,40}?)"
    # "(63 TE and 62 TEL patients)": the noun after the last label
    r"(?:\s+" + _POP + r")?$",
    re.IGNORECASE,
)
# Lists whose parts start with "n =": "(n = 40 tea; n = 41 coffee)", "(n = 105,
# drug A and n = 105, drug B)"; the split falls before each "n =".
_N_FIRST_RE = re.compile(r"\s*[nN]\s*=\s*\d[^=]*[,;\s][nN]\s*=")
_N_FIRST_SPLIT_RE = re.compile(r"\s*(?:[;,]\s*)?(?:and\s+)?(?=\b[nN]\s*=)")
_PART_N_FIRST_RE = re.compile(
    r"^\s*[nN]\s*=\s*"
    + _num("num")
    + r"\s*[,:]?\s+(?:"
    + _POP
    + r"\s+)?(?:in\s+the\s+|on\s+)?(?P<label>[A-Za-z][^=,;]{0,40}?)\s*$"
)
# Parts that name a treatment ("6074 on tamoxifen", "271 received lapatinib").
_TREATMENT_PREP_RE = re.compile(r"^(?:on|received|receiving|assigned)", re.IGNORECASE)
_PART_LABEL_FIRST_RE = re.compile(
    # digits inside the label ("TC6, 47 patients", "LA-EP2006: n = 314")
    r"^(?P<label>[A-Za-z][^:=]{0,40}?)\s*(?::|=|,)?\s*(?:[nN]\s*=\s*)?"
    + _num("num")
    + r"(?:\s+"
    + _POP
    + r")?$"
)
_NOT_ARM_LABEL_RE = re.compile(
    r"\b(?:total|overall|all|age[sd]?|years?|months?|weeks?|days?|hours?|mean|median|range"
    r"|patients|participants|subjects|women|men|children|adults|who|with|without|which"
    r"|sample|cohort|studies|trials|events?|%|p|not|January|February|March|April|May|June|July"
    r"|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
    # the size of the trial ("a large (769 patients) trial"), a grade of an event
    r"|large|small|mild(?![\w-])|moderate(?![\w-])|severe(?![\w-]))\b",
    re.IGNORECASE,
)
# A sex alone names who is in an arm, never the arm itself.
_SEX_LABEL_RE = re.compile(r"(?:fe)?males?|boys|girls", re.IGNORECASE)
# Sentences that state arm sizes say how people were allocated ...
_ALLOCATION_RE = re.compile(
    r"\)\s*,?\s*(?:or|versus|vs\.?)\s|randomi[sz]|assign|allocat|\barms?\b|\bgroups?\b|receiv|treated\s+with|\bversus\b|\bvs\b"
    r"|compar|enrol|recruit|analy[sz]|evaluab|assessab",
    re.IGNORECASE,
)
# One size stated for every arm: "25 per group", "916 women in each group",
# "(n = 30 each)", "139 patients each to".
# Both rules start at a count (see _Counts); the words they need stand after it.
_EACH_RULES = (
    _rule(
        "ARM_SIZE",
        "",
        _NUM
        + r"\s+(?:"
        + _MODS
        + _POP
        + r"\s+)?(?:per\s+(?:\w+\s+)?(?:group|arm)|in\s+(?:each|both)\s+(?:group|arm)s?\b"
        r"|each\s+(?:to|in)\b)",
        _AFTER_POP,
        0,
        ("per", "each", "both"),
        None,
        r"\s+(?:per|in|each)\b",
    ),
    _rule(
        "ARM_SIZE",
        r"[(\[]\s*[nN]\s*=\s*",
        _NUM + r"\s*(?:each|per\s+(?:group|arm)|in\s+(?:each|both)(?:\s+(?:group|arm)s?)?)\s*[)\]]",
        None,
        30,
        ("per", "each", "both"),
    ),
)
# Exactly two arms named where participants were allocated: "randomized to
# general anaesthesia or a nerve block", "assigned to the A group or the B group".
_ARM_NAME = r"[A-Za-z][\w+/'-]*(?:\s+(?!(?:or|and|versus|vs)\b)[\w+/'-]+){0,7}?"
_TWO_ARMS_RE = re.compile(
    r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided)|assigned|allocated)\b"
    r"[^.;]{0,80}?\b(?:to|into|between)\s+(?:receive\s+)?(?:either\s+)?(?:the\s+|an?\s+)?"
    r"(?P<a>" + _ARM_NAME + r")\s*,?\s+(?:or|and|versus|vs\.?)\s+(?:the\s+|an?\s+)?"
    r"(?P<b>" + _ARM_NAME + r")(?=\s*(?:groups?|arms?)?\s*(?:[(\[.,;]|$))",
    re.IGNORECASE,
)
# Events/total followed by the arm: "12/71 (17%) of patients treated with
# drug A", "5/48 (10%) in the control group"; or the arm before the bracket:
# "in the control group (400/800, 50.0%)".
_FRACTION = r"(?<![\w./])(?P<ev>\d{1,5})\s*/\s*(?P<tot>\d{1,6})(?![\d./])"
_FRACTION_ARM_RE = re.compile(
    _FRACTION + r"\s*[)\]]?(?:\s*[(\[,]\s*\d+(?:\.\d+)?\s*%\s*[)\]]?)?\s+(?:of\s+)?(?:the\s+)?"
    r"(?:" + _POP + r"\s+)?(?:in\s+the|treated\s+with|receiving|who\s+received"
    r"|(?:allocated|assigned|randomi[sz]ed)\s+to|on|for)\s+"
    r"(?P<label>[A-Za-z][\w+/'-]*(?:\s+(?!(?:and|or|versus|vs|compared|with|in|of)\b)"
    r"[A-Za-z][\w+/'-]*){0,3}?)\s*(?=(?:groups?|arms?)\b|[()\[\],;.]|\s(?:and|or|versus|vs)\b)",
    re.IGNORECASE,
)
# The same written "events of total": "(33 of 64) for group 1", "eight of 251
# patients receiving X", "15 (68%) of 22 women in the A group". Tried at counts.
_OF_FRACTION_ARM_RE = re.compile(
    r"(?P<ev>" + _NUM_CORE + r")(?:\s*[(\[]\s*\d+(?:\.\d+)?\s*%\s*[)\]])?\s+(?:out\s+)?of\s+"
    r"(?:the\s+)?(?P<tot>\d{1,6})(?![\d.,/]|\s*%)(?:\s+" + _POP + r")?\s*[)\]]?"
    r"(?:\s*[(\[,]\s*\d+(?:\.\d+)?\s*%\s*[)\]]?)?\s+(?:of\s+)?(?:the\s+)?"
    r"(?:" + _POP + r"\s+)?(?:in\s+the|treated\s+with|receiving|who\s+received"
    r"|(?:allocated|assigned|randomi[sz]ed)\s+to|on|for)\s+"
    r"(?P<label>[A-Za-z][\w+/'-]*(?:\s+(?!(?:and|or|versus|vs|compared|with|in|of)\b)"
    r"[A-Za-z][\w+/'-]*){0,3}?(?:\s+(?:\d{1,2}|[IVX]{1,4}|[A-H])\b)?)"
    r"\s*(?=(?:groups?|arms?)\b|[()\[\],;.]|\s(?:and|or|versus|vs)\b)",
    re.IGNORECASE,
)
# What follows the first count of _OF_FRACTION_ARM_RE (a cheap pre-test).
_OF_NEXT_RE = re.compile(
    r"(?:\s*[(\[]\s*\d+(?:\.\d+)?\s*%\s*[)\]])?\s+(?:out\s+)?of\s+(?:the\s+)?\d",
    re.IGNORECASE,
)
_ARM_FRACTION_RE = re.compile(
    r"\bin\s+the\s+(?P<label>[A-Za-z][\w+/'-]*(?:\s+[A-Za-z][\w+/'-]*){0,2}?)\s+(?:group|arm)"
    r"\s*[(\[]\s*" + _FRACTION + r"\s*[,;)\]]",
    re.IGNORECASE,
)
# Every match of _ARM_FRACTION_RE contains this; most texts do not.
_BRACKET_FRACTION_RE = re.compile(r"[(\[]\s*\d+\s*/")
# ... while sentences with outcome words count events per arm, not arm sizes.
_OUTCOME_RE = re.compile(
    r"%|\b(?:developed|experienced|occurred|died|deaths?|reported|relapsed|recurred|events?|cases?"
    r"|recurrences?|relapses?"
    r"|incidence|rates?|toxicit\w*|adverse|responded|response|achieved|progressed"
    # "the number of patients with metastases was 35 in the X group": a count
    # of events, not of the arm
    # "women who had not received chemotherapy" says who was eligible
    r"|(?<!\bwho\s)had(?!\s+been)|number\s+of"
    # "18 women in the A group and 17 controls were lost to follow-up"
    r"|lost\s+to|did\s+not)\b",
    re.IGNORECASE,
)
# "(21 cases)", "(17 patients)": a bracket that only counts people.
_POP_BRACKET_RE = re.compile(r"[(\[]\s*\d[\d,]*\s+" + _POP + r"\s*[)\]]", re.IGNORECASE)
# Where a clause may end: ";" or a full stop; brackets are tracked.
_CLAUSE_END_RE = re.compile(r"[;()\[\]]|\.(?=\s+[A-Z])")


def _clause_end(text: str, lo: int, pos: int, hi: int) -> int:
    """Where the clause holding ``pos`` ends in ``text[lo:hi]``: the first ";"
    or full stop after ``pos`` outside any bracket (``hi`` if none)."""
    depth = 0
    for j in range(lo, pos):
        if text[j] in "([":
            depth += 1
        elif text[j] in ")]" and depth:
            depth -= 1
    for m in _CLAUSE_END_RE.finditer(text, pos, hi):
        ch = m.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            return m.start()
    return hi


# The same words without "%" (doses are written with percentages too).
_OUTCOME_WORD_RE = re.compile(_OUTCOME_RE.pattern.replace("%|", "", 1), re.IGNORECASE)
# An arm label: up to four words before the first number ("darbepoetin alfa 200 microg").
# The first word may start with a hyphenated number ("5-FU", "2-week presurgical AI").
_LABEL_FIRST_WORDS_RE = re.compile(
    r"(?:[A-Za-z]|\d{1,2}-[A-Za-z])[\w+/'-]*(?:\s+(?!\d)[A-Za-z][\w+/'-]*){0,3}"
)
_LABEL_LEAD_RE = re.compile(
    r"^(?:(?:randomly\s+)?(?:assigned|allocated|randomi[sz]ed)\s+(?:to\s+)?|either\s+|receive\s+"
    r"|to\s+|or\s+|and\s+|versus\s+|vs\.?\s+|the\s+|a\s+|an\s+|both\s+|with\s+|for\s+|in\s+)+",
    re.IGNORECASE,
)
# How long an arm's treatment lasted, at the end of its label ("syrup alone for 10
# days", "drug A daily for 6 months"): no part of the arm's name.
_DURATION_TAIL_RE = re.compile(
    r"\s+(?:(?:once|twice|daily|weekly)\s+)?(?:for|during|over)\s+(?:\d+|"
    + WORD_NUMBER_PATTERN
    + r")\s+(?:consecutive\s+)?(?:days?|weeks?|months?|years?|hours?|cycles?)\s*$",
    re.IGNORECASE,
)
_LABEL_TAIL_RE = re.compile(r"\s+(?:arm|group|groups|alone)$", re.IGNORECASE)
_STUDY_RE = re.compile(r"(?:the\s+)?(?:study|trial)", re.IGNORECASE)
_NOT_ARM_LIST_LABEL_RE = re.compile(
    # a listed part names its arm itself, even with one letter ("A, 65; P, 73")
    _NOT_ARM_LABEL_RE.pattern.replace("|who|with|without|", "|who|").replace("|%|p|", "|%|")
    # an amount ("50 mg once daily, n = 56") or the "n" of "n = 56"
    + r"|^(?:n|mg|g|ug|mcg|microg|\u00b5g|ng|ml|kg|iu|u|units?|mmhg|mmol|mg/\S+)$"
    r"|^(?:mg|g|ug|mcg|microg|\u00b5g|ng|ml|kg|iu|u|units?|mmhg|mmol)(?:/\S+)?\s",
    re.IGNORECASE,
)


def _mask_closed_brackets(text: str) -> str:
    """``text`` with every closed bracket and its content blanked (same length)."""
    if ")" not in text and "]" not in text:
        return text
    chars = list(text)
    opened: list[int] = []
    for j, ch in enumerate(text):
        if ch in "([":
            opened.append(j)
        elif ch in ")]" and opened:
            a = opened.pop()
            chars[a : j + 1] = " " * (j + 1 - a)
    return "".join(chars)


def _bracket_starts(text: str) -> list[int]:
    """Positions of every "(" and "[", in order."""
    out = []
    for ch in "([":
        i = text.find(ch)
        while i >= 0:
            out.append(i)
            i = text.find(ch, i + 1)
    out.sort()
    return out


def _fraction_starts(text: str) -> list[int]:
    """Starts of the digit runs followed by "/" (where ``\\d+\\s*/`` matches), in order.

    Every match of :data:`_FRACTION_ARM_RE` starts at one; ``str.find`` of "/"
    is far cheaper than the look-behind of :data:`_FRACTION` tried at every
    character.
    """
    out = []
    i = text.find("/")
    while i >= 0:
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1
        k = j
        while k > 0 and text[k - 1].isdecimal():
            k -= 1
        if k < j:
            out.append(k)
        i = text.find("/", i + 1)
    return out


def _sums_to_count_before(
    ns: list[int | None],
    counts: _Counts,
    pos: int,
    sent_starts: list[int],
    sents: list[tuple[int, int]],
) -> tuple[int, int, int] | None:
    """The count written within 80 characters before ``pos`` that ``ns`` add up to.

    The sum only checks that the numbers are a partition of a stated total
    (which is then a total the text states); it is never reported.

    Returns
    -------
    tuple[int, int, int] | None
        ``(start, end, n)`` of that count, or ``None``.
    """
    if any(n is None for n in ns):
        return None
    total = sum(n for n in ns if n is not None)
    sent_start = sents[bisect.bisect_right(sent_starts, pos) - 1][0] if sents else 0
    lo = max(sent_start, pos - 80)
    i = bisect.bisect_left(counts.starts, lo)
    found = None
    while i < len(counts.starts) and counts.starts[i] < pos:
        if _count(counts.text[counts.starts[i] : counts.ends[i]]) == total:
            found = (counts.starts[i], counts.ends[i], total)  # the nearest one wins
        i += 1
    if found is not None and _EVENT_NOUN_AFTER_RE.match(counts.text, found[1]):
        return None  # "399 recurrences (164 X and 235 Y)": events split by arm
    return found


_EVENT_NOUN_AFTER_RE = re.compile(
    r"\s+(?:[\w/-]+\s+(?:or\s+)?){0,3}?(?:recurrences?|relapses?|events?|deaths?|cases|episodes?"
    r"|infections?|fractures?|cancers?|tumou?rs?|lesions?|failures?|complications?"
    # "103 paired samples (F, n = 35; ...)": things counted, not people
    r"|samples|specimens|biopsies|blocks|visits|cycles|procedures)\b",
    re.IGNORECASE,
)


def _count(text: str) -> int | None:
    v = parse_number(text)
    if v is None or v != int(v) or v < 1:
        return None
    return int(v)


# "the ketamine-treated patients", "placebo-treated women": the treatment names
# the arm.
_TREATED_POP_RE = re.compile(r"(?P<what>.*?\S)[-\s]treated\s+" + _POP + r"\s*\Z", re.IGNORECASE)


# "group A patients", "control dyads": an arm named before the people in it.
_ARM_THEN_POP_RE = re.compile(
    r"\b(?P<what>(?:groups?|arms?)\s+(?:\d{1,2}|[A-H]|[IVX]{1,4})|intervention|control|placebo"
    r"|experimental|treatment|sham)\s+" + _POP + r"\s*\Z",
    re.IGNORECASE,
)


_ORDINAL_RE = re.compile(r"first|second|third|fourth|fifth|other", re.IGNORECASE)


# One part of such a list: "31 had drug A", ", 29 women received drug B", "and 34 had no treatment"
_COLON_ARM = (
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*(?:and\s+)?)?"
    + _num("num")
    + r"\s+(?:"
    + _POP
    + r"\s+)?(?:had|received|underwent|were\s+given|got)\s+"
    r"(?P<label>(?!a\b|an\b|their\b)[A-Za-z][\w+/'-]*(?:\s+(?!and\b|or\b)[A-Za-z0-9][\w+/'-]*){0,4})"
)
_COLON_ARM_RE = re.compile(_COLON_ARM, re.IGNORECASE)
_COLON_ARMS_RE = re.compile(
    r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided)|allocated|assigned)\b[^.:;]{0,80}:"
    r"\s*(?P<list>(?:" + _COLON_ARM.replace("(?P<num>", "(?:").replace("(?P<label>", "(?:") + r")+)"
    r"(?=\s*(?:\.(?:\s|$)|;|$))",
    re.IGNORECASE,
)


def _clean_label(label: str) -> str:
    label = _LABEL_LEAD_RE.sub("", label.strip(" ,;:"))
    treated = _TREATED_POP_RE.match(label)
    if treated is not None:
        label = treated.group("what")
    stripped = _LABEL_TAIL_RE.sub("", label)
    if _ORDINAL_RE.fullmatch(stripped.strip(" ,;:")):
        stripped = label  # "the first group" keeps its group word
    return (stripped or label).strip(" ,;:")


class SampleSizeComponent:
    """Find sample-size statements; labels in :data:`LABELS` (see module docstring)."""

    def __init__(self, nlp: Language, name: str, min_total: int) -> None:
        self.name = name
        self.min_total = min_total

    def _span(self, doc: Doc, start: int, end: int, label: str) -> Span | None:
        return doc.char_span(start, end, label=label, alignment_mode="expand")

    def __call__(self, doc: Doc) -> Doc:
        # Length-preserving: "Eighty\u2010one", "n\u2009=\u200941" and "20\u201330" read
        # as their ASCII forms, and every offset still indexes the Doc.
        text = normalise(doc_text(doc))
        counts = _Counts(text)
        totals: list[tuple[int, int, int]] = []
        arms = self._arms(doc, text, counts, totals)
        # A count that arms add up to is a total ("299 patients (A-B, n = 150;
        # C-D, n = 149)"); a count that is one arm's size is never the total.
        total_starts = {s for s, _e, _n in totals}
        arms = [a for a in arms if not any(a.start_char <= s < a.end_char for s in total_starts)]
        arm_ranges = [(a.start_char, a.end_char) for a in arms]
        spans: list[Span] = []
        seen: set[tuple[int, str]] = set()
        for s, e, total in totals:
            if _SHARE_AFTER_RE.match(text, e) or _EYES_OF_RE.match(text, e):
                continue  # "133 (76.4%) women (90 A and 43 B) completed": a share
            if total >= self.min_total and not is_negated(doc, s, e):
                span = self._span(doc, s, e, "SAMPLE_SIZE_ENROLLED")
                if span is not None:
                    span.id_ = str(total)
                    seen.add((s, "SAMPLE_SIZE_ENROLLED"))
                    spans.append(span)
        # Counts of one sex or of one arm are parts of the sample, never its total.
        parts = _sex_split_starts(text)
        sents = sentence_bounds(doc)
        sent_starts = [a for a, _b in sents]
        for rule in _TOTAL_RES:
            label = rule.label
            for m in counts.matches(rule):
                s, e = m.span("num")
                n = _count(m.group("num"))
                if n is None or n < self.min_total or (s, label) in seen:
                    continue
                if any(a <= s < b for a, b in arm_ranges):
                    continue
                if s in parts or _IN_ONE_ARM_RE.match(text, e) or _in_n_list(text, s, e):
                    continue
                if _names_a_part(text, s, e) or _PARTS_LISTED_RE.match(text, e):
                    continue
                if rule.behind and "conducted" in rule.behind and m.group().startswith(_DONE_VERBS):
                    # "surgery was performed in 15 patients" counts one arm; "the
                    # study was performed in 40 patients" the sample
                    sent = bisect.bisect_right(sent_starts, s) - 1
                    lo = sents[sent][0] if sent >= 0 else 0
                    if _GROUP_WORD_RE.search(text, lo, s) and not _STUDY_WORD_RE.search(
                        text, lo, s
                    ):
                        continue
                eyes = _EYES_OF_RE.match(text, e)
                if eyes is not None:  # "53 eyes of 28 patients": the patients are the sample
                    s, e = eyes.span("num")
                    n = _count(eyes.group("num"))
                    if n is None or n < self.min_total or (s, label) in seen:
                        continue
                if label == "SAMPLE_SIZE_RANDOMIZED" and _NEXT_ARM_RE.match(text, m.end()):
                    continue
                if is_negated(doc, s, e):
                    continue
                span = self._span(doc, s, e, label)
                if span is not None:
                    span.id_ = str(n)  # the span may be wider than the count ("N=64")
                    seen.add((s, label))
                    spans.append(span)
        if not any(label == "SAMPLE_SIZE_RANDOMIZED" for _s, label in seen):
            starts = sent_starts
            in_trial = [*counts.matches(_IN_TRIAL_RULE), *counts.matches(_IN_THIS_TRIAL_RULE)]
            for m in sorted(in_trial, key=lambda m: m.start("num")):
                s, e = m.span("num")
                n = _count(m.group("num"))
                if n is None or n < self.min_total or any(a <= s < b for a, b in arm_ranges):
                    continue
                if s in parts or _IN_ONE_ARM_RE.match(text, e) or _names_a_part(text, s, e):
                    continue
                i = bisect.bisect_right(starts, s) - 1
                sentence = text[sents[i][0] : sents[i][1]] if i >= 0 else ""
                # (the words before the count of _IN_THIS_TRIAL_RULE name the trial)
                named = m.re is _IN_THIS_TRIAL_RULE.regex or _TRIAL_SENTENCE_RE.search(sentence)
                if not named or _OUTCOME_WORD_RE.search(sentence):
                    continue
                if (s, "SAMPLE_SIZE_ENROLLED") in seen or is_negated(doc, s, e):
                    continue
                span = self._span(doc, s, e, "SAMPLE_SIZE_ENROLLED")
                if span is not None:
                    span.id_ = str(n)
                    seen.add((s, "SAMPLE_SIZE_ENROLLED"))
                    spans.append(span)
        for rule in _ANALYSED_RES:
            for m in counts.matches(rule):
                s, e = m.span("num")
                n = _count(m.group("num"))
                if n is None or n < self.min_total or (s, "ANALYSED") in seen:
                    continue
                if (
                    s in parts
                    or _IN_ONE_ARM_RE.match(text, e)
                    or _IN_ARM_AFTER_RE.match(text, m.end())
                ):
                    continue
                span = self._span(doc, s, e, "ANALYSED")
                if span is not None:
                    span.id_ = str(n)
                    seen.add((s, "ANALYSED"))
                    spans.append(span)
        spans.extend(arms)
        add_spans(doc, spans)
        return doc

    def _arms(
        self, doc: Doc, text: str, counts: _Counts, totals: list[tuple[int, int, int]]
    ) -> list[Span]:
        """Arm-size spans; counts that arms add up to are appended to ``totals``."""
        sents = sentence_bounds(doc)
        sent_starts = [a for a, _b in sents]
        # sentence index -> [(start, end, label, n, kind)]; kind is "paren"
        # ("X (n = 21)"), "to" ("21 to X", "21 in the X arm") or "list"
        # ("(21 X and 20 Y)"); the span covers the label and the count.
        found: dict[int, list[tuple[int, int, str, int, str]]] = {}

        def add(
            start: int, end: int, label: str, n: int | None, kind: str, listed: bool = False
        ) -> None:
            raw = label
            # "46 children received syrup for 10 days": the arm is the syrup
            label = _clean_label(_DURATION_TAIL_RE.sub("", label))
            # "AML2 (two), AML3 (one)": subtypes counted, not arms of a trial
            if not label or n is None or n < self.min_total:
                return
            # A listed part names its arm itself ("39 to PVB with GA"), and so
            # does what follows "to" ("214 to conservation without radiotherapy").
            # (so does a label a rule builds: "without spacer", "no zinc")
            listed = listed or kind.startswith(("list", "to"))
            bad = _NOT_ARM_LIST_LABEL_RE if listed else _NOT_ARM_LABEL_RE
            if bad.search(label) or _BE_IN_LABEL_RE.search(label):
                return  # (nor is "were randomised (n = 250)" or "there was a greater")
            if _SEX_LABEL_RE.fullmatch(label):
                return  # "(18 males, 57 females)" describes an arm; it is none
            # "in the study (...)" is no arm; "the study group" is one.
            # "to the BIG 1-98 trial" is no arm either.
            if (_STUDY_RE.fullmatch(label) or _TRIAL_WORD_RE.search(label)) and not (
                _LABEL_TAIL_RE.search(raw.strip(" ,;:"))
            ):
                return
            i = bisect.bisect_right(sent_starts, start) - 1
            found.setdefault(i, []).append((start, end, label, n, kind))

        previous_end = 0
        brackets = _bracket_starts(text)
        for m in matches_at(_ARM_PAREN_RE, text, brackets):
            if m.group("bare") and m.start() > 0 and not text[m.start() - 1].isspace():
                continue  # "mg/m(2)", "HbA(1c)": part of a word, not a count
            sent_start = sents[bisect.bisect_right(sent_starts, m.start()) - 1][0]
            lo = max(previous_end, sent_start, m.start() - 120)
            previous_end = m.end()
            inner = m.group("inner")
            if inner and _LABEL_FIRST_WORDS_RE.match(inner.strip()) and "=" not in inner:
                label, start = inner, m.start()
            else:
                before = text[lo : m.start()]
                # A closed bracket is part of the label ("an exercise (walking)
                # group (n = 81)", "drug X (6M) (n = 83)"), not where it starts.
                starts = list(_LABEL_START_RE.finditer(_mask_closed_brackets(before)))
                # "paclitaxel with premedication (n = 225)": "with" inside a label
                # does not start it when an earlier list word does.
                if len(starts) > 1 and starts[-1].group().strip().lower() == "with":
                    starts.pop()
                cut = starts[-1].end() if starts else 0
                label, start = before[cut:], lo + cut
            # "women in the control group (n = 77)": the group is the label.
            in_group = list(_IN_GROUP_RE.finditer(label))
            if in_group:
                cut = in_group[-1].end()
                label, start = label[cut:], start + cut
            treated = _TREATED_POP_RE.match(label)
            if treated is not None:  # "the drug A-treated patients (n = 41)"
                label = treated.group("what")
            arm_pop = _ARM_THEN_POP_RE.search(label)
            if arm_pop is not None:  # "group B patients (n = 18)": group B
                label, start = arm_pop.group("what"), start + arm_pop.start("what")
            amount = _LEADING_AMOUNT_RE.match(label.strip())
            words: re.Match[str] | None
            if amount and not label.strip()[amount.end() :] and "%" not in amount.group():
                # "drug A 20 mg (n = 118), 40 mg (n = 120)": the dose names the arm
                words = amount
            else:
                if amount:
                    label = label.strip()[amount.end() :]
                words = _GROUP_ID_RE.match(label.strip()) or _LABEL_FIRST_WORDS_RE.match(
                    label.strip()
                )
            if not words:
                continue
            if _NOT_ARM_LABEL_RE.search(words.group(0)) and _ASSIGNED_RE.search(
                text, sent_start, m.start()
            ):
                # "Patients received cediranib (n = 31)", "to staging with breast
                # MRI (n = 220)" after an allocation verb: the arm is named after
                # the last population word or "with".
                trims = list(_LABEL_TRIM_RE.finditer(label))
                if trims:
                    cut = trims[-1].end()
                    label, start = label[cut:], start + cut
                    words = _LABEL_FIRST_WORDS_RE.match(label.strip())
                    if not words:
                        continue
            # "(35 patients)" counts people as surely as "(n = 35)"; "(35)" alone may not
            bare_pop = m.group("bare") and _AFTER_POP_RE.match(text, m.end("bare"))
            kind = "paren" if m.group("num") else "paren_pop" if bare_pop else "paren_bare"
            if m.group("spaced") and ("=" in inner or ":" in inner):
                continue  # "(A: n = 14; B: n = 15)": a list, read below
            if m.group("tail") or m.group("spaced"):
                kind = "paren_tail"
            n = _count(m.group("num") or m.group("bare"))
            add(start + (len(label) - len(label.lstrip())), m.end(), words.group(0), n, kind)
        if "(" in text:
            # "either with (n = 85) or without (n = 79) drug X", "to drug X
            # (n = 44) or not (n = 49)": "without" and "not" name an arm here.
            for m in _WITH_WITHOUT_RE.finditer(text) if "without" in text else ():
                what = m.group("what")
                for side in ("a", "b"):
                    label = f"{m.group(side).lower()} {what}"
                    n = _count(m.group(f"n{side}"))
                    add(m.start(side), m.end(f"n{side}") + 1, label, n, "paren", listed=True)
            for m in _NOT_ARM_RE.finditer(text) if "or not" in text else ():
                n = _count(m.group("num"))
                add(m.start("not"), m.end(), f"no {m.group('what')}", n, "paren", listed=True)
            # "used in 54 patients (the experimental group)"
            for i in counts.pop_at:  # (at the counts followed by people only)
                cg = _COUNT_THEN_GROUP_RE.match(text, counts.starts[i])
                if cg is not None:
                    name = cg.group("label") or cg.group("group_id")
                    # (after an outcome word such people are events: "paren_pop")
                    add(cg.start(), cg.end(), name, _count(cg.group("num")), "paren_pop")
        if ":" in text:
            # "We randomized 94 adults: 31 had drug A, 29 had drug B and 34 had
            # no treatment": after an allocation and a colon, every part says
            # what its people had.
            for cm in _COLON_ARMS_RE.finditer(text):
                listed_arms = list(_COLON_ARM_RE.finditer(cm.group("list")))
                base = cm.start("list")
                if len(listed_arms) < 2 or "".join(i.group() for i in listed_arms) != cm.group(
                    "list"
                ):
                    continue
                if any(_OUTCOME_RE.search(i.group("label")) for i in listed_arms):
                    continue  # "31 had a relapse and 29 had none": events
                for arm in listed_arms:
                    n = _count(arm.group("num"))
                    a, b = base + arm.start("num"), base + arm.end("label")
                    add(a, b, arm.group("label"), n, "list_strong")
        if "respectively" in text:
            for m in _RESPECTIVELY_RE.finditer(text):
                if not (m.group("pop") or m.group("verb")):
                    continue  # "complications were 7 and 5 in groups A and B": events
                nums = list(_COUNT_AT_RE.finditer(m.group("nums")))
                labels = _LABEL_LIST_SPLIT_RE.split(m.group("labels").strip())
                if len(nums) < 2 or len(nums) != len(labels):
                    continue
                ids = _GROUPS_PREFIX_RE.match(labels[0])
                if ids is not None:  # "in groups I and II"
                    labels = [f"group {ids.group(1)}", *(f"group {x}" for x in labels[1:])]
                base = m.start("nums")
                for num, label in zip(nums, labels, strict=True):
                    add(base + num.start(), base + num.end(), label, _count(num.group()), "to")
        for m in counts.matches(_ARM_TO_RULE):
            kind = "to_verb" if m.group("verb") or m.group("pop") else "to"
            if (m.group("prep") or "").lower() == "with":
                # "42 with drug A" is an arm only in a list after a treatment
                # verb ("126 adults were treated, 42 with drug A, 40 with drug
                # B"); "30 patients with diabetes" describes people.
                sent_start = sents[bisect.bisect_right(sent_starts, m.start()) - 1][0]
                if kind != "to" or not _TREATED_BEFORE_RE.search(text, sent_start, m.start()):
                    continue
                if _VERB_IN_LABEL_RE.search(m.group("label")):
                    continue  # "30 with gout and 60 with diabetes received zinc"
            if m.group("pct"):
                if not (m.group("verb") or m.group("prep").lower().startswith("to")):
                    continue  # "65 (3.4%) in the X arm": events, not an arm
                kind = "to_pct"
            # "40 in the A group met weekly": the label ends with its group
            # (not "to arm A", where the group word comes first)
            label = m.group("label")
            g = _GROUP_END_RE.match(label)
            if g is not None:
                label = g.group(1)
            start = m.start("label")
            add(m.start("num"), start + len(label), label, _count(m.group("num")), kind)
            # "201 were assigned X and 202 Y.", "8506 were randomized to X and
            # 8102, placebo.": the next arms leave out the verb.
            end = m.end("label")
            if _OF_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
                continue  # "Of 120 adults randomized to tea, 30 stopped early"
            # after "treated with X": ", 38 adults with Y" names Y, not "adults with Y"
            with_next = (m.group("prep") or "").lower().startswith("treated")
            while (
                e := (_ARM_WITH_ELLIPSIS_RE.match(text, end) if with_next else None)
                or _ARM_ELLIPSIS_RE.match(text, end)
            ) is not None:
                add(e.start("num"), e.end("label"), e.group("label"), _count(e.group("num")), kind)
                end = e.end("label")
            if (m.group("prep") or "").lower().startswith("in"):
                # "randomized to two groups, 13 in the A group and 10 in usual care"
                sent_start = sents[bisect.bisect_right(sent_starts, m.start()) - 1][0]
                if _ALLOCATED_RE.search(text, sent_start, m.start()):
                    while (e := _ARM_IN_ELLIPSIS_RE.match(text, end)) is not None:
                        label = e.group("label")
                        g = _GROUP_END_RE.match(label)
                        if g is not None:
                            label = g.group(1)
                        n = _count(e.group("num"))
                        add(e.start("num"), e.start("label") + len(label), label, n, kind)
                        end = e.end("label")
        for m in matches_at(_PAREN_RE, text, brackets):
            inner = m.group(1)
            if not any(sep in inner for sep in _PART_SEPARATORS):
                continue  # one part: no list of arms
            base = m.start(1)
            parts: list[tuple[int, int, str, int | None]] = []
            pos = 0
            n_first = _N_FIRST_RE.match(inner) is not None
            if n_first and _ASSIGNED_RE.search(
                text, m.end(), sents[bisect.bisect_right(sent_starts, m.start()) - 1][1]
            ):
                # "306 adults (n = 200 Thai; n = 106 Lao) were randomized to
                # ...": a bracket before the allocation describes who took part.
                continue
            if n_first:
                splitter = _N_FIRST_SPLIT_RE
            else:
                splitter = _SEMICOLON_SPLIT_RE if ";" in inner else _PART_SPLIT_RE
            treatments = 0
            for piece in splitter.split(inner):
                if not piece:
                    continue
                idx = inner.find(piece, pos)
                pos = idx + len(piece)
                if n_first:
                    pm = _PART_N_FIRST_RE.match(piece)
                else:
                    pm = _PART_NUM_FIRST_RE.match(piece) or _PART_LABEL_FIRST_RE.match(piece)
                if not pm:
                    parts = []
                    break
                prep = pm.groupdict().get("prep")
                treatments += bool(prep and _TREATMENT_PREP_RE.match(prep))
                n = _count(pm.group("num"))
                parts.append((base + idx, base + idx + len(piece), pm.group("label"), n))
            if len(parts) >= 2:
                # Arm sizes that add up to the count written just before the
                # bracket ("299 patients (A-B, n = 150; C-D, n = 149)"), or
                # that each name a treatment ("5000 on drug A versus 5002 on
                # placebo"), are arms even in a sentence about outcomes.
                total = _sums_to_count_before(
                    [n for *_x, n in parts], counts, m.start(), sent_starts, sents
                )
                if total is not None:
                    totals.append(total)
                strong = treatments == len(parts) or total is not None
                for start, end, label, n in parts:
                    add(start, end, label, n, "list_strong" if strong else "list")
        spans: list[Span] = []
        arm_items: list[tuple[int, int, str, int, str]] = []
        singles: list[tuple[int, int, str, int, str]] = []
        for i, items in found.items():
            sentence = text[sents[i][0] : sents[i][1]]
            kinds = {k for *_x, k in items}
            keep_kinds = set(kinds)
            if not _ALLOCATION_RE.search(sentence):
                keep_kinds -= {"paren", "paren_bare", "paren_tail", "paren_pop"}
            # Outcome words count only in the clauses that hold the arms: "41
            # to arm A and 29 to arm B; response rates were 56% and 71%" states
            # arm sizes (a ";" or a full stop the splitter missed ends them).
            last_end = max(end for _s, end, *_x in items)
            scope = text[sents[i][0] : _clause_end(text, sents[i][0], last_end, sents[i][1])]
            # ("(21 cases)" counts people: no outcome word)
            outcome = _OUTCOME_RE.search(_POP_BRACKET_RE.sub("", scope)) is not None
            if outcome:
                # ("(22 patients)" after an outcome counts events)
                keep_kinds -= {"paren_bare", "paren_tail", "paren_pop", "to", "to_verb", "list"}
            # (a share of the sample is read as events anywhere in the sentence)
            if _OUTCOME_RE.search(sentence) and _OUTCOME_WORD_RE.search(sentence):
                keep_kinds.discard("to_pct")
            if "list_strong" in kinds:
                keep_kinds.add("list_strong")
            if keep_kinds & {
                "paren",
                "paren_bare",
                "paren_tail",
                "paren_pop",
                "list",
                "list_strong",
            }:
                # "363 patients were randomised to AC or AD (n = 182)": the
                # first count is the total, the arms are the "(n = ...)" ones.
                keep_kinds.discard("to_verb")
            items.sort()
            if "list_strong" in kinds:
                # "(saxagliptin, n = 129; placebo, n = 128)": the list's parts,
                # not one "(..., n = 128)" arm with the text before the bracket.
                strongs = [(a, b) for a, b, *_x, k in items if k == "list_strong"]
                items = [
                    it
                    for it in items
                    if it[4] == "list_strong"
                    or not any(it[0] < b and a < it[1] for a, b in strongs)
                ]
            kept: list[tuple[int, int, str, int, str]] = []
            for item in items:
                if item[4] not in keep_kinds or (kept and item[0] < kept[-1][1]):
                    continue
                kept.append(item)
            if len(kept) == 1 and not outcome:
                singles.append(kept[0])
            if len(kept) < 2:  # arms come at least in pairs
                continue
            arm_items.extend(kept)
        # "Of 535 adults, 261 were randomly assigned to A and 274 to B": the
        # count the allocated arms of a sentence add up to is the sample (the
        # sum only confirms the written count; it is never reported).
        by_sentence: dict[int, list[tuple[int, int, str, int, str]]] = {}
        for it in arm_items:
            if it[4].startswith("to"):
                by_sentence.setdefault(bisect.bisect_right(sent_starts, it[0]) - 1, []).append(it)
        for items in by_sentence.values():
            items = sorted(items)
            # (a sentence the splitter missed ends the first run of arms)
            stop = next(
                (
                    k
                    for k in range(1, len(items))
                    if _LIST_BREAK_RE.search(text, items[k - 1][1], items[k][0])
                ),
                len(items),
            )
            ns: list[int | None] = [n for *_x, n, _k in items[:stop]]
            if len(ns) < 2:
                continue
            total = _sums_to_count_before(ns, counts, items[0][0], sent_starts, sents)
            if total is None:
                continue
            i = bisect.bisect_left(counts.starts, total[0])
            if i < len(counts.starts) and counts.starts[i] == total[0] and counts.pop[i]:
                totals.append(total)
        # "In the HA group (n = 50), ... . In the control group (n = 49), ...":
        # one named group per sentence, two or more groups in the text.
        groups = [
            it
            for it in singles
            if it[4] not in ("to", "paren_bare") and _GROUP_NAMED_RE.search(text, it[0], it[1])
        ]
        if not arm_items and len({label.lower() for _s, _e, label, _n, _k in groups}) >= 2:
            arm_items.extend(groups)
        # Denominators named with their arm, anywhere in the text.
        of_arms: list[tuple[int, int, str, int, str]] = []
        taken = {(label.lower(), n) for _s, _e, label, n, _k in arm_items}
        for m in counts.matches(_OF_ARM_RULE):
            if m.group().lower().startswith("in") and not _ALLOCATED_TO_RE.search(m.group()):
                continue  # "in the 40 older patients" names no arm; "... randomized to X" does
            n = _count(m.group("num"))
            label = _clean_label(m.group("label") or m.group("label2"))
            if n is None or not label or _NOT_ARM_LABEL_RE.search(label):
                continue
            if _TRIAL_WORD_RE.search(label):
                continue  # "of the 8,028 women randomly assigned to the BIG 1-98 trial"
            s = m.start("num")
            if (label.lower(), n) not in taken and not any(a <= s < b for a, b, *_x in arm_items):
                of_arms.append((s, m.end(), label, n, "of"))
        if len({label.lower() for _s, _e, label, _n, _k in of_arms}) >= 2:
            arm_items.extend(of_arms)
        arm_items.extend(self._each_arms(text, counts, sents, sent_starts, arm_items))
        arm_items.extend(
            _fraction_arms(text, counts, sents, sent_starts, arm_items, self.min_total)
        )
        prev_end = -1
        negated_end = -1  # where the last arm a cue governed ends
        for start, end, label, n, _kind in sorted(arm_items):
            # The arm before ("214 to surgery without RT and 221 to ...") is no
            # negation of this one: its words are not read as cues.
            reach = start - prev_end if prev_end >= 0 else WINDOW_BEFORE
            prev_end = max(prev_end, end)
            # ... but a cue that governs the arm before governs the rest of its
            # list ("will be randomized to A (n = 20) or B (n = 22)").
            same_list = 0 <= negated_end <= start and not _LIST_BREAK_RE.search(
                text, negated_end, start
            )
            if same_list or _arm_negated(
                text, sents, sent_starts, start, end, min(reach, WINDOW_BEFORE)
            ):
                negated_end = end
                continue
            span = self._span(doc, start, end, "ARM_SIZE")
            if span is not None:
                # The cleaned label stays with the Doc, not in the shared
                # StringStore (which a long-running worker would grow forever).
                key = f"{span.start_char}:{span.end_char}"
                doc.user_data.setdefault(_LABELS_KEY, {})[key] = label
                span.id_ = str(n)
                spans.append(span)
        return spans

    def _each_arms(
        self,
        text: str,
        counts: _Counts,
        sents: list[tuple[int, int]],
        sent_starts: list[int],
        arm_items: list[tuple[int, int, str, int, str]],
    ) -> list[tuple[int, int, str, int, str]]:
        """One size for every arm: "(25 per group)", "(n = 30 each)".

        The count is given once for each arm only when the same or the
        previous sentence names exactly two arms in an allocation phrase
        ("randomized to A or B"); the count is never summed.
        """
        lowered = text.lower()
        if "each" not in lowered and "per " not in lowered and "both" not in lowered:
            return []
        out: list[tuple[int, int, str, int, str]] = []
        # The matches of both rules, non-overlapping in text order (as one
        # regular expression with both as alternatives would find them).
        each = sorted(
            (m.start(), i, m) for i, rule in enumerate(_EACH_RULES) for m in counts.matches(rule)
        )
        cursor = 0
        for _s, _i, m in each:
            if m.start() < cursor:
                continue
            cursor = m.end()
            n = _count(m.group("num"))
            if n is None or n < self.min_total:
                continue
            s = m.start()
            i = bisect.bisect_right(sent_starts, s) - 1
            if i < 0 or any(sents[i][0] <= a < sents[i][1] for a, *_x in arm_items):
                continue  # the sentence already gives arm sizes
            for j in (i, i - 1):
                if j < 0:
                    continue
                lo, hi = sents[j]
                labels = list(_TWO_ARMS_RE.finditer(text, lo, hi))
                if len(labels) != 1:
                    continue
                lm = labels[0]
                names = [_clean_label(lm.group("a")), _clean_label(lm.group("b"))]
                if not all(names) or any(_NOT_ARM_LABEL_RE.search(x) for x in names):
                    break
                if names[0].lower() == names[1].lower():
                    break
                for g, name in zip(("a", "b"), names, strict=True):
                    a, b = min(s, lm.start(g)), max(m.end(), lm.end(g))
                    out.append((a, b, name, n, "each"))
                break
        return out


# An allocation stated as done: "were randomized", "was then allocated", "we
# assigned" (not "were not randomized", "will be assigned").
_ALLOCATED_RE = re.compile(
    r"\b(?:(?:were|was)\s+(?!not\b|never\b)(?:\w+\s+)?|we\s+(?:then\s+)?(?:randomly\s+)?)"
    r"(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|assigned|allocated)\b",
    re.IGNORECASE,
)


# What ends a list of arms: a clause break or the end of a sentence.
_LIST_BREAK_RE = re.compile(r"[;:]|\.(?:\s|$)|\n")


_OR_NOT_AFTER_RE = re.compile(r"\s*,?\s*or\s+not" + _N_PAREN)


def _arm_negated(
    text: str,
    sents: list[tuple[int, int]],
    sent_starts: list[int],
    start: int,
    end: int,
    before: int,
) -> bool:
    """Whether a negation or hedging cue governs the arm at ``text[start:end]``.

    Like :func:`~miner.extract.negation.is_negated` within the sentence, but
    cues that describe who took part do not reach the arm: those outside a
    bracket the arm stands in ("women without angina (6074 on drug A versus
    6072 on placebo)") and those before a verb that states the allocation
    ("women with no palpable nodes were randomized 214 to A and 221 to B").
    """
    i = bisect.bisect_right(sent_starts, start) - 1
    sent_lo, sent_hi = sents[i] if i >= 0 else (0, len(text))
    lo = max(sent_lo, start - max(0, before))
    depth = 0
    for j in range(start - 1, lo - 1, -1):
        ch = text[j]
        if ch in ")]":
            depth += 1
        elif ch in "([":
            if depth == 0:
                lo = j + 1
                break
            depth -= 1
    verbs = list(_ALLOCATED_RE.finditer(text, lo, start))
    if verbs:
        lo = verbs[-1].start()
    hi = min(max(sent_hi, end), end + WINDOW_AFTER)
    if _OR_NOT_AFTER_RE.match(text, end):
        hi = end  # "drug X (n = 44) or not (n = 49)": "not" names the next arm

    return negation_cue(text[lo:hi], start - lo, end - lo, before=start - lo) is not None


def _fraction_arms(
    text: str,
    counts: _Counts,
    sents: list[tuple[int, int]],
    sent_starts: list[int],
    arm_items: list[tuple[int, int, str, int, str]],
    min_total: int,
) -> list[tuple[int, int, str, int, str]]:
    """Arm denominators written as events/total (or "events of total") next to their arm.

    "12/71 patients treated with drug A and 9/73 treated with placebo",
    "(11/59 in the A group and 16/64 in the B group)": the total is the arm's
    size. Taken only where one sentence names two or more different arms so,
    and each (arm, size) once per text; arms already sized are left alone.
    """
    taken = {label.lower() for _s, _e, label, _n, _k in arm_items}
    by_sentence: dict[int, list[tuple[int, int, str, int, str]]] = {}
    matches: list[re.Match[str]] = []
    if "/" in text:
        matches += matches_at(_FRACTION_ARM_RE, text, _fraction_starts(text))
        if _BRACKET_FRACTION_RE.search(text):
            matches += _ARM_FRACTION_RE.finditer(text)
    counted = zip(counts.starts, counts.ends, strict=True)
    of_next = [q for q, e in counted if _OF_NEXT_RE.match(text, e)]
    matches += matches_at(_OF_FRACTION_ARM_RE, text, of_next)
    for m in matches:
        events, n = _count(m.group("ev")), _count(m.group("tot"))
        if events is None or n is None or n < min_total or events > n:
            continue
        label = _clean_label(m.group("label"))
        if not label or _NOT_ARM_LABEL_RE.search(label) or label.lower() in taken:
            continue
        s = min(m.start("label"), m.start("ev"))
        if any(a <= s < b for a, b, *_x in arm_items):
            continue
        i = bisect.bisect_right(sent_starts, s) - 1
        by_sentence.setdefault(i, []).append((s, m.end(), label, n, "fraction"))
    out: list[tuple[int, int, str, int, str]] = []
    seen: set[tuple[str, int]] = set()
    for i in sorted(by_sentence):
        items = sorted(by_sentence[i])
        if len({label.lower() for _s, _e, label, _n, _k in items}) < 2:
            continue
        for item in items:
            key = (item[2].lower(), item[3])
            if key in seen or (out and item[0] < out[-1][1]):
                continue
            seen.add(key)
            out.append(item)
    return out


@Language.factory("miner_sample_size", default_config={"min_total": 4})
def make_sample_size(nlp: Language, name: str, min_total: int) -> SampleSizeComponent:
    """spaCy factory of the sample-size component.

    Parameters
    ----------
    min_total:
        Smallest count taken as a total, randomized or analysed sample.
    """
    return SampleSizeComponent(nlp, name, min_total)


def collect_sample_size(doc: Doc) -> dict[str, Any]:
    """The ``sample_size`` field of the contract from this component's spans.

    Returns
    -------
    dict
        ``{"randomized": int|None, "analysed": int|None, "arms": [{"label",
        "n", "start", "end", "text"}], "evidence": [{"kind", "n", "start",
        "end", "text"}]}``. ``randomized`` is the first count of participants
        randomized, else the first total enrolled; it is always a number the
        text states.
    """
    spans = sorted(
        (s for s in doc.spans.get(SPAN_KEY, []) if s.label_ in LABELS),
        key=lambda s: s.start_char,
    )
    evidence: list[dict[str, Any]] = []
    arms: list[dict[str, Any]] = []
    labels: dict[str, str] = doc.user_data.get(_LABELS_KEY) or {}
    firsts: dict[str, int] = {}
    for s in spans:
        if s.label_ == "ARM_SIZE":
            n = int(s.id_) if s.id_.isdigit() else None
            if n is not None:
                arms.append(
                    {
                        "label": labels.get(f"{s.start_char}:{s.end_char}") or s.kb_id_ or s.text,
                        "n": n,
                        "start": s.start_char,
                        "end": s.end_char,
                        "text": s.text,
                    }
                )
            continue
        n = int(s.id_) if s.id_.isdigit() else _count(s.text.strip())
        if n is None:
            continue
        kind = {
            "SAMPLE_SIZE_RANDOMIZED": "randomized",
            "SAMPLE_SIZE_ENROLLED": "enrolled",
            "ANALYSED": "analysed",
        }[s.label_]
        evidence.append(
            {"kind": kind, "n": n, "start": s.start_char, "end": s.end_char, "text": s.text}
        )
        firsts.setdefault(kind, n)
    return {
        "randomized": firsts.get("randomized", firsts.get("enrolled")),
        "analysed": firsts.get("analysed"),
        "arms": arms,
        "evidence": evidence,
    }
