"""Thin Celery tasks: take ids and names, re-read the store, call one miner function.

A refresh is ``chain(ingest_task, pool_task)`` where ``ingest_task`` replaces
itself with a group of ``extract_task`` batches, which Celery turns into
``chord(extract batches) -> pool_task``. Every task is idempotent (upserts on
pmid + text hash + extractor version), acknowledged late and retried on
transient errors (database busy, Redis gone for a moment). Pooling of one
search is serialised with a Redis lock so concurrent refreshes never
interleave; the version writer then sees identical content and writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from typing import Any

import kombu.exceptions
import redis
import sqlalchemy as sa
from celery import Task, chain, group

from miner import chain as steps
from miner.config import Settings
from miner.errors import RateLimited
from miner.store import Store
from workers.app import app

#: Errors worth another try: the store or Redis was busy or briefly gone, or
#: NCBI's rate limit outlasted the client's own retries.
TRANSIENT = (
    sa.exc.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    # kombu wraps a broker it cannot publish to (Redis restarting) in this.
    kombu.exceptions.OperationalError,
    RateLimited,
)

_STORES: dict[str, Store] = {}


def store_for(db_url: str) -> Store:
    """One :class:`Store` (connection pool) per database per worker process."""
    if db_url not in _STORES:
        _STORES[db_url] = Store.open(db_url)
    return _STORES[db_url]


def _redis() -> redis.Redis:
    return redis.Redis.from_url(Settings.from_env().redis_url)


def _batch_size() -> int:
    return int(os.environ.get("MINER_EXTRACT_BATCH") or steps.EXTRACT_BATCH)


class JobTask(Task):
    """A chain task whose failure for good ends the refresh: it marks the job failed.

    Without this a refresh whose ingest, extract or pool step raised for good
    (PubMed out of reach, a fetch or a batch that kept failing after its
    retries) would show ``running`` for ever: Celery runs no chord callback
    after a failed member, so the pool step never comes. A batch that is only
    retried or redelivered (a killed worker) does not reach ``on_failure``.
    """

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        search = args[1] if len(args) > 1 and isinstance(args[1], str) else None
        db_url = args[-1] if args and isinstance(args[-1], str) else kwargs.get("db_url")
        if not (job_id and db_url):
            return
        with contextlib.suppress(Exception):  # reporting must not hide the original error
            store = store_for(db_url)
            job = store.get_job(job_id) or {}
            store.save_job(
                job_id,
                search or job.get("search") or "",
                state="failed",
                error=f"{type(exc).__name__}: {exc}",
            )


_RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 10,
    "acks_late": True,
}


@app.task(bind=True, name="workers.tasks.ingest_task", base=JobTask, **_RETRY)
def ingest_task(self: Task, job_id: str, search_name: str, db_url: str) -> Any:
    """Ingest the search's records, then fan out extract batches (replaced by a group)."""
    from miner.living import resolve_search

    store = store_for(db_url)
    search = resolve_search(store, search_name)
    store.save_job(job_id, search_name, state="running", stage="ingest")
    t0 = time.perf_counter()
    result = steps.ingest_step(store, search)
    todo = store.pmids_missing_extraction(result.pmids, steps.current_extractor_version())
    batches = steps.batches(todo, _batch_size())
    store.save_job(
        job_id,
        search_name,
        stage="extract",
        total=len(todo),
        summary={
            "ingest": result.to_dict(),
            "batches": len(batches),
            "ingest_seconds": round(time.perf_counter() - t0, 3),
        },
    )
    if not batches:
        return {"ingest": result.to_dict(), "batches": 0}
    return self.replace(group(extract_task.si(job_id, b, db_url) for b in batches))


@app.task(bind=True, name="workers.tasks.extract_task", base=JobTask, **_RETRY)
def extract_task(self: Task, job_id: str, pmids: list[str], db_url: str) -> dict[str, Any]:
    """Extract one batch (skipping what is already extracted at this version)."""
    store = store_for(db_url)
    got = steps.extract_step(store, pmids)
    store.add_job_progress(job_id, len(pmids))
    return {k: got[k] for k in ("requested", "extracted", "failed")}


@app.task(bind=True, name="workers.tasks.pool_task", base=JobTask, **_RETRY)
def pool_task(self: Task, job_id: str, search_name: str, db_url: str) -> dict[str, Any]:
    """Pool the search under a per-search Redis lock and write a version if anything changed."""
    from miner.living import resolve_search

    store = store_for(db_url)
    search = resolve_search(store, search_name)
    store.save_job(job_id, search_name, stage="pool")
    t0 = time.perf_counter()
    try:
        # The same lock `miner review` takes: one writer of a search's versions at a time.
        with steps.pool_lock(search_name, enabled=True, wait_s=steps.POOL_LOCK_TTL):
            summary = steps.pool_step(store, search, job_id=job_id)
    except steps.PoolBusy as exc:
        raise self.retry(countdown=5, exc=exc) from exc
    summary["pool_seconds"] = round(time.perf_counter() - t0, 3)
    job = store.get_job(job_id) or {}
    store.save_job(
        job_id,
        search_name,
        state="done",
        stage="done",
        summary={**(job.get("summary") or {}), **summary},
    )
    return summary


def refresh_signature(job_id: str, search_name: str, db_url: str) -> Any:
    """The refresh chain for one search (see the module docstring)."""
    return chain(
        ingest_task.si(job_id, search_name, db_url),
        pool_task.si(job_id, search_name, db_url),
    )


def start_refresh(search_name: str, *, db_url: str, store: Store | None = None) -> str:
    """Queue a refresh of ``search_name`` and return its job id at once."""
    job_id = f"job-{uuid.uuid4().hex[:16]}"
    (store or store_for(db_url)).save_job(job_id, search_name, state="queued", stage="queued")
    refresh_signature(job_id, search_name, db_url).apply_async()
    return job_id


def claim_slot(search_name: str, period: float, now: float | None = None) -> bool:
    """Claim the schedule slot ``now // period`` of a search; False if already claimed.

    Every beat process (and the dispatcher in each) races for the same key,
    so a slot starts at most one refresh however many beats run.
    """
    slot = int((time.time() if now is None else now) // period)
    return bool(_redis().set(f"miner:beat:{search_name}:{slot}", "1", nx=True, ex=int(period) + 60))


@app.task(bind=True, name="workers.tasks.scheduled_refresh_task", **_RETRY)
def scheduled_refresh_task(self: Task, search_name: str, db_url: str | None = None) -> str | None:
    """Start a refresh of one search unless its current schedule slot already has one."""
    from miner.living import resolve_search

    db_url = db_url or Settings.from_env().db_url
    search = resolve_search(store_for(db_url), search_name)
    period = search.schedule_seconds
    if not period or not claim_slot(search_name, period):
        return None
    return start_refresh(search_name, db_url=db_url)


@app.task(bind=True, name="workers.tasks.dispatch_due_task", **_RETRY)
def dispatch_due_task(
    self: Task, db_url: str | None = None, now: float | None = None
) -> dict[str, str]:
    """Beat's one periodic entry: refresh every saved search whose schedule slot is new.

    Reads the searches at each tick, shipped TOMLs and those added with
    ``miner search add`` alike, so a search added (or rescheduled) while beat
    runs is picked up without restarting it. Returns ``{search: job_id}`` for
    the refreshes it started. ``now`` (epoch seconds) is the tick's time,
    the clock's when not given.
    """
    from miner.living import all_searches

    db_url = db_url or Settings.from_env().db_url
    store = store_for(db_url)
    started: dict[str, str] = {}
    now = time.time() if now is None else now
    for search in all_searches(store):
        period = search.schedule_seconds
        if period and claim_slot(search.name, period, now):
            started[search.name] = start_refresh(search.name, db_url=db_url, store=store)
    return started
