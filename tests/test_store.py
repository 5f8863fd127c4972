"""The store on SQLite and PostgreSQL: migrations, idempotent upserts, batch atomicity."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from miner.errors import StoreError
from miner.records import Article, Extraction, Section
from miner.store import MIGRATIONS, Store, articles


def make_article(
    pmid: str, *, text: str = "Patients were randomized.", version: int = 1
) -> Article:
    return Article(
        pmid=pmid,
        title=f"Trial {pmid}",
        sections=(Section(text=text, label="METHODS", category="METHODS"),),
        publication_types=("Randomized Controlled Trial",),
        mesh_terms=("Ketamine",),
        journal="Test Journal",
        year=2020,
        version=version,
    )


def test_open_migrates_once_and_records_versions(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
        assert store.migrate() == []  # nothing left to apply
    with Store.open(db_url) as again:  # re-opening never re-applies
        assert again.migrate() == []


def test_upsert_is_idempotent(db_url: str) -> None:
    batch = [make_article("1"), make_article("2")]
    with Store.open(db_url) as store:
        first = store.upsert_articles(batch)
        second = store.upsert_articles(batch)
        assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
        assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
        assert store.count_articles() == 2


def test_revised_text_replaces_and_requeues_extraction(db_url: str) -> None:
    with Store.open(db_url) as store:
        original = make_article("7")
        store.upsert_articles([original])
        store.upsert_extractions(
            [Extraction(pmid="7", text_hash=original.text_hash, extractor_version="v", facts={})]
        )
        assert list(store.iter_articles(needs_extraction=True)) == []
        revised = make_article("7", text="Patients were randomised to two arms.")
        counts = store.upsert_articles([revised])
        assert counts.updated == 1
        assert store.get_article("7") == revised
        assert [a.pmid for a in store.iter_articles(needs_extraction=True)] == ["7"]
        # The old extraction no longer describes the current text.
        assert store.get_extraction("7") is None


@pytest.mark.parametrize(
    ("stored", "incoming", "expected_version"),
    [(1, 2, 2), (2, 1, 2)],
    ids=["newer-version-wins", "older-version-ignored"],
)
def test_version_ordering(db_url: str, stored: int, incoming: int, expected_version: int) -> None:
    with Store.open(db_url) as store:
        store.upsert_articles([make_article("9", version=stored)])
        store.upsert_articles([make_article("9", version=incoming, text="changed")])
        found = store.get_article("9")
        assert found is not None and found.version == expected_version


def test_delete_and_restore(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.upsert_articles([make_article("3"), make_article("4")])
        assert store.delete_articles(["3", "404"]).deleted == 1
        assert store.delete_articles(["3"]).deleted == 0  # already gone
        assert store.get_article("3") is None
        assert [a.pmid for a in store.iter_articles()] == ["4"]
        assert store.upsert_articles([make_article("3")]).updated == 1  # back again
        assert store.count_articles() == 2


def test_failed_batch_leaves_earlier_batches_intact(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.upsert_articles([make_article("10")])
        bad = replace(make_article("11"), title=None)  # type: ignore[arg-type]
        with pytest.raises(sa.exc.IntegrityError):
            store.upsert_articles([make_article("12"), bad])
        # The failed batch wrote nothing, the earlier one is untouched.
        assert [a.pmid for a in store.iter_articles()] == ["10"]


def test_extraction_upsert_keyed_on_pmid_hash_version(db_url: str) -> None:
    with Store.open(db_url) as store:
        article = make_article("20")
        store.upsert_articles([article])
        e1 = Extraction(
            pmid="20", text_hash=article.text_hash, extractor_version="a", facts={"x": 1}
        )
        assert store.upsert_extractions([e1, e1]).added == 1
        assert store.upsert_extractions([replace(e1, facts={"x": 2})]).updated == 1
        e2 = replace(e1, extractor_version="b")
        assert store.upsert_extractions([e2]).added == 1
        assert store.count_extractions() == 2
        got = store.get_extraction("20", extractor_version="a")
        assert got is not None and got.facts == {"x": 2}


def test_iter_articles_pages_through_many(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.upsert_articles(make_article(f"{i:05d}") for i in range(1203))
        pmids = [a.pmid for a in store.iter_articles(batch_size=250)]
        assert pmids == sorted(pmids) and len(set(pmids)) == 1203
        subset = [a.pmid for a in store.iter_articles(pmids=["00002", "00001", "99999"])]
        assert subset == ["00001", "00002"]


def test_bad_url_is_a_store_error(tmp_path: object) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        Store.open("nosuchdialect://x")


def test_schema_has_expected_key(store: Store) -> None:
    assert [c.name for c in articles.primary_key.columns] == ["pmid"]
    inspector = sa.inspect(store.engine)
    assert {"articles", "extractions", "schema_migrations"} <= set(inspector.get_table_names())
