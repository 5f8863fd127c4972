"""Refresh throughput with real Celery workers, and the cost of a no-change refresh.

Runs a saved search over the 3,285 real abstracts of
``$MINER_SHARED_DATA/evidence-inference`` through the distributed path (a real
``celery worker`` with 1, then 2, processes on the local Redis, database 14 by
default) into a fresh SQLite store, and prints end-to-end abstracts per
second, the speed-up, and the time and work of a second refresh in which
nothing changed (nothing should be re-extracted and no version written).

Usage::

    .venv/bin/python bench/bench_refresh.py [--procs 1 2] [--query WORDS] [--redis URL]
        [--store sqlite|postgresql] [--workdir DIR]

``--store postgresql`` runs on a throwaway database of the local server (the
test suite's helper); with SQLite two worker processes wait on each other's
write lock, so the speed-up on 2 cores is lower there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent

SEARCH = {
    "name": "bench_evidence_inference",
    "query": "*",
    "source": {
        "path": "evidence-inference/abstracts_derived.jsonl.gz",
        "format": "evidence-inference-jsonl",
    },
    "inclusion": {"rct_only": False},
    "comparison": {
        "intervention": ["treatment group", "intervention group"],
        "comparator": ["placebo", "control group"],
    },
    "outcomes": [{"name": "pain", "terms": ["pain"], "measure": "MD"}],
    "timepoints": [{"label": "any", "min_days": 0, "max_days": 4000}],
    "schedule": "never",
}


def _wait(store: object, job_id: str, timeout_s: float = 3600) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = store.get_job(job_id)  # type: ignore[attr-defined]
        if job and job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise TimeoutError(job_id)


def _wait_ready(log: Path, worker: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Wait until the worker logged ``ready.`` (every process has loaded its nlp)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited with {worker.returncode}; see {log}")
        if b"ready." in log.read_bytes():
            return
        time.sleep(0.2)
    raise TimeoutError(f"worker not ready after {timeout_s:.0f}s; see {log}")


def run(procs: int, query: str, redis_url: str, workdir: Path, store_kind: str = "sqlite") -> dict:
    if store_kind == "postgresql":
        # A throwaway database on the local server (the test suite's helper).
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.backends import postgres_database

        with postgres_database() as url:
            return _run(procs, query, redis_url, workdir, url)
    return _run(procs, query, redis_url, workdir, f"sqlite:///{workdir / f'bench_{procs}.db'}")


def _run(procs: int, query: str, redis_url: str, workdir: Path, db_url: str) -> dict:
    import redis

    from miner.store import Store

    redis.Redis.from_url(redis_url).flushdb()
    env = dict(os.environ, MINER_BROKER_URL=redis_url, MINER_REDIS_URL=redis_url)
    env.update(MINER_DB_URL=db_url, MINER_OFFLINE="1")
    search = {**SEARCH, "query": query}
    with Store.open(db_url) as store:
        store.save_search(search["name"], search, origin="bench")
    log = (workdir / f"worker_{procs}.log").open("wb")
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "workers.app", "worker", "-Q", "ingest,extract,pool",
         "-c", str(procs), "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "info"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_ready(workdir / f"worker_{procs}.log", worker)
        load = [round(x, 2) for x in os.getloadavg()]
        out: dict = {"procs": procs, "store": db_url.split(":", 1)[0], "load_before": load}
        with Store.open(db_url) as store:
            for label in ("first", "no_change"):
                t0 = time.perf_counter()
                job_id = subprocess.run(
                    [str(VENV_BIN / "miner"), "search", "refresh", search["name"]],
                    env=env, capture_output=True, text=True, check=True,
                ).stdout.strip()  # fmt: skip
                job = _wait(store, job_id)
                seconds = time.perf_counter() - t0
                summary = job["summary"] or {}
                out[label] = {
                    "state": job["state"],
                    "seconds": round(seconds, 2),
                    "abstracts": summary.get("ingest", {}).get("matched"),
                    "extracted": job["total"],
                    "new_version": summary.get("new_version"),
                    "ingest_seconds": summary.get("ingest_seconds"),
                    "pool_seconds": summary.get("pool_seconds"),
                }
            first = out["first"]
            first["abstracts_per_s"] = round((first["abstracts"] or 0) / first["seconds"], 1)
        return out
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--query", default="*", help="restrict the corpus to abstracts with these words"
    )
    parser.add_argument(
        "--redis", default=os.environ.get("MINER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workdir", type=Path, help="keep stores and worker logs here")
    args = parser.parse_args()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = [run(p, args.query, args.redis, args.workdir, args.store) for p in args.procs]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            results = [run(p, args.query, args.redis, Path(tmp), args.store) for p in args.procs]
    for r in results:
        f, n = r["first"], r["no_change"]
        print(
            f"{r['store']}, {r['procs']} worker process(es): "
            f"{f['abstracts']} abstracts in {f['seconds']} s = "
            f"{f['abstracts_per_s']} abstracts/s end to end; no-change refresh {n['seconds']} s, "
            f"re-extracted {n['extracted']}, new version: {n['new_version']} "
            f"(serial parts of the first run: ingest {f['ingest_seconds']} s, "
            f"pool {f['pool_seconds']} s); load average before: {r['load_before']}"
        )
    if len(results) >= 2:
        base = results[0]["first"]["seconds"]
        for r in results[1:]:
            ratio = base / r["first"]["seconds"]
            print(f"speed-up {r['procs']} vs {results[0]['procs']}: {ratio:.2f}x")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
