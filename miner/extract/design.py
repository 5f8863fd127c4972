"""Study design: randomized or not, crossover, cluster, blinding, placebo control.

The component ``miner_design`` finds design wording with compiled regular
expressions over the raw text and appends spans to ``doc.spans["miner"]``:

- ``DESIGN_RANDOMIZED`` -- this study randomized ("were randomized",
  "randomly assigned", "random allocation", "a randomised controlled trial").
  Not: "non-randomized", "quasi-randomized", "randomly selected" (sampling),
  plural "randomized trials" (other studies: background or a review),
  negated or future wording ("were not randomized", "will be randomized").
- ``DESIGN_RANDOM_ORDER`` -- "in a randomized order", "in random
  sequence", "in a random, double-blind fashion": randomized only together
  with crossover, placebo or blinding wording.
- ``DESIGN_NOT_TRIAL`` -- the paper describes itself as a systematic review,
  meta-analysis or protocol, so randomized wording is about other trials or
  a trial still to come: ``is_rct`` is false.
- ``DESIGN_CROSSOVER``, ``DESIGN_CLUSTER``, ``DESIGN_PLACEBO``,
  ``DESIGN_BLIND_DOUBLE|SINGLE|TRIPLE|OPEN``.

:func:`collect_design` turns them into ``{"is_rct", "crossover", "cluster",
"blinding", "placebo", "evidence"}``.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.doctext import (
    add_spans,
    doc_scan_lower,
    doc_scan_text,
    doc_text,
    span_list,
)
from miner.extract.negation import in_research_call, is_negated
from miner.extract.scan import CASE_ODD, finditer_near

_RZ = r"randomi[sz]"
_RANDOM_RE = re.compile(
    rf"\b(?:{_RZ}(?:ed|ation|ing|e|es)\b"
    r"|randomly\s+(?:\w+\s+){0,2}?(?:assigned|allocated|divided|distributed|sorted|split|placed"
    r"|grouped|received|given|provided|stratified|categori[sz]ed|classified)"
    # "randomly enrolled into the two groups": allocation, not sampling
    r"|randomly\s+enroll(?:ed|ing)\s+(?:\S+\s+){0,5}?(?:in|into|to)\s+(?:\S+\s+){0,3}?"
    r"(?:sub)?(?:groups?|arms?)\b"
    # the order of treatments: see DESIGN_RANDOM_ORDER
    r"|random(?:ly)?[\s-]+ordered\b|random\s+(?:order|sequence)\b"
    r"|random\s*,?\s+(?:(?:double|single|triple)[\s-]+(?:blind|mask)(?:ed)?\s+)?(?:fashion|manner)\b"
    r"|random(?:ized)?\s+(?:allocation|assignment|allotment)"
    r"|(?:allocated|assigned|divided)\s+at\s+random"
    r"|(?:assigned|allocated|divided|distributed|split|grouped|placed|categori[sz]ed)"
    r"\s+randomly\s+(?:into|to|in)\b"
    # "divided into two (equal) groups randomly"
    r"|(?:assigned|allocated|divided|distributed|split)\s+into\s+(?:\S+\s+){0,5}?groups?"
    r"\s*,?\s+randomly\b"
    r"|RCT\b)",
    re.IGNORECASE,
)
# Immediately before a randomization word: not this study's randomization.
_NOT_RANDOM_LEFT_RE = re.compile(
    r"(?:\bnon|\bquasi|\bpseudo|\bun|\bmendelian)[\s-]*$", re.IGNORECASE
)
# "in a randomized order": the order of tests or sessions, not of allocation.
_ORDER_RIGHT_RE = re.compile(r"\s+(?:order|sequence)\b", re.IGNORECASE)
# A call for a trial still to be done: "a randomized trial is needed",
# "evaluation in a randomized controlled trial would be justified", "a
# randomized study comparing them would help to determine". Read
# after the randomization word, up to the end of its sentence.
_CALL_AFTER_RE = re.compile(
    r"\b(?:is|are|be|remains?)\s+(?:still\s+|now\s+|urgently\s+|clearly\s+)?"
    r"(?:needed|warranted|justified|required|necessary|recommended|called\s+for)\b"
    r"|\b(?:would|could|might|may|should|will)\s+(?:help|clarify|confirm|establish|determine"
    r"|be\s+(?:useful|helpful|valuable|desirable|informative|important|of\s+(?:interest|value)))\b",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)|\n")
_SELF_LEFT_RE = re.compile(r"\b(?:this|our|present|current)\b[^.;]*$", re.IGNORECASE)
# Matches of _RANDOM_RE that name an order ("in random order", "random
# sequence", "randomly ordered", "in a random, double-blind fashion").
_ORDER_WORDS = ("order", "ordered", "sequence", "fashion", "manner")
# "randomized (controlled|clinical) trials" (plural) and "RCTs": other studies.
_PLURAL_TRIALS_RE = re.compile(
    r"^(?:ed|ised|ized)?\s*(?:,?\s*(?:placebo[\s-]controlled|double[\s-]blind(?:ed)?"
    r"|controlled|clinical|prospective|multicent(?:er|re)|large|comparative)\s*,?\s*){0,4}"
    r"\s*(?:trials|studies|RCTs)\b|^s\b",
    re.IGNORECASE,
)
# "meta-analysis of (...) randomized", "review of randomized": other studies.
# "included", "identified" or "eligible" before a singular "randomized" say
# nothing ("were included in a randomized trial", "identified through the
# registry, were randomized"); their plural "randomized trials" is caught above.
_REVIEW_LEFT_RE = re.compile(
    r"\b(?:meta-?analys[ie]s|(?:systematic\s+)?reviews?|overview|pooled\s+analys[ie]s"
    r"|search(?:ed)?)\s+(?:of\s+|in\s+|for\s+)?(?:\S+\s+){0,4}$",
    re.IGNORECASE,
)
# The paper about itself: a review, a meta-analysis or a protocol.
_SELF_REVIEW_RE = re.compile(
    r"\b(?:we|this|present|current|the\s+aim\s+of\s+this)\s+(?:\S+\s+){0,3}?"
    r"(?:systematic(?:ally)?\s+review(?:ed)?|meta-?analys[ie]s|meta-?analy[sz]ed|network\s+meta)"
    r"|\b(?:systematic\s+review|meta-?analysis)\s+(?:and\s+meta-?analysis\s+)?(?:was|were)\s+"
    r"(?:conducted|performed|undertaken|carried\s+out)"
    # a protocol paper, not "completed the study protocol" or "this protocol
    # may be associated with"
    r"|\b(?:this|the\s+present)\s+(?:study\s+|trial\s+)?protocol\s+(?:describes|outlines|reports"
    r"|presents|will)\b"
    r"|\bwe\s+(?:\S+\s+)?(?:describe|present|report|outline)\s+(?:the|a|our)\s+(?:\S+\s+){0,3}?"
    r"protocol\b"
    r"|\bprotocol\s+(?:for|of)\s+an?\s+(?:\S+\s+){0,3}?(?:trial|study)\b",
    re.IGNORECASE,
)
_TITLE_REVIEW_RE = re.compile(
    r"\b(?:systematic\s+review|meta-?analys[ie]s|(?:study|trial)\s+protocol"
    r"|protocol\s+(?:for|of)\s+(?:an?\s+|the\s+)?(?:\S+\s+){0,4}?(?:trial|study|RCT)\b)",
    re.IGNORECASE,
)
_CROSSOVER_RE = re.compile(
    r"\bcross[\s-]?over\b(?=\s*,?\s*(?:\S+\s+){0,3}?(?:trials?|stud(?:y|ies)|design|fashion"
    r"|manner|experiment|comparison|protocol|RCT|sequence|period|phase)\b)"
    r"|\b(?:randomi[sz]ed|double[\s-]blind(?:ed)?|single[\s-]blind(?:ed)?|placebo[\s-]controlled"
    r"|two[\s-]period|three[\s-]period|two[\s-]way|three[\s-]way|\d[\s-]way|\d[\s-]period"
    r"|balanced|open[\s-]label|,)\s+(?:\S+\s+){0,2}?cross[\s-]?over\b"
    r"|\bcrossed\s+over\s+to\s+the\s+(?:other|alternate|opposite)\b",
    re.IGNORECASE,
)
_CLUSTER_RE = re.compile(
    r"\bcluster[\s-]*(?:randomi[sz]ed|randomi[sz]ation|randomly|random|trial|RCT|allocation"
    r"|design)"
    r"|\brandomi[sz]ed\s+(?:by|at\s+the\s+level\s+of(?:\s+the)?)\s+(?:cluster|practice|school"
    r"|village|ward|hospital|site|clinic|communit|household|class|unit)"
    r"|\b(?:schools|villages|practices|clinics|wards|communities|households|classes|classrooms"
    r"|hospitals|nursing\s+homes|sites|districts|health\s+cent(?:er|re)s)\s+(?:\S+\s+){0,3}?"
    r"(?:were|was)\s+(?:randomi[sz]ed|randomly)",
    re.IGNORECASE,
)
_BLIND_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("triple", re.compile(r"\b(?:triple|quadruple)[\s-]*(?:blind(?:ed)?|mask(?:ed)?)\b", re.I)),
    ("double", re.compile(r"\bdouble[\s-]*(?:blind(?:ed)?|mask(?:ed)?|dummy)\b", re.I)),
    (
        "single",
        re.compile(
            r"\bsingle[\s-]*(?:blind(?:ed)?|mask(?:ed)?)\b|\b(?:assessor|observer|evaluator|rater"
            r"|investigator|examiner)[\s-]+(?:blind(?:ed)?|mask(?:ed)?)\b",
            re.I,
        ),
    ),
    (
        "open",
        re.compile(
            r"\bopen[\s-]*label(?:ed|led)?\b|\bunblinded\b|\bnon[\s-]?blinded\b"
            r"|\bopen\s+(?:randomi[sz]ed\s+)?(?:controlled\s+)?(?:trial|study)\b",
            re.I,
        ),
    ),
)
_BLIND_ORDER = ("triple", "double", "single", "open")
_PLACEBO_RE = re.compile(r"\bplacebos?\b", re.IGNORECASE)


# For miner.extract.scan.finditer_near: the words every match of a pattern
# contains, and how far (characters, lookarounds included) a match reaches
# before and after them. Generous on purpose: a wider window costs little.
_NearSpec = tuple[tuple[str, ...], int, int]
_RANDOM_NEAR: _NearSpec = (("random", "rct"), 90, 100)
_SELF_REVIEW_NEAR: _NearSpec = (("review", "meta", "protocol"), 150, 120)
_CROSSOVER_NEAR: _NearSpec = (("cross",), 120, 150)
_CLUSTER_NEAR: _NearSpec = (("cluster", "random"), 150, 100)
_BLIND_NEAR: dict[str, _NearSpec] = {
    "triple": (("triple", "quadruple"), 10, 40),
    "double": (("double",), 10, 40),
    "single": (("single", "blind", "mask"), 40, 40),
    "open": (("open", "blinded"), 20, 80),
}
_PLACEBO_NEAR: _NearSpec = (("placebo",), 10, 20)

# The word tests below need text without a scan.CASE_ODD letter.
# Every match of _CLUSTER_RE holds "cluster", or "randomi[sz]ed by|at", or a
# unit noun and "were|was random" (lowercase); most abstracts hold none, and
# the windows around every "random" cost more than this test.
_CLUSTER_UNITS = (
    "schools",
    "villages",
    "practices",
    "clinics",
    "wards",
    "communities",
    "households",
    "class",  # classes, classrooms
    "hospitals",
    "nursing",
    "sites",
    "districts",
    "health",
)
_CLUSTER_BY_RE = re.compile(r"randomi[sz]ed\s+(?:by|at)")
_CLUSTER_UNITS_RE = re.compile(r"(?:were|was)\s+random")
# Every match of _REVIEW_LEFT_RE holds one of these (lowercase).
_REVIEW_WORDS = ("analys", "review", "overview", "search")


def _may_be_cluster(low: str) -> bool:
    """Whether ``low`` (lowercased, no odd case folds) can hold a match of _CLUSTER_RE."""
    return (
        "cluster" in low
        or _CLUSTER_BY_RE.search(low) is not None
        # the regular expression first: it is ~10 times cheaper than the words
        or (_CLUSTER_UNITS_RE.search(low) is not None and any(w in low for w in _CLUSTER_UNITS))
    )


def _called_for(text: str, start: int, end: int) -> bool:
    """Whether the rest of the sentence after ``end`` calls for the trial to be done.

    Not when the paper names itself just before ("this randomized study was
    to determine whether ... are required").
    """
    if _SELF_LEFT_RE.search(text, max(0, start - 50), start):
        return False
    stop = _SENTENCE_END_RE.search(text, end)
    return _CALL_AFTER_RE.search(text, end, stop.start() if stop else len(text)) is not None


def _stated(doc: Doc, text: str, start: int, end: int) -> bool:
    """Whether the design word at ``start:end`` describes this study.

    Not negated or hedged ("was not blinded", "will be randomized") and not
    in a call for more research ("further double-blind trials are needed").
    """
    return not is_negated(doc, start, end) and not in_research_call(text, start, end)


def _add(doc: Doc, spans: list[Span], start: int, end: int, label: str) -> None:
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is not None:
        spans.append(span)


class DesignComponent:
    """Find design wording; see the module docstring for the labels."""

    def __init__(self, nlp: Language, name: str, window: int) -> None:
        self.name = name
        self.window = window

    def _randomized(
        self, doc: Doc, text: str, low: str | None, plain: bool, spans: list[Span]
    ) -> None:
        w = self.window
        for m in finditer_near(_RANDOM_RE, text, low, *_RANDOM_NEAR):
            s, e = m.span()
            left = text[max(0, s - w) : s]
            # the word ends where the trailing spaces and hyphens start: no
            # match of this pattern starts further back
            i = len(left)
            while i and (left[i - 1] == "-" or left[i - 1].isspace()):
                i -= 1
            if _NOT_RANDOM_LEFT_RE.search(left, max(0, i - 10)):
                continue
            word = m.group(0).lower()
            if word.endswith(_ORDER_WORDS):
                if not is_negated(doc, s, e):
                    _add(doc, spans, s, e, "DESIGN_RANDOM_ORDER")
                continue
            if word.startswith("rct") or word.startswith("random"):
                right = text[e : e + w]
                if word.startswith("rct") and right.startswith("s"):
                    continue
                if word.endswith(("ed", "ised", "ized")):
                    if _PLURAL_TRIALS_RE.match(right):
                        continue
                    if _ORDER_RIGHT_RE.match(right):
                        if not is_negated(doc, s, e):
                            _add(doc, spans, s, e, "DESIGN_RANDOM_ORDER")
                        continue
            if (
                not plain
                or low is None
                or any(word in low[max(0, s - w) : s] for word in _REVIEW_WORDS)
            ) and _REVIEW_LEFT_RE.search(left):
                continue
            if not _stated(doc, text, s, e) or _called_for(text, s, e):
                continue
            _add(doc, spans, s, e, "DESIGN_RANDOMIZED")

    def __call__(self, doc: Doc) -> Doc:
        text = doc_scan_text(doc)
        low = doc_scan_lower(doc)
        # lowercase words say what the patterns can match
        plain = low is not None and (text.isascii() or not any(c in text for c in CASE_ODD))
        spans: list[Span] = []
        self._randomized(doc, text, low, plain, spans)
        title_end = text.find("\n")
        title = text[:title_end] if title_end >= 0 else text
        m = _TITLE_REVIEW_RE.search(title)
        if m:
            _add(doc, spans, m.start(), m.end(), "DESIGN_NOT_TRIAL")
        for m in finditer_near(_SELF_REVIEW_RE, text, low, *_SELF_REVIEW_NEAR):
            _add(doc, spans, m.start(), m.end(), "DESIGN_NOT_TRIAL")
        for m in finditer_near(_CROSSOVER_RE, text, low, *_CROSSOVER_NEAR):
            if _stated(doc, text, *m.span()):
                _add(doc, spans, m.start(), m.end(), "DESIGN_CROSSOVER")
        if not plain or low is None or _may_be_cluster(low):
            for m in finditer_near(_CLUSTER_RE, text, low, *_CLUSTER_NEAR):
                if _stated(doc, text, *m.span()):
                    _add(doc, spans, m.start(), m.end(), "DESIGN_CLUSTER")
        for kind, regex in _BLIND_RES:
            for m in finditer_near(regex, text, low, *_BLIND_NEAR[kind]):
                if kind == "open" and in_research_call(text, *m.span()):
                    continue
                if kind != "open" and not _stated(doc, text, *m.span()):
                    continue
                _add(doc, spans, m.start(), m.end(), f"DESIGN_BLIND_{kind.upper()}")
        for m in finditer_near(_PLACEBO_RE, text, low, *_PLACEBO_NEAR):
            if _stated(doc, text, *m.span()):
                _add(doc, spans, m.start(), m.end(), "DESIGN_PLACEBO")
        add_spans(doc, spans)
        return doc


@Language.factory("miner_design", default_config={"window": 60})
def make_design(nlp: Language, name: str, window: int) -> DesignComponent:
    """spaCy factory of the design component.

    Parameters
    ----------
    window:
        Characters of context looked at around a randomization word.
    """
    return DesignComponent(nlp, name, window)


_LABEL_NAMES = {
    "DESIGN_RANDOMIZED": "randomized",
    "DESIGN_NOT_TRIAL": "not_trial",
    "DESIGN_RANDOM_ORDER": "random_order",
    "DESIGN_CROSSOVER": "crossover",
    "DESIGN_CLUSTER": "cluster",
    "DESIGN_PLACEBO": "placebo",
    "DESIGN_BLIND_TRIPLE": "blinding",
    "DESIGN_BLIND_DOUBLE": "blinding",
    "DESIGN_BLIND_SINGLE": "blinding",
    "DESIGN_BLIND_OPEN": "blinding",
}


def collect_design(doc: Doc) -> dict[str, Any]:
    """The ``design`` field of the contract from this component's spans.

    Returns
    -------
    dict
        ``{"is_rct": bool, "crossover": bool, "cluster": bool, "blinding":
        "triple"|"double"|"single"|"open"|None, "placebo": bool, "evidence":
        [{"kind", "start", "end", "text"}]}``. ``is_rct`` needs randomized
        wording about this study and no self-description as a review or
        protocol; the strongest blinding mentioned wins.
    """
    found = []
    for label, start, end, _kb_id in span_list(doc):
        if label in _LABEL_NAMES:
            found.append((start, end, label))
    labels = {label for _, _, label in found}
    blinds = [k for k in _BLIND_ORDER if f"DESIGN_BLIND_{k.upper()}" in labels]
    evidence = []
    text = doc_text(doc)  # Span.text joins its tokens each time
    for start, end, label in sorted(found, key=lambda f: f[0]):
        kind = _LABEL_NAMES[label]
        if kind == "blinding":
            kind = f"blinding:{label.rsplit('_', 1)[1].lower()}"
        evidence.append({"kind": kind, "start": start, "end": end, "text": text[start:end]})
    # Treatments given "in a randomized order" make a randomized crossover
    # trial when the abstract also says crossover, placebo or blinded; tests
    # taken in a randomized order alone do not.
    masked = any(kind != "open" for kind in blinds)
    ordered = "DESIGN_RANDOM_ORDER" in labels and (
        "DESIGN_CROSSOVER" in labels or "DESIGN_PLACEBO" in labels or masked
    )
    randomized = ("DESIGN_RANDOMIZED" in labels or ordered) and "DESIGN_NOT_TRIAL" not in labels
    return {
        "is_rct": randomized,
        "crossover": "DESIGN_CROSSOVER" in labels,
        "cluster": "DESIGN_CLUSTER" in labels,
        "blinding": blinds[0] if blinds else None,
        "placebo": "DESIGN_PLACEBO" in labels,
        "evidence": evidence,
    }
