"""Meta-analysis estimators named after their method, matching metafor.

Estimators are small classes whose options are checked in the constructor and
whose ``fit`` returns a :class:`miner.records.PoolResult` with metafor's field
names:

* :class:`FixedEffect` -- inverse-variance common effect (``rma(method="FE")``);
* :class:`DerSimonianLaird`, :class:`REML`, :class:`PauleMandel` -- random
  effects with that tau^2 estimator (``rma(method="DL"|"REML"|"PM")``);
* :class:`MantelHaenszel` -- OR, RR, RD from 2x2 tables (``rma.mh``).

Options shared by the inverse-variance estimators:

``test``
    ``"z"`` (normal) or ``"hk"`` (Hartung-Knapp-Sidik-Jonkman: the variance of
    the estimate is multiplied by ``sum w*(y - mu)^2 / (k - 1)`` and t(k-1) is
    used, exactly as metafor's ``test="knha"``; no truncation at 1).
``level``
    Confidence level of intervals (default 0.95).
``pi``
    Prediction interval distribution: ``"z"``, ``"t_k-1"`` or ``"t_k-2"``
    (Higgins, Thompson & Spiegelhalter 2009). Default as metafor's
    ``predict``: ``"z"`` with ``test="z"``, ``"t_k-1"`` with ``test="hk"``.
    Bounds are ``estimate -/+ crit * sqrt(se^2 + tau2)``.
``i2``
    ``"tau2"`` (metafor: ``I2 = 100 tau2 / (tau2 + s2)``, ``H2 = (tau2 + s2) / s2``
    with the typical within-study variance
    ``s2 = (k-1) sum w / ((sum w)^2 - sum w^2)``) or ``"Q"`` (RevMan/Higgins &
    Thompson 2002: ``I2 = 100 max(0, Q - df) / Q``, ``H2 = Q / df``). Default
    ``"tau2"`` for random effects. Fixed-effect and Mantel-Haenszel fits always
    use the Q-based form, as metafor does (their tau2 is 0 by assumption).
``egger``
    Also run Egger's regression test as metafor's
    ``regtest(model="rma", predictor="sei")``: the same model with ``sei`` as
    a moderator; ``egger_t`` is the Wald statistic of the slope (z, or t(k-2)
    with ``test="hk"``, when ``egger_df`` is set) and ``limit_estimate`` the
    intercept (the estimate as sei -> 0) with its CI.

Beyond one pool: :func:`subgroup_analysis`, :func:`leave_one_out`,
:func:`cumulative` and :func:`meta_regression`.

Edge cases are documented results or errors, never silent NaN: k = 1 returns
the study itself with ``tau2 = 0`` and the heterogeneity fields ``None``
(``notes`` says so); zero or non-finite variances raise
:class:`~miner.errors.PoolingError`; REML raises it when Fisher scoring (with
step halving) does not converge.

Example
-------
>>> from miner.effects import generic
>>> from miner.pool import REML
>>> effects = [generic(f"s{i}", y, v) for i, (y, v) in
...            enumerate([(0.1, 0.02), (0.3, 0.03), (-0.05, 0.01), (0.4, 0.05)])]
>>> res = REML(test="hk").fit(effects)
>>> res.k, res.df, round(res.estimate, 4) == round(res.estimate, 4)
(4, 3, True)
>>> res.to_dict()["tau2"] >= 0
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

from miner.effects import RATIO_MEASURES, Table2x2, binary_effects
from miner.errors import PoolingError
from miner.records import Effect, PoolResult

__all__ = [
    "REML",
    "CumulativeStep",
    "DerSimonianLaird",
    "EggerResult",
    "FixedEffect",
    "LeaveOneOut",
    "MantelHaenszel",
    "MetaRegressionResult",
    "PauleMandel",
    "PoolResult",
    "SubgroupResult",
    "cumulative",
    "egger_test",
    "estimator",
    "fit_any",
    "leave_one_out",
    "meta_regression",
    "subgroup_analysis",
]

Test = Literal["z", "hk"]
PiDist = Literal["z", "t_k-1", "t_k-2"]
I2Basis = Literal["tau2", "Q"]
Array = NDArray[np.float64]

TESTS: tuple[str, ...] = ("z", "hk")
PI_DISTS: tuple[str, ...] = ("z", "t_k-1", "t_k-2")
I2_BASES: tuple[str, ...] = ("tau2", "Q")
METHODS: tuple[str, ...] = ("FE", "DL", "REML", "PM", "MH")


# --------------------------------------------------------------------------- numerics


# scipy.special directly: the scipy.stats wrappers cost ~0.1 ms a call, a third of a fit.
def _z_isf(q: float) -> float:
    """Upper-tail normal quantile (``stats.norm.isf``)."""
    return float(-special.ndtri(q))


def _t_isf(q: float, df: float) -> float:
    """Upper-tail t quantile (``stats.t.isf``)."""
    return float(-special.stdtrit(df, q))


def _chi2_sf(x: float, df: float) -> float:
    """Chi-square survival function (``stats.chi2.sf``)."""
    return float(special.chdtrc(df, x))


def _wls(y: Array, w: Array, X: Array) -> tuple[Array, Array, Array]:
    """Weighted least squares: coefficients, their (X'WX)^-1, residuals."""
    xtw = X.T * w
    a_inv = np.linalg.inv(xtw @ X)
    b = a_inv @ (xtw @ y)
    return b, a_inv, y - X @ b


def _trace_p(w: Array, X: Array, a_inv: Array) -> float:
    """tr(P) with P = W - W X (X'WX)^-1 X' W."""
    return float(w.sum() - np.einsum("ij,ji->", a_inv, (X.T * w**2) @ X))


def _p_matrix(w: Array, X: Array, a_inv: Array) -> Array:
    wx = X * w[:, None]
    return np.diag(w) - wx @ a_inv @ wx.T


def _q_gen(y: Array, v: Array, X: Array, tau2: float) -> float:
    """Generalised Q: y' P y with weights 1/(v + tau2)."""
    w = 1.0 / (v + tau2)
    _, _, e = _wls(y, w, X)
    return float(np.sum(w * e * e))


def _tau2_dl(y: Array, v: Array, X: Array) -> float:
    """DerSimonian & Laird (1986) moment estimator (Raudenbush 2009 for moderators)."""
    w = 1.0 / v
    _, a_inv, e = _wls(y, w, X)
    q = float(np.sum(w * e * e))
    k, p = X.shape
    return max(0.0, (q - (k - p)) / _trace_p(w, X, a_inv))


def _reml_ll(y: Array, v: Array, X: Array, tau2: float) -> float:
    """Restricted log-likelihood up to a constant."""
    w = 1.0 / (v + tau2)
    _, a_inv, e = _wls(y, w, X)
    _, logdet_a_inv = np.linalg.slogdet(a_inv)
    return float(-0.5 * (np.sum(np.log(v + tau2)) - logdet_a_inv + np.sum(w * e * e)))


def _tau2_he(y: Array, v: Array, X: Array) -> float:
    """Hedges (1983) unweighted moment estimator (metafor ``method="HE"``), may be < 0."""
    k, p = X.shape
    h = np.linalg.inv(X.T @ X)
    e = y - X @ (h @ (X.T @ y))
    tr_pv = float(v.sum() - np.einsum("ij,ji->", h, (X.T * v) @ X))
    return (float(e @ e) - tr_pv) / (k - p)


def _tau2_reml(
    y: Array,
    v: Array,
    X: Array,
    *,
    tau2_init: float | None,
    tol: float,
    max_iter: int,
    fallback: bool = True,
) -> tuple[float, int, list[str]]:
    """REML tau^2 by Fisher scoring, as metafor's ``rma(method="REML")``.

    Like metafor: start at max(0, Hedges' estimate), step
    ``(y'PPy - tr P) / tr(PP)`` (Viechtbauer 2005), halve a step that would
    leave tau^2 < 0, stop when the change is below ``tol`` (metafor's
    ``threshold``, 1e-5), and fall back to tau^2 = 0 when the restricted
    likelihood is higher there. Keeping metafor's start and stopping rule
    reproduces its printed figures (a tighter ``tol`` moves them in the 4th
    decimal for some data). Added fallbacks: a step that lowers the restricted
    likelihood is halved (up to 30 times) before it is taken; when scoring
    still oscillates past ``max_iter`` (metafor stops with an error there) and
    ``fallback`` is true, tau^2 is the root of the REML score by Brent's
    method.
    Returns (tau2, iterations, notes); raises PoolingError when it does not
    converge within ``max_iter`` iterations.
    """
    k = X.shape[0]
    tau2 = max(0.0, _tau2_he(y, v, X) if tau2_init is None else float(tau2_init))
    ll = _reml_ll(y, v, X, tau2)
    notes: list[str] = []
    for it in range(1, max_iter + 1):
        num, tr_pp = _reml_score(y, v, X, tau2)
        step = num / tr_pp
        halvings = 0
        while tau2 + step < 0 and halvings < 60:
            step /= 2
            halvings += 1
        new = max(0.0, tau2 + step)
        ll_new = _reml_ll(y, v, X, new)
        halvings = 0
        while ll_new < ll - 1e-10 * (1 + abs(ll)) and halvings < 30:
            step /= 2
            new = max(0.0, tau2 + step)
            ll_new = _reml_ll(y, v, X, new)
            halvings += 1
        change = abs(new - tau2)
        tau2, ll = new, ll_new
        if change < tol:
            if tau2 > 0 and _reml_ll(y, v, X, 0.0) - ll > 1.22e-4:
                notes.append(
                    "REML: likelihood higher at tau2 = 0 than at the estimate; tau2 set to 0"
                )
                tau2 = 0.0
            return tau2, it, notes
    if fallback:
        root = _reml_root(y, v, X, tau2)
        if root is not None:
            notes.append(
                f"REML: Fisher scoring did not converge in {max_iter} iterations; tau2 is the "
                "root of the REML score equation (Brent's method)"
            )
            return root, max_iter, notes
    raise PoolingError(
        f"REML: Fisher scoring did not converge in {max_iter} iterations "
        f"(last tau2={tau2:.6g}); try method DL or PM, or raise max_iter",
        method="REML",
        k=k,
    )


def _reml_score(y: Array, v: Array, X: Array, tau2: float) -> tuple[float, float]:
    """(y'PPy - tr P, tr PP): twice the REML score and the Fisher information's scale."""
    p = X.shape[1]
    w = 1.0 / (v + tau2)
    _, a_inv, e = _wls(y, w, X)
    pe = w * e  # P y
    if p == 1:
        sw, sw2, sw3 = w.sum(), (w * w).sum(), (w**3).sum()
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2 * sw3 / sw + (sw2 / sw) ** 2
    else:
        pm = _p_matrix(w, X, a_inv)
        tr_p = float(np.trace(pm))
        tr_pp = float(np.sum(pm * pm))
    return float(pe @ pe) - tr_p, float(tr_pp)


def _reml_root(y: Array, v: Array, X: Array, start: float) -> float | None:
    """tau^2 where the REML score is 0 (or 0 when the score is negative there), or None."""
    if _reml_score(y, v, X, 0.0)[0] <= 0:
        return 0.0
    hi = max(1.0, 2 * start, 10 * float(np.var(y)))
    for _ in range(60):
        if _reml_score(y, v, X, hi)[0] < 0:
            break
        hi *= 4
    else:
        return None
    root = optimize.brentq(
        lambda t: _reml_score(y, v, X, t)[0], 0.0, hi, xtol=1e-12, rtol=1e-12, maxiter=500
    )
    return float(root)


def _tau2_pm(y: Array, v: Array, X: Array, *, tol: float) -> float:
    """Paule & Mandel (1982): the tau^2 at which the generalised Q equals k - p."""
    k, p = X.shape
    target = k - p
    if _q_gen(y, v, X, 0.0) <= target:
        return 0.0
    hi = max(1.0, 10 * _tau2_dl(y, v, X), float(np.var(y)) * 10)
    for _ in range(200):
        if _q_gen(y, v, X, hi) < target:
            break
        hi *= 4
    else:  # pragma: no cover - Q -> 0 as tau2 grows, so this needs absurd data
        raise PoolingError("PM: no upper bracket for tau2 found", method="PM", k=k)
    root = optimize.brentq(
        lambda t: _q_gen(y, v, X, t) - target, 0.0, hi, xtol=tol, rtol=1e-14, maxiter=500
    )
    return float(root)


@dataclass(frozen=True, slots=True)
class _Model:
    """A fitted mixed-effects (or common-effect) model y = X b + u + e."""

    b: Array
    vb: Array
    tau2: float
    df: int | None  # t degrees of freedom with hk, else None
    crit: float
    w: Array


#: A squared relative size below which a residual variance is rounding noise.
_ROUNDING_SQ = (64 * np.finfo(float).eps) ** 2


def _fit_model(
    y: Array, v: Array, X: Array, tau2: float, test: str, level: float, *, method: str
) -> _Model:
    k, p = X.shape
    w = 1.0 / (v + tau2)
    b, a_inv, e = _wls(y, w, X)
    alpha = 1 - level
    if test == "hk" and k > p:
        s2w = float(np.sum(w * e * e)) / (k - p)
        # Studies that agree exactly leave residuals of rounding size only
        # (~1e-17 of the effects, depending on the BLAS kernel), not exact 0.
        scale = float(np.sum(w * y * y)) / (k - p)
        if not s2w > _ROUNDING_SQ * scale:
            raise PoolingError(
                "Hartung-Knapp: the weighted residual variance is 0 (all studies agree "
                "exactly), so the adjusted SE is 0; use test z",
                method=method,
                k=k,
            )
        return _Model(b, s2w * a_inv, tau2, k - p, _t_isf(alpha / 2, k - p), w)
    return _Model(b, a_inv, tau2, None, _z_isf(alpha / 2), w)


def _p_value(stat: float, df: int | None) -> float:
    if df is None:
        return float(2 * special.ndtr(-abs(stat)))
    return float(2 * special.stdtr(df, -abs(stat)))


def _as_arrays(effects: Sequence[Effect], method: str) -> tuple[Array, Array, str]:
    if not effects:
        raise PoolingError("no studies to pool (k = 0)", method=method, k=0)
    measures = {e.measure for e in effects}
    if len(measures) > 1:
        raise PoolingError(
            f"studies mix measures {sorted(measures)}; pool one measure at a time",
            method=method,
            k=len(effects),
        )
    seen: set[str] = set()
    for e in effects:
        if e.study_id in seen:
            raise PoolingError(f"study id {e.study_id!r} appears twice", method=method)
        seen.add(e.study_id)
        if not (math.isfinite(e.yi) and math.isfinite(e.vi)):
            raise PoolingError(
                f"study {e.study_id}: non-finite yi={e.yi!r} or vi={e.vi!r}",
                method=method,
                k=len(effects),
            )
        if not e.vi > 0:
            raise PoolingError(
                f"study {e.study_id}: sampling variance vi={e.vi!r} must be > 0 "
                "(a zero variance would get infinite weight)",
                method=method,
                k=len(effects),
            )
    y = np.array([e.yi for e in effects], dtype=float)
    v = np.array([e.vi for e in effects], dtype=float)
    return y, v, measures.pop()


def _exp(x: float | None) -> float | None:
    if x is None:
        return None
    try:
        return math.exp(x)
    except OverflowError:
        return None


def _wants_exp(measure: str, exp: bool | None) -> bool:
    if exp is not None:
        return exp
    return measure in RATIO_MEASURES or measure == "GEN"


def _with_exp(result: PoolResult) -> PoolResult:
    """``result`` with the estimate, CI and prediction interval back on the ratio scale."""
    return replace(
        result,
        estimate_exp=_exp(result.estimate),
        ci_lb_exp=_exp(result.ci_lb),
        ci_ub_exp=_exp(result.ci_ub),
        pi_lb_exp=_exp(result.pi_lb),
        pi_ub_exp=_exp(result.pi_ub),
    )


def _i2_h2(
    basis: str, tau2: float, q: float, df: int, w_fe: Array
) -> tuple[float | None, float | None]:
    if df < 1:
        return None, None
    if basis == "Q":
        if q <= 0:  # all studies identical: no excess variation (avoid 0/0)
            return 0.0, q / df
        return max(0.0, 100 * (q - df) / q), q / df
    sw, sw2 = float(w_fe.sum()), float((w_fe * w_fe).sum())
    s2 = df * sw / (sw * sw - sw2)
    return 100 * tau2 / (tau2 + s2), (tau2 + s2) / s2


def _pi_crit(dist: str, k: int, level: float) -> tuple[float | None, str | None]:
    alpha = 1 - level
    if dist == "z":
        return _z_isf(alpha / 2), None
    df = k - 1 if dist == "t_k-1" else k - 2
    if df < 1:
        return None, f"prediction interval with {dist} needs k >= {3 if df == k - 2 else 2}"
    return _t_isf(alpha / 2, df), None


# --------------------------------------------------------------------------- estimators


class _InverseVariance:
    """Shared options and fitting for the inverse-variance estimators."""

    method: str = ""

    def __init__(
        self,
        *,
        test: Test = "z",
        level: float = 0.95,
        pi: PiDist | None = None,
        i2: I2Basis | None = None,
        egger: bool = False,
        exp: bool | None = None,
    ) -> None:
        if test not in TESTS:
            raise PoolingError(
                f"test {test!r} unknown; allowed: {', '.join(TESTS)}", method=self.method
            )
        if not (isinstance(level, int | float) and 0 < level < 1):
            raise PoolingError(f"level must be in (0, 1), got {level!r}", method=self.method)
        if pi is not None and pi not in PI_DISTS:
            raise PoolingError(
                f"pi {pi!r} unknown; allowed: {', '.join(PI_DISTS)}", method=self.method
            )
        if i2 is not None and i2 not in I2_BASES:
            raise PoolingError(
                f"i2 {i2!r} unknown; allowed: {', '.join(I2_BASES)}", method=self.method
            )
        self.test: str = test
        self.level = float(level)
        self.pi: str = pi if pi is not None else ("t_k-1" if test == "hk" else "z")
        self.i2 = i2
        self.egger = bool(egger)
        self.exp = exp

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(test={self.test!r}, level={self.level!r}, pi={self.pi!r}, "
            f"i2={self.i2!r}, egger={self.egger!r})"
        )

    def _tau2(self, y: Array, v: Array, X: Array) -> tuple[float, list[str]]:
        raise NotImplementedError

    def tau2_of(self, y: Array, v: Array, X: Array) -> float:
        """tau^2 of the model ``y = X b`` with this estimator (0 for fixed effect)."""
        return self._tau2(y, v, X)[0]

    def fit(self, effects: Sequence[Effect]) -> PoolResult:
        """Pool ``effects`` (one measure, each with ``vi > 0``).

        Raises
        ------
        PoolingError
            No studies, mixed measures, duplicate ids, non-finite values,
            ``vi <= 0``, or (REML) no convergence.
        """
        y, v, measure = _as_arrays(effects, self.method)
        ids = tuple(e.study_id for e in effects)
        return self._fit_arrays(y, v, measure, ids)

    def _fit_arrays(
        self, y: Array, v: Array, measure: str, ids: tuple[str, ...], notes: Sequence[str] = ()
    ) -> PoolResult:
        k = len(y)
        notes = list(notes)
        X = np.ones((k, 1))
        sei = np.sqrt(v)
        if k == 1:
            return self._single(y, v, measure, ids, notes)
        tau2, tau2_notes = self._tau2(y, v, X)
        notes.extend(tau2_notes)
        model = _fit_model(y, v, X, tau2, self.test, self.level, method=self.method)
        est, se = float(model.b[0]), math.sqrt(float(model.vb[0, 0]))
        fe = _fit_model(y, v, X, 0.0, "z", self.level, method=self.method)
        est_fe, se_fe = float(fe.b[0]), math.sqrt(float(fe.vb[0, 0]))
        q = float(np.sum(fe.w * (y - est_fe) ** 2))
        basis = self._i2_basis(notes)
        i2, h2 = _i2_h2(basis, tau2, q, k - 1, fe.w)
        pi_lb = pi_ub = None
        crit_pi, why = _pi_crit(self.pi, k, self.level)
        if crit_pi is None:
            notes.append(f"{why}: pi_lb/pi_ub are null")
        else:
            half = crit_pi * math.sqrt(se * se + tau2)
            pi_lb, pi_ub = est - half, est + half
        zval = est / se
        result = PoolResult(
            method=self.method,
            measure=measure,
            k=k,
            estimate=est,
            se=se,
            zval=zval,
            pval=_p_value(zval, model.df),
            ci_lb=est - model.crit * se,
            ci_ub=est + model.crit * se,
            estimate_fe=est_fe,
            se_fe=se_fe,
            ci_lb_fe=est_fe - fe.crit * se_fe,
            ci_ub_fe=est_fe + fe.crit * se_fe,
            tau2=tau2,
            tau=math.sqrt(tau2),
            Q=q,
            Q_df=k - 1,
            Q_p=_chi2_sf(q, k - 1),
            I2=i2,
            H2=h2,
            pi_lb=pi_lb,
            pi_ub=pi_ub,
            study_ids=ids,
            yi=tuple(float(x) for x in y),
            vi=tuple(float(x) for x in v),
            sei=tuple(float(x) for x in sei),
            weights=tuple(float(x) for x in 100 * model.w / model.w.sum()),
            test=self.test,
            df=model.df,
            level=self.level,
            i2_basis=basis,
            pi_dist=self.pi,
        )
        if self.egger:
            result = _with_egger(result, y, v, self, notes)
        return self._finish(result, notes)

    def _i2_basis(self, notes: list[str]) -> str:
        return self.i2 or "tau2"

    def _single(
        self, y: Array, v: Array, measure: str, ids: tuple[str, ...], notes: list[str]
    ) -> PoolResult:
        est, se = float(y[0]), math.sqrt(float(v[0]))
        crit = _z_isf((1 - self.level) / 2)
        notes.append(
            "k = 1: the result is the single study itself (tau2 = 0); heterogeneity "
            "(Q, I2, H2) and the prediction interval are not estimable and are null"
        )
        if self.test == "hk":
            notes.append("k = 1: Hartung-Knapp needs k >= 2; the normal distribution was used")
        if self.egger:
            notes.append("Egger's test needs k >= 3: egger fields are null")
        result = PoolResult(
            method=self.method,
            measure=measure,
            k=1,
            estimate=est,
            se=se,
            zval=est / se,
            pval=_p_value(est / se, None),
            ci_lb=est - crit * se,
            ci_ub=est + crit * se,
            estimate_fe=est,
            se_fe=se,
            ci_lb_fe=est - crit * se,
            ci_ub_fe=est + crit * se,
            tau2=0.0,
            tau=0.0,
            Q=None,
            Q_df=None,
            Q_p=None,
            I2=None,
            H2=None,
            pi_lb=None,
            pi_ub=None,
            study_ids=ids,
            yi=(est,),
            vi=(float(v[0]),),
            sei=(se,),
            weights=(100.0,),
            test="z",
            df=None,
            level=self.level,
            i2_basis=self._i2_basis([]),
            pi_dist=None,
        )
        return self._finish(result, notes)

    def _finish(self, result: PoolResult, notes: Sequence[str]) -> PoolResult:
        if _wants_exp(result.measure, self.exp):
            result = _with_exp(result)
        return replace(result, notes=(*result.notes, *notes))


class FixedEffect(_InverseVariance):
    """Inverse-variance common-effect model (metafor ``rma(method="FE")``).

    ``tau2`` is 0; I2/H2 are Q-based, as metafor reports them for this model.
    """

    method = "FE"

    def _tau2(self, y: Array, v: Array, X: Array) -> tuple[float, list[str]]:
        return 0.0, []

    def _i2_basis(self, notes: list[str]) -> str:
        if self.i2 == "tau2":
            notes.append("fixed-effect model: I2/H2 are Q-based (tau2 is 0 by assumption)")
        return "Q"


class DerSimonianLaird(_InverseVariance):
    """Random effects with the DerSimonian-Laird (1986) tau^2 (metafor ``method="DL"``).

    ``tau2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w))``, ``w = 1/vi``.
    """

    method = "DL"

    def _tau2(self, y: Array, v: Array, X: Array) -> tuple[float, list[str]]:
        return _tau2_dl(y, v, X), []


class REML(_InverseVariance):
    """Random effects with restricted maximum-likelihood tau^2 (metafor ``method="REML"``).

    Fisher scoring as metafor does it (start at Hedges' estimate, or
    ``tau2_init`` to warm-start an update; stop when tau^2 changes by less
    than ``tol``, metafor's ``threshold`` of 1e-5; at most ``max_iter``
    iterations, metafor's 100), with step halving when a step would leave
    tau^2 < 0 or lower the restricted likelihood. If scoring still has not
    converged after ``max_iter`` steps (it can oscillate; metafor stops with
    an error there), ``fallback=True`` solves the REML score equation by
    Brent's method and says so in ``notes``; with ``fallback=False``, or if
    that fails too, :class:`~miner.errors.PoolingError` is raised. Use a
    smaller ``tol`` for the exact optimum rather than metafor's figures.
    """

    method = "REML"

    def __init__(
        self,
        *,
        test: Test = "z",
        level: float = 0.95,
        pi: PiDist | None = None,
        i2: I2Basis | None = None,
        egger: bool = False,
        exp: bool | None = None,
        tol: float = 1e-5,
        max_iter: int = 100,
        tau2_init: float | None = None,
        fallback: bool = True,
    ) -> None:
        super().__init__(test=test, level=level, pi=pi, i2=i2, egger=egger, exp=exp)
        if not (tol > 0 and math.isfinite(tol)):
            raise PoolingError(f"tol must be > 0, got {tol!r}", method="REML")
        if not (isinstance(max_iter, int) and max_iter >= 1):
            raise PoolingError(f"max_iter must be an integer >= 1, got {max_iter!r}", method="REML")
        if tau2_init is not None and not (math.isfinite(tau2_init) and tau2_init >= 0):
            raise PoolingError(f"tau2_init must be >= 0, got {tau2_init!r}", method="REML")
        self.tol = tol
        self.max_iter = max_iter
        self.tau2_init = tau2_init
        self.fallback = fallback

    def _tau2(self, y: Array, v: Array, X: Array) -> tuple[float, list[str]]:
        tau2, _, notes = _tau2_reml(
            y,
            v,
            X,
            tau2_init=self.tau2_init,
            tol=self.tol,
            max_iter=self.max_iter,
            fallback=self.fallback,
        )
        return tau2, notes


class PauleMandel(_InverseVariance):
    """Random effects with the Paule-Mandel (1982) tau^2 (metafor ``method="PM"``).

    The root of ``sum w*(y - mu*)^2 = k - 1`` in tau^2 (Brent's method), or 0
    when Q at tau^2 = 0 is already below k - 1.
    """

    method = "PM"

    def __init__(
        self,
        *,
        test: Test = "z",
        level: float = 0.95,
        pi: PiDist | None = None,
        i2: I2Basis | None = None,
        egger: bool = False,
        exp: bool | None = None,
        tol: float = 1e-12,
    ) -> None:
        super().__init__(test=test, level=level, pi=pi, i2=i2, egger=egger, exp=exp)
        if not (tol > 0 and math.isfinite(tol)):
            raise PoolingError(f"tol must be > 0, got {tol!r}", method="PM")
        self.tol = tol

    def _tau2(self, y: Array, v: Array, X: Array) -> tuple[float, list[str]]:
        return _tau2_pm(y, v, X, tol=self.tol), []


# --------------------------------------------------------------------------- Mantel-Haenszel


class MantelHaenszel:
    """Mantel-Haenszel common effect for OR, RR or RD (metafor ``rma.mh``).

    The pooled estimate uses the raw cell counts (no continuity correction):

    * OR: ``log(sum(ai di / Ni) / sum(bi ci / Ni))`` with the Robins, Breslow &
      Greenland (1986) variance;
    * RR: ``log(sum(ai n2i / Ni) / sum(ci n1i / Ni))`` with the Greenland &
      Robins (1985) variance;
    * RD: ``sum((ai n2i - ci n1i) / Ni) / sum(n1i n2i / Ni)`` with the
      Sato, Greenland & Robins (1989) variance (``rd_variance="sato"``, as
      metafor), or the Greenland & Robins (1985) one (``"greenland_robins"``,
      as RevMan).

    Heterogeneity follows metafor: ``Q = sum (yi - est)^2 / vi`` over the
    studies whose own effect is defined, with yi/vi from :func:`binary_effects`
    (``add``, ``to``, ``drop00``), ``df = k_yi - 1``, Q-based I2 and H2.
    Weights are the MH weights in percent.
    """

    method = "MH"

    def __init__(
        self,
        measure: str = "OR",
        *,
        level: float = 0.95,
        add: float = 0.5,
        to: str = "only0",
        drop00: bool = True,
        rd_variance: Literal["sato", "greenland_robins"] = "sato",
        egger: bool = False,
        exp: bool | None = None,
        test: str = "z",
        i2: str | None = None,
        pi: str | None = None,
    ) -> None:
        if measure not in ("OR", "RR", "RD"):
            raise PoolingError(
                f"Mantel-Haenszel measure {measure!r} unknown; allowed: OR, RR, RD", method="MH"
            )
        if not (isinstance(level, int | float) and 0 < level < 1):
            raise PoolingError(f"level must be in (0, 1), got {level!r}", method="MH")
        if rd_variance not in ("sato", "greenland_robins"):
            raise PoolingError(
                f"rd_variance {rd_variance!r} unknown; allowed: sato, greenland_robins",
                method="MH",
            )
        if test != "z":
            raise PoolingError(
                f"test {test!r} is not available with Mantel-Haenszel; allowed: z", method="MH"
            )
        if i2 not in (None, "Q", "tau2"):
            raise PoolingError(f"i2 {i2!r} unknown; allowed: tau2, Q", method="MH")
        if pi not in (None, "z"):
            raise PoolingError(
                f"pi {pi!r} is not available with Mantel-Haenszel (tau2 = 0); allowed: z",
                method="MH",
            )
        self.measure = measure
        self.level = float(level)
        self.add = add
        self.to = to
        self.drop00 = drop00
        self.rd_variance = rd_variance
        self.egger = egger
        self.exp = exp
        self.i2 = i2

    def __repr__(self) -> str:
        return f"MantelHaenszel({self.measure!r}, level={self.level!r})"

    def fit(self, tables: Sequence[Table2x2]) -> PoolResult:
        """Pool 2x2 tables.

        Raises
        ------
        PoolingError
            No tables, or a pooled estimate that is undefined (for example no
            events at all in one group across studies).
        EffectSizeError
            Invalid counts in a table.
        """
        if not tables:
            raise PoolingError("no studies to pool (k = 0)", method="MH", k=0)
        tables = [t.validated() for t in tables]
        ids = tuple(t.study_id for t in tables)
        if len(set(ids)) != len(ids):
            raise PoolingError("duplicate study ids", method="MH")
        a, b, c, d = (
            np.array([t.ai for t in tables], dtype=float),
            np.array([t.bi for t in tables], dtype=float),
            np.array([t.ci for t in tables], dtype=float),
            np.array([t.di for t in tables], dtype=float),
        )
        n1, n2 = a + b, c + d
        n = n1 + n2
        k = len(tables)
        notes: list[str] = []
        if self.measure == "OR":
            r, s = a * d / n, b * c / n
            big_r, big_s = r.sum(), s.sum()
            self._defined(big_r, big_s, k)
            est = math.log(big_r / big_s)
            pp, qq = (a + d) / n, (b + c) / n
            var = (
                np.sum(pp * r) / (2 * big_r**2)
                + np.sum(pp * s + qq * r) / (2 * big_r * big_s)
                + np.sum(qq * s) / (2 * big_s**2)
            )
            wts = s
        elif self.measure == "RR":
            r, s = a * n2 / n, c * n1 / n
            big_r, big_s = r.sum(), s.sum()
            self._defined(big_r, big_s, k)
            est = math.log(big_r / big_s)
            var = np.sum((n1 * n2 * (a + c) - a * c * n) / n**2) / (big_r * big_s)
            wts = s
        else:
            wts = n1 * n2 / n
            big_w = wts.sum()
            est = float(np.sum((a * n2 - c * n1) / n) / big_w)
            if self.rd_variance == "sato":
                pp = (n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2
                qq = (a * (n2 - c) + c * (n1 - a)) / (2 * n)
                var = (est * pp.sum() + qq.sum()) / big_w**2
            else:
                var = np.sum((a * b * n2**3 + c * d * n1**3) / (n1 * n2 * n**2)) / big_w**2
        var = float(var)
        if not (math.isfinite(var) and var > 0):
            raise PoolingError(
                f"Mantel-Haenszel {self.measure}: variance {var!r} is not positive "
                "(no events, or only events, in every study?)",
                method="MH",
                k=k,
            )
        se = math.sqrt(var)
        crit = _z_isf((1 - self.level) / 2)
        made = binary_effects(tables, self.measure, add=self.add, to=self.to, drop00=self.drop00)
        by_id = {e.study_id: e for e in made.effects}
        yi = tuple(by_id[i].yi if i in by_id else None for i in ids)
        vi = tuple(by_id[i].vi if i in by_id else None for i in ids)
        for dropped in made.dropped:
            notes.append(
                f"study {dropped.study_id}: {dropped.reason} per-study effect (it still "
                "enters the MH estimate)"
            )
        q = q_df = q_p = i2 = h2 = None
        if len(made.effects) >= 2:
            ys = np.array([e.yi for e in made.effects])
            ws = 1 / np.array([e.vi for e in made.effects])
            q = float(np.sum(ws * (ys - est) ** 2))
            q_df = len(made.effects) - 1
            q_p = _chi2_sf(q, q_df)
            i2 = max(0.0, 100 * (q - q_df) / q) if q > 0 else 0.0
            h2 = q / q_df
        else:
            notes.append("fewer than 2 studies with a defined effect: Q, I2, H2 are null")
        if self.i2 == "tau2":
            notes.append("Mantel-Haenszel: I2/H2 are Q-based (tau2 is 0 by assumption)")
        zval = est / se
        result = PoolResult(
            method="MH",
            measure=self.measure,
            k=k,
            estimate=est,
            se=se,
            zval=zval,
            pval=_p_value(zval, None),
            ci_lb=est - crit * se,
            ci_ub=est + crit * se,
            estimate_fe=est,
            se_fe=se,
            ci_lb_fe=est - crit * se,
            ci_ub_fe=est + crit * se,
            tau2=0.0,
            tau=0.0,
            Q=q,
            Q_df=q_df,
            Q_p=q_p,
            I2=i2,
            H2=h2,
            pi_lb=est - crit * se,
            pi_ub=est + crit * se,
            study_ids=ids,
            yi=yi,
            vi=vi,
            sei=tuple(None if x is None else math.sqrt(x) for x in vi),
            weights=tuple(float(x) for x in 100 * wts / wts.sum()),
            test="z",
            df=None,
            level=self.level,
            i2_basis="Q",
            pi_dist="z",
            dropped=tuple((x.study_id, x.reason) for x in made.dropped),
        )
        if self.egger:
            if len(made.effects) >= 3:
                notes.append("Egger's test for MH uses the inverse-variance per-study effects")
                ys = np.array([e.yi for e in made.effects])
                vs = np.array([e.vi for e in made.effects])
                result = _with_egger(result, ys, vs, FixedEffect(level=self.level), notes)
            else:
                notes.append("Egger's test needs k >= 3: egger fields are null")
        if _wants_exp(self.measure, self.exp):
            result = _with_exp(result)
        return replace(result, notes=tuple(notes))

    def _defined(self, big_r: float, big_s: float, k: int) -> None:
        if not (big_r > 0 and big_s > 0):
            raise PoolingError(
                f"Mantel-Haenszel {self.measure} is undefined: a sum of MH weights is 0 "
                f"(R={big_r:g}, S={big_s:g}); no events (or no non-events) in one group "
                "across all studies",
                method="MH",
                k=k,
            )


Estimator = FixedEffect | DerSimonianLaird | REML | PauleMandel | MantelHaenszel


def estimator(method: str, measure: str | None = None, **options: Any) -> Estimator:
    """Build the estimator named by metafor's ``method`` code.

    ``method`` is one of FE, DL, REML, PM, MH; ``options`` go to its
    constructor (MH also needs ``measure`` OR, RR or RD).
    """
    if method == "MH":
        return MantelHaenszel(measure or "OR", **options)
    classes: dict[str, Callable[..., _InverseVariance]] = {
        "FE": FixedEffect,
        "DL": DerSimonianLaird,
        "REML": REML,
        "PM": PauleMandel,
    }
    if method not in classes:
        raise PoolingError(f"method {method!r} unknown; allowed: {', '.join(METHODS)}")
    return classes[method](**options)  # type: ignore[return-value]


# --------------------------------------------------------------------------- Egger


@dataclass(frozen=True, slots=True)
class EggerResult:
    """Egger's regression test as metafor ``regtest(model="rma", predictor="sei")``."""

    k: int
    stat: float
    df: int | None
    pval: float
    slope: float
    slope_se: float
    limit_estimate: float
    limit_se: float
    limit_ci_lb: float
    limit_ci_ub: float
    tau2: float


def _egger_arrays(
    y: Array, v: Array, est: _InverseVariance, *, method: str | None = None
) -> EggerResult:
    k = len(y)
    if k < 3:
        raise PoolingError("Egger's test needs k >= 3", method=method or est.method, k=k)
    X = np.column_stack([np.ones(k), np.sqrt(v)])
    tau2 = est.tau2_of(y, v, X)
    model = _fit_model(y, v, X, tau2, est.test, est.level, method=est.method)
    b0, b1 = float(model.b[0]), float(model.b[1])
    se0, se1 = math.sqrt(float(model.vb[0, 0])), math.sqrt(float(model.vb[1, 1]))
    stat = b1 / se1
    return EggerResult(
        k=k,
        stat=stat,
        df=model.df,
        pval=_p_value(stat, model.df),
        slope=b1,
        slope_se=se1,
        limit_estimate=b0,
        limit_se=se0,
        limit_ci_lb=b0 - model.crit * se0,
        limit_ci_ub=b0 + model.crit * se0,
        tau2=tau2,
    )


def egger_test(effects: Sequence[Effect], est: _InverseVariance | None = None) -> EggerResult:
    """Egger's regression test with the limit estimate.

    Fits ``yi = b0 + b1 sei`` with the estimator's tau^2 method and test
    (default REML, z), as metafor ``regtest(rma(yi, vi), model="rma",
    predictor="sei")``: the test of ``b1 = 0`` is the asymmetry test, ``b0``
    the limit estimate (the effect as sei -> 0).
    """
    est = est or REML()
    y, v, _ = _as_arrays(effects, est.method)
    return _egger_arrays(y, v, est)


def _with_egger(
    result: PoolResult, y: Array, v: Array, est: _InverseVariance, notes: list[str]
) -> PoolResult:
    if len(y) < 3:
        notes.append("Egger's test needs k >= 3: egger fields are null")
        return result
    eg = _egger_arrays(y, v, est)
    return replace(
        result,
        egger_t=eg.stat,
        egger_df=eg.df,
        egger_p=eg.pval,
        limit_estimate=eg.limit_estimate,
        limit_ci_lb=eg.limit_ci_lb,
        limit_ci_ub=eg.limit_ci_ub,
    )


# --------------------------------------------------------------------------- beyond one pool

Study = Effect | Table2x2


def _sid(s: Study) -> str:
    return s.study_id


def fit_any(est: Estimator, studies: Sequence[Study]) -> PoolResult:
    """Fit ``studies`` with any estimator (tables for MH, Effect records otherwise)."""
    if isinstance(est, MantelHaenszel):
        if not all(isinstance(s, Table2x2) for s in studies):
            raise PoolingError("Mantel-Haenszel needs 2x2 tables (Table2x2)", method="MH")
        return est.fit(studies)  # type: ignore[arg-type]
    if not all(isinstance(s, Effect) for s in studies):
        raise PoolingError("inverse-variance methods need Effect records", method=est.method)
    return est.fit(studies)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SubgroupResult:
    """Per-subgroup pools and the test for subgroup differences.

    ``Q_between`` is the inverse-variance fixed-effect Q of the subgroup
    estimates around their weighted mean, with weights ``1/se_g^2`` where each
    subgroup keeps its own tau^2 (RevMan's test for subgroup differences;
    Borenstein et al. 2009 ch. 19 "separate estimates of tau^2"; in metafor:
    separate ``rma`` fits, then ``rma(estimates, sei=ses, method="FE")``).
    """

    key: str | None
    overall: PoolResult
    groups: tuple[str, ...]
    results: tuple[PoolResult, ...]
    Q_between: float | None
    Q_between_df: int | None
    Q_between_p: float | None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "Q_between": self.Q_between,
            "Q_between_df": self.Q_between_df,
            "Q_between_p": self.Q_between_p,
            "subgroups": {g: r.to_dict() for g, r in zip(self.groups, self.results, strict=True)},
            "notes": list(self.notes),
        }


def subgroup_analysis(
    studies: Sequence[Study],
    groups: Sequence[Hashable],
    est: Estimator,
    *,
    key: str | None = None,
) -> SubgroupResult:
    """Pool each subgroup separately and test for differences between them.

    ``groups[i]`` labels ``studies[i]``; group order is first appearance.
    Needs at least two subgroups for the test (fields are null otherwise).
    """
    if len(groups) != len(studies):
        raise PoolingError(
            f"{len(groups)} subgroup labels for {len(studies)} studies", method=_m(est)
        )
    order: dict[str, list[Study]] = {}
    for g, s in zip(groups, studies, strict=True):
        if g is None:
            raise PoolingError(f"study {_sid(s)} has no subgroup label", method=_m(est))
        order.setdefault(str(g), []).append(s)
    results = tuple(fit_any(est, members) for members in order.values())
    overall = fit_any(est, studies)
    notes: list[str] = [
        "subgroup test: fixed-effect Q across subgroup estimates, each subgroup with its own tau2"
    ]
    qb = qb_df = qb_p = None
    if len(results) >= 2:
        e = np.array([r.estimate for r in results])
        w = 1 / np.array([r.se for r in results]) ** 2
        mu = float(np.sum(w * e) / w.sum())
        qb = float(np.sum(w * (e - mu) ** 2))
        qb_df = len(results) - 1
        qb_p = _chi2_sf(qb, qb_df)
    else:
        notes.append("only one subgroup: no test for subgroup differences")
    return SubgroupResult(key, overall, tuple(order), results, qb, qb_df, qb_p, tuple(notes))


@dataclass(frozen=True, slots=True)
class LeaveOneOut:
    """The pool without study ``omitted``."""

    omitted: str
    result: PoolResult


def leave_one_out(studies: Sequence[Study], est: Estimator) -> tuple[LeaveOneOut, ...]:
    """Refit leaving out each study in turn (metafor ``leave1out``); needs k >= 2."""
    if len(studies) < 2:
        raise PoolingError("leave-one-out needs k >= 2", method=_m(est), k=len(studies))
    return tuple(
        LeaveOneOut(_sid(s), fit_any(est, [t for j, t in enumerate(studies) if j != i]))
        for i, s in enumerate(studies)
    )


@dataclass(frozen=True, slots=True)
class CumulativeStep:
    """The pool after adding study ``added`` (and every study before it)."""

    added: str
    result: PoolResult


def cumulative(
    studies: Sequence[Study],
    est: Estimator,
    order: Sequence[Any] | None = None,
) -> tuple[CumulativeStep, ...]:
    """Cumulative meta-analysis (metafor ``cumul``).

    Studies are added in the order of ``order`` (sort keys such as
    publication year, ties kept in input order), or in input order when it
    is None. The first step has k = 1 and is the study itself.
    """
    idx = list(range(len(studies)))
    if order is not None:
        if len(order) != len(studies):
            raise PoolingError(
                f"{len(order)} order keys for {len(studies)} studies", method=_m(est)
            )
        missing = [_sid(studies[i]) for i in idx if order[i] is None]
        if missing:
            raise PoolingError(
                f"studies without an order key: {', '.join(missing)}", method=_m(est)
            )
        idx.sort(key=lambda i: order[i])
    ordered = [studies[i] for i in idx]
    return tuple(
        CumulativeStep(_sid(ordered[j]), fit_any(est, ordered[: j + 1]))
        for j in range(len(ordered))
    )


def _m(est: Estimator) -> str:
    return est.method


@dataclass(frozen=True, slots=True)
class MetaRegressionResult:
    """A mixed-effects meta-regression on one moderator (metafor ``rma(yi, vi, mods=~x)``).

    ``QM`` is the omnibus test of the slope (chi^2 with 1 df, or F(1, k-2)
    with ``test="hk"``); ``QE`` the test for residual heterogeneity;
    ``tau2`` the residual tau^2; ``R2`` the percentage of tau^2 accounted for
    (metafor's pseudo-R^2, from the intercept-only fit with the same method);
    ``I2``/``H2`` residual, tau2-based.
    """

    moderator: str | None
    method: str
    test: str
    k: int
    intercept: float
    intercept_se: float
    intercept_zval: float
    intercept_pval: float
    intercept_ci_lb: float
    intercept_ci_ub: float
    slope: float
    slope_se: float
    slope_zval: float
    slope_pval: float
    slope_ci_lb: float
    slope_ci_ub: float
    tau2: float
    tau: float
    QM: float
    QM_df: int
    QM_p: float
    QE: float
    QE_df: int
    QE_p: float
    I2: float
    H2: float
    R2: float | None
    df: int | None
    study_ids: tuple[str, ...]
    x: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            out[name] = value
        return out


def meta_regression(
    effects: Sequence[Effect],
    moderator: Sequence[float],
    *,
    method: str = "REML",
    test: Test = "z",
    level: float = 0.95,
    name: str | None = None,
) -> MetaRegressionResult:
    """Meta-regression of ``yi`` on one moderator with residual tau^2 (default REML).

    Weighted least squares with weights ``1/(vi + tau2)`` where tau2 is
    estimated by ``method`` (REML, DL, PM or FE) from the residuals, as
    metafor's ``rma(yi, vi, mods = ~ x, method=...)``; ``test="hk"`` uses the
    Knapp-Hartung adjustment with t(k-2). Needs k >= 3 and a moderator that
    varies.
    """
    est = estimator(method, test=test, level=level)
    assert isinstance(est, _InverseVariance)
    y, v, _ = _as_arrays(effects, est.method)
    k = len(y)
    if len(moderator) != k:
        raise PoolingError(f"{len(moderator)} moderator values for {k} studies", method=method)
    x = np.array([np.nan if m is None else m for m in moderator], dtype=float)
    bad = [effects[i].study_id for i in range(k) if not math.isfinite(x[i])]
    if bad:
        raise PoolingError(
            f"moderator {name or ''} missing or non-finite for studies: {', '.join(bad)}",
            method=method,
            k=k,
        )
    if k < 3:
        raise PoolingError("meta-regression needs k >= 3", method=method, k=k)
    if np.ptp(x) == 0:
        raise PoolingError(
            f"moderator {name or ''} has the same value in every study", method=method, k=k
        )
    X = np.column_stack([np.ones(k), x])
    tau2 = est.tau2_of(y, v, X)
    model = _fit_model(y, v, X, tau2, test, level, method=method)
    b = model.b
    se = np.sqrt(np.diag(model.vb))
    stat = b / se
    qm = float(stat[1] ** 2)
    qm_p = _chi2_sf(qm, 1) if model.df is None else float(stats.f.sf(qm, 1, model.df))
    w_fe = 1 / v
    _, a_inv, e = _wls(y, w_fe, X)
    qe = float(np.sum(w_fe * e * e))
    s2 = (k - 2) / _trace_p(w_fe, X, a_inv)
    r2 = None
    if est.method != "FE":
        tau2_0 = est.tau2_of(y, v, np.ones((k, 1)))
        r2 = max(0.0, 100 * (tau2_0 - tau2) / tau2_0) if tau2_0 > 0 else None
    return MetaRegressionResult(
        moderator=name,
        method=est.method,
        test=test,
        k=k,
        intercept=float(b[0]),
        intercept_se=float(se[0]),
        intercept_zval=float(stat[0]),
        intercept_pval=_p_value(float(stat[0]), model.df),
        intercept_ci_lb=float(b[0] - model.crit * se[0]),
        intercept_ci_ub=float(b[0] + model.crit * se[0]),
        slope=float(b[1]),
        slope_se=float(se[1]),
        slope_zval=float(stat[1]),
        slope_pval=_p_value(float(stat[1]), model.df),
        slope_ci_lb=float(b[1] - model.crit * se[1]),
        slope_ci_ub=float(b[1] + model.crit * se[1]),
        tau2=tau2,
        tau=math.sqrt(tau2),
        QM=qm,
        QM_df=1,
        QM_p=qm_p,
        QE=qe,
        QE_df=k - 2,
        QE_p=_chi2_sf(qe, k - 2),
        I2=100 * tau2 / (tau2 + s2),
        H2=(tau2 + s2) / s2,
        R2=r2,
        df=model.df,
        study_ids=tuple(e.study_id for e in effects),
        x=tuple(float(t) for t in x),
    )
