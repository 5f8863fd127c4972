"""Ingest: PubMed XML files or an E-utilities query into the store.

Records are written in batches, each batch one store transaction
(:meth:`~miner.store.Store.upsert_articles`,
:meth:`~miner.store.Store.delete_articles`). Deletions are applied in file
order: the articles read before a ``<DeleteCitation>`` are flushed first, so
"revise, then delete" in one update file means what PubMed meant.

When a file turns out to be malformed half-way, the records parsed before the
bad one are still written (each was complete), the error is recorded with the
file and record number, and ingestion goes on with the next file unless
``stop_on_error`` is set. Nothing already committed is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miner.errors import ParseError, PubMedError
from miner.pubmed_xml import iter_pubmed_xml
from miner.records import Article, Deletion

if TYPE_CHECKING:
    from miner.pubmed import PubMedClient, SearchResult
    from miner.store import Store

__all__ = ["IngestSummary", "Progress", "ingest_files", "ingest_query", "ingest_records"]

#: ``progress(done, total)``: records handled so far, and the total when known.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What an ingest run did.

    Attributes
    ----------
    added:
        Articles new to the store.
    updated:
        Stored articles replaced by a revision (newer version or changed text;
        they are queued for re-extraction) or restored after a deletion.
    deleted:
        Live articles marked deleted by ``DeleteCitation``.
    skipped:
        Records read but not written: already stored unchanged, or not a
        journal citation (``PubmedBookArticle``).
    errors:
        One message per failure, each naming the file (or query) and record.
    """

    added: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def __add__(self, other: IngestSummary) -> IngestSummary:
        return IngestSummary(
            added=self.added + other.added,
            updated=self.updated + other.updated,
            deleted=self.deleted + other.deleted,
            skipped=self.skipped + other.skipped,
            errors=[*self.errors, *other.errors],
        )

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """``{"added", "updated", "deleted", "skipped", "errors"}``, JSON-ready."""
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "errors": list(self.errors),
        }


class _Writer:
    """Accumulates records and writes them in batches, keeping file order."""

    def __init__(
        self, store: Store, batch_size: int, progress: Progress | None, total: int | None
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.store = store
        self.batch_size = batch_size
        self.progress = progress
        self.total = total
        self.pending: list[Article] = []
        self.added = self.updated = self.deleted = self.skipped = 0
        self.done = 0

    def add(self, record: Article | Deletion) -> None:
        if isinstance(record, Deletion):
            self.flush()
            counts = self.store.delete_articles(record.pmids)
            self.deleted += counts.deleted
            self._tick(1)
            return
        self.pending.append(record)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        counts = self.store.upsert_articles(batch)
        self.added += counts.added
        self.updated += counts.updated
        # Duplicates of one PMID inside a batch collapse to the last one.
        self.skipped += len(batch) - counts.added - counts.updated
        self._tick(len(batch))

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)

    def summary(self, errors: list[str]) -> IngestSummary:
        return IngestSummary(
            added=self.added,
            updated=self.updated,
            deleted=self.deleted,
            skipped=self.skipped,
            errors=errors,
        )


def ingest_records(
    store: Store,
    records: Iterable[Article | Deletion],
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    total: int | None = None,
) -> IngestSummary:
    """Write a stream of articles and deletions, in order, in batches.

    An exception from ``records`` (a parse error half-way, a network error)
    propagates after the records read before it have been written.
    """
    writer = _Writer(store, batch_size, progress, total)
    try:
        for record in records:
            writer.add(record)
    finally:
        writer.flush()
    return writer.summary([])


def ingest_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    progress: Progress | None = None,
    batch_size: int = 500,
    stop_on_error: bool = False,
) -> IngestSummary:
    """Ingest PubMed XML files (plain or gzip) in the given order.

    Parameters
    ----------
    store:
        The open store.
    paths:
        Baseline/update files or efetch replies; apply update files in
        PubMed's order (a later file may revise or delete what an earlier one
        added).
    progress:
        Called as ``progress(done, None)`` after each batch.
    batch_size:
        Articles per store transaction.
    stop_on_error:
        Stop at the first unreadable file instead of going on with the next.

    Returns
    -------
    IngestSummary
        Counts over all files; ``errors`` holds one message per bad file,
        naming the file and the record number where it broke.
    """
    writer = _Writer(store, batch_size, progress, None)
    errors: list[str] = []
    for path in paths:
        reader = iter_pubmed_xml(path, source_name=str(path))
        try:
            for record in reader:
                writer.add(record)
        except ParseError as exc:
            errors.append(str(exc))
            if stop_on_error:
                break
        finally:
            # Records parsed before a failure were complete: keep them.
            writer.flush()
            writer.skipped += reader.skipped
    return writer.summary(errors)


def ingest_query(
    store: Store,
    client: PubMedClient,
    query: str,
    *,
    since: date | str | None = None,
    until: date | str | None = None,
    progress: Progress | None = None,
    batch_size: int = 500,
    fetch_batch_size: int = 200,
) -> IngestSummary:
    """Search PubMed and ingest every matching record.

    Parameters
    ----------
    store:
        The open store.
    client:
        An open :class:`~miner.pubmed.PubMedClient`.
    query:
        PubMed search term.
    since, until:
        Entry-date window (``datetype=edat``, inclusive): a daily refresh of a
        saved search passes the date of its last run as ``since`` and fetches
        only what PubMed added after it.
    progress:
        Called as ``progress(done, total)``, ``total`` from ESearch's count.
    batch_size:
        Articles per store transaction.
    fetch_batch_size:
        Records per EFetch request.

    Returns
    -------
    IngestSummary
        On an E-utilities failure (rate limit spent, server errors, a reply
        that never parsed) the records fetched before it are kept and the
        error is listed in ``errors``.
    """
    total: list[int] = []

    def on_search(result: SearchResult) -> None:
        total.append(result.count)
        writer.total = sum(total)

    writer = _Writer(store, batch_size, progress, None)
    errors: list[str] = []
    try:
        for record in client.search_and_fetch(
            query,
            since=since,
            until=until,
            batch_size=fetch_batch_size,
            on_search=on_search,
        ):
            writer.add(record)
    except PubMedError as exc:
        errors.append(f"query {query!r}: {exc}")
    finally:
        writer.flush()
    return writer.summary(errors)
