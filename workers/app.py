"""The Celery app: queues ``ingest``, ``extract``, ``pool`` on a Redis broker.

Start a worker (all queues) and beat::

    MINER_BROKER_URL=redis://127.0.0.1:6379/0 celery -A workers.app worker -Q ingest,extract,pool
    MINER_BROKER_URL=redis://127.0.0.1:6379/0 celery -A workers.app beat

Settings that matter for correctness, and why:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a task is acknowledged
  only after it finished, so a worker killed mid-batch leaves the message to
  be delivered again (tasks are idempotent, so a second run is harmless).
- ``worker_prefetch_multiplier = 1``: a worker holds one unacknowledged
  message per process, so a crash strands as little as possible.
- ``visibility_timeout`` (``MINER_VISIBILITY_TIMEOUT``, default 2 h) is longer
  than the hard time limit of any task (``MINER_TASK_TIME_LIMIT``, default
  30 min): Redis never hands a running task to a second worker.
- ``result_backend_always_retry``: a chord's counter lives in the result
  backend; retrying writes there keeps a refresh alive across a Redis restart.
- One spaCy pipeline per worker process, loaded in ``worker_process_init``.
- Beat has one entry, the dispatcher (every ``MINER_BEAT_TICK`` seconds,
  default 60): it reads the saved searches at each tick (shipped TOMLs and
  those added with ``miner search add``) and starts a refresh for each one
  whose schedule slot (``now // period``) is new, claiming the slot with a
  Redis ``SET NX`` first, so two beat processes cannot double-run a refresh.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

from miner.config import Settings

log = logging.getLogger(__name__)

QUEUES = ("ingest", "extract", "pool")


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Beat's entries: the dispatcher of due saved searches (see the module docstring).

    One entry instead of one per search, because searches added to the store
    while beat runs must be scheduled too, and beat reads its schedule once.
    """
    tick = _int_env("MINER_BEAT_TICK", 60)
    if tick < 1:
        raise ValueError(f"MINER_BEAT_TICK must be at least 1 second, got {tick}")
    return {
        "dispatch-due-searches": {
            "task": "workers.tasks.dispatch_due_task",
            "schedule": float(tick),
            "options": {"queue": "ingest", "expires": float(tick)},
        }
    }


def make_app(settings: Settings | None = None) -> Celery:
    """Build the Celery app from miner's settings (``MINER_BROKER_URL`` etc.)."""
    settings = settings or Settings.from_env()
    broker = settings.broker_url or settings.redis_url
    visibility = _int_env("MINER_VISIBILITY_TIMEOUT", 7200)
    time_limit = _int_env("MINER_TASK_TIME_LIMIT", 1800)
    if time_limit >= visibility:
        raise ValueError(
            f"MINER_TASK_TIME_LIMIT ({time_limit}s) must be below MINER_VISIBILITY_TIMEOUT "
            f"({visibility}s), or Redis redelivers tasks that are still running"
        )
    app = Celery("miner", broker=broker, backend=os.environ.get("MINER_RESULT_BACKEND") or broker)
    app.conf.update(
        task_queues=[Queue(q) for q in QUEUES],
        task_default_queue="ingest",
        task_routes={
            "workers.tasks.ingest_task": {"queue": "ingest"},
            "workers.tasks.scheduled_refresh_task": {"queue": "ingest"},
            "workers.tasks.dispatch_due_task": {"queue": "ingest"},
            "workers.tasks.extract_task": {"queue": "extract"},
            "workers.tasks.pool_task": {"queue": "pool"},
        },
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=time_limit,
        task_soft_time_limit=max(time_limit - 60, time_limit // 2),
        broker_transport_options={"visibility_timeout": visibility},
        result_backend_transport_options={"visibility_timeout": visibility},
        result_expires=7 * 86400,
        result_backend_always_retry=True,
        result_backend_max_retries=30,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule=beat_schedule(),
        imports=("workers.tasks",),
    )
    return app


app = make_app()


@worker_process_init.connect
def _load_pipeline(**_: Any) -> None:
    # One nlp per worker process: loading costs about a second, so do it
    # once at fork time instead of in the first task.
    try:
        from miner.chain import get_extractor

        get_extractor()
    except Exception:  # a broken pipeline must not stop the worker from taking pool tasks
        log.exception("could not load the extraction pipeline at worker start")
