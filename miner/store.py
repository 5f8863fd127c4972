"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL.

The schema is created and migrated by the package itself: :data:`MIGRATIONS`
is an ordered list of ``(version, description, function)``; :meth:`Store.open`
applies the ones the database has not seen, each in its own transaction, and
records them in ``schema_migrations``. Later features add a migration to the
end of the list; nothing edits an applied one.

Every write method takes a batch and writes it in one transaction, and every
write is an upsert on a natural key (articles on ``pmid``; extractions on
``pmid + text_hash + extractor_version``), so re-running a step never
duplicates rows and a failure half-way through a batch leaves what was
committed before it untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from miner.config import Settings
from miner.errors import StoreError
from miner.records import Article, Extraction, Section

metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("pmid", sa.String(32), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("abstract", sa.Text, nullable=False),
    sa.Column("sections", sa.Text, nullable=False),  # JSON list of {text,label,category}
    sa.Column("publication_types", sa.Text, nullable=False),  # JSON list
    sa.Column("mesh_terms", sa.Text, nullable=False),  # JSON list
    sa.Column("journal", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("doi", sa.Text),
    sa.Column("pmcid", sa.Text),
    sa.Column("language", sa.Text),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("needs_extraction", sa.Boolean, nullable=False, default=True, index=True),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

extractions = sa.Table(
    "extractions",
    metadata,
    sa.Column("pmid", sa.String(32), primary_key=True),
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("extractor_version", sa.String(64), primary_key=True),
    sa.Column("record_id", sa.Text),
    sa.Column("facts", sa.Text, nullable=False),  # JSON object of the `miner extract` contract
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# -- living dataset (migration 2) ----------------------------------------------------

searches = sa.Table(
    "searches",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),  # JSON of miner.searches.SavedSearch
    sa.Column("origin", sa.Text, nullable=False),  # "user" or the TOML path it came from
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

search_articles = sa.Table(
    "search_articles",
    metadata,
    sa.Column("search", sa.String(128), primary_key=True),
    sa.Column("pmid", sa.String(32), primary_key=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

dataset_versions = sa.Table(
    "dataset_versions",
    metadata,
    sa.Column("search", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("code_version", sa.Text, nullable=False),
    sa.Column("extractor_versions", sa.Text, nullable=False),  # JSON list
    sa.Column("n_studies", sa.Integer, nullable=False),
    sa.Column("n_effects", sa.Integer, nullable=False),
    sa.Column("job_id", sa.Text),
    sa.Column(
        "content", sa.Text, nullable=False
    ),  # JSON: studies, effects, excluded, pooled, reviews
)

dataset_effects = sa.Table(
    "dataset_effects",
    metadata,
    sa.Column("search", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("pmid", sa.String(32), primary_key=True),
    sa.Column("outcome", sa.String(256), primary_key=True),
    sa.Column("timepoint_window", sa.String(128), primary_key=True),
    sa.Column("measure", sa.String(16), nullable=False),
    sa.Column("yi", sa.Float, nullable=False),
    sa.Column("vi", sa.Float, nullable=False),
    sa.Column("n_total", sa.Integer),
    sa.Column("subgroups", sa.Text, nullable=False),  # JSON {"route": ..., "dose_band": ...}
    sa.Column(
        "provenance", sa.Text, nullable=False
    ),  # JSON: text_hash, extractor_version, evidence
)

dataset_pooled = sa.Table(
    "dataset_pooled",
    metadata,
    sa.Column("search", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("outcome", sa.String(256), primary_key=True),
    sa.Column("timepoint_window", sa.String(128), primary_key=True),
    sa.Column("subgroup_key", sa.String(64), primary_key=True),  # "all", "route", "dose_band"
    sa.Column("subgroup_value", sa.String(128), primary_key=True),  # "all" for the overall pool
    sa.Column("measure", sa.String(16), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("k", sa.Integer, nullable=False),
    sa.Column("estimate", sa.Float),
    sa.Column("se", sa.Float),
    sa.Column("ci_lb", sa.Float),
    sa.Column("ci_ub", sa.Float),
    sa.Column("tau2", sa.Float),
    sa.Column("i2", sa.Float),
    sa.Column("pi_lb", sa.Float),
    sa.Column("pi_ub", sa.Float),
    sa.Column("result", sa.Text, nullable=False),  # JSON of the whole PoolResult (or the error)
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("search", sa.String(128), nullable=False, index=True),
    sa.Column("pmid", sa.String(32), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # exclude | include | correct
    sa.Column("outcome", sa.String(256)),
    sa.Column("timepoint_window", sa.String(128)),
    sa.Column("fields", sa.Text, nullable=False),  # JSON of corrected values ({} otherwise)
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.Text),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("search", sa.String(128), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),  # queued|running|done|failed
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("done", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("summary", sa.Text),  # JSON
    sa.Column("error", sa.Text),
)

LIVING_TABLES = (
    searches,
    search_articles,
    dataset_versions,
    dataset_effects,
    dataset_pooled,
    reviews,
    jobs,
)


def _migration_1(conn: Connection) -> None:
    for table in (articles, extractions):
        table.create(conn, checkfirst=True)


def _migration_2(conn: Connection) -> None:
    for table in LIVING_TABLES:
        table.create(conn, checkfirst=True)


Migration = tuple[int, str, Callable[[Connection], None]]

#: Ordered, append-only list of schema migrations.
# A migration that alters an existing table must check what is already there:
# on a fresh database, migration 1 creates tables as they are defined now.
MIGRATIONS: list[Migration] = [
    (1, "articles and extractions", _migration_1),
    (
        2,
        "living dataset: searches, members, versions, effects, pooled, reviews, jobs",
        _migration_2,
    ),
]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What a batch write did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.added + other.added,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
        )


def _live_extractions() -> sa.Select[Any]:
    """Extraction rows of the current text of articles that are not deleted."""
    return (
        sa.select(extractions)
        .join(
            articles,
            (articles.c.pmid == extractions.c.pmid)
            & (articles.c.text_hash == extractions.c.text_hash),
        )
        .where(articles.c.deleted.is_(False))
    )


def _extraction(row: Any) -> Extraction:
    return Extraction(
        pmid=row.pmid,
        text_hash=row.text_hash,
        extractor_version=row.extractor_version,
        facts=json.loads(row.facts),
        record_id=row.record_id,
    )


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _article_row(article: Article, now: datetime) -> dict[str, Any]:
    return {
        "pmid": article.pmid,
        "version": article.version,
        "text_hash": article.text_hash,
        "title": article.title,
        "abstract": article.abstract,
        "sections": json.dumps(
            [{"text": s.text, "label": s.label, "category": s.category} for s in article.sections]
        ),
        "publication_types": json.dumps(list(article.publication_types)),
        "mesh_terms": json.dumps(list(article.mesh_terms)),
        "journal": article.journal,
        "year": article.year,
        "doi": article.doi,
        "pmcid": article.pmcid,
        "language": article.language,
        "source": article.source,
        "deleted": False,
        "needs_extraction": True,
        "updated_at": now,
    }


def _row_to_article(row: Any) -> Article:
    return Article(
        pmid=row.pmid,
        title=row.title,
        sections=tuple(Section(**s) for s in json.loads(row.sections)),
        publication_types=tuple(json.loads(row.publication_types)),
        mesh_terms=tuple(json.loads(row.mesh_terms)),
        journal=row.journal,
        year=row.year,
        doi=row.doi,
        pmcid=row.pmcid,
        language=row.language,
        version=row.version,
        source=row.source,
    )


class Store:
    """Handle on one database. Use :meth:`open`; it migrates on first use.

    Parameters
    ----------
    engine:
        A SQLAlchemy engine; :meth:`open` builds one from a URL.
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- lifecycle -----------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (creating and migrating if needed) the store at ``url``.

        ``url`` defaults to ``MINER_DB_URL``, else a SQLite file under ``MINER_HOME``.
        """
        url = url or Settings.from_env().db_url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(
                parents=True, exist_ok=True
            )
        try:
            engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot open store {url!r}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        store.migrate()
        return store

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> list[int]:
        """Apply the migrations the database has not seen; return their versions."""
        applied: list[int] = []
        try:
            with self.engine.begin() as conn:
                if self.engine.dialect.name == "postgresql":
                    # Serialise concurrent migrators (two workers starting at once).
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7316001)"))
                schema_migrations.create(conn, checkfirst=True)
                done = set(conn.execute(sa.select(schema_migrations.c.version)).scalars())
                for version, description, func in MIGRATIONS:
                    if version in done:
                        continue
                    func(conn)
                    conn.execute(
                        schema_migrations.insert().values(
                            version=version, description=description, applied_at=_now()
                        )
                    )
                    applied.append(version)
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot migrate store {self.url}: {exc.orig}") from exc
        return applied

    def schema_version(self) -> int:
        """The highest migration applied."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.max(schema_migrations.c.version))).scalar() or 0
            )

    # -- articles -----------------------------------------------------------------

    def upsert_articles(self, batch: Iterable[Article]) -> UpsertCounts:
        """Insert new articles and replace revised ones, in one transaction.

        A stored article is replaced (and marked for re-extraction) when the
        incoming one has a higher PubMed version or different text; an older
        version never overwrites a newer one. A deleted article that comes
        back is restored. Within the batch, the last record of a PMID wins.
        """
        incoming: dict[str, Article] = {}
        for article in batch:
            incoming[article.pmid] = article
        if not incoming:
            return UpsertCounts()
        now = _now()
        unchanged = 0
        with self.engine.begin() as conn:
            existing: dict[str, Any] = {}
            for keys in _chunks(list(incoming)):
                for row in conn.execute(
                    sa.select(
                        articles.c.pmid,
                        articles.c.version,
                        articles.c.text_hash,
                        articles.c.deleted,
                    ).where(articles.c.pmid.in_(keys))
                ):
                    existing[row.pmid] = row
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for pmid, article in incoming.items():
                old = existing.get(pmid)
                if old is None:
                    inserts.append({**_article_row(article, now), "first_seen": now})
                    continue
                newer = article.version > old.version
                changed = article.version == old.version and article.text_hash != old.text_hash
                if newer or changed or old.deleted:
                    values = _article_row(article, now)
                    values["b_pmid"] = values.pop("pmid")
                    updates.append(values)
                else:
                    unchanged += 1
            for chunk in _chunks(inserts):
                conn.execute(articles.insert(), list(chunk))
            if updates:
                # One executemany: a per-row UPDATE cost ~6x an insert on SQLite.
                conn.execute(
                    articles.update().where(articles.c.pmid == sa.bindparam("b_pmid")), updates
                )
            added, updated = len(inserts), len(updates)
        return UpsertCounts(added=added, updated=updated, unchanged=unchanged)

    def delete_articles(self, pmids: Iterable[str]) -> UpsertCounts:
        """Mark articles deleted (PubMed ``DeleteCitation``); return how many were live."""
        keys = list(dict.fromkeys(pmids))
        deleted = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(keys):
                result = conn.execute(
                    articles.update()
                    .where(articles.c.pmid.in_(chunk), articles.c.deleted.is_(False))
                    .values(deleted=True, needs_extraction=False, updated_at=_now())
                )
                deleted += result.rowcount or 0
        return UpsertCounts(deleted=deleted)

    def get_article(self, pmid: str) -> Article | None:
        """The live article with this PMID, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(articles).where(articles.c.pmid == pmid, articles.c.deleted.is_(False))
            ).first()
        return _row_to_article(row) if row else None

    def iter_articles(
        self,
        *,
        pmids: Iterable[str] | None = None,
        needs_extraction: bool | None = None,
        batch_size: int = 500,
    ) -> Iterator[Article]:
        """Yield live articles in PMID order, optionally filtered."""
        query = sa.select(articles).where(articles.c.deleted.is_(False))
        if needs_extraction is not None:
            query = query.where(articles.c.needs_extraction.is_(needs_extraction))
        if pmids is not None:
            wanted = list(dict.fromkeys(pmids))
            for chunk in _chunks(wanted, batch_size):
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        query.where(articles.c.pmid.in_(chunk)).order_by(articles.c.pmid)
                    ).all()
                yield from (_row_to_article(r) for r in rows)
            return
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    query.where(articles.c.pmid > last).order_by(articles.c.pmid).limit(batch_size)
                ).all()
            if not rows:
                return
            yield from (_row_to_article(r) for r in rows)
            last = rows[-1].pmid

    def count_articles(self, *, include_deleted: bool = False) -> int:
        """How many articles are stored (live only unless asked)."""
        query = sa.select(sa.func.count()).select_from(articles)
        if not include_deleted:
            query = query.where(articles.c.deleted.is_(False))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    # -- extractions ---------------------------------------------------------------

    def upsert_extractions(self, batch: Iterable[Extraction]) -> UpsertCounts:
        """Store extractions keyed on (pmid, text_hash, extractor_version), in one transaction.

        The articles they belong to are marked as extracted, but only if the
        article's text still has the hash the extraction was made from (a
        revision that arrived meanwhile stays queued).
        """
        rows = {(e.pmid, e.text_hash, e.extractor_version): e for e in batch}
        if not rows:
            return UpsertCounts()
        now = _now()
        with self.engine.begin() as conn:
            existing: set[tuple[str, str, str]] = set()
            for pmids in _chunks(list({key[0] for key in rows})):
                existing.update(
                    (r.pmid, r.text_hash, r.extractor_version)
                    for r in conn.execute(
                        sa.select(
                            extractions.c.pmid,
                            extractions.c.text_hash,
                            extractions.c.extractor_version,
                        ).where(extractions.c.pmid.in_(pmids))
                    )
                )
            inserts = [
                {
                    "pmid": pmid,
                    "text_hash": thash,
                    "extractor_version": version,
                    "record_id": e.record_id,
                    "facts": json.dumps(e.facts, sort_keys=True),
                    "created_at": now,
                }
                for (pmid, thash, version), e in rows.items()
                if (pmid, thash, version) not in existing
            ]
            updates = [
                {
                    "b_pmid": pmid,
                    "b_hash": thash,
                    "b_version": version,
                    "facts": json.dumps(e.facts, sort_keys=True),
                }
                for (pmid, thash, version), e in rows.items()
                if (pmid, thash, version) in existing
            ]
            if inserts:
                conn.execute(extractions.insert(), inserts)
            if updates:
                conn.execute(
                    extractions.update()
                    .where(
                        extractions.c.pmid == sa.bindparam("b_pmid"),
                        extractions.c.text_hash == sa.bindparam("b_hash"),
                        extractions.c.extractor_version == sa.bindparam("b_version"),
                    )
                    .values(facts=sa.bindparam("facts")),
                    updates,
                )
            conn.execute(
                articles.update()
                .where(
                    articles.c.pmid == sa.bindparam("b_pmid"),
                    articles.c.text_hash == sa.bindparam("b_hash"),
                )
                .values(needs_extraction=False),
                [{"b_pmid": pmid, "b_hash": thash} for pmid, thash, _ in rows],
            )
        added, updated = len(inserts), len(updates)
        return UpsertCounts(added=added, updated=updated)

    def get_extraction(
        self, pmid: str, *, extractor_version: str | None = None
    ) -> Extraction | None:
        """The extraction of the article's current text (newest if no version is given)."""
        query = (
            _live_extractions()
            .where(extractions.c.pmid == pmid)
            .order_by(extractions.c.created_at.desc())
        )
        if extractor_version is not None:
            query = query.where(extractions.c.extractor_version == extractor_version)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _extraction(row)

    def count_extractions(self) -> int:
        """How many extraction rows are stored (all versions)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(extractions)).scalar() or 0
            )

    # -- living dataset (migration 2; used by miner.living and workers) ---------------

    def save_search(self, name: str, definition: dict[str, Any], *, origin: str) -> bool:
        """Insert or replace a saved-search definition; return True when it changed."""
        payload = json.dumps(definition, sort_keys=True)
        now = _now()
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(searches.c.definition).where(searches.c.name == name)
            ).first()
            if row is None:
                conn.execute(
                    searches.insert().values(
                        name=name,
                        definition=payload,
                        origin=origin,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return True
            if row.definition == payload:
                return False
            conn.execute(
                searches.update()
                .where(searches.c.name == name)
                .values(definition=payload, origin=origin, updated_at=now)
            )
            return True

    def get_search_definition(self, name: str) -> dict[str, Any] | None:
        """The stored definition of a saved search (JSON dict), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(searches.c.definition).where(searches.c.name == name)
            ).first()
        return json.loads(row.definition) if row else None

    def list_search_definitions(self) -> list[dict[str, Any]]:
        """Stored saved searches as ``{"name", "origin", "definition", "updated_at"}``."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(searches).order_by(searches.c.name)).all()
        return [
            {
                "name": r.name,
                "origin": r.origin,
                "definition": json.loads(r.definition),
                "updated_at": r.updated_at,
            }
            for r in rows
        ]

    def add_search_members(self, search: str, pmids: Iterable[str]) -> int:
        """Record that these PMIDs matched ``search``; return how many were new."""
        keys = list(dict.fromkeys(pmids))
        added = 0
        now = _now()
        with self.engine.begin() as conn:
            for chunk in _chunks(keys):
                have = set(
                    conn.execute(
                        sa.select(search_articles.c.pmid).where(
                            search_articles.c.search == search,
                            search_articles.c.pmid.in_(chunk),
                        )
                    ).scalars()
                )
                new = [
                    {"search": search, "pmid": p, "added_at": now} for p in chunk if p not in have
                ]
                if new:
                    conn.execute(search_articles.insert(), new)
                    added += len(new)
        return added

    def search_members(self, search: str) -> list[str]:
        """PMIDs of the live articles that matched ``search``, sorted."""
        query = (
            sa.select(search_articles.c.pmid)
            .join(articles, articles.c.pmid == search_articles.c.pmid)
            .where(search_articles.c.search == search, articles.c.deleted.is_(False))
            .order_by(search_articles.c.pmid)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def pmids_missing_extraction(self, pmids: Iterable[str], extractor_version: str) -> list[str]:
        """Live articles among ``pmids`` whose current text has no extraction at this version."""
        keys = list(dict.fromkeys(pmids))
        missing: list[str] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                done = set(
                    conn.execute(
                        sa.select(articles.c.pmid)
                        .join(
                            extractions,
                            (extractions.c.pmid == articles.c.pmid)
                            & (extractions.c.text_hash == articles.c.text_hash)
                            & (extractions.c.extractor_version == extractor_version),
                        )
                        .where(articles.c.pmid.in_(chunk))
                    ).scalars()
                )
                live = conn.execute(
                    sa.select(articles.c.pmid).where(
                        articles.c.pmid.in_(chunk), articles.c.deleted.is_(False)
                    )
                ).scalars()
                missing.extend(p for p in live if p not in done)
        return sorted(missing)

    def current_extractions(
        self, pmids: Iterable[str], extractor_version: str
    ) -> dict[str, Extraction]:
        """Extractions at ``extractor_version`` of the current text of these live articles."""
        keys = list(dict.fromkeys(pmids))
        out: dict[str, Extraction] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                rows = conn.execute(
                    _live_extractions().where(
                        extractions.c.pmid.in_(chunk),
                        extractions.c.extractor_version == extractor_version,
                    )
                ).all()
                for r in rows:
                    out[r.pmid] = _extraction(r)
        return out

    def latest_dataset_version(self, search: str) -> dict[str, Any] | None:
        """The newest dataset version of ``search`` (see :meth:`get_dataset_version`), or None."""
        with self.engine.connect() as conn:
            version = conn.execute(
                sa.select(sa.func.max(dataset_versions.c.version)).where(
                    dataset_versions.c.search == search
                )
            ).scalar()
        return None if version is None else self.get_dataset_version(search, int(version))

    def get_dataset_version(self, search: str, version: int) -> dict[str, Any] | None:
        """One dataset version: metadata plus ``content`` (studies, effects, excluded, pooled)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(dataset_versions).where(
                    dataset_versions.c.search == search, dataset_versions.c.version == version
                )
            ).first()
        if row is None:
            return None
        return {
            "search": row.search,
            "version": row.version,
            "fingerprint": row.fingerprint,
            "created_at": row.created_at.isoformat(),
            "code_version": row.code_version,
            "extractor_versions": json.loads(row.extractor_versions),
            "n_studies": row.n_studies,
            "n_effects": row.n_effects,
            "job_id": row.job_id,
            "content": json.loads(row.content),
        }

    def list_dataset_versions(self, search: str) -> list[dict[str, Any]]:
        """Metadata of every version of ``search``, oldest first (no ``content``)."""
        cols = [c for c in dataset_versions.c if c.name != "content"]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*cols)
                .where(dataset_versions.c.search == search)
                .order_by(dataset_versions.c.version)
            ).all()
        return [
            {
                "search": r.search,
                "version": r.version,
                "fingerprint": r.fingerprint,
                "created_at": r.created_at.isoformat(),
                "code_version": r.code_version,
                "extractor_versions": json.loads(r.extractor_versions),
                "n_studies": r.n_studies,
                "n_effects": r.n_effects,
                "job_id": r.job_id,
            }
            for r in rows
        ]

    def write_dataset_version(
        self,
        search: str,
        *,
        fingerprint: str,
        content: dict[str, Any],
        effect_rows: Sequence[dict[str, Any]],
        pooled_rows: Sequence[dict[str, Any]],
        code_version: str,
        extractor_versions: Sequence[str],
        job_id: str | None = None,
    ) -> int | None:
        """Write version n+1 of ``search`` in one transaction, unless nothing changed.

        Returns the new version number, or None when the newest version already
        has this ``fingerprint``. Two writers racing for the same number cannot
        both win: the primary key (search, version) refuses the second, which
        then sees the winner's fingerprint on retry.
        """
        for _attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    if self.engine.dialect.name == "postgresql":
                        conn.execute(
                            sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                            {"k": f"miner-dataset:{search}"},
                        )
                    last = conn.execute(
                        sa.select(dataset_versions.c.version, dataset_versions.c.fingerprint)
                        .where(dataset_versions.c.search == search)
                        .order_by(dataset_versions.c.version.desc())
                        .limit(1)
                    ).first()
                    if last is not None and last.fingerprint == fingerprint:
                        return None
                    version = 1 if last is None else last.version + 1
                    conn.execute(
                        dataset_versions.insert().values(
                            search=search,
                            version=version,
                            fingerprint=fingerprint,
                            created_at=_now(),
                            code_version=code_version,
                            extractor_versions=json.dumps(sorted(set(extractor_versions))),
                            n_studies=len(content.get("studies", ())),
                            n_effects=len(effect_rows),
                            job_id=job_id,
                            content=json.dumps(content, sort_keys=True),
                        )
                    )
                    if effect_rows:
                        conn.execute(
                            dataset_effects.insert(),
                            [{**r, "search": search, "version": version} for r in effect_rows],
                        )
                    if pooled_rows:
                        conn.execute(
                            dataset_pooled.insert(),
                            [{**r, "search": search, "version": version} for r in pooled_rows],
                        )
                    return version
            except sa.exc.IntegrityError:
                continue  # another writer took this number; look again
        raise StoreError(f"search {search}: could not write a dataset version (3 conflicts)")

    def _version_rows(self, table: sa.Table, search: str, version: int) -> Sequence[Any]:
        with self.engine.connect() as conn:
            query = sa.select(table).where(table.c.search == search, table.c.version == version)
            return conn.execute(query).mappings().all()

    def dataset_pooled_rows(self, search: str, version: int) -> list[dict[str, Any]]:
        """The ``dataset_pooled`` rows of one version (columns as keys, ``result`` parsed)."""
        rows = self._version_rows(dataset_pooled, search, version)
        return [{**dict(r), "result": json.loads(r["result"])} for r in rows]

    def dataset_effect_rows(self, search: str, version: int) -> list[dict[str, Any]]:
        """The ``dataset_effects`` rows of one version (JSON columns parsed)."""
        rows = self._version_rows(dataset_effects, search, version)
        return [
            {
                **dict(r),
                "subgroups": json.loads(r["subgroups"]),
                "provenance": json.loads(r["provenance"]),
            }
            for r in rows
        ]

    def add_review(
        self,
        search: str,
        pmid: str,
        *,
        action: str,
        who: str,
        why: str,
        outcome: str | None = None,
        timepoint_window: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> int:
        """Record a human decision (exclude / include / correct); return its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                reviews.insert().values(
                    search=search,
                    pmid=pmid,
                    action=action,
                    outcome=outcome,
                    timepoint_window=timepoint_window,
                    fields=json.dumps(fields or {}, sort_keys=True),
                    who=who,
                    why=why,
                    created_at=_now(),
                )
            )
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def list_reviews(self, search: str, *, active_only: bool = True) -> list[dict[str, Any]]:
        """Human decisions on ``search``, oldest first (revoked ones only if asked)."""
        query = sa.select(reviews).where(reviews.c.search == search).order_by(reviews.c.id)
        if active_only:
            query = query.where(reviews.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        out = []
        for r in rows:
            d = dict(r)
            d["fields"] = json.loads(d["fields"])
            d["created_at"] = d["created_at"].isoformat()
            d["revoked_at"] = d["revoked_at"].isoformat() if d["revoked_at"] else None
            out.append(d)
        return out

    def revoke_review(self, review_id: int, *, who: str) -> bool:
        """Withdraw a review decision (kept for the record); True if it was active."""
        with self.engine.begin() as conn:
            result = conn.execute(
                reviews.update()
                .where(reviews.c.id == review_id, reviews.c.revoked_at.is_(None))
                .values(revoked_at=_now(), revoked_by=who)
            )
        return bool(result.rowcount)

    def save_job(self, job_id: str, search: str, **fields: Any) -> None:
        """Create or update a job row (state, stage, done, total, summary, error)."""
        now = _now()
        values = dict(fields)
        if "summary" in values and values["summary"] is not None:
            values["summary"] = json.dumps(values["summary"], sort_keys=True, default=str)
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(jobs.c.id).where(jobs.c.id == job_id)).first()
            if exists is None:
                base = {"state": "queued", "stage": "queued", "done": 0, "total": 0}
                conn.execute(
                    jobs.insert().values(
                        id=job_id,
                        search=search,
                        created_at=now,
                        updated_at=now,
                        **{**base, **values},
                    )
                )
            elif values:
                conn.execute(
                    jobs.update().where(jobs.c.id == job_id).values(updated_at=now, **values)
                )

    def add_job_progress(self, job_id: str, done: int) -> None:
        """Add ``done`` to a job's counter atomically (many extract batches report at once)."""
        with self.engine.begin() as conn:
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id)
                .values(done=jobs.c.done + done, updated_at=_now())
            )

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """One job row as a dict (``summary`` parsed), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return _job_dict(row) if row else None

    def list_jobs(self, search: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The newest jobs of ``search`` first."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    sa.select(jobs)
                    .where(jobs.c.search == search)
                    .order_by(jobs.c.created_at.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        return [_job_dict(r) for r in rows]


def _job_dict(row: Any) -> dict[str, Any]:
    d = dict(row)
    d["summary"] = json.loads(d["summary"]) if d.get("summary") else None
    for key in ("created_at", "updated_at"):
        d[key] = d[key].isoformat() if d[key] else None
    return d


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (API, dashboard) run while a refresh writes;
    # busy_timeout makes concurrent writers wait instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts and survives a killed process; only an
    # OS crash or power cut can undo the last commits. FULL fsyncs every commit
    # and cost about 40% of ingest wall time.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
