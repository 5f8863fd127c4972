"""The dashboard page in real headless Chromium, served by ``miner serve`` on a free port.

Loads the page from a server this test starts, reads the DOM Chromium built
and checks that the forest plot SVG and the studies table show the stored
numbers, that each number links to a panel marking its source span, and
saves a screenshot in the test's temp dir. Skipped (with the reason) when
Chromium is missing locally; under CI=true a missing Chromium fails.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html as lhtml

from miner.report import fmt
from miner.store import Store
from tests.api.fixture_data import SEARCH, build_fixture_store
from tests.conftest import IN_CI

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium() -> str:
    if CHROMIUM is None:
        message = "chromium not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message + " -- required under CI", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db_url: str, tmp: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from miner.cli import main; main()",
            "--db",
            db_url,
            "serve",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MINER_OFFLINE": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # bounded wait for the server to answer
            if proc.poll() is not None:
                raise AssertionError((tmp / "server.log").read_text())
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not answer: " + (tmp / "server.log").read_text())
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        "--window-size=1280,2000",
        "--virtual-time-budget=3000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def _dom(tmp: Path, url: str) -> Any:
    res = _run_chromium(tmp, "--dump-dom", url)
    assert res.returncode == 0 and "<html" in res.stdout, res.stderr[-2000:]
    return lhtml.fromstring(res.stdout)


def _screenshot(tmp: Path, url: str) -> Path:
    shot = tmp / "page.png"
    res = _run_chromium(tmp, f"--screenshot={shot}", url)
    assert res.returncode == 0, res.stderr[-2000:]
    # A blank 1280x2000 PNG is about 12 kB; plots and tables make it several times larger.
    assert shot.exists() and shot.stat().st_size > 40_000, shot.stat().st_size
    return shot


def _show(measure: str, x: float) -> str:
    return fmt(math.exp(x) if measure in ("RR", "OR", "HR") else x)


@pytest.fixture(params=["fixture", "demo"])
def db_and_version(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    if request.param == "fixture":
        build_fixture_store(url)
    else:
        from miner.chain import run_embedded

        request.getfixturevalue("monkeypatch").setenv("MINER_OFFLINE", "1")
        with Store.open(url) as store:
            run_embedded(store, "ketamine neuropathic pain")
    with Store.open(url) as store:
        version = store.latest_dataset_version(SEARCH)
    assert version is not None
    return url, version


def test_dashboard_renders_stored_numbers_in_chromium(
    db_and_version: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    _chromium()
    url, version = db_and_version
    content = version["content"]
    overall = [p for p in content["pooled"] if p["subgroup_key"] == "all" and p.get("estimate")]
    for base in _serve(url, tmp_path):
        page = f"{base}/searches/{SEARCH}/dashboard"
        doc = _dom(tmp_path, page)
        assert doc.get_element_by_id("version").text_content().strip() == str(version["version"])
        if not overall:
            assert "No pooled result yet" in doc.text_content()
            shot = tmp_path / "page.png"
            res = _run_chromium(tmp_path, f"--screenshot={shot}", page)
            assert res.returncode == 0 and shot.exists()
            return
        cell = max(overall, key=lambda p: p["k"])  # the page's default cell
        measure = cell["measure"]
        # Forest plot: an inline SVG with one marker per pooled study and the diamond.
        forest = doc.get_element_by_id("forest")
        ids = {el.get("id") for el in forest.iter() if el.get("id")}
        assert "pooled-diamond" in ids
        assert {f"study-{p}" for p in cell["studies"]} <= ids
        assert ("prediction-interval" in ids) == (cell.get("pi_lb") is not None)
        svg_text = " ".join(t.text_content() for t in forest.iter("{*}text", "text"))
        ci = f"{_show(measure, cell['ci_lb'])}, {_show(measure, cell['ci_ub'])}"
        assert f"{_show(measure, cell['estimate'])} [{ci}]" in svg_text
        # Pooled table, overall row.
        top = doc.get_element_by_id("pooled-table").xpath(".//tr[@data-subgroup='all=all']")[0]
        assert top.xpath(".//td[contains(@class,'est')]")[0].text_content().strip() == _show(
            measure, cell["estimate"]
        )
        # Studies table: each stored effect of the cell, its number linked to its span.
        effects = {
            e["pmid"]: e
            for e in content["effects"]
            if (e["outcome"], e["window"]) == (cell["outcome"], cell["timepoint_window"])
        }
        rows = doc.get_element_by_id("studies-table").xpath(".//tbody/tr")
        assert {r.get("data-pmid") for r in rows} == set(effects)
        for r in rows:
            e = effects[r.get("data-pmid")]
            est = r.xpath(".//td[contains(@class,'est')]")[0]
            assert est.text_content().strip() == _show(measure, e["yi"])
            links = est.xpath(".//a")
            if e["provenance"]["evidence"]:
                panel = doc.get_element_by_id(links[0].get("href").lstrip("#"))
                marked = panel.xpath(".//mark")[0].text_content()
                assert marked == e["provenance"]["evidence"][0]["text"]
        # Following a link opens the panel; the page's script marks it and its row active.
        first = rows[0].xpath(".//td[contains(@class,'est')]//a")
        if first:
            anchor = first[0].get("href")
            linked = _dom(tmp_path, page + anchor)
            panel = linked.get_element_by_id(anchor.lstrip("#"))
            assert "active" in panel.get("class")
            assert "active" in (
                linked.get_element_by_id(f"row-{rows[0].get('data-pmid')}").get("class") or ""
            )
        _screenshot(tmp_path, page)
