"""Arm values: mean ± SD, mean (SD), median (IQR), events/total, n (%), arms, exclusions."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from miner.extract import arm_value
from miner.extract.arm_value import (
    _VALUE_RE,
    _VALUE_SOURCE,
    _WORD_NUMBER_PARTS,
    _WORD_NUMBERS,
    _blank_arms,
    _scan,
    collect_arm_values,
    find_arm_values,
)
from miner.extract.effect import DASHES


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipe = spacy.blank("en")
    pipe.add_pipe("sentencizer")
    pipe.add_pipe("miner_effect")
    pipe.add_pipe("miner_arm_value")
    return pipe


def _one(text: str) -> dict[str, object]:
    found = find_arm_values(text)
    assert len(found) == 1, found
    v = found[0]
    return {
        k: getattr(v, k)
        for k in ("kind", "value", "sd", "low", "high", "events", "total", "percent")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mean pain was 12.3 ± 4.1 in the ketamine group.",
            {"kind": "mean", "value": 12.3, "sd": 4.1},
        ),
        (
            "Mean pain was 12.3 +/- 4.1 in the ketamine group.",
            {"kind": "mean", "value": 12.3, "sd": 4.1},
        ),
        (
            "Mean pain was 12.3 + / - 4.1 in the ketamine group.",
            {"kind": "mean", "value": 12.3, "sd": 4.1},
        ),
        (
            "Pain was 12.3 (SD 4.1) in the ketamine group.",
            {"kind": "mean", "value": 12.3, "sd": 4.1},
        ),
        (
            "Mean (SD) pain was 12.3 (4.1) in the ketamine group.",
            {"kind": "mean", "value": 12.3, "sd": 4.1},
        ),
        (
            "Median stay was 5 (IQR 3\u20138) days in the ketamine group.",
            {"kind": "median", "value": 5.0, "low": 3.0, "high": 8.0},
        ),
        (
            "Median stay was 5 (3 to 8) days in the ketamine group.",
            {"kind": "median", "value": 5.0, "low": 3.0, "high": 8.0},
        ),
        (
            "Nausea occurred in 12/40 patients in the ketamine group.",
            {"kind": "events", "events": 12, "total": 40},
        ),
        (
            "Nausea occurred in 12 of 40 patients in the ketamine group.",
            {"kind": "events", "events": 12, "total": 40},
        ),
        (
            "Nausea occurred in twelve of 40 patients in the ketamine group.",
            {"kind": "events", "events": 12, "total": 40},
        ),
        (
            "Nausea occurred in 12 (30%) patients in the ketamine group.",
            {"kind": "events", "events": 12, "percent": 30.0},
        ),
        (
            "Nausea occurred in 30% (12/40) in the ketamine group.",
            {"kind": "events", "events": 12, "total": 40, "percent": 30.0},
        ),
        (
            "Nausea occurred in 30% of patients in the ketamine group.",
            {"kind": "percent", "value": 30.0},
        ),
    ],
    ids=[
        "mean-plus-minus-sign",
        "mean-plus-slash-minus",
        "mean-spaced-plus-slash-minus",
        "mean-paren-sd-word",
        "mean-paren-sd-with-cue",
        "median-iqr-en-dash",
        "median-range-to",
        "events-slash",
        "events-of",
        "events-word-number",
        "events-percent",
        "percent-events-total",
        "percent-with-arm",
    ],
)
def test_value_forms(text: str, expected: dict[str, object]) -> None:
    got = _one(text)
    for key, want in expected.items():
        assert got[key] == (pytest.approx(want) if isinstance(want, float) else want), key


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Scores were ketamine: 3.1 \u00b1 1.2 vs placebo: 4.0 \u00b1 1.1.",
            ["ketamine", "placebo"],
        ),
        ("Response was 18% and 27% in groups A and B, respectively.", ["group A", "group B"]),
        (
            "Bleeds were more frequent in the heparin group (six of 52)"
            " than in the dalteparin group (two of 53).",
            ["heparin", "dalteparin"],
        ),
        (
            "Rash was more common with doxorubicin than PLD (66% versus 20%).",
            ["doxorubicin", "PLD"],
        ),
        (
            "Weight fell by 2.1 \u00b1 0.5 kg in the diet group"
            " and by 0.4 \u00b1 0.6 kg in the control group.",
            ["diet", "control"],
        ),
    ],
    ids=[
        "label-colon",
        "respectively",
        "group-before-value",
        "comparison-pair",
        "group-after-unit",
    ],
)
def test_arms_in_order(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_outcome_and_timepoint() -> None:
    found = find_arm_values(
        "Pain scores at 1 week were ketamine: 3.1 \u00b1 1.2 vs placebo: 4.0 \u00b1 1.1."
    )
    assert {(v.outcome, v.timepoint) for v in found} == {("Pain scores", "1 week")}


@pytest.mark.parametrize(
    "text",
    [
        "Mortality fell (RR 0.60, 95% CI 0.40 to 0.90; P = 0.01).",
        "Blood pressure was 120/80 mmHg at entry.",
        "Doses of 10/20 mg were used in this phase 1/2 study.",
        "Patients with HbA1c < 7% were eligible.",
        "Women made up 45% of the sample.",
        "To detect a difference of 12.0 \u00b1 4.0 points with 80% power we needed 60 patients.",
        "The ketamine group (n = 21) and the placebo group (n = 20) were analysed.",
    ],
    ids=[
        "effect-and-ci",
        "blood-pressure",
        "dose-and-phase",
        "threshold",
        "percent-without-arm",
        "power-calculation",
        "arm-sizes",
    ],
)
def test_not_arm_values(text: str) -> None:
    assert find_arm_values(text) == []


def test_component_and_collector(nlp: Language) -> None:
    text = "A trial\nNausea: ketamine 12/40 (30%) vs placebo 4/41 (10%)."
    doc = nlp(text)
    facts = collect_arm_values(doc)
    assert [(f["events"], f["total"]) for f in facts] == [(12, 40), (4, 41)]
    for f in facts:
        assert f["text"] == text[f["start"] : f["end"]]
    assert {s.label_ for s in doc.spans["miner"]} == {"ARM_VALUE"}


def test_real_abstracts_broad_properties(nlp: Language, shared: Callable[..., Path]) -> None:
    with gzip.open(shared("pico-corpus", "pico_dev.jsonl.gz"), "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), fh, strict=False)]
    facts = []
    for doc in nlp.pipe(texts):
        for f in collect_arm_values(doc):
            assert f["text"] == doc.text[f["start"] : f["end"]]
            facts.append(f)
    assert len(facts) >= 200  # we measure several per abstract; this is a floor
    for f in facts:
        assert f["kind"] in {"mean", "median", "events", "percent"}
        if f["events"] is not None and f["total"] is not None:
            assert 0 <= f["events"] <= f["total"]
        if f["iqr_low"] is not None:
            assert f["iqr_low"] <= f["value"] <= f["iqr_high"]
        if f["percent"] is not None:
            assert 0 <= f["percent"] <= 100


def _triples(text: str) -> list[tuple[str, float, str | None]]:
    return [(v.kind, v.value, v.arm) for v in find_arm_values(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Operating time was longer with drug A (81.5 vs 64.0 min, P = 0.01).",
            [("mean", 81.5, None), ("mean", 64.0, None)],
        ),
        (
            "Median survival was 14.2 versus 11.0 months (P = 0.03).",
            [("median", 14.2, None), ("median", 11.0, None)],
        ),
        (
            "Median stay was 4 and 6 days in the early and late groups, respectively.",
            [("median", 4.0, "early"), ("median", 6.0, "late")],
        ),
        (
            "Relapse was seen at a rate of 41.5% vs. 22.0% at 2 years.",
            [("percent", 41.5, None), ("percent", 22.0, None)],
        ),
        (
            "Infections occurred in 12 on ketamine and 4 on placebo.",
            [("events", 12.0, "ketamine"), ("events", 4.0, "placebo")],
        ),
        ("Levels were 443.0 -/+ 123.1 ng/g.", [("mean", 443.0, None)]),
        (
            "Five of six in the olanzapine group responded.",
            [("events", 5.0, "olanzapine")],
        ),
        (
            "Weight change was 1.7 kg on drug X and 0.6 kg on placebo at week 12.",
            [("mean", 1.7, "drug X"), ("mean", 0.6, "placebo")],
        ),
        (
            "The 2-year rate was 70% for surgery and 81% for radiotherapy (P = .03).",
            [("percent", 70.0, "surgery"), ("percent", 81.0, "radiotherapy")],
        ),
        (
            "Relapse was less frequent in the diet group than in the control group"
            " [3 (5%) vs 11 (18%), P = 0.02].",
            [("events", 3.0, "diet"), ("events", 11.0, "control")],
        ),
        (
            "Median time to relapse in arm A was 4.1 months and 5.5 months in arm B.",
            [("median", 4.1, "arm A"), ("median", 5.5, "arm B")],
        ),
    ],
    ids=[
        "bare-pair-with-unit",
        "median-cue-for-bare-pair",
        "respectively-list-of-bare-values",
        "weak-percent-kept-when-paired",
        "event-counts-with-event-word",
        "minus-plus-sd",
        "word-total",
        "arm-ends-at-time-phrase",
        "arm-before-bracket",
        "comparison-frame-with-gap",
        "group-letter-labels",
    ],
)
def test_paired_and_listed_values(text: str, expected: list[tuple[str, float, str | None]]) -> None:
    assert _triples(text) == [(k, pytest.approx(v), a) for k, v, a in expected]


def test_time_points_listed_are_not_values() -> None:
    found = find_arm_values(
        "Pain fell to 3.1, 2.4 and 1.9 in the yoga group and to 3.5, 3.3 and 3.0 in the"
        " control group after 2, 4 and 8 weeks, respectively."
    )
    assert [v.value for v in found] == pytest.approx([3.1, 2.4, 1.9, 3.5, 3.3, 3.0])


@pytest.mark.parametrize(
    "text",
    [
        "Of these, 52 were assigned to ketamine and 50 to placebo.",
        "Risk ratios were 1.75 (0.44 to 8.13) for fatal infarction"
        " and 1.11 (0.55 to 2.28) for angina.",
        "Patients received 10 mg in the low-dose arm and 20 mg in the high-dose arm.",
        "The trial enrolled 132 979 women in the screening group.",
        "There were 40 patients in the control group.",
        "Adherence was defined as use of 80% of doses in the ketamine group.",
        "Pain was assessed for 48 hours in the ketamine group.",
    ],
    ids=[
        "allocation-counts",
        "ratios-with-ranges",
        "doses",
        "thin-space-thousands",
        "people-counts",
        "weak-percent-alone",
        "time-with-arm",
    ],
)
def test_more_non_values(text: str) -> None:
    assert find_arm_values(text) == []


def test_comparison_p_value() -> None:
    found = find_arm_values(
        "Hyperaemia was less frequent on drug A than on drug B (20.2% vs 30.6%; p = 0.003)."
    )
    assert [(v.value, v.p, v.p_op) for v in found] == [(20.2, 0.003, "="), (30.6, 0.003, "=")]
    single = find_arm_values("IOP fell by 3.6 \u00b1 1.9 mmHg in the drug group (P < 0.001).")
    assert [(v.value, v.p) for v in single] == [(3.6, None)]


@pytest.mark.parametrize(
    "text",
    [
        "Tumour volume ranged from 2 to 41.5 cm3, mean 9.8 cm3.",
        "Scores ranged between 12 and 30 points in the exercise group.",
    ],
    ids=["range-from-to", "range-between-and"],
)
def test_range_bounds_are_not_values(text: str) -> None:
    assert [v.value for v in find_arm_values(text) if v.value in (2, 41.5, 12, 30)] == []


@pytest.mark.parametrize(
    "text",
    [
        "Participants had a mean age of 61.2 \u00b1 7.4 years and a BMI of 27.9 \u00b1 3.3 kg/m2.",
        "Subjects were on average 48.5 (SD 9.1) years old.",
        "Median follow-up was 41 (IQR 30-52) months.",
        "Mean baseline fatigue scores were 58.1 for yoga and 57.4 for usual care.",
        "In the diet group (n = 20, mean age 55.0 \u00b1 6.1 years) adherence was high.",
    ],
    ids=["age-and-bmi", "years-old-after", "median-follow-up", "baseline-scores", "age-in-arm"],
)
def test_sample_descriptors_are_not_outcome_values(text: str) -> None:
    assert [v for v in find_arm_values(text) if v.kind in ("mean", "median")] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "In patients aged over 70, pain fell by 2.4 \u00b1 1.0 on yoga"
            " and by 1.1 \u00b1 0.9 on placebo.",
            [("mean", 2.4, "yoga"), ("mean", 1.1, "placebo")],
        ),
        (
            "The mean change from baseline was 3.2 \u00b1 1.5 in the exercise group.",
            [("mean", 3.2, "exercise")],
        ),
        (
            "The cost of follow-up was 12,400 euros in the nurse-led group.",
            [("mean", 12400.0, "nurse-led")],
        ),
    ],
    ids=["age-in-an-earlier-clause", "change-from-baseline", "cost-of-follow-up"],
)
def test_outcomes_near_descriptor_words_are_kept(
    text: str, expected: list[tuple[str, float, str | None]]
) -> None:
    assert _triples(text) == [(k, pytest.approx(v), a) for k, v, a in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nausea was more frequent with drug A than with drug B (41 vs. 18%).",
            [("percent", 41.0, "drug A"), ("percent", 18.0, "drug B")],
        ),
        (
            "Remission rates were 35 and 52% in arms A and B, respectively.",
            [("percent", 35.0, "arm A"), ("percent", 52.0, "arm B")],
        ),
    ],
    ids=["versus-pair", "respectively-pair"],
)
def test_one_percent_sign_for_a_pair(
    text: str, expected: list[tuple[str, float, str | None]]
) -> None:
    assert _triples(text) == [(k, pytest.approx(v), a) for k, v, a in expected]


@pytest.mark.parametrize(
    "text",
    [
        "Rash was seen in 9% of group 2 vs. 4% of group 1 patients.",
        "Dermatitis was found in 12, 40, and 65% of the control group.",
    ],
    ids=["group-number", "longer-list"],
)
def test_numbers_that_do_not_share_the_sign(text: str) -> None:
    assert [v.value for v in find_arm_values(text) if v.kind == "percent"] in ([], [9, 4], [65])
    assert all(v.value not in (2, 12, 40) for v in find_arm_values(text))


def test_arm_named_before_a_pair_is_not_given_to_its_first_value() -> None:
    assert [v.arm for v in find_arm_values("Nausea was lower than with drug B (41 vs. 18%).")] == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Median survival in arm A and arm B was 10.2 months and 12.9 months, respectively.",
            ["arm A", "arm B"],
        ),
        (
            "Median time to relapse was 3.1 and 5.6 months in the observation and"
            " chemotherapy arm, respectively.",
            ["observation", "chemotherapy"],
        ),
    ],
    ids=["repeated-arm-word", "singular-arm-after-list"],
)
def test_respectively_lists(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Sepsis occurred in 8% of patients who received drug X and 14% of patients"
            " who received placebo.",
            ["drug X", "placebo"],
        ),
        (
            "Rash occurred in 22.5% of women treated with letrozole and in 9.1% of women"
            " receiving tamoxifen.",
            ["letrozole", "tamoxifen"],
        ),
        (
            "Fractures were seen in 7% (n = 61) with drug X versus 11% (n = 95) with placebo.",
            ["drug X", "placebo"],
        ),
    ],
    ids=["of-patients-who-received", "of-women-treated-with", "arm-size-before-arm"],
)
def test_arm_after_people(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("Twenty-seven of 40 patients in the yoga group improved.", 27),
        ("Thirty five patients (44%) in the yoga group improved.", 35),
        ("Sixty-one (52%) in the yoga group improved.", 61),
    ],
    ids=["hyphen", "space", "n-percent"],
)
def test_compound_number_words(text: str, events: int) -> None:
    assert [v.events for v in find_arm_values(text)] == [events]


@pytest.mark.parametrize(
    "text",
    [
        "Participants were randomly assigned to one of three groups.",
        "Women were allocated to 1 of 2 exercise arms.",
        "Patients with a pain score of \u2265 4 out of 10 were enrolled.",
        "Abemaciclib is a cyclin-dependent kinase 4/6 inhibitor.",
        "Patients treated since 03/95 were enrolled.",
        "Median age was 61/63 years in the two arms.",
        "Between 03/95 and 11/98, 120 patients were enrolled.",
        "Women were assigned to usual care or to one of three other study groups.",
    ],
    ids=[
        "one-of-n-groups",
        "1-of-2-arms",
        "threshold",
        "kinase",
        "date",
        "slash-with-unit",
        "date-range",
        "one-of-n-other-groups",
    ],
)
def test_not_event_counts(text: str) -> None:
    assert [v for v in find_arm_values(text) if v.kind == "events"] == []


def test_event_count_followed_by_arm_group() -> None:
    assert [
        (v.events, v.arm) for v in find_arm_values("Relapse occurred in 12/40 in placebo group.")
    ] == [(12, "placebo")]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Lorazepam and midazolam were rated as 64% and 88% effective by the nurses.",
            ["Lorazepam", "midazolam"],
        ),
        (
            "Graft loss was reported for 6.1% (induction) and 9.8% (noninduction) of patients.",
            ["induction", "noninduction"],
        ),
        (
            "Jaw necrosis was rare (1.1%, denosumab; 0.8%, zoledronic acid; P = .40).",
            ["denosumab", "zoledronic acid"],
        ),
        (
            "Rates differed for infection (induction, 21.5% vs. noninduction, 12.0%, P=0.01).",
            ["induction", "noninduction"],
        ),
    ],
    ids=["treatments-as-subject", "bracketed-labels", "comma-labels-after", "comma-labels-before"],
)
def test_labelled_pairs(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    "text",
    [
        "Pain and nausea were reduced by 30% and 40% in the trial.",
        "Response was 20% (CR) and 30% (PR) in the trial.",
    ],
    ids=["outcomes-as-subject", "response-types"],
)
def test_labels_that_are_not_arms(text: str) -> None:
    assert all(v.arm is None for v in find_arm_values(text))


def test_outcome_of_second_labelled_value_is_not_the_first_label() -> None:
    found = find_arm_values("Two-year survival was 81.0% (letrozole) and 77.2% (placebo).")
    assert [v.outcome for v in found] == ["Two-year survival", "Two-year survival"]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Olanzapine was associated with a mean weight gain of 3.1 \u00b1 1.9 kg,"
            " as compared with 0.6 \u00b1 1.2 kg with placebo.",
            ["Olanzapine", "placebo"],
        ),
        (
            "Treatment with sertraline for 12 weeks resulted in a 41.0 percent fall in the"
            " anxiety score, as compared with a 17.5 percent fall in the placebo group.",
            ["sertraline", "placebo"],
        ),
    ],
    ids=["subject-associated-with", "treatment-with-subject"],
)
def test_subject_is_first_arm(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_subject_that_is_no_treatment_is_no_arm() -> None:
    found = find_arm_values(
        "Pain was associated with a score of 4.1 \u00b1 1.0, as compared with 2.2 \u00b1 0.9"
        " with placebo."
    )
    assert [v.arm for v in found] == [None, "placebo"]


def test_what_changed_is_no_arm() -> None:
    found = find_arm_values(
        "There was a 38% rise in the pain score, versus a 12% rise in controls."
    )
    assert found == [] or found[0].arm is None
    kept = find_arm_values("Pain fell by a mean 2.0 points, a 14% decrease in the placebo group.")
    assert [v.arm for v in kept if v.kind == "percent"] == ["placebo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Of those on drug X, 9 (45%) of 20 patients responded.", (9, 20, 45.0)),
        ("Uptake was 2210 [18%] of 12 277 in the invited group.", (2210, 12277, 18.0)),
        ("There were 14 deaths (21%) in the surgery group.", (14, None, 21.0)),
    ],
    ids=["n-percent-of-total", "thin-space-total", "deaths-with-percent"],
)
def test_counts_with_share_and_total(text: str, expected: tuple[int, int | None, float]) -> None:
    assert [(v.events, v.total, v.percent) for v in find_arm_values(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Seven (50%) of 14 patients who received treatment with open-label sertraline"
            " following the placebo phase responded.",
            ["open-label sertraline"],
        ),
        ("31 of 120 heparin recipients (25.8%) had thrombosis.", ["heparin"]),
        ("Twelve of 40 female patients had nausea.", [None]),
    ],
    ids=["patients-who-received", "drug-recipients", "people-not-treated"],
)
def test_arm_of_counted_people(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.kind == "events"] == arms


def test_single_value_does_not_take_a_lone_placebo_mention() -> None:
    found = find_arm_values("Nine (60%) of 15 patients responded after the placebo phase ended.")
    assert [v.arm for v in found] == [None]


def test_median_follow_up_does_not_make_later_counts_medians() -> None:
    found = find_arm_values(
        "After a median follow-up of 40 months there were 30 relapses, 12 in the diet group"
        " and 18 in the control group."
    )
    assert [(v.kind, v.value, v.arm) for v in found if v.arm] == [
        ("events", 12.0, "diet"),
        ("events", 18.0, "control"),
    ]


def test_outcomes_after_for_are_not_arms() -> None:
    found = find_arm_values(
        "Rates per 1000 person-years were 31.2 for any fracture and 8.4 for death."
    )
    assert all(v.arm is None for v in found)


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Transfusion rates were 8% (95% CI, 2-14%) for drug X and 19% (95% CI, 10-28%)"
            " for placebo.",
            ["drug X", "placebo"],
        ),
        (
            "Response was higher in women treated with letrozole (41%) than in women treated"
            " with tamoxifen (23%).",
            ["letrozole", "tamoxifen"],
        ),
    ],
    ids=["interval-between-value-and-arm", "arm-before-bracketed-value"],
)
def test_arms_around_brackets(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_bracketed_value_after_a_subgroup_is_not_an_arm() -> None:
    found = find_arm_values("Relapse was common in the older subgroup (30%) and rare in others.")
    assert all(v.arm is None for v in found)


def test_respectively_list_after_values_with_intervals() -> None:
    found = find_arm_values(
        "Two-year survival was 81.3% (95% CI, 75.0% to 86.1%) and 70.2% (95% CI, 63.0% to"
        " 76.4%) for the surgery and radiotherapy groups, respectively."
    )
    assert [(v.value, v.arm) for v in found] == [(81.3, "surgery"), (70.2, "radiotherapy")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "There were 64 deaths with drug X and 80 deaths with placebo.",
            [(64, "drug X"), (80, "placebo")],
        ),
        (
            "We saw 41 invasive breast cancers in the diet group and 58 in the control group.",
            [(41, "diet"), (58, "control")],
        ),
    ],
    ids=["event-noun", "modified-event-noun-then-bare-partner"],
)
def test_counted_events_with_arms(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(v.events, v.arm) for v in find_arm_values(text)] == expected


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            # "whereas" is no unit, and group B is not the first value's arm;
            # each clause opens with its own group
            "In group A the rate was 31.0% whereas in group B the rate was 40.2%.",
            ["group A", "group B"],
        ),
        (
            "Survival did not improve for the drug X arm (7.9 months in the control arm v"
            " 7.4 months in the drug X arm, P=.71).",
            ["control", "drug X"],
        ),
        (
            "Compared with the control arm, response improved for the drug X arm"
            " (21% v 30%, respectively; P=.03).",
            ["control", "drug X"],
        ),
        # one arm named before a bracketed pair is the first value's; the
        # other side is not named
        ("Response improved for the drug X arm (30% v 21%; P=.03).", ["drug X", None]),
    ],
    ids=[
        "word-after-value-is-no-unit",
        "own-group-inside-bracket",
        "both-arms-named-in-order",
        "bracketed-pair-after-one-arm",
    ],
)
def test_arms_not_taken_across_the_pair(text: str, arms: list[str | None]) -> None:
    found = [v for v in find_arm_values(text) if v.kind != "bare"]
    assert [v.arm for v in found][: len(arms)] == arms[: len(found)]


def test_arm_that_starts_a_respectively_list_is_not_one_arm() -> None:
    found = find_arm_values(
        "Overall survival was 11.0 (range 1-20 months) and 12.9 months (range 2-25 months)"
        " for drug X and drug Y arms, respectively."
    )
    assert "drug X" not in [v.arm for v in found if v.value == 12.9]


@pytest.mark.parametrize(
    "text",
    [
        "In total, 58 (83%) participants completed the 12-week assessment.",
        "Questionnaires were available on 212 women (91.4%) at one year.",
        "Of 300 screened, 120 (40%) were randomized.",
    ],
    ids=["completed", "available-on", "randomized"],
)
def test_counts_of_the_sample_are_not_events(text: str) -> None:
    assert [v for v in find_arm_values(text) if v.kind == "events"] == []


def test_respectively_list_before_compared_pairs() -> None:
    found = find_arm_values(
        "There were no differences between the drug X and placebo groups, respectively, for"
        " heart rate (72 \u00b1 8 vs. 74 \u00b1 9 bpm) and QT interval"
        " (401 \u00b1 20 vs. 398 \u00b1 22 ms)."
    )
    assert [v.arm for v in found] == ["drug X", "placebo", "drug X", "placebo"]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Thirty heparin recipients (12.1%) and 41 warfarin recipients (16.0%) had thrombosis.",
            ["heparin", "warfarin"],
        ),
        ("Toxicity was seen in 17% of sunitinib patients.", ["sunitinib"]),
        ("Toxicity was seen in 17% of elderly patients.", []),
    ],
    ids=["treated-people-before-bracket", "of-treated-people", "people-no-treatment"],
)
def test_treated_people_name_arms(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.kind == "percent"] == arms


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Time to progression was longer with drug X (6.1 vs 4.2 months).", ["median", "median"]),
        ("Overall survival was 14.5 months with X and 11.5 months with Y.", ["median", "median"]),
        ("Weight gain was 2.1 kg on drug X and 0.4 kg on placebo.", ["mean", "mean"]),
    ],
    ids=["time-to-progression", "survival", "not-time-to-event"],
)
def test_time_to_event_values_are_medians(text: str, kinds: list[str]) -> None:
    assert [v.kind for v in find_arm_values(text)] == kinds


def test_treatment_group_is_an_arm() -> None:
    found = find_arm_values(
        "The response rate was 48% in the treatment group and 21% in the control group."
    )
    assert [v.arm for v in found] == ["treatment", "control"]


def test_respectively_list_with_a_group_word_after_each_arm() -> None:
    found = find_arm_values(
        "Scores were 4.0% and 2.5% in the surgery arm and observation arm, respectively."
    )
    assert [v.arm for v in found] == ["surgery", "observation"]


def test_labels_listed_after_days_are_not_values() -> None:
    found = find_arm_values(
        "Median counts were lower in the diet group on days 1, 2 and 3 (p=0.01, p=0.02 and"
        " p=0.03, respectively)."
    )
    assert found == []


def test_statistic_words_are_not_arms() -> None:
    found = find_arm_values("Forty women (mean: 61.5 \u00b1 6.2 years) were enrolled.")
    assert all(v.arm is None for v in found)


def test_as_compared_with_ends_the_first_arm() -> None:
    found = find_arm_values(
        "Healing was faster with the gel as compared to placebo (12 days vs. 16 days, p = 0.01)."
    )
    assert [v.arm for v in found] == ["gel", "placebo"]


def test_apa_style_mean_and_sd() -> None:
    found = find_arm_values(
        "Anxiety was lower in the yoga group (M = 3.2, SD = 1.1) than in the control group"
        " (M = 4.5, SD = 1.4)."
    )
    assert [(v.kind, v.value, v.sd, v.arm) for v in found] == [
        ("mean", 3.2, 1.1, "yoga"),
        ("mean", 4.5, 1.4, "control"),
    ]


def test_comma_labelled_bare_values_pair_up() -> None:
    found = find_arm_values(
        "Time to pain was similar (drug X, 11.0 months; drug Y, 9.5 months; P = .2)."
    )
    assert [(v.value, v.arm) for v in found] == [(11.0, "drug X"), (9.5, "drug Y")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Success was 61 compared with 72 per cent in the diet group.",
            [("percent", 61.0), ("percent", 72.0)],
        ),
        (
            "Eleven (55%) of 20 patients treated with sertraline were responders.",
            [("events", 11.0)],
        ),
    ],
    ids=["per-cent-shared", "people-treated-with-then-verb"],
)
def test_per_cent_and_treated_people(text: str, expected: list[tuple[str, float]]) -> None:
    assert [(v.kind, v.value) for v in find_arm_values(text)] == expected


def test_people_treated_with_name_the_arm_before_a_verb() -> None:
    found = find_arm_values("Eleven (55%) of 20 patients treated with sertraline were responders.")
    assert [v.arm for v in found] == ["sertraline"]


def test_counts_with_no_arm_and_no_comparison_describe_the_sample(nlp: Language) -> None:
    text = (
        "A trial\nOverall, 212 (61%) tumour samples were hormone-receptor positive."
        " Plasma endoglin was 6.2 \u00b1 2.1 ng/ml."
        " Nausea occurred in 12 (30%) patients versus 4 (10%) on placebo."
    )
    assert [f["events"] for f in collect_arm_values(nlp(text))] == [12, 4]
    # the adverse-event finder still reads such a count as a reported harm
    assert [v.events for v in find_arm_values("Nausea occurred in 12 (30%) patients.")] == [12]


def test_event_noun_between_compared_counts() -> None:
    found = find_arm_values("There were 310 readmissions vs 402 for the usual care group.")
    assert [(v.kind, v.events, v.arm) for v in found] == [
        ("events", 310, None),
        ("events", 402, "usual care"),
    ]


def test_an_arm_inside_the_other_arm_is_blanked_after_it() -> None:
    # "amlodipine" is part of "lisinopril-amlodipine": blanking the shorter
    # name first (as a set's order sometimes did) left "of fixed lisinopril"
    # to be read as the second value's outcome
    found = find_arm_values(
        "Headache occurred in 14.2% of fixed lisinopril-amlodipine patients "
        "and 11.9% of amlodipine patients."
    )
    assert [(v.arm, v.outcome) for v in found] == [
        ("fixed lisinopril-amlodipine", "Headache"),
        ("amlodipine", "Headache"),
    ]
    segment = " of fixed lisinopril-amlodipine patients and "
    assert _blank_arms(segment, "amlodipine", "fixed lisinopril-amlodipine") == _blank_arms(
        segment, "fixed lisinopril-amlodipine", "amlodipine"
    )
    assert "lisinopril" not in _blank_arms(segment, "amlodipine", "fixed lisinopril-amlodipine")


@pytest.mark.parametrize(
    "text",
    [
        "Pain fell by 12.3 \u00b1 4.1 points with ketamine and 8.0 \u00b1 3.9 with placebo.",
        "Seventeen of 40 (42.5%) and twenty-one of 41 patients responded, often after 2-3 weeks.",
        "Someone noted that none of the 12/40 patients had a tone above 1,250 Hz (-3.5 dB).",
        "Scores were \u22122.1 (1.0) vs \u22120.4 (0.9); 5 (IQR 3\u20138) days; \u00b70 5.",
        "Thirty \u017feven patients (12%) and one of two groups.",
    ],
    ids=["digits", "word-numbers", "words-inside-words", "signs-and-dots", "long-s"],
)
def test_scan_finds_what_finditer_finds(text: str) -> None:
    # the scan tries the value pattern only where a value may start; it must
    # find the same matches as trying it at every position
    def spans(
        found: Iterable[re.Match[str]],
    ) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
        return [(m.span(), m.groupdict()) for m in found]

    assert spans(_scan(text, True)) == spans(_VALUE_RE.finditer(text))
    # with no number word, as a pattern that looks for a digit or sign first
    digit_first = re.compile(rf"(?=[-\d.\u00b7{DASHES}])" + _VALUE_SOURCE)
    assert spans(_scan(text, False)) == spans(digit_first.finditer(text))


_END_TEXTS = [
    "pain scores of grade 3 ",
    "on days 1, 2 and ",
    "HbA1c <",
    "a fall in HbA(1c) ",
    "ranged from 2.0 to ",
    "in the placebo group,",
    "(placebo, 4.1%; drug A, ",
    "over the first\u00a0",
    "patients aged ",
    "the mean score was ",
    "treated with ketamine ",
    "seen in 1 week ",
    "ADVERSE EVENTS BY ",
    "a wee\u212a ",
    "\u017fix of ",
    "in group B ",
    "the placebo arm (n = 40) had (",
    "ketamine: ",
    "in the control groupof",
    "in group Bwas ",
    "on days 1, 2and ",
    "",
    "   ",
]


@pytest.mark.parametrize(
    "name",
    [
        "_THRESHOLD_BEFORE",
        "_THRESHOLD_HARD",
        "_GROUP_NUMBER_BEFORE",
        "_BARE_BEFORE_NOT",
        "_RANGE_END_BEFORE",
        "_BARE_BEFORE_WEAK",
        "_TIME_PREP",
        "_STAT_OF",
        "_COMMA_LABEL_BEFORE",
        "_ARM_BEFORE_STRONG",
    ],
)
def test_end_patterns_find_what_their_pattern_finds(name: str) -> None:
    # the look at the last word only spares trying the pattern: the result
    # must be the pattern's own, also within pos/endpos
    end = getattr(arm_value, name)
    for text in _END_TEXTS:
        found, wanted = end.search(text), end.rx.search(text)
        assert (found and found.span()) == (wanted and wanted.span()), text
        for pos in range(len(text)):
            found, wanted = (
                end.search(text, pos, len(text) - 1),
                end.rx.search(text, pos, len(text) - 1),
            )
            assert (found and found.span()) == (wanted and wanted.span()), (text, pos)


def test_treated_people_before_a_bracket_name_the_arm() -> None:
    # the people word is looked for before the pattern is tried
    found = find_arm_values("Rash was seen in 14 ketamine women (11.2%) and 5 placebo men (4.0%).")
    assert [v.arm for v in found] == ["ketamine", "placebo"]


def test_word_number_screen_covers_every_number_word() -> None:
    # the substring screen of _has_word_number must not rule out a known word
    assert all(any(p in w for p in _WORD_NUMBER_PARTS) for w in _WORD_NUMBERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Wound infections were rare: three cases in the drain group and one in the"
            " suction group.",
            [(3, "drain"), (1, "suction")],
        ),
        (
            "Relapse occurred in 87 patients in the zinc group and 64 patients of the"
            " control group.",
            [(87, "zinc"), (64, "control")],
        ),
        (
            "Six patients in the sham arm and twelve patients of the laser arm achieved"
            " full remission (P < 0.05).",
            [(6, "sham"), (12, "laser")],
        ),
        (
            "The number of new polyps was 45 in the aspirin arm and 61 in the placebo arm.",
            [(45, "aspirin"), (61, "placebo")],
        ),
        (
            "Fewer patients developed a seroma: 9 in the closure group versus 22 in the"
            " open group.",
            [(9, "closure"), (22, "open")],
        ),
    ],
    ids=["word-numbers", "people-in-and-of", "word-numbers-achieved", "number-of", "after-colon"],
)
def test_counts_written_before_their_arm(text: str, expected: list[tuple[int, str]]) -> None:
    found = [(v.events, v.arm) for v in find_arm_values(text) if v.kind == "events"]
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        # arm sizes
        "We randomised 120 patients in the zinc group and 118 in the control group.",
        "Among the 900 eligible women (450 women in the zinc arm and 450 women in the"
        " placebo arm), 76 developed a fracture.",
        # what was counted, not the arm
        "Cardiotoxicity was observed in 11% of drug X patients, including 3 cases of CHF.",
        # a size change, not a count
        "Swelling (a 2 cm increase in arm girth) developed in few women.",
        # no event is spoken of
        "There were 40 men in the zinc group and 38 in the control group.",
    ],
    ids=["allocation", "sample-breakdown", "cases-of-event", "unit-noun", "no-event-cue"],
)
def test_counts_before_an_arm_that_are_not_events(text: str) -> None:
    assert [v for v in find_arm_values(text) if v.kind == "events" and v.events != 76] == []


def test_a_list_of_baseline_means_is_dropped_whole() -> None:
    text = (
        "Mean baseline pain scores were 61.2 for drug A, 54.00 for drug B, and 59.3 for"
        " the waitlist."
    )
    assert find_arm_values(text) == []


def test_later_values_after_baseline_ones_are_kept() -> None:
    text = (
        "Mean baseline scores were 61.2 for drug A and 54.0 for drug B, and after 12 weeks"
        " 40.1 vs 52.3."
    )
    assert [v.value for v in find_arm_values(text)] == [40.1, 52.3]


def test_power_of_ten_is_part_of_the_unit() -> None:
    text = "Mean platelet count was 210 x 10(9)/l in the A group and 190 x 10(9)/l in the B group."
    found = find_arm_values(text)
    assert [(v.kind, v.value, v.sd, v.arm) for v in found] == [
        ("mean", 210.0, None, "A"),
        ("mean", 190.0, None, "B"),
    ]
    assert text[found[0].start : found[0].end] == "210 x 10(9)/l"


def test_doses_listed_with_one_unit_are_not_values() -> None:
    text = (
        "The mean duration of neutropenia was 2.1, 1.6 and 1.7 days with drug X at 50, 90"
        " and 130 \u00b5g/kg/cycle, respectively."
    )
    assert [v.value for v in find_arm_values(text)] == [2.1, 1.6, 1.7]


def test_middle_dot_decimal_in_a_count_share() -> None:
    text = (
        "More polyps were found in the screening group than in the control group"
        " (171 [0\u00b748%] vs 112 [0\u00b731%], p=0\u00b70004)."
    )
    found = find_arm_values(text)
    assert [(v.events, v.percent, v.arm) for v in found] == [
        (171, 0.48, "screening"),
        (112, 0.31, "control"),
    ]


def test_group_letter_followed_by_the_next_value() -> None:
    text = "The one-year survival was 41% for group A and 47% for group B (P = 0.35)."
    assert [(v.value, v.arm) for v in find_arm_values(text)] == [
        (41.0, "group A"),
        (47.0, "group B"),
    ]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "In group A with 80 evaluable patients, the response rate was 22.5% whereas in"
            " group B with 78 evaluable patients, the response rate was 30.1%, P = 0.6.",
            ["group A", "group B"],
        ),
        ("In the zinc group, skin rash was observed in 9.5% of patients.", ["zinc"]),
        ("In the high-risk group, the rate was 30% at one year.", []),
        ("In the zinc group, the rate was 30% compared with 45%.", ["zinc", None]),
    ],
    ids=["letters-in-two-clauses", "group-opens-sentence", "subgroup", "not-after-comparison"],
)
def test_arm_that_opens_the_clause(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "At a median follow-up of 40 months, 310 recurrences (141 anastrozole and 169"
            " placebo) occurred.",
            [(141, "anastrozole"), (169, "placebo")],
        ),
        (
            "Few patients met the criteria for an arrhythmic event (5 salmeterol and 3 placebo"
            " patients).",
            [(5, "salmeterol"), (3, "placebo")],
        ),
        # subtypes of a disease, not arms
        ("Relapses occurred in 30 patients (12 AML and 18 ALL).", []),
    ],
    ids=["count-then-drug", "count-then-drug-patients", "subtypes"],
)
def test_bracketed_counts_labelled_by_arm(text: str, expected: list[tuple[int, str]]) -> None:
    found = [(v.events, v.arm) for v in find_arm_values(text) if v.arm is not None]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Response rates were 12%, 15% and 30% in groups A, B and C.",
            ["group A", "group B", "group C"],
        ),
        (
            "Median time to relapse was 9 versus 14 weeks for drug X and drug Y.",
            ["drug X", "drug Y"],
        ),
        ("Response rates were 12% and 30% in the zinc and placebo groups.", ["zinc", "placebo"]),
    ],
    ids=["three-letters", "pair-then-two-drugs", "pair-then-two-groups"],
)
def test_arms_listed_right_after_the_values(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_respectively_list_joined_by_or() -> None:
    text = (
        "Response was obtained by 71 and 64% of patients receiving drug X or drug Y,"
        " respectively (P = 0.5)."
    )
    assert [(v.value, v.arm) for v in find_arm_values(text)] == [
        (71.0, "drug X"),
        (64.0, "drug Y"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Seventeen women (mean age 61.9 \u00b1 7.8 years) were randomised to two groups.",
        "Twenty rats weighing on average 26.0 \u00b1 2.0 g were randomly divided into four groups.",
        "Participants (N = 40, Mage = 51.3 \u00b1 9.9) completed both sessions, compared with"
        " controls.",
        "Breast density fell in the diet arm (0.88; 95% CI, 0.80-0.95; P = 0.01) compared"
        " with controls.",
        "Survival was longer with drug X (0.64; 0.41-0.98; P = 0.04) than with drug Y.",
    ],
    ids=[
        "enrolment-age",
        "enrolment-weight",
        "apa-mean-age",
        "estimate-masked-ci",
        "estimate-bounds",
    ],
)
def test_sample_means_and_estimates_are_not_arm_values(text: str) -> None:
    assert find_arm_values(text) == []


def test_arm_of_those_allocated_to_it() -> None:
    text = (
        "Among women assigned to letrozole, 88 (9%) recurrences were reported, compared with"
        " 97 (10%) recurrences in those allocated placebo (hazard ratio 0.91)."
    )
    assert [(v.events, v.arm) for v in find_arm_values(text)] == [
        (88, "letrozole"),
        (97, "placebo"),
    ]


def test_share_of_those_allocated_to_an_arm() -> None:
    text = "Recurrence was reported in 8% of those allocated placebo."
    assert [(v.value, v.arm) for v in find_arm_values(text)] == [(8.0, "placebo")]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Median stay in the lidocaine group was 6.5 days, and, for bupivacaine,"
            " 8.0 days; P = 0.2.",
            ["lidocaine", "bupivacaine"],
        ),
        ("In the UK, 30% of patients responded to treatment compared with 20% elsewhere.", []),
    ],
    ids=["drug-alone-opens-clause", "place-is-no-arm"],
)
def test_drug_alone_opening_a_clause(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_bracketed_counts_written_after_their_labels() -> None:
    text = (
        "Fractures occurred as often on either drug (letrozole 18, placebo 27; hazard ratio 0.7)."
    )
    found = [(v.events, v.arm) for v in find_arm_values(text) if v.arm is not None]
    assert found == [(18, "letrozole"), (27, "placebo")]


def test_body_measures_labelled_with_a_colon_describe_the_sample() -> None:
    text = (
        "Fourteen rowers (Height: 182.4 ± 6.1 cm, Weight: 79.3 ± 8.8 kg, Body Fat: 14.1 ± 3.9 %)"
        " took part."
    )
    assert find_arm_values(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "RESULTS: 14 of 60 patients that finished the first phase entered the follow-up phase.",
        "Mean sway fell in both arms (A: PRE, 41.2 ± 7.0 to POST, 38.4 ± 7.3; P < 0.05).",
        "Dose fell from 0.52 ± 0.20 to 0.11 ± 0.05 mGy on the right side with the shield.",
        "Mean scores were 12 ± 3 on the first day and 8 ± 2 on the final day.",
        "Stores did not differ between intervention and control; means were 512 (SD 280)"
        " vs 498 (SD 190).",
    ],
    ids=["heading", "pre-post", "body-side", "day", "clause"],
)
def test_headings_times_and_clauses_are_no_arms(text: str) -> None:
    assert all(v.arm is None for v in find_arm_values(text))


def test_ci_abbreviated_without_final_stop_is_no_value() -> None:
    text = (
        "The mean waits for the shown and hidden groups were 71.5 ± 30.2 (95% C.I 60.1, 82.9)"
        " and 79.4 ± 35.0 (95% C.I 65.2, 93.6), respectively (p > 0.05)."
    )
    found = [(v.value, v.sd, v.arm) for v in find_arm_values(text)]
    assert found == [(71.5, 30.2, "shown"), (79.4, 35.0, "hidden")]


def test_setting_glued_to_its_unit_names_a_group() -> None:
    text = "Mean bond strength in the 2W laser group was 7.01 ± 3.50 MPa."
    assert [v.value for v in find_arm_values(text)] == [7.01]


def test_lone_value_bracketed_after_a_comparison_is_the_difference() -> None:
    text = "Lean mass was higher after drug A than after drug B (31.5%, P = 0.012)."
    assert find_arm_values(text) == []
    own = "More RX patients (31%) left early than TQ patients (19.0%, P = 0.02)."
    assert [v.value for v in find_arm_values(own)] == [31.0, 19.0]


def test_arm_phrase_stops_before_what_happened() -> None:
    text = "Nine of 30 patients assigned to drug X discontinued compared with placebo (P = 0.2)."
    assert [v.arm for v in find_arm_values(text)] == ["drug X"]


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "The 1-year rate was 61% in the alpha arm, 55% in the beta arm, and 40% in the"
            " gamma arm.",
            ["alpha", "beta", "gamma"],
        ),
        ("Gain was larger in group A (44 %) than in group B (21 %).", ["group A", "group B"]),
    ],
    ids=["comma-list", "bracket-after-than"],
)
def test_arm_after_a_comma_is_the_previous_values(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_mean_age_followed_by_a_comma_describes_the_sample() -> None:
    text = "We randomized 40 adults (mean age, 61 ± 7 years) to drug Y versus placebo."
    assert find_arm_values(text) == []


@pytest.mark.parametrize("head", ["", "RESULTS: "])
def test_sentence_opening_at_baseline_describes_the_sample(head: str) -> None:
    text = (
        f"{head}At baseline, the scores were similar in the A and B groups: 0.41 (SD 0.12)"
        " and 0.40 (SD 0.13), respectively."
    )
    assert find_arm_values(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Change from baseline was −0.61 and −0.22 for drug Q and placebo (P<.001) over"
            " days 1–10.",
            [(-0.61, "drug Q"), (-0.22, "placebo")],
        ),
        ("Mean scores were 3.1 and 4.2 for men and women (P = 0.03).", []),
    ],
    ids=["pair-of-arms", "pair-of-subgroups"],
)
def test_pair_of_values_then_pair_of_arms(text: str, found: list[tuple[float, str]]) -> None:
    assert [(v.value, v.arm) for v in find_arm_values(text)] == found


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        ("Rash was less common with tacrolimus (4.1% vs 9.8%; P = 0.02).", ["tacrolimus", None]),
        ("Mean pain fell more in the yoga group (2.4 ± 1.1 vs 1.2 ± 0.9).", ["yoga", None]),
        ("Relapse was more frequent in arm B (31 vs. 12%).", ["arm B", None]),
        (
            "Remission was more frequent in the 40 mg arm than in the 10-mg arm"
            " (52% versus 38%) and lasted longer (14.5 versus 9.1 months).",
            ["40 mg", "10-mg", "40 mg", "10-mg"],
        ),
        (
            "Compared with the sham arm, the score improved in the laser arm"
            " (12% v 19%, respectively; P=.01).",
            ["sham", "laser"],
        ),
        (
            "Dizziness was reported more often in the lithium group (18% vs 6%) than in the"
            " control group.",
            ["lithium", "control"],
        ),
        (
            "Women receiving alendronate had fewer falls (11% vs 20%) compared with the"
            " placebo group.",
            ["alendronate", "placebo"],
        ),
        # the one arm named is the other side of the comparison
        (
            "Weight was lower at 6 months compared with those in the diet group"
            " (71.2 versus 74.5, P = 0.04).",
            [None, None],
        ),
        ("Fever was less common than in the placebo group (5% vs 9%).", [None, None]),
        # people "with" something are a subgroup, not an arm
        ("Mortality was higher among patients with sepsis (21% vs 8%).", [None, None]),
        # two arms not compared in order, no "respectively": no guess
        (
            "Compared with sham, pain was lower with laser therapy (3.2 vs 4.4).",
            [None, None],
        ),
    ],
    ids=[
        "with-drug",
        "in-group",
        "group-letter",
        "dose-arms-compared",
        "two-arms-respectively",
        "other-arm-after-pair",
        "closing-compared-group",
        "named-arm-is-comparator",
        "than-group",
        "people-with",
        "two-arms-not-in-order",
    ],
)
def test_bracketed_pair_after_named_arms(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Adverse events included infection (drug A, 32.5% vs. placebo, 19.0%, P=0.009),"
            " leukopenia (37.3% vs. 9.5%, P<0.001) and fever (25.2% vs. 10.1%).",
            ["drug A", "placebo", "drug A", "placebo", "drug A", "placebo"],
        ),
        (
            "Nausea was more common in the sertraline group than in the placebo group"
            " (21% vs 8%), as was dry mouth (14% vs 5%).",
            ["sertraline", "placebo", "sertraline", "placebo"],
        ),
        (
            "Rash (drug A, 12% vs. placebo, 4%), whereas in the open phase headache"
            " (9% vs. 7%) was similar.",
            ["drug A", "placebo", None, None],
        ),
    ],
    ids=["outcome-list-keeps-arms", "as-was-goes-on", "new-clause-ends-list"],
)
def test_pairs_listed_after_a_pair_with_arms(text: str, arms: list[str | None]) -> None:
    found = find_arm_values(text)
    assert [v.arm for v in found] == arms[: len(found)]
    assert len(found) >= 2


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Responses occurred in 9 of 30 patients (30%; 95% CI, 15%-49%) in the sorafenib arm.",
            ["sorafenib"],
        ),
        (
            "Responses occurred in 9 of 30 patients (30%; 95% CI, 15%-49%) in the high-risk group.",
            [None],
        ),
    ],
    ids=["share-and-interval-before-arm", "subgroup-after-interval"],
)
def test_count_with_share_and_interval_then_arm(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.kind == "events"] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Healing took 8.1±2.2 days and 11.4±3.0 days in groups 1 and 2, respectively.",
            ["group 1", "group 2"],
        ),
        (
            "The time to healing in groups 1 and 2 was 8.1±2.2 days and 11.4±3.0 days,"
            " respectively (p=0.01).",
            ["group 1", "group 2"],
        ),
        (
            "For drug A and drug B, respectively, median survival was 9.1 vs 7.7 months and"
            " time to failure was 4.0 vs 3.1 months.",
            ["drug A", "drug B", "drug A", "drug B"],
        ),
        (
            "Headache occurred in 12.5% and 30.1% of naproxen and paracetamol patients,"
            " respectively.",
            ["naproxen", "paracetamol"],
        ),
        (
            "Relapse occurred in 12.5% and 30.1% of diabetic and nondiabetic patients,"
            " respectively.",
            [],
        ),
        (
            "Mucositis was less frequent in Arm A than in Arm B (31.5% vs. 52.0%, P = 0.02).",
            ["arm A", "arm B"],
        ),
    ],
    ids=[
        "numbered-groups-after",
        "numbered-groups-before",
        "capital-for-list-before",
        "people-list-of-treatments",
        "people-list-of-subgroups",
        "capital-arm-letters",
    ],
)
def test_more_respectively_and_letter_arms(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.arm] == arms


def test_count_after_a_group_letter_is_no_group() -> None:
    text = (
        "Rash was common, with 30 patients (61%) in arm A and 22 patients (58%) in arm B,"
        " and was severe in five (10%) and three (8%) patients, respectively."
    )
    assert not any(v.arm and v.arm.endswith("22") for v in find_arm_values(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Wound infection occurred in 4.2% (5 of 120 patients) in the cefazolin group and"
            " 9.9% (12 of 121 patients) in the placebo group.",
            [
                ("4.2% (5 of 120 patients)", 5, 120, 4.2, "cefazolin"),
                ("9.9% (12 of 121 patients)", 12, 121, 9.9, "placebo"),
            ],
        ),
        (
            "Nausea was more common with drug Z than placebo (7% [21 of 300] vs 2% [six of 301]).",
            [("7% [21 of 300]", 21, 300, 7.0, None), ("2% [six of 301]", 6, 301, 2.0, None)],
        ),
        # a share that is not the count's stays apart
        (
            "Relapse fell by 40% (12 of 80 patients) in the lithium group.",
            [("12 of 80 patients", 12, 80, None, "lithium")],
        ),
    ],
    ids=["share-then-count", "share-then-count-square", "share-of-something-else"],
)
def test_share_before_its_count_is_one_value(
    text: str, expected: list[tuple[str, int, int, float | None, str | None]]
) -> None:
    found = [v for v in find_arm_values(text) if v.kind == "events"]
    got = [(text[v.start : v.end], v.events, v.total, v.percent) for v in found]
    assert got == [e[:4] for e in expected]
    arms = [e[4] for e in expected if e[4]]
    if arms:
        assert [v.arm for v in found] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Sepsis developed in 4 of 90 (4.4%) patients that received meropenem.",
            ["meropenem"],
        ),
        (
            "Sepsis developed in 4 of 90 (4.4%) of the patients who were given tacrolimus.",
            ["tacrolimus"],
        ),
        # a list of treatments read with "respectively" is no single arm
        (
            "Remission was reached in the 40.1% and the 22.5% of the patients treated with"
            " tacrolimus and sirolimus, respectively.",
            [],
        ),
    ],
    ids=["that-received", "who-were-given", "respectively-list"],
)
def test_people_who_received_after_a_count(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.kind in ("events", "percent")] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Opioid use was lower in group K than in groups L and M (2.1 ± 0.8 vs. 4.4 ± 1.2"
            " and 3.9 ± 1.0, respectively).",
            [None, "group L", "group M"],
        ),
        (
            "Scores were 30% vs. 40% and 50% vs. 60% in groups A and B, respectively.",
            ["group A", "group B", "group A", "group B"],
        ),
        (
            "Vomiting was seen in 9 (45%), 11 (55%) and 4 (20%) patients in groups P, D, and"
            " C, respectively.",
            ["group P", "group D", "group C"],
        ),
        (
            "Women allocated to counselling reported higher satisfaction than controls at"
            " 6 weeks (71.2 vs. 60.3, p < 0.01).",
            ["counselling", None],
        ),
        (
            "At discharge, the laser group needed fewer dressings (3.1 vs. 4.6, P = 0.01).",
            ["laser", None],
        ),
        (
            "Group III compared to Group II had shorter stays (4.1 ± 1.2 vs. 5.0 ± 1.5 days,"
            " respectively).",
            ["group III", "group II"],
        ),
        (
            "Falls were alike in both groups (2.1 vs. 2.3 per year), but fractures were fewer"
            " in the vitamin D group (0.4 vs. 0.9 per year).",
            [None, None, "vitamin D", None],
        ),
        (
            "Fatigue was lower with sirolimus compared to those given tacrolimus (22% vs. 31%);"
            " rash was alike in the two groups (8% vs. 9%).",
            ["sirolimus", "tacrolimus", "sirolimus", "tacrolimus"],
        ),
        (
            "Compared to those given tacrolimus, fatigue was lower (22% vs. 31%).",
            [None, None],
        ),
    ],
    ids=[
        "one-value-then-respectively-list",
        "pairs-in-a-respectively-list",
        "letter-d-is-no-unit",
        "allocated-to",
        "group-as-subject",
        "roman-group-numbers",
        "earlier-bracket-compares-nothing",
        "those-given-the-other-arm",
        "comparison-before-the-one-arm",
    ],
)
def test_more_arms_before_pairs(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


def test_time_point_label_is_no_arm() -> None:
    text = (
        "Glucose was lower after the oat meal (means ± SEMs—60 min: 6.1 ± 0.4 compared with"
        " 6.9 ± 0.5 mmol/L)."
    )
    assert all(v.arm != "min" for v in find_arm_values(text))


def test_frame_does_not_take_two_of_a_longer_list() -> None:
    text = (
        "Peak flow was higher with tiotropium than placebo (p < 0.01), with gains of"
        " 150 ± 20, 160 ± 22, and 140 ± 21 mL at the three visits, respectively."
    )
    assert all(v.arm is None for v in find_arm_values(text))


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "Flares were fewer (budesonide 8.5%; placebo 19.2%; p = 0.01).",
            ["budesonide", "placebo"],
        ),
        (
            "Relief was faster (median, sumatriptan 45 (30-60) min vs. placebo 90 (60-120) min).",
            ["sumatriptan", "placebo"],
        ),
        ("Scores were: lithium 14.2 ± 3.1; placebo 11.0 ± 2.7.", ["lithium", "placebo"]),
        # subgroups and measures are no arms
        ("Rash was commoner in one sex (men 9.5% vs women 17.9%).", []),
        ("At entry (FVC 61.2 ± 9.8%; peak VO2 17.1 ± 4.0) the groups were alike.", []),
        (
            "Of those assigned to sirolimus, 12 of 40 relapsed, compared with 20 of 41 assigned"
            " to placebo.",
            ["sirolimus", "placebo"],
        ),
    ],
    ids=[
        "label-before-each-semicolon",
        "label-before-each-vs",
        "colon-then-labels",
        "subgroup-labels",
        "measure-labels",
        "of-those-assigned-and-assigned-to",
    ],
)
def test_labels_before_values(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.arm] == arms


def test_share_assigned_to_an_arm_is_no_outcome_count() -> None:
    text = "Forty-one (50.6%) were assigned to sirolimus and 40 (49.4%) to tacrolimus."
    assert [v.arm for v in find_arm_values(text) if v.arm] == []


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        (
            "The 5-year survival for surgery and radiotherapy was 71% compared with 52% for"
            " surgery alone.",
            ["surgery and radiotherapy", "surgery alone"],
        ),
        (
            "Use in the intervention group was 48.2% compared to 12.9% in the control clinics.",
            ["intervention", "control clinics"],
        ),
        # after "in", only a group is an arm: "in VMI" names what was measured
        (
            "In the laser group, the gain in VMI was 35.2%, compared to 9.9% in the sham group.",
            ["laser", "sham"],
        ),
        # the first value is said of women, a subgroup
        ("The rate in women was 41% compared with 22% in the placebo group.", [None, "placebo"]),
        (
            "Three children (5.1%) had rash in the group treated with amoxicillin, versus 8"
            " children (14.0%) in the group treated with amoxicillin plus clavulanate.",
            [None, "amoxicillin plus clavulanate"],
        ),
    ],
    ids=["for-arm-was", "in-arm-was", "in-measure-was", "subgroup-was", "group-treated-with"],
)
def test_arm_said_before_the_first_of_a_compared_pair(text: str, arms: list[str | None]) -> None:
    assert [v.arm for v in find_arm_values(text)] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        ("Relapse occurred in 22% of the lithium group.", ["lithium"]),
        ("Quitting was reported by 9/60 (15%) of the counselling group.", ["counselling"]),
        ("Only 64% of possible groups were formed.", []),
        ("In all, 30% of the older group relapsed.", []),
    ],
    ids=["share-of-the-group", "count-of-the-group", "groups-counted", "subgroup"],
)
def test_share_of_the_group(text: str, arms: list[str]) -> None:
    assert [v.arm for v in find_arm_values(text) if v.arm] == arms


@pytest.mark.parametrize(
    "text",
    [
        "Time in range improved (70-180 mg/dL: 71% vs. 60%; P < 0.01).",
        "Cure was similar (first visit: 61.5 ± 9.1 s versus 66.0 ± 8.7 s).",
        "Rash was rarer with drug K (12% vs 41%), with differences driven by one site.",
        "Results cover 1,020 people (62% women) with valid baseline and follow-up data.",
    ],
    ids=["unit-label", "time-point-label", "differences-clause", "baseline-phrase"],
)
def test_labels_that_name_no_arm(text: str) -> None:
    bad = {"mg/dL", "first visit", "differences driven", "valid baseline"}
    assert not {v.arm for v in find_arm_values(text)} & bad


def test_arm_names_with_a_slash_stay_arms() -> None:
    text = "Headache occurred in 18% of adults in the FF/VI group and in 24% in the BUD/FOR group."
    assert [v.arm for v in find_arm_values(text)] == ["FF/VI", "BUD/FOR"]


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        (
            "Remission was seen in 30%, 12%, and 2% respectively, in patients on placebo, and"
            " 44%, 25%, and 9% of patients on sirolimus.",
            {(44.0, "placebo"), (25.0, "placebo")},
        ),
        (
            "Rash rates were alike between placebo (5.1%) and drug Q 10, 20 and 40 mg groups"
            " (6.0%, 5.5% and 7.2%, respectively).",
            {(6.0, "mg")},
        ),
        (
            "Compared to the usual-care group, relapse was more frequent (40.1% versus 22.3%)"
            " in the brief-advice group, with more visits (2.9 versus 1.7) as well as calls"
            " (1.5 versus 1.1).",
            {(2.9, "usual-care"), (1.7, "brief-advice")},
        ),
    ],
    ids=["phrase-closing-a-respectively-list", "dose-unit-alone", "order-only-in-a-bracket"],
)
def test_no_arm_from_misread_phrases(text: str, bad: set[tuple[float, str]]) -> None:
    assert not {(v.value, v.arm) for v in find_arm_values(text)} & bad


@pytest.mark.parametrize(
    "text",
    [
        "Of 88 adults (60.2% males; mean age 58 ± 9 years), 44 were in the yoga group.",
        "Ninety smokers (52% women) were allocated to two equal groups.",
    ],
    ids=["share-of-males", "share-of-women"],
)
def test_share_of_one_sex_describes_the_sample(text: str) -> None:
    assert [v for v in find_arm_values(text) if v.kind == "percent"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Swelling fell more with drug K than with hydrocortisone 1% cream (P < 0.01).",
        "Rinsing used chlorhexidine 0.12% mouthwash (chlorhexidine group) or water.",
    ],
    ids=["cream", "mouthwash"],
)
def test_strength_of_a_formulation_is_no_value(text: str) -> None:
    assert find_arm_values(text) == []


def test_arm_named_in_another_clause_is_not_taken() -> None:
    text = (
        "Pressure did not change with CPAP; after suction, it rose compared with baseline"
        " (15.1 ± 9.4 vs. 11.0 ± 6.4 mmHg)."
    )
    assert [v.arm for v in find_arm_values(text)] == [None, None]


@pytest.mark.parametrize(
    "text",
    [
        # the label states the order, which is not the named arm first
        "Pressures were lower in the titrated group (fixed vs. titrated: 138.2 vs. 132.5 mmHg)"
        " and at night (121.0 vs. 118.4 mmHg).",
        # another group is named in words that are no arm name
        "Cough in the control group was higher than that of the study group (4/30 vs. 11/30).",
    ],
    ids=["label-states-order", "other-group-unnamed"],
)
def test_one_named_arm_is_not_guessed_first(text: str) -> None:
    assert all(v.arm is None for v in find_arm_values(text))
