"""Pooling estimators (miner.pool): metafor values, cross-checks, properties, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from miner import effects as fx
from miner.errors import EffectSizeError, PoolingError
from miner.pool import (
    REML,
    DerSimonianLaird,
    FixedEffect,
    MantelHaenszel,
    PauleMandel,
    cumulative,
    egger_test,
    estimator,
    leave_one_out,
    meta_regression,
    subgroup_analysis,
)
from miner.records import Effect, PoolResult
from tests.reference import bcg_tables, meta_dev_case


def _effects(yi, vi, measure="GEN") -> list[Effect]:
    return [
        fx.generic(f"s{i + 1}", y, v, measure=measure)
        for i, (y, v) in enumerate(zip(yi, vi, strict=True))
    ]


def _bcg_rr() -> list[Effect]:
    return list(fx.binary_effects(bcg_tables(), "RR").effects)


def _kacker() -> list[Effect]:
    cols = meta_dev_case("kacker2004_dl")["input"]
    return _effects(cols["yi"], cols["vi"])


# Absolute latitude of the 13 dat.bcg trials (metafor's `ablat` column), in the
# order of the case file; a published covariate of the trials, used as moderator.
BCG_ABLAT = [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33]


# ---------------------------------------------------------------- metafor reference values


def test_bcg_meta_regression_on_latitude_matches_metafor() -> None:
    # metafor docs, rma(yi, vi, mods = ~ ablat, data=dat) on dat.bcg log RR (REML), printed
    # to 4 decimals (2 for I2/H2/R2): tolerance is half a unit in the last printed place.
    # QM and zval depend on where Fisher scoring stops (metafor's threshold 1e-5): with
    # metafor's start and rule we print 16.3571 / -4.0444 as metafor does.
    r = meta_regression(_bcg_rr(), BCG_ABLAT, method="REML", name="ablat")
    expected = {
        "intercept": (0.2515, 5e-5),
        "intercept_se": (0.2491, 5e-5),
        "slope": (-0.0291, 5e-5),
        "slope_se": (0.0072, 5e-5),
        "slope_zval": (-4.0444, 5e-5),
        "slope_ci_lb": (-0.0432, 5e-5),
        "slope_ci_ub": (-0.0150, 5e-5),
        "tau2": (0.0764, 5e-5),
        "tau": (0.2763, 5e-5),
        "QM": (16.3571, 5e-5),
        "QE": (30.7331, 5e-5),
        "I2": (68.39, 5e-3),
        "H2": (3.16, 5e-3),
        "R2": (75.62, 5e-3),
    }
    for field, (value, tol) in expected.items():
        assert getattr(r, field) == pytest.approx(value, abs=tol), field
    assert r.QE_df == 11 and r.QM_df == 1 and r.df is None


def test_meta_regression_hk_uses_t_with_k_minus_2() -> None:
    z = meta_regression(_bcg_rr(), BCG_ABLAT)
    t = meta_regression(_bcg_rr(), BCG_ABLAT, test="hk")
    assert t.df == 11 and t.slope == pytest.approx(z.slope)
    assert t.slope_pval == pytest.approx(2 * stats.t.sf(abs(t.slope_zval), 11))


# ---------------------------------------------------------------- cross-checks (statsmodels)


@pytest.mark.parametrize(
    ("est", "method_re"),
    [(DerSimonianLaird(), "chi2"), (PauleMandel(), "iterated")],
    ids=["DL", "PM"],
)
def test_random_effects_match_statsmodels(est, method_re) -> None:
    sm = pytest.importorskip("statsmodels.stats.meta_analysis")
    effects = _kacker()
    y = np.array([e.yi for e in effects])
    v = np.array([e.vi for e in effects])
    ref = sm.combine_effects(y, v, method_re=method_re)
    got = est.fit(effects)
    # statsmodels iterates PM to its own tolerance (~1e-6 in tau2 here); DL is closed form
    tol = 1e-9 if method_re == "chi2" else 1e-5
    assert got.tau2 == pytest.approx(ref.tau2, rel=tol)
    assert got.estimate == pytest.approx(ref.mean_effect_re, rel=tol)
    assert got.se == pytest.approx(ref.sd_eff_w_re, rel=tol)
    # y is about 62 with spreads of 0.1: Q loses ~4 digits to cancellation
    assert pytest.approx(ref.q, rel=1e-9) == got.Q
    assert got.estimate_fe == pytest.approx(ref.mean_effect_fe, rel=1e-9)
    # statsmodels' "wls" random-effects SE is the Hartung-Knapp SE (no truncation)
    hk = type(est)(test="hk").fit(effects)
    frame = ref.summary_frame()
    assert hk.se == pytest.approx(frame.loc["random effect wls", "sd_eff"], rel=tol)


def test_egger_fe_hk_is_the_classical_egger_regression() -> None:
    # Classical Egger (1997): OLS of yi/sei on 1/sei; the intercept is the bias
    # coefficient, tested with t(k-2). It is the same regression as yi on sei
    # weighted by 1/vi, with a multiplicative scale = FE with the Knapp-Hartung SE.
    sm_api = pytest.importorskip("statsmodels.api")
    effects = _bcg_rr()
    y = np.array([e.yi for e in effects])
    se = np.sqrt([e.vi for e in effects])
    ols = sm_api.OLS(y / se, sm_api.add_constant(1 / se)).fit()
    eg = egger_test(effects, FixedEffect(test="hk"))
    assert eg.df == len(effects) - 2
    assert eg.stat == pytest.approx(ols.tvalues[0], rel=1e-9)
    assert eg.pval == pytest.approx(ols.pvalues[0], rel=1e-9)
    assert eg.limit_estimate == pytest.approx(ols.params[1], rel=1e-9)


def test_egger_fields_on_pool_result() -> None:
    r = REML(egger=True).fit(_bcg_rr())
    eg = egger_test(_bcg_rr(), REML())
    assert r.egger_t == eg.stat and r.egger_p == eg.pval and r.egger_df is None
    assert r.limit_ci_lb < r.limit_estimate < r.limit_ci_ub


# ---------------------------------------------------------------- formulas


def test_hartung_knapp_formula() -> None:
    effects = _bcg_rr()
    z = DerSimonianLaird().fit(effects)
    hk = DerSimonianLaird(test="hk").fit(effects)
    y, v = np.array(z.yi, dtype=float), np.array(z.vi, dtype=float)
    w = 1 / (v + z.tau2)
    s2w = np.sum(w * (y - z.estimate) ** 2) / (len(y) - 1)
    assert hk.se == pytest.approx(math.sqrt(s2w / w.sum()), rel=1e-12)
    crit = stats.t.isf(0.025, len(y) - 1)
    assert hk.ci_lb == pytest.approx(hk.estimate - crit * hk.se, rel=1e-12)
    assert hk.df == 12 and hk.pi_dist == "t_k-1"


@pytest.mark.parametrize("dist", ["z", "t_k-1", "t_k-2"])
def test_prediction_interval(dist: str) -> None:
    r = REML(pi=dist).fit(_bcg_rr())
    crit = {
        "z": stats.norm.isf(0.025),
        "t_k-1": stats.t.isf(0.025, 12),
        "t_k-2": stats.t.isf(0.025, 11),
    }[dist]
    half = crit * math.sqrt(r.se**2 + r.tau2)
    assert (r.pi_lb, r.pi_ub) == pytest.approx((r.estimate - half, r.estimate + half))


@pytest.mark.parametrize("basis", ["tau2", "Q"])
def test_i2_h2_bases(basis: str) -> None:
    r = DerSimonianLaird(i2=basis).fit(_kacker())
    if basis == "Q":
        assert pytest.approx(100 * (r.Q - 8) / r.Q) == r.I2 and pytest.approx(r.Q / 8) == r.H2
    else:
        w = 1 / np.array(r.vi, dtype=float)
        s2 = 8 * w.sum() / (w.sum() ** 2 - (w**2).sum())
        assert pytest.approx(100 * r.tau2 / (r.tau2 + s2)) == r.I2
    assert r.i2_basis == basis


def test_fixed_effect_reports_q_based_i2() -> None:
    r = FixedEffect(i2="tau2").fit(_kacker())
    assert r.tau2 == 0 and r.i2_basis == "Q" and any("Q-based" in n for n in r.notes)


def test_weights_are_percent() -> None:
    for est in (FixedEffect(), DerSimonianLaird(), REML(), PauleMandel()):
        assert sum(est.fit(_kacker()).weights) == pytest.approx(100.0)


def test_reml_tight_tolerance_moves_only_past_metafor_precision() -> None:
    a, b = REML().fit(_bcg_rr()), REML(tol=1e-12).fit(_bcg_rr())
    assert a.tau2 == pytest.approx(b.tau2, abs=1e-5)


# ---------------------------------------------------------------- Mantel-Haenszel


@pytest.mark.parametrize("measure", ["OR", "RR", "RD"])
def test_mh_single_table_reduces_to_the_crude_estimate(measure: str) -> None:
    # With one stratum the MH estimator is the crude one and the RBG / Greenland-Robins /
    # Sato variances reduce to the usual large-sample variance of that table.
    t = fx.Table2x2("one", 30, 70, 50, 70)
    crude = fx.binary_effect(t, measure)
    r = MantelHaenszel(measure).fit([t])
    assert r.estimate == pytest.approx(crude.yi, rel=1e-12)
    assert r.se**2 == pytest.approx(crude.vi, rel=1e-12)
    assert r.Q is None and any("fewer than 2" in n for n in r.notes)


def test_mh_rd_variance_options_agree_in_large_strata() -> None:
    a = MantelHaenszel("RD").fit(bcg_tables())
    b = MantelHaenszel("RD", rd_variance="greenland_robins").fit(bcg_tables())
    assert a.estimate == b.estimate and a.se == pytest.approx(b.se, rel=0.02)


def test_mh_keeps_double_zero_study_out_of_q_only() -> None:
    tables = [*bcg_tables()[:4], fx.Table2x2("zero", 0, 50, 0, 50)]
    r = MantelHaenszel("OR").fit(tables)
    ref = MantelHaenszel("OR").fit(tables[:4])
    assert r.k == 5 and r.Q_df == 3
    assert r.estimate == pytest.approx(ref.estimate) and r.yi[-1] is None
    assert r.dropped[0][0] == "zero"


def test_mh_all_zero_is_an_error() -> None:
    with pytest.raises(PoolingError, match="undefined"):
        MantelHaenszel("OR").fit([fx.Table2x2("a", 0, 10, 0, 10), fx.Table2x2("b", 0, 8, 0, 9)])


@pytest.mark.parametrize(
    "kwargs",
    [{"measure": "MD"}, {"test": "hk"}, {"rd_variance": "x"}, {"level": 1.5}],
    ids=["measure", "hk", "rd-variance", "level"],
)
def test_mh_constructor_validates(kwargs) -> None:
    with pytest.raises(PoolingError):
        MantelHaenszel(**kwargs)


# ---------------------------------------------------------------- edge cases


def test_k1_is_the_study_itself() -> None:
    r = REML(test="hk", egger=True).fit(_effects([0.3], [0.04]))
    assert (r.k, r.estimate, r.se, r.tau2) == (1, 0.3, pytest.approx(0.2), 0.0)
    assert r.Q is None and r.I2 is None and r.H2 is None and r.pi_lb is None
    assert r.egger_t is None and any("k = 1" in n for n in r.notes)
    assert r.ci_lb == pytest.approx(0.3 - stats.norm.isf(0.025) * 0.2)


def test_k2_works_and_t_k2_interval_is_null() -> None:
    r = DerSimonianLaird(test="hk", pi="t_k-2").fit(_effects([0.1, 0.5], [0.02, 0.03]))
    assert r.k == 2 and r.df == 1 and r.Q_df == 1
    assert r.pi_lb is None and any("t_k-2" in n for n in r.notes)


@pytest.mark.parametrize(
    ("yi", "vi", "match"),
    [
        ([0.1, 0.2], [0.01, 0.0], "must be > 0"),
        ([0.1, math.nan], [0.01, 0.02], "non-finite"),
        ([0.1, 0.2], [0.01, math.inf], "non-finite"),
    ],
    ids=["zero-variance", "nan-yi", "inf-vi"],
)
def test_bad_study_values_raise(yi, vi, match) -> None:
    effects = [Effect(f"s{i}", "GEN", y, v) for i, (y, v) in enumerate(zip(yi, vi, strict=True))]
    with pytest.raises(PoolingError, match=match):
        REML().fit(effects)


def test_no_studies_mixed_measures_duplicates() -> None:
    with pytest.raises(PoolingError, match="k = 0"):
        REML().fit([])
    with pytest.raises(PoolingError, match="mix measures"):
        REML().fit([Effect("a", "MD", 1, 1), Effect("b", "SMD", 1, 1)])
    with pytest.raises(PoolingError, match="twice"):
        REML().fit([Effect("a", "MD", 1, 1), Effect("a", "MD", 2, 1)])


def test_reml_non_convergence_is_an_error_without_fallback() -> None:
    with pytest.raises(PoolingError, match="did not converge"):
        REML(max_iter=1, tol=1e-15, fallback=False).fit(_bcg_rr())


def test_reml_fallback_solves_the_score_equation_when_scoring_oscillates() -> None:
    # Fisher scoring from tau2 = 0 oscillates between ~0.03 and ~0.4 on these data
    # (metafor stops with "did not converge"); the fallback finds the REML optimum.
    effects = _effects([0, 0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 2, 0.03125, 0.0625])
    r = REML().fit(effects)
    assert any("score equation" in n for n in r.notes)
    exact = REML(tol=1e-13, max_iter=100_000).fit(effects)
    assert r.tau2 == pytest.approx(exact.tau2, rel=1e-8)
    with pytest.raises(PoolingError, match="did not converge"):
        REML(fallback=False).fit(effects)


@pytest.mark.parametrize(
    ("y", "v"),
    [
        ([0.2, 0.2, 0.2], [0.1, 0.2, 0.3]),
        ([-1.3] * 4, [0.05, 0.3, 0.7, 0.11]),
        ([0.0] * 3, [1, 2, 3]),
    ],
    ids=["three", "four-negative", "zeros"],
)
def test_hk_with_identical_studies_is_an_error_not_nan(y: list[float], v: list[float]) -> None:
    # Residuals are rounding noise (not exactly 0) for most values: still an error.
    with pytest.raises(PoolingError, match="Hartung-Knapp"):
        DerSimonianLaird(test="hk").fit(_effects(y, v))


@pytest.mark.parametrize(
    "kwargs",
    [{"test": "t"}, {"pi": "t"}, {"i2": "H"}, {"level": 95}],
    ids=["test", "pi", "i2", "level"],
)
def test_constructors_name_allowed_values(kwargs) -> None:
    with pytest.raises(PoolingError) as err:
        REML(**kwargs)
    assert "allowed" in str(err.value) or "(0, 1)" in str(err.value)


def test_estimator_factory() -> None:
    assert isinstance(estimator("PM", test="hk"), PauleMandel)
    assert isinstance(estimator("MH", "RR"), MantelHaenszel)
    with pytest.raises(PoolingError, match="allowed: FE, DL, REML, PM, MH"):
        estimator("HS")


def test_to_dict_has_no_nan_and_exp_fields_for_ratios() -> None:
    r = REML().fit(_effects([0.3], [0.04], measure="RR"))
    d = r.to_dict()
    assert d["estimate_exp"] == pytest.approx(math.exp(0.3)) and d["pi_lb_exp"] is None
    assert all(not (isinstance(v, float) and not math.isfinite(v)) for v in d.values())
    md = REML().fit(_effects([0.3, 0.1], [0.04, 0.05], measure="MD"))
    assert md.estimate_exp is None


def test_effect_size_error_is_not_swallowed() -> None:
    with pytest.raises(EffectSizeError):
        MantelHaenszel().fit([fx.Table2x2("neg", -1, 3, 2, 2)])


# ---------------------------------------------------------------- beyond one pool


def test_subgroups_with_own_tau2_and_between_q() -> None:
    effects = _bcg_rr()
    labels = ["north" if lat >= 33 else "south" for lat in BCG_ABLAT]
    res = subgroup_analysis(effects, labels, REML(), key="climate")
    assert res.groups == ("north", "south")
    parts = {
        g: REML().fit([e for e, lab in zip(effects, labels, strict=True) if lab == g])
        for g in res.groups
    }
    for g, r in zip(res.groups, res.results, strict=True):
        assert r.estimate == pytest.approx(parts[g].estimate) and r.tau2 == parts[g].tau2
    est = np.array([parts[g].estimate for g in res.groups])
    w = 1 / np.array([parts[g].se for g in res.groups]) ** 2
    q = np.sum(w * (est - np.sum(w * est) / w.sum()) ** 2)
    assert res.Q_between == pytest.approx(q) and res.Q_between_df == 1
    assert res.Q_between_p == pytest.approx(stats.chi2.sf(q, 1))


def test_single_subgroup_has_no_test() -> None:
    res = subgroup_analysis(_kacker(), ["a"] * 9, DerSimonianLaird())
    assert res.Q_between is None and res.results[0].estimate == res.overall.estimate


def test_leave_one_out_refits_without_each_study() -> None:
    effects = _kacker()
    rows = leave_one_out(effects, PauleMandel())
    assert [r.omitted for r in rows] == [e.study_id for e in effects]
    third = PauleMandel().fit(effects[:2] + effects[3:])
    assert rows[2].result.estimate == third.estimate and rows[2].result.k == 8
    with pytest.raises(PoolingError):
        leave_one_out(effects[:1], REML())


def test_cumulative_in_publication_order() -> None:
    effects = _kacker()
    years = [2001, 1999, 2003, 1999, 2010, 2005, 2002, 2007, 2004]
    steps = cumulative(effects, DerSimonianLaird(), years)
    assert [s.added for s in steps[:3]] == ["s2", "s4", "s1"]  # ties keep input order
    assert steps[0].result.k == 1 and steps[0].result.tau2 == 0
    final = DerSimonianLaird().fit(effects)
    assert steps[-1].result.estimate == pytest.approx(final.estimate, rel=1e-12)
    with pytest.raises(PoolingError, match="order key"):
        cumulative(effects, REML(), [None] * 9)


def test_mh_works_in_subgroups_and_cumulative() -> None:
    tables = bcg_tables()
    steps = cumulative(tables, MantelHaenszel("OR"))
    assert steps[-1].result.estimate == MantelHaenszel("OR").fit(tables).estimate
    with pytest.raises(PoolingError, match="2x2"):
        cumulative(_bcg_rr(), MantelHaenszel("RR"))


@pytest.mark.parametrize("method", ["FE", "DL", "REML", "PM"])
def test_meta_regression_recovers_an_exact_line(method: str) -> None:
    x = [0.5, 1.0, 2.0, 4.0, 8.0]
    effects = _effects([1 + 0.25 * t for t in x], [0.01, 0.02, 0.03, 0.02, 0.05])
    r = meta_regression(effects, x, method=method, name="dose_mg_per_kg")
    assert r.slope == pytest.approx(0.25) and r.intercept == pytest.approx(1.0)
    assert r.tau2 == pytest.approx(0.0, abs=1e-12) and pytest.approx(0.0, abs=1e-12) == r.QE


def test_meta_regression_fe_matches_weighted_least_squares() -> None:
    sm_api = pytest.importorskip("statsmodels.api")
    effects = _bcg_rr()
    y = np.array([e.yi for e in effects])
    v = np.array([e.vi for e in effects])
    wls = sm_api.WLS(y, sm_api.add_constant(np.array(BCG_ABLAT, float)), weights=1 / v).fit(
        cov_type="fixed scale"
    )
    r = meta_regression(effects, BCG_ABLAT, method="FE")
    assert (r.intercept, r.slope) == pytest.approx(tuple(wls.params), rel=1e-10)
    assert (r.intercept_se, r.slope_se) == pytest.approx(tuple(wls.bse), rel=1e-10)


@pytest.mark.parametrize(
    ("x", "match"),
    [([1, 1, 1], "same value"), ([1, None, 2], "missing"), ([1, 2], "moderator values")],
    ids=["constant", "missing", "length"],
)
def test_meta_regression_errors(x, match) -> None:
    with pytest.raises(PoolingError, match=match):
        meta_regression(_effects([0.1, 0.2, 0.4], [0.01, 0.02, 0.03]), x)


# ---------------------------------------------------------------- properties

studies = st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 2.0)), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(studies, st.randoms(use_true_random=False))
def test_estimates_invariant_to_study_order(data, rnd) -> None:
    effects = _effects(*zip(*data, strict=True))
    shuffled = list(effects)
    rnd.shuffle(shuffled)
    for est in (FixedEffect(), DerSimonianLaird(), REML(tol=1e-12), PauleMandel()):
        a, b = est.fit(effects), est.fit(shuffled)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-8, abs=1e-10)
        assert a.tau2 == pytest.approx(b.tau2, rel=1e-6, abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(studies)
def test_random_effects_equal_fixed_effect_when_tau2_is_zero(data) -> None:
    effects = _effects(*zip(*data, strict=True))
    fe = FixedEffect().fit(effects)
    for est in (DerSimonianLaird(), REML(), PauleMandel()):
        r = est.fit(effects)
        assert r.tau2 >= 0 and 0 <= (r.I2 or 0) < 100
        assert r.ci_lb <= r.estimate <= r.ci_ub
        assert r.pi_lb is not None and r.pi_lb <= r.ci_lb + 1e-12
        if r.tau2 == 0:
            assert r.estimate == pytest.approx(fe.estimate, rel=1e-12, abs=1e-12)
            assert r.se == pytest.approx(fe.se, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(studies)
def test_dl_is_zero_iff_q_below_df(data) -> None:
    r = DerSimonianLaird().fit(_effects(*zip(*data, strict=True)))
    assert (r.tau2 == 0) == (r.Q_df >= r.Q)


def test_pool_result_is_importable_from_records() -> None:
    assert PoolResult.__module__ == "miner.records"
