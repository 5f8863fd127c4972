"""The embedded chain on the bundled demo corpus: ingest -> extract -> pool, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.chain import default_search_for, run_embedded, search_for_query
from miner.store import Store


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINER_OFFLINE", "1")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, dict]:
    mp = pytest.MonkeyPatch()
    mp.setenv("MINER_OFFLINE", "1")
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'm.db'}"
    with Store.open(url) as store:
        first = run_embedded(store, "ketamine neuropathic pain")
        second = run_embedded(store, "ketamine neuropathic pain")
    mp.undo()
    return url, first, second


def test_run_uses_saved_search_and_demo_corpus(demo_run: tuple[str, dict, dict]) -> None:
    _url, first, _ = demo_run
    assert first["search"] == "ketamine_neuropathic_pain"
    assert "synthetic" in first["ingest"]["source"]
    assert first["ingest"]["matched"] > 0
    assert first["extract"]["extracted"] == first["ingest"]["matched"]
    assert first["new_version"] == 1


def test_pooled_rows_are_consistent_with_stored_effects(demo_run: tuple[str, dict, dict]) -> None:
    url, first, _ = demo_run
    assert first["pooled"], "the demo must produce at least one pooled result"
    with Store.open(url) as store:
        version = store.latest_dataset_version("ketamine_neuropathic_pain")
        assert version is not None
        effects = version["content"]["effects"]
        for row in first["pooled"]:
            cell = [
                e
                for e in effects
                if (e["outcome"], e["window"]) == (row["outcome"], row["timepoint"])
            ]
            assert row["k"] == len(cell) == len({e["pmid"] for e in cell})
            lo, hi = row["ci"]
            assert lo <= row["estimate"] <= hi


def test_every_effect_keeps_its_provenance(demo_run: tuple[str, dict, dict]) -> None:
    url, _, _ = demo_run
    with Store.open(url) as store:
        content = store.latest_dataset_version("ketamine_neuropathic_pain")["content"]  # type: ignore[index]
        assert content["effects"]
        for e in content["effects"]:
            prov = e["provenance"]
            article = store.get_article(e["pmid"])
            assert article is not None and prov["text_hash"] == article.text_hash
            assert prov["extractor_version"]
            for ev in prov["evidence"]:
                assert article.text[ev["start"] : ev["end"]] == ev["text"]
                assert ev["text"] in ev["sentence"]


def test_second_run_does_no_work_and_writes_no_version(demo_run: tuple[str, dict, dict]) -> None:
    _, first, second = demo_run
    assert second["extract"]["to_extract"] == 0
    assert second["ingest"]["added"] == 0 and second["ingest"]["updated"] == 0
    assert second["new_version"] is None and second["version"] == first["version"]
    assert second["pooled"] == first["pooled"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ketamine neuropathic pain", "ketamine_neuropathic_pain"),
        ("ketamine neuropathic pain randomized", "ketamine_neuropathic_pain"),
        ("insulin glargine NPH", "glargine_nph_hba1c"),
        ("lidocaine migraine", "adhoc_lidocaine_migraine"),
    ],
    ids=["exact", "superset", "glargine", "adhoc"],
)
def test_search_for_query(store: Store, query: str, expected: str) -> None:
    assert search_for_query(store, query).name == expected


def test_adhoc_search_infers_comparison() -> None:
    s = default_search_for("lidocaine migraine")
    assert s.comparison.intervention == ("lidocaine",)
    assert "placebo" in s.comparison.comparator
    assert s.outcomes[0].terms == ("migraine",)


def test_unmatched_query_runs_and_reports_nothing(offline: None, tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store:
        out = run_embedded(store, "zzzunmatched widget")
    assert out["ingest"]["matched"] == 0 and out["pooled"] == [] and out["studies"] == 0
