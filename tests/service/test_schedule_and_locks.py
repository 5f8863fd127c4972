"""Beat's dispatcher, the pool lock shared by workers and ``miner review``, and pool catch-up.

Uses the real Redis on this machine (database ``MINER_TEST_REDIS_DB``, default
13, flushed before and after each test) and the bundled demo corpus offline.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from miner.chain import (
    current_extractor_version,
    extract_step,
    ingest_step,
    pool_lock_key,
    refresh_embedded,
)
from miner.cli import app
from miner.living import resolve_search
from miner.store import Store
from tests.service.workers_util import LOCAL_REDIS, flush, require_redis, wait_for

pytestmark = pytest.mark.integration

DEMO = "ketamine_neuropathic_pain"


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    require_redis()
    flush(LOCAL_REDIS)
    monkeypatch.setenv("MINER_BROKER_URL", LOCAL_REDIS)
    monkeypatch.setenv("MINER_REDIS_URL", LOCAL_REDIS)
    monkeypatch.setenv("MINER_OFFLINE", "1")
    yield LOCAL_REDIS
    flush(LOCAL_REDIS)


# -- beat: stored searches are scheduled too ---------------------------------------------


def test_beat_runs_the_dispatcher() -> None:
    from workers.app import beat_schedule

    (entry,) = beat_schedule().values()
    assert entry["task"] == "workers.tasks.dispatch_due_task"


def test_dispatcher_starts_stored_searches_once_per_slot(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from miner.searches import SavedSearch
    from workers import tasks

    started: list[str] = []
    monkeypatch.setattr(
        tasks, "start_refresh", lambda name, **_: started.append(name) or f"job-{name}"
    )
    db_url = f"sqlite:///{tmp_path / 'beat.db'}"
    added = resolve_search(Store.open(db_url), DEMO).to_dict()
    added.update(name="user_added_search", schedule="every 5 minutes")
    never = {**added, "name": "user_never", "schedule": "never"}
    with Store.open(db_url) as store:
        for d in (added, never):
            store.save_search(d["name"], SavedSearch.from_dict(d).to_dict(), origin="user")
    # Two beat processes' dispatchers in the same tick: each slot starts once.
    # (One clock reading for both: two readings may straddle a slot's end.)
    tick = time.time()
    first = tasks.dispatch_due_task.run(db_url, now=tick)
    second = tasks.dispatch_due_task.run(db_url, now=tick)
    assert "user_added_search" in first and "user_never" not in first
    assert {DEMO, "glargine_nph_hba1c"} <= set(first)
    assert second == {}
    assert sorted(started) == sorted(first)


def test_search_add_is_seen_by_the_next_tick(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers import tasks

    monkeypatch.setattr(tasks, "start_refresh", lambda name, **_: f"job-{name}")
    db_url = f"sqlite:///{tmp_path / 'beat.db'}"
    tick = time.time()  # both dispatches in one slot of every schedule
    assert "added_later" not in tasks.dispatch_due_task.run(db_url, now=tick)
    toml = tmp_path / "later.toml"
    toml.write_text(
        'name = "added_later"\nquery = "ketamine pain"\nschedule = "hourly"\n'
        '[comparison]\nintervention = ["ketamine"]\ncomparator = ["placebo"]\n'
        '[[outcomes]]\nname = "pain"\nterms = ["pain"]\n'
    )
    result = CliRunner().invoke(app, ["--db", db_url, "search", "add", str(toml)])
    assert result.exit_code == 0, result.output
    assert list(tasks.dispatch_due_task.run(db_url, now=tick)) == ["added_later"]


# -- miner review takes the pool lock ------------------------------------------------------


@pytest.fixture
def pooled_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("MINER_OFFLINE", "1")
    db_url = f"sqlite:///{tmp_path / 'review.db'}"
    with Store.open(db_url) as store:
        refresh_embedded(store, resolve_search(store, DEMO))
        latest = store.latest_dataset_version(DEMO)
        assert latest is not None and latest["content"]["studies"]
        return db_url, latest["content"]["studies"][0]["pmid"]


def _exclude(db_url: str, pmid: str) -> Any:
    return CliRunner().invoke(
        app, ["--db", db_url, "review", "exclude", DEMO, pmid, "--who", "t", "--why", "dup"]
    )


def _state(db_url: str) -> tuple[int, int]:
    with Store.open(db_url) as store:
        return len(store.list_dataset_versions(DEMO)), len(store.list_reviews(DEMO))


def test_review_waits_for_the_pool_lock(broker: str, pooled_demo: tuple[str, str]) -> None:
    db_url, pmid = pooled_demo
    lock = redis.Redis.from_url(broker).lock(pool_lock_key(DEMO), timeout=120)
    assert lock.acquire(blocking=False)
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(_exclude(db_url, pmid)))
    try:
        thread.start()
        # While a pool task holds the lock the review neither decides nor pools.
        for _ in range(10):
            thread.join(0.1)
            assert thread.is_alive() and _state(db_url) == (1, 0)
    finally:
        lock.release()
    thread.join(60)
    assert not thread.is_alive()
    (result,) = results
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new_version"] == 2
    assert _state(db_url) == (2, 1)


def test_review_gives_up_clearly_when_the_lock_stays_busy(
    broker: str, pooled_demo: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from miner.chain import PoolBusy

    db_url, pmid = pooled_demo
    monkeypatch.setenv("MINER_POOL_LOCK_WAIT", "0.3")
    lock = redis.Redis.from_url(broker).lock(pool_lock_key(DEMO), timeout=120)
    assert lock.acquire(blocking=False)
    try:
        result = _exclude(db_url, pmid)
    finally:
        lock.release()
    assert result.exit_code != 0 and isinstance(result.exception, PoolBusy)
    assert DEMO in str(result.exception)
    assert _state(db_url) == (1, 0), "nothing decided, nothing pooled"


# -- the chord fired early: pool extracts what is missing first ----------------------------


def test_pool_task_extracts_members_a_lost_batch_left_out(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.tasks import pool_task

    with Store.open(f"sqlite:///{tmp_path / 'ref.db'}") as ref:
        refresh_embedded(ref, resolve_search(ref, DEMO))
        expected = ref.latest_dataset_version(DEMO)
    assert expected is not None
    db_url = f"sqlite:///{tmp_path / 'early.db'}"
    with Store.open(db_url) as store:
        search = resolve_search(store, DEMO)
        members = ingest_step(store, search).pmids
        # Only the first half was extracted when the chord's callback fired.
        half = members[: len(members) // 2]
        extract_step(store, half)
        missing = store.pmids_missing_extraction(members, current_extractor_version())
        assert missing and len(missing) == len(members) - len(half)
        store.save_job("job-early", DEMO, state="running", stage="pool")
    # The worker's pool task, run in this process (same lock, same code).
    out = pool_task.apply(args=("job-early", DEMO, db_url)).get(timeout=120)
    assert out["extracted_at_pool"] == len(missing)
    with Store.open(db_url) as store:
        assert store.pmids_missing_extraction(members, current_extractor_version()) == []
        latest = store.latest_dataset_version(DEMO)
        assert latest is not None
        reasons = [x.get("reason", "") for x in latest["content"]["excluded"]]
        assert not [r for r in reasons if "not extracted" in r]
        assert latest["fingerprint"] == expected["fingerprint"]
        assert (store.get_job("job-early") or {}).get("state") == "done"
    wait_for(lambda: not redis.Redis.from_url(broker).exists(pool_lock_key(DEMO)), 5, "lock freed")


def test_a_worker_refresh_that_cannot_reach_pubmed_is_marked_failed(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.tasks import ingest_task

    monkeypatch.delenv("MINER_OFFLINE", raising=False)
    monkeypatch.setenv("MINER_EUTILS_URL", "http://127.0.0.1:9/eutils")  # discard port
    db_url = f"sqlite:///{tmp_path / 'fail.db'}"
    with Store.open(db_url) as store:
        store.save_job("job-unreachable", DEMO, state="queued", stage="queued")
    result = ingest_task.apply(args=("job-unreachable", DEMO, db_url))
    assert result.failed()
    with Store.open(db_url) as store:
        job = store.get_job("job-unreachable")
        assert job is not None and job["state"] == "failed"
        assert "not reachable" in job["error"]
        assert store.list_dataset_versions(DEMO) == []
