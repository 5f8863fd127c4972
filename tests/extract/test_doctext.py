"""Cached Doc text and sentence bounds: the same values as Doc.text and doc.sents."""

from __future__ import annotations

import pytest

from miner.extract import load_pipeline
from miner.extract.doctext import doc_scan_lower, doc_scan_text, doc_text, sentence_bounds

TEXTS = [
    pytest.param("", id="empty"),
    pytest.param("One word", id="no-full-stop"),
    pytest.param("A title\nMETHODS: We gave it. It worked!  \nRESULTS: Fine.  ", id="sections"),
    pytest.param("  Leading space. Then (n = 4) more.\n\n\nEnd", id="blank-lines"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_as_doc(text: str) -> None:
    nlp = load_pipeline()
    with nlp.select_pipes(enable=["sentencizer"]):
        doc = nlp(text)
    assert doc_text(doc) == doc.text == text
    expected = [(s.start_char, s.end_char) for s in doc.sents] if len(doc) else []
    assert sentence_bounds(doc) == expected
    assert sentence_bounds(doc) is sentence_bounds(doc)  # computed once


def test_without_sentence_boundaries_one_sentence() -> None:
    doc = load_pipeline().make_doc("No sentencizer ran. So one sentence. ")
    assert sentence_bounds(doc) == [(0, len("No sentencizer ran. So one sentence."))]


@pytest.mark.parametrize("text", TEXTS)
def test_pipeline_records_the_input_text(text: str) -> None:
    doc = load_pipeline()(text)
    assert doc.user_data.get("miner.text") == doc.text == text


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        ("A double\u2010blind, cross\u2011over trial", "A double-blind, cross-over trial"),
        ("Plain ASCII - unchanged", "Plain ASCII - unchanged"),
        ("En dash 2\u20134 and minus \u22121 stay", "En dash 2\u20134 and minus \u22121 stay"),
    ],
    ids=["u2010-u2011", "ascii", "other-dashes-kept"],
)
def test_scan_text_reads_unicode_hyphens_as_ascii(text: str, scan: str) -> None:
    doc = load_pipeline().make_doc(text)
    assert doc_scan_text(doc) == scan
    assert len(doc_scan_text(doc)) == len(doc_text(doc))
    assert doc_scan_lower(doc) == scan.lower()
    assert doc_text(doc) == text
