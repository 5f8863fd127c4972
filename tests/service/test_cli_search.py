"""``miner search`` and ``miner review`` on the embedded default (no broker), offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from miner.cli import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINER_OFFLINE", "1")
    monkeypatch.delenv("MINER_BROKER_URL", raising=False)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_refresh_status_history_and_review(cli) -> None:  # type: ignore[no-untyped-def]
    listed = cli("search", "list", "--json")
    assert {r["name"] for r in json.loads(listed)} >= {
        "ketamine_neuropathic_pain",
        "glargine_nph_hba1c",
    }
    summary = json.loads(cli("search", "refresh", "ketamine_neuropathic_pain"))
    assert summary["new_version"] == 1 and summary["studies"] > 0
    status = json.loads(cli("search", "status", "ketamine_neuropathic_pain", "--json"))
    assert status["jobs"][0]["state"] == "done" and status["version"]["version"] == 1
    pmid = json.loads(cli("search", "history", "ketamine_neuropathic_pain", "--json"))[0]["diff"][
        "studies_added"
    ][0]
    out = json.loads(
        cli(
            "review",
            "exclude",
            "ketamine_neuropathic_pain",
            pmid,
            "--who",
            "rev",
            "--why",
            "retracted",
        )
    )
    assert out["new_version"] == 2
    hist = json.loads(cli("search", "history", "ketamine_neuropathic_pain", "--json"))
    assert hist[-1]["diff"]["studies_removed"] == [pmid]
    reviews = [
        json.loads(line) for line in cli("review", "list", "ketamine_neuropathic_pain").splitlines()
    ]
    assert [(r["pmid"], r["who"], r["why"]) for r in reviews] == [(pmid, "rev", "retracted")]
    # A refresh that changes nothing writes no version; the exclusion still holds.
    again = json.loads(cli("search", "refresh", "ketamine_neuropathic_pain"))
    assert again["new_version"] is None and again["version"] == 2


def test_add_validates_and_overrides(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\nquery = "q"\n[comparison]\nintervention = ["a"]\ncomparator = ["b"]\n'
    )
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'o.db'}", "search", "add", str(bad)]
    )
    assert result.exit_code != 0 and "outcomes" in str(result.exception or result.output)
    good = tmp_path / "good.toml"
    good.write_text(bad.read_text() + '[[outcomes]]\nname = "o"\nterms = ["o"]\n')
    assert "saved" in cli("search", "add", str(good))
    assert "x" in {r["name"] for r in json.loads(cli("search", "list", "--json"))}
