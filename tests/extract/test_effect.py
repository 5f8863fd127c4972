"""Effect estimates: measures, CI forms, p-values, ordering and rejection rules."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from miner.extract.effect import (
    CI_WORD,
    PAIR,
    RATIO_MEASURES,
    TIME_RE,
    collect_effects,
    find_comparison_p_values,
    find_effects,
    may_hold_time,
    outcome_before,
    parse_num,
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    pipe.add_pipe("miner_effect")
    return pipe


# (sentence, measure, value, ci_low, ci_high, ci_level)
CASES = [
    (
        "Pain fell more with the drug (MD -2.14, 95% CI: -2.65 to -1.63).",
        "MD",
        -2.14,
        -2.65,
        -1.63,
        0.95,
    ),
    (
        "Pain fell more with the drug (MD -2.14, 95% CI -2.65, -1.63).",
        "MD",
        -2.14,
        -2.65,
        -1.63,
        0.95,
    ),
    ("The mean difference was -2.14 (-2.65, -1.63).", "MD", -2.14, -2.65, -1.63, None),
    (
        "Weighted mean difference \u22120.16 [\u22120.30; \u22120.02].",
        "MD",
        -0.16,
        -0.30,
        -0.02,
        None,
    ),
    ("Death was rarer (HR 0.72, 95%CI 0.60\u20130.86).", "HR", 0.72, 0.60, 0.86, 0.95),
    ("aOR 2.3 (95% confidence interval 1.4 to 3.9) for relapse.", "OR", 2.3, 1.4, 3.9, 0.95),
    ("The SMD was \u22120.5 (\u22120.9\u2013\u22120.1).", "SMD", -0.5, -0.9, -0.1, None),
    ("Hedges' g = 0.45 (95% CI 0.12, 0.78).", "SMD", 0.45, 0.12, 0.78, 0.95),
    ("The risk ratio was 0.80 (90% CI 0.66 to 0.97).", "RR", 0.80, 0.66, 0.97, 0.9),
    ("Falls were fewer (incidence rate ratio 0.6, 95% CI 0.4-0.9).", "IRR", 0.6, 0.4, 0.9, 0.95),
    ("Adjusted difference - 1.01 % ( 95 % CI - 1.26 to - 0.76 ).", "MD", -1.01, -1.26, -0.76, 0.95),
    ("Relapse odds ratio 1\u00b758, 95% CI 0\u00b778-3\u00b778.", "OR", 1.58, 0.78, 3.78, 0.95),
    (
        "between-group difference \u22122\u00b71 (98.8% CI \u22123\u00b70 to \u22121\u00b72)",
        "MD",
        -2.1,
        -3.0,
        -1.2,
        0.988,
    ),
    ("Relapse was rarer (relative hazard: 0.41, 95% CI: 0.20-0.83).", "HR", 0.41, 0.20, 0.83, 0.95),
    ("Infections: rate difference 0.31 (95% CI 0.05 to 0.57).", "other", 0.31, 0.05, 0.57, 0.95),
    ("AUC estimated treatment ratio 1.04, 90% CI: 0.98-1.10.", "other", 1.04, 0.98, 1.10, 0.9),
]


@pytest.mark.parametrize(
    ("text", "measure", "value", "lo", "hi", "level"),
    CASES,
    ids=[
        "ci-colon-to",
        "ci-comma",
        "bare-paren-pair",
        "brackets-semicolon-unicode-minus",
        "95%CI-en-dash",
        "aOR-confidence-interval",
        "en-dash-between-negatives",
        "hedges-g",
        "90-percent-level",
        "irr-hyphen-range",
        "spaces-inside-numbers",
        "middle-dot-decimals",
        "middle-dot-negative",
        "relative-hazard",
        "rate-difference-is-not-a-risk-difference",
        "estimated-treatment-ratio",
    ],
)
def test_measure_value_and_ci(
    text: str, measure: str, value: float, lo: float, hi: float, level: float | None
) -> None:
    found = find_effects(text)
    assert len(found) == 1, found
    est = found[0]
    assert (est.measure, est.value, est.ci_low, est.ci_high) == (
        measure,
        pytest.approx(value),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert est.ci_level == (pytest.approx(level) if level is not None else None)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("Risk fell (RR 0.8, 95% CI 0.9-0.6).", 0.6, 0.9),
        ("Scores differed (mean difference -1.0, 95% CI -0.5 to -1.5).", -1.5, -0.5),
    ],
    ids=["ratio-high-to-low", "difference-high-to-low"],
)
def test_ci_written_high_to_low_is_ordered(text: str, lo: float, hi: float) -> None:
    (est,) = find_effects(text)
    assert (est.ci_low, est.ci_high) == (pytest.approx(lo), pytest.approx(hi))


@pytest.mark.parametrize(
    "text",
    [
        "The relative risk of any episode was 1.24 (1.02 - 1.10).",
        "The hazard ratio was 0.5 (95% CI 0.6 to 0.9).",
        "Mean difference 3.0 (95% CI -1.0 to 2.0).",
        "The odds ratio was -1.2 (95% CI -2.0 to -0.5).",
        "To detect a mean difference of 1.5 points (SD 2) with 80% power, 60 patients were needed.",
        "We assumed a hazard ratio of 0.75 for the sample size.",
        "There was no difference between the 2 treatment groups (P = 0.3).",
    ],
    ids=[
        "ratio-value-outside-ci",
        "hr-value-below-ci",
        "md-value-above-ci",
        "negative-odds-ratio",
        "power-calculation",
        "assumed-hr",
        "count-is-not-a-difference",
    ],
)
def test_rejected(text: str) -> None:
    assert find_effects(text) == []


@pytest.mark.parametrize(
    ("text", "p", "op"),
    [
        ("Pain fell (MD -1.2, 95% CI -2.0 to -0.4, P<0.001).", 0.001, "<"),
        ("Pain fell (MD -1.2, 95% CI -2.0 to -0.4; p = .03).", 0.03, "="),
        ("Pain fell (MD -1.2, 95% CI -2.0 to -0.4), P < 0.05.", 0.05, "<"),
        ("Pain fell (MD -1.2, 95% CI -2.0 to -0.4), P value 0.02.", 0.02, "="),
        ("Pain fell (MD -1.2, 95% CI -2.0 to -0.4; P \u2264 0.01).", 0.01, "<="),
        ("Pain was similar (MD -0.2, 95% CI -1.0 to 0.6, p=NS).", None, None),
    ],
    ids=["lt", "eq-leading-dot", "after-bracket", "p-value-words", "le-sign", "ns-is-null"],
)
def test_p_values(text: str, p: float | None, op: str | None) -> None:
    (est,) = find_effects(text)
    assert est.p == (pytest.approx(p) if p is not None else None)
    assert est.p_op == op


def test_absolute_risk_reduction_becomes_negative_risk_difference() -> None:
    (est,) = find_effects("Absolute risk reduction 5% (95% CI 2% to 8%).")
    assert (est.measure, est.value, est.ci_low, est.ci_high) == ("RD", -5.0, -8.0, -2.0)


def test_no_hazard_ratio_from_heart_rate() -> None:
    assert find_effects("HR 0.9 (0.8-1.0)", heart_rate_doc=True) == []


def test_chained_estimates_share_the_measure() -> None:
    found = find_effects("hazard ratio 0.70 (0.60-0.80) for death and 0.81 (0.70-0.94) for stroke")
    assert [(e.measure, e.value) for e in found] == [("HR", 0.70), ("HR", 0.81)]


@pytest.mark.parametrize(
    ("text", "outcome", "timepoint"),
    [
        (
            "Pain intensity at 1 week was lower with ketamine (MD -2.1, 95% CI -2.6 to -1.6).",
            "Pain intensity",
            "1 week",
        ),
        (
            "The odds ratio for nausea after 12 weeks was 1.5 (95% CI 1.1 to 2.1).",
            "nausea",
            "12 weeks",
        ),
        (
            "Exenatide reduced HbA1c level (mean difference, -0.98% [95% CI, -1.21% to -0.74%]).",
            "HbA1c level",
            None,
        ),
    ],
    ids=["outcome-before-with-arm", "outcome-after-name", "outcome-before-paren"],
)
def test_outcome_and_timepoint(text: str, outcome: str, timepoint: str | None) -> None:
    (est,) = find_effects(text)
    assert est.outcome == outcome
    assert est.timepoint == timepoint


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("\u22122.14", -2.14),
        ("-\u20090.3", -0.3),
        ("- 0.7", -0.7),
        ("0\u00b75", 0.5),
        (".03", 0.03),
        ("\u20131.5", -1.5),
    ],
    ids=[
        "u2212",
        "thin-space-after-sign",
        "space-after-sign",
        "middle-dot",
        "leading-dot",
        "en-dash-sign",
    ],
)
def test_parse_num(text: str, value: float) -> None:
    assert parse_num(text) == pytest.approx(value)


def test_component_and_collector(nlp: Language) -> None:
    text = "Trial title\nMortality fell (HR 0.72; 95% CI 0.60 to 0.86; P = 0.001)."
    doc = nlp(text)
    (fact,) = collect_effects(doc)
    assert fact["text"] == text[fact["start"] : fact["end"]]
    assert (fact["measure"], fact["value"], fact["p"], fact["p_op"]) == ("HR", 0.72, 0.001, "=")
    assert [s.label_ for s in doc.spans["miner"]] == ["EFFECT"]


def test_keeps_other_components_spans(nlp: Language) -> None:
    doc = nlp.make_doc("Mortality fell (HR 0.72; 95% CI 0.60 to 0.86).")
    other = doc.char_span(0, 9, label="OTHER")
    assert other is not None
    doc.spans["miner"] = [other]
    doc = nlp.get_pipe("miner_effect")(doc)
    assert [s.label_ for s in doc.spans["miner"]] == ["OTHER", "EFFECT"]


def _pico_texts(path: Path, limit: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(limit), fh, strict=False)]


def test_real_abstracts_broad_properties(nlp: Language, shared: Callable[..., Path]) -> None:
    texts = _pico_texts(shared("pico-corpus", "pico_dev.jsonl.gz"), 300)
    facts = [f for doc in nlp.pipe(texts) for f in collect_effects(doc) if f]
    docs_text = {}
    for doc in nlp.pipe(texts):
        for f in collect_effects(doc):
            docs_text[(doc.text, f["start"])] = f
            assert f["text"] == doc.text[f["start"] : f["end"]]
    assert len(facts) >= 20  # breast-cancer RCTs report many HRs; we measured well above this
    for f in facts:
        if f["ci_low"] is not None:
            assert f["ci_low"] <= f["value"] <= f["ci_high"]
        if f["measure"] in RATIO_MEASURES:
            assert f["value"] > 0
        assert f["p"] is None or 0 <= f["p"] <= 1


# (sentence, value, ci_low, ci_high, p) of mean differences written without a measure name
UNNAMED = [
    (
        "Exenatide reduced HbA1c by 0.74% (95% CI 0.5 to 0.9) relative to placebo.",
        -0.74,
        -0.9,
        -0.5,
        None,
    ),
    (
        "Compared with usual care, coaching increased walking distance by 42 m (95% CI 10 to 74).",
        42.0,
        10.0,
        74.0,
        None,
    ),
    (
        "The drug produced a greater mean change in weight than placebo (-1.9 kg; P < 0.01).",
        -1.9,
        None,
        None,
        0.01,
    ),
    ("Weight fell more on the diet (1.4 kg difference, P < 0.001).", 1.4, None, None, 0.001),
]


@pytest.mark.parametrize(
    ("text", "value", "lo", "hi", "p"),
    UNNAMED,
    ids=[
        "reduced-by-relative-to",
        "compared-with-increased-by",
        "than-placebo-paren",
        "v-difference",
    ],
)
def test_unnamed_mean_differences(
    text: str, value: float, lo: float | None, hi: float | None, p: float | None
) -> None:
    (est,) = find_effects(text)
    assert est.measure == "MD"
    assert est.value == pytest.approx(value)
    assert est.ci_low == (pytest.approx(lo) if lo is not None else None)
    assert est.ci_high == (pytest.approx(hi) if hi is not None else None)
    assert est.p == (pytest.approx(p) if p is not None else None)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (
            "The placebo-adjusted change in HbA1c was -0.6% (P < 0.001) at week 12"
            " and -0.5% (P = 0.002) at week 24.",
            [-0.6, -0.5],
        ),
        (
            "Between-group differences (drug vs placebo) in fasting glucose were"
            " -0.8 mmol/L (-1.4, -0.2) and -0.5 mmol/L (-0.9, -0.1), respectively.",
            [-0.8, -0.5],
        ),
        ("The difference was 1.1 mmHg favouring the combination (95% CI 0.8 to 1.4).", [1.1]),
        ("The treatment difference was -0.7 \u00b1 0.1% (p < 0.001).", [-0.7]),
    ],
    ids=[
        "placebo-adjusted-chain-with-p",
        "bracketed-label-in-gap",
        "favouring-clause",
        "se-then-p",
    ],
)
def test_more_named_forms(text: str, values: list[float]) -> None:
    assert [e.value for e in find_effects(text)] == [pytest.approx(v) for v in values]


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine lowered pain scores by 1.2 points (95% CI 0.4 to 2.0) in the first week.",
        "There was no difference in FMD (-0.51 [-1.08 to 0.06]% vs. -0.58 [-1.20 to 0.04]%).",
    ],
    ids=["no-comparator-is-within-arm", "estimates-compared-by-vs-are-arm-values"],
)
def test_unnamed_rejected(text: str) -> None:
    assert find_effects(text) == []


def test_outcome_skips_the_arms_compared() -> None:
    (est,) = find_effects(
        "The difference in mean change in weight between drug and placebo was"
        " -2.0 kg (95% CI -3.0 to -1.0)."
    )
    assert est.outcome == "weight"


def test_collector_gives_timepoint_days(nlp: Language) -> None:
    doc = nlp("Title\nAt week 12, pain was lower (MD -1.0, 95% CI -1.5 to -0.5).")
    (fact,) = collect_effects(doc)
    assert (fact["timepoint"], fact["timepoint_days"]) == ("week 12", 84.0)


@pytest.mark.parametrize(
    ("text", "measure", "value", "lo", "hi"),
    [
        (
            "Stroke was rarer with the statin, relative risk (RR) of 0.71 (95% CI: 0.52-0.97).",
            "RR",
            0.71,
            0.52,
            0.97,
        ),
        (
            "Remission was more common [odds ratio (OR) 2.4 (95% CI 1.1\u20135.2), P = 0.03].",
            "OR",
            2.4,
            1.1,
            5.2,
        ),
        (
            "Relapse was less frequent on the drug [HR (95% CI): 0.66 (0.45, 0.97), P = 0.04].",
            "HR",
            0.66,
            0.45,
            0.97,
        ),
        (
            "Glucose fell more (mean difference, -1.2 mmol/L [-21.6 mg/dL]"
            " [95% CI, -1.6 to -0.8]).",
            "MD",
            -1.2,
            -1.6,
            -0.8,
        ),
    ],
    ids=["abbrev-in-brackets", "abbrev-in-brackets-or", "ci-label-before-value", "unit-conversion"],
)
def test_named_forms_with_labels(
    text: str, measure: str, value: float, lo: float, hi: float
) -> None:
    (est,) = find_effects(text)
    assert (est.measure, est.value, est.ci_low, est.ci_high) == (
        measure,
        pytest.approx(value),
        pytest.approx(lo),
        pytest.approx(hi),
    )


def test_restated_value_in_other_units_is_not_an_estimate() -> None:
    text = (
        "The estimated treatment difference was -0.52% [-0.70; -0.34]; "
        "-5.7 mmol/mol [-7.7; -3.7]; P < .001."
    )
    (est,) = find_effects(text)
    assert (est.value, est.ci_low, est.ci_high) == (-0.52, -0.70, -0.34)
    assert (est.p, est.p_op) == (0.001, "<")


@pytest.mark.parametrize(
    "text",
    [
        "The number needed to treat to prevent 1 fall was 12.",
        "Results are given as the difference in means for 3 visits.",
    ],
    ids=["count-after-name", "count-in-phrase"],
)
def test_number_after_name_without_link_is_not_an_estimate(text: str) -> None:
    assert find_effects(text) == []


# ------------------------------------------------ p-values of comparisons
@pytest.mark.parametrize(
    ("text", "ps"),
    [
        ("The gap between the two arms was not significant (P = 0.41).", [(0.41, "=")]),
        ("Scores were lower with the cream than with the gel (p < .001).", [(0.001, "<")]),
        ("Nausea was statistically more frequent with the drug (P=.02).", [(0.02, "=")]),
        ("This difference was statistically significant (p = 0.0040).", [(0.004, "=")]),
        (
            "Both regimens lowered the score by about 3 points (P < 0.001 and P < 0.001),"
            " with a significant difference between the regimens (P = 0.006).",
            [(0.006, "=")],
        ),
        (
            "Significantly more on the drug reached a score below 4 (p = 0.004) and below 3"
            " (p = 0.02) versus placebo.",
            [(0.004, "="), (0.02, "=")],
        ),
        ("Pain differed between arms (P: < 0.001, ANCOVA).", [(0.001, "<")]),
        (
            "Comparing the drug with the gel showed a significant (P < 0.01) difference.",
            [(0.01, "<")],
        ),
        (
            "Changes from baseline were -3.1 and -1.2 points in the two arms, with a"
            " statistically significant difference (p < 0.001).",
            [(0.001, "<")],
        ),
        ("Adherence was similar in both groups (P = 0.7).", [(0.7, "=")]),
        ("The score fell more with the gel than the cream (< 0.001, ANCOVA).", [(0.001, "<")]),
        ("Rashes did not differ between the arms (= 0.42).", [(0.42, "=")]),
    ],
    ids=[
        "between-arms",
        "than",
        "significantly-more",
        "this-difference",
        "within-then-between",
        "list-then-versus",
        "colon-before-operator",
        "difference-after-p",
        "difference-after-within-change",
        "similar-in-both-groups",
        "letterless-lt",
        "letterless-eq",
    ],
)
def test_comparison_p_values(text: str, ps: list[tuple[float, str]]) -> None:
    found = find_comparison_p_values(text)
    assert [(c.p, c.p_op) for c in found] == [(pytest.approx(p), op) for p, op in ps]


@pytest.mark.parametrize(
    "text",
    [
        "The score fell from baseline in both groups (P < 0.001).",
        "Differences were considered significant at P < 0.05.",
        "The score correlated with age (r = 0.4, P = 0.01).",
        "Pain fell (MD -1.2, 95% CI -2.0 to -0.4, P = 0.004) with the drug versus placebo.",
        "A difference of 2 points would be detected with 80% power at P = 0.05.",
        "The score fell by 2.1 points in the drug group (P = 0.003).",
        "HbA1c was lower with the drug than placebo (< 7.0% in 40%).",
    ],
    ids=[
        "within-group-change",
        "significance-level",
        "correlation",
        "carried-by-the-estimate",
        "power-calculation",
        "no-comparison",
        "bracketed-threshold",
    ],
)
def test_no_comparison_p_value(text: str) -> None:
    assert find_comparison_p_values(text) == ()


def test_collector_gives_comparison_p_without_value(nlp: Language) -> None:
    doc = nlp("Title\nAt week 12, pain was lower with the drug than with placebo (P = 0.03).")
    (fact,) = collect_effects(doc)
    assert (fact["measure"], fact["value"], fact["ci_low"]) == (None, None, None)
    assert (fact["p"], fact["p_op"], fact["timepoint"]) == (0.03, "=", "week 12")
    assert fact["text"] == "P = 0.03"


@pytest.mark.parametrize(
    ("text", "measure", "value", "lo", "hi"),
    [
        ("The HR for relapse with the drug versus placebo was 0.8 (0.6-0.9).", "HR", 0.8, 0.6, 0.9),
        ("HR for death, drug vs usual care (0.71; 0.55-0.93).", "HR", 0.71, 0.55, 0.93),
        (
            "Mean change difference versus placebo, \u22120.6% [95% CI \u22120.8, \u22120.4].",
            "MD",
            -0.6,
            -0.8,
            -0.4,
        ),
        ("LS mean [gel\u2212cream]: 0.21; 95% CI: 0.02, 0.40.", "MD", 0.21, 0.02, 0.40),
        ("Least squares mean (A minus B) -1.3 (95% CI -2.0 to -0.6).", "MD", -1.3, -2.0, -0.6),
        ("Mean [A-B] 0.4 (95% CI 0.1 to 0.7).", "MD", 0.4, 0.1, 0.7),
    ],
    ids=[
        "arms-compared-after-abbrev",
        "bracketed-value-then-bounds",
        "versus-after-long-name",
        "ls-mean-arms-subtracted",
        "least-squares-mean-minus",
        "capital-mean",
    ],
)
def test_comparison_named_between_measure_and_value(
    text: str, measure: str, value: float, lo: float, hi: float
) -> None:
    (est,) = find_effects(text)
    assert (est.measure, est.value, est.ci_low, est.ci_high) == (
        measure,
        pytest.approx(value),
        pytest.approx(lo),
        pytest.approx(hi),
    )


@pytest.mark.parametrize(
    "text",
    [
        "The HR for relapse with the drug versus placebo was 0.8.",
        "LS mean [gel\u2212cream] 0.21 and 0.35 at weeks 4 and 8.",
    ],
    ids=["arms-compared-needs-ci", "arms-subtracted-needs-ci"],
)
def test_comparison_named_without_ci_is_no_estimate(text: str) -> None:
    assert find_effects(text) == []


def test_chain_crosses_names_with_digits() -> None:
    found = find_effects(
        "Mean differences (drug - placebo) were -0.5% (95% CI -0.7 to -0.3) for HbA1c"
        " and -1.1 mmol/L (-1.5 to -0.7) for FPG."
    )
    assert [(e.value, e.ci_low, e.ci_high) for e in found] == [
        (-0.5, -0.7, -0.3),
        (-1.1, -1.5, -0.7),
    ]


def test_p_value_a_few_words_after_the_estimate() -> None:
    (est,) = find_effects(
        "A difference of 2.4 mm Hg between the two arms was significant (p < 0.001)."
    )
    assert (est.value, est.p, est.p_op) == (2.4, 0.001, "<")


def test_comparison_p_outcome_named_before_it() -> None:
    found = find_comparison_p_values(
        "Both creams lowered the itch score by 2 points (P < 0.001), with a significant"
        " difference in itch score between the two regimens (P = 0.02) and in sleep"
        " quality (P = 0.04)."
    )
    assert [(c.p, c.outcome) for c in found] == [(0.02, "itch score"), (0.04, "sleep quality")]


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("at week 12", True),
        ("after 3-d treatment", True),
        ("over 12 Months", True),
        ("for two years", True),
        ("at the end of the study", True),
        ("pain fell by 2.1 points (P < 0.01)", False),
    ],
    ids=["week-n", "digit-hyphen-unit", "capital-unit", "number-word", "end-of", "no-time"],
)
def test_may_hold_time_screens_time_phrases(text: str, may: bool) -> None:
    assert may_hold_time(text) is may
    if not may:
        assert TIME_RE.search(text) is None


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (
            "The mean difference of -0.9 mmHg (completers) and -1.4 mmHg (all patients)"
            " favoured the gel.",
            [-0.9, -1.4],
        ),
        ("The mean difference was 1.2 kg and 0.4 kg vs 0.1 kg in the subgroup.", [1.2]),
        ("The mean difference was 1.2 kg and 0.4 mmHg.", [1.2]),
    ],
    ids=["same-unit-joined-by-and", "next-value-compared-by-vs", "units-differ"],
)
def test_bare_values_chained_in_one_unit(text: str, values: list[float]) -> None:
    assert [e.value for e in find_effects(text)] == [pytest.approx(v) for v in values]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("There was a difference of 2.1 points in favour of the drug.", 2.1, "points"),
        ("The difference was 1.4 mmHg at the last visit.", 1.4, "mmHg"),
    ],
    ids=["points", "mmhg"],
)
def test_difference_with_unit_of_measurement(text: str, value: float, unit: str) -> None:
    (est,) = find_effects(text)
    assert (est.measure, est.value, est.unit) == ("MD", pytest.approx(value), unit)


@pytest.mark.parametrize(
    "text",
    [
        "The difference was 5 mmHg from baseline.",
        "The difference was 1.2 kg vs 0.3 kg.",
        "The difference in the score was 3 in most patients.",
    ],
    ids=["from-baseline", "arm-values", "no-unit"],
)
def test_bare_difference_not_an_estimate(text: str) -> None:
    assert find_effects(text) == []


def test_collector_keeps_estimate_followed_by_separator(nlp: Language) -> None:
    text = (
        "Title\nWeight change was greater with the drug than placebo"
        " (-0.58 kg; P\u2009<\u2009.001), as hoped."
    )
    doc = nlp(text)
    facts = collect_effects(doc)
    assert [(f["value"], f["p"]) for f in facts] == [(-0.58, 0.001)]
    assert facts[0]["text"].endswith(".001")


def test_product_unit_is_no_duration() -> None:
    (est,) = find_effects(
        "The mean difference in glucose AUC was -234.0 h\u00b7mg/dL [-13.0 h\u00b7mmol/L],"
        " 95% CI -285.0 to -183.0 h\u00b7mg/dL."
    )
    assert (est.value, est.ci_low, est.ci_high) == (-234.0, -285.0, -183.0)
    assert est.unit == "h\u00b7mg/dL"


def test_sentence_cut_inside_a_bracket_is_joined(nlp: Language) -> None:
    text = (
        "Title\nThe gel lowered the score more than the cream (difference in mean change"
        " from baseline. -0.70 points; 95% CI, -0.85 to -0.54; P < 0.001). Nothing else changed."
    )
    doc = nlp(text)
    assert len(list(doc.sents)) >= 3  # title, the bracketed sentence, the last one
    facts = [f for f in collect_effects(doc) if f["value"] is not None]
    assert [(f["value"], f["ci_low"], f["ci_high"], f["p"]) for f in facts] == [
        (-0.70, -0.85, -0.54, 0.001)
    ]


@pytest.mark.parametrize(
    ("text", "ps"),
    [
        ("Itch was reported by 11.5% of gel and 16.5% of cream users (p = 0.29).", [0.29]),
        ("Rash rates were 12% at baseline and 20% at week 8 (p = 0.04).", []),
    ],
    ids=["two-shares-compared", "two-times-of-one-group"],
)
def test_comparison_p_after_two_shares(text: str, ps: list[float]) -> None:
    assert [c.p for c in find_comparison_p_values(text)] == [pytest.approx(p) for p in ps]


# (sentence, value, ci_low, ci_high, ci_level): a CI lead-in with its
# abbreviation, or its level, written after the words
CI_LEAD_INS = [
    (
        "Relapse was rarer ( OR 0.55 ; 95 % confidence interval [ CI ] , 0.43 to 0.69 ) .",
        0.55,
        0.43,
        0.69,
        0.95,
    ),
    (
        "Relapse was rarer (OR 0.55, 95% confidence interval (95% CI), 0.43-0.69).",
        0.55,
        0.43,
        0.69,
        0.95,
    ),
    (
        "Relapse was rarer (OR 0.55; 90% confidence intervals [CIs], 0.43 to 0.69).",
        0.55,
        0.43,
        0.69,
        0.9,
    ),
    (
        "The gel raised the score (mean difference, 12.1; confidence interval (CI) 95%,"
        " 10.4 to 13.9; P < 0.001).",
        12.1,
        10.4,
        13.9,
        0.95,
    ),
]


@pytest.mark.parametrize(
    ("text", "value", "lo", "hi", "level"),
    CI_LEAD_INS,
    ids=["tokenised-brackets", "level-in-brackets", "plural", "level-last"],
)
def test_ci_lead_in_with_abbreviation_after_the_words(
    text: str, value: float, lo: float, hi: float, level: float
) -> None:
    (est,) = find_effects(text)
    assert (est.value, est.ci_low, est.ci_high, est.ci_level) == (value, lo, hi, level)


_CI_REGION = re.compile(rf"{CI_WORD}\s*[:=,]?\s*[(\[]?\s*{PAIR}")


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("It cleared in 57 % ( 95 % confidence interval [ CI ] , 43 % to 69 % ) .", "43 % to 69"),
        ("It cleared in 57% (95% confidence interval [C.I.], 43%-69%).", "43%-69"),
        ("It cleared in 57% (CI 43%, 69%).", "43%, 69"),
        ("It cleared in 96% (CI 95%, 99%).", "95%, 99"),
    ],
    ids=["tokenised-brackets", "dotted-abbreviation", "no-level", "bound-like-a-level"],
)
def test_ci_region_reaches_the_bounds(text: str, bounds: str) -> None:
    # arm_value blanks such regions so that CI bounds are not read as arm values
    m = _CI_REGION.search(text)
    assert m is not None
    assert text[m.start("lo") : m.end("hi")] == bounds


def test_ci_lead_in_cut_by_a_stray_full_stop(nlp: Language) -> None:
    text = (
        "Title\nThe difference in score between gel and cream was -1.2 points (95% confidence"
        " interval. CI: -1.8 to -0.5; P < 0.001; analysis of covariance). Nothing else changed."
    )
    doc = nlp(text)
    assert len(list(doc.sents)) >= 3  # title, the bracketed sentence, the last one
    facts = [f for f in collect_effects(doc) if f["value"] is not None]
    assert [(f["value"], f["ci_low"], f["ci_high"], f["p"]) for f in facts] == [
        (-1.2, -1.8, -0.5, 0.001)
    ]


@pytest.mark.parametrize(
    ("head", "outcome"),
    [
        (
            "Treatment satisfaction rose more in patients on gel than on cream (",
            "Treatment satisfaction",
        ),
        ("Sleep quality improved more with the gel versus placebo (", "Sleep quality"),
        ("Responder rates for gel versus cream were ", "Responder rates"),
        ("The pain score fell in the lidocaine-treated group from ", "pain score"),
        ("Grade 3 rash was reported in ", "Grade rash"),
        ("Headache was more frequent with the gel (", "Headache"),
        ("Weight gain was smaller in completers (", "Weight gain"),
        ("Nausea was seen in 12 recipients (", "Nausea"),
        ("Nausea after treatment was ", "Nausea"),
        ("Nausea after a standard breakfast versus placebo was ", "Nausea"),
        ("The gel was associated with less joint stiffness than placebo (", "joint stiffness"),
        (
            "Bone density of the hip obviously increased in the gel group (",
            "Bone density of the hip",
        ),
        ("The pain score fell by 2.4 points (P=0.001), ", "pain score"),
    ],
    ids=[
        "arm-after-than-on",
        "arm-after-versus",
        "first-arm-before-versus",
        "arm-treated-compound",
        "was-reported",
        "more-frequent-with-arm",
        "people-noun",
        "people-noun-after-count",
        "after-treatment",
        "after-a-meal",
        "associated-with",
        "adverb-trimmed",
        "p-remnant",
    ],
)
def test_outcome_before_skips_arms_people_and_generic_words(head: str, outcome: str) -> None:
    assert outcome_before(head, len(head)) == outcome


@pytest.mark.parametrize(
    "head",
    [
        "More women in the gel group had ",
        "However, the difference was not significant (",
        "(82 on lidocaine and ",
    ],
    ids=["women", "however", "count-on-arm"],
)
def test_outcome_before_gives_none_rather_than_a_non_outcome(head: str) -> None:
    assert outcome_before(head, len(head)) is None


# Numbers after a measure name that are not its estimate (invented sentences).
@pytest.mark.parametrize(
    "text",
    [
        "There was a difference in TNF-8 levels (P<0.2).",
        "No difference was seen between scales (p=0.071 (scale 1), p=0.52 (scale 2)).",
        "The difference in stiffness tracked the change in flow (r = 0.47) (p < 0.05).",
        "The difference persisted to week 10 (t = -2.31, P = 0.021).",
        "Between-group differences were not significant (p = 0.31, partial \u03b72 = 0.04).",
        "The groups showed a difference in anxiety (F = 41.2, p < .001).",
        "There was no difference between arms (median [IQR]: 3.0 [2.0, 5.0]).",
        "The between-group difference in mean morning FEV1 (mean of 0700, 0900 and 1100 h) "
        "was the primary end point.",
        "There was no difference in Tmax (exposure ratio 1.04; 90% CI 0.96, 1.12).",
        "There was no difference in the healing rate which was 71.5% with drug A and "
        "80.2% with drug B.",
    ],
    ids=[
        "hyphenated-name",
        "after-a-p-value",
        "correlation",
        "t-statistic",
        "eta-squared",
        "f-statistic",
        "median-iqr-label",
        "clock-times",
        "ratio-named-between",
        "values-of-the-arms",
    ],
)
def test_not_the_estimate_after_the_name(text: str) -> None:
    assert find_effects(text) == []


def test_number_ending_a_name_is_skipped_for_the_value() -> None:
    (est,) = find_effects("The incidence rate ratio of HPV-16 was 1.31 (95% CI 0.88-1.95).")
    assert (est.measure, est.value, est.ci_low, est.ci_high) == ("IRR", 1.31, 0.88, 1.95)


@pytest.mark.parametrize(
    ("text", "value", "lo", "hi"),
    [
        (
            "Walking rose (mean between-group difference, 48.2 minutes; 95% confidence "
            "interval, 20.5\u201375.9; p < 0.001).",
            48.2,
            20.5,
            75.9,
        ),
        ("Stay was shorter (difference, -2.4 days; 95% CI, -4.1 to -0.7).", -2.4, -4.1, -0.7),
        (
            "Onset came sooner (estimated treatment difference \u22123.2 min, 95% CI: "
            "\u22124.0, \u22122.4; P < 0.001).",
            -3.2,
            -4.0,
            -2.4,
        ),
    ],
    ids=["minutes", "days", "min-not-the-bound"],
)
def test_difference_in_time_with_its_ci(text: str, value: float, lo: float, hi: float) -> None:
    (est,) = find_effects(text)
    assert (est.measure, est.value, est.ci_low, est.ci_high) == ("MD", value, lo, hi)


def test_plural_standardised_mean_differences_are_smd() -> None:
    (est, *_rest) = find_effects(
        "Memory improved, with standardised mean differences (SMDs) of 0.31, 0.18 and 0.22."
    )
    assert (est.measure, est.value) == ("SMD", 0.31)


def test_arr_read_as_risk_reduction_only_where_the_document_says_so(nlp: Language) -> None:
    ratio = "Trial title\nFalls were as frequent (ARR 1.42, 95% CI 1.10-1.83)."
    assert collect_effects(nlp(ratio)) == []
    assert (
        find_effects(
            "Falls were as frequent (ARR 1.42, 95% CI 1.10-1.83).", unspelled=frozenset({"ARR"})
        )
        == []
    )
    spelled = "Trial title\nThe absolute risk reduction was large (ARR 6.0%, 95% CI 2.0 to 10.0)."
    (fact,) = collect_effects(nlp(spelled))
    assert (fact["measure"], fact["value"]) == ("RD", -6.0)


@pytest.mark.parametrize(
    ("text", "value", "lo", "hi"),
    [
        (
            "The between-group difference for drugX 20 mg and drugY of 0.2% (-0.1, 0.5) "
            "met the margin.",
            0.2,
            -0.1,
            0.5,
        ),
        (
            "The placebo-adjusted mean change in HbA1c with drugX 50 mg was -0.48% "
            "(95% CI -0.61 to -0.35).",
            -0.48,
            -0.61,
            -0.35,
        ),
        (
            "The difference between drugX 0.004% and drugY 0.25% was 0.9 mmHg (95% CI 0.3 to 1.5).",
            0.9,
            0.3,
            1.5,
        ),
    ],
    ids=["dose-in-mg", "dose-before-link", "strengths-in-percent"],
)
def test_doses_of_the_arms_are_not_the_value(text: str, value: float, lo: float, hi: float) -> None:
    (est,) = find_effects(text)
    assert (est.measure, est.value, est.ci_low, est.ci_high) == ("MD", value, lo, hi)


def test_percent_after_an_outcome_name_is_no_dose() -> None:
    (est,) = find_effects("The difference in HbA1c was 0.4% and small (P = 0.03).")
    assert (est.value, est.p) == (0.4, 0.03)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        (
            "Differences from placebo in HbA1c were -0.3% and -0.6% for the 25 mg and 50 mg "
            "doses (both P < 0.01).",
            [-0.3, -0.6],
        ),
        ("The difference in HbA1c was -0.4%, and 6.3% of patients had nausea.", [-0.4]),
    ],
    ids=["unit-read-with-the-first", "share-of-patients-is-no-estimate"],
)
def test_bare_chain_after_a_percent(text: str, values: list[float]) -> None:
    assert [e.value for e in find_effects(text)] == values


@pytest.mark.parametrize(
    "text",
    [
        "A 90% CI for the mean treatment difference of -18 to +12 points was used.",
        # a lower-case start after the full stop keeps the splitter from cutting here
        "No differences between groups at baseline on social or clinical traits. mean age "
        "58 years, 61% women.",
        "There were no differences between devices for any measure at 3 m (p >= 0.41).",
        "Strength improved more in the training group (7.0; 95% CI, 6.1-7.9) compared to the "
        "control group (0.8; 95% CI, -0.2-1.8), a greater change overall.",
    ],
    ids=["ci-bounds-after-the-name", "baseline", "after-at", "arm-value-after-arm-value"],
)
def test_no_false_difference(text: str) -> None:
    assert [e for e in find_effects(text) if e.measure == "MD"] == []


def test_spread_after_an_estimate_is_no_chained_estimate() -> None:
    found = find_effects("Load fell (mean difference = 12 %, standard error 4 %, p < 0.001).")
    assert [e.value for e in found] == [12.0]


def test_no_chain_after_an_estimate_without_ci_or_p() -> None:
    found = find_effects(
        "DrugX cut events (number needed to treat: 18), and relapse (0.71, 95% CI: 0.52-0.95)."
    )
    assert [(e.measure, e.value) for e in found] == [("other", 18.0)]


@pytest.mark.parametrize(
    "text",
    [
        "There was no difference between the two arms (rater 1, p = 0.52; rater 2, p = 0.41).",
        "Pressure showed no difference between the groups, with a mean fall of 14.2% using "
        "drugA and 13.0% using drugB.",
        "Across all scans, the relative differences were 41% for sharpness.",
        "No difference was seen on any scale (Cohen's d range = 0.05\u20130.19).",
        "The upper 95% CI limit for the difference in mean pain score was 1.4 points.",
        "No difference in adherence was seen, with 71.3% (CI, 66.0, 76.6) for the control "
        "group and 69.9% (CI, 64.1, 75.7) for the coaching group (p = 0.52).",
    ],
    ids=[
        "label-number",
        "values-of-the-arms-using",
        "relative-difference",
        "range-of-effect-sizes",
        "ci-limit-for-the-difference",
        "arm-label-after-the-ci",
    ],
)
def test_no_estimate_of_the_difference(text: str) -> None:
    assert [e for e in find_effects(text) if e.measure] == []


def test_ari_read_only_where_the_document_spells_it_out(nlp: Language) -> None:
    text = "Trial title\nThe incidence of ARI was 31.2/100 child-years."
    assert collect_effects(nlp(text)) == []


def test_range_of_ratios_is_no_estimate() -> None:
    assert (
        find_effects("Across rounds, the risk ratio was 2.8\u20137.4 after a negative screen.")
        == []
    )


# (sentence, [(value, ci_low, ci_high, p)])
COMPARATIVES = [
    (
        "Fasting glucose was 12 mg/dl lower with drugA than with placebo (p < 0.01).",
        [(12.0, None, None, 0.01)],
    ),
    (
        "The tremor score fell 0.84 points/week faster, i.e. was 0.84 points/week lower while"
        " taking drugB than while taking placebo (95% CI for difference 0.21-1.47, P = 0.009).",
        [(0.84, 0.21, 1.47, 0.009)],
    ),
    (
        "Over follow-up the treated children had a diastolic pressure 0.82 (95% confidence"
        " interval, 0.15-1.49) mmHg higher than did the untreated children.",
        [(0.82, 0.15, 1.49, None)],
    ),
    (
        "Participants on the tight target had HbA1c on average -0.9 (95% CI: -1.3 to -0.5)"
        " percentage points lower than those on the usual target.",
        [(-0.9, -1.3, -0.5, None)],
    ),
    (
        "The fall in pressure was larger with drugH than with drugJ by 0.9 mmHg (95% CI 0.2-1.6).",
        [(0.9, 0.2, 1.6, None)],
    ),
    ("DrugK lowered HbA1c by 0.4% more than drugL (P = 0.002).", [(0.4, None, None, 0.002)]),
    (
        "Time asleep was 7.2 percentage points higher (95% CI 4.9\u20139.5; p<0\u00b70001)"
        " with the new device compared with the standard device.",
        [(7.2, 4.9, 9.5, 0.0001)],
    ),
    (
        "Body fat in the coached group was 0.41% lower (95% confidence interval"
        " 0.22-0.60, p < 0.001) than in the control group.",
        [(0.41, 0.22, 0.60, 0.001)],
    ),
    (
        "Diastolic pressure was 2.7 mmHg lower in the drugC group than in the placebo group"
        " (95% CI -4.4 to -1.0).",
        [(-2.7, -4.4, -1.0, None)],
    ),
    (
        "DrugD lowered the pressure 0.92 and 1.31 mm Hg more than drugE after 4 and 8 weeks.",
        [(0.92, None, None, None), (1.31, None, None, None)],
    ),
    (
        "Stay was 2.5 days shorter on the pathway than with usual care (p = 0.03).",
        [(2.5, None, None, 0.03)],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    COMPARATIVES,
    ids=[
        "unit-lower-than-p",
        "ci-after-the-arm-compared",
        "unit-after-the-ci",
        "signed-value-before-lower",
        "value-after-the-arm-compared-by",
        "percent-of-hba1c-with-p",
        "percentage-points-ci-before-comparator",
        "percent-with-ci-before-than",
        "ci-written-negative-for-lower",
        "two-values-one-unit",
        "days-shorter",
    ],
)
def test_difference_written_as_a_comparative(
    text: str, expected: list[tuple[float, float | None, float | None, float | None]]
) -> None:
    found = [(e.value, e.ci_low, e.ci_high, e.p) for e in find_effects(text) if e.measure == "MD"]
    assert found == [
        tuple(pytest.approx(x) if x is not None else None for x in row) for row in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Relapse was 35% lower with drugF than with placebo (95% CI 12 to 52).",
        "Responders were 1.8 times more likely than controls to improve (95% CI 1.1 to 2.9).",
        "Pressure was 5.2 mmHg lower at week 8 than at baseline (p < 0.001).",
        "Treated rats showed a 20% lower weight than controls (95% CI 11 to 29).",
        "Scores were 6 higher in the drug group than in the placebo group.",
        "Pain fell more in arm A than in arm B by 25% (p = 0.02).",
        "Pressure was lower at week 6 than at baseline by 4 mmHg.",
    ],
    ids=[
        "percent-of-a-risk",
        "times-more-likely",
        "than-baseline",
        "a-percent",
        "no-unit-no-ci",
        "by-percent-of-no-percent-quantity",
        "by-than-baseline",
    ],
)
def test_comparative_that_is_no_difference(text: str) -> None:
    assert [e for e in find_effects(text) if e.measure == "MD"] == []


# (sentence, [(value, ci_low, ci_high)])
MORE_FORMS = [
    (
        "Viral load fell more (difference of means = 184,212 IU/ml; 95% CI 20,100 to 350,300).",
        [(184212.0, 20100.0, 350300.0)],
    ),
    (
        "The mean difference in yearly cost was $2,340 (95% CI 1,115 to 3,565).",
        [(2340.0, 1115.0, 3565.0)],
    ),
    ("The mean difference was 1.8 mmHg (95% C.I 0.6 to 3.0).", [(1.8, 0.6, 3.0)]),
    ("The mean difference was 1.8 mmHg (95% confidence limits 0.6 to 3.0).", [(1.8, 0.6, 3.0)]),
    (
        "The estimated difference in the QoL score (A minus B) was -2.3 with a 95% CI of"
        " -5.9 to 1.3 (P=.21).",
        [(-2.3, -5.9, 1.3)],
    ),
    (
        "Activity rose at 6 months (adjusted difference 2.2 MET*h/wk [95% CI, 1.1 to 3.3]).",
        [(2.2, 1.1, 3.3)],
    ),
    (
        "There was a difference of 2.35 units on the mania scale (t = 2.2, P = 0.03).",
        [(2.35, None, None)],
    ),
    (
        "In the powered subgroup, the score was better (MD -0.91 (95% CI -1.62 to -0.20).",
        [(-0.91, -1.62, -0.20)],
    ),
    (
        "Between-group differences were -0.4 (95% CI -0.7 to -0.1) and -0.6 (95% CI -0.9 to"
        " -0.3) for drugA 5 mg and 10 mg versus placebo, respectively.",
        [(-0.4, -0.7, -0.1), (-0.6, -0.9, -0.3)],
    ),
    ("Implant migration differed by 0.03 mm (95% CI -0.10 to 0.16).", [(0.03, -0.10, 0.16)]),
    (
        "Lesion area shrank more (mean difference: -14.2 cm2 (95% CI -25.0 to -3.4 cm2)).",
        [(-14.2, -25.0, -3.4)],
    ),
    (
        "Itch scores differed between the 2 creams by 1.6 points (95% CI 0.7, 2.5), P = .002.",
        [(1.6, 0.7, 2.5)],
    ),
    (
        "Over a year the mean differences were in waist (-2.1 cm (95% CI -3.0, -1.2)), BMI kg/m2"
        " (-0.6 (95% CI -0.9, -0.3)) and weight (-1.9 kg (95% CI -2.8, -1.0)).",
        [(-2.1, -3.0, -1.2), (-0.6, -0.9, -0.3), (-1.9, -2.8, -1.0)],
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        "The arms differed by 1.4 mmHg (95% CI 0.5-2.3, p = 0.02).",
        "DrugG reduced the score by 1.4 points (95% CI 0.5 to 2.3; p = 0.02) relative to placebo.",
    ],
    ids=["differed-by", "reduced-by-relative-to"],
)
def test_p_value_inside_the_ci_bracket_of_an_unnamed_difference(text: str) -> None:
    (est,) = find_effects(text)
    assert (est.p, est.p_op) == (pytest.approx(0.02), "=")


@pytest.mark.parametrize(
    ("text", "expected"),
    MORE_FORMS,
    ids=[
        "thousands-in-value-and-ci",
        "currency-with-thousands",
        "c-i-without-final-stop",
        "confidence-limits",
        "with-a-ci-of",
        "unit-product-with-asterisk",
        "units-after-a-bare-difference",
        "powered-subgroup-is-a-result",
        "respectively-for-doses-versus-placebo",
        "differed-by",
        "unit-squared",
        "differed-between-the-arms-by",
        "chain-past-a-name-with-a-unit",
    ],
)
def test_more_estimate_forms(
    text: str, expected: list[tuple[float, float | None, float | None]]
) -> None:
    found = [(e.value, e.ci_low, e.ci_high) for e in find_effects(text) if e.measure == "MD"]
    assert found == [
        tuple(pytest.approx(x) if x is not None else None for x in row) for row in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        "No differences between arms in the primary (least squares mean [95% CI] score change"
        " 2.10 [1.70, 2.50], 2.20 [1.80, 2.60], and 2.05 [1.65, 2.45] for placebo, drugA 50 mg,"
        " and drugA 100 mg, respectively) were seen.",
        "There were no differences in caesarean births between the wards: 14.1% in the"
        " low-risk unit; 17.2% in the general unit; and 19.0% in the high-risk unit.",
        "Walking lowered resting pulse (mean of the differences = -6 beats/min; p = 0.02;"
        " 95% CI = [-10.1, -1.9]) in the walking group.",
        "Ferritin rose in the supplemented group (median of the differences = 14 ng/ml;"
        " 95% CI = [3, 25]).",
    ],
    ids=[
        "arm-values-listed-with-placebo-respectively",
        "value-located-in-an-arm",
        "mean-of-the-paired-differences",
        "median-of-the-paired-differences",
    ],
)
def test_values_of_the_arms_after_difference(text: str) -> None:
    assert [e for e in find_effects(text) if e.measure] == []


def test_ci_word_right_after_the_value_is_no_unit() -> None:
    (est,) = find_effects("More were abstinent at six weeks (12 vs 5, RR 1.62 CI 1.01-2.60).")
    assert (est.measure, est.value, est.ci_low, est.ci_high) == ("RR", 1.62, 1.01, 2.60)


# (sentence, [(measure, value, ci_low, ci_high, p)])
BARE_BOUNDS = [
    (
        "Relapses fell (first relapse; HR 0\u00b761, 0\u00b742\u20130\u00b789, p=0\u00b701).",
        [("HR", 0.61, 0.42, 0.89, 0.01)],
    ),
    (
        "Quit rates held when dropouts were excluded [RR 1\u00b790, 1\u00b752\u20132\u00b738;"
        " p<0\u00b70001].",
        [("RR", 1.90, 1.52, 2.38, 0.0001)],
    ),
    (
        "Neither arm gained (p=0.41); the HR for OS was 0.88 (95% CI 0.69-1.12).",
        [("HR", 0.88, 0.69, 1.12, None)],
    ),
    (
        "The hazard ratio for relapse of the drugM arm against the observation arm was not"
        " significant (0.84; 95% confidence interval, 0.55-1.28; P = 0.42).",
        [("HR", 0.84, 0.55, 1.28, 0.42)],
    ),
    (
        "Pain fell (mean difference (95% CI) -1.2 (-2.0 to -0.4)) and larger gains in the"
        " six minute walk test (31.5 (12.0 to 51.0) metres) were seen.",
        [("MD", -1.2, -2.0, -0.4, None), ("MD", 31.5, 12.0, 51.0, None)],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    BARE_BOUNDS,
    ids=[
        "bare-bounds-in-bracket",
        "bare-bounds-then-semicolon",
        "abbreviation-for-outcome-was",
        "many-words-then-bracketed-value-with-ci",
        "chain-past-a-long-outcome-name",
    ],
)
def test_bounds_without_a_ci_word_and_outcome_after_abbreviation(
    text: str, expected: list[tuple[str, float, float, float, float | None]]
) -> None:
    found = [(e.measure, e.value, e.ci_low, e.ci_high, e.p) for e in find_effects(text)]
    assert found == [
        (
            m,
            pytest.approx(v),
            pytest.approx(lo),
            pytest.approx(hi),
            p if p is None else pytest.approx(p),
        )
        for m, v, lo, hi, p in expected
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The HR for OS was 0.88 (p = 0.3).",
        "The odds ratio was 1.4, 1.1-1.8 in adults.",
        "The hazard ratio for relapse of the drugM arm against the observation arm was lower"
        " (0.84 in men).",
    ],
    ids=[
        "abbreviation-for-outcome-without-ci",
        "bare-bounds-outside-a-bracket",
        "many-words-then-bracketed-value-without-ci",
    ],
)
def test_no_ci_read_without_its_guard(text: str) -> None:
    assert all(e.ci_low is None for e in find_effects(text))
    if "HR" in text or "hazard" in text:
        assert find_effects(text) == []


def test_no_p_value_of_the_next_item_after_the_bracket_closes() -> None:
    found = find_effects(
        "Readers of the booklet scored higher (p = 0.01, 95% CI = 0.5-9.1, effect size = 0.6)"
        " and rated it more useful (p = 0.03, 95% CI = 0.1-2.2, effect size = 0.5)."
    )
    assert [(e.value, e.p) for e in found] == [(0.6, None), (0.5, None)]


def test_p_value_after_the_bracket_of_its_own_difference_is_kept() -> None:
    (est,) = find_effects("By week 2 the difference (2.3 points) was significant (P = .004).")
    assert (est.value, est.p) == (2.3, pytest.approx(0.004))
