"""The HTTP API against stores written by the real living-dataset code."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient

from miner.api import MAX_LIMIT, create_app
from miner.store import Store
from tests.api.conftest import TOKEN
from tests.api.fixture_data import SEARCH, FixtureInfo

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_health_and_openapi(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["schema_version"] >= 2
    spec = client.get("/openapi.json").json()
    for path in (
        "/searches",
        "/searches/{name}/pooled",
        "/searches/{name}/versions",
        "/searches/{name}/diff",
        "/searches/{name}/studies",
        "/searches/{name}/refresh",
        "/jobs/{job_id}",
        "/searches/{name}/dashboard",
    ):
        assert path in spec["paths"], path


def test_searches_list_newest_version(client: TestClient, fixture_store: FixtureInfo) -> None:
    items = {s["name"]: s for s in client.get("/searches").json()["items"]}
    with Store.open(fixture_store.url) as store:
        latest = store.latest_dataset_version(SEARCH)
    assert latest is not None
    assert items[SEARCH]["latest_version"] == latest["version"]
    assert items[SEARCH]["n_studies"] == fixture_store.n_total


def test_pooled_rows_are_the_stored_rows(client: TestClient, fixture_store: FixtureInfo) -> None:
    body = client.get(f"/searches/{SEARCH}/pooled", params={"limit": MAX_LIMIT}).json()
    with Store.open(fixture_store.url) as store:
        version = store.latest_dataset_version(SEARCH)
        assert version is not None
        stored = store.dataset_pooled_rows(SEARCH, version["version"])
        facts = {
            e.pmid: e.facts
            for e in store.current_extractions(fixture_store.pmids, "fixture-1").values()
        }
    assert body["version"] == version["version"] and body["total"] == len(stored) > 0
    got = {
        (r["outcome"], r["timepoint"], r["subgroup_key"], r["subgroup_value"]): r
        for r in body["items"]
    }
    for s in stored:
        r = got[(s["outcome"], s["timepoint_window"], s["subgroup_key"], s["subgroup_value"])]
        assert r["k"] == s["k"]
        for mine, theirs in (
            ("estimate", "estimate"),
            ("ci_lb", "ci_lb"),
            ("ci_ub", "ci_ub"),
            ("tau2", "tau2"),
            ("I2", "i2"),
            ("pi_lb", "pi_lb"),
            ("pi_ub", "pi_ub"),
        ):
            assert r[mine] == pytest.approx(s[theirs], nan_ok=True), mine
        expected_n = sum(facts[p]["sample_size"]["randomized"] for p in r["studies"])
        assert r["n_participants"] == expected_n
        if r["measure"] == "RR":
            assert r["estimate_exp"] == pytest.approx(math.exp(s["estimate"]))


def test_pooled_filters_and_bad_filter_values(client: TestClient) -> None:
    r = client.get(
        f"/searches/{SEARCH}/pooled",
        params={"outcome": "pain intensity", "timepoint": "1 week", "subgroup": "route"},
    )
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(
        (i["outcome"], i["timepoint"], i["subgroup_key"]) == ("pain intensity", "1 week", "route")
        for i in items
    )
    bad = client.get(f"/searches/{SEARCH}/pooled", params={"outcome": "mood"})
    assert bad.status_code == 400 and "pain intensity" in bad.json()["detail"]


def test_etag_and_last_modified_give_304(client: TestClient) -> None:
    url = f"/searches/{SEARCH}/pooled"
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    older = client.get(url, params={"version": 1})
    assert older.status_code == 200 and older.headers["etag"] != etag
    assert (
        client.get(url, params={"version": 1}, headers={"If-None-Match": etag}).status_code == 200
    )


def test_versions_and_diff(client: TestClient, fixture_store: FixtureInfo) -> None:
    versions = client.get(f"/searches/{SEARCH}/versions").json()
    assert [v["version"] for v in versions["items"]] == [1, 2]
    assert versions["items"][1]["n_studies"] == fixture_store.n_total
    d = client.get(f"/searches/{SEARCH}/diff", params={"from": 1, "to": 2}).json()
    assert d["studies_added"] == list(fixture_store.pmids[fixture_store.n_v1 :])
    assert d["studies_removed"] == []
    assert client.get(f"/searches/{SEARCH}/diff").json()["from"] == 1
    one = client.get(f"/searches/{SEARCH}/versions/1").json()
    assert one["n_studies"] == fixture_store.n_v1


def test_studies_carry_every_value_with_its_evidence(
    client: TestClient, fixture_store: FixtureInfo
) -> None:
    page = client.get(f"/searches/{SEARCH}/studies", params={"limit": 5, "offset": 5}).json()
    assert page["total"] == fixture_store.n_total and len(page["items"]) == 5
    assert [s["pmid"] for s in page["items"]] == list(fixture_store.pmids[5:10])
    for s in page["items"]:
        one = client.get(f"/searches/{SEARCH}/studies/{s['pmid']}").json()
        text = one["text"]
        assert s["synthetic"] and s["url"] is None
        kinds = {v["kind"] for v in one["values"]}
        assert {"sample_size", "dose", "route", "effect"} <= kinds
        spans = [v["evidence"] for v in one["values"]] + [
            ev for e in one["effects"] for ev in e["evidence"]
        ]
        assert spans
        for ev in spans:
            assert ev["pmid"] == s["pmid"]
            assert text[ev["start"] : ev["end"]] == ev["text"]
            sentence = text[ev["sentence_start"] : ev["sentence_end"]]
            assert sentence == ev["sentence"] and ev["text"] in sentence


def test_no_token_configured_refuses_every_write(fixture_store: FixtureInfo) -> None:
    with TestClient(create_app(fixture_store.url, token="")) as c:
        r = c.post(f"/searches/{SEARCH}/refresh", headers=AUTH)
        assert r.status_code == 401 and "MINER_API_TOKEN" in r.json()["detail"]
        assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong-token", "basic-scheme", "no-scheme", "empty-token"],
)
@pytest.mark.parametrize(
    "path,body",
    [
        (f"/searches/{SEARCH}/refresh", None),
        (
            f"/searches/{SEARCH}/reviews",
            {"pmid": "SYNAPI0001", "action": "exclude", "who": "t", "why": "t"},
        ),
        (f"/searches/{SEARCH}/reviews/1/revoke", {"who": "t"}),
    ],
    ids=["refresh", "review", "revoke"],
)
def test_writes_need_the_bearer_token(
    client: TestClient, headers: dict[str, str], path: str, body: dict | None
) -> None:
    r = client.post(path, headers=headers, json=body)
    assert r.status_code == 401, r.text


def test_review_excludes_a_study_and_repools(mutable_store: FixtureInfo) -> None:
    pmid = mutable_store.pmids[0]
    with TestClient(create_app(mutable_store.url, token=TOKEN)) as c:
        r = c.post(
            f"/searches/{SEARCH}/reviews",
            headers=AUTH,
            json={"pmid": pmid, "action": "exclude", "who": "reviewer", "why": "duplicate"},
        )
        assert r.status_code == 202, r.text
        job = c.get(r.json()["status_url"]).json()
        assert job["state"] == "done", job
        latest = c.get(f"/searches/{SEARCH}/versions").json()["items"][-1]
        assert latest["version"] == 3 and latest["n_studies"] == mutable_store.n_total - 1
        studies = c.get(f"/searches/{SEARCH}/studies", params={"limit": 100}).json()["items"]
        assert pmid not in {s["pmid"] for s in studies}
        reviews = c.get(f"/searches/{SEARCH}/reviews").json()["items"]
        assert [(x["pmid"], x["action"]) for x in reviews] == [(pmid, "exclude")]
        revoke = c.post(
            f"/searches/{SEARCH}/reviews/{reviews[0]['id']}/revoke",
            headers=AUTH,
            json={"who": "reviewer"},
        )
        assert revoke.status_code == 202
        assert c.get(revoke.json()["status_url"]).json()["state"] == "done"
        assert c.get(f"/searches/{SEARCH}/versions").json()["items"][-1]["n_studies"] == (
            mutable_store.n_total
        )


def test_refresh_returns_a_job_that_finishes(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app reads its settings once, when it is created (as a server does).
    monkeypatch.setenv("MINER_OFFLINE", "1")
    with TestClient(create_app(demo_url, token=TOKEN)) as client:
        r = client.post(f"/searches/{SEARCH}/refresh", headers=AUTH)
        assert r.status_code == 202, r.text
        job = client.get(f"/jobs/{r.json()['job_id']}").json()
    assert job["search"] == SEARCH and job["state"] == "done", job
    assert job["summary"]["ingest"]["source"].startswith("demo corpus")


def test_demo_corpus_pooled_rows_match_the_store(demo_client: TestClient, demo_url: str) -> None:
    body = demo_client.get(f"/searches/{SEARCH}/pooled", params={"limit": MAX_LIMIT}).json()
    with Store.open(demo_url) as store:
        version = store.latest_dataset_version(SEARCH)
        assert version is not None
        stored = store.dataset_pooled_rows(SEARCH, version["version"])
    assert body["total"] == len(stored)
    assert sorted(r["estimate"] for r in body["items"] if r["estimate"] is not None) == (
        pytest.approx(sorted(s["estimate"] for s in stored if s["estimate"] is not None))
    )


# -- bad input: always a 4xx with a message, never a 500 ------------------------------------

BAD_REQUESTS = [
    ("GET", "/searches/nope/pooled", None, {}, 404),
    ("GET", "/searches/bad%20name!/pooled", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?version=999", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/pooled?version=0", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?version=-3", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?version=abc", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?version=99999999999999999999", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?limit=0", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?limit={MAX_LIMIT + 1}", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?offset=-1", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?subgroup=colour", None, {}, 400),
    ("GET", f"/searches/{SEARCH}/pooled?timepoint=1%20year", None, {}, 400),
    ("GET", f"/searches/{SEARCH}/pooled?outcome=" + "x" * 300, None, {}, 422),
    ("GET", f"/searches/{SEARCH}/pooled?x=" + "y" * 5000, None, {}, 414),
    ("GET", f"/searches/{SEARCH}/versions/0", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/versions/77", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/versions/one", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/diff?from=1&to=9", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/diff?from=x", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/studies/NOTASTUDY", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/studies/bad..id", None, {}, 422),
    (
        "GET",
        f"/searches/{SEARCH}/cumulative?outcome=pain%20responders&timepoint=1%20week",
        None,
        {},
        404,
    ),
    ("GET", f"/searches/{SEARCH}/plots/pie.svg", None, {}, 422),
    ("GET", f"/searches/{SEARCH}/dashboard?version=42", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/dashboard?outcome=mood", None, {}, 404),
    ("GET", f"/searches/{SEARCH}/report?format=pdf", None, {}, 422),
    ("GET", "/jobs/no-such-job", None, {}, 404),
    ("GET", "/jobs/bad job", None, {}, 422),
    ("POST", "/searches/nope/refresh", None, AUTH, 404),
    ("POST", f"/searches/{SEARCH}/reviews", b"{not json", AUTH, 422),
    ("POST", f"/searches/{SEARCH}/reviews", b"[1, 2]", AUTH, 422),
    ("POST", f"/searches/{SEARCH}/reviews", {"pmid": "SYNAPI0001"}, AUTH, 422),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {"pmid": "SYNAPI0001", "action": "delete", "who": "a", "why": "b"},
        AUTH,
        422,
    ),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {"pmid": "SYNAPI0001", "action": "exclude", "who": "a", "why": "b", "extra": 1},
        AUTH,
        422,
    ),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {"pmid": "NOTMEMBER", "action": "exclude", "who": "a", "why": "b"},
        AUTH,
        404,
    ),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {"pmid": "SYNAPI0001", "action": "correct", "who": "a", "why": "b"},
        AUTH,
        400,
    ),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {
            "pmid": "SYNAPI0001",
            "action": "exclude",
            "who": "a",
            "why": "b",
            "outcome": "mood",
            "timepoint": "1 week",
        },
        AUTH,
        400,
    ),
    (
        "POST",
        f"/searches/{SEARCH}/reviews",
        {
            "pmid": "SYNAPI0001",
            "action": "exclude",
            "who": "a",
            "why": "b",
            "fields": {"value": "x"},
        },
        AUTH,
        422,
    ),
    ("POST", f"/searches/{SEARCH}/reviews/999/revoke", {"who": "a"}, AUTH, 404),
    ("POST", f"/searches/{SEARCH}/reviews", b"x" * 70_000, AUTH, 413),
    ("GET", f"/searches/{SEARCH}/pooled", None, {"Content-Length": "12abc"}, 400),
]


@pytest.mark.parametrize(
    "method,path,body,headers,status",
    BAD_REQUESTS,
    ids=[f"{m} {p[:60]} -> {s}" for m, p, _, _, s in BAD_REQUESTS],
)
def test_bad_input_gets_a_4xx_with_a_message(
    client: TestClient,
    method: str,
    path: str,
    body: object,
    headers: dict[str, str],
    status: int,
) -> None:
    kwargs: dict[str, object] = {"headers": headers}
    if isinstance(body, bytes):
        kwargs["content"] = body
        kwargs["headers"] = {**headers, "Content-Type": "application/json"}
    elif body is not None:
        kwargs["json"] = body
    r = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail


def test_chunked_body_over_the_cap_is_refused(client: TestClient) -> None:
    def chunks():  # no Content-Length: the middleware must count what arrives
        for _ in range(40):
            yield b"x" * 4096

    r = client.post(
        f"/searches/{SEARCH}/reviews",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text


def test_nan_never_reaches_json(client: TestClient) -> None:
    text = client.get(f"/searches/{SEARCH}/pooled", params={"limit": MAX_LIMIT}).text
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text)


@pytest.mark.parametrize("kind", ["forest", "cumulative", "subgroups"])
def test_plot_endpoints_serve_svg(client: TestClient, kind: str) -> None:
    r = client.get(
        f"/searches/{SEARCH}/plots/{kind}.svg",
        params={"outcome": "pain intensity", "timepoint": "1 week"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "pain intensity at 1 week" in r.text


def test_dashboard_and_report_pages(client: TestClient) -> None:
    page = client.get(f"/searches/{SEARCH}/dashboard", params={"version": 1})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="forest"' in page.text and "<svg" in page.text and "<mark>" in page.text
    assert "cdn" not in page.text.lower() and "<script src" not in page.text
    md = client.get(f"/searches/{SEARCH}/report")
    assert md.status_code == 200 and md.text.startswith("# Evidence summary")
    assert client.get(f"/searches/{SEARCH}/report", params={"format": "html"}).text.startswith(
        "<!doctype html>"
    )


def test_harms_tiers_durability_dose_endpoints(client: TestClient) -> None:
    h = client.get(f"/searches/{SEARCH}/harms").json()
    assert h["extracted"] and h["n_extracted"] == h["n_studies"]
    rr = [r for r in h["pooled"] if r["category"] == "dizziness" and r["measure"] == "RR"]
    assert len(rr) == 1 and rr[0]["k"] > 1 and rr[0]["ci_lb"] < rr[0]["estimate"] < rr[0]["ci_ub"]
    only_rd = client.get(f"/searches/{SEARCH}/harms", params={"measure": "RD"}).json()
    assert only_rd["pooled"] and {r["measure"] for r in only_rd["pooled"]} == {"RD"}
    t = client.get(f"/searches/{SEARCH}/tiers").json()
    assert t["tier_counts"]["randomized"] == len(t["studies"]) and t["cited"] == []
    assert {s["tier"] for s in t["studies"]} == {"randomized"}
    d = client.get(f"/searches/{SEARCH}/durability", params={"outcome": "pain intensity"}).json()
    assert [x["outcome"] for x in d["items"]] == ["pain intensity"]
    assert d["items"][0]["sentence"] and d["items"][0]["pattern"]
    dr = client.get(f"/searches/{SEARCH}/dose-response", params={"timepoint": "1 week"}).json()
    assert dr["items"] and dr["items"][0]["status"] == "fitted"
    assert all(x["basis"] == "mg/kg" for x in dr["study_doses"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("harms", {"category": "nosuch"}),
        ("harms", {"measure": "OR"}),
        ("harms", {"tier": "nosuch"}),
        ("harms", {"window": "nosuch"}),
        ("durability", {"outcome": "nosuch"}),
        ("dose-response", {"timepoint": "nosuch"}),
    ],
    ids=["category", "measure", "tier", "window", "outcome", "timepoint"],
)
def test_issue8_endpoints_refuse_bad_parameters(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    r = client.get(f"/searches/{SEARCH}/{path}", params=params)
    assert r.status_code == 400 and "allowed" in r.json()["detail"]


def test_dashboard_shows_harms_and_durability(client: TestClient) -> None:
    page = client.get(f"/searches/{SEARCH}/dashboard").text
    assert 'id="harms-table"' in page and 'data-harm="dizziness|study period|RR"' in page
    assert 'id="durability"' in page and "harms-status" in page
