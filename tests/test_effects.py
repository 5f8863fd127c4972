"""Effect sizes and conversions (miner.effects) against their formulas and metafor."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from miner import effects as fx
from miner.errors import EffectSizeError
from tests.reference import bcg_tables, meta_dev_case

# ---------------------------------------------------------------- continuous


def test_md_separate_and_pooled_variances() -> None:
    e = fx.md("s", 10.0, 2.0, 20, 7.0, 3.0, 30)
    assert e.yi == 3.0
    assert e.vi == pytest.approx(4 / 20 + 9 / 30, rel=1e-14)
    p = fx.md("s", 10.0, 2.0, 20, 7.0, 3.0, 30, sd="pooled")
    sp2 = (19 * 4 + 29 * 9) / 48
    assert p.vi == pytest.approx(sp2 * (1 / 20 + 1 / 30), rel=1e-14)
    assert e.n_total == 50 and e.assumptions


def test_md_matches_metafor_normand1999_vi() -> None:
    # metafor escalc(measure="MD") vi for dat.normand1999, printed to 4 decimals
    # (tolerance in the case file: 1e-4, i.e. the print rounding).
    case = meta_dev_case("normand1999_md_reml")
    cols = case["input"]
    got = [
        fx.md(str(i), *row).vi
        for i, row in enumerate(
            zip(
                cols["m1i"],
                cols["sd1i"],
                cols["n1i"],
                cols["m2i"],
                cols["sd2i"],
                cols["n2i"],
                strict=True,
            )
        )
    ]
    assert got == pytest.approx(case["expected"]["vi"], abs=case["tol"]["vi"])


@pytest.mark.parametrize(
    ("m", "expected"),
    [
        # J(2) = Gamma(1) / (1 * Gamma(1/2)) = 1/sqrt(pi)
        (2, 1 / math.sqrt(math.pi)),
        # J(4) = Gamma(2) / (sqrt(2) Gamma(3/2)) = 2 / sqrt(2 pi)
        (4, 2 / math.sqrt(2 * math.pi)),
        # J(3) = Gamma(3/2) / (sqrt(3/2) Gamma(1)) = sqrt(pi)/2 / sqrt(1.5)
        (3, math.sqrt(math.pi) / 2 / math.sqrt(1.5)),
    ],
    ids=["m2", "m4", "m3"],
)
def test_hedges_exact_correction_closed_forms(m: int, expected: float) -> None:
    assert fx.hedges_correction(m) == pytest.approx(expected, rel=1e-12)


def test_hedges_approximation_close_to_exact_for_moderate_m() -> None:
    for m in (10, 30, 100, 1000):
        exact, approx = fx.hedges_correction(m), fx.hedges_correction(m, exact=False)
        assert approx == 1 - 3 / (4 * m - 1)
        # the approximation's error shrinks like m^-2 (about 0.031 / m^2)
        assert abs(exact - approx) < 0.04 / m**2


def test_smd_variants() -> None:
    args = ("s", 12.0, 4.0, 15, 9.0, 5.0, 17)
    sp = math.sqrt((14 * 16 + 16 * 25) / 30)
    d = 3.0 / sp
    ex = fx.smd(*args)
    assert ex.yi == pytest.approx(fx.hedges_correction(30) * d, rel=1e-14)
    assert ex.vi == pytest.approx(1 / 15 + 1 / 17 + ex.yi**2 / (2 * 32), rel=1e-14)
    ap = fx.smd(*args, correction="approx", vtype="RevMan")
    assert ap.yi == pytest.approx((1 - 3 / (4 * 30 - 1)) * d, rel=1e-14)
    assert ap.vi == pytest.approx(1 / 15 + 1 / 17 + ap.yi**2 / (2 * (32 - 3.94)), rel=1e-14)
    assert "RevMan" in ap.assumptions[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sd1i": -1.0}, "sd1i"),
        ({"sd2i": 0.0}, "sd2i"),
        ({"n1i": 1}, "n1i"),
        ({"m2i": math.nan}, "m2i"),
        ({"n2i": math.inf}, "n2i"),
    ],
    ids=["negative-sd", "zero-sd", "n-below-2", "nan-mean", "inf-n"],
)
@pytest.mark.parametrize("fn", [fx.md, fx.smd], ids=["md", "smd"])
def test_continuous_invalid_inputs_name_study_and_field(fn, kwargs, field) -> None:
    args = {"m1i": 1.0, "sd1i": 1.0, "n1i": 10, "m2i": 0.0, "sd2i": 1.0, "n2i": 10, **kwargs}
    with pytest.raises(EffectSizeError) as err:
        fn("trial-7", **args)
    assert err.value.study == "trial-7" and field in err.value.missing
    assert "trial-7" in str(err.value) and field in str(err.value)


# ---------------------------------------------------------------- binary


# metafor escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), as printed
# in its documentation (4 decimals; tolerance 1e-4 covers the print rounding).
BCG_RR_YI = [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694,
             -1.3713, -0.3394, 0.4459, -0.0173]  # fmt: skip
BCG_RR_VI = [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730,
             0.0124, 0.5325, 0.0714]  # fmt: skip


def test_log_rr_matches_metafor_escalc_bcg() -> None:
    made = fx.binary_effects(bcg_tables(), "RR")
    assert [e.yi for e in made.effects] == pytest.approx(BCG_RR_YI, abs=1e-4)
    assert [e.vi for e in made.effects] == pytest.approx(BCG_RR_VI, abs=1e-4)
    assert made.dropped == ()


def test_or_rd_formulas() -> None:
    t = fx.Table2x2("s", 12, 88, 20, 80)
    o = fx.binary_effect(t, "OR")
    assert o.yi == pytest.approx(math.log(12 * 80 / (88 * 20)), rel=1e-14)
    assert o.vi == pytest.approx(1 / 12 + 1 / 88 + 1 / 20 + 1 / 80, rel=1e-14)
    r = fx.binary_effect(t, "RD")
    assert r.yi == pytest.approx(0.12 - 0.20, rel=1e-14)
    assert r.vi == pytest.approx(0.12 * 0.88 / 100 + 0.2 * 0.8 / 100, rel=1e-14)
    assert fx.Table2x2.from_events("s", 12, 100, 20, 100) == t


@pytest.mark.parametrize(
    ("to", "corrected"),
    [("only0", [False, True]), ("all", [True, True]), ("if0all", [True, True])],
    ids=["only0", "all", "if0all"],
)
def test_continuity_rules(to: str, corrected: list[bool]) -> None:
    tables = [fx.Table2x2("full", 5, 45, 9, 41), fx.Table2x2("zero", 0, 30, 4, 26)]
    made = fx.binary_effects(tables, "OR", to=to)
    for t, e, plus in zip(tables, made.effects, corrected, strict=True):
        a = 0.5 if plus else 0.0
        yi = math.log((t.ai + a) * (t.di + a) / ((t.bi + a) * (t.ci + a)))
        assert e.yi == pytest.approx(yi, rel=1e-14)
        assert bool(e.assumptions) is plus


def test_no_zero_cells_means_if0all_adds_nothing() -> None:
    made = fx.binary_effects([fx.Table2x2("a", 5, 45, 9, 41)], "RR", to="if0all")
    assert made.effects[0].assumptions == ()


def test_zero_cell_without_correction_is_an_error() -> None:
    with pytest.raises(EffectSizeError, match="zero cell"):
        fx.binary_effects([fx.Table2x2("z", 0, 30, 4, 26)], "OR", to="none")


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_double_zero_studies_are_dropped_for_ratios(measure: str) -> None:
    made = fx.binary_effects(
        [fx.Table2x2("ok", 3, 20, 6, 18), fx.Table2x2("none", 0, 20, 0, 22)], measure
    )
    assert [e.study_id for e in made.effects] == ["ok"]
    assert made.dropped[0].study_id == "none" and "both groups" in made.dropped[0].reason


def test_double_zero_kept_for_rd_with_correction() -> None:
    made = fx.binary_effects([fx.Table2x2("none", 0, 20, 0, 22)], "RD")
    (e,) = made.effects
    assert e.yi == pytest.approx(0.5 / 21 - 0.5 / 23) and e.vi > 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((12, 10, 3, 10), "ai"),
        ((2, 10, 11, 10), "ci"),
        ((math.nan, 10, 3, 10), "ai"),
    ],
    ids=["events-over-n1", "events-over-n2", "nan-events"],
)
def test_events_invalid(args: tuple[float, ...], field: str) -> None:
    with pytest.raises(EffectSizeError) as err:
        fx.Table2x2.from_events("t1", *args)
    assert field in err.value.missing and "t1" in str(err.value)


def test_negative_cell_invalid() -> None:
    with pytest.raises(EffectSizeError, match="bi=-1"):
        fx.binary_effect(fx.Table2x2("t", 1, -1, 2, 3), "OR")


# ---------------------------------------------------------------- conversions


def test_ci_to_variance_matches_hackshaw_derivation() -> None:
    # the case's vi were derived as ((log ub - log lb) / (2 qnorm(.975)))^2 from the
    # printed ORs and CIs; our conversion must reproduce them to float precision.
    case = meta_dev_case("hackshaw1998_or_dl")
    raw = case["input_raw"]
    for i, (orr, lb, ub) in enumerate(
        zip(raw["or"], raw["or_ci_lb"], raw["or_ci_ub"], strict=True)
    ):
        e = fx.effect_from_ci(str(i), "OR", orr, lb, ub)
        assert e.yi == pytest.approx(case["input"]["yi"][i], rel=1e-12)
        assert e.vi == pytest.approx(case["input"]["vi"][i], rel=1e-9)
        assert "log scale" in e.assumptions[0]


def test_ci_levels_and_midpoint() -> None:
    z90 = stats.norm.isf(0.05)
    assert fx.ci_to_se(-1.0, 3.0, level=0.90) == pytest.approx(4 / (2 * z90))
    e = fx.effect_from_ci("s", "MD", None, -1.0, 3.0)
    assert e.yi == 1.0 and any("midpoint" in a for a in e.assumptions)
    with pytest.raises(EffectSizeError):
        fx.ci_to_se(2.0, 1.0)
    with pytest.raises(EffectSizeError):
        fx.ci_to_se(0.0, 1.0, log=True)


def test_p_to_se() -> None:
    # Cochrane Handbook 6.3.2: z from a two-sided p, then SE = estimate / z
    assert fx.p_to_se(2.0, 0.05) == pytest.approx(2.0 / 1.959963984540054, rel=1e-12)
    assert fx.p_to_se(1.5, 0.05, log=True) == pytest.approx(math.log(1.5) / 1.959963984540054)
    assert fx.p_to_se(2.0, 0.05, df=10) == pytest.approx(2.0 / stats.t.isf(0.025, 10))
    e = fx.effect_from_p("s", "RR", 0.8, 0.01)
    assert e.yi == pytest.approx(math.log(0.8)) and "p-value" in e.assumptions[0]
    for bad in (0.0, 1.0, 1.2):
        with pytest.raises(EffectSizeError):
            fx.p_to_se(1.0, bad)
    with pytest.raises(EffectSizeError, match="null estimate"):
        fx.p_to_se(0.0, 0.5)


def test_wan_iqr_and_range_recover_normal_parameters() -> None:
    # With the expected order statistics of N(50, 10^2) as inputs, Wan's estimators
    # return the generating mean and SD (their SD divisors are those expectations).
    n = 80
    z_q = stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    z_r = stats.norm.ppf((n - 0.375) / (n + 0.25))
    iqr = fx.mean_sd_from_median_iqr(50, 50 - 10 * z_q, 50 + 10 * z_q, n)
    rng = fx.mean_sd_from_median_range(50, 50 - 10 * z_r, 50 + 10 * z_r, n)
    both = fx.mean_sd_from_median_iqr_range(
        50, 50 - 10 * z_q, 50 + 10 * z_q, 50 - 10 * z_r, 50 + 10 * z_r, n
    )
    for r in (iqr, rng, both):
        assert r.mean == pytest.approx(50) and r.sd == pytest.approx(10)
        assert "Wan 2014" in r.assumptions[0]


def test_wan_iqr_close_to_normal_quartiles_for_large_n() -> None:
    r = fx.mean_sd_from_median_iqr(0.0, -0.6744897501960817, 0.6744897501960817, 10**6)
    assert r.sd == pytest.approx(1.0, abs=1e-5)


def test_wan_skewed_mean_uses_all_quantiles() -> None:
    r = fx.mean_sd_from_median_range(10, 2, 30, 40)
    assert r.mean == (2 + 20 + 30) / 4


@pytest.mark.parametrize(
    "call",
    [
        lambda: fx.mean_sd_from_median_iqr(5, 6, 4, 20),
        lambda: fx.mean_sd_from_median_iqr(5, 5, 5, 20),
        lambda: fx.mean_sd_from_median_range(5, 1, 9, 1),
        lambda: fx.mean_sd_from_median_range(math.nan, 1, 9, 10),
    ],
    ids=["unordered", "zero-spread", "n-below-2", "nan"],
)
def test_wan_invalid(call) -> None:
    with pytest.raises(EffectSizeError):
        call()


def test_generic_rejects_zero_or_negative_variance() -> None:
    for vi in (0.0, -0.1, math.inf):
        with pytest.raises(EffectSizeError, match="s9"):
            fx.generic("s9", 0.2, vi)


@given(
    m=st.floats(-50, 50),
    sd1=st.floats(0.1, 20),
    sd2=st.floats(0.1, 20),
    n1=st.integers(2, 500),
    n2=st.integers(2, 500),
)
def test_smd_antisymmetric_and_positive_variance(m, sd1, sd2, n1, n2) -> None:
    a = fx.smd("s", m, sd1, n1, 0.0, sd2, n2)
    b = fx.smd("s", 0.0, sd2, n2, m, sd1, n1)
    assert a.yi == pytest.approx(-b.yi, abs=1e-12)
    assert a.vi == pytest.approx(b.vi, rel=1e-12) and a.vi > 0
