"""``miner export studies|extractions|pooled``: every format, the data dictionary, stored values."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from miner.cli import app
from miner.commands.export import EXTRACTION_COLUMNS, POOLED_COLUMNS, STUDY_COLUMNS
from miner.errors import ConfigError
from miner.store import Store
from tests.api.fixture_data import SEARCH, FixtureInfo

COLUMNS = {"studies": STUDY_COLUMNS, "extractions": EXTRACTION_COLUMNS, "pooled": POOLED_COLUMNS}


def _export(url: str, what: str, fmt: str, out: Path, *extra: str) -> None:
    res = CliRunner().invoke(
        app, ["--db", url, "export", what, "--format", fmt, "-o", str(out), *extra]
    )
    assert res.exit_code == 0, (res.output, res.exception)


def _read(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path)
    if fmt == "json":
        return pd.DataFrame(json.loads(path.read_text()))
    if fmt == "jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_parquet(path)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
@pytest.mark.parametrize("what", ["studies", "extractions", "pooled"])
def test_export_writes_the_columns_of_its_dictionary(
    fixture_store: FixtureInfo, tmp_path: Path, what: str, fmt: str
) -> None:
    out = tmp_path / f"{what}.{fmt}"
    _export(fixture_store.url, what, fmt, out, "--search", SEARCH)
    frame = _read(out, fmt)
    assert len(frame) > 0
    assert list(frame.columns) == [c[0] for c in COLUMNS[what]]
    with (tmp_path / f"{what}.dictionary.csv").open() as fh:
        dictionary = list(csv.DictReader(fh))
    assert [d["column"] for d in dictionary] == list(frame.columns)
    assert all(d["type"] and d["description"] for d in dictionary)


def _stored(url: str) -> dict[str, Any]:
    with Store.open(url) as store:
        v = store.latest_dataset_version(SEARCH)
        assert v is not None
        return v


def test_studies_export_is_metafor_ready(fixture_store: FixtureInfo, tmp_path: Path) -> None:
    out = tmp_path / "studies.parquet"
    _export(fixture_store.url, "studies", "parquet", out, "--search", SEARCH)
    frame = pd.read_parquet(out)
    v = _stored(fixture_store.url)
    stored = {(e["pmid"], e["outcome"], e["window"]): e for e in v["content"]["effects"]}
    assert len(frame) == len(stored)
    for row in frame.itertuples():
        e = stored[(row.pmid, row.outcome, row.timepoint)]
        assert (row.yi, row.vi, row.measure) == (e["yi"], e["vi"], e["measure"])
        assert row.sei == pytest.approx(math.sqrt(e["vi"]))
        assert row.evidence_text == e["provenance"]["evidence"][0]["text"]
        assert row.version == v["version"] and row.synthetic


def test_pooled_export_matches_stored_rows(fixture_store: FixtureInfo, tmp_path: Path) -> None:
    out = tmp_path / "pooled.csv"
    _export(fixture_store.url, "pooled", "csv", out)  # every search with a version
    frame = pd.read_csv(out)
    v = _stored(fixture_store.url)
    stored = {
        (p["outcome"], p["timepoint_window"], p["subgroup_key"], p["subgroup_value"]): p
        for p in v["content"]["pooled"]
    }
    mine = frame[frame["search"] == SEARCH]
    assert len(mine) == len(stored)
    for row in mine.itertuples():
        p = stored[(row.outcome, row.timepoint, row.subgroup_key, row.subgroup_value)]
        assert row.k == p["k"]
        assert row.estimate == pytest.approx(p["estimate"])
        assert row.ci_lb == pytest.approx(p["ci_lb"]) and row.ci_ub == pytest.approx(p["ci_ub"])
        assert json.loads(row.studies) == p["studies"]


def test_extraction_export_offsets_index_the_text(
    fixture_store: FixtureInfo, tmp_path: Path
) -> None:
    out = tmp_path / "x.json"
    _export(fixture_store.url, "extractions", "json", out)  # every article
    rows = json.loads(out.read_text())
    assert {r["kind"] for r in rows} >= {"sample_size", "dose", "route", "effect"}
    with Store.open(fixture_store.url) as store:
        texts = {p: store.get_article(p).text for p in fixture_store.pmids}  # type: ignore[union-attr]
    for r in rows:
        assert texts[r["pmid"]][r["start"] : r["end"]] == r["text"]
        assert r["text"] in r["sentence"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["studies", "--format", "xml"], "csv, json, jsonl, parquet"),
        (["pooled", "--format", "parquet"], "--output"),
        (["studies", "--search", "nope"], "no saved search"),
        (["pooled", "--dataset-version", "2"], "needs --search"),
        (["studies", "--search", SEARCH, "--dataset-version", "9"], "versions: [1, 2]"),
    ],
    ids=["format", "parquet-stdout", "unknown-search", "version-without-search", "bad-version"],
)
def test_export_bad_options(fixture_store: FixtureInfo, args: list[str], message: str) -> None:
    res = CliRunner().invoke(app, ["--db", fixture_store.url, "export", *args])
    assert res.exit_code != 0
    assert isinstance(res.exception, ConfigError) and message in str(res.exception)


def test_articles_export_still_works(fixture_store: FixtureInfo) -> None:
    res = CliRunner().invoke(app, ["--db", fixture_store.url, "export", "articles"])
    assert res.exit_code == 0
    assert len(res.output.strip().splitlines()) == fixture_store.n_total
