"""Evidence tiers and the crossover paired variance."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from scipy import stats

from miner.errors import EffectSizeError
from miner.tiers import TIERS, classify_tier, crossover_effect, tier_counts

RCT = {"is_rct": True, "crossover": False, "cluster": False, "evidence": []}

CASES = [
    (RCT, [], None, "randomized", "parallel"),
    ({**RCT, "crossover": True}, [], None, "randomized", "crossover"),
    ({**RCT, "cluster": True}, [], None, "randomized", "cluster"),
    ({}, ["Randomized Controlled Trial"], None, "randomized", "parallel"),
    ({}, ["Meta-Analysis"], None, "evidence_synthesis", "meta_analysis"),
    (RCT, ["Systematic Review"], None, "evidence_synthesis", "systematic_review"),
    (
        {},
        [],
        "Ketamine for depression: a systematic review and meta-analysis\nWe searched ...",
        "evidence_synthesis",
        "meta_analysis",
    ),
    (
        {},
        [],
        "Outcomes after nerve block\nIn this retrospective cohort study we compared 200 patients.",
        "non_randomized",
        "cohort",
    ),
    (
        {},
        [],
        "A drug for pain\nIn this non-randomized controlled trial, 40 patients were compared "
        "with a control group.",
        "non_randomized",
        "open_label_controlled",
    ),
    (
        RCT,
        [],
        "A drug for pain\nPatients were allocated quasi-randomized to drug or placebo.",
        "non_randomized",
        "open_label_controlled",
    ),
    (
        {},
        [],
        "A drug for pain\nThis open-label, single-arm trial enrolled 30 patients.",
        "single_arm",
        "single_arm",
    ),
    ({}, ["Case Reports"], "A rare reaction\nWe report a case.", "single_arm", "case_series"),
    ({}, [], "A drug\nPatients received the drug.", "unclassified", "unknown"),
]


@pytest.mark.parametrize(
    ("design", "pub_types", "text", "tier", "kind"),
    CASES,
    ids=[f"{c[3]}-{c[4]}-{i}" for i, c in enumerate(CASES)],
)
def test_classify(
    design: dict[str, object], pub_types: list[str], text: str | None, tier: str, kind: str
) -> None:
    t = classify_tier(design, pub_types, text)
    assert (t.tier, t.design) == (tier, kind)
    assert kind in TIERS[tier]
    assert t.reason
    assert t.poolable == (tier in ("randomized", "non_randomized", "single_arm"))


def test_tier_counts_lists_every_tier() -> None:
    counts = tier_counts([classify_tier(RCT, []), classify_tier({}, ["Meta-Analysis"])])
    assert counts == {
        "randomized": 1,
        "non_randomized": 0,
        "single_arm": 0,
        "evidence_synthesis": 1,
        "unclassified": 0,
    }


def test_crossover_from_paired_ci() -> None:
    r = crossover_effect("s1", md=-1.5, ci=(-2.5, -0.5), n=20)
    assert r.usable and r.effect is not None
    se = 1.0 / stats.norm.ppf(0.975)
    assert r.effect.vi == pytest.approx(se**2)
    assert r.flags == ()


def test_crossover_from_paired_p_uses_t_with_n_minus_1() -> None:
    r = crossover_effect("s1", md=2.0, p=0.01, n=16)
    assert r.effect is not None
    se = 2.0 / stats.t.isf(0.005, 15)
    assert math.sqrt(r.effect.vi) == pytest.approx(se)


def test_crossover_means_need_a_flagged_correlation() -> None:
    missing = crossover_effect("s1", mean_t=5.0, sd_t=2.0, mean_c=6.0, sd_c=2.0, n=12)
    assert not missing.usable
    assert any("correlation" in m for m in missing.missing)
    r = crossover_effect("s1", mean_t=5.0, sd_t=2.0, mean_c=6.0, sd_c=2.0, n=12, correlation=0.5)
    assert r.effect is not None
    # Cochrane Handbook 23.2.7.3: SD_diff^2 = SD_t^2 + SD_c^2 - 2 r SD_t SD_c
    assert r.effect.yi == pytest.approx(-1.0)
    assert r.effect.vi == pytest.approx((4 + 4 - 2 * 0.5 * 4) / 12)
    assert any("ASSUMED" in f for f in r.flags)
    assert any("ASSUMED" in a for a in r.effect.assumptions)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({}, "mean difference"),
        ({"md": 1.2}, "SE, CI"),
        ({"md": 1.2, "p": 0.03}, "number of patients"),
    ],
    ids=["nothing", "md-only", "p-without-n"],
)
def test_crossover_says_what_is_missing(kwargs: dict[str, float], needle: str) -> None:
    r = crossover_effect("s1", **kwargs)
    assert not r.usable
    assert any(needle in m for m in r.missing)
    assert any("Elbourne" in ref for ref in r.references)


def test_crossover_rejects_impossible_correlation() -> None:
    with pytest.raises(EffectSizeError):
        crossover_effect("s1", mean_t=1, sd_t=1, mean_c=1, sd_c=1, n=5, correlation=1.5)


def test_real_evidence_inference_designs(shared: Callable[..., Path]) -> None:
    """Crossover and non-randomized designs are found among real abstracts."""
    import spacy

    import miner.extract.design  # noqa: F401
    from miner.extract.design import collect_design

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("miner_design")
    path = shared("evidence-inference", "abstracts_derived.jsonl.gz")
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            body = "\n".join(s["text"] for s in rec["abstract_sections"] if s.get("text"))
            if body:
                texts.append(f"{rec['title']}\n{body}")
    tiers = [classify_tier(collect_design(d), [], d.text) for d in nlp.pipe(texts[:1500])]
    counts = tier_counts(tiers)
    crossover = sum(1 for t in tiers if t.design == "crossover")
    # a corpus of RCT reports: randomized dominates, crossovers and others exist
    assert counts["randomized"] >= 0.7 * len(tiers)
    assert crossover >= 10
    assert counts["non_randomized"] + counts["single_arm"] >= 1
    assert counts["evidence_synthesis"] <= 0.05 * len(tiers)
