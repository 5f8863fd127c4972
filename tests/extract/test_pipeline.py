"""The whole pipeline: component order, the record contract, provenance, bad input."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from miner.errors import ExtractionError
from miner.extract import Extractor, extractor_version, load_pipeline
from miner.extract.pipeline import COMPONENTS
from miner.records import Article, Section, text_hash

KEYS = {"design", "sample_size", "doses", "routes", "effects", "arm_values"}
ABSTRACT = (
    "METHODS: Forty-two adults with sciatica were randomly assigned to ketamine 0.5 mg/kg "
    "intravenously (n = 21) or placebo (n = 21) in a double-blind trial.\n"
    "RESULTS: Pain fell more with ketamine (MD -2.1, 95% CI -2.9 to -1.3; P < 0.001)."
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def facts(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every dict with start/end offsets anywhere in a record."""
    stack: list[Any] = [record[k] for k in KEYS]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if isinstance(v.get("start"), int) and isinstance(v.get("end"), int):
                yield v
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def test_component_order() -> None:
    nlp = load_pipeline()
    assert nlp.pipe_names[-len(COMPONENTS) :] == [c.factory for c in COMPONENTS]
    assert nlp.pipe_names.index("sentencizer") < nlp.pipe_names.index("abbreviation_detector")


def test_record_contract(extractor: Extractor) -> None:
    rec = extractor.extract("r1", "Ketamine for sciatica", ABSTRACT, pmid="123")
    assert rec["id"] == "r1" and rec["pmid"] == "123"
    assert rec["extractor_version"] == extractor_version()
    assert rec["text_hash"] == text_hash("Ketamine for sciatica\n" + ABSTRACT)
    assert rec.keys() >= KEYS
    assert rec["design"]["is_rct"] is True
    assert rec["sample_size"]["randomized"] == 42
    text = "Ketamine for sciatica\n" + ABSTRACT
    found = list(facts(rec))
    assert found
    for fact in found:
        assert text[fact["start"] : fact["end"]] == fact["text"]
        assert fact["sentence"] and fact["text"] in fact["sentence"]


def test_version_format() -> None:
    version, _, digest = extractor_version().partition("+")
    assert version and len(digest) == 12


@pytest.mark.parametrize(
    ("abstract", "message"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 200_000, "limit"),
        ("\x00\x01\x02\x03\x04" * 50, "binary"),
        (
            "Les patients ont été répartis au hasard dans deux groupes de traitement et la "
            "douleur a été mesurée après une semaine dans chaque groupe avec une échelle "
            "les adultes de plus de dix-huit ans dans trois hôpitaux de la région pendant un an.",
            "English",
        ),
        ("Пациенты были рандомизированы в две группы лечения по схеме один к одному.", "English"),
        ("Caf\u00e9 \x85\x9f\ufffd\ue000 data " * 20, "binary"),
        ("\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002" * 5, "English"),
    ],
    ids=[
        "empty",
        "blank",
        "too-long",
        "binary",
        "french",
        "cyrillic",
        "binary-non-ascii",
        "japanese",
    ],
)
def test_bad_input(extractor: Extractor, abstract: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message) as err:
        extractor.extract("bad-1", "T", abstract)
    assert "bad-1" in str(err.value)


def test_extract_many_keeps_order_and_isolates_errors(extractor: Extractor) -> None:
    records = [("a", "T", ABSTRACT), ("b", "T", ""), ("c", "T", ABSTRACT)]
    out = list(extractor.extract_many(records, batch_size=2))
    assert [r["id"] for r in out] == ["a", "b", "c"]
    assert "error" in out[1] and "error" not in out[0] and "error" not in out[2]
    assert out[0]["sample_size"] == out[2]["sample_size"]


def test_extract_article(extractor: Extractor) -> None:
    article = Article(
        pmid="999",
        title="Ketamine for sciatica",
        sections=(Section(ABSTRACT.split("\n")[0].removeprefix("METHODS: "), "METHODS"),),
    )
    ext = extractor.extract_article(article)
    assert ext.pmid == "999" and ext.text_hash == article.text_hash
    assert ext.extractor_version == extractor_version()
    assert ext.facts["sample_size"]["randomized"] == 42
    batch = list(extractor.extract_articles([article]))
    assert batch[0] == ext


def _evidence_inference(shared: Callable[..., Path]) -> list[tuple[str, str, str]]:
    path = shared("evidence-inference", "abstracts_derived.jsonl.gz")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            abstract = "\n".join(
                f"{s['label']}: {s['text']}" if s.get("label") else s["text"]
                for s in r["abstract_sections"]
            )
            out.append((r["pmcid"], r.get("title") or "", abstract))
    return out


def _check_offsets(records: list[tuple[str, str, str]], out: list[dict[str, Any]]) -> None:
    assert [r["id"] for r in out] == [r[0] for r in records]
    for (_rid, title, abstract), rec in zip(records, out, strict=True):
        if "error" in rec:
            assert not abstract.strip(), rec["error"]  # only empty abstracts may fail
            continue
        text = f"{title}\n{abstract}"
        for fact in facts(rec):
            assert text[fact["start"] : fact["end"]] == fact["text"], (rec["id"], fact)


def test_real_abstracts_offsets(extractor: Extractor, shared: Callable[..., Path]) -> None:
    records = _evidence_inference(shared)[:150]
    _check_offsets(records, list(extractor.extract_many(records)))


@pytest.mark.slow
def test_all_evidence_inference_abstracts(
    extractor: Extractor, shared: Callable[..., Path]
) -> None:
    records = _evidence_inference(shared)
    out = list(extractor.extract_many(records, batch_size=128))
    _check_offsets(records, out)
    assert sum(r.get("design", {}).get("is_rct", False) for r in out) > 0.7 * len(records)


def _reference_sentence_starts(text: str) -> list[bool]:
    """spaCy's Sentencizer, then a sentence start at the first token after each line break.

    Except that a plain lowercase word after sentence-final punctuation
    starts no sentence (it follows an abbreviation such as "i.v.").
    """
    import spacy
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    for tok in doc[1:]:
        if tok.is_sent_start and tok.text.isalpha() and tok.text.islower():
            tok.is_sent_start = False
    for i, ch in enumerate(text):
        if ch != "\n":
            continue
        pos = i + 1
        while pos < len(text) and text[pos].isspace():
            pos += 1
        span = doc.char_span(pos, pos + 1, alignment_mode="expand") if pos < len(text) else None
        if span is not None and span.start > 0:
            doc[span.start].is_sent_start = True
    return [bool(t.is_sent_start) for t in doc]


@pytest.mark.parametrize(
    "text",
    [
        "A title\nMETHODS: We gave it. It worked!! (Really?) Yes.\n\n  RESULTS: Fine",
        "No full stop here\nand a line\n",
        "Dr. Smith gave 2.5 mg i.v. to 40 adults... Then stopped.",
        "",
    ],
    ids=["sections", "no-stops", "abbreviations-and-ellipsis", "empty"],
)
def test_sentence_starts_as_sentencizer_and_line_breaks(text: str) -> None:
    doc = load_pipeline().make_doc(text)
    doc = load_pipeline().get_pipe("sentencizer")(doc)
    assert [bool(t.is_sent_start) for t in doc] == _reference_sentence_starts(text)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Ketamine 0.5 mg/kg i.v. (n = 30) or saline (n = 31) was given. Pain fell.",
            ["Ketamine 0.5 mg/kg i.v. (n = 30) or saline (n = 31) was given.", "Pain fell."],
        ),
        (
            "Drug A 10 mg b.i.d. or drug B 5 mg t.i.d. for a week. mRNA rose.",
            ["Drug A 10 mg b.i.d. or drug B 5 mg t.i.d. for a week.", "mRNA rose."],
        ),
        (
            "Group R was more patent than group A (P = 0. 028). The end.",
            ["Group R was more patent than group A (P = 0. 028).", "The end."],
        ),
        (
            "HbA1c fell (difference at week 12. -0.70%; 95% CI -1.0 to -0.4). Next.",
            ["HbA1c fell (difference at week 12. -0.70%; 95% CI -1.0 to -0.4).", "Next."],
        ),
        (
            "A bracket (never closed. Then a sentence. Another.",
            ["A bracket (never closed.", "Then a sentence.", "Another."],
        ),
        (
            "No change (P > 0.05). (3) Levels fell.",
            ["No change (P > 0.05). (", "3) Levels fell."],
        ),
        (
            "Open (here. Line\nbreak) ends.",
            ["Open (here.", "Line\n", "break) ends."],
        ),
    ],
    ids=[
        "iv-then-bracket",
        "bid-then-word",
        "split-decimal-in-bracket",
        "stop-inside-bracket",
        "unclosed-bracket",
        "opening-bracket-after-stop",
        "line-break-wins",
    ],
)
def test_full_stops_that_end_no_sentence(text: str, sentences: list[str]) -> None:
    doc = load_pipeline()(text)
    assert [s.text for s in doc.sents] == sentences


def test_sentence_starts_on_real_abstracts(shared: Callable[..., Path]) -> None:
    path = shared("pico-corpus", "pico_dev.jsonl.gz")
    nlp = load_pipeline()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in list(fh)[:60]]
    for text in texts:
        doc = nlp.get_pipe("sentencizer")(nlp.make_doc("A title\n" + text))
        assert [bool(t.is_sent_start) for t in doc] == _reference_sentence_starts(
            "A title\n" + text
        )
