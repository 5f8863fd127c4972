"""Durability: time points in days, windows per saved search, and whether an effect lasts.

Time-point phrases become days with
:func:`miner.extract.quantities.parse_timepoint` ("end of infusion" = 0,
"24 h" = 1, "1 week" = 7, "3 months" = 91.3); the phrase is always kept.
A phrase relative to the treatment ("end of treatment", "end of study") is
given days only when the treatment length is known, and that is flagged.

Windows are configured per saved search (a name and ``[min_days,
max_days]``, inclusive). A time point that falls in no window, or in more
than one, is left out with the reason: a value is never moved to a nearby
window.

:func:`assess_durability` reads one pooled result per window (from any
estimator of :mod:`miner.pool`, or the dict rows of the living dataset) and
says whether the effect persists, as structured data plus one sentence
generated only from the numbers given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from miner.effects import RATIO_MEASURES
from miner.errors import ConfigError
from miner.extract.quantities import parse_timepoint
from miner.records import PoolResult

#: Patterns of :func:`assess_durability`.
PATTERNS = (
    "persists",  # significant in every window with data (at least two)
    "wanes",  # significant early, the CI includes no effect from some window on
    "emerges",  # not significant early, significant from some window on
    "never_significant",
    "inconsistent",  # any other sequence, including significant in opposite directions
    "insufficient",  # fewer than two windows with a pooled result
)


@dataclass(frozen=True, slots=True)
class Window:
    """A time-point window: ``min_days <= days <= max_days``."""

    name: str
    min_days: float
    max_days: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.min_days) and math.isfinite(self.max_days)):
            raise ConfigError(f"window {self.name!r}: bounds must be finite numbers of days")
        if self.min_days < 0 or self.max_days < self.min_days:
            raise ConfigError(
                f"window {self.name!r}: need 0 <= min_days <= max_days, "
                f"got [{self.min_days}, {self.max_days}]"
            )

    def contains(self, days: float) -> bool:
        """Whether ``days`` lies in the window (bounds included)."""
        return self.min_days <= days <= self.max_days


def windows_from_search(search: Any) -> tuple[Window, ...]:
    """The windows of a :class:`miner.searches.SavedSearch` (its ``timepoints``).

    Windows that only take unspecified time points are left out (they have no days).
    """
    return tuple(
        Window(w.label, float(w.min_days), float(w.max_days))
        for w in getattr(search, "timepoints", ())
        if not getattr(w, "unspecified", False)
    )


def windows_from_config(rows: Iterable[Mapping[str, Any]]) -> tuple[Window, ...]:
    """Windows from plain rows ``{"name", "min_days", "max_days"}`` (``label`` also accepted)."""
    out = []
    for row in rows:
        name = row.get("name", row.get("label"))
        if name is None or "min_days" not in row or "max_days" not in row:
            raise ConfigError(f"window {dict(row)!r}: needs name, min_days and max_days")
        out.append(Window(str(name), float(row["min_days"]), float(row["max_days"])))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TimePoint:
    """A time point in days with the phrase it came from.

    ``days`` is ``None`` when the phrase names no single time; ``note`` says
    what was assumed (or why there are no days).
    """

    phrase: str
    days: float | None
    note: str | None = None


_RELATIVE_END = re.compile(
    r"^(?:at\s+|by\s+)?(?:the\s+)?(?:end[\s-]+of[\s-]+(?:the\s+)?(?:treatment|therapy|study|trial"
    r"|intervention|follow[\s-]?up)(?:\s+period)?|EOT|end[\s-]?point|study\s+end(?:\s?point)?"
    r"|treatment\s+end|end[\s-]+of[\s-]+trial)$",
    re.IGNORECASE,
)


def normalise_timepoint(phrase: str | None, *, treatment_days: float | None = None) -> TimePoint:
    """Days since the start for a time-point phrase, keeping the phrase.

    Parameters
    ----------
    phrase:
        As extracted ("24 h", "week 12", "end of infusion", "end of treatment").
    treatment_days:
        The treatment length the abstract states, used only for phrases that
        are relative to it ("end of treatment", "EOT", "end point"); the use is
        noted.

    Examples
    --------
    >>> normalise_timepoint("1 week").days
    7.0
    >>> normalise_timepoint("end of treatment", treatment_days=84).note
    'end of treatment taken as the stated treatment length (84 days)'
    """
    if phrase is None or not phrase.strip():
        return TimePoint(phrase or "", None, "no time point stated")
    days, _ = parse_timepoint(phrase)
    if days is not None:
        return TimePoint(phrase, days)
    if _RELATIVE_END.match(phrase.strip()):
        if treatment_days is not None:
            return TimePoint(
                phrase,
                float(treatment_days),
                f"end of treatment taken as the stated treatment length ({treatment_days:g} days)",
            )
        return TimePoint(phrase, None, "relative to the end of treatment; length not stated")
    return TimePoint(phrase, None, "not a single time since the start")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one time point went: a window name, or ``None`` and the reason."""

    timepoint: TimePoint
    window: str | None
    reason: str | None = None


def assign_window(tp: TimePoint, windows: Sequence[Window]) -> Placement:
    """Put a time point into exactly one window, or say why it cannot go anywhere."""
    if tp.days is None:
        return Placement(tp, None, tp.note or "no days")
    hits = [w for w in windows if w.contains(tp.days)]
    if len(hits) == 1:
        return Placement(tp, hits[0].name)
    if not hits:
        return Placement(tp, None, f"{tp.days:g} days is in no window")
    return Placement(
        tp, None, f"{tp.days:g} days is in several windows ({', '.join(w.name for w in hits)})"
    )


def group_by_window(
    items: Iterable[Any],
    windows: Sequence[Window],
    *,
    phrase_of: Any = None,
    treatment_days: float | None = None,
) -> tuple[dict[str, list[Any]], list[tuple[Any, Placement]]]:
    """Group items (effects, harm counts ...) by the window of their time point.

    Parameters
    ----------
    items:
        Anything; ``phrase_of(item)`` gives its time-point phrase (default:
        ``item["timepoint"]`` for mappings, else ``item.timepoint``).
    windows:
        The search's windows.

    Returns
    -------
    tuple
        ``({window name: [items]}, [(item, placement) left out])``; every
        window is a key, in the order given.
    """

    def default_phrase(item: Any) -> str | None:
        if isinstance(item, Mapping):
            return item.get("timepoint")
        return getattr(item, "timepoint", None)

    get = phrase_of or default_phrase
    grouped: dict[str, list[Any]] = {w.name: [] for w in windows}
    left_out: list[tuple[Any, Placement]] = []
    for item in items:
        placement = assign_window(
            normalise_timepoint(get(item), treatment_days=treatment_days), windows
        )
        if placement.window is None:
            left_out.append((item, placement))
        else:
            grouped[placement.window].append(item)
    return grouped, left_out


# ---------------------------------------------------------------------- assessment


@dataclass(frozen=True, slots=True)
class WindowState:
    """One window's pooled result as the durability finding reads it.

    ``estimate``/``ci_lb``/``ci_ub`` are on the reporting scale (ratios
    exponentiated); ``significant`` means the CI excludes the null value.
    """

    window: str
    min_days: float | None
    max_days: float | None
    k: int
    estimate: float
    ci_lb: float
    ci_ub: float
    significant: bool
    direction: int  # +1 above the null, -1 below, 0 CI includes the null
    level: float = 0.95


@dataclass(frozen=True, slots=True)
class DurabilityFinding:
    """Whether the effect persists across the windows, with the numbers it rests on.

    ``pattern`` is one of :data:`PATTERNS`; ``last_significant`` the last
    window (in time order) whose CI excludes no effect; ``null_from`` the
    first window from which every later CI includes no effect (pattern
    ``wanes``); ``sentence`` is generated from ``states`` only.
    """

    measure: str
    pattern: str
    states: tuple[WindowState, ...]
    last_significant: str | None
    null_from: str | None
    sentence: str
    skipped: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "measure": self.measure,
            "pattern": self.pattern,
            "last_significant": self.last_significant,
            "null_from": self.null_from,
            "sentence": self.sentence,
            "windows": [
                {
                    "window": s.window,
                    "min_days": s.min_days,
                    "max_days": s.max_days,
                    "k": s.k,
                    "estimate": s.estimate,
                    "ci_lb": s.ci_lb,
                    "ci_ub": s.ci_ub,
                    "significant": s.significant,
                    "direction": s.direction,
                    "level": s.level,
                }
                for s in self.states
            ],
            "skipped": [{"window": w, "reason": r} for w, r in self.skipped],
        }


def _reporting_values(
    pooled: PoolResult | Mapping[str, Any], ratio: bool
) -> tuple[int, float, float, float, float] | str:
    """(k, estimate, ci_lb, ci_ub, level) on the reporting scale, or why there are none."""
    est: Any
    lb: Any
    ub: Any
    if isinstance(pooled, PoolResult):
        k, est, lb, ub = pooled.k, pooled.estimate, pooled.ci_lb, pooled.ci_ub
        level = pooled.level
    else:
        if pooled.get("error"):
            return f"pooling failed: {pooled['error']}"
        k = pooled.get("k") or 0
        est, lb, ub = pooled.get("estimate"), pooled.get("ci_lb"), pooled.get("ci_ub")
        level = float(pooled.get("level") or 0.95)
    if est is None or lb is None or ub is None:
        return "no pooled estimate"
    values = (float(est), float(lb), float(ub))
    if not all(math.isfinite(v) for v in values):
        return "non-finite pooled estimate"
    if ratio:
        # miner.pool keeps ratio measures on the log scale
        values = tuple(math.exp(v) for v in values)  # type: ignore[assignment]
    return int(k), values[0], values[1], values[2], level


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _describe(s: WindowState, measure: str) -> str:
    return f"{measure} {_fmt(s.estimate)}, 95% CI {_fmt(s.ci_lb)} to {_fmt(s.ci_ub)}; k={s.k}"


def assess_durability(
    pooled_by_window: Mapping[str, PoolResult | Mapping[str, Any]],
    *,
    measure: str,
    windows: Sequence[Window] | None = None,
) -> DurabilityFinding:
    """Derive whether a pooled effect persists across time windows.

    Parameters
    ----------
    pooled_by_window:
        Window name -> pooled result (a :class:`~miner.records.PoolResult`,
        or a living-dataset row with ``k``, ``estimate``, ``ci_lb``,
        ``ci_ub``); ratio measures on the log scale, as :mod:`miner.pool`
        returns them.
    measure:
        The pooled measure (MD, SMD, RD, RR, OR, HR ...): ratios have null 1
        (0 on the log scale), differences null 0.
    windows:
        The search's windows, for time order; without them the mapping's
        order is taken as time order.

    Returns
    -------
    DurabilityFinding
        E.g. pattern ``wanes`` with sentence "Significant at 1 week (MD -1.20,
        95% CI -1.80 to -0.60; k=4); the CI includes no effect from 4 weeks on
        (MD -0.30, 95% CI -0.90 to 0.30; k=3)."
    """
    ratio = measure in RATIO_MEASURES
    null = 1.0 if ratio else 0.0
    bounds = {w.name: w for w in windows or ()}
    if windows is not None:
        unknown = [name for name in pooled_by_window if name not in bounds]
        if unknown:
            raise ConfigError(
                f"pooled windows {unknown} are not among the search's windows: " + ", ".join(bounds)
            )
        order = [w.name for w in sorted(windows, key=lambda w: (w.min_days, w.max_days))]
    else:
        order = list(pooled_by_window)
    states: list[WindowState] = []
    skipped: list[tuple[str, str]] = []
    for name in order:
        if name not in pooled_by_window:
            continue
        values = _reporting_values(pooled_by_window[name], ratio)
        if isinstance(values, str):
            skipped.append((name, values))
            continue
        k, est, lb, ub, level = values
        direction = 1 if lb > null else -1 if ub < null else 0
        w = bounds.get(name)
        states.append(
            WindowState(
                name,
                w.min_days if w else None,
                w.max_days if w else None,
                k,
                est,
                lb,
                ub,
                direction != 0,
                direction,
                level,
            )
        )
    pattern, last_sig, null_from = _pattern(states)
    sentence = _sentence(pattern, states, last_sig, null_from, measure)
    return DurabilityFinding(
        measure, pattern, tuple(states), last_sig, null_from, sentence, tuple(skipped)
    )


def _pattern(states: Sequence[WindowState]) -> tuple[str, str | None, str | None]:
    sig = [s for s in states if s.significant]
    last_sig = sig[-1].window if sig else None
    if len(states) < 2:
        return "insufficient", last_sig, None
    directions = {s.direction for s in sig}
    if len(directions) > 1:
        return "inconsistent", last_sig, None
    flags = [s.significant for s in states]
    if all(flags):
        return "persists", last_sig, None
    if not any(flags):
        return "never_significant", None, None
    first_null = flags.index(False)
    if all(flags[:first_null]) and not any(flags[first_null:]):
        return "wanes", last_sig, states[first_null].window
    first_sig = flags.index(True)
    if not any(flags[:first_sig]) and all(flags[first_sig:]):
        return "emerges", last_sig, None
    return "inconsistent", last_sig, None


def _sentence(
    pattern: str,
    states: Sequence[WindowState],
    last_sig: str | None,
    null_from: str | None,
    measure: str,
) -> str:
    by = {s.window: s for s in states}
    if not states:
        return "No pooled result in any time window."
    if pattern == "insufficient":
        s = states[0]
        word = "significant" if s.significant else "the CI includes no effect"
        return (
            f"Only one time window has a pooled result: at {s.window}, {word} "
            f"({_describe(s, measure)}); durability cannot be judged."
        )
    listed = "; ".join(f"{s.window}: {_describe(s, measure)}" for s in states)
    if pattern == "persists":
        w0, w1 = states[0].window, states[-1].window
        return f"Significant in every window from {w0} to {w1} ({listed})."
    if pattern == "never_significant":
        return f"The CI includes no effect in every window ({listed})."
    if pattern == "wanes":
        assert null_from is not None and last_sig is not None
        last = by[last_sig]
        first_null = by[null_from]
        early = (
            f"at {last.window}"
            if states[0].window == last.window
            else f"from {states[0].window} to {last.window}"
        )
        return (
            f"Significant {early} ({_describe(last, measure)}); the CI includes no effect "
            f"from {first_null.window} on ({_describe(first_null, measure)})."
        )
    if pattern == "emerges":
        first = next(s for s in states if s.significant)
        return (
            f"The CI includes no effect before {first.window}; significant from "
            f"{first.window} on ({_describe(first, measure)})."
        )
    return f"No consistent pattern across windows ({listed})."
