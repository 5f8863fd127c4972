"""Adverse events: counts per arm, zero statements, mentions, withdrawals, serious events."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy

from miner.extract.adverse import (
    CATEGORIES,
    KINDS,
    collect_adverse_events,
    find_adverse_events,
    find_terms,
    harms_status,
)

# (sentence, expected facts as (kind, status, category, arm, events, total, percent))
CASES = [
    (
        "Hypoglycaemia was seen in 9/52 (17%) patients in the detemir group and 3/50 (6%) in the "
        "NPH group.",
        [
            ("adverse_event", "reported", "hypoglycaemia", "detemir", 9, 52, 17.0),
            ("adverse_event", "reported", "hypoglycaemia", "NPH", 3, 50, 6.0),
        ],
    ),
    (
        "Vivid dreams were reported by 7 patients in the ketamine group and 1 patient in the "
        "saline group.",
        [
            (
                "adverse_event",
                "reported",
                "psychotomimetic/dissociative",
                "ketamine",
                7,
                None,
                None,
            ),
            ("adverse_event", "reported", "psychotomimetic/dissociative", "saline", 1, None, None),
        ],
    ),
    (
        "No serious adverse events were recorded during the study.",
        [("serious", "zero_reported", "any", None, 0, None, None)],
    ),
    (
        "None of the participants withdrew because of side effects.",
        [("withdrawal", "zero_reported", "any", None, 0, None, None)],
    ),
    (
        "Hallucinations did not occur in either arm.",
        [("adverse_event", "zero_reported", "psychotomimetic/dissociative", None, 0, None, None)],
    ),
    (
        "Adverse events leading to discontinuation affected 6 (4%) and 2 (1%) participants.",
        [
            ("withdrawal", "reported", "any", None, 6, None, 4.0),
            ("withdrawal", "reported", "any", None, 2, None, 1.0),
        ],
    ),
    (
        "Drowsiness (31% vs 8%) was more common with the active drug than with placebo.",
        [
            ("adverse_event", "reported", "sedation", "active drug", None, None, 31.0),
            ("adverse_event", "reported", "sedation", "placebo", None, None, 8.0),
        ],
    ),
    (
        "Dizziness occurred in 14 of 60 patients given the study drug.",
        [("adverse_event", "reported", "dizziness", None, 14, 60, None)],
    ),
    (
        "Transient urinary retention was noted in 3/25 (12%) men.",
        [("adverse_event", "reported", "urological", None, 3, 25, 12.0)],
    ),
]


@pytest.mark.parametrize(
    ("sentence", "expected"), CASES, ids=[f"case{i}" for i in range(len(CASES))]
)
def test_facts(sentence: str, expected: list[tuple[object, ...]]) -> None:
    found = [
        (a.kind, a.status, a.category, a.arm, a.events, a.total, a.percent)
        for a in find_adverse_events(sentence)
        if a.status != "mentioned"
    ]
    assert found == expected


# Sentences that state no count and no "none occurred": at most mentions.
NOT_COUNTS = [
    "There was no significant difference in adverse events between the groups (P = 0.41).",
    "Serious adverse events were not reported.",
    "Complete control of vomiting was achieved in 81% of patients.",
    "Adverse events will be recorded at each visit for 12 weeks.",
    "The response rate was 45% in the ketamine group and 30% in the placebo group.",
    "Patients with a history of hypoglycaemia (n = 12) were excluded.",
    "Nausea-free survival was 60% at 24 h.",
]


@pytest.mark.parametrize("sentence", NOT_COUNTS, ids=[f"not{i}" for i in range(len(NOT_COUNTS))])
def test_no_counts_or_zeros(sentence: str) -> None:
    assert [a for a in find_adverse_events(sentence) if a.status != "mentioned"] == []


def test_ambiguous_not_reported_stays_a_mention() -> None:
    facts = find_adverse_events("Serious adverse events were not reported.")
    assert [(a.kind, a.status) for a in facts] == [("serious", "mentioned")]


@pytest.mark.parametrize(
    ("sentence", "severity"),
    [
        ("Grade 3/4 neutropenia occurred in 12 (20%) patients.", "grade 3/4"),
        ("Severe hypoglycaemia occurred in 2 (1%) patients.", "severe"),
        ("Nausea occurred in 12 (20%) patients.", None),
    ],
    ids=["grade", "severe-in-term", "none"],
)
def test_severity(sentence: str, severity: str | None) -> None:
    facts = [a for a in find_adverse_events(sentence) if a.status == "reported"]
    assert facts and facts[0].severity == severity


def test_terms_have_vocabulary_categories() -> None:
    terms = find_terms("Headache, dizziness, hypotension, elevated liver enzymes and rash.")
    assert [t.category for t in terms] == [
        "headache",
        "dizziness",
        "cardiovascular",
        "hepatic",
        "dermatological",
    ]
    assert {"hypoglycaemia", "other", "any"} <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("facts", "category", "status"),
    [
        ([], None, "not_reported"),
        ([{"status": "mentioned", "category": "any"}], None, "mentioned"),
        ([{"status": "zero_reported", "category": "any"}], "any", "zero_reported"),
        (
            [
                {"status": "zero_reported", "category": "any"},
                {"status": "reported", "category": "any"},
            ],
            "any",
            "reported",
        ),
        ([{"status": "reported", "category": "nausea/vomiting"}], "sedation", "not_reported"),
    ],
    ids=["nothing", "mention", "zero", "count-wins", "other-category"],
)
def test_harms_status(facts: list[dict[str, str]], category: str | None, status: str) -> None:
    assert harms_status(facts, category=category) == status


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    import miner.extract.adverse  # noqa: F401  (registers the factory)

    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    pipe.add_pipe("miner_adverse_event")
    return pipe


def test_component_offsets_and_other_spans_kept(nlp: spacy.language.Language) -> None:
    title = "Ketamine for pain"
    abstract = (
        "Forty patients were randomized. Nausea occurred in 6/20 (30%) in the ketamine group "
        "and 2/20 (10%) in the placebo group. No serious adverse events occurred."
    )
    doc = nlp.make_doc(f"{title}\n{abstract}")
    doc.spans["miner"] = [doc[0:1]]
    doc = nlp(doc)
    facts = collect_adverse_events(doc)
    assert [f["status"] for f in facts] == ["reported", "reported", "zero_reported"]
    for f in facts:
        assert doc.text[f["start"] : f["end"]] == f["text"]
        assert doc.text[f["term_start"] : f["term_end"]] == f["term"]
    assert any(s.label_ == "" for s in doc.spans["miner"])  # the span already there is kept


def test_mentions_can_be_switched_off() -> None:
    import miner.extract.adverse  # noqa: F401

    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    pipe.add_pipe("miner_adverse_event", config={"mentions": False})
    doc = pipe("Adverse events were similar in both groups.")
    assert collect_adverse_events(doc) == []


# ------------------------------------------------------------------ real data


def _texts(path: Path, key: str) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return ["\n" + json.loads(line)[key] for line in fh if line.strip()]


def test_real_ctro_hypoglycaemia_counts(
    shared: Callable[..., Path], nlp: spacy.language.Language
) -> None:
    """Diabetes trials report hypoglycaemia counts: many are found, all well formed."""
    shared("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    from miner.evaluate.gold import load_ctro

    # the raw PubMed texts: the corpus' own text is tokenised ("12 . 5 %")
    texts = [r.text for r in load_ctro()]
    docs_with_hypo = 0
    docs_with_counts = 0
    for doc in nlp.pipe(texts):
        facts = collect_adverse_events(doc)
        for f in facts:
            assert doc.text[f["start"] : f["end"]] == f["text"]
            assert f["category"] in CATEGORIES and f["kind"] in KINDS
            if f["events"] is not None and f["total"] is not None:
                assert 0 <= f["events"] <= f["total"]
            if f["percent"] is not None:
                assert 0 <= f["percent"] <= 100
        if "hypoglyc" in doc.text.lower():
            docs_with_hypo += 1
            if any(f["category"] == "hypoglycaemia" and f["status"] == "reported" for f in facts):
                docs_with_counts += 1
    assert docs_with_hypo >= 30
    # measured about half; the floor is far below it
    assert docs_with_counts >= docs_with_hypo // 5


def test_real_pico_toxicity_counts_and_zero_statements(
    shared: Callable[..., Path], nlp: spacy.language.Language
) -> None:
    texts = _texts(shared("pico-corpus", "pico_dev.jsonl.gz"), "text")
    statuses: dict[str, int] = {}
    categories: set[str] = set()
    for doc in nlp.pipe(texts):
        for f in collect_adverse_events(doc):
            statuses[f["status"]] = statuses.get(f["status"], 0) + 1
            if f["status"] == "reported":
                categories.add(f["category"])
            if f["status"] == "zero_reported":
                assert f["events"] == 0
    assert statuses.get("reported", 0) >= 100
    assert statuses.get("zero_reported", 0) >= 10
    assert {"haematological", "any"} <= categories


# The spellings read off each term pattern only skip sentences and positions:
# every way a term can be written must be listed (the letter runs are what
# counts), and anything the small parser does not read must give up.
@pytest.mark.parametrize(
    ("pattern", "spellings"),
    [
        ("ha?ematuria", {"haematuria", "hematuria"}),
        ("(?-i:AEs?)", {"AE", "AEs"}),
        ("side[- ]effects?", {"side-effect", "side effect", "side-effects", "side effects"}),
        ("(?:elevated|raised)\\s+liver", {"elevated liver", "raised liver"}),
        ("(?:postoperative\\s+)?nausea", {"nausea", "postoperative nausea"}),
        ("(?:severe\\s+)*low", {"low", "severe low", "severe severe low"}),
        ("pain\\s+\\(x\\)", {"pain (x)"}),
        ("a[ /-]b", {"a b", "a/b", "a-b"}),
    ],
    ids=[
        "optional-letter",
        "case-sensitive",
        "set",
        "alternation",
        "optional-prefix",
        "repeat",
        "escapes",
        "set-with-hyphen",
    ],
)
def test_term_spellings(pattern: str, spellings: set[str]) -> None:
    from miner.extract.adverse import _spellings

    assert _spellings(pattern) == spellings


@pytest.mark.parametrize(
    "pattern",
    [
        "\\w+pain",
        "pain\\b",
        "a{2}",
        "[a-z]ash",
        "[^x]ash",
        "(?=ab)abc",
        "(?:ab)+c",
        "a.b",
        "\u00e9t\u00e9",
    ],
    ids=[
        "word-class",
        "boundary",
        "count",
        "range",
        "negated-set",
        "lookahead",
        "letters-repeated",
        "dot",
        "non-ascii",
    ],
)
def test_term_spellings_give_up(pattern: str) -> None:
    from miner.extract.adverse import _spellings, _Unsupported

    with pytest.raises(_Unsupported):
        _spellings(pattern)


def test_every_spelling_of_the_vocabulary_is_a_term_found_by_its_runs() -> None:
    from miner.extract import adverse

    assert adverse._TERM_RUNS is not None  # the vocabulary is read, so the pre-test runs
    for _, terms in adverse._VOCAB:
        for term in terms:
            for spelling in adverse._spellings(term):
                assert adverse._TERM_RE.fullmatch(spelling), (term, spelling)
                text = f"Then {spelling} occurred."
                assert adverse._spellings_met(text.lower()), (term, spelling)
                found = [m.span() for m in adverse._term_matches(text)]
                assert found == [m.span() for m in adverse._TERM_RE.finditer(text)]


def test_term_search_equals_a_full_scan_on_real_abstracts(shared: Callable[..., Path]) -> None:
    """Skipping sentences and positions without the runs of a term finds every term."""
    from miner.extract import adverse

    texts = _texts(shared("pico-corpus", "pico_dev.jsonl.gz"), "text")
    # capitals, odd case folding and sentence edges
    texts += [t.upper() for t in texts[:50]] + ["\u212aetamine nausea \u0130 vomiting", "AEs"]
    hits = 0
    for text in texts:
        low = text.lower()
        met = adverse._spellings_met(low) if adverse._plain_lower(text) is not None else None
        for sentence in text.split(". "):
            full = [m.span() for m in adverse._TERM_RE.finditer(sentence)]
            assert [m.span() for m in adverse._term_matches(sentence)] == full
            if full and met is not None:
                hits += 1
                assert any(all(r in sentence.lower() for r in runs) for runs in met)
    assert hits >= 100


@pytest.mark.parametrize(
    "abstract",
    [
        "Twelve children were enrolled. HAEMATURIA was noted in two children in the drug group.",
        "We enrolled 30 adults. Raised transaminases occurred in 3 patients given the drug.",
        "The trial ran 8 weeks. One AE led to withdrawal in the active arm.",
        "Sixty women took part. Postoperative nausea and vomiting occurred in 5 women.",
    ],
    ids=["capitals-mid-word", "alternation", "case-sensitive-abbreviation", "optional-prefix"],
)
def test_prefilter_keeps_every_sentence_with_a_term(
    nlp: spacy.language.Language, abstract: str
) -> None:
    from miner.extract.adverse import _TERM_RE

    doc = nlp(abstract)
    facts = collect_adverse_events(doc)
    expected = sorted(
        {
            start + m.start()
            for sent in doc.sents
            for start in [sent.start_char]
            for m in _TERM_RE.finditer(sent.text)
        }
    )
    assert expected  # the sentence names a harm
    assert sorted({f["term_start"] for f in facts}) == expected


def _unanchored(regex: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(regex.pattern.removeprefix("^").removesuffix("$"), regex.flags)


def _guarded() -> dict[str, list[re.Pattern[str]]]:
    from miner.extract import adverse as a

    return {
        "breaks": [a._CLAUSE_BREAK],
        "efficacy": [_unanchored(a._EFFICACY_BEFORE)],
        "severity": [_unanchored(a._SEVERITY_BEFORE)],
        "withdraw": [_unanchored(a._WITHDRAW_BEFORE)],
        "zero": [_unanchored(a._ZERO_BEFORE), _unanchored(a._ZERO_SUBJECT)],
        "future": [a._FUTURE],
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "Nausea was common; however, it was mild.",
        "Given for PREVENTION of vomiting, ondansetron failed.",
        "Grade 3/4 neutropenia occurred in 4 patients.",
        "Two patients DISCONTINUED because of rash.",
        "Free of headache at 2 h: 40% vs 20%.",
        "Neither patient had vertigo.",
        "We AIMED to compare toxicity.",
        "Hypoglycaemia was rare.",
    ],
)
def test_context_patterns_are_searched_where_their_words_are(sentence: str) -> None:
    from miner.extract.adverse import _cues

    cues = _cues(sentence)
    for name, regexes in _guarded().items():
        if any(r.search(sentence) for r in regexes):
            assert getattr(cues, name), (name, sentence)


def test_context_pre_test_on_real_abstracts(shared: Callable[..., Path]) -> None:
    """A context pattern that can match in a sentence is never skipped."""
    from miner.extract.adverse import _cues

    texts = _texts(shared("pico-corpus", "pico_dev.jsonl.gz"), "text")
    guarded = _guarded()
    skipped = 0
    for text in texts[:400]:
        for sentence in text.split(". "):
            cues = _cues(sentence)
            for name, regexes in guarded.items():
                if not getattr(cues, name):
                    skipped += 1
                    assert not any(r.search(sentence) for r in regexes), (name, sentence)
    assert skipped > 1000  # the pre-test does skip searches


def test_unreadable_vocabulary_searches_every_sentence(
    nlp: spacy.language.Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the run pre-tests (a term pattern the parser cannot read) the facts are the same."""
    from miner.extract import adverse

    abstracts = [
        "Forty adults took part. Nausea occurred in 6/20 (30%) vs 2/20 (10%). "
        "No serious adverse events occurred; two patients withdrew because of headache.",
        "HYPOGLYCAEMIA was seen in 9 of 52 patients. Side-effects were mild.",
        "Pain scores fell. Grade 3 neutropenia: 4 (8%) in the docetaxel arm.",
    ]
    expected = [collect_adverse_events(nlp(a)) for a in abstracts]
    assert all(expected)
    monkeypatch.setattr(adverse, "_TERM_RUNS", None)
    adverse._find_cached.cache_clear()
    assert [collect_adverse_events(nlp(a)) for a in abstracts] == expected
    adverse._find_cached.cache_clear()
