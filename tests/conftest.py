"""Fixtures shared by the whole suite.

``shared(*parts)`` returns a path inside ``../shared/data`` (or
``MINER_SHARED_DATA``). When it is missing the test is skipped with the
reason, except under CI (``CI=true``), where a missing corpus is an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from miner.shared_data import shared_data_dir
from miner.store import Store

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_shared(*parts: str) -> Path:
    """Path to shared data, skipping (or failing under CI) when absent."""
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        message = f"shared data missing: {path} (set MINER_SHARED_DATA)"
        if IN_CI:
            pytest.fail(message + " -- required under CI", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture
def shared() -> Callable[..., Path]:
    """``shared("pico-corpus", "pico_dev.jsonl.gz")`` -> Path, or skip/fail."""
    return require_shared


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite file in the test's temp dir."""
    return f"sqlite:///{tmp_path / 'miner.db'}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    """A migrated store on a fresh SQLite file."""
    with Store.open(sqlite_url) as s:
        yield s


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store URL on each backend (PostgreSQL skipped when no server answers)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'miner.db'}"
        return
    from tests.backends import postgres_database

    with postgres_database() as url:
        yield url
