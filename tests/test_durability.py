"""Durability: time points in days, windows, and the persistence finding."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from miner.durability import (
    PATTERNS,
    Window,
    assess_durability,
    assign_window,
    group_by_window,
    normalise_timepoint,
    windows_from_config,
)
from miner.effects import generic
from miner.errors import ConfigError
from miner.pool import REML

WINDOWS = windows_from_config(
    [
        {"name": "24 h", "min_days": 0, "max_days": 2},
        {"name": "1 week", "min_days": 5, "max_days": 10},
        {"name": "4 weeks", "min_days": 21, "max_days": 35},
        {"name": "3 months", "min_days": 80, "max_days": 100},
    ]
)


@pytest.mark.parametrize(
    ("phrase", "days", "window"),
    [
        ("end of infusion", 0.0, "24 h"),
        ("24 h", 1.0, "24 h"),
        ("1 week", 7.0, "1 week"),
        ("30 days", 30.0, "4 weeks"),
        ("3 months", 365.25 / 4, "3 months"),
        ("6 months", 365.25 / 2, None),
        ("8 am", None, None),
    ],
    ids=["eoi", "24h", "1w", "30d", "3mo", "outside", "clock"],
)
def test_normalise_and_assign(phrase: str, days: float | None, window: str | None) -> None:
    tp = normalise_timepoint(phrase)
    assert tp.phrase == phrase
    assert tp.days == (pytest.approx(days) if days is not None else None)
    placement = assign_window(tp, WINDOWS)
    assert placement.window == window
    assert (placement.reason is None) == (window is not None)


def test_end_of_treatment_needs_stated_length() -> None:
    assert normalise_timepoint("end of treatment").days is None
    tp = normalise_timepoint("end of treatment", treatment_days=28)
    assert tp.days == 28 and tp.note and "stated" in tp.note


def test_overlapping_windows_refuse_to_choose() -> None:
    ws = (Window("a", 0, 10), Window("b", 5, 20))
    placement = assign_window(normalise_timepoint("1 week"), ws)
    assert placement.window is None and placement.reason and "several" in placement.reason


@pytest.mark.parametrize(
    "row",
    [
        {"name": "x", "min_days": 5, "max_days": 1},
        {"name": "x", "min_days": -1, "max_days": 1},
        {"min_days": 1, "max_days": 2},
    ],
    ids=["reversed", "negative", "no-name"],
)
def test_bad_windows(row: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        windows_from_config([row])


def test_group_by_window_keeps_reasons() -> None:
    items = [{"timepoint": "24 h"}, {"timepoint": "week 1"}, {"timepoint": "1 year"}, {}]
    grouped, left = group_by_window(items, WINDOWS)
    assert [len(grouped[w.name]) for w in WINDOWS] == [1, 1, 0, 0]
    assert len(left) == 2 and all(p.reason for _, p in left)


def _row(est: float, lb: float, ub: float, k: int = 3) -> dict[str, float]:
    return {"k": k, "estimate": est, "ci_lb": lb, "ci_ub": ub}


@pytest.mark.parametrize(
    ("rows", "pattern", "last_sig", "null_from"),
    [
        (
            {
                "24 h": _row(-2, -3, -1),
                "1 week": _row(-1.2, -1.8, -0.6),
                "4 weeks": _row(-0.3, -0.9, 0.3),
            },
            "wanes",
            "1 week",
            "4 weeks",
        ),
        ({"24 h": _row(-2, -3, -1), "1 week": _row(-1, -1.5, -0.5)}, "persists", "1 week", None),
        (
            {"24 h": _row(0.1, -1, 1.2), "1 week": _row(0.2, -1, 1.4)},
            "never_significant",
            None,
            None,
        ),
        ({"24 h": _row(0.1, -1, 1.2), "1 week": _row(-1, -1.5, -0.5)}, "emerges", "1 week", None),
        ({"24 h": _row(-2, -3, -1), "1 week": _row(1, 0.5, 1.5)}, "inconsistent", "1 week", None),
        ({"24 h": _row(-2, -3, -1)}, "insufficient", "24 h", None),
    ],
    ids=["wanes", "persists", "never", "emerges", "opposite", "one-window"],
)
def test_patterns(
    rows: dict[str, dict[str, float]], pattern: str, last_sig: str | None, null_from: str | None
) -> None:
    f = assess_durability(rows, measure="MD", windows=WINDOWS)
    assert f.pattern == pattern and pattern in PATTERNS
    assert (f.last_significant, f.null_from) == (last_sig, null_from)
    # every number in the sentence is one of the numbers given
    given = {f"{v:.2f}" for r in rows.values() for v in (r["estimate"], r["ci_lb"], r["ci_ub"])}
    for number in re.findall(r"-?\d+\.\d+", f.sentence):
        assert number in given


def test_wanes_sentence() -> None:
    rows = {"1 week": _row(-1.2, -1.8, -0.6, 4), "4 weeks": _row(-0.3, -0.9, 0.3, 3)}
    f = assess_durability(rows, measure="MD", windows=WINDOWS)
    assert f.sentence == (
        "Significant at 1 week (MD -1.20, 95% CI -1.80 to -0.60; k=4); the CI includes no effect "
        "from 4 weeks on (MD -0.30, 95% CI -0.90 to 0.30; k=3)."
    )


def test_ratio_measures_use_null_one_on_reporting_scale() -> None:
    log_rows = {
        "24 h": _row(math.log(0.5), math.log(0.3), math.log(0.8)),
        "1 week": _row(math.log(0.9), math.log(0.7), math.log(1.2)),
    }
    f = assess_durability(log_rows, measure="RR", windows=WINDOWS)
    assert f.pattern == "wanes"
    assert f.states[0].estimate == pytest.approx(0.5)


def test_pool_results_and_failed_windows() -> None:
    res = REML().fit([generic(f"s{i}", -1.0 + 0.1 * i, 0.05) for i in range(4)])
    f = assess_durability(
        {"1 week": res, "4 weeks": {"k": 2, "error": "did not converge"}},
        measure="MD",
        windows=WINDOWS,
    )
    assert f.pattern == "insufficient"
    assert f.skipped and "did not converge" in f.skipped[0][1]


def test_unknown_window_is_an_error() -> None:
    with pytest.raises(ConfigError):
        assess_durability({"2 years": _row(1, 0, 2)}, measure="MD", windows=WINDOWS)


def test_real_ctro_timepoints_normalise(shared: Callable[..., Path]) -> None:
    """Most result time points of the ctro gold get days; clock times never do."""
    from miner.evaluate_harms import load_ctro_harms

    shared("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    records = load_ctro_harms()
    parsed = sum(len(r.gold["timepoint"]) for r in records)
    unparsed = sum(r.unparsed["timepoint"] for r in records)
    assert parsed >= 2 * unparsed  # measured about 3:1
    assert all(0 <= d <= 5 * 365.25 for r in records for d in r.gold["timepoint"])
    assert normalise_timepoint("5 : 00 pm").days is None
