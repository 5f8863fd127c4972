"""The HTTP API: read the living dataset, trigger refreshes, record reviews.

:func:`create_app` builds a FastAPI app over one store. Read endpoints are
open; write endpoints (refresh, reviews) need ``Authorization: Bearer
<MINER_API_TOKEN>`` and answer 401 otherwise, and all writes are refused
when no token is configured. The OpenAPI schema is at ``/openapi.json``
(no docs UI: it would load scripts from a CDN).

Endpoints (``{name}`` is a saved search; ``version`` defaults to the newest):

- ``GET /health``
- ``GET /searches``: saved searches with their newest version (paginated)
- ``GET /searches/{name}``: definition and newest version
- ``GET /searches/{name}/pooled``: pooled results per outcome x time point x
  subgroup (estimate, CI, PI, tau2, I2, k, participants)
- ``GET /searches/{name}/versions`` and ``/versions/{version}``: history
- ``GET /searches/{name}/diff?from=&to=``: what changed between versions
- ``GET /searches/{name}/studies`` and ``/studies/{pmid}``: studies with
  every extracted value and its evidence span (pmid, sentence, offsets)
- ``GET /searches/{name}/excluded``: what was left out and why
- ``GET /searches/{name}/cumulative``: cumulative meta-analysis by year
- ``GET /searches/{name}/harms?category=&window=&measure=&tier=``: pooled
  harms (Mantel-Haenszel RR/RD per tier x category x window) and how each
  category is reported (counts, zero events stated, mentioned, not reported)
- ``GET /searches/{name}/tiers``: studies per evidence tier, each study's
  tier, and the evidence syntheses cited (never pooled)
- ``GET /searches/{name}/durability?outcome=``: whether each effect persists
- ``GET /searches/{name}/dose-response?outcome=&timepoint=``: meta-regression
  on dose per pooled cell (or why there is not enough)
- ``GET /searches/{name}/plots/{forest|cumulative|subgroups}.svg``
- ``GET /searches/{name}/dashboard``: the HTML dashboard page
- ``GET /searches/{name}/report?format=md|html``: the evidence summary
- ``GET /searches/{name}/reviews``; ``POST /searches/{name}/reviews``;
  ``POST /searches/{name}/reviews/{id}/revoke`` (token)
- ``POST /searches/{name}/refresh`` (token) -> job id; ``GET /jobs/{job_id}``

Dataset-version responses carry ``ETag`` and ``Last-Modified`` and answer
``304`` to a matching ``If-None-Match`` (or a later ``If-Modified-Since``).
Bad input gets a 4xx with a message: 404 for an unknown search, version,
study or job; 400 for a parameter outside the allowed values; 422 for a
malformed parameter or body; 413 for a body over the size cap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from miner import __version__, report
from miner.config import Settings
from miner.errors import ConfigError, MinerError
from miner.store import Store

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes); bigger ones get 413.
MAX_BODY_BYTES = 64 * 1024
#: Largest query string accepted (bytes); longer ones get 414.
MAX_QUERY_BYTES = 4096
#: Page size cap for paginated lists.
MAX_LIMIT = 500

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]

NAME = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
VERSION = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Dataset version (default: newest).")
]
LIMIT = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (1..{MAX_LIMIT}).")]
OFFSET = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
TEXT = Annotated[str | None, Query(min_length=1, max_length=256)]


# =============================================================================== models


class ReviewIn(BaseModel):
    """A human decision on one study of a search (body of ``POST /searches/{name}/reviews``)."""

    model_config = ConfigDict(extra="forbid")

    pmid: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")
    action: Literal["exclude", "include", "correct"]
    who: str = Field(min_length=1, max_length=200)
    why: str = Field(min_length=1, max_length=2000)
    outcome: str | None = Field(default=None, max_length=256)
    timepoint: str | None = Field(default=None, max_length=128)
    fields: dict[str, float] = Field(
        default_factory=dict,
        max_length=20,
        description="Corrected values: value+ci_low+ci_high, m1/sd1/n1/m2/sd2/n2, "
        "e1/n1/e2/n2 or yi+vi (intervention minus comparator).",
    )


class RevokeIn(BaseModel):
    """Body of ``POST /searches/{name}/reviews/{id}/revoke``."""

    model_config = ConfigDict(extra="forbid")

    who: str = Field(min_length=1, max_length=200)


# =============================================================================== middleware


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (413) and query strings over ``max_query`` (414).

    The body is read here (it is small by construction) and replayed to the
    app, so a chunked upload without Content-Length is capped as well.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_query: int = MAX_QUERY_BYTES):
        self.app = app
        self.max_bytes = max_bytes
        self.max_query = max_query

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string") or b"") > self.max_query:
            await _send_json(send, 414, f"query string over {self.max_query} bytes")
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_json(send, 400, "Content-Length is not a number")
                return
            if size > self.max_bytes:
                await _send_json(send, 413, f"request body over {self.max_bytes} bytes")
                return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_bytes:
                await _send_json(send, 413, f"request body over {self.max_bytes} bytes")
                return
            chunks.append(body)
            if not message.get("more_body"):
                break
        payload = b"".join(chunks)
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_json(send: Callable[[Any], Awaitable[None]], status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# =============================================================================== helpers


def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "items": items[offset : offset + limit],
    }


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _versioned(
    request: Request, data: Any, versions: list[dict[str, Any]], *, media: str | None = None
) -> Response:
    """A response for data derived from dataset ``versions``, with ETag/Last-Modified and 304."""
    seed = "|".join(f"{v['version']}:{v['fingerprint']}" for v in versions)
    seed += "|" + request.url.path + "?" + "&".join(sorted(str(request.query_params).split("&")))
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    newest = max(_utc(datetime.fromisoformat(v["created_at"])) for v in versions)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(newest.replace(microsecond=0), usegmt=True),
        "Cache-Control": "no-cache",
    }
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        if "*" in tags or etag in tags:
            return Response(status_code=304, headers=headers)
    else:
        ims = request.headers.get("if-modified-since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                since = None
            if since is not None and newest.replace(microsecond=0) <= _utc(since):
                return Response(status_code=304, headers=headers)
    if media is None:
        return JSONResponse(report.json_safe(data), headers=headers)
    return Response(content=data, media_type=media, headers=headers)


# =============================================================================== the app


def create_app(
    store_url: str | None = None,
    *,
    token: str | None = None,
    settings: Settings | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Build the API over the store at ``store_url``.

    Parameters
    ----------
    store_url:
        SQLAlchemy URL (default ``MINER_DB_URL`` / the default SQLite file).
    token:
        Bearer token for write endpoints (default ``MINER_API_TOKEN``); with
        none configured every write is refused with 401.
    settings:
        Settings (broker etc.); default read from the environment.
    max_body_bytes:
        Request body cap; bigger bodies get 413.
    """
    settings = settings or Settings.from_env()
    store = Store.open(store_url or settings.db_url)
    api_token = token if token is not None else settings.api_token
    app = FastAPI(
        title="miner",
        version=__version__,
        description="Living evidence from PubMed: pooled results, studies with evidence spans, "
        "version history, exports, dashboard and evidence summary.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    # -- errors: always a 4xx with a message for bad input ----------------------------

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            problems.append({"loc": where, "msg": str(err.get("msg")), "type": err.get("type")})
        detail = "; ".join(f"{p['loc']}: {p['msg']}" for p in problems) or "invalid request"
        return JSONResponse({"detail": detail, "errors": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(MinerError)
    async def _miner(_request: Request, exc: MinerError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    # -- dependencies ---------------------------------------------------------------

    def require_token(
        authorization: Annotated[str | None, Header(max_length=1024)] = None,
    ) -> None:
        challenge = {"WWW-Authenticate": 'Bearer realm="miner"'}
        if not api_token:
            raise HTTPException(
                401, "write endpoints are disabled: no MINER_API_TOKEN configured", challenge
            )
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise HTTPException(401, "missing 'Authorization: Bearer <token>' header", challenge)
        if not secrets.compare_digest(given.strip().encode(), api_token.encode()):
            raise HTTPException(401, "invalid bearer token", challenge)

    def known_search(name: str) -> Any:
        from miner.living import all_searches

        found = {s.name: s for s in all_searches(store)}
        if name not in found:
            raise HTTPException(
                404, f"no saved search {name!r}; known: {', '.join(sorted(found)) or '(none)'}"
            )
        return found[name]

    def version_of(name: str, version: int | None) -> dict[str, Any]:
        known_search(name)
        found = report.get_version(store, name, version)
        if found is None:
            have = [v["version"] for v in store.list_dataset_versions(name)]
            if not have:
                raise HTTPException(404, f"search {name}: no dataset version yet (refresh it)")
            raise HTTPException(404, f"search {name}: no version {version}; versions: {have}")
        return found

    def meta(v: dict[str, Any]) -> dict[str, Any]:
        return {k: val for k, val in v.items() if k != "content"}

    def check_choice(what: str, value: str | None, allowed: list[str]) -> None:
        if value is not None and value not in allowed:
            raise HTTPException(
                400, f"unknown {what} {value!r}; allowed: {', '.join(allowed) or '(none)'}"
            )

    # -- read endpoints -------------------------------------------------------------

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness: the service answers and the store is readable."""
        return {
            "status": "ok",
            "version": __version__,
            "schema_version": store.schema_version(),
            "store": store.engine.dialect.name,
            "writes_enabled": bool(api_token),
        }

    @app.get("/searches", tags=["searches"])
    def list_searches(limit: LIMIT = 50, offset: OFFSET = 0) -> dict[str, Any]:
        """Saved searches (shipped and stored) with their newest dataset version."""
        return _page(report.search_summaries(store), limit, offset)

    @app.get("/searches/{name}", tags=["searches"])
    def get_search(name: NAME) -> dict[str, Any]:
        """One saved search: its definition and newest version."""
        search = known_search(name)
        versions = store.list_dataset_versions(name)
        return {
            "name": name,
            "definition": search.to_dict(),
            "latest_version": versions[-1] if versions else None,
            "n_versions": len(versions),
        }

    @app.get("/searches/{name}/pooled", tags=["dataset"])
    def pooled(
        request: Request,
        name: NAME,
        version: VERSION = None,
        outcome: TEXT = None,
        timepoint: TEXT = None,
        subgroup: Annotated[
            str | None, Query(description="all, route or dose_band", max_length=32)
        ] = None,
        limit: LIMIT = 100,
        offset: OFFSET = 0,
    ) -> Response:
        """Pooled results per outcome x time point x subgroup (metafor field names).

        Ratio measures are on the log scale with ``*_exp`` fields on the ratio scale.
        """
        v = version_of(name, version)
        search = v["content"].get("search") or {}
        check_choice("outcome", outcome, [o["name"] for o in search.get("outcomes", ())])
        check_choice("timepoint", timepoint, [w["label"] for w in search.get("timepoints", ())])
        check_choice("subgroup", subgroup, ["all", *search.get("subgroups", ())])
        rows = report.pooled_table(
            store, v, outcome=outcome, timepoint=timepoint, subgroup_key=subgroup
        )
        body = {"search": name, **meta(v), **_page(rows, limit, offset)}
        return _versioned(request, body, [v])

    @app.get("/searches/{name}/versions", tags=["dataset"])
    def versions(name: NAME, limit: LIMIT = 50, offset: OFFSET = 0) -> dict[str, Any]:
        """Version history, oldest first, each with one-line headlines of what changed."""
        from miner.living import diff_contents

        known_search(name)
        metas = store.list_dataset_versions(name)
        page = _page(metas, limit, offset)
        items = []
        for m in page["items"]:
            cur = store.get_dataset_version(name, m["version"])
            prev = store.get_dataset_version(name, m["version"] - 1) if m["version"] > 1 else None
            assert cur is not None
            diff = diff_contents(prev["content"] if prev else None, cur["content"])
            items.append({**m, "headlines": diff["headlines"]})
        page["items"] = items
        return {"search": name, **page}

    @app.get("/searches/{name}/versions/{version}", tags=["dataset"])
    def one_version(
        request: Request, name: NAME, version: Annotated[int, Path(ge=1, le=2**31 - 1)]
    ) -> Response:
        """One version: metadata, overall pooled results, studies and exclusions counted."""
        v = version_of(name, version)
        body = {
            **meta(v),
            "pooled": report.pooled_table(store, v, subgroup_key="all"),
            "n_excluded": len(v["content"].get("excluded", ())),
            "notes": v["content"].get("notes", []),
        }
        return _versioned(request, body, [v])

    @app.get("/searches/{name}/diff", tags=["dataset"])
    def diff(
        request: Request,
        name: NAME,
        from_version: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
        to_version: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
    ) -> Response:
        """What changed between two versions (default: the newest and the one before)."""
        from miner.living import diff_contents

        new = version_of(name, to_version)
        old_no = from_version if from_version is not None else new["version"] - 1
        if old_no < 1:
            raise HTTPException(404, f"search {name}: version {new['version']} has no predecessor")
        old = version_of(name, old_no)
        body = {
            "search": name,
            "from": old["version"],
            "to": new["version"],
            **diff_contents(old["content"], new["content"]),
        }
        return _versioned(request, body, [old, new])

    @app.get("/searches/{name}/studies", tags=["dataset"])
    def studies(
        request: Request,
        name: NAME,
        version: VERSION = None,
        limit: LIMIT = 50,
        offset: OFFSET = 0,
    ) -> Response:
        """Studies of a version with every extracted value and its evidence span."""
        v = version_of(name, version)
        all_pmids = [s["pmid"] for s in v["content"].get("studies", ())]
        page = _page(all_pmids, limit, offset)
        page["items"] = report.study_records(store, v, pmids=page["items"])
        return _versioned(request, {"search": name, "version": v["version"], **page}, [v])

    @app.get("/searches/{name}/studies/{pmid}", tags=["dataset"])
    def study(
        request: Request,
        name: NAME,
        pmid: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")],
        version: VERSION = None,
    ) -> Response:
        """One study with its values, evidence spans and the text the offsets index."""
        v = version_of(name, version)
        found = report.study_records(store, v, pmids=[pmid])
        if not found:
            raise HTTPException(404, f"PMID {pmid} is not a study of {name} version {v['version']}")
        record = found[0]
        text = report.article_texts(store, [pmid]).get(pmid)
        record["text"] = text[1] if text and not record["text_changed"] else None
        return _versioned(request, {"search": name, "version": v["version"], **record}, [v])

    @app.get("/searches/{name}/excluded", tags=["dataset"])
    def excluded(
        request: Request,
        name: NAME,
        version: VERSION = None,
        limit: LIMIT = 100,
        offset: OFFSET = 0,
    ) -> Response:
        """What a version left out (whole articles or single values) and why."""
        v = version_of(name, version)
        page = _page(list(v["content"].get("excluded", ())), limit, offset)
        return _versioned(request, {"search": name, "version": v["version"], **page}, [v])

    @app.get("/searches/{name}/harms", tags=["dataset"])
    def harms(
        request: Request,
        name: NAME,
        version: VERSION = None,
        category: TEXT = None,
        window: TEXT = None,
        measure: Annotated[str | None, Query(max_length=8, description="RR or RD")] = None,
        tier: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response:
        """Pooled harms of a version (RR on the ratio scale) and each category's reporting status.

        ``n_extracted`` of ``n_studies`` had adverse events extracted: a category
        a study does not mention is ``not_reported`` (never zero events).
        """
        from miner.harms import HARM_MEASURES
        from miner.searches import harm_categories
        from miner.tiers import TIERS

        v = version_of(name, version)
        h = v["content"].get("harms") or {}
        pooled_rows = list(h.get("pooled") or ())
        check_choice("category", category, list(harm_categories()))
        windows = sorted({r["window"] for r in pooled_rows} | {h.get("window_unspecified") or ""})
        check_choice("window", window, [w for w in windows if w])
        check_choice("measure", measure, list(HARM_MEASURES))
        check_choice("tier", tier, list(TIERS))
        rows = [
            r
            for r in pooled_rows
            if (category is None or r["category"] == category)
            and (window is None or r["window"] == window)
            and (measure is None or r["measure"] == measure)
            and (tier is None or r["tier"] == tier)
        ]
        status = [s for s in h.get("status") or () if category is None or s["category"] == category]
        body = {
            **meta(v),
            "search": name,
            "extracted": bool(h.get("n_extracted")),
            "n_studies": h.get("n_studies", 0),
            "n_extracted": h.get("n_extracted", 0),
            "pooled": rows,
            "status": status,
            "skipped": list(h.get("skipped") or ()),
        }
        return _versioned(request, report.json_safe(body), [v])

    @app.get("/searches/{name}/tiers", tags=["dataset"])
    def tiers(request: Request, name: NAME, version: VERSION = None) -> Response:
        """Extracted articles per evidence tier, the tier of each study, and the syntheses cited."""
        v = version_of(name, version)
        c = v["content"]
        body = {
            **meta(v),
            "search": name,
            "tier_counts": c.get("tier_counts") or {},
            "studies": [
                {
                    k: s.get(k)
                    for k in ("pmid", "title", "year", "tier", "design", "tier_reason", "efficacy")
                }
                for s in c.get("studies", ())
            ],
            "cited": list(c.get("cited") or ()),
        }
        return _versioned(request, report.json_safe(body), [v])

    @app.get("/searches/{name}/durability", tags=["dataset"])
    def durability(
        request: Request, name: NAME, version: VERSION = None, outcome: TEXT = None
    ) -> Response:
        """Whether each pooled effect persists across the time windows (pattern + sentence)."""
        v = version_of(name, version)
        search = v["content"].get("search") or {}
        check_choice("outcome", outcome, [o["name"] for o in search.get("outcomes", ())])
        items = [
            d
            for d in v["content"].get("durability") or ()
            if outcome is None or d["outcome"] == outcome
        ]
        return _versioned(
            request, report.json_safe({**meta(v), "search": name, "items": items}), [v]
        )

    @app.get("/searches/{name}/dose-response", tags=["dataset"])
    def dose_response(
        request: Request,
        name: NAME,
        version: VERSION = None,
        outcome: TEXT = None,
        timepoint: TEXT = None,
    ) -> Response:
        """Dose-response meta-regression per pooled cell, or the structured "not enough" result."""
        v = version_of(name, version)
        search = v["content"].get("search") or {}
        check_choice("outcome", outcome, [o["name"] for o in search.get("outcomes", ())])
        check_choice("timepoint", timepoint, [w["label"] for w in search.get("timepoints", ())])
        items = [
            d
            for d in v["content"].get("dose_response") or ()
            if (outcome is None or d["outcome"] == outcome)
            and (timepoint is None or d["timepoint_window"] == timepoint)
        ]
        doses = [
            {"pmid": s["pmid"], **(s.get("dose") or {})}
            for s in v["content"].get("studies", ())
            if s.get("dose")
        ]
        body = {**meta(v), "search": name, "items": items, "study_doses": doses}
        return _versioned(request, report.json_safe(body), [v])

    def cell_of(v: dict[str, Any], outcome: str | None, timepoint: str | None) -> dict[str, Any]:
        from miner.dashboard import choose_cell

        rows = report.pooled_table(store, v, subgroup_key="all")
        try:
            cell = choose_cell(rows, outcome, timepoint)
        except ConfigError as exc:
            raise HTTPException(404, str(exc)) from exc
        if cell is None:
            raise HTTPException(404, f"search {v['search']} version {v['version']}: nothing pooled")
        return cell

    @app.get("/searches/{name}/cumulative", tags=["dataset"])
    def cumulative(
        request: Request,
        name: NAME,
        version: VERSION = None,
        outcome: TEXT = None,
        timepoint: TEXT = None,
    ) -> Response:
        """Cumulative meta-analysis of one outcome x time point by publication year."""
        v = version_of(name, version)
        cell = cell_of(v, outcome, timepoint)
        steps = report.cumulative_table(v, cell["outcome"], cell["timepoint"])
        body = {
            "search": name,
            "version": v["version"],
            "outcome": cell["outcome"],
            "timepoint": cell["timepoint"],
            "measure": cell["measure"],
            "steps": steps,
        }
        return _versioned(request, body, [v])

    @app.get("/searches/{name}/plots/{kind}.svg", tags=["pages"])
    def plot(
        request: Request,
        name: NAME,
        kind: Literal["forest", "cumulative", "subgroups"],
        version: VERSION = None,
        outcome: TEXT = None,
        timepoint: TEXT = None,
    ) -> Response:
        """A plot of one outcome x time point as SVG (forest, cumulative or subgroups)."""
        from miner import plots

        v = version_of(name, version)
        cell = cell_of(v, outcome, timepoint)
        title = f"{cell['outcome']} at {cell['timepoint']} ({cell['measure']})"
        if kind == "forest":
            recs = report.study_records(store, v, pmids=cell["studies"])
            effs = [
                {"pmid": s["pmid"], **e}
                for s in recs
                for e in s["effects"]
                if (e["outcome"], e["timepoint"]) == (cell["outcome"], cell["timepoint"])
            ]
            weights = report.study_weights(effs, cell.get("tau2"))
            rows = [{**e, "weight": w} for e, w in zip(effs, weights, strict=True)]
            svg = plots.forest_svg(rows, cell, title=title)
        elif kind == "cumulative":
            steps = report.cumulative_table(v, cell["outcome"], cell["timepoint"])
            svg = plots.cumulative_svg(steps, cell["measure"], title=title)
        else:
            sub = report.pooled_table(
                store, v, outcome=cell["outcome"], timepoint=cell["timepoint"]
            )
            svg = plots.subgroup_svg(sub, title=title)
        return _versioned(request, svg, [v], media="image/svg+xml")

    @app.get("/searches/{name}/dashboard", tags=["pages"], response_class=HTMLResponse)
    def dashboard(
        request: Request,
        name: NAME,
        version: VERSION = None,
        outcome: TEXT = None,
        timepoint: TEXT = None,
    ) -> Response:
        """The dashboard page: forest, cumulative and subgroup plots, studies with evidence."""
        from miner.dashboard import render_dashboard

        v = version_of(name, version)
        try:
            page = render_dashboard(
                store,
                name,
                version=v["version"],
                outcome=outcome,
                timepoint=timepoint,
                base_path=request.scope.get("root_path", ""),
            )
        except ConfigError as exc:
            raise HTTPException(404, str(exc)) from exc
        return _versioned(request, page, [v], media="text/html; charset=utf-8")

    @app.get("/searches/{name}/report", tags=["pages"])
    def evidence_report(
        request: Request,
        name: NAME,
        version: VERSION = None,
        format: Annotated[Literal["md", "html"], Query()] = "md",
    ) -> Response:
        """The evidence summary (Markdown or HTML), every number read from the version."""
        v = version_of(name, version)
        text = report.evidence_summary(store, name, output_format=format, version=v["version"])
        media = "text/markdown; charset=utf-8" if format == "md" else "text/html; charset=utf-8"
        return _versioned(request, text, [v], media=media)

    @app.get("/searches/{name}/reviews", tags=["reviews"])
    def list_reviews(
        name: NAME,
        include_revoked: bool = False,
        limit: LIMIT = 100,
        offset: OFFSET = 0,
    ) -> dict[str, Any]:
        """Human decisions on the search, oldest first."""
        known_search(name)
        rows = store.list_reviews(name, active_only=not include_revoked)
        return {"search": name, **_page(rows, limit, offset)}

    @app.get("/jobs/{job_id}", tags=["jobs"])
    def job(
        job_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")],
    ) -> dict[str, Any]:
        """State of a refresh or re-pool job: queued, running, done or failed."""
        found = store.get_job(job_id)
        if found is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return dict(report.json_safe(found))

    # -- write endpoints ------------------------------------------------------------

    def run_refresh(job_id: str, name: str) -> None:
        from miner.chain import refresh_embedded
        from miner.living import resolve_search

        try:
            refresh_embedded(store, resolve_search(store, name), job_id=job_id, settings=settings)
        except Exception:  # the job row says failed; the server must keep serving
            log.exception("refresh %s of %s failed", job_id, name)

    def run_repool(job_id: str, name: str) -> None:
        from miner.chain import pool_step
        from miner.living import resolve_search

        store.save_job(job_id, name, state="running", stage="pool")
        try:
            summary = pool_step(store, resolve_search(store, name), job_id=job_id)
        except Exception as exc:
            log.exception("re-pool %s of %s failed", job_id, name)
            store.save_job(job_id, name, state="failed", error=f"{type(exc).__name__}: {exc}")
            return
        store.save_job(job_id, name, state="done", stage="done", summary=summary)

    def queue(kind: str, name: str, background: BackgroundTasks) -> str:
        if kind == "refresh" and settings.broker_url:
            try:
                from workers import tasks
            except ImportError:  # the worker package is optional in a read-only deployment
                tasks = None  # type: ignore[assignment]
            if tasks is not None and hasattr(tasks, "start_refresh"):
                return str(tasks.start_refresh(name, db_url=settings.db_url, store=store))
        job_id = f"api-{kind}-{uuid.uuid4().hex[:12]}"
        store.save_job(job_id, name, state="queued", stage="queued")
        background.add_task(run_refresh if kind == "refresh" else run_repool, job_id, name)
        return job_id

    @app.post(
        "/searches/{name}/refresh",
        tags=["jobs"],
        status_code=202,
        dependencies=[Depends(require_token)],
    )
    def refresh(name: NAME, background: BackgroundTasks) -> dict[str, Any]:
        """Queue a refresh of the search (ingest, extract, pool); returns the job id."""
        known_search(name)
        job_id = queue("refresh", name, background)
        return {"job_id": job_id, "state": "queued", "status_url": f"/jobs/{job_id}"}

    @app.post(
        "/searches/{name}/reviews",
        tags=["reviews"],
        status_code=202,
        dependencies=[Depends(require_token)],
    )
    def add_review(name: NAME, body: ReviewIn, background: BackgroundTasks) -> dict[str, Any]:
        """Record an exclusion, inclusion or correction, then re-pool (returns the job id)."""
        search = known_search(name)
        check_choice("outcome", body.outcome, [o.name for o in search.outcomes])
        check_choice("timepoint", body.timepoint, [w.label for w in search.timepoints])
        if (body.outcome is None) != (body.timepoint is None):
            raise HTTPException(400, "give both outcome and timepoint (one value) or neither")
        if body.action == "correct" and (body.outcome is None or not body.fields):
            raise HTTPException(400, "a correction needs outcome, timepoint and fields")
        if body.action != "correct" and body.fields:
            raise HTTPException(400, f"fields are only for action 'correct', not {body.action!r}")
        if body.pmid not in set(store.search_members(name)):
            raise HTTPException(404, f"PMID {body.pmid} is not a member of search {name}")
        review_id = store.add_review(
            name,
            body.pmid,
            action=body.action,
            who=body.who,
            why=body.why,
            outcome=body.outcome,
            timepoint_window=body.timepoint,
            fields=dict(body.fields),
        )
        job_id = queue("repool", name, background)
        return {"review_id": review_id, "job_id": job_id, "status_url": f"/jobs/{job_id}"}

    @app.post(
        "/searches/{name}/reviews/{review_id}/revoke",
        tags=["reviews"],
        status_code=202,
        dependencies=[Depends(require_token)],
    )
    def revoke_review(
        name: NAME,
        review_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
        body: RevokeIn,
        background: BackgroundTasks,
    ) -> dict[str, Any]:
        """Withdraw a review decision (kept for the record), then re-pool."""
        known_search(name)
        mine = {r["id"] for r in store.list_reviews(name, active_only=True)}
        if review_id not in mine:
            raise HTTPException(404, f"no active review {review_id} on search {name}")
        store.revoke_review(review_id, who=body.who)
        job_id = queue("repool", name, background)
        return {"review_id": review_id, "job_id": job_id, "status_url": f"/jobs/{job_id}"}

    @app.get("/", include_in_schema=False)
    def root() -> PlainTextResponse:
        return PlainTextResponse(
            "miner API: see /openapi.json, /searches and /searches/{name}/dashboard\n"
        )

    return app
