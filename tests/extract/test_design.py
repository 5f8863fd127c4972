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
