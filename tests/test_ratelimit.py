"""Rate limiters: the in-process token bucket (fake clock) and the Redis one (real Redis).

The Redis tests use database 14 on ``MINER_REDIS_URL``'s server and a fresh
key per test; they skip with the reason when no Redis answers locally and fail
under CI (``CI=true``), where Redis is part of the set-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from miner.config import Settings
from miner.errors import ConfigError
from miner.ratelimit import (
    RATE_WITH_KEY,
    RATE_WITHOUT_KEY,
    RateLimiter,
    RedisRateLimiter,
    TokenBucket,
    make_rate_limiter,
    ncbi_rate,
)
from tests.conftest import IN_CI


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("api_key", "rate"), [(None, RATE_WITHOUT_KEY), ("key", RATE_WITH_KEY)], ids=["no-key", "key"]
)
def test_ncbi_allowance(api_key: str | None, rate: float) -> None:
    assert ncbi_rate(api_key) == rate
    limiter = make_rate_limiter(api_key)
    assert isinstance(limiter, TokenBucket) and limiter.rate == rate
    assert isinstance(limiter, RateLimiter)


@pytest.mark.parametrize("rate", [RATE_WITHOUT_KEY, RATE_WITH_KEY], ids=["3/s", "10/s"])
def test_token_bucket_spaces_requests_evenly(rate: float) -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(int(rate) * 2 + 1):
        bucket.acquire()
    # 2*rate+1 requests take two seconds of (fake) time: the first is free.
    assert clock.now - start == pytest.approx(2.0)
    assert all(s == pytest.approx(1 / rate) for s in clock.sleeps)


def test_token_bucket_burst_after_idle() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3, burst=3, clock=clock, sleep=clock.sleep)
    clock.now += 60
    for _ in range(3):
        bucket.acquire()
    assert clock.sleeps == []
    bucket.acquire()
    assert clock.sleeps == [pytest.approx(1 / 3)]


@pytest.mark.parametrize(
    ("rate", "burst"), [(0, 1), (-1, 1), (3, 0)], ids=["zero", "neg", "burst0"]
)
def test_bad_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ConfigError):
        TokenBucket(rate, burst=burst)


# -- Redis -------------------------------------------------------------------------------


def _redis_url() -> str:
    base = Settings.from_env().redis_url
    return base.rsplit("/", 1)[0] + "/14"


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"no Redis answers at {url}: {exc}"
        if IN_CI:
            pytest.fail(message + " -- required under CI", pytrace=False)
        pytest.skip(message)
    yield url
    client.close()


@pytest.fixture
def key(redis_url: str) -> Iterator[str]:
    import redis

    name = f"miner:test:ratelimit:{uuid.uuid4().hex}"
    yield name
    client: Any = redis.Redis.from_url(redis_url)
    client.delete(name)
    client.close()


def test_redis_limiter_is_shared_between_instances(redis_url: str, key: str) -> None:
    first = RedisRateLimiter(redis_url, 1.0, key=key)
    second = RedisRateLimiter(redis_url, 1.0, key=key)
    assert first.try_acquire() == 0
    wait = second.try_acquire()
    assert 0 < wait <= 1.0, "the second process must wait for the slot the first one took"


def test_redis_limiter_is_shared_across_processes(redis_url: str, key: str) -> None:
    RedisRateLimiter(redis_url, 0.5, key=key).acquire()
    code = (
        "import sys; from miner.ratelimit import RedisRateLimiter; "
        "print(RedisRateLimiter(sys.argv[1], 0.5, key=sys.argv[2]).try_acquire())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, redis_url, key],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
        timeout=60,
    )
    assert 0 < float(out.stdout) <= 2.0


def test_redis_keys_are_independent(redis_url: str, key: str) -> None:
    import redis

    other = key + ":other"
    try:
        assert RedisRateLimiter(redis_url, 1.0, key=key).try_acquire() == 0
        assert RedisRateLimiter(redis_url, 1.0, key=other).try_acquire() == 0
    finally:
        redis.Redis.from_url(redis_url).delete(other)


def test_redis_acquire_waits_then_gets_a_slot(redis_url: str, key: str) -> None:
    import time

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    limiter = RedisRateLimiter(redis_url, 20.0, key=key, sleep=sleep)
    for _ in range(3):
        limiter.acquire()
    assert waits, "back-to-back requests above the rate must wait"
    assert all(0 < w <= 1 / 20 for w in waits)


def test_make_rate_limiter_uses_redis_when_given(redis_url: str) -> None:
    limiter = make_rate_limiter("secret-key", redis_url=redis_url)
    assert isinstance(limiter, RedisRateLimiter)
    assert limiter.rate == RATE_WITH_KEY
    assert "secret-key" not in limiter.key, "the API key itself never goes into Redis"


def test_unreachable_redis_is_a_config_error() -> None:
    # Port 9 (discard) on localhost: nothing speaks Redis there.
    limiter = RedisRateLimiter("redis://127.0.0.1:9/14", 3.0)
    with pytest.raises(ConfigError, match="MINER_REDIS_URL"):
        limiter.try_acquire()
