"""Pooling harms: risk ratios and risk differences per category and time window.

Input is one :class:`HarmCount` per study, category (and term) and window:
events and group sizes in the intervention and the comparator arm, with the
spans they came from. :func:`harm_counts_from_facts` builds them from the
``adverse_events`` facts of ``miner extract`` (see
:mod:`miner.extract.adverse`): an arm count needs an events number and a
group size, taken from the fact or from the sample size the abstract gives
for that arm; a "no serious adverse events occurred" statement gives 0 in
both arms when both group sizes are known. A harm that is only mentioned,
or not reported, never becomes a zero.

:func:`pool_harms` pools each cell with Mantel-Haenszel (metafor ``rma.mh``;
no continuity correction is needed for the pooled estimate, which is why MH
is preferred when zero cells are common: Cochrane Handbook 10.4.4.2; Bradburn
et al. 2007). RR leaves out studies with no events in either arm (they say
nothing about a ratio); RD keeps them. Category ``other`` groups unrelated
events, so it is pooled per term, never as one category.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from miner.effects import Table2x2
from miner.errors import EffectSizeError, PoolingError
from miner.pool import MantelHaenszel

#: Measures pooled for harms.
HARM_MEASURES = ("RR", "RD")


@dataclass(frozen=True, slots=True)
class HarmCount:
    """One study's events per arm for one harm (category or term) in one window.

    ``provenance`` holds the facts' ``start``/``end``/``text`` (and
    ``sentence`` when present) the numbers came from.
    """

    study_id: str
    category: str
    window: str
    events_t: int
    n_t: int
    events_c: int
    n_c: int
    term: str | None = None
    kind: str = "adverse_event"
    provenance: tuple[Mapping[str, Any], ...] = ()
    severity: str | None = None

    def table(self) -> Table2x2:
        """The 2x2 table (intervention first)."""
        return Table2x2.from_events(self.study_id, self.events_t, self.n_t, self.events_c, self.n_c)


@dataclass(frozen=True, slots=True)
class HarmPool:
    """One pooled harm: a category (or an ``other`` term), a window, a measure.

    ``estimate``/``ci_lb``/``ci_ub`` are on the reporting scale (RR
    exponentiated); ``pool`` is the full :meth:`PoolResult.to_dict`, or
    ``None`` with ``note`` saying why nothing was pooled.
    """

    category: str
    term: str | None
    kind: str
    window: str
    severity: str | None
    measure: str
    k: int
    events_t: int
    n_t: int
    events_c: int
    n_c: int
    estimate: float | None
    ci_lb: float | None
    ci_ub: float | None
    studies: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    provenance: tuple[Mapping[str, Any], ...]
    pool: dict[str, Any] | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "category": self.category,
            "term": self.term,
            "kind": self.kind,
            "window": self.window,
            "severity": self.severity,
            "measure": self.measure,
            "k": self.k,
            "events_t": self.events_t,
            "n_t": self.n_t,
            "events_c": self.events_c,
            "n_c": self.n_c,
            "estimate": self.estimate,
            "ci_lb": self.ci_lb,
            "ci_ub": self.ci_ub,
            "studies": list(self.studies),
            "dropped": [{"id": s, "reason": r} for s, r in self.dropped],
            "provenance": [dict(p) for p in self.provenance],
            "pool": self.pool,
            "note": self.note,
        }


def _cell_key(c: HarmCount) -> tuple[str, str | None, str, str, str | None]:
    # grade 3/4 events are not pooled with events of any grade
    term = (c.term or "").lower() if c.category == "other" else None
    return (c.category, term, c.kind, c.window, c.severity)


def pool_harms(
    counts: Iterable[HarmCount],
    *,
    measures: Sequence[str] = HARM_MEASURES,
    level: float = 0.95,
) -> list[HarmPool]:
    """Pool harm counts per (category or ``other`` term, kind, window) as MH RR and RD.

    Parameters
    ----------
    counts:
        One :class:`HarmCount` per study and cell; a study appearing twice in
        one cell keeps its first count (the others are listed as dropped).
    measures:
        Any of :data:`HARM_MEASURES`.
    level:
        Confidence level.

    Returns
    -------
    list[HarmPool]
        Sorted by category, term, kind, window, measure.
    """
    for m in measures:
        if m not in HARM_MEASURES:
            raise PoolingError(f"harm measure {m!r} unknown; allowed: {', '.join(HARM_MEASURES)}")
    cells: dict[tuple[str, str | None, str, str, str | None], list[HarmCount]] = defaultdict(list)
    duplicate: dict[tuple[str, str | None, str, str, str | None], list[tuple[str, str]]] = (
        defaultdict(list)
    )
    for c in counts:
        key = _cell_key(c)
        if any(o.study_id == c.study_id for o in cells[key]):
            duplicate[key].append((c.study_id, "second count for the same harm and window"))
            continue
        cells[key].append(c)
    out: list[HarmPool] = []
    for key in sorted(cells, key=lambda k: (k[0], k[1] or "", k[2], k[3], k[4] or "")):
        members = sorted(cells[key], key=lambda c: c.study_id)
        for measure in measures:
            out.append(_pool_cell(key, members, measure, level, tuple(duplicate[key])))
    return out


def _pool_cell(
    key: tuple[str, str | None, str, str, str | None],
    members: Sequence[HarmCount],
    measure: str,
    level: float,
    duplicates: tuple[tuple[str, str], ...],
) -> HarmPool:
    category, term, kind, window, severity = key
    dropped = list(duplicates)
    tables = []
    used: list[HarmCount] = []
    for c in members:
        try:
            tables.append(c.table())
            used.append(c)
        except EffectSizeError as exc:
            dropped.append((c.study_id, str(exc)))
    if measure == "RR":
        kept = []
        for c, t in zip(used, tables, strict=True):
            if t.ai == 0 and t.ci == 0:
                dropped.append((c.study_id, "no events in either arm: no information on RR"))
            else:
                kept.append((c, t))
        used = [c for c, _ in kept]
        tables = [t for _, t in kept]
    base: dict[str, Any] = {
        "category": category,
        "term": term if term is not None else None,
        "kind": kind,
        "window": window,
        "severity": severity,
        "measure": measure,
        "k": len(used),
        "events_t": sum(c.events_t for c in used),
        "n_t": sum(c.n_t for c in used),
        "events_c": sum(c.events_c for c in used),
        "n_c": sum(c.n_c for c in used),
        "studies": tuple(c.study_id for c in used),
        "dropped": tuple(dropped),
        "provenance": tuple(
            {"study_id": c.study_id, **dict(p)} for c in used for p in c.provenance
        ),
    }
    if not used:
        return HarmPool(
            **base, estimate=None, ci_lb=None, ci_ub=None, note="no study with usable counts"
        )
    try:
        res = MantelHaenszel(measure, level=level).fit(tables)
    except PoolingError as exc:
        return HarmPool(**base, estimate=None, ci_lb=None, ci_ub=None, note=str(exc))
    if measure == "RR":
        est, lb, ub = res.estimate_exp, res.ci_lb_exp, res.ci_ub_exp
    else:
        est, lb, ub = res.estimate, res.ci_lb, res.ci_ub
    note = "single study" if len(used) == 1 else None
    return HarmPool(**base, estimate=est, ci_lb=lb, ci_ub=ub, pool=res.to_dict(), note=note)


# ---------------------------------------------------------------- from facts


def _mentions(label: str | None, terms: Sequence[str]) -> bool:
    if not label:
        return False
    low = label.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(t.lower())}(?![\w-])", low) for t in terms)


def _side(label: str | None, intervention: Sequence[str], comparator: Sequence[str]) -> str | None:
    t, c = _mentions(label, intervention), _mentions(label, comparator)
    if t and not c:
        return "t"
    if c and not t:
        return "c"
    return None


def _arm_sizes(
    arms: Iterable[Mapping[str, Any]], intervention: Sequence[str], comparator: Sequence[str]
) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for arm in arms:
        side = _side(arm.get("label"), intervention, comparator)
        n = arm.get("n")
        if side and isinstance(n, int) and n > 0 and side not in sizes:
            sizes[side] = n
    return sizes


def _prov(f: Mapping[str, Any]) -> dict[str, Any]:
    return {k: f[k] for k in ("start", "end", "text", "sentence", "arm_from") if k in f}


def harm_counts_from_facts(
    study_id: str,
    facts: Sequence[Mapping[str, Any]],
    *,
    intervention: Sequence[str],
    comparator: Sequence[str],
    arms: Sequence[Mapping[str, Any]] = (),
    window_of: Any = None,
) -> tuple[list[HarmCount], list[tuple[str, str]]]:
    """Pair one study's harm facts into per-arm counts.

    Parameters
    ----------
    study_id:
        The study (PMID).
    facts:
        The record's ``adverse_events`` (see :mod:`miner.extract.adverse`).
    intervention, comparator:
        Terms naming each arm (lowercase, matched on word boundaries).
    arms:
        ``sample_size["arms"]`` (``label``, ``n``): group sizes when a fact
        gives only events or a percentage.
    window_of:
        ``window_of(timepoint phrase) -> window name | None``; default: one
        window ``"all"``. Facts whose window is ``None`` are left out.

    Returns
    -------
    tuple
        ``([HarmCount], [(what, reason) left out])``. A count needs both arms
        with events and a group size; events are derived from a percentage
        only when the group size is known, and that is recorded in
        provenance (``"derived": "events from percent"``).
    """
    sizes = _arm_sizes(arms, intervention, comparator)
    skipped: list[tuple[str, str]] = []
    # (category, term, kind, window, severity) -> {"t": (events, n, prov), "c": ...}
    cells: dict[tuple[str, str, str, str, str | None], dict[str, tuple[int, int, list[Any]]]] = (
        defaultdict(dict)
    )
    for f in facts:
        status = f.get("status")
        if status not in ("reported", "zero_reported"):
            continue
        window: str | None = window_of(f.get("timepoint")) if window_of else "all"
        what = f"{f.get('term')!r} ({f.get('text')!r})"
        if window is None:
            skipped.append((what, f"time point {f.get('timepoint')!r} is in no window"))
            continue
        key = (
            str(f.get("category")),
            str(f.get("term") or "").lower(),
            str(f.get("kind")),
            window,
            f.get("severity"),
        )
        if status == "zero_reported" and f.get("arm") is None:
            if "t" in sizes and "c" in sizes:
                for side in ("t", "c"):
                    cells[key].setdefault(side, (0, sizes[side], [_prov(f)]))
            else:
                skipped.append((what, "zero events stated but group sizes unknown"))
            continue
        arm_side = _side(f.get("arm"), intervention, comparator)
        if arm_side is None:
            skipped.append((what, f"arm {f.get('arm')!r} is neither intervention nor comparator"))
            continue
        n = f.get("total") or sizes.get(arm_side)
        events = f.get("events")
        prov = _prov(f)
        if events is None and f.get("percent") is not None and n:
            events = round(float(f["percent"]) * n / 100)
            prov["derived"] = f"events from {f['percent']}% of {n}"
        if events is None or not n:
            skipped.append((what, "events or group size unknown"))
            continue
        if arm_side in cells[key]:
            skipped.append((what, "second value for the same arm, harm and window"))
            continue
        cells[key][arm_side] = (int(events), int(n), [prov])
    out: list[HarmCount] = []
    for (category, term, kind, window, severity), sides in cells.items():
        if "t" not in sides or "c" not in sides:
            skipped.append((f"{term!r}", "only one arm has a count"))
            continue
        (et, nt, pt), (ec, nc, pc) = sides["t"], sides["c"]
        out.append(
            HarmCount(
                study_id, category, window, et, nt, ec, nc, term, kind, tuple(pt + pc), severity
            )
        )
    return out, skipped


def assign_arms_by_order(
    facts: Sequence[Mapping[str, Any]],
    arm_labels: Sequence[str],
    *,
    sentence_of: Any,
) -> list[dict[str, Any]]:
    """Name the arms of unlabelled counts listed in the order the arms were introduced.

    "Nausea occurred in 12/80 and 6/80 patients" names no arm: trial reports
    list such pairs in the order the arms were introduced. When one sentence
    holds exactly ``len(arm_labels)`` reported counts of the same harm (kind,
    category, term and severity), none of them with an arm, they are given
    ``arm_labels`` in order, and the assumption is recorded on each fact
    (``"arm_from": "order of the arms"``). Anything else is left as it was.

    Parameters
    ----------
    facts:
        ``adverse_events`` facts of one record.
    arm_labels:
        The arms in the order the abstract introduces them (two or more).
    sentence_of:
        ``sentence_of(start, end) -> (lo, hi)``: bounds of the sentence of a span.

    Returns
    -------
    list[dict]
        Copies of ``facts`` (arms filled where the rule applies).
    """
    out = [dict(f) for f in facts]
    if len(arm_labels) < 2:
        return out
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, f in enumerate(out):
        if f.get("status") != "reported" or f.get("events") is None:
            continue
        start, end = f.get("start"), f.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        sentence = sentence_of(start, end)
        key = (
            sentence,
            f.get("kind"),
            f.get("category"),
            str(f.get("term") or "").lower(),
            f.get("severity"),
        )
        groups[key].append(i)
    for members in groups.values():
        if len(members) != len(arm_labels):
            continue
        if any(out[i].get("arm") for i in members):
            continue
        for label, i in zip(
            arm_labels, sorted(members, key=lambda j: out[j]["start"]), strict=True
        ):
            out[i]["arm"] = label
            out[i]["arm_from"] = "order of the arms"
    return out
