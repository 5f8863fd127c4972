"""Request rate limiters for NCBI E-utilities.

NCBI allows 3 requests per second without an API key and 10 with one, per
key (or per IP), across *all* of a user's processes; above that it answers
429. Two limiters share one interface (:class:`RateLimiter`):

- :class:`TokenBucket`: in-process, thread-safe; enough when one process fetches.
- :class:`RedisRateLimiter`: a GCRA ("leaky bucket as a meter") kept in Redis,
  so every worker process (Celery ingest workers, a CLI run beside them)
  draws from the same allowance. Time comes from the Redis server's clock, so
  processes on machines with skewed clocks still agree.

Both default to a burst of one request, i.e. requests spaced evenly at
``1/rate`` seconds: NCBI counts requests per second, and evenly spaced
requests never trip it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from miner.errors import ConfigError

__all__ = [
    "RATE_WITHOUT_KEY",
    "RATE_WITH_KEY",
    "RateLimiter",
    "RedisRateLimiter",
    "TokenBucket",
    "make_rate_limiter",
    "ncbi_rate",
]

#: Requests per second NCBI allows without an API key.
RATE_WITHOUT_KEY = 3.0
#: Requests per second NCBI allows with an API key.
RATE_WITH_KEY = 10.0


def ncbi_rate(api_key: str | None) -> float:
    """NCBI's allowance: 10 requests/s with an API key, 3 without."""
    return RATE_WITH_KEY if api_key else RATE_WITHOUT_KEY


@runtime_checkable
class RateLimiter(Protocol):
    """Something that blocks until one more request is allowed."""

    def acquire(self) -> None:
        """Wait until a request may be sent, and count it."""
        ...


def _check(rate: float, burst: int) -> None:
    if not rate > 0:
        raise ConfigError(f"rate must be > 0 requests/s, got {rate}")
    if burst < 1:
        raise ConfigError(f"burst must be >= 1 request, got {burst}")


class TokenBucket:
    """In-process token bucket (thread-safe).

    Parameters
    ----------
    rate:
        Requests per second.
    burst:
        Bucket size: requests allowed back to back after an idle spell.
    clock, sleep:
        Injectable for tests (default :func:`time.monotonic`, :func:`time.sleep`).
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _check(rate, burst)
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Take a token if one is there; else return the seconds until one will be."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            # The tolerance stops float rounding (0.9999999 tokens after
            # sleeping exactly the computed wait) from looping on tiny waits.
            if self._tokens >= 1.0 - 1e-9:
                self._tokens = max(0.0, self._tokens - 1.0)
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def acquire(self) -> None:
        """Block (via ``sleep``) until a token is taken."""
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return
            self._sleep(wait)


# GCRA: the key holds the "theoretical arrival time" (TAT) of the next
# request in microseconds of Redis server time. A request is allowed when
# TAT - now <= (burst - 1) * interval; then TAT advances by one interval.
# Returns 0 when allowed, else the microseconds to wait.
_GCRA_SCRIPT = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local slack = (burst - 1) * interval
if tat - now > slack then
  return tat - now - slack
end
local new_tat = tat + interval
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return 0
"""


class RedisRateLimiter:
    """Rate limiter shared by every process that uses the same Redis key.

    Parameters
    ----------
    redis:
        A Redis URL (``redis://host:6379/0``) or a ``redis.Redis`` client.
    rate:
        Requests per second for everyone sharing ``key``.
    key:
        Redis key of the shared meter; :func:`make_rate_limiter` derives it
        from the API key so that each NCBI allowance has its own meter.
    burst:
        Requests allowed back to back after an idle spell.
    sleep:
        Injectable for tests.
    """

    def __init__(
        self,
        redis: str | Any,
        rate: float,
        *,
        key: str = "miner:ratelimit:eutils",
        burst: int = 1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _check(rate, burst)
        if isinstance(redis, str):
            import redis as redis_lib

            redis = redis_lib.Redis.from_url(redis, socket_timeout=5)
        self.redis = redis
        self.rate = float(rate)
        self.burst = burst
        self.key = key
        self._sleep = sleep
        self._interval_us = max(1, round(1_000_000 / self.rate))
        self._script = redis.register_script(_GCRA_SCRIPT)

    def try_acquire(self) -> float:
        """Take the next slot if it is due; else return the seconds until it will be."""
        import redis as redis_lib

        try:
            wait_us = int(self._script(keys=[self.key], args=[self._interval_us, self.burst]))
        except redis_lib.RedisError as exc:
            raise ConfigError(
                f"shared rate limiter: Redis did not answer ({exc}); check MINER_REDIS_URL "
                "or unset MINER_BROKER_URL to limit in-process"
            ) from exc
        return wait_us / 1_000_000

    def acquire(self) -> None:
        """Block (via ``sleep``) until this process may send a request."""
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return
            self._sleep(wait)


def make_rate_limiter(
    api_key: str | None,
    *,
    redis_url: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RateLimiter:
    """The limiter for NCBI's allowance: shared through Redis when ``redis_url`` is given.

    The Redis key includes a digest of the API key (never the key itself), so
    two projects with different keys do not slow each other down.
    """
    rate = ncbi_rate(api_key)
    if redis_url:
        digest = hashlib.sha256((api_key or "anonymous").encode()).hexdigest()[:16]
        return RedisRateLimiter(
            redis_url, rate, key=f"miner:ratelimit:eutils:{digest}", sleep=sleep
        )
    return TokenBucket(rate, sleep=sleep)
