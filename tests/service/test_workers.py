"""The distributed path with real ``celery worker`` processes on a real Redis.

Each test owns a Redis database number (``MINER_TEST_REDIS_DB``, default 13)
or a redis-server it starts itself, and a fresh SQLite store. Refreshes are
queued through the real CLI (``miner search refresh`` prints the job id and
returns) and checked in the store: every matched abstract extracted exactly
once, one dataset version, and the same dataset (fingerprint) as the
embedded in-process path.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from miner.chain import refresh_embedded
from miner.living import resolve_search
from miner.searches import SavedSearch
from miner.store import Store
from tests.conftest import require_shared
from tests.service.workers_util import (
    LOCAL_REDIS,
    VENV_BIN,
    RedisServer,
    flush,
    require_redis,
    wait_for,
    worker_env,
    workers,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: A saved search over real abstracts (evidence-inference) big enough to kill a worker mid-run.
EVINF = {
    "name": "evinf_placebo_pain",
    "query": "placebo pain",
    "source": {
        "path": "evidence-inference/abstracts_derived.jsonl.gz",
        "format": "evidence-inference-jsonl",
    },
    "inclusion": {"rct_only": False},
    "comparison": {
        "intervention": ["treatment group", "intervention group"],
        "comparator": ["placebo"],
    },
    "outcomes": [{"name": "pain", "terms": ["pain", "vas"], "measure": "MD"}],
    "timepoints": [
        {"label": "up to 1 week", "min_days": 0, "max_days": 7},
        {"label": "1 week to 3 months", "min_days": 7.01, "max_days": 92},
    ],
    "schedule": "never",
}


@pytest.fixture
def broker() -> Iterator[str]:
    require_redis()
    flush(LOCAL_REDIS)
    yield LOCAL_REDIS
    flush(LOCAL_REDIS)


def _cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(VENV_BIN / "miner"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _queue_refresh(env: dict[str, str], name: str) -> str:
    job_id = _cli(env, "search", "refresh", name)
    assert job_id.startswith("job-"), job_id
    return job_id


def _wait_done(db_url: str, job_id: str, timeout_s: float = 240) -> dict[str, Any]:
    with Store.open(db_url) as store:

        def done() -> dict[str, Any] | None:
            job = store.get_job(job_id)
            assert job is not None and job["state"] != "failed", job
            return job if job["state"] == "done" else None

        return wait_for(done, timeout_s, f"job {job_id} done", every_s=0.3)


def _reference(search: SavedSearch, path: Path) -> dict[str, Any]:
    """Fingerprint (and extractor version) of the embedded, uninterrupted run on a fresh store."""
    with Store.open(f"sqlite:///{path}") as store:
        refresh_embedded(store, search)
        latest = store.latest_dataset_version(search.name)
        assert latest is not None
        return {
            "fingerprint": latest["fingerprint"],
            "extractor_versions": latest["extractor_versions"],
        }


def _assert_same_dataset(got: dict[str, Any], reference: dict[str, Any]) -> None:
    # Different extractor versions mean the extraction code changed while the
    # test ran (a shared working tree), not that the two paths disagree.
    assert got["extractor_versions"] == reference["extractor_versions"], (
        "extractor code changed during the test; rerun"
    )
    assert got["fingerprint"] == reference["fingerprint"]


def _check_store(db_url: str, name: str) -> dict[str, Any]:
    """No abstract lost or stored twice; exactly one dataset version."""
    with Store.open(db_url) as store:
        members = store.search_members(name)
        assert members
        versions = store.list_dataset_versions(name)
        assert len(versions) == 1, versions
        # The extractor version the pool step used (the code under test may be edited meanwhile).
        (version,) = versions[0]["extractor_versions"]
        assert store.pmids_missing_extraction(members, version) == []
        assert len(store.current_extractions(members, version)) == len(members)
        assert store.count_extractions() == len(members)  # nothing extracted twice
        return {
            "members": members,
            "fingerprint": versions[0]["fingerprint"],
            "extractor_versions": versions[0]["extractor_versions"],
        }


@pytest.fixture(scope="module")
def evinf_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_shared("evidence-inference", "abstracts_derived.jsonl.gz")
    mp = pytest.MonkeyPatch()
    mp.setenv("MINER_OFFLINE", "1")
    try:
        return _reference(SavedSearch.from_dict(EVINF), tmp_path_factory.mktemp("ref") / "ref.db")
    finally:
        mp.undo()


def _store_with_evinf(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.save_search(EVINF["name"], EVINF, origin="test")  # type: ignore[arg-type]


def test_refresh_real_abstracts_equals_embedded(
    broker: str, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_shared("ctro-ct-corpus", "ct_corpus_pubmed_txt.tar.gz")
    env = worker_env(broker, db_url)
    monkeypatch.setenv("MINER_OFFLINE", "1")
    with Store.open(db_url) as store:
        search = resolve_search(store, "glargine_nph_hba1c")
    reference = _reference(search, tmp_path / "embedded.db")
    with workers(1, env, tmp_path):
        job = _wait_done(db_url, _queue_refresh(env, "glargine_nph_hba1c"))
    got = _check_store(db_url, "glargine_nph_hba1c")
    _assert_same_dataset(got, reference)
    assert job["done"] == job["total"] == len(got["members"])
    status = json.loads(_cli(env, "search", "status", "glargine_nph_hba1c", "--json"))
    assert status["jobs"][0]["state"] == "done" and status["version"]["version"] == 1
    with Store.open(db_url) as store:
        content = store.latest_dataset_version(search.name)["content"]  # type: ignore[index]
        for e in content["effects"]:  # every pooled number traces back to its text
            art = store.get_article(e["pmid"])
            assert art is not None and e["provenance"]["text_hash"] == art.text_hash


def test_sigkill_mid_batch_loses_nothing(
    broker: str, tmp_path: Path, evinf_reference: dict[str, Any]
) -> None:
    db_url = f"sqlite:///{tmp_path / 'dist.db'}"
    _store_with_evinf(db_url)
    # Short visibility timeout so the killed batch comes back within the test.
    env = worker_env(
        broker, db_url, MINER_EXTRACT_BATCH="8", MINER_VISIBILITY_TIMEOUT="15",
        MINER_TASK_TIME_LIMIT="12",
    )  # fmt: skip
    with workers(1, env, tmp_path) as (w,):
        job_id = _queue_refresh(env, EVINF["name"])  # type: ignore[arg-type]
        with Store.open(db_url) as store:

            def mid_run() -> bool:
                job = store.get_job(job_id)
                return bool(job and job["total"] and 16 <= job["done"] < job["total"])

            wait_for(mid_run, 120, "two extract batches done", every_s=0.05)
            w.kill()
            job = store.get_job(job_id)
            assert job is not None and job["state"] != "done"
        w.start()  # the same worker comes back
        _wait_done(db_url, job_id)
    got = _check_store(db_url, EVINF["name"])  # type: ignore[arg-type]
    _assert_same_dataset(got, evinf_reference)


def test_redis_restart_during_refresh(tmp_path: Path, evinf_reference: dict[str, Any]) -> None:
    server = RedisServer(
        port=int(os.environ.get("MINER_TEST_REDIS_PORT", "6391")), data_dir=tmp_path
    )
    server.start()
    try:
        db_url = f"sqlite:///{tmp_path / 'dist.db'}"
        _store_with_evinf(db_url)
        env = worker_env(
            server.url, db_url, MINER_EXTRACT_BATCH="8", MINER_VISIBILITY_TIMEOUT="15",
            MINER_TASK_TIME_LIMIT="12",
        )  # fmt: skip
        with workers(1, env, tmp_path):
            job_id = _queue_refresh(env, EVINF["name"])  # type: ignore[arg-type]
            with Store.open(db_url) as store:
                wait_for(
                    lambda: (store.get_job(job_id) or {}).get("done", 0) >= 8,
                    120,
                    "first batch done",
                    every_s=0.05,
                )
            server.stop()
            server.start()  # same port, same append-only file
            _wait_done(db_url, job_id, timeout_s=240)
        got = _check_store(db_url, EVINF["name"])  # type: ignore[arg-type]
        _assert_same_dataset(got, evinf_reference)
    finally:
        server.stop()


def test_two_concurrent_refreshes_make_one_version(
    broker: str, tmp_path: Path, db_url: str
) -> None:
    require_shared("ctro-ct-corpus", "ct_corpus_pubmed_txt.tar.gz")
    env = worker_env(broker, db_url)
    with workers(2, env, tmp_path):
        first = _queue_refresh(env, "glargine_nph_hba1c")
        second = _queue_refresh(env, "glargine_nph_hba1c")
        _wait_done(db_url, first)
        _wait_done(db_url, second)
    _check_store(db_url, "glargine_nph_hba1c")  # asserts exactly one version


def test_beat_guard_runs_a_slot_once(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers import tasks

    monkeypatch.setenv("MINER_REDIS_URL", broker)
    started: list[str] = []
    monkeypatch.setattr(tasks, "start_refresh", lambda name, **_: started.append(name) or "job-x")
    db_url = f"sqlite:///{tmp_path / 'beat.db'}"
    # Two beat processes firing the same entry in the same schedule slot.
    assert tasks.scheduled_refresh_task.run("ketamine_neuropathic_pain", db_url) == "job-x"
    assert tasks.scheduled_refresh_task.run("ketamine_neuropathic_pain", db_url) is None
    assert started == ["ketamine_neuropathic_pain"]
