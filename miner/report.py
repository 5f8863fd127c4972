"""Reading the living dataset, and the evidence summary written from it.

Two layers, both read-only over the :class:`miner.store.Store`:

1. A *read model* shared by the JSON API, the dashboard, the exports and the
   summary: saved searches with their newest version, pooled rows per outcome
   x time window x subgroup (with participant counts), the studies of a
   version with every extracted value and the evidence span it came from, and
   the cumulative meta-analysis by publication year.
2. The *evidence summary* (``miner report NAME``): a systematic reviewer's
   one-page brief. It is built in two steps on purpose: :func:`summary_facts`
   collects every number the text will show, straight from the stored
   version; :func:`render_markdown` / :func:`render_html` only put those
   numbers into sentence templates. No sentence computes a new number, so the
   test can check that every number printed is a stored value (rounded as
   printed), a count of stored records, or one of the named rule thresholds
   in :data:`THRESHOLDS`.

Ratio measures (RR, OR, HR) are stored on the log scale; the summary prints
them exponentiated, as reviewers read them.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from miner.errors import ConfigError
from miner.records import Effect
from miner.store import Store, articles, extractions

#: Measures pooled on the log scale and printed exponentiated.
RATIO_MEASURES = frozenset({"RR", "OR", "HR", "IRR"})

#: Rule thresholds the certainty flags use; the only constants the summary prints.
THRESHOLDS: dict[str, float] = {
    "inconsistency_i2": 50.0,  # I2 above this: inconsistency (GRADE handbook 5.2.2)
    "egger_min_k": 10.0,  # Egger's test only with at least this many trials (Cochrane 13.3.5.4)
    "egger_alpha": 0.10,  # asymmetry flagged below this p (Egger 1997 used 0.10)
    "optimal_information_size": 400.0,  # GRADE rule of thumb for continuous outcomes
}

_SYNTHETIC_NOTE = "synthetic demo record, not a PubMed id"


def is_synthetic_pmid(pmid: str) -> bool:
    """Real PMIDs are digits only; demo and test records use prefixed ids (SYNKET0001)."""
    return not pmid.isdigit()


def pubmed_url(pmid: str) -> str | None:
    """The PubMed page of a real PMID, None for a synthetic id (never link those)."""
    return None if is_synthetic_pmid(pmid) else f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


# =============================================================================== read model


def search_summaries(store: Store) -> list[dict[str, Any]]:
    """Every saved search (shipped and stored) with its newest dataset version, by name."""
    from miner.living import all_searches

    out = []
    for s in all_searches(store):
        versions = store.list_dataset_versions(s.name)
        last = versions[-1] if versions else None
        out.append(
            {
                "name": s.name,
                "title": s.title,
                "query": s.query,
                "source": s.source.path if s.source else "pubmed",
                "schedule": s.schedule,
                "method": s.method,
                "outcomes": [o.name for o in s.outcomes],
                "timepoints": [w.label for w in s.timepoints],
                "subgroups": list(s.subgroups),
                "latest_version": last["version"] if last else None,
                "updated_at": last["created_at"] if last else None,
                "n_studies": last["n_studies"] if last else None,
                "n_effects": last["n_effects"] if last else None,
            }
        )
    return out


def search_exists(store: Store, name: str) -> bool:
    """Whether ``name`` is a saved search (shipped or stored)."""
    from miner.living import all_searches

    return any(s.name == name for s in all_searches(store))


def get_version(store: Store, name: str, version: int | None = None) -> dict[str, Any] | None:
    """Version ``version`` of search ``name`` (the newest when None), or None."""
    if version is None:
        return store.latest_dataset_version(name)
    return store.get_dataset_version(name, version)


def require_version(store: Store, name: str, version: int | None = None) -> dict[str, Any]:
    """Like :func:`get_version` but raising :class:`ConfigError` that names what exists."""
    if not search_exists(store, name):
        known = ", ".join(s["name"] for s in search_summaries(store)) or "(none)"
        raise ConfigError(f"no saved search {name!r}; known: {known}")
    found = get_version(store, name, version)
    if found is None:
        have = [v["version"] for v in store.list_dataset_versions(name)]
        if not have:
            raise ConfigError(f"search {name}: no dataset version yet (run a refresh first)")
        raise ConfigError(f"search {name}: no version {version}; versions: {have}")
    return found


def version_extractions(store: Store, version: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Extracted facts of each study of ``version``, exactly as they were pooled.

    Keyed on the (pmid, text hash, extractor version) the version recorded, so
    a later re-extraction or a revised abstract does not change what an old
    version shows.
    """
    keys = [
        (s["pmid"], s["text_hash"], s["extractor_version"])
        for s in version["content"].get("studies", ())
    ]
    out: dict[str, dict[str, Any]] = {}
    if not keys:
        return out
    with store.engine.connect() as conn:
        for i in range(0, len(keys), 300):
            chunk = keys[i : i + 300]
            cond = sa.or_(
                *(
                    sa.and_(
                        extractions.c.pmid == p,
                        extractions.c.text_hash == h,
                        extractions.c.extractor_version == v,
                    )
                    for p, h, v in chunk
                )
            )
            for row in conn.execute(sa.select(extractions.c.pmid, extractions.c.facts).where(cond)):
                out[row.pmid] = json.loads(row.facts)
    return out


def article_texts(store: Store, pmids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``pmid -> (text_hash, title + "\\n" + abstract)`` of the stored articles."""
    keys = list(dict.fromkeys(pmids))
    out: dict[str, tuple[str, str]] = {}
    with store.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            rows = conn.execute(
                sa.select(
                    articles.c.pmid, articles.c.text_hash, articles.c.title, articles.c.abstract
                ).where(articles.c.pmid.in_(keys[i : i + 500]))
            )
            for r in rows:
                out[r.pmid] = (r.text_hash, f"{r.title}\n{r.abstract}")
    return out


def participants(facts: Mapping[str, Any] | None) -> int | None:
    """Participants randomised in a study as extracted (``analysed`` when only that is written)."""
    ss = (facts or {}).get("sample_size") or {}
    for key in ("randomized", "analysed"):
        value = ss.get(key)
        if isinstance(value, int | float) and value > 0:
            return int(value)
    return None


def _z(level: float) -> float:
    from scipy import stats

    return float(stats.norm.isf((1 - level) / 2))


def finite_or_none(x: Any) -> Any:
    """``x``, or None when it is a NaN or infinite float (JSON and CSV have no such numbers)."""
    return None if isinstance(x, float) and not math.isfinite(x) else x


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float, at any depth, as None and tuples as lists."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return finite_or_none(value)


def exp_or_none(x: Any) -> float | None:
    """``exp(x)``, or None when ``x`` is missing, not finite, or the result overflows."""
    if not isinstance(x, int | float) or not math.isfinite(x):
        return None
    try:
        return math.exp(x)
    except OverflowError:
        return None


def pooled_table(
    store: Store,
    version: Mapping[str, Any],
    *,
    outcome: str | None = None,
    timepoint: str | None = None,
    subgroup_key: str | None = None,
    facts: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Pooled rows of ``version`` with metafor field names, filtered, in stored order.

    Each row: outcome, timepoint, subgroup_key/value, measure, method, k,
    estimate, se, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2, Q, Q_p, zval, pval,
    n_participants (sum over the cell's studies of the effect's ``n_total``,
    else the randomised count extracted), n_participants_known (how many of
    the k studies had one), studies (PMIDs), error, and for ratio measures
    ``<field>_exp``.
    """
    content = version["content"]
    facts = facts if facts is not None else version_extractions(store, version)
    n_of: dict[tuple[str, str, str], int | None] = {}
    for e in content.get("effects", ()):
        n = e.get("n_total") or participants(facts.get(e["pmid"]))
        n_of[(e["pmid"], e["outcome"], e["window"])] = n
    rows = []
    for p in content.get("pooled", ()):
        if outcome is not None and p["outcome"] != outcome:
            continue
        if timepoint is not None and p["timepoint_window"] != timepoint:
            continue
        if subgroup_key is not None and p["subgroup_key"] != subgroup_key:
            continue
        ns = [n_of.get((pm, p["outcome"], p["timepoint_window"])) for pm in p.get("studies", ())]
        known = [n for n in ns if n]
        row = {
            "outcome": p["outcome"],
            "timepoint": p["timepoint_window"],
            "subgroup_key": p["subgroup_key"],
            "subgroup_value": p["subgroup_value"],
            "measure": p["measure"],
            "method": p["method"],
            "k": p.get("k"),
            **{
                f: p.get(f)
                for f in (
                    "estimate",
                    "se",
                    "ci_lb",
                    "ci_ub",
                    "pi_lb",
                    "pi_ub",
                    "tau2",
                    "I2",
                    "Q",
                    "Q_p",
                    "zval",
                    "pval",
                )
            },
            "n_participants": sum(known) if known else None,
            "n_participants_known": len(known),
            "studies": list(p.get("studies", ())),
            "error": p.get("error"),
            "note": p.get("note"),
        }
        if p["measure"] in RATIO_MEASURES:
            for f in ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub"):
                row[f"{f}_exp"] = exp_or_none(p.get(f))
        rows.append(row)
    return rows


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    from miner.living import sentence_bounds

    lo, hi = sentence_bounds(text, start, end)
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _evidence(
    pmid: str, item: Mapping[str, Any], text: str | None, text_ok: bool
) -> dict[str, Any] | None:
    start, end = item.get("start"), item.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    ev: dict[str, Any] = {
        "pmid": pmid,
        "start": start,
        "end": end,
        "text": item.get("text"),
        "sentence": item.get("sentence"),
        "sentence_start": None,
        "sentence_end": None,
    }
    # Offsets index the text the extraction was made from; only trust them on that text.
    if text is not None and text_ok and text[start:end] == item.get("text"):
        lo, hi = _sentence_span(text, start, end)
        ev["sentence_start"], ev["sentence_end"] = lo, hi
        ev["sentence"] = ev["sentence"] or text[lo:hi]
    return ev


#: Extracted fact lists and the fields each value keeps (besides its evidence).
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "doses": ("drug", "value", "value_max", "unit", "frequency", "duration", "route"),
    "routes": ("route",),
    "effects": (
        "measure",
        "value",
        "ci_low",
        "ci_high",
        "ci_level",
        "p",
        "p_op",
        "timepoint",
        "outcome",
    ),
    "arm_values": ("arm", "kind", "value", "sd", "se", "n", "events", "total", "outcome"),
}


def extracted_values(
    pmid: str, facts: Mapping[str, Any], text: str | None, text_ok: bool
) -> list[dict[str, Any]]:
    """Every extracted value of one study, flat: kind, index, fields, evidence span."""
    out: list[dict[str, Any]] = []
    ss = facts.get("sample_size") or {}
    for i, ev in enumerate(ss.get("evidence") or ()):
        out.append(
            {
                "kind": "sample_size",
                "index": i,
                "fields": {"count": ev.get("kind"), "n": ev.get("n")},
                "evidence": _evidence(pmid, ev, text, text_ok),
            }
        )
    for i, arm in enumerate(ss.get("arms") or ()):
        out.append(
            {
                "kind": "arm_size",
                "index": i,
                "fields": {"arm": arm.get("label"), "n": arm.get("n")},
                "evidence": _evidence(pmid, arm, text, text_ok),
            }
        )
    for kind, keep in FACT_FIELDS.items():
        for i, item in enumerate(facts.get(kind) or ()):
            fields = {k: item.get(k) for k in keep if k in item}
            if kind == "arm_values":
                fields["timepoint"] = item.get("timepoint")
            out.append(
                {
                    "kind": kind.rstrip("s") if kind != "arm_values" else "arm_value",
                    "index": i,
                    "fields": fields,
                    "evidence": _evidence(pmid, item, text, text_ok),
                }
            )
    return out


def study_records(
    store: Store,
    version: Mapping[str, Any],
    *,
    pmids: Sequence[str] | None = None,
    facts: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The studies of ``version`` with their pooled effects and every extracted value.

    Each evidence span has ``pmid``, ``start``/``end`` (offsets into
    ``title + "\\n" + abstract``), ``text``, ``sentence`` and
    ``sentence_start``/``sentence_end`` (null when the stored abstract has
    changed since, so that offsets would point at the wrong characters).
    """
    content = version["content"]
    level = 0.95
    z = _z(level)
    wanted = set(pmids) if pmids is not None else None
    studies = [s for s in content.get("studies", ()) if wanted is None or s["pmid"] in wanted]
    facts = facts if facts is not None else version_extractions(store, version)
    texts = article_texts(store, [s["pmid"] for s in studies])
    by_pmid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in content.get("effects", ()):
        by_pmid[e["pmid"]].append(e)
    out = []
    for s in studies:
        pmid = s["pmid"]
        stored_hash, text = texts.get(pmid, (None, None))
        text_ok = stored_hash == s["text_hash"]
        f = facts.get(pmid) or {}
        effects = []
        for e in by_pmid.get(pmid, ()):
            se = math.sqrt(e["vi"]) if e["vi"] >= 0 else float("nan")
            row = {
                "outcome": e["outcome"],
                "timepoint": e["window"],
                "measure": e["measure"],
                "yi": e["yi"],
                "vi": e["vi"],
                "sei": se,
                "ci_lb": e["yi"] - z * se,
                "ci_ub": e["yi"] + z * se,
                "n_total": e.get("n_total"),
                "subgroups": e.get("subgroups") or {},
                "source": (e.get("provenance") or {}).get("source"),
                "assumptions": list(e.get("assumptions") or ()),
                "evidence": [
                    ev
                    for ev in (
                        _evidence(pmid, item, text, text_ok)
                        for item in (e.get("provenance") or {}).get("evidence") or ()
                    )
                    if ev is not None
                ],
            }
            if e["measure"] in RATIO_MEASURES:
                for k in ("yi", "ci_lb", "ci_ub"):
                    row[f"{k}_exp"] = exp_or_none(row[k])
            effects.append(row)
        out.append(
            {
                "pmid": pmid,
                "title": s.get("title"),
                "year": s.get("year"),
                "synthetic": is_synthetic_pmid(pmid),
                "url": pubmed_url(pmid),
                "text_hash": s["text_hash"],
                "extractor_version": s["extractor_version"],
                "text_changed": not text_ok,
                "participants": participants(f),
                "design": {k: v for k, v in (f.get("design") or {}).items() if k != "evidence"},
                "effects": effects,
                "values": extracted_values(pmid, f, text, text_ok),
            }
        )
    return out


def cell_effects(version: Mapping[str, Any], outcome: str, timepoint: str) -> list[dict[str, Any]]:
    """Stored effects of one outcome x window, in PMID order (the pooling order)."""
    cell = [
        e
        for e in version["content"].get("effects", ())
        if e["outcome"] == outcome and e["window"] == timepoint
    ]
    return sorted(cell, key=lambda e: e["pmid"])


def cumulative_table(
    version: Mapping[str, Any], outcome: str, timepoint: str
) -> list[dict[str, Any]]:
    """Cumulative meta-analysis of one cell by publication year (metafor ``cumul``).

    Recomputed from the stored yi/vi with the search's method; studies without
    a year go last. Each step: added (pmid), year, k, estimate, ci_lb, ci_ub
    (and ``*_exp`` for ratio measures).
    """
    from miner import pool

    cell = cell_effects(version, outcome, timepoint)
    if not cell:
        return []
    years = {s["pmid"]: s.get("year") for s in version["content"].get("studies", ())}
    method = version["content"].get("search", {}).get("method") or "REML"
    measure = cell[0]["measure"]
    effs = [Effect(study_id=e["pmid"], measure=e["measure"], yi=e["yi"], vi=e["vi"]) for e in cell]
    order = [(years.get(e["pmid"]) or 10_000, e["pmid"]) for e in cell]
    steps = pool.cumulative(effs, pool.estimator(method), order=order)
    out = []
    for step in steps:
        r = step.result
        row = {
            "added": step.added,
            "year": years.get(step.added),
            "k": r.k,
            "estimate": r.estimate,
            "ci_lb": r.ci_lb,
            "ci_ub": r.ci_ub,
        }
        if measure in RATIO_MEASURES:
            for k in ("estimate", "ci_lb", "ci_ub"):
                row[f"{k}_exp"] = exp_or_none(row[k])
        out.append(row)
    return out


def study_weights(effects: Sequence[Mapping[str, Any]], tau2: float | None) -> list[float]:
    """Random-effects weights in percent, ``1/(vi + tau2)`` normalised (tau2 0 for FE/k=1)."""
    t = tau2 if isinstance(tau2, int | float) and math.isfinite(tau2) else 0.0
    w = [1.0 / (e["vi"] + t) if e["vi"] + t > 0 else 0.0 for e in effects]
    total = sum(w)
    return [100.0 * x / total if total > 0 else 0.0 for x in w]


def egger(version: Mapping[str, Any], outcome: str, timepoint: str) -> dict[str, Any] | None:
    """Egger's regression test (:func:`miner.pool.egger_test`) on one cell, None if k < 3."""
    from miner import pool
    from miner.errors import PoolingError

    cell = cell_effects(version, outcome, timepoint)
    if len(cell) < 3:
        return None
    effs = [Effect(study_id=e["pmid"], measure=e["measure"], yi=e["yi"], vi=e["vi"]) for e in cell]
    method = version["content"].get("search", {}).get("method") or "REML"
    est = pool.estimator(method)
    try:
        res = pool.egger_test(effs, est if not isinstance(est, pool.MantelHaenszel) else None)
    except (PoolingError, ValueError, ArithmeticError):
        return None
    return {"k": res.k, "stat": res.stat, "pval": res.pval}


# =============================================================================== the summary


def fmt(x: float, nd: int = 2) -> str:
    """A number as the summary prints it (never ``-0.00``)."""
    s = f"{x:.{nd}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def num(x: Any, nd: int = 2) -> str:
    """A number as pages and plots print it (``NA`` when missing, never ``-0.00``)."""
    if not isinstance(x, int | float) or not math.isfinite(x):
        return "NA"
    return fmt(float(x), nd)


@dataclass(frozen=True, slots=True)
class Cell:
    """The printable facts of one overall pooled result (numbers already on the print scale)."""

    outcome: str
    timepoint: str
    measure: str
    k: int
    estimate: float
    ci_lb: float | None
    ci_ub: float | None
    pi_lb: float | None
    pi_ub: float | None
    i2: float | None
    tau2: float | None
    n_participants: int | None
    n_participants_known: int
    studies: tuple[str, ...]
    null: float
    favours_lower: bool
    egger_p: float | None = None
    egger_k: int | None = None

    @property
    def crosses_null(self) -> bool:
        return self.ci_lb is None or self.ci_ub is None or self.ci_lb <= self.null <= self.ci_ub

    @property
    def pi_crosses_null(self) -> bool | None:
        if self.pi_lb is None or self.pi_ub is None:
            return None
        return self.pi_lb <= self.null <= self.pi_ub

    @property
    def favours_intervention(self) -> bool:
        return (self.estimate < self.null) == self.favours_lower


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the summary prints, gathered from one stored version."""

    search: str
    title: str
    query: str
    intervention: tuple[str, ...]
    comparator: tuple[str, ...]
    version: int
    created: str
    n_trials: int
    n_participants: int | None
    n_participants_known: int
    cells: tuple[Cell, ...]
    outcome_windows: dict[str, tuple[str, ...]]
    doses: dict[str, tuple[float, float, float, int]]  # unit -> (min, max, mode, mode count)
    routes: tuple[tuple[str, int], ...]
    citations: tuple[dict[str, Any], ...]
    changes: dict[str, Any] | None
    previous_version: int | None
    notes: tuple[str, ...] = field(default=())
    n_efficacy: int | None = None
    tier_counts: dict[str, int] = field(default_factory=dict)
    cited: tuple[dict[str, Any], ...] = ()
    harms: tuple[dict[str, Any], ...] = ()  # primary tier's pooled harms, RR/RD per cell
    harm_status: tuple[dict[str, Any], ...] = ()
    harms_extracted: int = 0
    durability: dict[str, str] = field(default_factory=dict)  # outcome -> stored sentence
    dose_response: tuple[dict[str, Any], ...] = ()
    route_rows: tuple[dict[str, Any], ...] = ()


def _dose_values(facts: Mapping[str, Any], intervention: Sequence[str]) -> list[tuple[str, float]]:
    from miner.living import mentions

    out = []
    for d in facts.get("doses") or ():
        if not mentions(d.get("drug"), intervention) or not d.get("unit"):
            continue
        for key in ("value", "value_max"):
            v = d.get(key)
            if isinstance(v, int | float) and math.isfinite(v):
                out.append((str(d["unit"]), float(v)))
    return out


def _pick(row: Mapping[str, Any], name: str, ratio: bool) -> Any:
    return row.get(f"{name}_exp") if ratio else row.get(name)


def summary_facts(store: Store, name: str, version: int | None = None) -> Facts:
    """Gather the numbers of the evidence summary of search ``name`` (newest version by default).

    Raises
    ------
    ConfigError
        For an unknown search or version (naming the ones that exist).
    """
    from miner.living import diff_contents

    v = require_version(store, name, version)
    content = v["content"]
    search = content.get("search") or {}
    facts = version_extractions(store, v)
    rows = pooled_table(store, v, subgroup_key="all", facts=facts)
    lower = {o["name"]: o.get("lower_is_better", True) for o in search.get("outcomes", ())}
    outcome_order = [o["name"] for o in search.get("outcomes", ())]
    window_order = [w["label"] for w in search.get("timepoints", ())]

    def order(row: Mapping[str, Any]) -> tuple[int, int]:
        o, w = row["outcome"], row["timepoint"]
        return (
            outcome_order.index(o) if o in outcome_order else len(outcome_order),
            window_order.index(w) if w in window_order else len(window_order),
        )

    cells = []
    for r in sorted(rows, key=order):
        if r.get("error") or r.get("estimate") is None:
            continue
        ratio = r["measure"] in RATIO_MEASURES
        eg = None
        if r["k"] >= THRESHOLDS["egger_min_k"]:
            eg = egger(v, r["outcome"], r["timepoint"])
        cells.append(
            Cell(
                outcome=r["outcome"],
                timepoint=r["timepoint"],
                measure=r["measure"],
                k=int(r["k"]),
                estimate=_pick(r, "estimate", ratio),
                ci_lb=_pick(r, "ci_lb", ratio),
                ci_ub=_pick(r, "ci_ub", ratio),
                pi_lb=_pick(r, "pi_lb", ratio),
                pi_ub=_pick(r, "pi_ub", ratio),
                i2=r.get("I2"),
                tau2=r.get("tau2"),
                n_participants=r["n_participants"],
                n_participants_known=r["n_participants_known"],
                studies=tuple(r["studies"]),
                null=1.0 if ratio else 0.0,
                favours_lower=bool(lower.get(r["outcome"], True)),
                egger_p=eg["pval"] if eg else None,
                egger_k=eg["k"] if eg else None,
            )
        )
    outcome_windows: dict[str, list[str]] = defaultdict(list)
    for c in cells:
        outcome_windows[c.outcome].append(c.timepoint)

    studies = sorted(content.get("studies", ()), key=lambda s: (s.get("year") or 10_000, s["pmid"]))
    # participants of the trials that contribute an effect (harms-only trials are cited apart)
    n_known = [
        n
        for n in (participants(facts.get(s["pmid"])) for s in studies if s.get("efficacy", True))
        if n
    ]
    intervention = tuple(search.get("comparison", {}).get("intervention", ()))
    by_unit: dict[str, list[float]] = defaultdict(list)
    for s in studies:
        for unit, value in _dose_values(facts.get(s["pmid"]) or {}, intervention):
            by_unit[unit].append(value)
    doses = {}
    for unit, values in by_unit.items():
        mode, count = Counter(values).most_common(1)[0]
        doses[unit] = (min(values), max(values), mode, count)
    route_of: dict[str, str] = {}
    for e in content.get("effects", ()):
        route = (e.get("subgroups") or {}).get("route")
        if route:
            route_of[e["pmid"]] = route
    routes = tuple(Counter(route_of.values()).most_common())

    citations = tuple(
        {
            "n": i + 1,
            "pmid": s["pmid"],
            "year": s.get("year"),
            "title": s.get("title") or "",
            "synthetic": is_synthetic_pmid(s["pmid"]),
            "url": pubmed_url(s["pmid"]),
            "efficacy": s.get("efficacy", True),
        }
        for i, s in enumerate(studies)
    )
    previous = None
    changes = None
    earlier = [
        x["version"] for x in store.list_dataset_versions(name) if x["version"] < v["version"]
    ]
    if earlier:
        previous = max(earlier)
        prev = store.get_dataset_version(name, previous)
        changes = diff_contents(prev["content"] if prev else None, content)
    harms = content.get("harms") or {}
    harm_rows = tuple(
        h
        for h in harms.get("pooled") or ()
        if h.get("tier") == "randomized" and (h.get("estimate") is not None or h.get("k"))
    )
    route_rows = tuple(
        r
        for r in pooled_table(store, v, subgroup_key="route", facts=facts)
        if r.get("estimate") is not None
    )
    return Facts(
        search=name,
        title=search.get("title") or name,
        query=search.get("query") or "",
        intervention=intervention,
        comparator=tuple(search.get("comparison", {}).get("comparator", ())),
        version=v["version"],
        created=v["created_at"][:10],
        n_trials=len(studies),
        n_participants=sum(n_known) if n_known else None,
        n_participants_known=len(n_known),
        cells=tuple(cells),
        outcome_windows={k: tuple(w) for k, w in outcome_windows.items()},
        doses=doses,
        routes=routes,
        citations=citations,
        changes=changes,
        previous_version=previous,
        notes=tuple(content.get("notes") or ()),
        n_efficacy=sum(1 for s in studies if s.get("efficacy", True)),
        tier_counts=dict(content.get("tier_counts") or {}),
        cited=tuple(content.get("cited") or ()),
        harms=harm_rows,
        harm_status=tuple(harms.get("status") or ()),
        harms_extracted=int(harms.get("n_extracted") or 0),
        durability={d["outcome"]: d["sentence"] for d in content.get("durability") or ()},
        dose_response=tuple(
            d for d in content.get("dose_response") or () if d.get("tier") == "randomized"
        ),
        route_rows=route_rows,
    )


# -- sentence templates ------------------------------------------------------------------


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _i2_words(i2: float) -> str:
    # Cochrane Handbook 10.10.2 gives overlapping bands; these are their midpoints.
    if i2 < 25:
        return "low heterogeneity"
    if i2 < 50:
        return "moderate heterogeneity"
    if i2 < 75:
        return "substantial heterogeneity"
    return "considerable heterogeneity"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


Segment = tuple[str, Any]  # ("text", str) | ("cite", tuple[int, ...])


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the summary: a heading, a paragraph or a bullet list of segment lists."""

    kind: str  # "h1" | "h2" | "p" | "ul" | "refs"
    items: tuple[tuple[Segment, ...], ...]


def _t(text: str) -> Segment:
    return ("text", text)


def _cite(numbers: Iterable[int]) -> Segment:
    return ("cite", tuple(sorted(set(numbers))))


def _cell_sentence(c: Cell, cite_of: Mapping[str, int]) -> tuple[Segment, ...]:
    ci = (
        f" (95% CI {fmt(c.ci_lb)} to {fmt(c.ci_ub)})"
        if c.ci_lb is not None and c.ci_ub is not None
        else ""
    )
    trials = "RCT" if c.k == 1 else "RCTs"
    text = f"{c.outcome}: {c.measure} {fmt(c.estimate)}{ci} at {c.timepoint} across {c.k} {trials}"
    if c.n_participants:
        known = (
            ""
            if c.n_participants_known == c.k
            else f" in the {c.n_participants_known} that reported it"
        )
        text += f" ({c.n_participants} participants{known})"
    if c.i2 is not None:
        text += f", I2 = {fmt(c.i2, 0)}% ({_i2_words(c.i2)})"
    if c.tau2 is not None:
        text += f", tau2 = {fmt(c.tau2, 3)}"
    if c.pi_lb is not None and c.pi_ub is not None:
        text += f"; 95% prediction interval {fmt(c.pi_lb)} to {fmt(c.pi_ub)}"
    if c.k == 1:
        text += " (a single trial: no pooling)"
    return (_t(text + " "), _cite(cite_of[p] for p in c.studies if p in cite_of), _t("."))


def _durability(outcome: str, cells: Sequence[Cell], windows: Sequence[str]) -> str:
    favour = [c.timepoint for c in cells if not c.crosses_null and c.favours_intervention]
    against = [c.timepoint for c in cells if not c.crosses_null and not c.favours_intervention]
    unclear = [c.timepoint for c in cells if c.crosses_null]
    missing = [w for w in windows if w not in {c.timepoint for c in cells}]
    parts = []
    if favour:
        parts.append(
            f"the 95% CI excludes no effect in favour of the intervention at {_join(favour)}"
        )
    if against:
        parts.append(f"it excludes no effect against the intervention at {_join(against)}")
    if unclear:
        parts.append(f"the CI includes no effect at {_join(unclear)}")
    if missing:
        parts.append(f"no pooled result at {_join(missing)}")
    text = f"{outcome}: " + "; ".join(parts) + "."
    if favour and unclear and windows:
        last_fav = max(windows.index(w) for w in favour if w in windows)
        later_unclear = [w for w in unclear if w in windows and windows.index(w) > last_fav]
        if later_unclear and len(later_unclear) == len([w for w in unclear if w in windows]):
            text += f" The effect is not shown to last beyond {favour[-1]}."
    elif favour and not unclear and not against and len(favour) > 1:
        text += f" The effect is seen at every time point pooled, up to {favour[-1]}."
    return text


def _flags(c: Cell) -> list[str]:
    label = f"{c.outcome} at {c.timepoint}"
    out = []
    if c.crosses_null:
        out.append(f"Imprecision ({label}): the 95% CI includes no effect.")
    elif c.n_participants is not None and c.n_participants < THRESHOLDS["optimal_information_size"]:
        out.append(
            f"Imprecision ({label}): {c.n_participants} participants, below the "
            f"{fmt(THRESHOLDS['optimal_information_size'], 0)} of GRADE's rule-of-thumb "
            "optimal information size."
        )
    if c.i2 is not None and c.i2 > THRESHOLDS["inconsistency_i2"]:
        out.append(
            f"Inconsistency ({label}): I2 = {fmt(c.i2, 0)}% is above "
            f"{fmt(THRESHOLDS['inconsistency_i2'], 0)}%."
        )
    if c.pi_crosses_null and not c.crosses_null:
        out.append(
            f"Inconsistency ({label}): the 95% prediction interval includes no effect, "
            "so a new trial could find none."
        )
    if c.k >= THRESHOLDS["egger_min_k"]:
        if c.egger_p is None:
            out.append(f"Small-study effects ({label}): Egger's test could not be fitted.")
        elif c.egger_p < THRESHOLDS["egger_alpha"]:
            out.append(
                f"Small-study effects ({label}): Egger's test p = {fmt(c.egger_p, 3)}, below "
                f"{fmt(THRESHOLDS['egger_alpha'])}: funnel asymmetry suggested."
            )
        else:
            out.append(
                f"Small-study effects ({label}): Egger's test p = {fmt(c.egger_p, 3)}, "
                "no funnel asymmetry suggested."
            )
    return out


def summary_blocks(f: Facts) -> list[Block]:
    """The summary as blocks of text segments (shared by the Markdown and HTML renderers)."""
    cite_of = {c["pmid"]: c["n"] for c in f.citations}
    blocks: list[Block] = [Block("h1", ((_t(f"Evidence summary: {f.title}"),),))]
    blocks.append(
        Block(
            "p",
            (
                (
                    _t(
                        f"Saved search {f.search}, dataset version {f.version} of {f.created}. "
                        "Every number below is read from that stored version."
                    ),
                ),
            ),
        )
    )
    blocks.append(Block("h2", ((_t("Question"),),)))
    inter = " or ".join(f.intervention) or "the intervention"
    comp = " or ".join(f.comparator) or "the comparator"
    blocks.append(
        Block(
            "p",
            (
                (
                    _t(
                        f"{f.title}: does {inter} compared with {comp} change "
                        f"{_join(list(f.outcome_windows)) or 'the outcomes'} in randomised "
                        f'controlled trials? PubMed query: "{f.query}".'
                    ),
                ),
            ),
        )
    )
    blocks.append(Block("h2", ((_t("Trials and participants"),),)))
    if f.n_trials == 0:
        blocks.append(Block("p", ((_t("No trial in this version gave a usable effect."),),)))
    else:
        n_eff = f.n_efficacy if f.n_efficacy is not None else f.n_trials
        text = f"{_plural(n_eff, 'randomised trial')} contribute at least one effect"
        if f.n_participants:
            text += f", with {f.n_participants} participants randomised"
            if f.n_participants_known < n_eff:
                text += f" in the {f.n_participants_known} trials that reported a count"
        cites = [c["n"] for c in f.citations if c.get("efficacy", True)]
        blocks.append(Block("p", ((_t(text + " "), _cite(cites), _t(".")),)))
    blocks.extend(_tier_blocks(f, cite_of))
    blocks.append(Block("h2", ((_t("Pooled effects"),),)))
    if f.cells:
        blocks.append(Block("ul", tuple(_cell_sentence(c, cite_of) for c in f.cells)))
        ratio = sorted({c.measure for c in f.cells if c.measure in RATIO_MEASURES})
        if ratio:
            blocks.append(
                Block(
                    "p",
                    ((_t(f"{'/'.join(ratio)} are shown as ratios (pooled on the log scale)."),),),
                )
            )
    else:
        blocks.append(Block("p", ((_t("No pooled result yet."),),)))
    blocks.extend(_harm_blocks(f, cite_of))
    blocks.append(Block("h2", ((_t("Durability across time points"),),)))
    durability = []
    windows = [w for w in _windows_of(f)]
    for outcome in f.outcome_windows:
        cells = [c for c in f.cells if c.outcome == outcome]
        if outcome in f.durability:
            durability.append((_t(f"{outcome}: {f.durability[outcome]}"),))
        elif len(cells) >= 1:
            durability.append((_t(_durability(outcome, cells, windows)),))
    blocks.append(
        Block("ul", tuple(durability))
        if durability
        else Block("p", ((_t("Nothing pooled yet."),),))
    )
    blocks.append(Block("h2", ((_t("Doses and routes studied"),),)))
    items: list[tuple[Segment, ...]] = []
    for unit, (lo, hi, mode, count) in sorted(f.doses.items(), key=lambda kv: -kv[1][3]):
        rng = f"{_g(lo)} {unit}" if lo == hi else f"{_g(lo)} to {_g(hi)} {unit}"
        items.append(
            (
                _t(
                    f"Doses in {unit}: {rng}; most common {_g(mode)} {unit} "
                    f"({_plural(count, 'mention')})."
                ),
            )
        )
    if f.routes:
        items.append(
            (_t("Routes: " + ", ".join(f"{r} ({_plural(n, 'trial')})" for r, n in f.routes) + "."),)
        )
    if not items:
        items.append((_t("No dose or route was extracted for the intervention."),))
    items.extend(_route_items(f))
    items.extend(_dose_response_items(f))
    blocks.append(Block("ul", tuple(items)))
    blocks.append(Block("h2", ((_t("Certainty flags (in the spirit of GRADE)"),),)))
    flags: list[tuple[Segment, ...]] = []
    for c in f.cells:
        flags.extend((_t(x),) for x in _flags(c))
    small = [c for c in f.cells if c.k < THRESHOLDS["egger_min_k"]]
    if small:
        flags.append(
            (
                _t(
                    "Small-study effects not assessed where fewer than "
                    f"{fmt(THRESHOLDS['egger_min_k'], 0)} trials were pooled."
                ),
            )
        )
    flags.append((_t("Risk of bias: not assessed (miner does not judge risk of bias)."),))
    flags.append((_t("Indirectness and publication bias beyond funnel asymmetry: not assessed."),))
    blocks.append(Block("ul", tuple(flags)))
    blocks.append(Block("h2", ((_t("What changed since the last version"),),)))
    blocks.extend(_change_blocks(f, cite_of))
    if f.notes:
        blocks.append(Block("h2", ((_t("Notes"),),)))
        blocks.append(Block("ul", tuple((_t(n),) for n in f.notes)))
    blocks.append(Block("h2", ((_t("References"),),)))
    blocks.append(Block("refs", tuple(_reference(c) for c in f.citations)))
    return blocks


TIER_WORDS = {
    "randomized": "randomized",
    "non_randomized": "non-randomized comparative",
    "single_arm": "single-arm or case series",
    "evidence_synthesis": "evidence synthesis (cited, not pooled)",
    "unclassified": "unclassified",
}


def _tier_blocks(f: Facts, cite_of: Mapping[str, int]) -> list[Block]:
    if not f.tier_counts:
        return []
    order = [*TIER_WORDS, *(t for t in f.tier_counts if t not in TIER_WORDS)]
    parts = [f"{TIER_WORDS.get(t, t)}: {f.tier_counts[t]}" for t in order if t in f.tier_counts]
    items: list[tuple[Segment, ...]] = [
        (_t("Extracted articles per evidence tier: " + "; ".join(parts) + "."),),
        (_t("Each tier is pooled only with itself; the pooled effects below are randomized."),),
    ]
    for c in f.cited:
        year = f" ({c['year']})" if c.get("year") else ""
        design = str(c.get("design") or "").replace("_", " ")
        items.append(
            (_t(f"Cited, not pooled: {c['pmid']}{year}, {design}: {c.get('title') or ''}"),)
        )
    return [Block("h2", ((_t("Evidence tiers"),),)), Block("ul", tuple(items))]


def _harm_blocks(f: Facts, cite_of: Mapping[str, int]) -> list[Block]:
    head = Block("h2", ((_t("Harms"),),))
    if not f.harms_extracted:
        return [head, Block("p", ((_t("Adverse events were not extracted for this version."),),))]
    cells: dict[tuple[Any, ...], dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for h in f.harms:
        key = (h.get("term") or h["category"], h["kind"], h["window"], h.get("severity"))
        cells[key][h["measure"]] = h
    items: list[tuple[Segment, ...]] = []
    for (what, kind, window, severity), by in cells.items():
        label = what if kind == "adverse_event" else f"{what} ({kind.replace('_', ' ')})"
        if severity:
            label = f"{severity} {label}"
        parts = []
        for m in ("RR", "RD"):
            hm = by.get(m)
            if hm is None or hm.get("estimate") is None:
                continue
            ci = ""
            if hm.get("ci_lb") is not None and hm.get("ci_ub") is not None:
                ci = f" (95% CI {fmt(hm['ci_lb'])} to {fmt(hm['ci_ub'])})"
            parts.append(f"{m} {fmt(hm['estimate'])}{ci}, {_plural(hm['k'], 'RCT')}")
        first = max(by.values(), key=lambda h: h.get("k") or 0)
        studies = sorted({p for h in by.values() for p in h.get("studies") or ()})
        if not parts and first["events_t"] == 0 and first["events_c"] == 0:
            # "zero events reported" is a finding, and different from "not reported"
            parts.append(
                f"zero events reported in both arms of {_plural(first['k'], 'RCT')}, "
                "so no RR or RD can be estimated"
            )
        elif not parts:
            parts.append("no RR or RD could be estimated")
        text = (
            f"{label}, {window}: " + "; ".join(parts) + f"; events {first['events_t']}/"
            f"{first['n_t']} with the intervention and {first['events_c']}/{first['n_c']} "
            "with the comparator (Mantel-Haenszel) "
        )
        items.append((_t(text), _cite(cite_of[p] for p in studies if p in cite_of), _t(".")))
    if not items:
        items.append((_t("No harm had counts in both arms of any trial."),))
    status: list[tuple[Segment, ...]] = []
    for st in f.harm_status:
        status.append(
            (
                _t(
                    f"{st['category']}: counts reported in {_plural(st['reported'], 'trial')}, "
                    f"zero events reported in {st['zero_reported']}, named without numbers in "
                    f"{st['mentioned']}, not reported in {st['not_reported']}."
                ),
            )
        )
    out = [head, Block("ul", tuple(items))]
    if status:
        out.append(
            Block(
                "p",
                ((_t("How the trials report each harm (not reported is not zero):"),),),
            )
        )
        out.append(Block("ul", tuple(status)))
    return out


def _route_items(f: Facts) -> list[tuple[Segment, ...]]:
    by_cell: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in f.route_rows:
        by_cell[(r["outcome"], r["timepoint"])].append(r)
    out: list[tuple[Segment, ...]] = []
    for (outcome, window), rows in by_cell.items():
        if len(rows) < 2:
            continue
        parts = []
        for row in rows:
            ratio = row["measure"] in RATIO_MEASURES
            est, lb, ub = (_pick(row, x, ratio) for x in ("estimate", "ci_lb", "ci_ub"))
            ci = f", 95% CI {fmt(lb)} to {fmt(ub)}" if lb is not None and ub is not None else ""
            parts.append(f"{row['subgroup_value']} {row['measure']} {fmt(est)}{ci}, k={row['k']}")
        out.append((_t(f"By route, {outcome} at {window}: " + "; ".join(parts) + "."),))
    return out


def _dose_response_items(f: Facts) -> list[tuple[Segment, ...]]:
    out: list[tuple[Segment, ...]] = []
    for d in f.dose_response:
        where = f"{d['outcome']} at {d['timepoint_window']}"
        reg = d.get("regression") or {}
        if d.get("status") == "fitted" and reg:
            out.append(
                (
                    _t(
                        f"Dose-response ({d['basis']}), {where}: slope {fmt(reg['slope'])} per "
                        f"{d['basis']} (95% CI {fmt(reg['slope_ci_lb'])} to "
                        f"{fmt(reg['slope_ci_ub'])}), p = {fmt(reg['slope_pval'], 3)}, "
                        f"k={d['k']}."
                    ),
                )
            )
        else:
            out.append((_t(f"Dose-response, {where}: {d['message']}."),))
    return out


def _windows_of(f: Facts) -> list[str]:
    seen: list[str] = []
    for ws in f.outcome_windows.values():
        for w in ws:
            if w not in seen:
                seen.append(w)
    return seen


def _g(x: float) -> str:
    """A stored dose as written (no trailing zeros)."""
    return f"{x:g}"


def _show_change(x: Any, ratio: bool) -> str:
    if not isinstance(x, int | float):
        return "none"
    return fmt(math.exp(x) if ratio else x)


def _change_blocks(f: Facts, cite_of: Mapping[str, int]) -> list[Block]:
    if f.changes is None:
        return [Block("p", ((_t(f"Version {f.version} is the first version."),),))]
    d = f.changes
    items: list[tuple[Segment, ...]] = []
    if d["studies_added"]:
        items.append(
            (
                _t(f"{_plural(len(d['studies_added']), 'trial')} added "),
                _cite(cite_of[p] for p in d["studies_added"] if p in cite_of),
                _t("."),
            )
        )
    if d["studies_removed"]:
        items.append(
            (
                _t(
                    f"{_plural(len(d['studies_removed']), 'trial')} removed: "
                    + ", ".join(d["studies_removed"])
                    + "."
                ),
            )
        )
    for p in d["pooled"]:
        if p["subgroup_key"] != "all":
            continue
        measure = next(
            (
                c.measure
                for c in f.cells
                if (c.outcome, c.timepoint) == (p["outcome"], p["timepoint_window"])
            ),
            None,
        )
        ratio = measure in RATIO_MEASURES if measure else False
        (e0, e1), (k0, k1) = p["estimate"], p["k"]

        where = f"{p['outcome']} at {p['timepoint_window']}"
        if e0 is None and e1 is not None:
            items.append(
                (
                    _t(
                        f"{where}: newly pooled, {_show_change(e1, ratio)} "
                        f"from {_plural(k1, 'trial')}."
                    ),
                )
            )
        elif e1 is None:
            items.append((_t(f"{where}: no longer pooled."),))
        else:
            kk = f", trials {k0} to {k1}" if k0 != k1 else ""
            items.append(
                (
                    _t(
                        f"{where}: estimate {_show_change(e0, ratio)} "
                        f"to {_show_change(e1, ratio)}{kk}."
                    ),
                )
            )
    if not items:
        items.append((_t("No change in trials or pooled results."),))
    return [
        Block("p", ((_t(f"Compared with version {f.previous_version}:"),),)),
        Block("ul", tuple(items)),
    ]


def _reference(c: Mapping[str, Any]) -> tuple[Segment, ...]:
    year = f" ({c['year']})" if c.get("year") else ""
    if c["synthetic"]:
        return (_t(f"{c['pmid']}{year}. {c['title']} [{_SYNTHETIC_NOTE}]"),)
    return (("pmid", c["pmid"]), _t(f"{year}. {c['title']}"))


# -- renderers ---------------------------------------------------------------------------


def _cite_text(numbers: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def render_markdown(f: Facts) -> str:
    """The evidence summary as Markdown."""

    def line(segs: Sequence[Segment]) -> str:
        out = []
        for kind, val in segs:
            if kind == "cite":
                out.append(_cite_text(val))
            elif kind == "pmid":
                out.append(f"[PMID {val}]({pubmed_url(val)})")
            else:
                out.append(val)
        return re.sub(r" +([.,;])", r"\1", "".join(out)).strip()

    parts: list[str] = []
    for b in summary_blocks(f):
        if b.kind == "h1":
            parts.append("# " + line(b.items[0]))
        elif b.kind == "h2":
            parts.append("## " + line(b.items[0]))
        elif b.kind == "p":
            parts.append(line(b.items[0]))
        elif b.kind == "ul":
            parts.append("\n".join("- " + line(i) for i in b.items))
        else:
            parts.append("\n".join(f"[{n}] " + line(i) for n, i in enumerate(b.items, 1)))
    return "\n\n".join(parts) + "\n"


_HTML_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem;border-bottom:1px solid #ddd}
ol.refs li{margin:.2rem 0}.cite{text-decoration:none}
"""


def render_html(f: Facts, *, standalone: bool = True) -> str:
    """The evidence summary as HTML (a whole page, or a fragment for the dashboard)."""

    def line(segs: Sequence[Segment]) -> str:
        out = []
        for kind, val in segs:
            if kind == "cite":
                out.append("".join(f'<a class="cite" href="#ref-{n}">[{n}]</a>' for n in val))
            elif kind == "pmid":
                out.append(
                    f'<a href="{html.escape(pubmed_url(val) or "")}">PMID {html.escape(val)}</a>'
                )
            else:
                out.append(html.escape(val))
        return re.sub(r" +([.,;])", r"\1", "".join(out)).strip()

    parts: list[str] = []
    for b in summary_blocks(f):
        if b.kind in ("h1", "h2"):
            parts.append(f"<{b.kind}>{line(b.items[0])}</{b.kind}>")
        elif b.kind == "p":
            parts.append(f"<p>{line(b.items[0])}</p>")
        elif b.kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{line(i)}</li>" for i in b.items) + "</ul>")
        else:
            parts.append(
                '<ol class="refs">'
                + "".join(f'<li id="ref-{n}">{line(i)}</li>' for n, i in enumerate(b.items, 1))
                + "</ol>"
            )
    body = "\n".join(parts)
    if not standalone:
        return body
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(f.title)}: evidence summary</title>"
        f"<style>{_HTML_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def evidence_summary(
    store: Store, name: str, *, output_format: str = "md", version: int | None = None
) -> str:
    """``miner report NAME``: the evidence summary as Markdown (``md``) or HTML (``html``).

    Raises
    ------
    ConfigError
        Unknown search, version or format (naming the allowed values).
    """
    if output_format not in ("md", "html"):
        raise ConfigError(f"unknown report format {output_format!r}: expected one of md, html")
    facts = summary_facts(store, name, version)
    return render_markdown(facts) if output_format == "md" else render_html(facts)
