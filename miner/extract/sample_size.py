"""Sample size: participants randomized, analysed, and per-arm sizes with their label.

Placeholder first version (rules grow in later commits); the contract is fixed:
``{"randomized": int|None, "analysed": int|None, "arms": [...], "evidence": [...]}``.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.negation import is_negated
from miner.extract.quantities import WORD_NUMBER_PATTERN, parse_number

SPAN_KEY = "miner"

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+|" + WORD_NUMBER_PATTERN + r")"
_POP = (
    r"(?:patients|participants|subjects|women|men|children|adults|infants|neonates|newborns"
    r"|individuals|volunteers|people|persons|cases|mothers|smokers|students|girls|boys"
    r"|survivors|couples|families|residents|adolescents|pairs|eyes|teeth)"
)
_RAND = r"(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided)|allocated|assigned)"
_TOTAL_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "SAMPLE_SIZE",
        re.compile(
            _NUM + r"\s+(?:[\w-]+\s+){0,5}?" + _POP + r"\b[^.;]{0,60}?\b(?:were|was)\s+"
            r"(?:\w+\s+)?" + _RAND,
            re.IGNORECASE,
        ),
    ),
    (
        "SAMPLE_SIZE",
        re.compile(
            r"\b" + _RAND + r"\s+(?:a\s+total\s+of\s+)?" + _NUM + r"\s+(?:[\w-]+\s+){0,4}?" + _POP,
            re.IGNORECASE,
        ),
    ),
    (
        "SAMPLE_SIZE_ENROLLED",
        re.compile(
            r"\b(?:a\s+total\s+of|total(?:ly)?|overall|altogether)\s+"
            + _NUM
            + r"\s+(?:[\w-]+\s+){0,5}?"
            + _POP,
            re.IGNORECASE,
        ),
    ),
    (
        "SAMPLE_SIZE_ENROLLED",
        re.compile(
            _NUM + r"\s+(?:[\w-]+\s+){0,5}?" + _POP + r"\b[^.;]{0,60}?\b(?:were|was)\s+"
            r"(?:\w+\s+)?(?:enrolled|recruited|included|studied|entered)",
            re.IGNORECASE,
        ),
    ),
)
_ANALYSED_RE = re.compile(
    _NUM + r"\s+(?:[\w-]+\s+){0,4}?(?:" + _POP[3:-1] + r")?\s*(?:were|was)?\s*"
    r"(?:analy[sz]ed|evaluable|completed|included\s+in\s+the\s+(?:final\s+)?analys)",
    re.IGNORECASE,
)
_ARM_RE = re.compile(
    r"(?P<label>(?:[\w/+-]+\s+){0,3}?[\w/+-]+)\s*[(\[]\s*[nN]\s*=\s*(?P<num>\d{1,3}(?:,\d{3})*|\d+)"
    r"\s*[)\];,]",
)
_NOT_ARM_LABEL_RE = re.compile(r"\b(?:total|overall|all|" + _POP[3:-1] + r")$", re.IGNORECASE)


def _value(text: str) -> int | None:
    v = parse_number(text)
    return int(v) if v is not None and v == int(v) and v > 0 else None


class SampleSizeComponent:
    """Find sample-size statements; labels SAMPLE_SIZE, SAMPLE_SIZE_ENROLLED, ANALYSED, ARM_SIZE."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        spans: list[Span] = []
        for label, regex in _TOTAL_RES:
            for m in regex.finditer(text):
                s, e = m.span("num")
                if _value(m.group("num")) and not is_negated(doc, s, e):
                    span = doc.char_span(s, e, label=label, alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
        for m in _ANALYSED_RE.finditer(text):
            s, e = m.span("num")
            if _value(m.group("num")):
                span = doc.char_span(s, e, label="ANALYSED", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        for m in _ARM_RE.finditer(text):
            if _NOT_ARM_LABEL_RE.search(m.group("label")):
                continue
            span = doc.char_span(m.start(), m.end(), label="ARM_SIZE", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        if SPAN_KEY not in doc.spans:
            doc.spans[SPAN_KEY] = []
        group = doc.spans[SPAN_KEY]
        for span in spans:
            group.append(span)
        return doc


@Language.factory("miner_sample_size")
def make_sample_size(nlp: Language, name: str) -> SampleSizeComponent:
    """spaCy factory of the sample-size component."""
    return SampleSizeComponent(nlp, name)


def _num_in(span: Span) -> int | None:
    return _value(span.text.strip())


def collect_sample_size(doc: Doc) -> dict[str, Any]:
    """The ``sample_size`` field of the contract from this component's spans."""
    spans = [
        s
        for s in doc.spans.get(SPAN_KEY, [])
        if s.label_ in {"SAMPLE_SIZE", "SAMPLE_SIZE_ENROLLED", "ANALYSED", "ARM_SIZE"}
    ]
    evidence: list[dict[str, Any]] = []
    randomized = enrolled = analysed = None
    arms: list[dict[str, Any]] = []
    for s in sorted(spans, key=lambda s: s.start_char):
        if s.label_ == "ARM_SIZE":
            m = _ARM_RE.search(s.text)
            if m:
                arms.append(
                    {
                        "label": m.group("label"),
                        "n": int(m.group("num").replace(",", "")),
                        "start": s.start_char,
                        "end": s.end_char,
                        "text": s.text,
                    }
                )
            continue
        n = _num_in(s)
        if n is None:
            continue
        evidence.append(
            {
                "kind": s.label_.lower(),
                "n": n,
                "start": s.start_char,
                "end": s.end_char,
                "text": s.text,
            }
        )
        if s.label_ == "SAMPLE_SIZE" and randomized is None:
            randomized = n
        elif s.label_ == "SAMPLE_SIZE_ENROLLED" and enrolled is None:
            enrolled = n
        elif s.label_ == "ANALYSED" and analysed is None:
            analysed = n
    return {
        "randomized": randomized if randomized is not None else enrolled,
        "analysed": analysed,
        "arms": arms,
        "evidence": evidence,
    }
