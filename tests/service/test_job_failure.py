"""A refresh step that fails for good marks its job failed (not ``running`` for ever)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.tasks import extract_task, ingest_task, pool_task, store_for


@pytest.mark.parametrize(
    ("task", "args"),
    [
        (ingest_task, ("job-1", "demo", None)),
        (extract_task, ("job-1", ["101", "102"], None)),
        (pool_task, ("job-1", "demo", None)),
    ],
    ids=["ingest", "extract", "pool"],
)
def test_failed_step_marks_job_failed(tmp_path: Path, task: object, args: tuple) -> None:
    db_url = f"sqlite:///{tmp_path / 'miner.db'}"
    store = store_for(db_url)
    store.save_job("job-1", "demo", state="running", stage="extract")
    call = (*args[:-1], db_url)
    task.on_failure(RuntimeError("batch kept failing"), "task-id", call, {}, None)  # type: ignore[attr-defined]
    job = store.get_job("job-1")
    assert job is not None
    assert job["state"] == "failed"
    assert job["search"] == "demo"
    assert "batch kept failing" in job["error"]
