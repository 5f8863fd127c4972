"""A saved PubMed search refreshed end to end through the real E-utilities client.

``MINER_EUTILS_URL`` points at a local replay server holding real recorded
efetch replies (``shared/data/biopython-entrez``, see
:mod:`tests.service.pubmed_replay`): ESearch gives membership, the first
refresh fetches everything, later ones only what entered PubMed since the last
version (``datetype=edat``) plus matching records never stored. Faults are
injected into the replies; PubMed out of reach is a closed local port.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from miner.chain import refresh_embedded, run_embedded
from miner.errors import ConfigError, PubMedError
from miner.pubmed_xml import iter_pubmed_xml
from miner.records import Article
from miner.searches import SavedSearch
from miner.store import Store
from tests.conftest import require_shared
from tests.replay import ReplayServer, Reply
from tests.service.pubmed_replay import RealPubMed

#: A saved PubMed search (no [source]): the replay server is its slice of PubMed.
SEARCH = SavedSearch.from_dict(
    {
        "name": "replay_pubmed",
        "query": "cryopreservation sperm motility",
        "inclusion": {"rct_only": False},
        "comparison": {"intervention": ["cryosolution a"], "comparator": ["cryosolution b"]},
        "outcomes": [{"name": "motility", "terms": ["motility"], "measure": "MD"}],
        "schedule": "daily",
    }
)
#: Held back from the index until a test publishes them.
LATE_NEW = "30108519"  # enters PubMed "today"
LATE_OLD = "29963580"  # an older record that starts matching (a widened search)


@pytest.fixture
def pubmed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RealPubMed, ReplayServer]]:
    data = RealPubMed()
    data.visible -= {LATE_NEW, LATE_OLD}
    with ReplayServer(data) as server:
        monkeypatch.setenv("MINER_EUTILS_URL", server.url)
        monkeypatch.delenv("MINER_OFFLINE", raising=False)
        monkeypatch.delenv("MINER_BROKER_URL", raising=False)
        monkeypatch.setenv("MINER_EUTILS_BACKOFF", "0.01")
        monkeypatch.setenv("MINER_EUTILS_MAX_RETRIES", "2")
        yield data, server


def _versions(store: Store) -> list[dict[str, Any]]:
    return store.list_dataset_versions(SEARCH.name)


def test_first_refresh_ingests_everything_and_versions(
    store: Store, pubmed: tuple[RealPubMed, ReplayServer]
) -> None:
    data, server = pubmed
    out = refresh_embedded(store, SEARCH)
    assert out["ingest"]["source"] == "pubmed"
    assert sorted(store.search_members(SEARCH.name)) == sorted(data.visible)
    assert out["ingest"]["added"] == len(data.visible)
    assert sorted(data.served) == sorted(data.visible), "each record fetched exactly once"
    assert out["extract"]["to_extract"] == len(data.visible)
    assert out["new_version"] == 1 and len(_versions(store)) == 1
    for pmid in data.visible:
        article = store.get_article(pmid)
        assert article is not None and article.source != "demo corpus (synthetic)"
    first_search = server.calls("esearch.fcgi")[0].params
    assert "mindate" not in first_search, "the first refresh asks for the whole search"


def test_second_refresh_without_new_ids_fetches_nothing(
    store: Store, pubmed: tuple[RealPubMed, ReplayServer]
) -> None:
    _data, server = pubmed
    refresh_embedded(store, SEARCH)
    created = datetime.fromisoformat(_versions(store)[0]["created_at"]).date()
    fetches = len(server.calls("efetch.fcgi"))
    searches = len(server.calls("esearch.fcgi"))
    again = refresh_embedded(store, SEARCH)
    assert len(server.calls("efetch.fcgi")) == fetches, "no EFetch when nothing is new"
    incremental = [
        p for p in (c.params for c in server.calls("esearch.fcgi")[searches:]) if "mindate" in p
    ]
    assert incremental, "the second refresh asks by entry date"
    assert {(p["datetype"], p["mindate"]) for p in incremental} == {
        ("edat", (created - timedelta(days=1)).strftime("%Y/%m/%d"))
    }
    assert again["extract"]["to_extract"] == 0
    assert again["new_version"] is None and len(_versions(store)) == 1


@pytest.mark.parametrize(
    ("pmid", "entered"),
    [(LATE_NEW, "today"), (LATE_OLD, "its own date")],
    ids=["entered-today", "old-record-now-matching"],
)
def test_a_new_member_is_the_only_thing_fetched(
    store: Store, pubmed: tuple[RealPubMed, ReplayServer], pmid: str, entered: str
) -> None:
    data, _server = pubmed
    refresh_embedded(store, SEARCH)
    data.served.clear()
    data.publish(pmid, date.today() if entered == "today" else data.edat[pmid])
    out = refresh_embedded(store, SEARCH)
    assert data.served == [pmid]
    assert out["ingest"]["added"] == 1 and out["extract"]["to_extract"] == 1
    assert pmid in store.search_members(SEARCH.name)
    assert out["new_version"] == 2


@pytest.mark.parametrize(
    "faults",
    [
        [Reply(429, b"slow down", headers={"Retry-After": "0"}), Reply(500, b"oops")],
        [Reply(503, b"busy")],
    ],
    ids=["429-then-500", "503"],
)
def test_transient_faults_are_retried_and_change_nothing(
    tmp_path: Any, pubmed: tuple[RealPubMed, ReplayServer], faults: list[Reply]
) -> None:
    data, server = pubmed
    with Store.open(f"sqlite:///{tmp_path / 'clean.db'}") as clean:
        refresh_embedded(clean, SEARCH)
        expected = _versions(clean)[0]["fingerprint"]
    data.served.clear()
    server.inject("efetch.fcgi", *faults)
    with Store.open(f"sqlite:///{tmp_path / 'faulty.db'}") as store:
        out = refresh_embedded(store, SEARCH)
        assert out["new_version"] == 1
        assert _versions(store)[0]["fingerprint"] == expected
    assert sorted(data.served) == sorted(data.visible)


@pytest.mark.parametrize(
    "fault",
    [Reply(500, b"down"), Reply(429, b"slow down", headers={"Retry-After": "0"})],
    ids=["500", "429"],
)
def test_a_fetch_failing_past_the_retries_fails_cleanly(
    store: Store, pubmed: tuple[RealPubMed, ReplayServer], fault: Reply
) -> None:
    data, server = pubmed
    refresh_embedded(store, SEARCH)
    before = {p: store.get_article(p) for p in store.search_members(SEARCH.name)}
    data.publish(LATE_NEW, date.today())  # fetched first, by entry date
    data.publish(LATE_OLD, data.edat[LATE_OLD])  # fetched second, by id
    calls = len(server.calls("efetch.fcgi"))

    def failing_for_old(request: Any) -> Reply:
        ids = request.params.get("id", "").split(",")
        return fault if request.endpoint == "efetch.fcgi" and LATE_OLD in ids else data(request)

    server.route = failing_for_old
    with pytest.raises(PubMedError, match="efetch"):
        refresh_embedded(store, SEARCH, job_id="job-fails")
    assert len(server.calls("efetch.fcgi")) - calls == 1 + 3, "one fetch, then 3 attempts"
    job = store.get_job("job-fails")
    assert job is not None and job["state"] == "failed" and "efetch" in job["error"]
    assert len(_versions(store)) == 1, "no version from a half-fetched refresh"
    for pmid, article in before.items():  # nothing stored before is lost or changed
        assert store.get_article(pmid) == article
    assert store.get_article(LATE_NEW) is not None, "what was fetched before the failure is kept"
    assert store.get_article(LATE_OLD) is None
    server.route = data  # NCBI recovers: the next refresh completes
    out = refresh_embedded(store, SEARCH)
    assert out["new_version"] == 2
    assert sorted(store.search_members(SEARCH.name)) == sorted(data.visible)
    latest = store.latest_dataset_version(SEARCH.name)
    assert latest is not None
    not_extracted = [
        x for x in latest["content"]["excluded"] if "not extracted" in x.get("reason", "")
    ]
    assert not_extracted == []


# -- PubMed out of reach ---------------------------------------------------------------


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> str:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/eutils"
    monkeypatch.setenv("MINER_EUTILS_URL", url)
    monkeypatch.delenv("MINER_OFFLINE", raising=False)
    monkeypatch.delenv("MINER_BROKER_URL", raising=False)
    return url


def test_saved_pubmed_search_fails_clearly_when_unreachable(store: Store, unreachable: str) -> None:
    with pytest.raises(PubMedError) as info:
        refresh_embedded(store, SEARCH, job_id="job-offline")
    message = str(info.value)
    assert unreachable in message and "MINER_OFFLINE=1" in message
    assert _versions(store) == [] and store.search_members(SEARCH.name) == []
    assert store.count_articles() == 0
    job = store.get_job("job-offline")
    assert job is not None and job["state"] == "failed"


def test_run_on_the_demo_question_falls_back_to_the_demo(store: Store, unreachable: str) -> None:
    out = run_embedded(store, "ketamine neuropathic pain")
    assert "synthetic" in out["ingest"]["source"]
    assert any("not reachable" in n for n in out["ingest"]["notes"])
    assert out["new_version"] == 1


def test_run_on_another_question_fails_clearly(store: Store, unreachable: str) -> None:
    with pytest.raises(PubMedError, match="not reachable"):
        run_embedded(store, "lidocaine migraine")


@pytest.mark.parametrize("offline", [False, True], ids=["unreachable", "MINER_OFFLINE"])
def test_demo_is_never_mixed_into_real_records(
    store: Store, unreachable: str, monkeypatch: pytest.MonkeyPatch, offline: bool
) -> None:
    if offline:
        monkeypatch.setenv("MINER_OFFLINE", "1")
    real = [
        a
        for a in iter_pubmed_xml(require_shared("biopython-entrez", "pubmed4.xml"))
        if isinstance(a, Article)
    ]
    store.upsert_articles(real)
    store.add_search_members("ketamine_neuropathic_pain", [a.pmid for a in real])
    with pytest.raises(ConfigError, match="real records"):
        run_embedded(store, "ketamine neuropathic pain")
    assert store.list_dataset_versions("ketamine_neuropathic_pain") == []
