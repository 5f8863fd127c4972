"""The faster abbreviation detector finds what scispaCy's AbbreviationDetector finds."""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from scispacy.abbreviation import AbbreviationDetector
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc

from miner.extract.abbreviation import FastAbbreviationDetector

TEXTS = [
    pytest.param(
        "Patients took metformin (MET) or sitagliptin (SIT); MET lowered HbA1c more than SIT.",
        id="two-definitions-reused",
    ),
    pytest.param("No brackets at all in this sentence.", id="no-brackets"),
    pytest.param("Pain was scored (0 to 10) at 24 h (day 1).", id="brackets-not-abbreviations"),
    pytest.param(
        "Body mass index (BMI) and the visual analogue scale (VAS) (range 0-100) were noted; "
        "BMI and VAS fell.",
        id="nested-and-adjacent",
    ),
    pytest.param("(ABC) at the very start, then ABC again.", id="bracket-first"),
    pytest.param(
        "Adverse events (AEs) were mild (grade 1 (G1) or 2) in the tranexamic acid (TXA) arm.",
        id="nested-brackets",
    ),
    pytest.param("", id="empty"),
    pytest.param(
        "\u00c4rztliche Betreuung (\u00c4B) und \u03a3-Gruppe (\u03a3G): \u00c4B half der \u03a3G.",
        id="not-ascii",
    ),
    pytest.param(
        "Tumour necrosis factor (TNF) (a (b) c) ( one two three four five six seven eight nine ) "
        "interleukin six (IL-6) (IL6 ) and TNF; ((x)) (a b c d e f g h) then IL-6.",
        id="many-brackets",
    ),
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.tokenizer = combined_rule_tokenizer(nlp)
    return nlp


def found(detector: Callable[[Doc], Doc], doc: Doc) -> list[tuple[int, int, int, int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scispaCy warns about its empty global matcher
        detector(doc)
    return sorted(
        (a.start, a.end, a._.long_form.start, a._.long_form.end) for a in doc._.abbreviations
    )


@pytest.mark.parametrize("text", TEXTS)
def test_same_as_scispacy(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    expected = found(AbbreviationDetector(nlp), doc.copy())
    assert found(FastAbbreviationDetector(nlp), doc.copy()) == expected


def test_short_forms_in_text_order(nlp: Language) -> None:
    doc = FastAbbreviationDetector(nlp)(
        nlp.make_doc("Metformin (MET) was given; MET then MET again.")
    )
    starts = [a.start for a in doc._.abbreviations]
    assert len(starts) == 3 and starts == sorted(starts)
    assert {a._.long_form.text for a in doc._.abbreviations} == {"Metformin"}


def test_same_as_scispacy_on_real_abstracts(nlp: Language, shared: Callable[..., Path]) -> None:
    path = shared("pico-corpus", "pico_dev.jsonl.gz")
    fast, slow = FastAbbreviationDetector(nlp), AbbreviationDetector(nlp)
    checked = with_abbreviations = 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            doc = nlp.make_doc(rec["text"])
            expected = found(slow, doc.copy())
            assert found(fast, doc.copy()) == expected
            checked += 1
            with_abbreviations += bool(expected)
            if checked >= 150:
                break
    assert checked >= 100 and with_abbreviations >= 20
