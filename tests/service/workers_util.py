"""Real Celery worker processes and Redis servers for the service integration tests.

Workers are started with ``celery -A workers.app worker`` as subprocesses in
their own process group (so a test can SIGKILL the whole worker, pool
children included), against a Redis database number of their own.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

VENV_BIN = Path(sys.executable).parent
#: Redis database the integration tests own (flushed before and after each test).
TEST_REDIS_DB = int(os.environ.get("MINER_TEST_REDIS_DB", "13"))
LOCAL_REDIS = os.environ.get("MINER_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{TEST_REDIS_DB}")


def require_redis(url: str = LOCAL_REDIS) -> None:
    """Skip (fail under CI) when no Redis answers at ``url``."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        message = f"no Redis at {url}: {exc}"
        if IN_CI:
            pytest.fail(message + " -- required under CI", pytrace=False)
        pytest.skip(message)


def flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Worker:
    """One ``celery worker`` process group; ``kill()`` is SIGKILL to the whole group."""

    def __init__(self, name: str, env: dict[str, str], log: Path, concurrency: int = 1):
        self.name, self.env, self.log, self.concurrency = name, env, log, concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        cmd = [
            str(VENV_BIN / "celery"), "-A", "workers.app", "worker",
            "-Q", "ingest,extract,pool", "-c", str(self.concurrency), "-n", f"{self.name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
        ]  # fmt: skip
        fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(lambda: b"ready." in self.log.read_bytes(), 60, f"worker {self.name} ready")
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc:
            # Pool children orphaned by a SIGKILL share the group: make sure they are gone.
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)


def wait_for(cond: Callable[[], Any], timeout_s: float, what: str, every_s: float = 0.1) -> Any:
    """Poll ``cond`` until truthy; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def worker_env(broker: str, db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MINER_BROKER_URL=broker,
        MINER_REDIS_URL=broker,
        MINER_DB_URL=db_url,
        MINER_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


@contextmanager
def workers(count: int, env: dict[str, str], log_dir: Path) -> Iterator[list[Worker]]:
    started = [Worker(f"w{i}", env, log_dir / f"w{i}.log") for i in range(count)]
    try:
        for w in started:
            w.start()
        yield started
    finally:
        for w in started:
            w.stop()


class RedisServer:
    """A redis-server the test owns, on its own port, persisting to an append-only file."""

    def __init__(self, port: int, data_dir: Path):
        self.port, self.dir = port, data_dir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            message = "redis-server not installed"
            if IN_CI:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        def up() -> bool:
            try:
                return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
            except redis.exceptions.ConnectionError:
                return False

        wait_for(up, 20, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)
