"""Stores for the read-side tests: the hand-made fixture dataset and the demo corpus run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from miner.api import create_app
from miner.store import Store
from tests.api.fixture_data import FixtureInfo, build_fixture_store

TOKEN = "test-token-not-secret"


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> FixtureInfo:
    """Two versions of ketamine_neuropathic_pain built from the made-up trials (read-only use)."""
    return build_fixture_store(f"sqlite:///{tmp_path_factory.mktemp('fixture') / 'm.db'}")


@pytest.fixture
def mutable_store(tmp_path_factory: pytest.TempPathFactory) -> FixtureInfo:
    """A fresh copy of the fixture dataset for tests that write (reviews, refresh)."""
    return build_fixture_store(f"sqlite:///{tmp_path_factory.mktemp('mutable') / 'm.db'}")


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real chain (ingest -> extract -> pool) on the bundled synthetic demo corpus."""
    from miner.chain import run_embedded

    mp = pytest.MonkeyPatch()
    mp.setenv("MINER_OFFLINE", "1")
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'm.db'}"
    try:
        with Store.open(url) as store:
            run_embedded(store, "ketamine neuropathic pain")
    finally:
        mp.undo()
    return url


@pytest.fixture(scope="session")
def client(fixture_store: FixtureInfo) -> Iterator[TestClient]:
    with TestClient(create_app(fixture_store.url, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="session")
def demo_client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(demo_url, token=TOKEN)) as c:
        yield c
