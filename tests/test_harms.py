"""Harms pooling: Mantel-Haenszel RR and RD per category and window, with provenance."""

from __future__ import annotations

import math

import pytest

from miner.effects import Table2x2
from miner.errors import PoolingError
from miner.harms import HarmCount, harm_counts_from_facts, pool_harms
from miner.pool import MantelHaenszel


def _c(sid: str, et: int, nt: int, ec: int, nc: int, **kw: object) -> HarmCount:
    base: dict[str, object] = {"category": "nausea/vomiting", "window": "24 h"}
    base.update(kw)
    return HarmCount(sid, events_t=et, n_t=nt, events_c=ec, n_c=nc, **base)  # type: ignore[arg-type]


def test_pool_matches_mantel_haenszel_directly() -> None:
    counts = [_c("a", 10, 50, 4, 50), _c("b", 6, 40, 2, 38), _c("c", 0, 20, 0, 20)]
    pools = {p.measure: p for p in pool_harms(counts)}
    rr = MantelHaenszel("RR").fit(
        [Table2x2.from_events("a", 10, 50, 4, 50), Table2x2.from_events("b", 6, 40, 2, 38)]
    )
    assert pools["RR"].estimate == pytest.approx(math.exp(rr.estimate))
    assert pools["RR"].k == 2
    assert pools["RR"].dropped == (("c", "no events in either arm: no information on RR"),)
    # RD keeps the study with no events: it is informative about a difference
    assert pools["RD"].k == 3 and pools["RD"].studies == ("a", "b", "c")
    assert pools["RD"].ci_lb is not None and pools["RD"].ci_lb < pools["RD"].estimate


def test_zero_cells_pool_without_continuity_correction() -> None:
    counts = [_c("a", 3, 30, 0, 30), _c("b", 2, 25, 0, 24), _c("c", 4, 40, 1, 41)]
    rr = next(p for p in pool_harms(counts) if p.measure == "RR")
    assert rr.estimate is not None and rr.estimate > 1
    assert rr.pool is not None and rr.pool["method"] == "MH"


def test_all_zero_is_reported_not_pooled() -> None:
    pools = pool_harms([_c("a", 0, 30, 0, 30)])
    rr = next(p for p in pools if p.measure == "RR")
    assert rr.estimate is None and rr.note
    # no events anywhere: the RD variance is 0, so there is no CI to report either
    rd = next(p for p in pools if p.measure == "RD")
    assert rd.k == 1 and (rd.estimate is None) == bool(rd.note)


def test_cells_split_by_category_window_severity_and_other_terms() -> None:
    counts = [
        _c("a", 1, 10, 2, 10),
        _c("a", 1, 10, 2, 10, window="4 weeks"),
        _c("a", 1, 10, 2, 10, severity="severe"),
        _c("a", 1, 10, 2, 10, category="other", term="fatigue"),
        _c("a", 1, 10, 2, 10, category="other", term="insomnia"),
    ]
    pools = pool_harms(counts, measures=("RD",))
    keys = {(p.category, p.term, p.window, p.severity) for p in pools}
    assert len(keys) == 5


def test_duplicate_study_in_cell_is_dropped_with_reason() -> None:
    pools = pool_harms([_c("a", 1, 10, 2, 10), _c("a", 3, 10, 2, 10)], measures=("RD",))
    assert pools[0].k == 1 and pools[0].dropped[0][0] == "a"


def test_unknown_measure() -> None:
    with pytest.raises(PoolingError):
        pool_harms([], measures=("OR",))


def test_counts_from_facts_with_provenance() -> None:
    facts = [
        {
            "status": "reported",
            "category": "nausea/vomiting",
            "term": "Nausea",
            "kind": "adverse_event",
            "arm": "ketamine",
            "events": 6,
            "total": 20,
            "percent": 30.0,
            "timepoint": "24 h",
            "severity": None,
            "start": 10,
            "end": 21,
            "text": "6/20 (30%)",
        },
        {
            "status": "reported",
            "category": "nausea/vomiting",
            "term": "Nausea",
            "kind": "adverse_event",
            "arm": "placebo",
            "events": None,
            "total": None,
            "percent": 10.0,
            "timepoint": "24 h",
            "severity": None,
            "start": 40,
            "end": 43,
            "text": "10%",
        },
        {
            "status": "zero_reported",
            "category": "any",
            "term": "adverse events",
            "kind": "serious",
            "arm": None,
            "events": 0,
            "timepoint": None,
            "severity": "serious",
            "start": 60,
            "end": 90,
            "text": "No serious adverse events",
        },
        {
            "status": "mentioned",
            "category": "dizziness",
            "term": "dizziness",
            "kind": "adverse_event",
            "arm": None,
            "events": None,
            "timepoint": None,
            "severity": None,
            "start": 95,
            "end": 104,
            "text": "dizziness",
        },
    ]
    arms = [{"label": "ketamine", "n": 20}, {"label": "placebo", "n": 20}]
    counts, skipped = harm_counts_from_facts(
        "123", facts, intervention=["ketamine"], comparator=["placebo"], arms=arms
    )
    by = {(c.category, c.kind): c for c in counts}
    nausea = by[("nausea/vomiting", "adverse_event")]
    assert (nausea.events_t, nausea.n_t, nausea.events_c, nausea.n_c) == (6, 20, 2, 20)
    assert any("derived" in p for p in nausea.provenance)
    sae = by[("any", "serious")]
    assert (sae.events_t, sae.events_c) == (0, 0)
    # a mention is never a zero
    assert ("dizziness", "adverse_event") not in by
    assert skipped == []


def test_zero_statement_without_group_sizes_is_skipped() -> None:
    facts = [
        {
            "status": "zero_reported",
            "category": "any",
            "term": "adverse events",
            "kind": "serious",
            "arm": None,
            "events": 0,
            "timepoint": None,
            "severity": None,
            "start": 0,
            "end": 5,
            "text": "none",
        }
    ]
    counts, skipped = harm_counts_from_facts("1", facts, intervention=["a"], comparator=["b"])
    assert counts == [] and "group sizes unknown" in skipped[0][1]
