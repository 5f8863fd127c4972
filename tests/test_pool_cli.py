"""``miner pool`` end to end: the metafor reference cases through stdin, flags, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from miner.cli import app
from tests.conftest import IN_CI
from tests.reference import columns_to_studies, meta_dev_params

runner = CliRunner()


def _no_nan(text: str) -> Any:
    def refuse(token: str) -> float:
        raise AssertionError(f"output contains {token}")

    return json.loads(text, parse_constant=refuse)


def _payload(case: dict[str, Any]) -> dict[str, Any]:
    """The DESIGN.md contract input for a meta_dev case (its conventions -> options)."""
    conv = case["conventions"]
    payload: dict[str, Any] = {
        "measure": "GEN" if case["measure"] == "generic" else case["measure"],
        "method": case["method"],
        "level": conv.get("level", 0.95),
        "studies": columns_to_studies(case["input"]),
    }
    if "i2" in conv:
        payload["i2"] = "Q" if conv["i2"].startswith("Q") else "tau2"
    if "pi" in conv:
        payload["pi"] = conv["pi"]
    if "continuity" in conv:
        payload["to"] = conv["continuity"]
    for key in ("add", "md_sd", "smd_correction", "smd_vtype"):
        if key in conv:
            payload[key] = conv[key]
    assert conv.get("ci", "normal") == "normal"  # every case uses z-based CIs (test "z")
    return payload


def _pool(payload: dict[str, Any], *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["pool", "-", *args], input=json.dumps(payload))
    assert result.exit_code == 0, result.output
    return _no_nan(result.stdout)


@pytest.mark.parametrize("case", meta_dev_params())
def test_meta_dev_case_through_stdin(case: dict[str, Any] | None) -> None:
    if case is None:
        message = "shared/reference/meta_dev.json missing (set MINER_SHARED_DATA)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    out = _pool(_payload(case))
    for field, expected in case["expected"].items():
        tol = case["tol"][field]  # the case's own tolerance (its print precision)
        assert out[field] == pytest.approx(expected, abs=tol), field


# ---------------------------------------------------------------- own inputs

STUDIES = [
    {"id": "A", "m1i": 5.1, "sd1i": 1.9, "n1i": 30, "m2i": 6.0, "sd2i": 2.1, "n2i": 31,
     "year": 2004, "route": "oral", "dose": 0.5},
    {"id": "B", "m1i": 4.2, "sd1i": 2.2, "n1i": 45, "m2i": 5.9, "sd2i": 2.0, "n2i": 44,
     "year": 2001, "route": "intravenous", "dose": 1.0},
    {"id": "C", "median1i": 4.0, "q1_1i": 3.0, "q3_1i": 5.5, "n1i": 20,
     "m2i": 5.2, "sd2i": 1.8, "n2i": 22, "year": 2010, "route": "oral", "dose": 0.25},
    {"id": "D", "m1i": 3.9, "sd1i": 1.5, "n1i": 60, "m2i": 6.1, "sd2i": 1.7, "n2i": 58,
     "year": 2008, "route": "intravenous", "dose": 1.5},
    {"id": "E", "estimate": -1.1, "ci_lb": -2.0, "ci_ub": -0.2, "year": 2015,
     "route": "oral", "dose": 0.75},
]  # fmt: skip


def test_flags_subgroup_loo_cumulative_moderator(tmp_path: Path) -> None:
    payload = {"measure": "MD", "method": "REML", "egger": True, "studies": STUDIES}
    out = _pool(
        payload,
        "--subgroup", "route",
        "--leave-one-out",
        "--cumulative", "year",
        "--moderator", "dose",
    )  # fmt: skip
    assert out["k"] == 5 and out["egger_t"] is not None
    assert set(out["subgroup"]["subgroups"]) == {"oral", "intravenous"}
    assert out["subgroup"]["Q_between_df"] == 1
    assert [r["omitted"] for r in out["leave_one_out"]] == ["A", "B", "C", "D", "E"]
    assert [r["added"] for r in out["cumulative"]] == ["B", "A", "D", "C", "E"]
    assert out["cumulative"][-1]["estimate"] == pytest.approx(out["estimate"])
    assert out["meta_regression"]["moderator"] == "dose" and out["meta_regression"]["k"] == 5
    assert any("Wan 2014" in a for a in out["assumptions"]["C"])
    assert "CI" in out["assumptions"]["E"][0]
    loo_a = _pool({**payload, "egger": False, "studies": STUDIES[1:]})
    assert out["leave_one_out"][0]["estimate"] == pytest.approx(loo_a["estimate"])

    target = tmp_path / "out.json"
    src = tmp_path / "in.json"
    src.write_text(json.dumps(payload))
    result = runner.invoke(app, ["pool", str(src), "--output", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert _no_nan(target.read_text())["estimate"] == pytest.approx(out["estimate"])


def test_binary_shapes_and_dropped_double_zero() -> None:
    payload = {
        "measure": "RR",
        "method": "DL",
        "studies": [
            {"id": "x", "ai": 4, "n1i": 40, "ci": 9, "n2i": 41},
            {"id": "y", "ai": 3, "bi": 50, "ci": 8, "di": 47},
            {"id": "z", "ai": 0, "n1i": 30, "ci": 0, "n2i": 31},
            {"id": "w", "estimate": 0.7, "ci_lb": 0.4, "ci_ub": 1.2},
        ],
    }
    out = _pool(payload)
    assert out["k"] == 3 and out["study_ids"] == ["x", "y", "w"]
    assert out["dropped"][0]["id"] == "z" and "both groups" in out["dropped"][0]["reason"]
    assert out["yi"][2] == pytest.approx(math.log(0.7))
    assert out["estimate_exp"] == pytest.approx(math.exp(out["estimate"]))


def test_k1_output_has_nulls_not_nan() -> None:
    out = _pool({"measure": "GEN", "method": "REML", "studies": [{"yi": 0.2, "vi": 0.01}]})
    assert out["k"] == 1 and out["tau2"] == 0 and out["I2"] is None and out["Q"] is None
    assert any("k = 1" in n for n in out["notes"])


@pytest.mark.parametrize(
    ("payload", "needles"),
    [
        ({"measure": "XX", "studies": [{"yi": 1, "vi": 1}]}, ["measure", "'MD'", "'GEN'"]),
        ({"measure": "MD", "method": "HS", "studies": [{"yi": 1, "vi": 1}]}, ["'REML'"]),
        ({"measure": "MD", "studies": []}, ["studies"]),
        ({"measure": "MD", "colour": 1, "studies": [{"yi": 1, "vi": 1}]}, ["colour"]),
        (
            {"measure": "MD", "studies": [{"id": "s7", "m1i": 1, "sd1i": -2, "n1i": 9,
                                           "m2i": 0, "sd2i": 1, "n2i": 9}]},
            ["s7", "sd1i"],
        ),
        ({"measure": "MD", "studies": [{"id": "q", "yi": "abc", "vi": 1}]}, ["study q", "yi"]),
        ({"measure": "OR", "method": "MH", "studies": [{"id": "g", "yi": 1, "vi": 1}]},
         ["g", "2x2"]),
        ({"measure": "OR", "studies": [{"id": "e", "ai": 12, "n1i": 10, "ci": 1, "n2i": 9}]},
         ["e", "exceed"]),
        ({"measure": "GEN", "studies": [{"id": "v", "yi": 1, "vi": 0}]}, ["v", "vi"]),
        ({"measure": "GEN", "studies": [{"id": "n", "m1i": 1}]}, ["n", "allowed shapes"]),
    ],
    ids=["measure", "method", "no-studies", "unknown-option", "negative-sd", "not-a-number",
         "mh-needs-table", "events-over-n", "zero-variance", "no-shape"],
)  # fmt: skip
def test_errors_name_the_problem(payload: dict[str, Any], needles: list[str]) -> None:
    result = runner.invoke(app, ["pool", "-"], input=json.dumps(payload))
    assert result.exit_code == 1
    assert result.stdout == ""
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["pool", "-"], input="{nope")
    assert bad.exit_code == 1 and "not JSON" in bad.stderr
    missing = runner.invoke(app, ["pool", str(tmp_path / "absent.json")])
    assert missing.exit_code == 1 and "absent.json" in missing.stderr


def test_flag_field_missing_is_named() -> None:
    payload = {
        "measure": "GEN",
        "studies": [{"id": "a", "yi": 1, "vi": 1}, {"id": "b", "yi": 2, "vi": 1}],
    }
    result = runner.invoke(app, ["pool", "-", "--cumulative", "year"], input=json.dumps(payload))
    assert result.exit_code == 1 and "year" in result.stderr and "a, b" in result.stderr
