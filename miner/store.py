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


def _migration_1(conn: Connection) -> None:
    for table in (articles, extractions):
        table.create(conn, checkfirst=True)


Migration = tuple[int, str, Callable[[Connection], None]]

#: Ordered, append-only list of schema migrations.
# A migration that alters an existing table must check what is already there:
# on a fresh database, migration 1 creates tables as they are defined now.
MIGRATIONS: list[Migration] = [
    (1, "articles and extractions", _migration_1),
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
        added = updated = unchanged = 0
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
            for pmid, article in incoming.items():
                old = existing.get(pmid)
                if old is None:
                    inserts.append({**_article_row(article, now), "first_seen": now})
                    added += 1
                    continue
                newer = article.version > old.version
                changed = article.version == old.version and article.text_hash != old.text_hash
                if newer or changed or old.deleted:
                    conn.execute(
                        articles.update()
                        .where(articles.c.pmid == pmid)
                        .values(**_article_row(article, now))
                    )
                    updated += 1
                else:
                    unchanged += 1
            for rows in _chunks(inserts):
                conn.execute(articles.insert(), list(rows))
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
        added = updated = 0
        with self.engine.begin() as conn:
            for (pmid, thash, version), e in rows.items():
                key = (
                    (extractions.c.pmid == pmid)
                    & (extractions.c.text_hash == thash)
                    & (extractions.c.extractor_version == version)
                )
                payload = json.dumps(e.facts, sort_keys=True)
                if conn.execute(sa.select(extractions.c.pmid).where(key)).first():
                    conn.execute(extractions.update().where(key).values(facts=payload))
                    updated += 1
                else:
                    conn.execute(
                        extractions.insert().values(
                            pmid=pmid,
                            text_hash=thash,
                            extractor_version=version,
                            record_id=e.record_id,
                            facts=payload,
                            created_at=now,
                        )
                    )
                    added += 1
                conn.execute(
                    articles.update()
                    .where(articles.c.pmid == pmid, articles.c.text_hash == thash)
                    .values(needs_extraction=False)
                )
        return UpsertCounts(added=added, updated=updated)

    def get_extraction(
        self, pmid: str, *, extractor_version: str | None = None
    ) -> Extraction | None:
        """The extraction of the article's current text (newest if no version is given)."""
        query = (
            sa.select(extractions)
            .join(
                articles,
                (articles.c.pmid == extractions.c.pmid)
                & (articles.c.text_hash == extractions.c.text_hash),
            )
            .where(extractions.c.pmid == pmid, articles.c.deleted.is_(False))
            .order_by(extractions.c.created_at.desc())
        )
        if extractor_version is not None:
            query = query.where(extractions.c.extractor_version == extractor_version)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return Extraction(
            pmid=row.pmid,
            text_hash=row.text_hash,
            extractor_version=row.extractor_version,
            facts=json.loads(row.facts),
            record_id=row.record_id,
        )

    def count_extractions(self) -> int:
        """How many extraction rows are stored (all versions)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(extractions)).scalar() or 0
            )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (API, dashboard) run while a refresh writes;
    # busy_timeout makes concurrent writers wait instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
