"""Negation and hedging cues (pure text) and the Doc wrapper."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from miner.extract.negation import in_research_call, is_negated, negation_cue


def _cue(sentence: str, target: str) -> str | None:
    start = sentence.index(target)
    return negation_cue(sentence, start, start + len(target))


@pytest.mark.parametrize(
    ("sentence", "target", "negated"),
    [
        ("No patient received ketamine.", "ketamine", True),
        ("Patients received ketamine.", "ketamine", False),
        ("The children were not randomized.", "randomized", True),
        ("Surgery was done without tourniquet.", "tourniquet", True),
        ("None of the adults needed rescue opioids.", "rescue opioids", True),
        ("Neither group needed rescue opioids.", "rescue opioids", True),
        ("The team failed to recruit 200 adults.", "200 adults", True),
        ("Sedation may reduce delirium.", "delirium", True),
        ("Nurses could give 5 mg of morphine.", "5 mg", True),
        ("We planned to enrol 300 adults.", "300 adults", True),
        ("The trial will enroll 280 women.", "280 women", True),
        ("Aspirin was not tolerated, but 40 adults took heparin.", "40 adults", False),
        ("Patients without diabetes; 40 adults took heparin.", "40 adults", False),
        ("In total 96 adults were randomized.", "96 adults", False),
        ("Ketamine was not given.", "Ketamine", True),
        ("From March to May 2019 we randomized 64 adults.", "64 adults", False),
        ("Between May 3, 2010, and June 2011, 88 adults enrolled.", "88 adults", False),
        ("Adults with or without asthma (n = 52) took tea.", "n = 52", False),
        ("Adults with and without asthma (n = 52) took tea.", "n = 52", False),
        ("Tea Does Not Help: A Trial in 52 Adults", "52 Adults", False),
        ("Tea did not help: 52 adults", "52 adults", True),
        ("The planned 120 adults were never reached.", "120 adults", True),
        ("Adults due for planned surgery (n = 40) took tea.", "n = 40", False),
    ],
    ids=[
        "no",
        "plain",
        "not",
        "without",
        "none-of",
        "neither",
        "failed-to",
        "may",
        "could",
        "planned",
        "will",
        "but-breaks",
        "semicolon-breaks",
        "affirmed",
        "cue-after",
        "month-may-not-a-hedge",
        "month-may-with-day",
        "with-or-without",
        "with-and-without",
        "colon-before-capital-breaks",
        "colon-before-lowercase-does-not",
        "planned-number",
        "planned-surgery-is-no-hedge",
    ],
)
def test_negation_cue(sentence: str, target: str, negated: bool) -> None:
    assert (_cue(sentence, target) is not None) is negated


def test_sentence_boundary_stops_cue() -> None:
    text = "Nausea did not occur. Forty adults were randomized."
    start = text.index("Forty")
    assert not is_negated(text, start, start + 5)


def test_doc_and_text_agree() -> None:
    import spacy

    doc = spacy.blank("en")("No patient received ketamine.")
    start = doc.text.index("ketamine")
    assert is_negated(doc, start, start + 8) is is_negated(doc.text, start, start + 8) is True


def _cue_spellings(pattern: str) -> set[str]:
    """Every way a cue pattern can be written (lookarounds and \\b dropped: they only restrict)."""
    from miner.extract.adverse import _spellings

    pattern = pattern.replace("(?-i:[A-Z])", "A")
    return _spellings(re.sub(r"\(\?<?[!=].*?\)\)?", "", pattern).replace(r"\b", ""))


def test_every_cue_and_break_passes_the_word_pre_test() -> None:
    """A window is skipped only when it holds no cue: each way of writing one passes."""
    from miner.extract.negation import _BEFORE_CUES, _BREAK_RE, _may_hold

    for cue in _BEFORE_CUES:
        for spelling in _cue_spellings(cue):
            for text in (spelling, f"x {spelling.upper()} y", f"({spelling.title()};"):
                assert _may_hold(text)[1], (cue, text)
    for spelling in _cue_spellings(_BREAK_RE.pattern[3:-1]):
        assert _may_hold(f"a {spelling.upper()} b")[0], spelling


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        ("patients were randomized to", (False, False)),
        ("patients were randomized to be", (False, True)),
        ("no patient; but", (True, True)),
        ("the nonrandomized", (False, False)),
        ("sp\u00e9cial b\u00fct n\u00f6", (False, False)),
        ("\u017fome", (True, True)),  # a long s folds onto "s": both searched
    ],
    ids=["plain", "to-be", "cue-and-breaks", "cue-inside-a-word", "not-ascii", "odd-fold"],
)
def test_word_pre_test(left: str, expected: tuple[bool, bool]) -> None:
    from miner.extract.negation import _may_hold

    assert _may_hold(left) == expected


def test_word_pre_test_on_real_abstracts(shared: Callable[..., Path]) -> None:
    """A window the pre-test skips holds no clause break and no cue."""
    from miner.extract.negation import _BEFORE_RE, _BREAK_RE, _may_hold

    path = shared("pico-corpus", "pico_dev.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    skipped = 0
    for text in texts[:300]:
        for start in range(0, len(text), 7):
            left = text[start : start + 60]
            may_break, may_cue = _may_hold(left)
            skipped += not may_cue
            assert may_break or not _BREAK_RE.search(left), left
            assert may_cue or not _BEFORE_RE.search(left), left
    assert skipped > 10_000


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Further studies, however, need to be done in a double-blind design.", "double", True),
        ("Larger trials of oral dosing are still needed. Tea was oral.", "oral dosing", True),
        ("Larger trials of oral dosing are still needed. Tea was oral.", "oral.", False),
        ("Future work should be carried out with placebo capsules.", "placebo", False),
        ("More research should be conducted with placebo capsules.", "placebo", True),
        ("Adults took placebo capsules; more studies are needed.", "placebo", False),
    ],
    ids=[
        "need-to-be-done",
        "are-still-needed",
        "next-sentence-free",
        "work-is-no-study-word",
        "should-be-conducted",
        "other-clause-not-the-sentence-cut",
    ],
)
def test_in_research_call(text: str, word: str, expected: bool) -> None:
    start = text.index(word)
    assert in_research_call(text, start, start + len(word)) is expected
