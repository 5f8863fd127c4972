"""Server-side plots of a pooled result as SVG text (matplotlib, no pyplot state).

- :func:`forest_svg`: each study's estimate and CI (square sized by weight),
  its weight in percent, the pooled diamond and the prediction interval;
- :func:`cumulative_svg`: the pooled estimate and CI as trials arrived, by
  publication year;
- :func:`subgroup_svg`: one diamond per subgroup value (route, dose band) and
  the overall pool.

Ratio measures are drawn on a log axis with exponentiated labels. Text is
kept as SVG ``<text>`` (``svg.fonttype = none``) so that a browser or a test
can read the numbers, and each study row carries an element id
(``study-<pmid>``) so the page can link rows to the table.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from miner.report import RATIO_MEASURES, exp_or_none
from miner.report import num as _num

# rc_context edits matplotlib's global rcParams: serialise the renders.
_LOCK = threading.Lock()
_RC: Any = {"svg.fonttype": "none", "svg.hashsalt": "miner", "font.size": 9}


def _scale(measure: str) -> tuple[bool, float]:
    ratio = measure in RATIO_MEASURES
    return ratio, (1.0 if ratio else 0.0)


def _tx(ratio: bool, x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return exp_or_none(x) if ratio else x


def _render(fig: Figure) -> str:
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf)
    text = buf.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can be inlined in HTML.
    return text[text.index("<svg") :]


def _empty(message: str) -> str:
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(6, 1))
        fig.text(0.5, 0.5, message, ha="center", va="center")
        return _render(fig)


def _diamond(
    ax: Any, y: float, lo: float, mid: float, hi: float, color: str, gid: str, h: float = 0.35
) -> None:
    poly = Polygon([(lo, y), (mid, y + h), (hi, y), (mid, y - h)], closed=True, color=color)
    poly.set_gid(gid)
    ax.add_patch(poly)


def _label(ax: Any, x: float, y: float, text: str, ha: str, **kw: Any) -> None:
    """Text at axes-fraction ``x`` and data ``y``, vertically centred on its row."""
    ax.text(x, y, text, transform=ax.get_yaxis_transform(), ha=ha, va="center", **kw)


def _ci(ratio: bool, row: Mapping[str, Any], keys: Sequence[str]) -> tuple[float, float, float]:
    """A pooled row's estimate and CI on the display scale; a missing bound is the estimate."""
    est, lo, hi = (_tx(ratio, row.get(k)) for k in keys)
    assert est is not None
    return est, (est if lo is None else lo), (est if hi is None else hi)


def _finish(
    fig: Figure,
    ax: Any,
    xs: Sequence[float],
    ratio: bool,
    null: float,
    ylim: tuple[float, float],
    xlabel: str,
    title: str,
) -> str:
    """The null line, axis limits, bare y axis, x label and title shared by every plot."""
    ax.axvline(null, color="#888", lw=0.8, ls="--")
    _xlim(ax, [*xs, null], ratio)
    ax.set_ylim(*ylim)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(xlabel)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=10, weight="bold")
    return _render(fig)


def forest_svg(
    studies: Sequence[Mapping[str, Any]],
    pooled: Mapping[str, Any],
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> str:
    """Forest plot SVG.

    Parameters
    ----------
    studies:
        Rows with ``pmid``, ``yi``, ``ci_lb``, ``ci_ub`` (analysis scale) and
        ``weight`` (percent), in display order.
    pooled:
        The pooled row: ``measure``, ``estimate``, ``ci_lb``, ``ci_ub``,
        ``pi_lb``, ``pi_ub``, ``k``, ``I2``, ``tau2`` (analysis scale).
    labels:
        Optional display label per PMID (default the PMID).
    """
    if not studies or pooled.get("estimate") is None:
        return _empty("No pooled result to plot")
    measure = str(pooled.get("measure") or "")
    ratio, null = _scale(measure)
    n = len(studies)
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(8.5, 1.6 + 0.32 * (n + 3)))
        ax = fig.add_axes((0.24, 0.9 / (n + 5) + 0.06, 0.46, 0.9 - 1.4 / (n + 5)))
        xs: list[float] = []
        for i, s in enumerate(studies):
            y = n + 2 - i
            est, lo, hi = (_tx(ratio, s.get(k)) for k in ("yi", "ci_lb", "ci_ub"))
            if est is None or lo is None or hi is None:
                continue
            xs += [lo, hi]
            line = ax.plot([lo, hi], [y, y], color="#333", lw=1)[0]
            line.set_gid(f"ci-{s['pmid']}")
            w = float(s.get("weight") or 0.0)
            size = 4 + 10 * math.sqrt(max(w, 0.0) / 100)
            mark = ax.plot([est], [y], marker="s", ms=size, color="#1f5fa8", ls="none")[0]
            mark.set_gid(f"study-{s['pmid']}")
            label = (labels or {}).get(s["pmid"], s["pmid"])
            _label(ax, -0.02, y, label, "right")
            _label(
                ax, 1.02, y, f"{_num(est)} [{_num(lo)}, {_num(hi)}]", "left", gid=f"est-{s['pmid']}"
            )
            _label(ax, 1.38, y, f"{_num(w, 1)}%", "left", gid=f"weight-{s['pmid']}")
        est, lo, hi = _ci(ratio, pooled, ("estimate", "ci_lb", "ci_ub"))
        xs += [lo, hi]
        _diamond(ax, 1, lo, est, hi, "#b22222", "pooled-diamond")
        pi_lo, pi_hi = _tx(ratio, pooled.get("pi_lb")), _tx(ratio, pooled.get("pi_ub"))
        if pi_lo is not None and pi_hi is not None:
            xs += [pi_lo, pi_hi]
            pi = ax.plot([pi_lo, pi_hi], [0.3, 0.3], color="#b22222", lw=2.5, alpha=0.45)[0]
            pi.set_gid("prediction-interval")
            _label(ax, -0.02, 0.3, "95% prediction interval", "right")
            _label(ax, 1.02, 0.3, f"[{_num(pi_lo)}, {_num(pi_hi)}]", "left", gid="pi-text")
        k = pooled.get("k")
        _label(
            ax,
            -0.02,
            1,
            f"Pooled ({pooled.get('method') or 'RE'}, k = {k})",
            "right",
            weight="bold",
        )
        _label(
            ax,
            1.02,
            1,
            f"{_num(est)} [{_num(lo)}, {_num(hi)}]",
            "left",
            weight="bold",
            gid="pooled-text",
        )
        _label(ax, 1.02, n + 3, f"{measure} [95% CI]", "left", weight="bold")
        _label(ax, 1.38, n + 3, "Weight", "left", weight="bold")
        het = []
        if pooled.get("I2") is not None:
            het.append(f"I2 = {_num(pooled['I2'], 0)}%")
        if pooled.get("tau2") is not None:
            het.append(f"tau2 = {_num(pooled['tau2'], 3)}")
        xlabel = f"{measure}" + (f"   ({', '.join(het)})" if het else "")
        return _finish(fig, ax, xs, ratio, null, (-0.3, n + 3.6), xlabel, title)


def _xlim(ax: Any, xs: Sequence[float], ratio: bool) -> None:
    finite = [x for x in xs if x is not None and math.isfinite(x) and (x > 0 or not ratio)]
    if ratio:
        ax.set_xscale("log")
        lo, hi = min(finite), max(finite)
        pad = (hi / lo) ** 0.05 if hi > lo else 1.2
        ax.set_xlim(lo / pad, hi * pad)
    else:
        lo, hi = min(finite), max(finite)
        pad = 0.05 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(lo - pad, hi + pad)


def cumulative_svg(steps: Sequence[Mapping[str, Any]], measure: str, *, title: str = "") -> str:
    """Cumulative meta-analysis SVG: one row per added trial (``added``, ``year``, ``k``,
    ``estimate``, ``ci_lb``, ``ci_ub`` on the analysis scale), oldest at the top."""
    if not steps:
        return _empty("No trials to accumulate")
    ratio, null = _scale(measure)
    n = len(steps)
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(8.5, 1.4 + 0.3 * (n + 1)))
        ax = fig.add_axes((0.24, 0.9 / (n + 3) + 0.05, 0.5, 0.9 - 1.2 / (n + 3)))
        xs: list[float] = []
        for i, s in enumerate(steps):
            y = n - i
            est, lo, hi = (_tx(ratio, s.get(k)) for k in ("estimate", "ci_lb", "ci_ub"))
            if est is None:
                continue
            lo = est if lo is None else lo
            hi = est if hi is None else hi
            xs += [lo, hi]
            ax.plot([lo, hi], [y, y], color="#333", lw=1)
            mark = ax.plot([est], [y], marker="o", ms=5, color="#1f5fa8", ls="none")[0]
            mark.set_gid(f"cum-{s['added']}")
            year = s.get("year")
            _label(ax, -0.02, y, f"+ {s['added']}" + (f" ({year})" if year else ""), "right")
            _label(ax, 1.02, y, f"k = {s.get('k')}: {_num(est)} [{_num(lo)}, {_num(hi)}]", "left")
        xlabel = f"Cumulative pooled {measure} by publication year"
        return _finish(fig, ax, xs, ratio, null, (0.3, n + 0.7), xlabel, title)


def subgroup_svg(rows: Sequence[Mapping[str, Any]], *, title: str = "") -> str:
    """Subgroup SVG: one diamond per pooled row (``subgroup_key``, ``subgroup_value``,
    ``measure``, ``k``, ``estimate``, ``ci_lb``, ``ci_ub``), the overall (``all``) first."""
    rows = [r for r in rows if r.get("estimate") is not None]
    if not rows:
        return _empty("No subgroup results")
    rows = sorted(
        rows,
        key=lambda r: (r["subgroup_key"] != "all", r["subgroup_key"], str(r["subgroup_value"])),
    )
    measure = str(rows[0].get("measure") or "")
    ratio, null = _scale(measure)
    n = len(rows)
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(8.5, 1.4 + 0.34 * (n + 1)))
        ax = fig.add_axes((0.3, 0.9 / (n + 3) + 0.05, 0.44, 0.9 - 1.2 / (n + 3)))
        xs: list[float] = []
        for i, r in enumerate(rows):
            y = n - i
            est, lo, hi = _ci(ratio, r, ("estimate", "ci_lb", "ci_ub"))
            xs += [lo, hi]
            overall = r["subgroup_key"] == "all"
            gid = (
                "subgroup-all" if overall else f"subgroup-{r['subgroup_key']}-{r['subgroup_value']}"
            )
            _diamond(ax, y, lo, est, hi, "#b22222" if overall else "#1f5fa8", gid, h=0.22)
            label = "Overall" if overall else f"{r['subgroup_key']}: {r['subgroup_value']}"
            _label(
                ax,
                -0.02,
                y,
                f"{label} (k = {r.get('k')})",
                "right",
                weight="bold" if overall else "normal",
            )
            _label(ax, 1.02, y, f"{_num(est)} [{_num(lo)}, {_num(hi)}]", "left")
        xlabel = f"{measure} by subgroup (each pooled separately)"
        return _finish(fig, ax, xs, ratio, null, (0.3, n + 0.7), xlabel, title)
