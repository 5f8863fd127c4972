"""The living dataset's evidence tiers, crossover trials, harms, durability and doses."""

from __future__ import annotations

from typing import Any

import pytest

from miner import living
from miner.records import Article, Extraction, Section
from miner.searches import SavedSearch
from miner.store import Store
from miner.tiers import classify_tier
from tests.service.living_facts import reported, span

BASE: dict[str, Any] = {
    "name": "drugx_pain",
    "query": "drugx pain",
    "inclusion": {"rct_only": False},
    "comparison": {"intervention": ["drugx"], "comparator": ["placebo"]},
    "outcomes": [{"name": "pain", "terms": ["pain"], "measure": "MD"}],
    "timepoints": [
        {"label": "1 week", "min_days": 5, "max_days": 10},
        {"label": "4 weeks", "min_days": 21, "max_days": 42},
    ],
}
SEARCH = SavedSearch.from_dict(BASE)


def article(pmid: str, methods: str, results: str, pub_types: tuple[str, ...] = ()) -> Article:
    return Article(
        pmid=pmid,
        title=f"DrugX versus placebo for pain ({pmid})",
        sections=(Section(text=methods, label="METHODS"), Section(text=results, label="RESULTS")),
        publication_types=pub_types,
        year=2020,
    )


def ex(a: Article, **facts: Any) -> Extraction:
    return Extraction(a.pmid, a.text_hash, "t1", facts)


RCT = "Adults were randomized to drugx or placebo."
RESULT = "At 1 week pain was lower with drugx than placebo (MD -1.0, 95% CI -1.6 to -0.4)."


def _rct(pmid: str, **extra: Any) -> tuple[Article, Extraction]:
    a = article(pmid, RCT, RESULT, ("Randomized Controlled Trial",))
    frag = "MD -1.0, 95% CI -1.6 to -0.4"
    return a, ex(
        a, design={"is_rct": True}, effects=[reported(a, frag, -1.0, -1.6, -0.4, "1 week")], **extra
    )


def test_each_tier_pools_only_with_itself_and_syntheses_are_cited() -> None:
    a1, e1 = _rct("1")
    cohort = article("2", "A retrospective cohort study of drugx or placebo.", RESULT)
    frag = "MD -1.0, 95% CI -1.6 to -0.4"
    e2 = ex(
        cohort,
        design={"is_rct": False},
        effects=[reported(cohort, frag, -2.0, -2.8, -1.2, "1 week")],
    )
    review = article(
        "3", "We conducted a systematic review and meta-analysis.", RESULT, ("Meta-Analysis",)
    )
    e3 = ex(
        review,
        design={"is_rct": True},
        effects=[reported(review, frag, -1.0, -1.6, -0.4, "1 week")],
    )
    found: list[living.StudyEffect] = []
    reasons = {}
    for a, e in ((a1, e1), (cohort, e2), (review, e3)):
        tier = classify_tier(e.facts["design"], a.publication_types, a.text)
        effs, why = living.study_effects(SEARCH, a, e, (), tier)
        found += effs
        reasons[a.pmid] = [x.reason for x in why]
    assert {e.pmid: e.tier for e in found} == {"1": "randomized", "2": "non_randomized"}
    assert "cited, never pooled" in reasons["3"][0]
    rows = living.pool_effects(SEARCH, found)
    keys = {(r["subgroup_key"], r["subgroup_value"], r["tier"], tuple(r["studies"])) for r in rows}
    assert keys == {
        ("all", "all", "randomized", ("1",)),
        ("tier", "non_randomized", "non_randomized", ("2",)),
    }


def test_comparison_with_only_a_p_value_is_not_pooled() -> None:
    a, e = _rct("6")
    p_only = {
        **span(a, "pain was lower with drugx than placebo"),
        "measure": None,
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "p": 0.001,
        "p_op": "<",
        "outcome": "pain",
        "timepoint": "1 week",
    }
    e.facts["effects"].insert(0, p_only)
    tier = classify_tier(e.facts["design"], a.publication_types, a.text)
    effs, _why = living.study_effects(SEARCH, a, e, (), tier)
    assert [(x.pmid, round(x.yi, 6)) for x in effs] == [("6", -1.0)]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"inclusion": {"rct_only": True}}, "not a randomised controlled trial (evidence tier"),
        ({"tiers": {"pool": ["randomized"]}}, "evidence tier non_randomized is not pooled"),
    ],
    ids=["rct-only", "tier-not-pooled"],
)
def test_tier_gate_reasons(settings: dict[str, Any], expected: str) -> None:
    search = SavedSearch.from_dict({**BASE, **settings})
    # randomized wording extracted, but the text says it was not: tier non_randomized
    study = article("2", "A non-randomized controlled study of drugx or placebo.", RESULT)
    facts = {"design": {"is_rct": True}}
    tier = classify_tier(facts["design"], (), study.text)
    assert tier.tier == "non_randomized"
    assert expected in (living.study_gate(search, study, ex(study, **facts), (), tier) or "")


CROSSOVER = "In a randomized crossover trial (n = 20) patients received drugx and placebo."


def test_crossover_reported_difference_is_a_paired_effect() -> None:
    a = article("4", CROSSOVER, RESULT, ("Randomized Controlled Trial",))
    frag = "MD -1.0, 95% CI -1.6 to -0.4"
    e = ex(
        a,
        design={"is_rct": True, "crossover": True},
        sample_size={"randomized": 20},
        effects=[reported(a, frag, -1.0, -1.6, -0.4, "1 week")],
    )
    tier = classify_tier(e.facts["design"], a.publication_types, a.text)
    assert tier.design == "crossover"
    (eff,), _ = living.study_effects(SEARCH, a, e, (), tier)
    assert eff.n_total == 20 and any("crossover: paired analysis" in x for x in eff.assumptions)


def _crossover_means(correlation: float | None) -> tuple[list[Any], list[Any]]:
    search = SavedSearch.from_dict({**BASE, "tiers": {"crossover_correlation": correlation}})
    results = "At 1 week pain was 3.0 (SD 1.0) with drugx and 4.0 (SD 1.2) with placebo."
    a = article("5", CROSSOVER, results, ("Randomized Controlled Trial",))
    arm = [
        {**span(a, "3.0 (SD 1.0)"), "arm": "drugx", "kind": "mean", "value": 3.0, "sd": 1.0},
        {**span(a, "4.0 (SD 1.2)"), "arm": "placebo", "kind": "mean", "value": 4.0, "sd": 1.2},
    ]
    for v in arm:
        v.update(outcome="pain", timepoint="1 week", n=20)
    e = ex(
        a,
        design={"is_rct": True, "crossover": True},
        sample_size={"randomized": 20},
        arm_values=arm,
    )
    tier = classify_tier(e.facts["design"], a.publication_types, a.text)
    return living.study_effects(search, a, e, (), tier)  # type: ignore[return-value]


def test_crossover_means_without_correlation_are_left_out_with_what_is_missing() -> None:
    found, why = _crossover_means(None)
    assert found == []
    assert any("crossover trial" in x.reason and "correlation" in x.reason for x in why)


def test_crossover_means_with_an_assumed_correlation_are_flagged() -> None:
    (eff,), _ = _crossover_means(0.5)
    assert eff.yi == pytest.approx(-1.0)
    # var(d) = 1.0^2 + 1.2^2 - 2*0.5*1.0*1.2 = 1.24 over n=20 patients
    assert eff.vi == pytest.approx(1.24 / 20)
    assert any("ASSUMED" in x for x in eff.assumptions)


def _ae(
    a: Article,
    fragment: str,
    category: str,
    events: int | None,
    arm: str | None,
    status: str = "reported",
) -> dict[str, Any]:
    return {
        **span(a, fragment),
        "kind": "adverse_event",
        "status": status,
        "term": category,
        "category": category,
        "arm": arm,
        "events": events,
        "total": None,
        "percent": None,
        "severity": None,
        "timepoint": None,
    }


def test_harms_unlabelled_pairs_take_the_arm_order_and_not_reported_is_not_zero(
    db_url: str,
) -> None:
    search = SavedSearch.from_dict(
        {**BASE, "harms": {"categories": ["nausea/vomiting", "dizziness"]}}
    )
    arms = [{"label": "drugx", "n": 30}, {"label": "placebo", "n": 30}]
    studies = []
    for pmid, (et, ec) in {"6": (6, 2), "7": (9, 3)}.items():
        a = article(
            pmid,
            RCT,
            RESULT + f" Nausea occurred in {et}/30 and {ec}/30 patients.",
            ("Randomized Controlled Trial",),
        )
        ae = [
            _ae(a, f"{et}/30", "nausea/vomiting", et, None),
            _ae(a, f"{ec}/30 patients", "nausea/vomiting", ec, None),
        ]
        studies.append(
            (a, ex(a, design={"is_rct": True}, sample_size={"arms": arms}, adverse_events=ae))
        )
    quiet = article("8", RCT, RESULT, ("Randomized Controlled Trial",))
    studies.append(
        (quiet, ex(quiet, design={"is_rct": True}, sample_size={"arms": arms}, adverse_events=[]))
    )
    unextracted = article("9", RCT, RESULT, ("Randomized Controlled Trial",))
    studies.append((unextracted, ex(unextracted, design={"is_rct": True})))
    tiers = [classify_tier(e.facts["design"], a.publication_types, a.text) for a, e in studies]
    harms = living.build_harms(
        search, [(a, e, t) for (a, e), t in zip(studies, tiers, strict=True)]
    )
    assert (harms["n_studies"], harms["n_extracted"]) == (4, 3)
    rr = next(h for h in harms["pooled"] if h["measure"] == "RR")
    assert (rr["category"], rr["window"], rr["k"]) == ("nausea/vomiting", "study period", 2)
    assert (rr["events_t"], rr["events_c"]) == (15, 5)
    assert all(
        c["provenance"][0]["arm_from"] == "order of the arms"
        for c in harms["counts"]
        if c["provenance"]
    )
    status = {s["category"]: s for s in harms["status"]}
    assert (
        status["nausea/vomiting"]["reported"] == 2
        and status["nausea/vomiting"]["not_reported"] == 1
    )
    assert status["dizziness"]["not_reported"] == 3 and status["dizziness"]["zero_reported"] == 0


def test_dataset_content_has_tiers_harms_durability_and_dose(db_url: str) -> None:
    search = SavedSearch.from_dict({**BASE, "dose": {"basis": "mg/kg", "min_studies": 5}})
    with Store.open(db_url) as store:
        arts, exs = [], []
        for i, (v1, v4) in enumerate([(-1.5, -0.2), (-1.2, 0.1), (-1.8, -0.3)]):
            a = article(
                f"1{i}",
                f"Adults were randomized to drugx {0.2 * (i + 1):.1f} mg/kg or placebo.",
                f"At 1 week pain was lower with drugx than placebo "
                f"(MD {v1}, 95% CI {v1 - 0.5} to {v1 + 0.5}). "
                f"At 4 weeks pain with drugx versus placebo: "
                f"MD {v4}, 95% CI {v4 - 0.6} to {v4 + 0.6}.",
                ("Randomized Controlled Trial",),
            )
            dose = {
                **span(a, f"{0.2 * (i + 1):.1f} mg/kg"),
                "drug": "drugx",
                "value": round(0.2 * (i + 1), 1),
                "unit": "mg/kg",
            }
            e1 = reported(
                a, f"MD {v1}, 95% CI {v1 - 0.5} to {v1 + 0.5}", v1, v1 - 0.5, v1 + 0.5, "1 week"
            )
            e4 = reported(
                a, f"MD {v4}, 95% CI {v4 - 0.6} to {v4 + 0.6}", v4, v4 - 0.6, v4 + 0.6, "4 weeks"
            )
            arts.append(a)
            exs.append(
                Extraction(
                    a.pmid,
                    a.text_hash,
                    "t1",
                    {"design": {"is_rct": True}, "doses": [dose], "effects": [e1, e4]},
                )
            )
        store.upsert_articles(arts)
        store.upsert_extractions(exs)
        store.add_search_members(search.name, [a.pmid for a in arts])
        ds = living.build_dataset(store, search, "t1")
    content = ds.content()
    assert content["tier_counts"]["randomized"] == 3
    (finding,) = content["durability"]
    assert finding["pattern"] == "wanes" and finding["null_from"] == "4 weeks"
    assert {d["status"] for d in content["dose_response"]} == {"insufficient"}
    assert all(d["k"] == 3 and d["min_studies"] == 5 for d in content["dose_response"])
    assert sorted(s["dose"]["value"] for s in content["studies"]) == [0.2, 0.4, 0.6]
    assert content["harms"]["n_extracted"] == 0  # no adverse_events facts: not extracted


@pytest.mark.parametrize(
    ("dose", "band"),
    [
        ({"value": 500, "unit": "ug/kg"}, ">= 0.5 mg/kg"),
        ({"value": 0.25, "unit": "mg/kg"}, "< 0.5 mg/kg"),
        ({"value": 0.1, "value_max": 0.9, "unit": "mg/kg"}, living.NOT_REPORTED),
        ({"value": 25, "unit": "mg"}, living.NOT_REPORTED),
    ],
    ids=["ug-per-kg-normalised", "mg-per-kg", "range-has-no-band", "mg-without-weight"],
)
def test_dose_bands_compare_normalised_doses(dose: dict[str, Any], band: str) -> None:
    search = SavedSearch.from_dict(
        {
            **BASE,
            "subgroups": ["dose_band"],
            "dose_bands": [
                {"label": "< 0.5 mg/kg", "unit": "mg/kg", "low": 0, "high": 0.5},
                {"label": ">= 0.5 mg/kg", "unit": "mg/kg", "low": 0.5},
            ],
        }
    )
    assert living.subgroups_of(search, {"doses": [{"drug": "drugx", **dose}]}) == {
        "dose_band": band
    }


def test_dose_cuts_define_bands_on_the_basis() -> None:
    search = SavedSearch.from_dict(
        {
            **BASE,
            "subgroups": ["dose_band"],
            "dose": {"basis": "mg", "cuts": [50], "labels": ["low", "high"]},
        }
    )
    facts = {"doses": [{"drug": "drugx", "value": 75, "unit": "mg"}]}
    assert living.subgroups_of(search, facts) == {"dose_band": "high"}


@pytest.mark.parametrize(
    "bad",
    [
        {"harms": {"categories": ["nosuch"]}},
        {"harms": {"measures": ["OR"]}},
        {"tiers": {"pool": ["evidence_synthesis"]}},
        {"tiers": {"crossover_correlation": 1.5}},
        {"durability": {"outcomes": ["nosuch"]}},
        {"dose": {"basis": "ml"}},
        {"dose": {"cuts": [2, 1]}},
        {"dose": {"min_studies": 2}},
    ],
    ids=["category", "measure", "tier", "correlation", "outcome", "basis", "cuts", "min-studies"],
)
def test_bad_issue8_settings_are_refused(bad: dict[str, Any]) -> None:
    from miner.errors import ConfigError

    with pytest.raises(ConfigError):
        SavedSearch.from_dict({**BASE, **bad})
