"""The evidence summary: every number printed is a stored number (rounded as printed)."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from miner import report
from miner.errors import ConfigError
from miner.records import Effect
from miner.store import Store, extractions
from tests.api.fixture_data import SEARCH, FixtureInfo

NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-])-?\d+(?:\.\d+)?(?![A-Za-z0-9_])")
CITATION = re.compile(r"\[(\d+)\]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _numeric_leaves(obj: Any) -> list[float]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [float(obj)] if math.isfinite(obj) else []
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numeric_leaves(v)]
    if isinstance(obj, list | tuple):
        return [x for v in obj for x in _numeric_leaves(v)]
    if isinstance(obj, str):
        return [float(m) for m in NUMBER.findall(obj)]
    return []


def allowed_numbers(store: Store, search: str) -> tuple[set[str], int, set[str]]:
    """Every number the summary may print, read straight from the store (not via miner.report).

    Returns the allowed numbers formatted with 0-3 decimals, the number of
    studies of the newest version (citation range) and the versions' dates.
    """
    values: list[float] = []
    dates: set[str] = set()
    n_latest = 0
    for meta in store.list_dataset_versions(search):
        v = store.get_dataset_version(search, meta["version"])
        assert v is not None
        c = v["content"]
        dates.add(v["created_at"][:10])
        values.append(float(v["version"]))
        values += _numeric_leaves(c["search"])  # labels such as "4 weeks", "< 0.5 mg/kg"
        for p in c["pooled"]:
            for f in ("k", "estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"):
                x = p.get(f)
                if isinstance(x, int | float):
                    values.append(float(x))
                    if p["measure"] in report.RATIO_MEASURES and f not in ("k", "tau2", "I2"):
                        values.append(math.exp(x))
        for e in c["effects"]:
            values += [e["yi"], e["vi"]] + ([float(e["n_total"])] if e.get("n_total") else [])
        facts: dict[str, Any] = {}
        with store.engine.connect() as conn:
            for s in c["studies"]:
                values += _numeric_leaves(s["title"])
                if s.get("year"):
                    values.append(float(s["year"]))
                row = conn.execute(
                    sa.select(extractions.c.facts).where(
                        extractions.c.pmid == s["pmid"],
                        extractions.c.text_hash == s["text_hash"],
                        extractions.c.extractor_version == s["extractor_version"],
                    )
                ).first()
                facts[s["pmid"]] = json.loads(row.facts) if row else {}
                values += _numeric_leaves(
                    {k: facts[s["pmid"]].get(k) for k in ("sample_size", "doses", "effects")}
                )
        # Sums of stored participant counts: per pooled cell and over all (efficacy) studies.
        n_of = {p: (f.get("sample_size") or {}).get("randomized") for p, f in facts.items()}
        values.append(float(sum(n for n in n_of.values() if n)))
        efficacy = [s["pmid"] for s in c["studies"] if s.get("efficacy", True)]
        values.append(float(sum(n_of.get(p) or 0 for p in efficacy)))
        # Issue-8 sections: tiers, cited syntheses, harms, durability, dose-response, doses.
        values += [float(n) for n in (c.get("tier_counts") or {}).values()]
        values += [float(i) for i in range(max((c.get("tier_counts") or {"": 0}).values()) + 1)]
        for cited in c.get("cited") or ():
            values += _numeric_leaves(cited["title"]) + (
                [float(cited["year"])] if cited.get("year") else []
            )
        harms = c.get("harms") or {}
        for h in harms.get("pooled") or ():
            values += _numeric_leaves(
                {
                    f: h[f]
                    for f in (
                        "k",
                        "estimate",
                        "ci_lb",
                        "ci_ub",
                        "events_t",
                        "n_t",
                        "events_c",
                        "n_c",
                    )
                }
            )
        for st in harms.get("status") or ():
            values += _numeric_leaves(
                {k: v for k, v in st.items() if k not in ("category", "studies")}
            )
        for d in c.get("durability") or ():
            values += _numeric_leaves(d["windows"])
        for d in c.get("dose_response") or ():
            values += _numeric_leaves({"k": d["k"], "min_studies": d["min_studies"]})
            reg = d.get("regression") or {}
            values += _numeric_leaves(
                {k: reg.get(k) for k in ("slope", "slope_ci_lb", "slope_ci_ub", "slope_pval")}
            )
        for st in c["studies"]:
            values += _numeric_leaves((st.get("dose") or {}).get("value"))
        for p in c["pooled"]:
            values.append(float(sum(n_of.get(pm) or 0 for pm in p.get("studies", ()))))
        # Counts of stored records (trials, mentions): integers up to the number of values.
        n_doses = sum(len(f.get("doses") or ()) for f in facts.values())
        values += [float(i) for i in range(max(len(c["studies"]), n_doses) + 1)]
        n_latest = len(c["studies"])
        # Egger's test recomputed from the stored yi/vi of each cell with k >= 10.
        from miner import pool

        for p in c["pooled"]:
            if p["subgroup_key"] == "all" and p["k"] >= report.THRESHOLDS["egger_min_k"]:
                cell = sorted(
                    (
                        e
                        for e in c["effects"]
                        if (e["outcome"], e["window"]) == (p["outcome"], p["timepoint_window"])
                    ),
                    key=lambda e: e["pmid"],
                )
                eg = pool.egger_test(
                    [Effect(e["pmid"], e["measure"], e["yi"], e["vi"]) for e in cell],
                    pool.estimator(c["search"]["method"]),
                )
                values.append(eg.pval)
    values += [*report.THRESHOLDS.values(), 95.0]  # rule thresholds and the CI level
    allowed = {report.fmt(v, d) for v in values for d in range(4)}
    return allowed, n_latest, dates


def check_numbers(text: str, allowed: set[str], n_studies: int, dates: set[str]) -> int:
    """Assert every number in ``text`` is allowed; return how many were checked."""
    for date in ISO_DATE.findall(text):
        assert date in dates, f"date {date} is not a stored version date"
    text = ISO_DATE.sub(" ", text)
    for n in CITATION.findall(text):
        assert 1 <= int(n) <= n_studies, f"citation [{n}] out of 1..{n_studies}"
    text = CITATION.sub(" ", text)
    found = NUMBER.findall(text)
    stray = [x for x in found if x not in allowed]
    assert not stray, f"numbers not in the stored dataset: {stray}"
    return len(found)


def _html_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("version", [1, 2], ids=["v1", "v2"])
@pytest.mark.parametrize("output_format", ["md", "html"])
def test_every_number_is_a_stored_number(
    fixture_store: FixtureInfo, version: int, output_format: str
) -> None:
    with Store.open(fixture_store.url) as store:
        text = report.evidence_summary(store, SEARCH, output_format=output_format, version=version)
        allowed, n_latest, dates = allowed_numbers(store, SEARCH)
    if output_format == "html":
        text = _html_text(text)
    checked = check_numbers(text, allowed, n_latest, dates)
    assert checked > 20  # the summary does print numbers


def test_the_check_catches_an_invented_number(fixture_store: FixtureInfo) -> None:
    with Store.open(fixture_store.url) as store:
        text = report.evidence_summary(store, SEARCH)
        allowed, n, dates = allowed_numbers(store, SEARCH)
    tampered = text.replace("MD ", "MD 123.456 ", 1)
    with pytest.raises(AssertionError, match=r"123\.456"):
        check_numbers(tampered, allowed, n, dates)


def test_demo_corpus_summary_numbers_are_stored(demo_url: str) -> None:
    with Store.open(demo_url) as store:
        text = report.evidence_summary(store, SEARCH)
        allowed, n, dates = allowed_numbers(store, SEARCH)
    assert "synthetic" in text.lower() or n == 0
    check_numbers(text, allowed, n, dates)


def test_summary_sections_and_flags(fixture_store: FixtureInfo) -> None:
    with Store.open(fixture_store.url) as store:
        v2 = report.evidence_summary(store, SEARCH, version=2)
        v1 = report.evidence_summary(store, SEARCH, version=1)
        facts = report.summary_facts(store, SEARCH, 2)
    for heading in (
        "## Question",
        "## Trials and participants",
        "## Pooled effects",
        "## Durability across time points",
        "## Doses and routes studied",
        "## Certainty flags",
        "## What changed since the last version",
        "## References",
    ):
        assert heading in v2
    big = [c for c in facts.cells if c.k >= 10]
    assert big, "the fixture has a cell with k >= 10"
    for c in big:
        assert f"Small-study effects ({c.outcome} at {c.timepoint}): Egger's test p =" in v2
    assert "Egger's test p =" not in v1  # no cell reaches k = 10 in version 1
    assert "Risk of bias: not assessed" in v2
    assert "Compared with version 1" in v2
    added = fixture_store.n_total - fixture_store.n_v1
    assert f"{added} trials added" in v2
    assert "Version 1 is the first version." in v1
    for c in facts.cells:
        if c.crosses_null:
            assert f"Imprecision ({c.outcome} at {c.timepoint}): the 95% CI includes" in v2


def test_synthetic_ids_are_labelled_and_never_linked(fixture_store: FixtureInfo) -> None:
    with Store.open(fixture_store.url) as store:
        md = report.evidence_summary(store, SEARCH)
        page = report.evidence_summary(store, SEARCH, output_format="html")
    refs = md.split("## References", 1)[1].strip().splitlines()
    assert len(refs) == fixture_store.n_total
    for i, (line, pmid) in enumerate(zip(refs, fixture_store.pmids, strict=True), 1):
        assert line.startswith(f"[{i}] {pmid}") and "synthetic" in line
    assert "pubmed.ncbi" not in md and "pubmed.ncbi" not in page


@pytest.mark.parametrize(
    "pmid,synthetic,url",
    [
        ("12345678", False, "https://pubmed.ncbi.nlm.nih.gov/12345678/"),
        ("SYNKET0001", True, None),
        ("PMC123", True, None),
    ],
    ids=["real", "demo", "pmc"],
)
def test_pubmed_links_only_for_real_ids(pmid: str, synthetic: bool, url: str | None) -> None:
    assert report.is_synthetic_pmid(pmid) is synthetic
    assert report.pubmed_url(pmid) == url


def test_unknown_search_version_and_format(fixture_store: FixtureInfo) -> None:
    with Store.open(fixture_store.url) as store:
        with pytest.raises(ConfigError, match=SEARCH):
            report.evidence_summary(store, "nope")
        with pytest.raises(ConfigError, match=r"versions: \[1, 2\]"):
            report.evidence_summary(store, SEARCH, version=9)
        with pytest.raises(ConfigError, match="md, html"):
            report.evidence_summary(store, SEARCH, output_format="pdf")


def test_cli_report_writes_markdown_and_html(fixture_store: FixtureInfo, tmp_path: Path) -> None:
    from miner.cli import app

    runner = CliRunner()
    out = tmp_path / "brief.html"
    res = runner.invoke(
        app, ["--db", fixture_store.url, "report", SEARCH, "--format", "html", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<!doctype html>")
    res = runner.invoke(app, ["--db", fixture_store.url, "report", SEARCH])
    assert res.exit_code == 0 and res.output.startswith("# Evidence summary")
    res = runner.invoke(app, ["--db", fixture_store.url, "report", "nope"])
    assert res.exit_code != 0 and isinstance(res.exception, ConfigError)


def test_harms_tiers_durability_and_dose_sections(fixture_store: FixtureInfo) -> None:
    with Store.open(fixture_store.url) as store:
        text = report.evidence_summary(store, SEARCH)
        content = store.latest_dataset_version(SEARCH)["content"]  # type: ignore[index]
    harms = content["harms"]
    rr = next(h for h in harms["pooled"] if h["category"] == "dizziness" and h["measure"] == "RR")
    line = next(x for x in text.splitlines() if x.startswith("- dizziness, study period:"))
    assert f"RR {report.fmt(rr['estimate'])} (95% CI {report.fmt(rr['ci_lb'])}" in line
    assert f"events {rr['events_t']}/{rr['n_t']}" in line
    # a stated absence is a zero-event finding; a trial without any harm sentence is "not reported"
    assert "zero events reported in both arms" in text
    status = next(s for s in harms["status"] if s["category"] == "dizziness")
    assert status["not_reported"] > 0 and status["zero_reported"] == 0
    assert f"not reported in {status['not_reported']}." in text
    counts = content["tier_counts"]
    assert f"randomized: {counts['randomized']}" in text
    for finding in content["durability"]:
        assert finding["sentence"] in text
    fitted = [d for d in content["dose_response"] if d["status"] == "fitted"]
    assert fitted and "Dose-response (mg/kg)" in text
