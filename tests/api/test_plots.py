"""Server-side SVG plots: studies, weights, diamond, prediction interval, cumulative, subgroups."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from miner import plots

SVG = "{http://www.w3.org/2000/svg}"

STUDIES = [
    {"pmid": "A1", "yi": -1.2, "ci_lb": -2.0, "ci_ub": -0.4, "weight": 30.0},
    {"pmid": "B2", "yi": -0.5, "ci_lb": -1.5, "ci_ub": 0.5, "weight": 20.0},
    {"pmid": "C3", "yi": -2.1, "ci_lb": -2.6, "ci_ub": -1.6, "weight": 50.0},
]
POOLED = {
    "measure": "MD",
    "method": "REML",
    "k": 3,
    "estimate": -1.45,
    "ci_lb": -2.1,
    "ci_ub": -0.8,
    "pi_lb": -3.3,
    "pi_ub": 0.4,
    "I2": 61.2,
    "tau2": 0.321,
}


def _ids(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {el.get("id") for el in root.iter() if el.get("id")}


def _texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(el.text or "" for el in root.iter(f"{SVG}text"))


def test_forest_has_every_study_weight_diamond_and_pi() -> None:
    svg = plots.forest_svg(STUDIES, POOLED, title="pain at 1 week")
    ids = _ids(svg)
    for s in STUDIES:
        assert {f"study-{s['pmid']}", f"ci-{s['pmid']}", f"weight-{s['pmid']}"} <= ids
    assert {"pooled-diamond", "prediction-interval"} <= ids
    text = _texts(svg)
    for s in STUDIES:
        assert f"{s['yi']:.2f} [{s['ci_lb']:.2f}, {s['ci_ub']:.2f}]" in text
        assert f"{s['weight']:.1f}%" in text
    assert "-1.45 [-2.10, -0.80]" in text and "[-3.30, 0.40]" in text
    assert "I2 = 61%" in text and "tau2 = 0.321" in text


def test_forest_ratio_measure_is_drawn_exponentiated() -> None:
    studies = [
        {
            "pmid": "R1",
            "yi": math.log(1.5),
            "ci_lb": math.log(1.1),
            "ci_ub": math.log(2.0),
            "weight": 100.0,
        }
    ]
    pooled = {
        "measure": "RR",
        "k": 1,
        "estimate": math.log(1.5),
        "ci_lb": math.log(1.1),
        "ci_ub": math.log(2.0),
    }
    text = _texts(plots.forest_svg(studies, pooled))
    assert "1.50 [1.10, 2.00]" in text
    assert "prediction-interval" not in _ids(plots.forest_svg(studies, pooled))


@pytest.mark.parametrize(
    "svg",
    [
        plots.forest_svg([], POOLED),
        plots.forest_svg(STUDIES, {**POOLED, "estimate": None}),
        plots.cumulative_svg([], "MD"),
        plots.subgroup_svg([]),
    ],
    ids=["forest-no-studies", "forest-no-estimate", "cumulative-empty", "subgroup-empty"],
)
def test_empty_inputs_give_a_message_not_an_error(svg: str) -> None:
    assert svg.startswith("<svg") and "No " in _texts(svg)


def test_cumulative_rows_in_order() -> None:
    steps = [
        {"added": "A1", "year": 2001, "k": 1, "estimate": -1.2, "ci_lb": -2.0, "ci_ub": -0.4},
        {"added": "B2", "year": 2005, "k": 2, "estimate": -1.0, "ci_lb": -1.7, "ci_ub": -0.3},
    ]
    svg = plots.cumulative_svg(steps, "MD")
    assert {"cum-A1", "cum-B2"} <= _ids(svg)
    text = _texts(svg)
    assert text.index("+ A1 (2001)") < text.index("+ B2 (2005)")
    assert "k = 2: -1.00 [-1.70, -0.30]" in text


def test_subgroups_overall_first() -> None:
    rows = [
        {
            "subgroup_key": "route",
            "subgroup_value": "oral",
            "measure": "MD",
            "k": 2,
            "estimate": -1.0,
            "ci_lb": -2.0,
            "ci_ub": 0.0,
        },
        {
            "subgroup_key": "all",
            "subgroup_value": "all",
            "measure": "MD",
            "k": 5,
            "estimate": -1.4,
            "ci_lb": -2.0,
            "ci_ub": -0.8,
        },
    ]
    svg = plots.subgroup_svg(rows)
    assert {"subgroup-all", "subgroup-route-oral"} <= _ids(svg)
    text = _texts(svg)
    assert text.index("Overall (k = 5)") < text.index("route: oral (k = 2)")
