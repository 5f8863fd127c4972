"""NCBI E-utilities client for PubMed (httpx).

:class:`PubMedClient` does what a polite production client must:

- sends ``tool``, ``email`` and (when given) ``api_key`` with every request;
- waits on a :class:`~miner.ratelimit.RateLimiter` before every attempt
  (3 requests/s without a key, 10 with one; shared through Redis across
  processes when the caller passes a :class:`~miner.ratelimit.RedisRateLimiter`);
- retries 429, 5xx, timeouts, dropped connections and replies cut short, with
  exponential backoff and jitter, honouring ``Retry-After``; when the retries
  are spent it raises :class:`~miner.errors.RateLimited` (429) or
  :class:`~miner.errors.PubMedError`;
- searches with the history server (``usehistory=y``) and pages EFetch from
  ``WebEnv``/``query_key``; posts long id lists (EPost, EFetch by POST);
- works around ESearch's 10,000-record ceiling by splitting the entry-date
  range in halves until each part fits;
- refreshes incrementally by entry date (``datetype=edat``, ``mindate`` /
  ``maxdate``).

The base URL comes from ``MINER_EUTILS_URL`` (via :class:`miner.config.Settings`)
unless given, so tests and mirrors can point the client elsewhere; tests pass
``transport=httpx.MockTransport(...)`` or a local replay server's URL.
"""

from __future__ import annotations

import dataclasses
import email.utils
import io
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from lxml import etree

from miner import __version__
from miner.config import Settings
from miner.errors import ConfigError, ParseError, PubMedError, RateLimited
from miner.pubmed_xml import iter_pubmed_xml
from miner.ratelimit import RateLimiter, TokenBucket, ncbi_rate
from miner.records import Article, Deletion

__all__ = ["ESEARCH_LIMIT", "PubMedClient", "SearchResult", "parse_date"]

#: ESearch returns (and EFetch pages from history) at most this many records per query.
ESEARCH_LIMIT = 10_000
#: Above this many characters of ids, send them in the request body (POST).
POST_THRESHOLD_CHARS = 1_000
#: Earliest entry date used when a search too big for one ESearch has no lower bound.
EARLIEST_DATE = date(1900, 1, 1)

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """An ESearch (or EPost) reply.

    ``ids`` holds the PMIDs returned in this reply (at most ``retmax``);
    ``count`` is the total number of matches; ``webenv``/``query_key`` name
    the result set on NCBI's history server (None when not requested);
    ``mindate``/``maxdate`` echo the date window searched, if any.
    """

    count: int
    webenv: str | None
    query_key: str | None
    ids: tuple[str, ...] = ()
    mindate: date | None = None
    maxdate: date | None = None


def parse_date(value: date | datetime | str | None) -> date | None:
    """Accept ``date``, ``datetime`` or ``YYYY-MM-DD`` / ``YYYY/MM/DD`` / ``YYYY-MM`` / ``YYYY``.

    Raises
    ------
    ConfigError
        For any other string, naming the accepted forms.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-")
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ConfigError(f"invalid date {value!r}: expected YYYY-MM-DD, YYYY/MM/DD, YYYY-MM or YYYY")


def _ncbi_date(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _xml(data: bytes, what: str) -> Any:
    try:
        return etree.fromstring(data, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{what} reply is not well-formed XML: {exc}", source=what) from exc


def _errors_in(root: Any) -> list[str]:
    return [(e.text or "").strip() for e in root.iter("ERROR") if (e.text or "").strip()]


class PubMedClient:
    """E-utilities client for PubMed. Use as a context manager.

    Parameters
    ----------
    email:
        Contact address NCBI asks every tool to send.
    api_key:
        NCBI API key (raises the allowance from 3 to 10 requests/s).
    tool:
        Tool name sent to NCBI.
    base_url:
        E-utilities base URL; default ``MINER_EUTILS_URL`` or NCBI's.
    transport:
        An ``httpx`` transport (``httpx.MockTransport`` in tests).
    rate_limiter:
        Waited on before every attempt; default an in-process
        :class:`~miner.ratelimit.TokenBucket` at NCBI's rate for the key.
    max_retries:
        Retries after the first attempt for 429, 5xx, timeouts, dropped
        connections and replies cut short.
    timeout:
        Seconds per request (connect, read, write, pool).
    backoff, max_backoff:
        Attempt ``n`` waits ``min(max_backoff, backoff * 2**n)`` plus up to
        ``backoff`` of random jitter, or ``Retry-After`` when that is longer.
    sleep:
        Injectable so tests do not sleep for real.
    rng:
        Random source for the jitter.
    """

    def __init__(
        self,
        *,
        email: str,
        api_key: str | None = None,
        tool: str = "miner",
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 5,
        timeout: float = 30.0,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not email or "@" not in email:
            raise ConfigError(f"email must be a contact address NCBI can reach, got {email!r}")
        if max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0, got {max_retries}")
        self.email = email
        self.api_key = api_key
        self.tool = tool
        self.base_url = (base_url or Settings.from_env().eutils_url).rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rate_limiter: RateLimiter = rate_limiter or TokenBucket(
            ncbi_rate(api_key), sleep=sleep
        )
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": f"miner/{__version__} ({email})"},
            follow_redirects=True,
        )
        #: Requests sent (attempts, including retries); for logs and tests.
        self.requests_sent = 0

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: Any) -> PubMedClient:
        """A client from ``MINER_NCBI_EMAIL``, ``MINER_NCBI_API_KEY`` and ``MINER_EUTILS_URL``."""
        s = settings or Settings.from_env()
        kwargs.setdefault("email", s.ncbi_email)
        kwargs.setdefault("api_key", s.ncbi_api_key)
        kwargs.setdefault("base_url", s.eutils_url)
        return cls(**kwargs)

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> PubMedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        full = {k: v for k, v in params.items() if v is not None}
        full["tool"] = self.tool
        full["email"] = self.email
        if self.api_key:
            full["api_key"] = self.api_key
        return full

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.max_backoff, self.backoff * (2**attempt))
        delay += self._rng.uniform(0, self.backoff)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def request(
        self,
        endpoint: str,
        params: dict[str, Any],
        *,
        post: bool = False,
        validate: Callable[[bytes], Any] | None = None,
        query: str | None = None,
    ) -> Any:
        """Send one E-utilities request with rate limiting and retries.

        Parameters
        ----------
        endpoint:
            ``"esearch.fcgi"``, ``"efetch.fcgi"``, ``"epost.fcgi"`` ...
        params:
            Query parameters (``tool``/``email``/``api_key`` are added).
        post:
            Send the parameters as a form body (long id lists).
        validate:
            Called on the body; a :class:`ParseError` from it (a reply cut
            short, an HTML error page) counts as a failed attempt and is
            retried. Its return value is returned.
        query:
            Search term, for error messages.

        Returns
        -------
        Any
            ``validate(body)``, or the body bytes when no validator is given.
        """
        url = f"{self.base_url}/{endpoint}"
        data = self._params(params)
        last_problem = "no attempt made"
        retry_after: float | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._sleep(self._delay(attempt - 1, retry_after))
            retry_after = None
            self.rate_limiter.acquire()
            self.requests_sent += 1
            try:
                if post:
                    response = self._http.post(url, data=data)
                else:
                    response = self._http.get(url, params=data)
            except httpx.TimeoutException as exc:
                last_problem = f"timed out ({type(exc).__name__})"
                continue
            except httpx.TransportError as exc:
                # Includes a body cut short (RemoteProtocolError) and refused connections.
                last_problem = f"transport error ({type(exc).__name__}: {exc})"
                continue
            status = response.status_code
            if status in _RETRY_STATUS:
                retry_after = _retry_after(response)
                last_problem = f"HTTP {status}"
                if status == 429 and attempt == self.max_retries:
                    raise RateLimited(
                        f"{endpoint}: NCBI rate limit (HTTP 429) after "
                        f"{self.max_retries + 1} attempts",
                        retry_after=retry_after,
                        query=query,
                    )
                continue
            if status >= 400:
                raise PubMedError(
                    f"{endpoint}: HTTP {status}: {response.text[:200]!r}", query=query
                )
            body = response.content
            if validate is None:
                return body
            try:
                return validate(body)
            except ParseError as exc:
                last_problem = f"unusable reply ({exc})"
                continue
        raise PubMedError(
            f"{endpoint}: giving up after {self.max_retries + 1} attempts: {last_problem}",
            query=query,
        )

    # -- E-utilities -----------------------------------------------------------------

    def esearch(
        self,
        query: str,
        *,
        mindate: date | str | None = None,
        maxdate: date | str | None = None,
        datetype: str = "edat",
        retmax: int = 0,
        retstart: int = 0,
        usehistory: bool = True,
    ) -> SearchResult:
        """Search PubMed.

        Parameters
        ----------
        query:
            PubMed search term.
        mindate, maxdate:
            Inclusive date window on ``datetype``; if only one is given the
            other defaults to 1900-01-01 / today (NCBI needs both).
        datetype:
            ``edat`` (entry date, for incremental refresh), ``pdat``
            (publication date) or ``mdat`` (modification date).
        retmax, retstart:
            Page of PMIDs to return in :attr:`SearchResult.ids`.
        usehistory:
            Keep the result on the history server (``WebEnv``/``query_key``).
        """
        if datetype not in ("edat", "pdat", "mdat"):
            raise ConfigError(f"datetype must be one of edat, pdat, mdat; got {datetype!r}")
        params: dict[str, Any] = {
            "db": "pubmed",
            "term": query,
            "retmax": retmax,
            "retstart": retstart,
            "usehistory": "y" if usehistory else None,
        }
        lo, hi = parse_date(mindate), parse_date(maxdate)
        if lo or hi:
            params["datetype"] = datetype
            params["mindate"] = _ncbi_date(lo or EARLIEST_DATE)
            params["maxdate"] = _ncbi_date(hi or date.today())
        post = len(query) > POST_THRESHOLD_CHARS
        result: SearchResult = self.request(
            "esearch.fcgi",
            params,
            post=post,
            validate=lambda body: self._search_result(body, query),
            query=query,
        )
        if lo or hi:
            result = dataclasses.replace(
                result, mindate=lo or EARLIEST_DATE, maxdate=hi or date.today()
            )
        return result

    def _search_result(self, body: bytes, query: str) -> SearchResult:
        root = _xml(body, "esearch")
        if root.tag != "eSearchResult":
            raise ParseError(f"esearch reply has root <{root.tag}>, expected <eSearchResult>")
        errors = _errors_in(root)
        count_text = root.findtext("Count")
        if count_text is None:
            if errors:
                raise PubMedError(f"esearch: {'; '.join(errors)}", query=query)
            raise ParseError("esearch reply has no <Count>", source="esearch")
        return SearchResult(
            count=int(count_text),
            webenv=root.findtext("WebEnv"),
            query_key=root.findtext("QueryKey"),
            ids=tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text),
        )

    def epost(self, ids: Iterable[str]) -> SearchResult:
        """Upload PMIDs to the history server (always by POST).

        Returns a :class:`SearchResult` whose ``webenv``/``query_key`` name the
        uploaded set, for :meth:`efetch`.
        """
        unique = tuple(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))
        if not unique:
            raise PubMedError("epost: no ids to post")

        def validate(body: bytes) -> SearchResult:
            root = _xml(body, "epost")
            if root.tag != "ePostResult":
                raise ParseError(f"epost reply has root <{root.tag}>, expected <ePostResult>")
            errors = _errors_in(root)
            webenv, key = root.findtext("WebEnv"), root.findtext("QueryKey")
            if errors or not webenv or not key:
                raise PubMedError(f"epost: {'; '.join(errors) or 'no WebEnv in reply'}")
            return SearchResult(
                count=len(unique), webenv=webenv.strip(), query_key=key.strip(), ids=unique
            )

        result: SearchResult = self.request(
            "epost.fcgi", {"db": "pubmed", "id": ",".join(unique)}, post=True, validate=validate
        )
        return result

    def efetch_xml(
        self,
        ids: Sequence[str] | None = None,
        *,
        history: SearchResult | None = None,
        count: int | None = None,
        batch_size: int = 200,
        query: str | None = None,
    ) -> Iterator[bytes]:
        """Fetch PubMed XML in batches; yield each reply's bytes (already checked to parse).

        Give either ``ids`` (sent by POST when long) or ``history`` (a
        :class:`SearchResult` with ``webenv``/``query_key``; ``count`` records
        are paged, default ``history.count``).
        """
        yield from self._efetch(ids, history, count, batch_size, query, validate=_check_pubmed_xml)

    def efetch(
        self,
        ids: Sequence[str] | None = None,
        *,
        history: SearchResult | None = None,
        count: int | None = None,
        batch_size: int = 200,
        query: str | None = None,
    ) -> Iterator[Article | Deletion]:
        """Like :meth:`efetch_xml`, but yield parsed :class:`Article`/:class:`Deletion` records."""
        batches = self._efetch(ids, history, count, batch_size, query, validate=_parse_pubmed_xml)
        for records in batches:
            yield from records

    def _efetch(
        self,
        ids: Sequence[str] | None,
        history: SearchResult | None,
        count: int | None,
        batch_size: int,
        query: str | None,
        *,
        validate: Callable[[bytes], Any],
    ) -> Iterator[Any]:
        if batch_size < 1 or batch_size > ESEARCH_LIMIT:
            raise ConfigError(f"batch_size must be between 1 and {ESEARCH_LIMIT}, got {batch_size}")
        base = {"db": "pubmed", "retmode": "xml", "rettype": "abstract"}
        if ids is not None:
            id_list = [str(i).strip() for i in ids if str(i).strip()]
            for start in range(0, len(id_list), batch_size):
                chunk = ",".join(id_list[start : start + batch_size])
                yield self.request(
                    "efetch.fcgi",
                    {**base, "id": chunk},
                    post=len(chunk) > POST_THRESHOLD_CHARS,
                    validate=validate,
                    query=query,
                )
            return
        if history is None or not history.webenv or not history.query_key:
            raise ConfigError(
                "efetch needs ids or a history SearchResult with webenv and query_key"
            )
        total = history.count if count is None else count
        for start in range(0, total, batch_size):
            yield self.request(
                "efetch.fcgi",
                {
                    **base,
                    "WebEnv": history.webenv,
                    "query_key": history.query_key,
                    "retstart": start,
                    "retmax": min(batch_size, total - start),
                },
                validate=validate,
                query=query,
            )

    def search_windows(
        self,
        query: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
    ) -> Iterator[SearchResult]:
        """ESearch results (with history) that together cover the query, each under the ceiling.

        A query matching more than :data:`ESEARCH_LIMIT` records is split by
        entry date into halves, recursively, until each part fits; the parts
        are disjoint day ranges, so no record comes twice.

        Raises
        ------
        PubMedError
            When a single entry day alone matches more than the ceiling.
        """
        lo, hi = parse_date(since), parse_date(until)
        first = self.esearch(query, mindate=lo, maxdate=hi)
        if first.count < ESEARCH_LIMIT:
            yield first
            return
        yield from self._split(query, lo or EARLIEST_DATE, hi or date.today())

    def _split(self, query: str, lo: date, hi: date) -> Iterator[SearchResult]:
        result = self.esearch(query, mindate=lo, maxdate=hi)
        if result.count < ESEARCH_LIMIT:
            if result.count:
                yield result
            return
        if lo >= hi:
            raise PubMedError(
                f"{result.count} records on entry date {lo.isoformat()} alone: more than "
                f"ESearch's {ESEARCH_LIMIT} ceiling; narrow the query",
                query=query,
            )
        mid = lo + timedelta(days=(hi - lo).days // 2)
        yield from self._split(query, lo, mid)
        yield from self._split(query, mid + timedelta(days=1), hi)

    def search_and_fetch(
        self,
        query: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
        batch_size: int = 200,
        on_search: Callable[[SearchResult], None] | None = None,
    ) -> Iterator[Article | Deletion]:
        """Every record matching ``query`` (entered between ``since`` and ``until``).

        Parameters
        ----------
        query:
            PubMed search term.
        since, until:
            Inclusive entry-date window (``datetype=edat``): a daily refresh
            passes the last run's date as ``since``.
        batch_size:
            Records per EFetch request.
        on_search:
            Called with each :class:`SearchResult` before its records are
            fetched (progress bars use ``count``).
        """
        for window in self.search_windows(query, since=since, until=until):
            if on_search is not None:
                on_search(window)
            if window.count == 0:
                continue
            if window.webenv and window.query_key:
                yield from self.efetch(history=window, batch_size=batch_size, query=query)
                continue
            # A server (mirror) that ignores usehistory: page the ids instead.
            ids = list(window.ids)
            if len(ids) < window.count:
                ids = list(
                    self.esearch(
                        query,
                        mindate=window.mindate,
                        maxdate=window.maxdate,
                        retmax=window.count,
                        usehistory=False,
                    ).ids
                )
            yield from self.efetch(ids, batch_size=batch_size, query=query)


def _parse_pubmed_xml(body: bytes) -> list[Article | Deletion]:
    """The records of one efetch reply; ParseError if it is cut short or not PubMed XML."""
    return list(iter_pubmed_xml(io.BytesIO(body), source_name="efetch reply"))


def _check_pubmed_xml(body: bytes) -> bytes:
    """Raise ParseError unless ``body`` is a complete PubMed XML document."""
    _parse_pubmed_xml(body)
    return body
