"""The refresh chain as plain functions: ingest -> extract -> pool.

The same functions run in-process (:func:`refresh_embedded`,
:func:`run_embedded`, the embedded default with no broker) and inside the
Celery tasks of :mod:`workers.tasks`, which only pass ids and names. Every
step re-reads what it needs from the store and writes with upserts on natural
keys, so running a step twice (a redelivered task, two concurrent refreshes)
changes nothing the second time.

Sources
-------
A saved search reads either PubMed (``query``) or a local corpus file
(``[source]``, a path under ``MINER_SHARED_DATA``): PubMed XML, a tar of
PubMed "Abstract (text)" exports, or evidence-inference JSONL.

PubMed refreshes are incremental: ESearch gives the search's membership (all
matching PMIDs), then only what PubMed entered since the last dataset version
(``datetype=edat``, a day of overlap) plus members never stored are fetched.
A refresh whose fetch fails (rate limit or server errors past the client's
retries) raises :class:`~miner.errors.PubMedError`: the records fetched before
the failure stay stored, no version is written, and the next refresh asks
again from the same date.

When E-utilities cannot be reached:

- ``MINER_OFFLINE=1`` is an explicit choice: the bundled SYNTHETIC demo corpus
  stands in for PubMed (filtered by the query's words; the result says so);
- otherwise a saved PubMed search fails clearly (nothing fetched, no version
  written) rather than silently pooling synthetic records as if they were
  PubMed's; only ``miner run`` on the demo question
  (:data:`miner.demo.DEMO_QUERY`) falls back to the demo corpus, so that the
  first command a new user types works on a machine with no network.

The demo corpus is never mixed into a search that already holds real records.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
import tarfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from miner.config import Settings
from miner.errors import ConfigError, ExtractionError, PubMedError, StoreError
from miner.records import Article, Deletion, Extraction, Section
from miner.searches import Comparison, Outcome, SavedSearch, TimeWindow, query_terms
from miner.store import Store

#: ``progress(stage, done, total)``: the embedded path's progress callback.
Progress = Callable[[str, int, int], None]

#: Articles per extract batch (one store transaction, one Celery task).
EXTRACT_BATCH = 64


# ----------------------------------------------------------------------------- sources


def _pubmed_text_article(raw: str, *, source: str) -> Article | None:
    """Parse one PubMed "Abstract (text)" export (citation, title, authors, abstract, PMID)."""
    pmid_m = re.search(r"^PMID:\s*(\d+)", raw, re.MULTILINE)
    if not pmid_m:
        return None
    blocks = [b.strip() for b in re.split(r"\n\s*\n", raw.strip()) if b.strip()]
    if len(blocks) < 3:
        return None
    citation, title = blocks[0], " ".join(blocks[1].split())
    year_m = re.search(r"\b(19|20)\d\d\b", citation)
    journal_m = re.match(r"\d+\.\s*([^.]+)\.", citation)
    skip = re.compile(
        r"^(Author information|Comment in|Comment on|Erratum in|Collaborators|Update of|"
        r"Copyright|DOI:|PMID:|PMCID:|Conflict of interest|Trial registration|Retraction)",
        re.IGNORECASE,
    )
    body = [b for b in blocks[3:] if not skip.match(b)]
    if not body:
        return None
    abstract = max(body, key=len)
    label_re = re.compile(r"^([A-Z][A-Z ,/&\-]{2,}):\s+", re.MULTILINE)
    sections: list[Section] = []
    marks = list(label_re.finditer(abstract))
    if marks:
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(abstract)
            text = " ".join(abstract[m.end() : end].split())
            sections.append(Section(text=text, label=m.group(1).strip()))
    else:
        sections.append(Section(text=" ".join(abstract.split())))
    doi_m = re.search(r"^DOI:\s*(\S+)", raw, re.MULTILINE)
    return Article(
        pmid=pmid_m.group(1),
        title=title,
        sections=tuple(sections),
        journal=journal_m.group(1).strip() if journal_m else None,
        year=int(year_m.group(0)) if year_m else None,
        doi=doi_m.group(1) if doi_m else None,
        source=source,
    )


def _iter_pubmed_text_tar(path: Path, members: str | None) -> Iterator[Article]:
    with tarfile.open(path, "r:*") as tar:
        for info in tar:
            if not info.isfile() or not info.name.endswith(".txt"):
                continue
            if members and not fnmatch.fnmatch(info.name, members):
                continue
            handle = tar.extractfile(info)
            if handle is None:
                continue
            article = _pubmed_text_article(
                handle.read().decode("utf-8", "replace"), source=f"{path.name}:{info.name}"
            )
            if article is not None:
                yield article


def iter_evidence_inference(path: Path) -> Iterator[Article]:
    """Articles of an evidence-inference JSONL file (abstracts without text are skipped)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            sections = tuple(
                Section(text=s["text"], label=s.get("label"))
                for s in row.get("abstract_sections") or ()
                if s.get("text")
            )
            if not sections:
                continue
            yield Article(
                pmid=row["pmcid"],
                title=row.get("title") or "",
                sections=sections,
                pmcid=row["pmcid"],
                source="evidence-inference",
            )


def iter_local_source(search: SavedSearch) -> Iterator[Article | Deletion]:
    """Records of the search's local corpus file (path relative to ``MINER_SHARED_DATA``).

    Raises
    ------
    ConfigError
        When the search has no local source or the file is missing.
    """
    src = search.source
    if src is None:
        raise ConfigError(f"search {search.name} has no [source]")
    from miner.shared_data import shared_data_dir

    path = Path(src.path)
    if not path.is_absolute():
        path = shared_data_dir() / path
    if not path.exists():
        raise ConfigError(f"search {search.name}: corpus {path} not found (set MINER_SHARED_DATA)")
    if src.format == "pubmed-xml":
        from miner.pubmed_xml import iter_pubmed_xml

        yield from iter_pubmed_xml(path, source_name=str(path))
    elif src.format == "pubmed-text-tar":
        yield from _iter_pubmed_text_tar(path, src.members)
    else:
        yield from iter_evidence_inference(path)


def matches_query(article: Article, terms: Sequence[str]) -> bool:
    """Local stand-in for a PubMed search: every query word in title, abstract or MeSH."""
    hay = (article.text + "\n" + " ".join(article.mesh_terms)).lower()
    return all(re.search(r"(?<![a-z0-9])" + re.escape(t), hay) for t in terms)


def pubmed_reachable(settings: Settings, timeout_s: float = 3.0) -> bool:
    """Whether E-utilities answers (False at once when ``MINER_OFFLINE=1``)."""
    if settings.offline:
        return False
    import httpx

    try:
        httpx.get(f"{settings.eutils_url}/einfo.fcgi", timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return True


# ----------------------------------------------------------------------------- steps


@dataclass(slots=True)
class IngestResult:
    """What :func:`ingest_step` did: the search's member PMIDs and the store counts."""

    source: str
    pmids: list[str]
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    new_members: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "matched": len(self.pmids),
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "new_members": self.new_members,
            "notes": list(self.notes),
        }


def _ingest_local(
    store: Store, search: SavedSearch, records: Iterable[Article | Deletion], source: str
) -> IngestResult:
    terms = search.query_terms()
    batch: list[Article] = []
    deleted: list[str] = []
    for rec in records:
        if isinstance(rec, Deletion):
            deleted.extend(rec.pmids)
        elif matches_query(rec, terms):
            batch.append(rec)
    result = IngestResult(source=source, pmids=sorted({a.pmid for a in batch}))
    for i in range(0, len(batch), 500):
        counts = store.upsert_articles(batch[i : i + 500])
        result.added += counts.added
        result.updated += counts.updated
        result.unchanged += counts.unchanged
    if deleted:
        result.deleted = store.delete_articles(deleted).deleted
    result.new_members = store.add_search_members(search.name, result.pmids)
    return result


def ingest_step(
    store: Store,
    search: SavedSearch,
    *,
    settings: Settings | None = None,
    allow_demo: bool = False,
) -> IngestResult:
    """Fetch the search's records into the store and remember which ones matched.

    Parameters
    ----------
    store, search:
        Where to write; what to fetch.
    settings:
        ``MINER_OFFLINE`` and ``MINER_EUTILS_URL`` come from here.
    allow_demo:
        Fall back to the synthetic demo corpus when PubMed cannot be reached
        (``miner run`` on the demo question only; see the module docstring).

    Raises
    ------
    PubMedError
        PubMed unreachable (and no demo fallback allowed), or a fetch that
        failed past the client's retries (records fetched before it are kept).
    ConfigError
        The demo corpus would be mixed into a search holding real records.
    """
    settings = settings or Settings.from_env()
    if search.source is not None:
        return _ingest_local(store, search, iter_local_source(search), search.source.path)
    if settings.offline:
        return _ingest_demo(store, search, "MINER_OFFLINE=1")
    if pubmed_reachable(settings):
        return _ingest_pubmed(store, search, settings)
    if allow_demo:
        return _ingest_demo(store, search, f"PubMed not reachable at {settings.eutils_url}")
    raise PubMedError(
        f"search {search.name}: NCBI E-utilities not reachable at {settings.eutils_url}; "
        "nothing was fetched and the dataset is unchanged. Set MINER_EUTILS_URL to a "
        "reachable mirror, or MINER_OFFLINE=1 to run on the bundled synthetic demo corpus",
        query=search.query,
    )


def _ingest_demo(store: Store, search: SavedSearch, why: str) -> IngestResult:
    from miner.demo import demo_corpus_path, is_synthetic_id
    from miner.pubmed_xml import iter_pubmed_xml

    real = [p for p in store.search_members(search.name) if not is_synthetic_id(p)]
    if real:
        raise ConfigError(
            f"search {search.name} holds {len(real)} real records (e.g. {real[0]}); "
            f"{why}, and the synthetic demo corpus must not be mixed in: refresh it when "
            "PubMed can be reached"
        )
    result = _ingest_local(
        store, search, iter_pubmed_xml(demo_corpus_path()), "demo corpus (synthetic)"
    )
    result.notes.append(f"{why}: used the bundled SYNTHETIC demo corpus")
    return result


def _client_options() -> dict[str, Any]:
    """Retry settings for the E-utilities client from the environment (defaults: the client's).

    ``MINER_EUTILS_MAX_RETRIES`` (retries after the first attempt) and
    ``MINER_EUTILS_BACKOFF`` (seconds, doubled per attempt): a deployment
    behind a flaky proxy may want more patience, a test less.
    """
    import os

    opts: dict[str, Any] = {}
    if value := os.environ.get("MINER_EUTILS_MAX_RETRIES"):
        opts["max_retries"] = int(value)
    if value := os.environ.get("MINER_EUTILS_BACKOFF"):
        opts["backoff"] = float(value)
    return opts


def _ingest_pubmed(store: Store, search: SavedSearch, settings: Settings) -> IngestResult:
    from miner.ingest import ingest_query, ingest_records
    from miner.pubmed import PubMedClient

    with PubMedClient.from_settings(settings, **_client_options()) as client:
        # Membership is what PubMed says matches (ids of every date window).
        pmids = sorted(
            {
                pmid
                for window in client.search_windows(search.query)
                if window.count
                for pmid in client.esearch(
                    search.query,
                    mindate=window.mindate,
                    maxdate=window.maxdate,
                    retmax=window.count,
                    usehistory=False,
                ).ids
            }
        )
        # Then only what entered PubMed since the last version (a day of
        # overlap; upserts make the overlap free). Revisions of older records
        # arrive through the update files (`miner ingest`).
        latest = store.latest_dataset_version(search.name)
        since = (
            (datetime.fromisoformat(latest["created_at"]) - timedelta(days=1)).date()
            if latest
            else None
        )
        summary = ingest_query(store, client, search.query, since=since)
        if summary.errors:
            # Records fetched before the failure are committed; no version is
            # written, so the next refresh asks again from the same date.
            raise PubMedError(
                f"search {search.name}: fetch failed after {summary.added} added, "
                f"{summary.updated} updated (kept): {'; '.join(summary.errors)}",
                query=search.query,
            )
        unseen = [p for p in pmids if store.get_article(p) is None]
        if unseen:
            # Older records that match but were never stored (a new or widened
            # search, or a refresh that failed half-way).
            summary = summary + ingest_records(store, client.efetch(unseen, query=search.query))
    result = IngestResult(
        source="pubmed",
        pmids=pmids,
        added=summary.added,
        updated=summary.updated,
        unchanged=summary.skipped,
        deleted=summary.deleted,
    )
    if since is not None:
        result.notes.append(f"fetched entries since {since.isoformat()} (edat)")
    result.new_members = store.add_search_members(search.name, pmids)
    return result


_EXTRACTOR: Any = None


def get_extractor() -> Any:
    """The process-wide :class:`miner.extract.Extractor` (one nlp per process)."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from miner.extract import Extractor

        _EXTRACTOR = Extractor()
    return _EXTRACTOR


def current_extractor_version() -> str:
    """The extractor version new extractions get."""
    from miner.extract import extractor_version

    return str(extractor_version())


def extract_step(store: Store, pmids: Sequence[str]) -> dict[str, Any]:
    """Extract the articles among ``pmids`` not yet extracted at this version; one transaction.

    Idempotent: articles whose (pmid, text hash, extractor version) is stored
    are skipped, so a redelivered batch does no work twice.
    """
    version = current_extractor_version()
    todo = store.pmids_missing_extraction(pmids, version)
    if not todo:
        return {"requested": len(pmids), "extracted": 0, "failed": 0, "errors": []}
    articles = list(store.iter_articles(pmids=todo))
    extractor = get_extractor()
    done: list[Extraction] = []
    errors: list[str] = []
    for article, got in zip(articles, extractor.extract_articles(articles), strict=True):
        if isinstance(got, ExtractionError):
            errors.append(str(got))
            # Record the failure as an extraction so the article is not retried forever.
            got = Extraction(
                pmid=article.pmid,
                text_hash=article.text_hash,
                extractor_version=version,
                facts={"id": article.pmid, "pmid": article.pmid, "error": str(got)},
                record_id=article.pmid,
            )
        else:
            got = Extraction(
                pmid=article.pmid,
                text_hash=article.text_hash,
                extractor_version=got.extractor_version,
                facts=got.facts,
                record_id=got.record_id,
            )
        done.append(got)
    store.upsert_extractions(done)
    return {
        "requested": len(pmids),
        "extracted": len(done) - len(errors),
        "failed": len(errors),
        "errors": errors[:20],
    }


#: Seconds a pool lock lives at most (far above any pooling time): a crashed
#: holder cannot block a search for longer.
POOL_LOCK_TTL = 900


class PoolBusy(StoreError):
    """Another process held the search's pool lock for longer than we would wait."""


def pool_lock_key(search_name: str) -> str:
    """The Redis key that serialises pooling of one search (pool task, ``miner review``)."""
    return f"miner:pool:{search_name}"


@contextmanager
def pool_lock(
    search_name: str,
    *,
    settings: Settings | None = None,
    enabled: bool | None = None,
    wait_s: float | None = None,
) -> Iterator[None]:
    """Hold the search's pool lock (a Redis lock) while the block runs.

    Every writer of a search's dataset version takes it, so a pool task and a
    person's ``miner review`` never interleave.

    Parameters
    ----------
    search_name:
        The saved search.
    settings:
        ``MINER_REDIS_URL`` names the Redis holding the lock.
    enabled:
        Default: only when a broker is configured (``MINER_BROKER_URL``); the
        embedded default has no Redis and no concurrent pool workers.
    wait_s:
        Seconds to wait for the lock (default ``MINER_POOL_LOCK_WAIT`` or
        :data:`POOL_LOCK_TTL`).

    Raises
    ------
    PoolBusy
        The lock was not free within ``wait_s``.
    """
    settings = settings or Settings.from_env()
    if enabled is None:
        enabled = bool(settings.broker_url)
    if not enabled:
        yield
        return
    import os

    import redis

    if wait_s is None:
        wait_s = float(os.environ.get("MINER_POOL_LOCK_WAIT") or POOL_LOCK_TTL)
    client = redis.Redis.from_url(settings.redis_url)
    lock = client.lock(pool_lock_key(search_name), timeout=POOL_LOCK_TTL, blocking_timeout=wait_s)
    if not lock.acquire(blocking=True):
        raise PoolBusy(
            f"search {search_name}: another refresh or review held the pool lock for over "
            f"{wait_s:.0f}s (Redis key {pool_lock_key(search_name)}); try again later"
        )
    try:
        yield
    finally:
        # An expired lock (TTL far above any pooling time) must not fail the caller.
        with suppress(redis.exceptions.LockError):
            lock.release()


def pool_step(
    store: Store, search: SavedSearch, *, job_id: str | None = None, notes: Sequence[str] = ()
) -> dict[str, Any]:
    """Build the search's dataset from the store and write a version if anything changed.

    Members still missing an extraction at the current version (a batch lost
    to a crash) are extracted here first, so the result never silently lacks
    an abstract.
    """
    from miner import living

    members = store.search_members(search.name)
    missing = store.pmids_missing_extraction(members, current_extractor_version())
    caught_up = extract_step(store, missing)["extracted"] if missing else 0
    dataset = living.build_dataset(store, search, current_extractor_version(), notes=notes)
    version = living.write_version(store, dataset, job_id=job_id)
    latest = store.latest_dataset_version(search.name)
    return {
        "search": search.name,
        "new_version": version,
        "version": latest["version"] if latest else None,
        "studies": len(dataset.studies),
        "effects": len(dataset.effects),
        "excluded": len(dataset.excluded),
        "extracted_at_pool": caught_up,
        "pooled": living.summarise_pooled(dataset.pooled, overall_only=True),
        **living.summarise_dataset(dataset),
    }


# ----------------------------------------------------------------------------- embedded


def batches(items: Sequence[str], size: int = EXTRACT_BATCH) -> list[list[str]]:
    """``items`` cut into lists of at most ``size``."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def refresh_embedded(
    store: Store,
    search: SavedSearch,
    *,
    progress: Progress | None = None,
    job_id: str | None = None,
    settings: Settings | None = None,
    allow_demo: bool = False,
) -> dict[str, Any]:
    """Run ingest -> extract batches -> pool in this process; return a JSON-able summary.

    ``allow_demo`` lets the ingest step fall back to the synthetic demo corpus
    when PubMed cannot be reached (see :func:`ingest_step`).
    """
    job_id = job_id or f"embedded-{uuid.uuid4().hex[:12]}"
    t0 = time.perf_counter()
    store.save_job(job_id, search.name, state="running", stage="ingest")
    try:
        ingested = ingest_step(store, search, settings=settings, allow_demo=allow_demo)
        todo = store.pmids_missing_extraction(ingested.pmids, current_extractor_version())
        store.save_job(job_id, search.name, stage="extract", total=len(todo))
        extracted = failed = 0
        for i, chunk in enumerate(batches(todo)):
            got = extract_step(store, chunk)
            extracted += got["extracted"]
            failed += got["failed"]
            store.add_job_progress(job_id, len(chunk))
            if progress:
                progress("extract", min((i + 1) * EXTRACT_BATCH, len(todo)), len(todo))
        store.save_job(job_id, search.name, stage="pool")
        pooled = pool_step(store, search, job_id=job_id, notes=ingested.notes)
    except Exception as exc:
        store.save_job(job_id, search.name, state="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    summary = {
        "job_id": job_id,
        "search": search.name,
        "ingest": ingested.to_dict(),
        "extract": {"to_extract": len(todo), "extracted": extracted, "failed": failed},
        **{k: v for k, v in pooled.items() if k != "search"},
        "seconds": round(time.perf_counter() - t0, 3),
    }
    store.save_job(job_id, search.name, state="done", stage="done", summary=summary)
    return summary


def default_search_for(query: str) -> SavedSearch:
    """An ad hoc saved search for a query no saved search covers.

    The comparison is inferred the way the demo is written: the query's first
    word is the intervention, placebo/saline/sham the comparator, the other
    words the outcome (pooled as MD, and as RR for responder counts).
    """
    terms = query_terms(query)
    if not terms:
        raise ConfigError(f"query {query!r} has no words to search for")
    intervention, rest = terms[0], terms[1:] or terms
    name = re.sub(r"[^a-z0-9]+", "_", query.lower()).strip("_")[:60] or "adhoc"
    windows = [
        TimeWindow(label="up to 2 days", min_days=0, max_days=2, terms=("end of infusion",)),
        TimeWindow(label="3 to 14 days", min_days=3, max_days=14),
        TimeWindow(label="15 to 60 days", min_days=15, max_days=60),
        TimeWindow(label="61 to 180 days", min_days=61, max_days=180),
        TimeWindow(label="over 180 days", min_days=181, max_days=3650),
    ]
    return SavedSearch(
        name=f"adhoc_{name}",
        title=f"Ad hoc: {query}",
        query=query,
        comparison=Comparison(
            intervention=(intervention,), comparator=("placebo", "saline", "sham")
        ),
        outcomes=(
            Outcome(name=" ".join(rest), terms=tuple(rest), measure="MD"),
            Outcome(
                name=f"{' '.join(rest)} responders", terms=("responder", "responders"), measure="RR"
            ),
        ),
        timepoints=tuple(windows),
        schedule="never",
    )


def search_for_query(store: Store, query: str) -> SavedSearch:
    """The saved search whose query words best cover ``query`` (else an ad hoc one)."""
    from miner.living import all_searches

    words = set(query_terms(query))
    best: tuple[float, SavedSearch] | None = None
    for s in all_searches(store):
        mine = set(s.query_terms())
        if not mine:
            continue
        overlap = len(words & mine) / len(words | mine)
        covers = words == mine or (mine <= words and overlap >= 0.5)
        if covers and (best is None or overlap > best[0]):
            best = (overlap, s)
    return best[1] if best else default_search_for(query)


def run_embedded(store: Store, query: str, *, progress: Progress | None = None) -> dict[str, Any]:
    """``miner run QUERY``: pick (or infer) the saved search and refresh it in-process.

    Returns
    -------
    dict
        JSON-able: ``search``, ``ingest`` (source, matched, added, updated ...),
        ``extract`` counts, ``version`` / ``new_version``, ``studies``,
        ``effects``, ``excluded`` and ``pooled`` (per outcome x time point:
        k, estimate, CI, I2).
    """
    search = search_for_query(store, query)
    if search.name.startswith("adhoc_") and store.get_search_definition(search.name) is None:
        # Keep the inferred search so that status, history and review can name it.
        store.save_search(search.name, search.to_dict(), origin="adhoc")
    from miner.demo import DEMO_QUERY

    # The demo fallback is for the demo question only: any other query with
    # PubMed out of reach fails clearly instead of answering from made-up data.
    allow_demo = set(search.query_terms()) == set(query_terms(DEMO_QUERY))
    summary = refresh_embedded(store, search, progress=progress, allow_demo=allow_demo)
    return {"query": query, **summary}
