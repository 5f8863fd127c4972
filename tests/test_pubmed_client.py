"""PubMedClient against a local replay server (real recorded replies) and MockTransport.

The replay server answers with the real esearch/efetch/epost replies in
``shared/data/biopython-entrez`` and injects 429 (with Retry-After), 500,
timeouts and bodies cut short. Sleeping is injected: the client's backoff
waits are recorded, not slept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree

from miner.errors import ConfigError, ParseError, PubMedError, RateLimited
from miner.pubmed import ESEARCH_LIMIT, PubMedClient, SearchResult, parse_date
from miner.records import Article
from tests.conftest import require_shared
from tests.replay import ReplayServer, Reply, Request

EFETCH_FILES = ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml",
                "pubmed7.xml"]  # fmt: skip


class CountingLimiter:
    """Rate limiter that never waits but counts acquisitions."""

    def __init__(self) -> None:
        self.calls = 0

    def acquire(self) -> None:
        self.calls += 1


def entrez(name: str) -> bytes:
    return require_shared("biopython-entrez", name).read_bytes()


def pmids_in(data: bytes) -> list[str]:
    """PMIDs of a PubMed XML reply, read independently of miner's parser."""
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return [
        p.strip() for p in root.xpath("/PubmedArticleSet/PubmedArticle/MedlineCitation/PMID/text()")
    ]


def esearch_ids(data: bytes) -> list[str]:
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return [i.strip() for i in root.xpath("/eSearchResult/IdList/Id/text()")]


def efetch_route(files: list[bytes]) -> Callable[[Request], Reply]:
    """Serve the recorded efetch replies in turn, one per request."""
    served: list[int] = []

    def route(request: Request) -> Reply:
        if request.endpoint == "esearch.fcgi":
            return Reply(body=entrez("esearch1.xml"))
        if request.endpoint == "epost.fcgi":
            return Reply(body=entrez("epost1.xml"))
        if request.endpoint == "efetch.fcgi":
            body = files[len(served) % len(files)]
            served.append(1)
            return Reply(body=body)
        return Reply(404)

    return route


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Callable[..., PubMedClient]]:
    clients: list[PubMedClient] = []

    def make(base_url: str | None = None, **kwargs: Any) -> PubMedClient:
        kwargs.setdefault("rate_limiter", CountingLimiter())
        kwargs.setdefault("sleep", sleeps.append)
        kwargs.setdefault("timeout", 2.0)
        client = PubMedClient(email="tests@example.org", base_url=base_url, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# -- real replies through the replay server ------------------------------------------


def test_esearch_reads_a_real_history_reply(make_client: Callable[..., PubMedClient]) -> None:
    data = entrez("esearch2.xml")
    root = etree.fromstring(data)
    with ReplayServer(lambda r: Reply(body=data)) as server:
        client = make_client(server.url, api_key="k3y")
        result = client.esearch("cancer", mindate="2025-09-27", maxdate="2025-11-26", retmax=100)
    assert result.count == int(root.findtext("Count"))
    assert result.webenv == root.findtext("WebEnv")
    assert result.query_key == root.findtext("QueryKey")
    assert list(result.ids) == esearch_ids(data)
    (call,) = server.calls("esearch.fcgi")
    assert call.params["usehistory"] == "y"
    assert (call.params["datetype"], call.params["mindate"], call.params["maxdate"]) == (
        "edat",
        "2025/09/27",
        "2025/11/26",
    )
    assert call.params["tool"] == "miner" and call.params["email"] == "tests@example.org"
    assert call.params["api_key"] == "k3y"


def test_zero_hit_search(make_client: Callable[..., PubMedClient]) -> None:
    with ReplayServer(lambda r: Reply(body=entrez("esearch8.xml"))) as server:
        client = make_client(server.url)
        assert client.esearch("abcXYZ").count == 0
        assert list(client.search_and_fetch("abcXYZ")) == []


def test_search_without_history_pages_ids_and_fetches_real_replies(
    make_client: Callable[..., PubMedClient],
) -> None:
    files = [entrez(n) for n in EFETCH_FILES]
    search = entrez("esearch1.xml")
    with ReplayServer(efetch_route(files)) as server:
        client = make_client(server.url)
        records = list(client.search_and_fetch("biopython", batch_size=5))
    ids = esearch_ids(search)
    n_batches = -(-len(ids) // 5)
    expected = [p for i in range(n_batches) for p in pmids_in(files[i % len(files)])]
    assert [r.pmid for r in records if isinstance(r, Article)] == expected
    fetched = [c.params["id"].split(",") for c in server.calls("efetch.fcgi")]
    assert [i for chunk in fetched for i in chunk] == ids
    assert all(len(chunk) <= 5 for chunk in fetched)


def test_long_id_lists_go_by_post(make_client: Callable[..., PubMedClient]) -> None:
    ids = [str(40_000_000 + i) for i in range(300)]
    with ReplayServer(efetch_route([entrez("pubmed1.xml")])) as server:
        client = make_client(server.url)
        list(client.efetch(ids, batch_size=300))
        posted = client.epost(ids)
    (fetch,) = server.calls("efetch.fcgi")
    assert fetch.method == "POST" and fetch.params["id"].split(",") == ids
    (post,) = server.calls("epost.fcgi")
    assert post.method == "POST"
    root = etree.fromstring(entrez("epost1.xml"))
    assert (posted.webenv, posted.query_key) == (
        root.findtext("WebEnv").strip(),
        root.findtext("QueryKey").strip(),
    )


@pytest.mark.parametrize("name", ["epost2.xml", "epost3.xml"], ids=["bad-db", "empty-ids"])
def test_epost_error_replies_raise(make_client: Callable[..., PubMedClient], name: str) -> None:
    error = etree.fromstring(entrez(name)).findtext("ERROR").strip()
    with ReplayServer(lambda r: Reply(body=entrez(name))) as server:
        client = make_client(server.url)
        with pytest.raises(PubMedError, match=re.escape(error)):
            client.epost(["1"])
        assert len(server.calls("epost.fcgi")) == 1, "an ERROR reply is not retried"


# -- faults -------------------------------------------------------------------------------


def _truncated(body: bytes) -> Reply:
    return Reply(body=body, truncate_to=len(body) // 2)


FAULTS: list[tuple[str, Callable[[bytes], Reply]]] = [
    ("429-retry-after", lambda body: Reply(429, b"slow down", headers={"Retry-After": "7"})),
    ("500", lambda body: Reply(500, b"oops")),
    ("503", lambda body: Reply(503, b"busy")),
    ("timeout", lambda body: Reply(body=body, delay=0.6)),
    ("cut-connection", _truncated),
    ("cut-xml", lambda body: Reply(body=body[: len(body) // 2])),
    ("html-page", lambda body: Reply(body=entrez("pubmed3.html"))),
]


@pytest.mark.parametrize("fault", [f for _, f in FAULTS], ids=[n for n, _ in FAULTS])
def test_faults_are_retried_then_the_real_reply_is_used(
    make_client: Callable[..., PubMedClient], sleeps: list[float], fault: Callable[[bytes], Reply]
) -> None:
    body = entrez("pubmed4.xml")
    limiter = CountingLimiter()
    with ReplayServer(efetch_route([body])) as server:
        server.inject("efetch.fcgi", fault(body), fault(body))
        client = make_client(server.url, timeout=0.3, rate_limiter=limiter, max_retries=3)
        records = list(client.efetch(["27797938"]))
    assert [r.pmid for r in records] == pmids_in(body)
    assert len(server.calls("efetch.fcgi")) == 3
    assert client.requests_sent == limiter.calls == 3, "every attempt waits on the rate limiter"
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0] or sleeps[0] >= 7, "backoff grows (or Retry-After rules)"


def test_retry_after_is_honoured(
    make_client: Callable[..., PubMedClient], sleeps: list[float]
) -> None:
    body = entrez("pubmed1.xml")
    with ReplayServer(efetch_route([body])) as server:
        server.inject("efetch.fcgi", Reply(429, headers={"Retry-After": "12"}))
        client = make_client(server.url, backoff=0.1)
        list(client.efetch(["1"]))
    assert sleeps and sleeps[0] >= 12


def test_rate_limited_when_retries_are_spent(
    make_client: Callable[..., PubMedClient], sleeps: list[float]
) -> None:
    with ReplayServer(lambda r: Reply(429, headers={"Retry-After": "3"})) as server:
        client = make_client(server.url, max_retries=2)
        with pytest.raises(RateLimited) as info:
            client.esearch("ketamine")
    assert info.value.retry_after == 3
    assert info.value.query == "ketamine"
    assert len(server.calls("esearch.fcgi")) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "reply",
    [Reply(502), Reply(body=b"<eSearchResult><Count>1"), Reply(body=b"", delay=0.6)],
    ids=["502", "cut-xml", "timeout"],
)
def test_other_failures_raise_pubmed_error(
    make_client: Callable[..., PubMedClient], reply: Reply
) -> None:
    with ReplayServer(lambda r: reply) as server:
        client = make_client(server.url, max_retries=1, timeout=0.3)
        with pytest.raises(PubMedError) as info:
            client.esearch("ketamine")
    assert not isinstance(info.value, RateLimited)
    assert "2 attempts" in str(info.value)


def test_client_errors_are_not_retried(make_client: Callable[..., PubMedClient]) -> None:
    with ReplayServer(lambda r: Reply(400, b"bad request")) as server:
        client = make_client(server.url)
        with pytest.raises(PubMedError, match="HTTP 400"):
            client.esearch("x")
    assert len(server.calls("esearch.fcgi")) == 1


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINER_EUTILS_URL", "http://127.0.0.1:9/mirror/")
    with PubMedClient(email="a@b.org") as client:
        assert client.base_url == "http://127.0.0.1:9/mirror"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"email": ""}, "email"), ({"email": "a@b.org", "max_retries": -1}, "max_retries")],
    ids=["no-email", "negative-retries"],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        PubMedClient(**kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024/05/01", date(2024, 5, 1)),
        ("2024-05", date(2024, 5, 1)),
        ("2024", date(2024, 1, 1)),
        (date(2020, 2, 29), date(2020, 2, 29)),
        (None, None),
    ],
    ids=["iso", "slashes", "month", "year", "date", "none"],
)
def test_parse_date(value: Any, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_parse_date_names_the_forms() -> None:
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_date("yesterday")


# -- history paging, date splitting and incremental refresh (MockTransport) ----------------
#
# A synthetic PubMed: records with entry dates; esearch counts them in the
# requested window, efetch pages them from the "history". The XML is written
# here, in the shape of the E-utilities replies.


class FakePubMed:
    def __init__(self, per_day: dict[date, int], efetch_body: bytes) -> None:
        self.per_day = per_day
        self.efetch_body = efetch_body
        self.searches: list[dict[str, str]] = []
        self.fetches: list[dict[str, str]] = []

    def count(self, lo: date, hi: date) -> int:
        return sum(n for d, n in self.per_day.items() if lo <= d <= hi)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if request.method == "POST":
            params.update(dict(httpx.QueryParams(request.content.decode())))
        if request.url.path.endswith("esearch.fcgi"):
            self.searches.append(params)
            if "mindate" in params:
                lo = date(*map(int, params["mindate"].split("/")))
                hi = date(*map(int, params["maxdate"].split("/")))
            else:
                lo, hi = date.min, date.max
            n = self.count(lo, hi)
            xml = (
                f"<eSearchResult><Count>{n}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
                f"<QueryKey>1</QueryKey><WebEnv>W{lo:%Y%m%d}-{hi:%Y%m%d}</WebEnv><IdList/>"
                f"</eSearchResult>"
            )
            return httpx.Response(200, content=xml.encode())
        if request.url.path.endswith("efetch.fcgi"):
            self.fetches.append(params)
            return httpx.Response(200, content=self.efetch_body)
        return httpx.Response(404)


def test_history_paging(make_client: Callable[..., PubMedClient]) -> None:
    body = entrez("pubmed2.xml")
    fake = FakePubMed({date(2024, 1, 1): 450}, body)
    client = make_client("http://eutils.test", transport=httpx.MockTransport(fake))
    records = list(client.search_and_fetch("q", since="2023-12-01", until="2024-02-01",
                                           batch_size=200))  # fmt: skip
    assert [(f["retstart"], f["retmax"]) for f in fake.fetches] == [
        ("0", "200"),
        ("200", "200"),
        ("400", "50"),
    ]
    assert {f["WebEnv"] for f in fake.fetches} == {"W20231201-20240201"}
    assert len(records) == 3 * len(pmids_in(body))


def test_ceiling_is_split_by_entry_date(make_client: Callable[..., PubMedClient]) -> None:
    start = date(2020, 1, 1)
    per_day = {start + timedelta(days=i): 150 + (i * 37) % 400 for i in range(300)}
    fake = FakePubMed(per_day, entrez("pubmed1.xml"))
    client = make_client("http://eutils.test", transport=httpx.MockTransport(fake))
    windows = list(client.search_windows("q", since=start, until=start + timedelta(days=299)))
    total = sum(per_day.values())
    assert total > ESEARCH_LIMIT
    assert all(0 < w.count < ESEARCH_LIMIT for w in windows)
    assert sum(w.count for w in windows) == total
    spans = sorted((w.mindate, w.maxdate) for w in windows)
    assert all(a is not None and b is not None for a, b in spans)
    for (_, prev_hi), (next_lo, _) in itertools.pairwise(spans):
        assert prev_hi is not None and next_lo == prev_hi + timedelta(days=1), "disjoint, no gaps"


def test_one_day_over_the_ceiling_is_an_error(make_client: Callable[..., PubMedClient]) -> None:
    day = date(2021, 6, 1)
    fake = FakePubMed({day: ESEARCH_LIMIT + 1}, b"")
    client = make_client("http://eutils.test", transport=httpx.MockTransport(fake))
    with pytest.raises(PubMedError, match="2021-06-01") as info:
        list(client.search_windows("big", since=day - timedelta(days=3), until=day))
    assert info.value.query == "big"


def test_incremental_refresh_asks_only_for_new_entries(
    make_client: Callable[..., PubMedClient],
) -> None:
    fake = FakePubMed({date.today(): 2}, entrez("pubmed5.xml"))
    client = make_client("http://eutils.test", transport=httpx.MockTransport(fake))
    seen: list[SearchResult] = []
    list(client.search_and_fetch("q", since="2024-05-01", on_search=seen.append))
    (search,) = fake.searches
    assert search["datetype"] == "edat"
    assert search["mindate"] == "2024/05/01"
    assert search["maxdate"] == date.today().strftime("%Y/%m/%d")
    assert [s.count for s in seen] == [2]


def test_parse_error_type_for_non_pubmed_efetch(make_client: Callable[..., PubMedClient]) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=entrez("efetch_pmc.xml")))
    client = make_client("http://eutils.test", transport=transport, max_retries=0)
    with pytest.raises(PubMedError, match="not PubMed XML"):
        list(client.efetch(["1"]))
    assert issubclass(ParseError, PubMedError)
