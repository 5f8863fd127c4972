"""Effect sizes and the conversions abstracts force on us, as pure functions.

Every function returns a :class:`miner.records.Effect` (or a small record)
whose ``assumptions`` say what was assumed on the way, cites its formula
source, and raises :class:`miner.errors.EffectSizeError` naming the study and
the offending fields when the inputs cannot make an effect size. Ratio
measures (RR, OR, HR, IRR) live on the natural-log scale, as in metafor.

Conventions follow metafor's ``escalc`` (Viechtbauer 2010) unless stated:

* ``MD``: raw mean difference, group 1 minus group 2.
* ``SMD``: Hedges' g, with the exact gamma-function small-sample correction
  (or the approximation ``1 - 3/(4m - 1)``) and the large-sample variance
  (metafor ``vtype="LS"``) or RevMan's ``N - 3.94`` variant.
* ``RR``, ``OR``, ``RD`` from 2x2 tables ``(ai, bi, ci, di)`` = (events,
  non-events) in group 1 then group 2, with metafor's continuity correction
  (``add=0.5``, ``to="only0"``) and ``drop00`` rule.

Example
-------
>>> from miner.effects import md, smd, Table2x2, binary_effects
>>> md("s1", 10.0, 2.0, 30, 8.0, 2.5, 31).yi
2.0
>>> g = smd("s1", 10.0, 2.0, 30, 8.0, 2.5, 31)
>>> round(g.yi, 4), round(g.vi, 4)
(0.8705, 0.0718)
>>> tables = [Table2x2("a", 4, 119, 11, 128), Table2x2("b", 0, 10, 0, 12)]
>>> res = binary_effects(tables, "RR")
>>> [e.study_id for e in res.effects], [d.study_id for d in res.dropped]
(['a'], ['b'])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import stats

from miner.errors import EffectSizeError
from miner.records import Effect

#: Measures analysed on the log scale (their CIs and p-values are converted there).
RATIO_MEASURES: frozenset[str] = frozenset({"RR", "OR", "HR", "IRR"})
#: Measures computed from 2x2 tables.
BINARY_MEASURES: tuple[str, ...] = ("RR", "OR", "RD")
#: Continuity-correction rules, as metafor's ``to`` argument.
CONTINUITY_RULES: tuple[str, ...] = ("only0", "all", "if0all", "none")

SmdCorrection = Literal["exact", "approx"]
SmdVtype = Literal["LS", "RevMan"]
MdSd = Literal["separate", "pooled"]


# --------------------------------------------------------------------------- validation


def _finite(study: str, **fields: float | None) -> None:
    bad = [name for name, value in fields.items() if value is None or not math.isfinite(value)]
    if bad:
        raise EffectSizeError(
            f"non-finite or missing value in {', '.join(bad)} (need finite numbers)",
            study=study,
            missing=bad,
        )


def _positive(study: str, **fields: float) -> None:
    bad = [name for name, value in fields.items() if not value > 0]
    if bad:
        shown = ", ".join(f"{n}={fields[n]!r}" for n in bad)
        raise EffectSizeError(f"must be > 0: {shown}", study=study, missing=bad)


def _group_sizes(study: str, **fields: float) -> None:
    bad = [name for name, value in fields.items() if not value >= 2]
    if bad:
        shown = ", ".join(f"{n}={fields[n]!r}" for n in bad)
        raise EffectSizeError(
            f"group size must be >= 2 for a mean and SD: {shown}", study=study, missing=bad
        )


def _check_groups(
    study: str, m1i: float, sd1i: float, n1i: float, m2i: float, sd2i: float, n2i: float
) -> None:
    """Two groups' means, SDs and sizes: finite, SDs > 0, sizes >= 2 (MD and SMD alike)."""
    _finite(study, m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i)
    _positive(study, sd1i=sd1i, sd2i=sd2i)
    _group_sizes(study, n1i=n1i, n2i=n2i)


def _check_variance(study: str, vi: float, how: str) -> None:
    if not (math.isfinite(vi) and vi > 0):
        raise EffectSizeError(
            f"{how} gives a sampling variance of {vi!r}; it must be finite and > 0",
            study=study,
            missing=["vi"],
        )


# --------------------------------------------------------------------------- continuous


def md(
    study_id: str,
    m1i: float,
    sd1i: float,
    n1i: float,
    m2i: float,
    sd2i: float,
    n2i: float,
    *,
    sd: MdSd = "separate",
) -> Effect:
    """Raw mean difference ``m1i - m2i``.

    Variance (metafor ``escalc(measure="MD")``; Borenstein et al. 2009, ch. 4):

    * ``sd="separate"`` (metafor ``vtype="LS"``, default):
      ``vi = sd1i^2/n1i + sd2i^2/n2i``;
    * ``sd="pooled"`` (metafor ``vtype="HO"``, homoscedastic):
      ``vi = sp^2 (1/n1i + 1/n2i)`` with
      ``sp^2 = ((n1i-1) sd1i^2 + (n2i-1) sd2i^2) / (n1i+n2i-2)``.

    Raises
    ------
    EffectSizeError
        Non-finite input, SD <= 0, or a group with n < 2.
    """
    _check_groups(study_id, m1i, sd1i, n1i, m2i, sd2i, n2i)
    if sd == "separate":
        vi = sd1i**2 / n1i + sd2i**2 / n2i
        note = "MD variance from separate group SDs"
    elif sd == "pooled":
        vi = _pooled_var(sd1i, n1i, sd2i, n2i) * (1 / n1i + 1 / n2i)
        note = "MD variance from the pooled SD (equal variances assumed)"
    else:
        raise EffectSizeError(f"md_sd {sd!r} unknown; allowed: separate, pooled", study=study_id)
    _check_variance(study_id, vi, "MD")
    return Effect(
        study_id=study_id,
        measure="MD",
        yi=m1i - m2i,
        vi=vi,
        n_total=_int_or_none(n1i + n2i),
        assumptions=(note,),
    )


def _pooled_var(sd1i: float, n1i: float, sd2i: float, n2i: float) -> float:
    return ((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / (n1i + n2i - 2)


def hedges_correction(m: float, *, exact: bool = True) -> float:
    """Hedges' small-sample correction factor J(m) for ``m`` degrees of freedom.

    Exact form (Hedges 1981; metafor ``.cmicalc``):
    ``J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``, computed on the log scale.
    Approximation (Hedges 1981; Cochrane Handbook 6.5.1.2; RevMan):
    ``J = 1 - 3/(4m - 1)``.
    """
    if not m > 1:
        raise EffectSizeError(f"Hedges' correction needs m = n1+n2-2 > 1, got {m!r}")
    if exact:
        return math.exp(math.lgamma(m / 2) - 0.5 * math.log(m / 2) - math.lgamma((m - 1) / 2))
    return 1 - 3 / (4 * m - 1)


def smd(
    study_id: str,
    m1i: float,
    sd1i: float,
    n1i: float,
    m2i: float,
    sd2i: float,
    n2i: float,
    *,
    correction: SmdCorrection = "exact",
    vtype: SmdVtype = "LS",
) -> Effect:
    """Standardised mean difference as Hedges' g.

    ``g = J(m) (m1i - m2i) / sp`` with ``m = n1i + n2i - 2`` and the pooled SD
    ``sp`` (metafor ``escalc(measure="SMD")``; Hedges 1981; Borenstein 2009 ch. 4).
    ``J`` is exact (gamma functions, ``correction="exact"``, metafor) or
    ``1 - 3/(4m - 1)`` (``"approx"``, RevMan/Cochrane Handbook 6.5.1.2).

    Variance:

    * ``vtype="LS"`` (metafor default): ``vi = 1/n1i + 1/n2i + g^2 / (2 (n1i+n2i))``;
    * ``vtype="RevMan"`` (RevMan 5 statistical methods):
      ``vi = 1/n1i + 1/n2i + g^2 / (2 (n1i + n2i - 3.94))``.

    Raises
    ------
    EffectSizeError
        Non-finite input, SD <= 0, or a group with n < 2.
    """
    _check_groups(study_id, m1i, sd1i, n1i, m2i, sd2i, n2i)
    if correction not in ("exact", "approx"):
        raise EffectSizeError(
            f"smd_correction {correction!r} unknown; allowed: exact, approx", study=study_id
        )
    if vtype not in ("LS", "RevMan"):
        raise EffectSizeError(f"smd_vtype {vtype!r} unknown; allowed: LS, RevMan", study=study_id)
    m = n1i + n2i - 2
    j = hedges_correction(m, exact=correction == "exact")
    g = j * (m1i - m2i) / math.sqrt(_pooled_var(sd1i, n1i, sd2i, n2i))
    n = n1i + n2i
    if vtype == "LS":
        vi = 1 / n1i + 1 / n2i + g**2 / (2 * n)
    else:
        vi = 1 / n1i + 1 / n2i + g**2 / (2 * (n - 3.94))
    _check_variance(study_id, vi, "SMD")
    return Effect(
        study_id=study_id,
        measure="SMD",
        yi=g,
        vi=vi,
        n_total=_int_or_none(n),
        assumptions=(
            f"Hedges' g with {'exact' if correction == 'exact' else 'approximate'} "
            f"small-sample correction, {vtype} variance",
        ),
    )


# --------------------------------------------------------------------------- binary


@dataclass(frozen=True, slots=True)
class Table2x2:
    """One study's 2x2 table: events/non-events in group 1 (ai, bi) and group 2 (ci, di)."""

    study_id: str
    ai: float
    bi: float
    ci: float
    di: float

    @property
    def n1i(self) -> float:
        return self.ai + self.bi

    @property
    def n2i(self) -> float:
        return self.ci + self.di

    @classmethod
    def from_events(cls, study_id: str, ai: float, n1i: float, ci: float, n2i: float) -> Table2x2:
        """Build the table from events and group sizes (``bi = n1i - ai``, ``di = n2i - ci``).

        Raises
        ------
        EffectSizeError
            Non-finite values, negative counts, or events > group size.
        """
        _finite(study_id, ai=ai, n1i=n1i, ci=ci, n2i=n2i)
        bad = [n for n, (e, t) in {"ai": (ai, n1i), "ci": (ci, n2i)}.items() if e > t]
        if bad:
            raise EffectSizeError(
                "events exceed the group size: "
                + ", ".join(f"{n}" for n in bad)
                + f" (ai={ai!r}, n1i={n1i!r}, ci={ci!r}, n2i={n2i!r})",
                study=study_id,
                missing=bad,
            )
        return cls(study_id, ai, n1i - ai, ci, n2i - ci).validated()

    def validated(self) -> Table2x2:
        """Return ``self`` after checking counts are finite, >= 0 and each group non-empty."""
        _finite(self.study_id, ai=self.ai, bi=self.bi, ci=self.ci, di=self.di)
        cells = {"ai": self.ai, "bi": self.bi, "ci": self.ci, "di": self.di}
        bad = [n for n, v in cells.items() if v < 0]
        if bad:
            raise EffectSizeError(
                "cell counts must be >= 0: " + ", ".join(f"{n}={cells[n]!r}" for n in bad),
                study=self.study_id,
                missing=bad,
            )
        empty = [n for n, v in {"n1i": self.n1i, "n2i": self.n2i}.items() if not v > 0]
        if empty:
            raise EffectSizeError(
                f"empty group ({', '.join(empty)} = 0)", study=self.study_id, missing=empty
            )
        return self

    def has_zero(self) -> bool:
        return min(self.ai, self.bi, self.ci, self.di) == 0

    def is_double_zero(self) -> bool:
        """No events in both groups, or only events in both groups (metafor's ``drop00``)."""
        return (self.ai == 0 and self.ci == 0) or (self.bi == 0 and self.di == 0)

    def plus(self, add: float) -> Table2x2:
        return Table2x2(self.study_id, self.ai + add, self.bi + add, self.ci + add, self.di + add)


@dataclass(frozen=True, slots=True)
class Dropped:
    """A study left out of an analysis and why."""

    study_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class BinaryEffects:
    """What :func:`binary_effects` made: the effects and the studies it dropped."""

    effects: tuple[Effect, ...]
    dropped: tuple[Dropped, ...]


def _binary_raw(table: Table2x2, measure: str) -> tuple[float, float]:
    a, b, c, d = table.ai, table.bi, table.ci, table.di
    n1, n2 = a + b, c + d
    if measure == "OR":
        if min(a, b, c, d) == 0:
            raise ValueError("zero cell")
        return math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
    if measure == "RR":
        if a == 0 or c == 0:
            raise ValueError("zero cell")
        return math.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2
    if measure == "RD":
        p1, p2 = a / n1, c / n2
        return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    raise EffectSizeError(
        f"measure {measure!r} is not a 2x2 measure; allowed: {', '.join(BINARY_MEASURES)}",
        study=table.study_id,
    )


def binary_effect(
    table: Table2x2,
    measure: str,
    *,
    add: float = 0.5,
    to: Literal["only0", "all", "none"] = "only0",
) -> Effect:
    """Log RR, log OR or RD of one 2x2 table (metafor ``escalc``).

    * ``OR``: ``yi = log(ai di / (bi ci))``, ``vi = 1/ai + 1/bi + 1/ci + 1/di``
      (Woolf; Cochrane Handbook 6.4.1.2);
    * ``RR``: ``yi = log((ai/n1i) / (ci/n2i))``, ``vi = 1/ai - 1/n1i + 1/ci - 1/n2i``;
    * ``RD``: ``yi = ai/n1i - ci/n2i``, ``vi = p1 (1-p1)/n1i + p2 (1-p2)/n2i``.

    ``add`` is added to every cell when ``to="all"``, or when ``to="only0"`` and
    the table has a zero cell (metafor's default; also applied to RD as metafor
    does). Use :func:`binary_effects` for ``to="if0all"`` and the ``drop00`` rule.

    Raises
    ------
    EffectSizeError
        Invalid counts, or an effect that is undefined or has zero variance
        without a continuity correction.
    """
    table = table.validated()
    if to not in ("only0", "all", "none"):
        raise EffectSizeError(
            f"to={to!r} unknown for one table; allowed: only0, all, none "
            "(if0all needs all studies: use binary_effects)",
            study=table.study_id,
        )
    if not (math.isfinite(add) and add >= 0):
        raise EffectSizeError(f"add must be finite and >= 0, got {add!r}", study=table.study_id)
    assumptions: list[str] = []
    used = table
    if add > 0 and (to == "all" or (to == "only0" and table.has_zero())):
        used = table.plus(add)
        assumptions.append(
            f"{add:g} added to all cells" + (" (zero cell)" if to == "only0" else "")
        )
    try:
        yi, vi = _binary_raw(used, measure)
    except ValueError:
        raise EffectSizeError(
            f"{measure} undefined with a zero cell and no continuity correction "
            f"(ai={table.ai!r}, bi={table.bi!r}, ci={table.ci!r}, di={table.di!r}); "
            "use add > 0 with to=only0|all|if0all",
            study=table.study_id,
            missing=["ai", "bi", "ci", "di"],
        ) from None
    _check_variance(table.study_id, vi, measure)
    return Effect(
        study_id=table.study_id,
        measure=measure,
        yi=yi,
        vi=vi,
        n_total=_int_or_none(table.n1i + table.n2i),
        assumptions=tuple(assumptions),
    )


def binary_effects(
    tables: Iterable[Table2x2],
    measure: str,
    *,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool | None = None,
) -> BinaryEffects:
    """Effects of many 2x2 tables with metafor's continuity rules.

    ``to`` is one of :data:`CONTINUITY_RULES`; ``"if0all"`` adds ``add`` to all
    cells of every study when any study has a zero cell. ``drop00`` (default
    True for RR and OR, False for RD) drops studies with no events, or only
    events, in both groups: such a study carries no information on a ratio
    (metafor's ``drop00=TRUE``, as in ``rma.mh``; Cochrane Handbook 10.4.4.2).
    Dropped studies are listed with the reason.
    """
    if measure not in BINARY_MEASURES:
        raise EffectSizeError(
            f"measure {measure!r} is not a 2x2 measure; allowed: {', '.join(BINARY_MEASURES)}"
        )
    if to not in CONTINUITY_RULES:
        raise EffectSizeError(f"to={to!r} unknown; allowed: {', '.join(CONTINUITY_RULES)}")
    if drop00 is None:
        drop00 = measure in ("RR", "OR")
    checked = [t.validated() for t in tables]
    effects: list[Effect] = []
    dropped: list[Dropped] = []
    kept: list[Table2x2] = []
    for t in checked:
        if drop00 and t.is_double_zero():
            what = "no events" if t.ai == 0 and t.ci == 0 else "only events"
            dropped.append(Dropped(t.study_id, f"{what} in both groups: dropped from {measure}"))
        else:
            kept.append(t)
    rule: Literal["only0", "all", "none"] = to  # type: ignore[assignment]
    if to == "if0all":
        rule = "all" if any(t.has_zero() for t in kept) else "none"
    for t in kept:
        effects.append(binary_effect(t, measure, add=add, to=rule))
    return BinaryEffects(tuple(effects), tuple(dropped))


# --------------------------------------------------------------------------- generic


def generic(
    study_id: str,
    yi: float,
    vi: float,
    *,
    measure: str = "GEN",
    assumptions: Sequence[str] = (),
) -> Effect:
    """An effect given directly on the analysis scale (metafor ``rma(yi, vi)``).

    Raises
    ------
    EffectSizeError
        Non-finite ``yi`` or ``vi``, or ``vi <= 0``.
    """
    _finite(study_id, yi=yi, vi=vi)
    _check_variance(study_id, vi, "the given vi")
    return Effect(study_id=study_id, measure=measure, yi=yi, vi=vi, assumptions=tuple(assumptions))


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise EffectSizeError(f"confidence level must be in (0, 1), got {level!r}")
    return float(stats.norm.ppf((1 + level) / 2))


def se_to_vi(se: float, *, study_id: str | None = None) -> float:
    """Sampling variance from a standard error: ``vi = se^2``."""
    _finite(study_id or "?", se=se)
    _positive(study_id or "?", se=se)
    return se * se


def ci_to_se(
    ci_lb: float,
    ci_ub: float,
    *,
    level: float = 0.95,
    log: bool = False,
    study_id: str | None = None,
) -> float:
    """Standard error from a symmetric normal-theory confidence interval.

    ``se = (ub - lb) / (2 z_{(1+level)/2})`` on the analysis scale; for ratio
    measures (``log=True``) the limits are logged first (Cochrane Handbook
    6.3.1 and 6.3.2).

    Raises
    ------
    EffectSizeError
        Non-finite limits, ``lb >= ub``, non-positive ratio limits, bad level.
    """
    sid = study_id or "?"
    _finite(sid, ci_lb=ci_lb, ci_ub=ci_ub)
    if log:
        _positive(sid, ci_lb=ci_lb, ci_ub=ci_ub)
        ci_lb, ci_ub = math.log(ci_lb), math.log(ci_ub)
    if not ci_ub > ci_lb:
        raise EffectSizeError(
            f"CI upper limit must exceed the lower ({ci_lb!r} .. {ci_ub!r})",
            study=study_id,
            missing=["ci_lb", "ci_ub"],
        )
    return (ci_ub - ci_lb) / (2 * _z(level))


def effect_from_ci(
    study_id: str,
    measure: str,
    estimate: float | None,
    ci_lb: float,
    ci_ub: float,
    *,
    level: float = 0.95,
) -> Effect:
    """Effect from a reported estimate and confidence interval.

    Ratio measures (:data:`RATIO_MEASURES`) are reported on the ratio scale and
    converted to logs. ``vi`` is ``se^2`` from :func:`ci_to_se`; a missing
    estimate is taken as the CI midpoint on the analysis scale (an assumption
    that is recorded).
    """
    log = measure in RATIO_MEASURES
    se = ci_to_se(ci_lb, ci_ub, level=level, log=log, study_id=study_id)
    notes = [f"SE from {level:.0%} CI assuming normality" + (" on the log scale" if log else "")]
    if estimate is None:
        lo, hi = (math.log(ci_lb), math.log(ci_ub)) if log else (ci_lb, ci_ub)
        yi = (lo + hi) / 2
        notes.append("estimate taken as the CI midpoint")
    else:
        _finite(study_id, estimate=estimate)
        if log:
            _positive(study_id, estimate=estimate)
        yi = math.log(estimate) if log else estimate
    return Effect(study_id=study_id, measure=measure, yi=yi, vi=se * se, assumptions=tuple(notes))


def p_to_se(
    estimate: float,
    p: float,
    *,
    log: bool = False,
    df: float | None = None,
    study_id: str | None = None,
) -> float:
    """Standard error from an estimate and its two-sided p-value.

    ``se = |estimate| / z_{1 - p/2}`` (Cochrane Handbook 6.3.2; Altman & Bland
    2011), or with ``t_{df}`` when ``df`` is given. Ratio estimates
    (``log=True``) are logged first.

    Raises
    ------
    EffectSizeError
        Non-finite values, ``p`` outside (0, 1), or an estimate of exactly 0
        (no information about the SE in that case).
    """
    sid = study_id or "?"
    _finite(sid, estimate=estimate, p=p)
    if not 0 < p < 1:
        raise EffectSizeError(f"p must be in (0, 1), got {p!r}", study=study_id, missing=["p"])
    if log:
        _positive(sid, estimate=estimate)
        estimate = math.log(estimate)
    if estimate == 0:
        raise EffectSizeError(
            "a null estimate carries no SE information through its p-value",
            study=study_id,
            missing=["estimate"],
        )
    crit = stats.norm.isf(p / 2) if df is None else stats.t.isf(p / 2, df)
    return abs(estimate) / float(crit)


def effect_from_p(
    study_id: str,
    measure: str,
    estimate: float,
    p: float,
    *,
    df: float | None = None,
) -> Effect:
    """Effect from a reported estimate and exact two-sided p-value (see :func:`p_to_se`)."""
    log = measure in RATIO_MEASURES
    se = p_to_se(estimate, p, log=log, df=df, study_id=study_id)
    dist = "normal" if df is None else f"t({df:g})"
    return Effect(
        study_id=study_id,
        measure=measure,
        yi=math.log(estimate) if log else estimate,
        vi=se * se,
        assumptions=(f"SE from a two-sided p-value assuming a {dist} test statistic",),
    )


# --------------------------------------------------------------------------- medians


@dataclass(frozen=True, slots=True)
class MeanSD:
    """An estimated mean and SD of one group and what the estimate assumed."""

    mean: float
    sd: float
    n: float
    assumptions: tuple[str, ...]


def _check_summary(study: str | None, n: float, **values: float) -> None:
    sid = study or "?"
    _finite(sid, n=n, **values)
    _group_sizes(sid, n=n)
    ordered = list(values.items())
    for (n1, v1), (n2, v2) in itertools.pairwise(ordered):
        if v1 > v2:
            raise EffectSizeError(
                f"quantiles out of order: {n1}={v1!r} > {n2}={v2!r}", study=study, missing=[n1, n2]
            )
    if ordered[0][1] == ordered[-1][1]:
        raise EffectSizeError(
            f"{ordered[0][0]} equals {ordered[-1][0]}: the spread is zero, no SD can be derived",
            study=study,
            missing=[ordered[0][0], ordered[-1][0]],
        )


def mean_sd_from_median_iqr(
    median: float, q1: float, q3: float, n: float, *, study_id: str | None = None
) -> MeanSD:
    """Mean and SD from median and interquartile range (Wan et al. 2014, scenario C3).

    ``mean = (q1 + median + q3) / 3``;
    ``sd = (q3 - q1) / (2 Phi^-1((0.75 n - 0.125) / (n + 0.25)))``.
    Assumes a roughly normal distribution.
    """
    _check_summary(study_id, n, q1=q1, median=median, q3=q3)
    xi = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    return MeanSD(
        mean=(q1 + median + q3) / 3,
        sd=(q3 - q1) / float(xi),
        n=n,
        assumptions=("mean and SD from median and IQR (Wan 2014), normality assumed",),
    )


def mean_sd_from_median_range(
    median: float, minimum: float, maximum: float, n: float, *, study_id: str | None = None
) -> MeanSD:
    """Mean and SD from median and range (Wan et al. 2014, scenario C1).

    ``mean = (min + 2 median + max) / 4`` (Hozo 2005, as Wan 2014 recommends);
    ``sd = (max - min) / (2 Phi^-1((n - 0.375) / (n + 0.25)))``.
    Assumes a roughly normal distribution.
    """
    _check_summary(study_id, n, minimum=minimum, median=median, maximum=maximum)
    xi = 2 * stats.norm.ppf((n - 0.375) / (n + 0.25))
    return MeanSD(
        mean=(minimum + 2 * median + maximum) / 4,
        sd=(maximum - minimum) / float(xi),
        n=n,
        assumptions=("mean and SD from median and range (Wan 2014), normality assumed",),
    )


def mean_sd_from_median_iqr_range(
    median: float,
    q1: float,
    q3: float,
    minimum: float,
    maximum: float,
    n: float,
    *,
    study_id: str | None = None,
) -> MeanSD:
    """Mean and SD from median, IQR and range (Wan et al. 2014, scenario C2).

    ``mean = (min + 2 q1 + 2 median + 2 q3 + max) / 8``;
    ``sd = (max - min) / (4 Phi^-1((n - 0.375)/(n + 0.25)))
    + (q3 - q1) / (4 Phi^-1((0.75 n - 0.125)/(n + 0.25)))``.
    """
    _check_summary(study_id, n, minimum=minimum, q1=q1, median=median, q3=q3, maximum=maximum)
    xr = 4 * stats.norm.ppf((n - 0.375) / (n + 0.25))
    xq = 4 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    return MeanSD(
        mean=(minimum + 2 * q1 + 2 * median + 2 * q3 + maximum) / 8,
        sd=(maximum - minimum) / float(xr) + (q3 - q1) / float(xq),
        n=n,
        assumptions=("mean and SD from median, IQR and range (Wan 2014), normality assumed",),
    )


def with_assumptions(effect: Effect, extra: Sequence[str]) -> Effect:
    """Return ``effect`` with ``extra`` appended to its assumptions."""
    from dataclasses import replace

    return replace(effect, assumptions=(*effect.assumptions, *extra))


def _int_or_none(x: float) -> int | None:
    return int(x) if math.isfinite(x) and float(x).is_integer() else None
