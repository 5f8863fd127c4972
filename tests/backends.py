"""Store backends for tests: a SQLite file, and a throwaway PostgreSQL database.

PostgreSQL is used when a server answers at ``MINER_TEST_PG_URL`` (default
``postgresql+psycopg://root@127.0.0.1:5432/postgres``, trust auth on these
machines). Each test gets a fresh database that is dropped afterwards. With
no server the PostgreSQL variant is skipped with the reason, except under CI,
where this machine's server is expected and its absence is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import IN_CI

PG_ADMIN_URL = os.environ.get(
    "MINER_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
)


def _pg_unavailable() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any driver/connection failure means "no server here"
        return f"no PostgreSQL at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create a throwaway PostgreSQL database; yield its URL; drop it."""
    reason = _pg_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(reason + " -- required under CI", pytrace=False)
        pytest.skip(reason)
    name = f"miner_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
