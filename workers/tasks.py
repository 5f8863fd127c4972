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

import redis
import sqlalchemy as sa
from celery import Task, chain, group

from miner import chain as steps
from miner.config import Settings
from miner.store import Store
from workers.app import app

#: Errors worth another try: the store or Redis was busy or briefly gone.
TRANSIENT = (
    sa.exc.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
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


_RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 10,
    "acks_late": True,
}


@app.task(bind=True, name="workers.tasks.ingest_task", **_RETRY)
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


@app.task(bind=True, name="workers.tasks.extract_task", **_RETRY)
def extract_task(self: Task, job_id: str, pmids: list[str], db_url: str) -> dict[str, Any]:
    """Extract one batch (skipping what is already extracted at this version)."""
    store = store_for(db_url)
    got = steps.extract_step(store, pmids)
    store.add_job_progress(job_id, len(pmids))
    return {k: got[k] for k in ("requested", "extracted", "failed")}


@app.task(bind=True, name="workers.tasks.pool_task", **_RETRY)
def pool_task(self: Task, job_id: str, search_name: str, db_url: str) -> dict[str, Any]:
    """Pool the search under a per-search Redis lock and write a version if anything changed."""
    from miner.living import resolve_search

    store = store_for(db_url)
    search = resolve_search(store, search_name)
    store.save_job(job_id, search_name, stage="pool")
    lock = _redis().lock(f"miner:pool:{search_name}", timeout=900, blocking_timeout=900)
    if not lock.acquire(blocking=True):
        raise self.retry(countdown=5)
    t0 = time.perf_counter()
    try:
        summary = steps.pool_step(store, search, job_id=job_id)
        summary["pool_seconds"] = round(time.perf_counter() - t0, 3)
    finally:
        # An expired lock (timeout far above any pooling time) must not fail the task.
        with contextlib.suppress(redis.exceptions.LockError):
            lock.release()
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


@app.task(bind=True, name="workers.tasks.scheduled_refresh_task", **_RETRY)
def scheduled_refresh_task(self: Task, search_name: str, db_url: str | None = None) -> str | None:
    """Beat's entry point: start a refresh unless another beat already did for this slot.

    The lock key names the schedule slot (``now // period``), so a second beat
    process firing the same entry finds the key and does nothing.
    """
    from miner.living import resolve_search

    db_url = db_url or Settings.from_env().db_url
    search = resolve_search(store_for(db_url), search_name)
    period = search.schedule_seconds
    if not period:
        return None
    slot = int(time.time() // period)
    if not _redis().set(f"miner:beat:{search_name}:{slot}", "1", nx=True, ex=int(period) + 60):
        return None
    return start_refresh(search_name, db_url=db_url)
