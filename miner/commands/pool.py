"""``miner pool [FILE|-]``: the metafor-like pooling contract of DESIGN.md.

The input JSON (a file, or ``-`` for stdin) is validated here with pydantic
(the edge); studies become :class:`~miner.records.Effect` records (or
:class:`~miner.effects.Table2x2` for Mantel-Haenszel) through
:mod:`miner.effects`, and the fit is a :mod:`miner.pool` estimator. The output
JSON carries metafor's field names and never NaN/Infinity (``null`` instead).

Study shapes (any measure unless stated):

* ``{"yi", "vi"}`` or ``{"yi", "sei"}`` on the analysis scale (log for RR/OR);
* ``{"estimate", "ci_lb", "ci_ub"[, "ci_level"]}`` as reported (ratio scale
  for RR/OR, converted to logs);
* ``{"estimate", "pval"}`` as reported (two-sided p);
* MD/SMD: ``{"m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"}``, where a group's
  mean/SD may instead be ``median<g>i`` with ``q1_<g>i``/``q3_<g>i`` and/or
  ``min<g>i``/``max<g>i`` (Wan 2014), ``g`` = 1 or 2;
* RR/OR/RD: ``{"ai", "bi", "ci", "di"}`` or ``{"ai", "n1i", "ci", "n2i"}``.

Extra study fields (``year``, ``dose_mg_per_kg``, ``subgroup``...) are kept for
``--subgroup``, ``--cumulative`` and ``--moderator``. Options beyond the
contract: ``drop00`` (default true for RR/OR), ``exp`` (emit ``*_exp``;
default for RR, OR and GEN), ``rd_variance`` (MH RD: ``sato`` as metafor, or
``greenland_robins`` as RevMan).

The same processing is available to other edges as :func:`pool_payload`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from miner import effects as fx
from miner.errors import ConfigError, EffectSizeError, MinerError, ParseError, PoolingError
from miner.pool import (
    Estimator,
    MantelHaenszel,
    cumulative,
    estimator,
    fit_any,
    leave_one_out,
    meta_regression,
    subgroup_analysis,
)
from miner.records import Effect, PoolResult

MEASURES = ("MD", "SMD", "RR", "OR", "RD", "GEN")


class StudyIn(BaseModel):
    """One study of the ``miner pool`` input; unknown fields are kept as covariates."""

    model_config = ConfigDict(extra="allow")

    id: str | int | None = None
    yi: float | None = None
    vi: float | None = None
    sei: float | None = None
    estimate: float | None = None
    ci_lb: float | None = None
    ci_ub: float | None = None
    ci_level: float = Field(0.95, gt=0, lt=1)
    pval: float | None = None
    m1i: float | None = None
    sd1i: float | None = None
    n1i: float | None = None
    m2i: float | None = None
    sd2i: float | None = None
    n2i: float | None = None
    median1i: float | None = None
    q1_1i: float | None = None
    q3_1i: float | None = None
    min1i: float | None = None
    max1i: float | None = None
    median2i: float | None = None
    q1_2i: float | None = None
    q3_2i: float | None = None
    min2i: float | None = None
    max2i: float | None = None
    ai: float | None = None
    bi: float | None = None
    ci: float | None = None
    di: float | None = None

    def field(self, key: str) -> Any:
        """A declared or extra field by name (None when absent)."""
        if key in type(self).model_fields:
            return getattr(self, key)
        return (self.model_extra or {}).get(key)


class PoolRequest(BaseModel):
    """The ``miner pool`` input (DESIGN.md), validated."""

    model_config = ConfigDict(extra="forbid")

    measure: Literal["MD", "SMD", "RR", "OR", "RD", "GEN"]
    method: Literal["FE", "DL", "REML", "PM", "MH"] = "REML"
    test: Literal["z", "hk"] = "z"
    level: float = Field(0.95, gt=0, lt=1)
    pi: Literal["z", "t_k-1", "t_k-2"] | None = None
    i2: Literal["tau2", "Q"] | None = None
    add: float = Field(0.5, ge=0, allow_inf_nan=False)
    to: Literal["only0", "all", "if0all", "none"] = "only0"
    drop00: bool | None = None
    smd_correction: Literal["exact", "approx"] = "exact"
    smd_vtype: Literal["LS", "RevMan"] = "LS"
    md_sd: Literal["separate", "pooled"] = "separate"
    egger: bool = False
    exp: bool | None = None
    rd_variance: Literal["sato", "greenland_robins"] = "sato"
    studies: list[StudyIn] = Field(min_length=1)

    @field_validator("measure", mode="before")
    @classmethod
    def _measure_alias(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"generic", "gen"}:
            return "GEN"
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("i2", mode="before")
    @classmethod
    def _i2_alias(cls, value: Any) -> Any:
        aliases = {"q-based": "Q", "q": "Q", "tau2-based": "tau2", "tau2": "tau2"}
        if isinstance(value, str):
            return aliases.get(value.strip().lower(), value)
        return value


# --------------------------------------------------------------------------- building studies


def _has(s: StudyIn, *names: str) -> bool:
    return all(getattr(s, n) is not None for n in names)


def _group_mean_sd(s: StudyIn, sid: str, g: str) -> tuple[float, float, float, list[str]]:
    n = getattr(s, f"n{g}i")
    if n is None:
        raise EffectSizeError(f"n{g}i is required", study=sid, missing=[f"n{g}i"])
    if _has(s, f"m{g}i", f"sd{g}i"):
        return getattr(s, f"m{g}i"), getattr(s, f"sd{g}i"), n, []
    med = getattr(s, f"median{g}i")
    q1, q3 = getattr(s, f"q1_{g}i"), getattr(s, f"q3_{g}i")
    lo, hi = getattr(s, f"min{g}i"), getattr(s, f"max{g}i")
    if med is not None and None not in (q1, q3) and None not in (lo, hi):
        r = fx.mean_sd_from_median_iqr_range(med, q1, q3, lo, hi, n, study_id=sid)
    elif med is not None and None not in (q1, q3):
        r = fx.mean_sd_from_median_iqr(med, q1, q3, n, study_id=sid)
    elif med is not None and None not in (lo, hi):
        r = fx.mean_sd_from_median_range(med, lo, hi, n, study_id=sid)
    else:
        raise EffectSizeError(
            f"group {g} needs m{g}i+sd{g}i, or median{g}i with q1_{g}i+q3_{g}i and/or "
            f"min{g}i+max{g}i",
            study=sid,
            missing=[f"m{g}i", f"sd{g}i"],
        )
    return r.mean, r.sd, n, [f"group {g}: {a}" for a in r.assumptions]


def _continuous(req: PoolRequest, s: StudyIn, sid: str) -> Effect:
    m1, sd1, n1, a1 = _group_mean_sd(s, sid, "1")
    m2, sd2, n2, a2 = _group_mean_sd(s, sid, "2")
    if req.measure == "MD":
        eff = fx.md(sid, m1, sd1, n1, m2, sd2, n2, sd=req.md_sd)
    else:
        eff = fx.smd(
            sid, m1, sd1, n1, m2, sd2, n2, correction=req.smd_correction, vtype=req.smd_vtype
        )
    return fx.with_assumptions(eff, a1 + a2) if a1 or a2 else eff


def _generic(req: PoolRequest, s: StudyIn, sid: str) -> Effect | None:
    measure = req.measure
    if _has(s, "yi", "vi"):
        return fx.generic(sid, s.yi, s.vi, measure=measure)  # type: ignore[arg-type]
    if _has(s, "yi", "sei"):
        vi = fx.se_to_vi(s.sei, study_id=sid)  # type: ignore[arg-type]
        return fx.generic(sid, s.yi, vi, measure=measure, assumptions=("vi = sei^2",))  # type: ignore[arg-type]
    if _has(s, "ci_lb", "ci_ub"):
        return fx.effect_from_ci(sid, measure, s.estimate, s.ci_lb, s.ci_ub, level=s.ci_level)  # type: ignore[arg-type]
    if _has(s, "estimate", "pval"):
        return fx.effect_from_p(sid, measure, s.estimate, s.pval)  # type: ignore[arg-type]
    return None


def _table(s: StudyIn, sid: str) -> fx.Table2x2 | None:
    if _has(s, "ai", "bi", "ci", "di"):
        return fx.Table2x2(sid, s.ai, s.bi, s.ci, s.di).validated()  # type: ignore[arg-type]
    if _has(s, "ai", "n1i", "ci", "n2i"):
        return fx.Table2x2.from_events(sid, s.ai, s.n1i, s.ci, s.n2i)  # type: ignore[arg-type]
    return None


SHAPES = {
    "MD": "m1i/sd1i/n1i/m2i/sd2i/n2i (or medians), yi+vi, yi+sei, estimate+ci_lb+ci_ub, "
    "estimate+pval",
    "RR": "ai/bi/ci/di, ai/n1i/ci/n2i, yi+vi, yi+sei, estimate+ci_lb+ci_ub, estimate+pval",
    "GEN": "yi+vi, yi+sei, estimate+ci_lb+ci_ub, estimate+pval",
}


def _shapes(measure: str) -> str:
    return SHAPES[
        "MD" if measure in ("MD", "SMD") else "RR" if measure in fx.BINARY_MEASURES else "GEN"
    ]


def build_studies(
    req: PoolRequest,
) -> tuple[list[Effect | fx.Table2x2], list[StudyIn], list[tuple[str, str]]]:
    """Turn validated input studies into analysis units (Effects, or tables for MH).

    Returns the units, the input studies they came from (aligned), and the
    studies dropped (id, reason).
    """
    ids = [str(s.id) if s.id is not None else str(i + 1) for i, s in enumerate(req.studies)]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError(f"duplicate study ids: {', '.join(dup)}")
    units: dict[int, Effect | fx.Table2x2] = {}
    tables: dict[int, fx.Table2x2] = {}
    for i, (s, sid) in enumerate(zip(req.studies, ids, strict=True)):
        table = _table(s, sid) if req.measure in fx.BINARY_MEASURES else None
        if table is not None:
            tables[i] = table
            continue
        if req.method == "MH":
            raise EffectSizeError(
                "Mantel-Haenszel needs a 2x2 table: ai/bi/ci/di or ai/n1i/ci/n2i", study=sid
            )
        arm_values = any(getattr(s, f) is not None for f in ("m1i", "m2i", "median1i", "median2i"))
        if req.measure in ("MD", "SMD") and arm_values:
            units[i] = _continuous(req, s, sid)
            continue
        eff = _generic(req, s, sid)
        if eff is None:
            raise EffectSizeError(
                f"no usable fields for measure {req.measure}; allowed shapes: "
                f"{_shapes(req.measure)}",
                study=sid,
            )
        units[i] = eff
    dropped: list[tuple[str, str]] = []
    if tables:
        if req.method == "MH":
            units.update(tables)
        else:
            made = fx.binary_effects(
                tables.values(), req.measure, add=req.add, to=req.to, drop00=req.drop00
            )
            by_id = {e.study_id: e for e in made.effects}
            for i, t in tables.items():
                if t.study_id in by_id:
                    units[i] = by_id[t.study_id]
            dropped = [(d.study_id, d.reason) for d in made.dropped]
    order = sorted(units)
    return [units[i] for i in order], [req.studies[i] for i in order], dropped


# --------------------------------------------------------------------------- running


def _estimator(req: PoolRequest, *, egger: bool) -> Estimator:
    if req.method == "MH":
        if req.measure not in fx.BINARY_MEASURES:
            raise ConfigError(f"method MH needs measure OR, RR or RD, not {req.measure}")
        return MantelHaenszel(
            req.measure,
            level=req.level,
            add=req.add,
            to=req.to,
            drop00=True if req.drop00 is None else req.drop00,
            rd_variance=req.rd_variance,
            egger=egger,
            exp=req.exp,
            test=req.test,
            i2=req.i2,
            pi=req.pi,
        )
    return estimator(
        req.method, test=req.test, level=req.level, pi=req.pi, i2=req.i2, egger=egger, exp=req.exp
    )


SUMMARY_FIELDS = (
    "k",
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_lb",
    "ci_ub",
    "tau2",
    "tau",
    "Q",
    "Q_p",
    "I2",
    "H2",
    "pi_lb",
    "pi_ub",
    "estimate_exp",
    "ci_lb_exp",
    "ci_ub_exp",
)


def _summary(result: PoolResult) -> dict[str, Any]:
    return {f: getattr(result, f) for f in SUMMARY_FIELDS}


def _keys(studies: list[StudyIn], units: list[Any], key: str, what: str) -> list[Any]:
    values = [s.field(key) for s in studies]
    missing = [u.study_id for u, v in zip(units, values, strict=True) if v is None]
    if missing:
        raise ConfigError(f"{what} field {key!r} missing in studies: {', '.join(missing)}")
    return values


def pool_payload(
    payload: dict[str, Any],
    *,
    subgroup: str | None = None,
    loo: bool = False,
    cumulative_by: str | None = None,
    moderator: str | None = None,
) -> dict[str, Any]:
    """Run the ``miner pool`` contract on a parsed JSON payload; return the output dict.

    Raises
    ------
    ParseError
        The payload does not match the contract (message lists each problem).
    EffectSizeError, PoolingError, ConfigError
        A study cannot make an effect size, the fit fails, or a flag's field
        is missing from some study.
    """
    try:
        req = PoolRequest.model_validate(payload)
    except ValidationError as exc:
        raise ParseError(_validation_message(exc, payload)) from None
    units, studies, dropped = build_studies(req)
    if not units:
        raise PoolingError("every study was dropped; nothing to pool", method=req.method, k=0)
    main = _estimator(req, egger=req.egger)
    result = fit_any(main, units)
    out = result.to_dict()
    out["dropped"] = [{"id": i, "reason": r} for i, r in dropped] + out["dropped"]
    out["assumptions"] = {
        u.study_id: list(u.assumptions) for u in units if isinstance(u, Effect) and u.assumptions
    }
    aux = _estimator(req, egger=False)
    if subgroup:
        labels = _keys(studies, units, subgroup, "subgroup")
        out["subgroup"] = subgroup_analysis(units, labels, aux, key=subgroup).to_dict()
    if loo:
        out["leave_one_out"] = [
            {"omitted": row.omitted, **_summary(row.result)} for row in leave_one_out(units, aux)
        ]
    if cumulative_by:
        order = None if cumulative_by == "input" else _keys(studies, units, cumulative_by, "order")
        out["cumulative"] = [
            {"added": step.added, **_summary(step.result)} for step in cumulative(units, aux, order)
        ]
    if moderator:
        values = _keys(studies, units, moderator, "moderator")
        try:
            xs = [float(v) for v in values]
        except (TypeError, ValueError):
            raise ConfigError(f"moderator {moderator!r} must be numeric in every study") from None
        method = req.method if req.method in ("FE", "DL", "REML", "PM") else "REML"
        effects = [u for u in units if isinstance(u, Effect)]
        if len(effects) != len(units):
            effects = list(
                fx.binary_effects(
                    [u for u in units if isinstance(u, fx.Table2x2)],
                    req.measure,
                    add=req.add,
                    to=req.to,
                    drop00=req.drop00,
                ).effects
            )
            keep = {e.study_id for e in effects}
            xs = [x for u, x in zip(units, xs, strict=True) if u.study_id in keep]
        reg = meta_regression(
            effects, xs, method=method, test=req.test, level=req.level, name=moderator
        )
        out["meta_regression"] = reg.to_dict()
        if method != req.method:
            out["meta_regression"]["note"] = (
                f"meta-regression uses inverse-variance REML, not {req.method}"
            )
    from miner.report import json_safe

    return json_safe(out)


def _validation_message(exc: ValidationError, payload: Any) -> str:
    studies = payload.get("studies") if isinstance(payload, dict) else None
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc)
        if len(loc) >= 2 and loc[0] == "studies" and isinstance(loc[1], int):
            sid = None
            if isinstance(studies, list) and loc[1] < len(studies):
                entry = studies[loc[1]]
                sid = entry.get("id") if isinstance(entry, dict) else None
            field = ".".join(str(x) for x in loc[2:]) or "(study)"
            where = f"study {sid if sid is not None else loc[1] + 1} field {field}"
        parts.append(f"{where}: {err['msg']}")
    return "invalid pool input: " + "; ".join(parts)


# --------------------------------------------------------------------------- command


def register(app: typer.Typer) -> None:
    """Add ``pool`` to ``app``."""
    app.command("pool")(pool)


def pool(
    source: str = typer.Argument("-", metavar="[FILE|-]", help="Input JSON file, or - for stdin."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write JSON here."),
    subgroup: str | None = typer.Option(
        None, "--subgroup", metavar="KEY", help="Pool by this study field; test differences."
    ),
    loo: bool = typer.Option(False, "--leave-one-out", help="Add leave-one-out results."),
    cumulative_by: str | None = typer.Option(
        None,
        "--cumulative",
        metavar="KEY",
        help='Cumulative meta-analysis ordered by this study field ("input": input order).',
    ),
    moderator: str | None = typer.Option(
        None, "--moderator", metavar="KEY", help="Meta-regression on this numeric study field."
    ),
) -> None:
    """Pool the studies of a JSON input (metafor escalc + rma) and print the result JSON."""
    name = "<stdin>" if source == "-" else source
    try:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise ParseError(f"cannot read input: {exc.strerror}", source=name) from None
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not JSON: {exc}", source=name) from None
        if not isinstance(payload, dict):
            raise ParseError("the input must be a JSON object", source=name)
        out = pool_payload(
            payload, subgroup=subgroup, loo=loo, cumulative_by=cumulative_by, moderator=moderator
        )
    except MinerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    text_out = json.dumps(out, indent=2, allow_nan=False)
    if output is None:
        typer.echo(text_out)
    else:
        output.write_text(text_out + "\n", encoding="utf-8")
