"""Design component: randomized or not, crossover, cluster, blinding, placebo."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from miner.extract.design import collect_design
from miner.extract.pipeline import build_pipeline


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def design(nlp: Language, title: str, abstract: str) -> dict[str, Any]:
    return collect_design(nlp(f"{title}\n{abstract}"))


@pytest.mark.parametrize(
    ("title", "abstract", "is_rct"),
    [
        ("Ketamine for pain", "Adults were randomly assigned to ketamine or saline.", True),
        ("A randomised controlled trial of tea", "Tea was given to the tea group.", True),
        ("Exercise in rehab", "Wards were allocated at random to two schedules.", True),
        ("Vitamin D", "Random allocation used sealed envelopes.", True),
        ("Cohort", "This non-randomized study followed 300 adults.", False),
        ("Registry", "Patients were not randomized; treatment was chosen by the surgeon.", False),
        ("Protocol", "We plan to randomize 200 children to zinc or placebo.", False),
        ("Future", "Participants will be randomized to yoga or waiting list.", False),
        (
            "Statins and stroke: a systematic review and meta-analysis",
            "Randomized controlled trials were searched and pooled.",
            False,
        ),
        ("Review", "We reviewed randomized trials of aspirin published since 1990.", False),
        ("Sampling", "Households were randomly selected from the census list.", False),
        ("Quasi", "A quasi-randomized design assigned patients by birth date.", False),
        ("Groups", "Eighty adults were divided into two equal groups randomly.", True),
        ("Verb first", "Clinics were allocated randomly to two schedules.", True),
        ("Two words", "Sixty adults were randomly and evenly assigned to both arms.", True),
        ("Allotment", "Adults were split by computer-generated random allotment.", True),
        ("Recruited", "Adults identified through the clinic lists were randomized to tea.", True),
        ("Included", "Adults were included in a prospective, randomized trial of tea.", True),
        ("Either", "Adults with or without asthma were randomized to tea or water.", True),
        ("Tea Does Not Lower Pressure: A Randomized Trial", "Adults drank tea.", True),
        ("Genes", "A two-sample Mendelian randomization analysis of coffee.", False),
        ("Tests", "Each child did the three tasks in a randomized order.", False),
        ("Order", "Adults took tea or placebo in a randomised order, double-blind.", True),
        ("Adherence", "Most adults completed the study protocol; all were randomized.", True),
        ("A care protocol for falls", "Wards were randomly assigned to it or usual care.", True),
        ("Tea: study protocol for a randomized trial", "Adults will drink tea.", False),
        ("Sequence", "Each rower drank cocoa or placebo in random sequence.", True),
        ("Sequence alone", "Each rower ran the four sprints in random sequence.", False),
        ("Ordered", "Nine runners had both double-masked drinks, randomly ordered.", True),
        ("Fashion", "Adults had juice or a sham drink in a random, double blind fashion.", True),
        ("Provided", "Twelve cyclists were randomly provided with either gel or placebo.", True),
        ("Enrolled", "Ninety women were randomly enrolled into three study groups.", True),
        ("Enrolled alone", "Ninety women were randomly enrolled from three clinics.", False),
        ("Pilot", "Forty adults used the app. A randomised trial is now needed.", False),
        ("Series", "A series of 12 adults. A randomized trial would be justified.", False),
        ("Help", "Cohort of 80. A randomized study of both would help to settle it.", False),
        ("Aim", "The aim of this randomized study was to find whether drains are needed.", True),
        ("Meta", "A meta\u2010analysis of randomized, placebo\u2010controlled studies.", False),
    ],
    ids=[
        "randomly-assigned",
        "title-rct",
        "at-random",
        "random-allocation",
        "non-randomized",
        "negated",
        "plan-to",
        "future",
        "meta-analysis",
        "review-of-trials",
        "random-sampling",
        "quasi",
        "into-groups-randomly",
        "allocated-randomly",
        "randomly-two-words",
        "random-allotment",
        "identified-is-no-review",
        "included-is-no-review",
        "with-or-without-no-negation",
        "title-colon-ends-negation",
        "mendelian",
        "order-of-tests",
        "order-of-treatments",
        "completed-protocol-is-a-trial",
        "title-protocol-not-a-trial-protocol",
        "trial-protocol-title",
        "random-sequence-of-treatments",
        "random-sequence-of-tests",
        "randomly-ordered-masked",
        "random-blinded-fashion",
        "randomly-provided",
        "randomly-enrolled-into-groups",
        "randomly-enrolled-is-sampling",
        "call-for-a-trial",
        "call-for-a-trial-would-be",
        "call-would-help",
        "this-study-not-a-call",
        "u2010-hyphen-plural-studies",
    ],
)
def test_is_rct(nlp: Language, title: str, abstract: str, is_rct: bool) -> None:
    assert design(nlp, title, abstract)["is_rct"] is is_rct


@pytest.mark.parametrize(
    ("abstract", "field", "expected"),
    [
        ("In this double-blind trial adults were randomized.", "blinding", "double"),
        ("A triple-blinded study randomised 40 adults.", "blinding", "triple"),
        ("In a single-blind design, adults were randomized.", "blinding", "single"),
        ("This open-label trial randomized 50 adults.", "blinding", "open"),
        ("Adults were randomized to drug or control.", "blinding", None),
        ("A double-dummy, randomized comparison of two tablets.", "blinding", "double"),
        ("A randomized, placebo-controlled trial in adults.", "placebo", True),
        ("Adults were randomized to drug or usual care.", "placebo", False),
        ("In a randomised crossover trial, 12 volunteers took both drugs.", "crossover", True),
        ("A two-period cross-over design was used after randomisation.", "crossover", True),
        ("Adults were randomized to drug or usual care.", "crossover", False),
        ("In this cluster-randomized trial, 20 schools took part.", "cluster", True),
        ("Thirty villages were randomly assigned to bed nets or none.", "cluster", True),
        ("Adults were randomized to drug or usual care.", "cluster", False),
        ("In this double\u2010blind trial adults were randomized.", "blinding", "double"),
        (
            "Adults used the app. Further studies need to be done in a double-blind design.",
            "blinding",
            None,
        ),
        ("Larger placebo-controlled trials are still needed.", "placebo", False),
        ("A randomized 3\u2010way cross\u2010over design in 9 dogs.", "crossover", True),
    ],
    ids=[
        "double",
        "triple",
        "single",
        "open",
        "no-blinding",
        "double-dummy",
        "placebo",
        "no-placebo",
        "crossover",
        "cross-over-period",
        "no-crossover",
        "cluster",
        "villages",
        "no-cluster",
        "u2010-double-blind",
        "blinding-in-research-call",
        "placebo-in-research-call",
        "u2010-cross-over",
    ],
)
def test_design_fields(nlp: Language, abstract: str, field: str, expected: Any) -> None:
    assert design(nlp, "A trial", abstract)[field] == expected


def test_evidence_offsets(nlp: Language) -> None:
    title = "A double-blind trial"
    abstract = "Adults were randomly assigned to drug or placebo."
    doc = nlp(f"{title}\n{abstract}")
    out = collect_design(doc)
    kinds = {e["kind"] for e in out["evidence"]}
    assert {"randomized", "placebo", "blinding:double"} <= kinds
    for e in out["evidence"]:
        assert doc.text[e["start"] : e["end"]] == e["text"]


def test_evidence_quotes_the_hyphen_as_written(nlp: Language) -> None:
    doc = nlp("A double\u2010blind trial\nAdults were randomly assigned to drug or placebo.")
    out = collect_design(doc)
    assert out["blinding"] == "double"
    quoted = [e["text"] for e in out["evidence"] if e["kind"] == "blinding:double"]
    assert quoted == ["double\u2010blind"]


def test_scans_near_words_equal_full_scans(shared: Callable[..., Path]) -> None:
    """Every design pattern, searched only near its words, finds what a full scan finds."""
    from miner.extract import design as d
    from miner.extract.scan import finditer_near, lower_same_length

    specs = [
        (d._RANDOM_RE, d._RANDOM_NEAR),
        (d._SELF_REVIEW_RE, d._SELF_REVIEW_NEAR),
        (d._CROSSOVER_RE, d._CROSSOVER_NEAR),
        (d._CLUSTER_RE, d._CLUSTER_NEAR),
        (d._PLACEBO_RE, d._PLACEBO_NEAR),
        *((regex, d._BLIND_NEAR[kind]) for kind, regex in d._BLIND_RES),
    ]
    path = shared("pico-corpus", "pico_dev.jsonl.gz")
    found = 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in list(fh)[:300]:
            text = json.loads(line)["text"]
            low = lower_same_length(text)
            for regex, near in specs:
                full = [m.span() for m in regex.finditer(text)]
                assert [m.span() for m in finditer_near(regex, text, low, *near)] == full
                found += len(full)
    assert found > 300


@pytest.mark.parametrize(
    "text",
    [
        "A CLUSTER-randomised trial in 12 villages.",
        "Practices were randomized by practice to two arms.",
        "Schools in two districts were randomly allocated.",
        "Nursing homes were randomised to usual care or training.",
        "Classrooms from 8 towns were randomized.",
        "Health centres (n = 20) were randomly assigned.",
    ],
    ids=["cluster", "randomized-by", "units", "nursing-homes", "classrooms", "health-centres"],
)
def test_cluster_pre_test_keeps_every_cluster_design(nlp: Language, text: str) -> None:
    from miner.extract.design import _CLUSTER_RE, _may_be_cluster

    assert _CLUSTER_RE.search(text)
    assert _may_be_cluster(text.lower())
    assert design(nlp, "A trial", text)["cluster"] is True


def test_word_pre_tests_on_real_abstracts(shared: Callable[..., Path]) -> None:
    """A pattern skipped for want of its words could not have matched."""
    from miner.extract import design as d

    path = shared("pico-corpus", "pico_dev.jsonl.gz")
    skipped = 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    for text in texts + [t.upper() for t in texts[:100]]:
        low = text.lower()
        if not d._may_be_cluster(low):
            skipped += 1
            assert not d._CLUSTER_RE.search(text)
        # the review pattern before a randomization word (windows of 60 characters)
        for m in d._RANDOM_RE.finditer(text):
            left = text[max(0, m.start() - 60) : m.start()]
            if not any(word in left.lower() for word in d._REVIEW_WORDS):
                assert not d._REVIEW_LEFT_RE.search(left)
    assert skipped > 100


@pytest.mark.parametrize(
    "left",
    [
        "a non-",
        "a NON -  ",
        "quasi",
        "the pseudo\u00a0",
        "was un",
        "a nonun",
        "reason",
        "run -",
        "a Mendelian ",
    ],
)
def test_not_random_left_searched_from_the_last_word(left: str) -> None:
    from miner.extract.design import _NOT_RANDOM_LEFT_RE

    i = len(left)
    while i and (left[i - 1] == "-" or left[i - 1].isspace()):
        i -= 1
    expected = _NOT_RANDOM_LEFT_RE.search(left) is not None
    assert (_NOT_RANDOM_LEFT_RE.search(left, max(0, i - 10)) is not None) == expected
