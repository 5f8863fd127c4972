"""The living dataset without Celery: value matching, reviews, versions and diffs."""

from __future__ import annotations

from typing import Any

import pytest

from miner import living
from miner.records import Article, Extraction, Section
from miner.searches import SavedSearch
from miner.store import Store
from tests.service.living_facts import reported, span

SEARCH = SavedSearch.from_dict(
    {
        "name": "drugx_pain",
        "query": "drugx pain",
        "subgroups": ["route"],
        "comparison": {
            "intervention": ["drugx"],
            "comparator": ["placebo"],
            "exclude_terms": ["active control"],
        },
        "outcomes": [
            {"name": "pain", "terms": ["pain", "nrs"], "measure": "MD"},
            {"name": "responders", "terms": ["responders"], "measure": "RR"},
        ],
        "timepoints": [
            {
                "label": "end of infusion",
                "min_days": 0,
                "max_days": 0.1,
                "terms": ["end of infusion"],
            },
            {"label": "1 week", "min_days": 5, "max_days": 10},
            {"label": "4 weeks", "min_days": 21, "max_days": 42},
        ],
    }
)


def make_article(
    pmid: str, results: str, *, title: str = "DrugX versus placebo for pain"
) -> Article:
    return Article(
        pmid=pmid,
        title=title,
        sections=(
            Section(text="Adults were randomized to drugx or placebo.", label="METHODS"),
            Section(text=results, label="RESULTS"),
        ),
        publication_types=("Randomized Controlled Trial",),
        year=2020,
    )


def extraction(article: Article, **facts: Any) -> Extraction:
    return Extraction(
        pmid=article.pmid,
        text_hash=article.text_hash,
        extractor_version="t1",
        facts={"design": {"is_rct": True}, **facts},
    )


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1 week", 7.0),
        ("week 24", 168.0),
        ("30 days", 30.0),
        ("6 months", 182.625),
        ("24 h", 1.0),
        ("60 min", 1 / 24),
        ("end of treatment", None),
        ("4 to 8 weeks", None),
        (None, None),
    ],
    ids=["week", "week-n", "days", "months", "hours", "minutes", "no-number", "range", "none"],
)
def test_timepoint_days(text: str | None, days: float | None) -> None:
    got = living.timepoint_days(text)
    assert got == (None if days is None else pytest.approx(days))


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("Pain was lower with drugx versus placebo (MD -1.2).", 1),
        ("Compared with placebo, drugx lowered pain (MD -1.2).", 1),
        ("Placebo versus drugx: MD 1.2.", -1),
        ("Pain was higher with placebo than with drugx (MD 1.2).", -1),
        ("In the drugx and placebo groups pain was 3 and 4 (MD -1).", 2),
        ("In the placebo and drugx groups pain was 4 and 3 (MD 1).", 0),
        ("The mean difference was -1.2.", 0),
    ],
    ids=["versus", "compared-with-first", "reversed", "than", "order", "reverse-order", "none"],
)
def test_comparison_direction(sentence: str, direction: int) -> None:
    assert living.comparison_direction(sentence, SEARCH) == direction


def test_reported_estimate_is_matched_with_provenance() -> None:
    a = make_article(
        "1",
        "At 1 week NRS pain was lower with drugx versus placebo (MD -1.2, 95% CI -2.0 to -0.4).",
    )
    ex = extraction(
        a, effects=[reported(a, "MD -1.2, 95% CI -2.0 to -0.4", -1.2, -2.0, -0.4, "1 week")]
    )
    effects, _excl = living.study_effects(SEARCH, a, ex)
    assert [(e.outcome, e.window, e.yi) for e in effects] == [("pain", "1 week", -1.2)]
    assert effects[0].vi == pytest.approx(((-0.4 + 2.0) / (2 * 1.959963984540054)) ** 2)
    prov = effects[0].provenance
    assert prov["text_hash"] == a.text_hash and prov["extractor_version"] == "t1"
    assert prov["evidence"][0]["text"] in prov["evidence"][0]["sentence"]


@pytest.mark.parametrize(
    ("timepoint", "window"),
    [
        ("at 1 week", "1 week"),
        ("end of infusion", "end of infusion"),
        ("baseline", None),
        ("week 3", "4 weeks"),
        ("6 months", None),
    ],
    ids=["days", "term", "baseline", "week-n", "outside"],
)
def test_window_for(timepoint: str, window: str | None) -> None:
    got = living.window_for(SEARCH, timepoint)
    assert (got.label if got else None) == window


def test_reversed_comparison_flips_sign() -> None:
    a = make_article(
        "2",
        "At 1 week pain with placebo versus drugx differed (MD 1.2, 95% CI 0.4 to 2.0).",
        title="A pain trial",
    )
    ex = extraction(a, effects=[reported(a, "MD 1.2, 95% CI 0.4 to 2.0", 1.2, 0.4, 2.0, "1 week")])
    effects, _ = living.study_effects(SEARCH, a, ex)
    assert [e.yi for e in effects] == [-1.2]


@pytest.mark.parametrize(
    ("results", "fragment", "tp", "reason"),
    [
        (
            "At 1 week the mean difference in pain was -1.2 (95% CI -2.0 to -0.4).",
            "-1.2 (95% CI -2.0 to -0.4)",
            "1 week",
            "direction",
        ),
        (
            "At 1 week pain with drugx versus placebo: MD -1.2 (95% CI -2.0 to -0.4).",
            "MD -1.2 (95% CI -2.0 to -0.4)",
            "9 months",
            "fits no window",
        ),
        (
            "At 1 week pain with drugx versus placebo: MD -1.2 (95% CI -2.0 to -0.4).",
            "MD -1.2 (95% CI -2.0 to -0.4)",
            "4 weeks",
            "time point unclear",
        ),
        (
            "At 1 week weight with drugx versus placebo: MD -1.2 (95% CI -2.0 to -0.4).",
            "MD -1.2 (95% CI -2.0 to -0.4)",
            "1 week",
            "outcome",
        ),
    ],
    ids=["no-direction", "no-window", "timepoint-disagrees", "other-outcome"],
)
def test_unmatchable_values_are_left_out_with_a_reason(
    results: str, fragment: str, tp: str, reason: str
) -> None:
    a = make_article("3", results, title="A trial")
    value = -1.2
    ex = extraction(a, effects=[reported(a, fragment, value, -2.0, -0.4, tp)])
    effects, excl = living.study_effects(SEARCH, a, ex)
    assert effects == []
    assert any(reason in x.reason for x in excl), [x.reason for x in excl]


def test_two_different_estimates_for_one_cell_are_ambiguous() -> None:
    a = make_article(
        "4",
        "At 1 week pain: drugx versus placebo MD -1.2 (95% CI -2.0 to -0.4); "
        "drugx versus placebo MD -0.2 (95% CI -1.0 to 0.6).",
    )
    ex = extraction(
        a,
        effects=[
            reported(a, "MD -1.2 (95% CI -2.0 to -0.4)", -1.2, -2.0, -0.4, "1 week"),
            reported(a, "MD -0.2 (95% CI -1.0 to 0.6)", -0.2, -1.0, 0.6, "1 week"),
        ],
    )
    effects, excl = living.study_effects(SEARCH, a, ex)
    assert effects == [] and any("different values" in x.reason for x in excl)


def arm(
    article: Article, fragment: str, label: str, mean: float, sd: float, n: int, tp: str = "1 week"
) -> dict[str, Any]:
    return {
        **span(article, fragment),
        "arm": label,
        "kind": "mean",
        "value": mean,
        "sd": sd,
        "n": n,
        "events": None,
        "outcome": "pain",
        "timepoint": tp,
    }


def test_arm_pair_gives_md_and_needs_one_arm_per_side() -> None:
    a = make_article(
        "5", "At 1 week pain was 3.0 ± 1.0 (n=20) with drugx and 4.0 ± 1.2 (n=22) with placebo."
    )
    ex = extraction(
        a,
        arm_values=[
            arm(a, "3.0 ± 1.0", "drugx", 3.0, 1.0, 20),
            arm(a, "4.0 ± 1.2", "placebo", 4.0, 1.2, 22),
        ],
    )
    effects, _ = living.study_effects(SEARCH, a, ex)
    assert len(effects) == 1
    assert effects[0].yi == pytest.approx(-1.0)
    assert effects[0].vi == pytest.approx(1.0 / 20 + 1.44 / 22)
    assert len(effects[0].provenance["evidence"]) == 2
    # An unlabelled arm is not guessed.
    ex2 = extraction(
        a,
        arm_values=[
            arm(a, "3.0 ± 1.0", "", 3.0, 1.0, 20),
            arm(a, "4.0 ± 1.2", "placebo", 4.0, 1.2, 22),
        ],
    )
    effects2, excl2 = living.study_effects(SEARCH, a, ex2)
    assert effects2 == [] and any("exactly one of each" in x.reason for x in excl2)


def test_excluded_comparator_and_non_rct_are_ineligible() -> None:
    a = make_article("6", "DrugX was compared with an active control and placebo.")
    assert "excluded comparator" in (living.is_eligible(SEARCH, a, {}) or "")
    b = Article(
        pmid="7",
        title="DrugX and placebo in pain: a cohort",
        sections=(Section(text="drugx placebo"),),
    )
    assert "randomised" in (living.is_eligible(SEARCH, b, {"design": {"is_rct": False}}) or "")


def _seed(store: Store, pmids: list[str], extractor_version: str = "t1") -> None:
    arts = []
    for i, pmid in enumerate(pmids):
        arts.append(
            make_article(
                pmid,
                "At 1 week pain with drugx versus placebo: "
                f"MD -{i + 1}.0 (95% CI -{i + 2}.0 to -{i}.5).",
            )
        )
    store.upsert_articles(arts)
    store.add_search_members(SEARCH.name, pmids)
    exs = []
    for i, a in enumerate(arts):
        frag = f"MD -{i + 1}.0 (95% CI -{i + 2}.0 to -{i}.5)"
        exs.append(
            Extraction(
                pmid=a.pmid,
                text_hash=a.text_hash,
                extractor_version=extractor_version,
                facts={
                    "design": {"is_rct": True},
                    "routes": [{"route": "oral"}],
                    "effects": [reported(a, frag, -(i + 1.0), -(i + 2.0), -(i + 0.5), "1 week")],
                },
            )
        )
    store.upsert_extractions(exs)


def _refresh(store: Store, version: str = "t1") -> int | None:
    return living.write_version(store, living.build_dataset(store, SEARCH, version))


def test_versions_only_when_something_changed_and_diff(db_url: str) -> None:
    with Store.open(db_url) as store:
        _seed(store, ["11", "12"])
        assert _refresh(store) == 1
        assert _refresh(store) is None  # nothing changed: no new version
        _seed(store, ["11", "12", "13"])
        assert _refresh(store) == 2
        d = living.diff_versions(store, SEARCH.name, 1, 2)
        assert d["studies_added"] == ["13"] and d["studies_removed"] == []
        overall = [p for p in d["pooled"] if p["subgroup_key"] == "all"]
        assert overall and overall[0]["k"] == [2, 3]
        assert any("1 new trial" in h for h in d["headlines"])
        hist = living.history(store, SEARCH.name)
        assert [h["version"] for h in hist] == [1, 2]
        pooled = store.dataset_pooled_rows(SEARCH.name, 2)
        cells = {(r["subgroup_key"], r["subgroup_value"]) for r in pooled}
        assert cells == {("all", "all"), ("route", "oral")}
        assert all(r["k"] == 3 for r in pooled)


def test_review_decisions_survive_reextraction(db_url: str) -> None:
    with Store.open(db_url) as store:
        _seed(store, ["21", "22", "23"])
        store.add_review(SEARCH.name, "21", action="exclude", who="ana", why="duplicate report")
        store.add_review(
            SEARCH.name,
            "22",
            action="correct",
            who="ben",
            why="CI misprinted",
            outcome="pain",
            timepoint_window="1 week",
            fields={"value": -5.0, "ci_low": -6.0, "ci_high": -4.0},
        )
        _seed(store, ["21", "22", "23"], extractor_version="t2")  # a new extractor ran
        ds = living.build_dataset(store, SEARCH, "t2")
        by_pmid = {e.pmid: e for e in ds.effects}
        assert "21" not in by_pmid
        assert by_pmid["22"].yi == -5.0
        assert by_pmid["22"].provenance["review"]["who"] == "ben"
        assert any("ana" in x.reason and x.pmid == "21" for x in ds.excluded)
        rid = store.list_reviews(SEARCH.name)[0]["id"]
        assert store.revoke_review(rid, who="ana")
        assert "21" in {e.pmid for e in living.build_dataset(store, SEARCH, "t2").effects}


def test_synthetic_demo_records_are_never_pooled_with_real_ones(store: Store) -> None:
    _seed(store, ["SYNKET0001", "SYNKET0002"])
    only_demo = living.build_dataset(store, SEARCH, "t1")
    assert {e.pmid for e in only_demo.effects} == {"SYNKET0001", "SYNKET0002"}
    _seed(store, ["SYNKET0001", "SYNKET0002", "31"])  # the search later reached PubMed
    mixed = living.build_dataset(store, SEARCH, "t1")
    assert {e.pmid for e in mixed.effects} == {"31"}
    reasons = {x.pmid: x.reason for x in mixed.excluded}
    assert "synthetic demo record" in reasons["SYNKET0001"]
