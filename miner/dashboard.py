"""The dashboard page of one saved search, rendered on the server.

One HTML page (template ``miner/templates/dashboard.html``, no external
assets): the forest plot of the chosen pooled result (studies, weights,
diamond, prediction interval), the cumulative plot by publication year, the
subgroup plot (route, dose band), the pooled numbers, a table of the studies
where every number links to its evidence panel (the abstract with the source
span in ``<mark>``), and the evidence summary. Evidence panels are shown with
CSS ``:target``, so the links work without JavaScript; a few lines of vanilla
JS also highlight the table row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from miner import plots, report
from miner.errors import ConfigError
from miner.store import Store


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("miner", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _show(measure: str, x: Any) -> Any:
    """Analysis scale -> display scale (exp for ratio measures)."""
    if measure in report.RATIO_MEASURES and isinstance(x, int | float) and math.isfinite(x):
        return report.exp_or_none(x)
    return x


def _marked(text: str, start: int, end: int) -> dict[str, str]:
    return {"before": text[:start], "mark": text[start:end], "after": text[end:]}


def choose_cell(
    rows: list[dict[str, Any]], outcome: str | None, timepoint: str | None
) -> dict[str, Any] | None:
    """The overall pooled row to show: the one asked for, else the one with most trials."""
    overall = [r for r in rows if r["subgroup_key"] == "all"]
    if outcome is not None or timepoint is not None:
        hits = [
            r
            for r in overall
            if (outcome is None or r["outcome"] == outcome)
            and (timepoint is None or r["timepoint"] == timepoint)
        ]
        if not hits:
            cells = "; ".join(f"{r['outcome']} @ {r['timepoint']}" for r in overall) or "(none)"
            raise ConfigError(
                f"no pooled result for outcome={outcome!r} timepoint={timepoint!r}; "
                f"pooled cells: {cells}"
            )
        return max(hits, key=lambda r: r["k"] or 0)
    usable = [r for r in overall if r.get("estimate") is not None]
    return max(usable, key=lambda r: r["k"] or 0) if usable else None


def dashboard_context(
    store: Store,
    name: str,
    *,
    version: int | None = None,
    outcome: str | None = None,
    timepoint: str | None = None,
    base_path: str = "",
) -> dict[str, Any]:
    """Everything the template shows, with plots as SVG text."""
    v = report.require_version(store, name, version)
    facts = report.version_extractions(store, v)
    rows = report.pooled_table(store, v, facts=facts)
    cell = choose_cell(rows, outcome, timepoint)
    studies = report.study_records(store, v, facts=facts)
    texts = report.article_texts(store, [s["pmid"] for s in studies])
    by_pmid = {s["pmid"]: s for s in studies}
    versions = store.list_dataset_versions(name)
    ctx: dict[str, Any] = {
        "name": name,
        "title": (v["content"].get("search") or {}).get("title") or name,
        "version": v,
        "versions": versions,
        "cells": [],
        "cell": cell,
        "forest": "",
        "cumulative": "",
        "subgroups": "",
        "pooled_rows": [],
        "table": [],
        "panels": [],
        "summary": "",
        "harms": [],
        "harm_status": [],
        "harms_extracted": False,
        "durability": [],
        "num": report.num,
        "base": base_path,
        "api": {
            "pooled": f"{base_path}/searches/{name}/pooled?version={v['version']}",
            "studies": f"{base_path}/searches/{name}/studies?version={v['version']}",
            "report": f"{base_path}/searches/{name}/report?format=html&version={v['version']}",
        },
    }
    for r in rows:
        if r["subgroup_key"] == "all":
            q = urlencode(
                {"version": v["version"], "outcome": r["outcome"], "timepoint": r["timepoint"]}
            )
            ctx["cells"].append(
                {
                    "label": f"{r['outcome']} @ {r['timepoint']} (k = {r['k']})",
                    "href": f"{base_path}/searches/{name}/dashboard?{q}",
                    "active": cell is not None
                    and (r["outcome"], r["timepoint"]) == (cell["outcome"], cell["timepoint"]),
                }
            )
    panels: dict[str, dict[str, Any]] = {}

    def panel(pmid: str, ev: Mapping[str, Any] | None) -> str | None:
        """The id of the evidence panel for this span (made on first use)."""
        if not ev or ev.get("sentence_start") is None:
            return None
        pid = f"ev-{pmid}-{ev['start']}-{ev['end']}"
        if pid not in panels:
            text = texts[pmid][1]
            s = by_pmid[pmid]
            panels[pid] = {
                "id": pid,
                "pmid": pmid,
                "title": s["title"],
                "url": s["url"],
                "synthetic": s["synthetic"],
                "start": ev["start"],
                "end": ev["end"],
                "evidence_text": ev["text"],
                "sentence": ev["sentence"],
                **_marked(text, ev["start"], ev["end"]),
            }
        return pid

    if cell is not None:
        measure = cell["measure"]
        cell_rows = [
            (s, e)
            for s in studies
            for e in s["effects"]
            if (e["outcome"], e["timepoint"]) == (cell["outcome"], cell["timepoint"])
        ]
        cell_rows.sort(key=lambda se: (se[0]["year"] or 10_000, se[0]["pmid"]))
        weights = report.study_weights([e for _, e in cell_rows], cell.get("tau2"))
        plot_rows = []
        labels = {}
        for (s, e), w in zip(cell_rows, weights, strict=True):
            plot_rows.append({"pmid": s["pmid"], **e, "weight": w})
            labels[s["pmid"]] = f"{s['pmid']} ({s['year']})" if s["year"] else s["pmid"]
            ev = e["evidence"][0] if e["evidence"] else None
            dose = next((x for x in s["values"] if x["kind"] == "dose"), None)
            size = next((x for x in s["values"] if x["kind"] == "sample_size"), None)
            ctx["table"].append(
                {
                    "pmid": s["pmid"],
                    "url": s["url"],
                    "synthetic": s["synthetic"],
                    "year": s["year"],
                    "title": s["title"],
                    "participants": s["participants"],
                    "participants_panel": panel(s["pmid"], size["evidence"] if size else None),
                    "dose": dose["fields"] if dose else None,
                    "dose_panel": panel(s["pmid"], dose["evidence"] if dose else None),
                    "route": e["subgroups"].get("route"),
                    "dose_band": e["subgroups"].get("dose_band"),
                    "estimate": _show(measure, e["yi"]),
                    "ci_lb": _show(measure, e["ci_lb"]),
                    "ci_ub": _show(measure, e["ci_ub"]),
                    "weight": w,
                    "source": e["source"],
                    "panel": panel(s["pmid"], ev),
                    "evidence_panels": [
                        p for p in (panel(s["pmid"], x) for x in e["evidence"]) if p
                    ],
                }
            )
        title = f"{cell['outcome']} at {cell['timepoint']} ({measure})"
        ctx["forest"] = plots.forest_svg(plot_rows, cell, title=title, labels=labels)
        steps = report.cumulative_table(v, cell["outcome"], cell["timepoint"])
        ctx["cumulative"] = plots.cumulative_svg(steps, measure, title=title)
        sub = [
            r
            for r in rows
            if (r["outcome"], r["timepoint"]) == (cell["outcome"], cell["timepoint"])
        ]
        ctx["subgroups"] = plots.subgroup_svg(sub, title=title)
        ctx["pooled_rows"] = [
            {
                **r,
                "show": {
                    f: _show(measure, r.get(f))
                    for f in ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub")
                },
            }
            for r in sorted(
                sub,
                key=lambda r: (r["subgroup_key"] != "all", r["subgroup_key"], r["subgroup_value"]),
            )
        ]
    harms = v["content"].get("harms") or {}
    ctx["harms_extracted"] = bool(harms.get("n_extracted"))
    ctx["harms"] = [
        {
            **h,
            "label": (h.get("term") or h["category"])
            + ("" if h["kind"] == "adverse_event" else f" ({h['kind'].replace('_', ' ')})"),
        }
        for h in harms.get("pooled") or ()
        if h.get("tier") == "randomized" and h.get("k")
    ]
    ctx["harm_status"] = list(harms.get("status") or ())
    ctx["durability"] = list(v["content"].get("durability") or ())
    ctx["panels"] = list(panels.values())
    facts_summary = report.summary_facts(store, name, v["version"])
    ctx["summary"] = report.render_html(facts_summary, standalone=False)
    return ctx


def render_dashboard(
    store: Store,
    name: str,
    *,
    version: int | None = None,
    outcome: str | None = None,
    timepoint: str | None = None,
    base_path: str = "",
) -> str:
    """The dashboard page of search ``name`` as HTML.

    Raises
    ------
    ConfigError
        Unknown search, version, or an outcome/time point with no pooled result.
    """
    from markupsafe import Markup

    ctx = dashboard_context(
        store, name, version=version, outcome=outcome, timepoint=timepoint, base_path=base_path
    )
    for key in ("forest", "cumulative", "subgroups", "summary"):
        # Our own matplotlib SVG and our own escaped HTML: safe to inline.
        ctx[key] = Markup(ctx[key])
    return str(_env().get_template("dashboard.html").render(**ctx))
