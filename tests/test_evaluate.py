"""The accuracy scorer: parsing of gold strings, matching rules, counts, loaders, CLI.

Nothing here depends on how well the extractor currently does: predictions
are built from the gold itself (the oracle), emptied, or crafted by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from miner.cli import app
from miner.evaluate import (
    CORPORA,
    Counts,
    GoldRecord,
    Item,
    canonical_unit,
    fields_of,
    load_corpus,
    parse_ci,
    parse_gold_number,
    parse_p_value,
    predictions_from_gold,
    same_arm,
    same_number,
    score,
    split_of,
)
from miner.evaluate.gold import _ade_dose, written_in
from miner.evaluate.normalize import leading_number, parse_range, unit_after
from miner.evaluate.score import pred_arm_links, pred_value_spans

# ------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42.0),
        ("1,525", 1525.0),
        ("1 , 525", 1525.0),
        ("13 388", 13388.0),
        ("- 0 . 94", -0.94),
        ("\u22122.14", -2.14),
        ("n = 21", 21.0),
        ("Twenty", 20.0),
        ("forty-two", 42.0),
        ("Two hundred and fifty - three", 253.0),
        ("one thousand two hundred", 1200.0),
        ("12.5%", 12.5),
        ("~ 20", 20.0),
        ("approximately 3.5", 3.5),
        (".05", 0.05),
        ("not reached", None),
        ("", None),
    ],
    ids=lambda v: repr(v),
)
def test_parse_gold_number(text: str, expected: float | None) -> None:
    assert parse_gold_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7.0 months", 7.0),
        ("2.5 percent", 2.5),
        ("-2\u00b74%", -2.4),
        ("Ten percent", 10.0),
        ("6.0\u00a0months", 6.0),
        ("9 \u00b7 5 months", 9.5),
        ("9 . 5 months", 9.5),
        ("not reached", None),
    ],
    ids=[
        "months",
        "percent-word",
        "middot",
        "word-percent",
        "nbsp",
        "middot-tokenised",
        "point-tokenised",
        "none",
    ],
)
def test_leading_number(text: str, expected: float | None) -> None:
    assert leading_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 . 5", (0.5, None)),
        ("30 - 150", (30.0, 150.0)),
        ("1-2", (1.0, 2.0)),
        ("100", (100.0, None)),
        ("1\u00b781\u20135\u00b752", (1.81, 5.52)),
        ("1 \u00b7 81 - 5 \u00b7 52", (1.81, 5.52)),
    ],
    ids=["decimal", "range-spaced", "range", "plain", "middot-en-dash", "middot-tokenised"],
)
def test_parse_range(text: str, expected: tuple[float, float | None]) -> None:
    assert parse_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P < 0 . 001", ("<", 0.001)),
        ("p&lt;.05", ("<", 0.05)),
        ("P = 0.0136", ("=", 0.0136)),
        ("P \u2264 0.01", ("<", 0.01)),
        ("p>0.2", (">", 0.2)),
        ("p < 0 \u00b7 0001", ("<", 0.0001)),
        ("no number", None),
    ],
    ids=["tokenised", "html-no-zero", "equals", "le-folds-to-lt", "gt", "middot", "none"],
)
def test_parse_p_value(text: str, expected: tuple[str, float] | None) -> None:
    assert parse_p_value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("95 % CI - 1 . 07 to - 0 . 59", (0.95, -1.07, -0.59)),
        ("95%CI: 0.40, 1.53", (0.95, 0.40, 1.53)),
        ("[\u22120.30; \u22120.02]", (None, -0.30, -0.02)),
        ("90 % CI - 0 . 232 , 0 . 138", (0.90, -0.232, 0.138)),
        ("95% CI 2.9 to 0.2", (0.95, 0.2, 2.9)),
        ("95% CI 0.2\u20132.9", (0.95, 0.2, 2.9)),
        ("98\u00b78% CI \u22120\u00b781 to \u22120\u00b733", (0.988, -0.81, -0.33)),
        ("1\u00b781\u20135\u00b752", (None, 1.81, 5.52)),
        ("CI 1 \u00b7 81 - 5 \u00b7 52", (None, 1.81, 5.52)),
        ("95% CI 1\u202781\u20135\u202752", (0.95, 1.81, 5.52)),
        ("95% CI 1\u038781\u20135\u038752", (0.95, 1.81, 5.52)),
        ("95 % CI", None),
    ],
    ids=[
        "to",
        "comma",
        "semicolon-unicode-minus",
        "level-90",
        "high-to-low",
        "en-dash",
        "middot",
        "middot-en-dash",
        "middot-tokenised",
        "hyphenation-point",
        "greek-ano-teleia",
        "none",
    ],
)
def test_parse_ci(text: str, expected: tuple[float | None, float, float] | None) -> None:
    got = parse_ci(text)
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got[0] == pytest.approx(expected[0]) if expected[0] else got[0] is None
    assert got[1:] == pytest.approx(expected[1:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mg", "mg"),
        ("MG/KG", "mg/kg"),
        ("microg / ml", "ug/ml"),
        ("\u00b5g", "ug"),
        ("mcg/kg/min", "ug/kg/min"),
        ("IU/kg", "iu/kg"),
        ("U", "iu"),
        ("mg/m(2)", "mg/m2"),
        ("mg/m\u00b2", "mg/m2"),
        ("mg\u00b7kg\u22121\u00b7h\u22121", "mg/kg/h"),
        ("mg per day", "mg/day"),
        ("%", "%"),
        ("furlongs", None),
        ("", None),
    ],
    ids=lambda v: repr(v),
)
def test_canonical_unit(text: str, expected: str | None) -> None:
    assert canonical_unit(text) == expected


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("given 5 mg / day with food", 7, "mg/day"),
        ("given 5 mg once daily", 7, "mg"),
        ("latanoprost 50 microg / ml daily", 14, "ug/ml"),
        ("brimonidine 0 . 2 % twice", 17, "%"),
        ("a dose of 5 patients", 11, None),
        ("infused 0.3 mg kg-1 h-1 for", 12, "mg/kg/h"),
    ],
    ids=["mg-per-day", "frequency-not-unit", "ug-per-ml", "percent", "no-unit", "negative-powers"],
)
def test_unit_after(text: str, end: int, expected: str | None) -> None:
    assert unit_after(text, end) == expected


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [
        (0.5, 0.50, True),
        (42.0, 42.0, True),
        (41.0, 42.0, False),
        (0.49, 0.5, False),
        (-2.14, 2.14, False),
        (0.0, 0.0, True),
        (None, None, True),
        (None, 1.0, False),
    ],
    ids=["trailing-zero", "equal", "off-by-one", "rounded", "sign", "zero", "none", "none-vs"],
)
def test_same_number(pred: float | None, gold: float | None, same: bool) -> None:
    assert same_number(pred, gold) is same


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [
        ("risperidone", "risperidone-treated subjects", True),
        ("placebo", "the placebo group", True),
        ("insulin glargine", "NPH insulin", False),
        ("letrozole", "placebo", False),
        ("", "placebo", False),
        ("A", "group A", True),
        ("arm B", "group B", True),
        ("group A", "group B", False),
        ("A", "B", False),
        ("A placebo group", "placebo", True),
        ("treatment group", "the treatment group", True),
        ("treatment group", "control group", False),
        ("control group", "placebo", False),
        ("treatment group", "", False),
        ("treatment", "treatment group", True),
        ("recipients", "warfarin recipients", False),
        ("warfarin recipients", "warfarin", True),
    ],
    ids=[
        "head-word",
        "group-suffix",
        "shared-generic-word",
        "different",
        "empty",
        "letter-alone",
        "letter-arm-vs-group",
        "letters-differ",
        "bare-letters-differ",
        "article-a-is-not-a-letter",
        "generic-same",
        "generic-differ",
        "generic-vs-content",
        "generic-vs-empty",
        "generic-without-group-word",
        "generic-word-alone-names-nothing",
        "recipients-of-a-drug",
    ],
)
def test_same_arm(pred: str, gold: str, same: bool) -> None:
    assert same_arm(pred, gold) is same


def test_arm_links_read_arm_sizes_and_arm_values() -> None:
    pred = {
        "arm_values": [{"arm": "placebo", "kind": "percent", "start": 50, "end": 53}],
        "sample_size": {
            "arms": [
                {"label": "risperidone", "n": 49, "start": 10, "end": 35},
                {"label": None, "n": 12, "start": 60, "end": 62},
            ]
        },
    }
    assert sorted(i.key for i in pred_arm_links(pred)) == [
        (10, 35, "risperidone"),
        (50, 53, "placebo"),
    ]
    assert sorted(i.key for i in pred_value_spans(pred)) == [(10, 35), (50, 53), (60, 62)]


@pytest.mark.parametrize(
    ("raw", "text", "present"),
    [
        ("30", "30 patients in each group", True),
        ("30", "300 patients", False),
        ("30", "a score of 3.30", False),
        ("1,525", "1525 patients", True),
        ("1525", "1,525 patients", True),
        ("-0.7", "changed by \u22120.7 kg", True),
        ("1.81", "HR 1\u00b781 (95% CI 1\u00b712\u20132\u00b793)", True),
        ("81", "HR 1\u00b781", False),
    ],
    ids=[
        "plain",
        "inside-longer",
        "after-decimal",
        "comma-gold",
        "comma-text",
        "unicode-minus",
        "middot-text",
        "middot-fraction-not-a-number",
    ],
)
def test_written_in(raw: str, text: str, present: bool) -> None:
    assert written_in(raw, text) is present


def test_split_is_deterministic_and_balanced() -> None:
    ids = [str(10_000_000 + i) for i in range(2000)]
    halves = [split_of(i) for i in ids]
    assert halves == [split_of(i) for i in ids]
    assert set(halves) == {"tune", "check"}
    # sha1's last hex digit is even about half of the time.
    assert 0.4 < halves.count("tune") / len(halves) < 0.6


# ------------------------------------------------------------- scoring


def _record(corpus: str, gold: dict[str, list[tuple]], **kw: object) -> GoldRecord:
    return GoldRecord(
        corpus,
        kw.pop("rid", "r1"),  # type: ignore[arg-type]
        "r1",
        "",
        "An abstract I wrote for this test.",
        {k: tuple(Item(key) for key in v) for k, v in gold.items()},
        **kw,  # type: ignore[arg-type]
    )


CTRO_GOLD = {
    "randomized": [(120.0,)],
    "arm_n": [(60.0,), (58.0,)],
    "dose": [(0.5, None, "mg/kg"), (10.0, 20.0, "mg")],
    "route": [("intravenous",)],
    "effect": [(-2.14,)],
    "effect_ci": [(-2.14, -2.65, -1.63)],
    "p_value": [("<", 0.001)],
}


def _scores(report_scores: object) -> dict[str, Counts]:
    return {s.field: s.counts for s in report_scores}  # type: ignore[attr-defined]


def test_gold_as_prediction_scores_one() -> None:
    rec = _record("ctro", CTRO_GOLD)
    report = score([rec], predictions_from_gold([rec]), splits=["all"])
    for s in report.scores:
        assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0), s.field
    assert not report.errors


@pytest.mark.parametrize(
    ("corpus", "sample_size", "counts"),
    [
        ("pico", {"randomized": None, "analysed": 120}, Counts(1, 0, 0)),
        ("pico", {"randomized": 130, "analysed": 120}, Counts(0, 1, 1)),
        ("pico", {"randomized": 120, "analysed": 110}, Counts(1, 0, 0)),
        ("ctro", {"randomized": None, "analysed": 120}, Counts(0, 0, 1)),
    ],
    ids=["pico-analysed-when-no-randomized", "pico-randomized-first", "pico-randomized", "ctro"],
)
def test_total_participants(corpus: str, sample_size: dict, counts: Counts) -> None:
    rec = _record(corpus, {"randomized": [(120.0,)]})
    pred = {"r1": {"id": "r1", "sample_size": sample_size}}
    assert _scores(score([rec], pred, splits=["all"]).scores)["randomized"] == counts


def test_empty_prediction_has_recall_zero() -> None:
    rec = _record("ctro", CTRO_GOLD)
    for preds in ({}, {"r1": {"id": "r1"}}, {"r1": {"id": "r1", "error": "empty abstract"}}):
        report = score([rec], preds, splits=["all"])
        for s in report.scores:
            assert s.recall == 0.0 and s.counts.fp == 0, s.field
            assert s.precision is None
        assert {e.kind for e in report.errors} == {"FN"}
    assert score([rec], {}, splits=["all"]).missing == {"ctro": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250 mg/m2", (250.0, None, "mg/m2")),
        ("2 to 4 g per day", (2.0, 4.0, "g/day")),
        ("between 1.5 and 12 mg/kg/d", (1.5, 12.0, "mg/kg/day")),
        ("15 mg kg-1 twice daily", (15.0, None, "mg/kg")),
        ("300-mg", (300.0, None, "mg")),
        ("1,250 mg over three days", (1250.0, None, "mg")),
        ("3 times per day", (3.0, None, None)),
        ("high-dose", None),
        ("overdose", None),
    ],
)
def test_ade_dose_spans(text: str, expected: tuple[float, float | None, str | None] | None) -> None:
    assert _ade_dose(text) == expected


@pytest.mark.parametrize(
    ("field", "pred", "counts"),
    [
        ("arm_n", {"sample_size": {"arms": [{"n": 61}, {"n": 58}]}}, Counts(1, 1, 1)),
        (
            "arm_n",
            {"sample_size": {"arms": [{"n": 58}]}, "arm_values": [{"events": 9, "total": 60}]},
            Counts(2, 0, 0),
        ),
        ("randomized", {"sample_size": {"randomized": 121}}, Counts(0, 1, 1)),
        ("randomized", {"sample_size": {"randomized": 120}}, Counts(1, 0, 0)),
        ("dose", {"doses": [{"value": 0.5, "unit": "mg"}]}, Counts(0, 1, 2)),
        ("dose", {"doses": [{"value": 10, "value_max": 20, "unit": "mg"}]}, Counts(1, 0, 1)),
        ("dose", {"doses": [{"value": 10, "unit": "mg"}]}, Counts(0, 1, 2)),
        ("effect", {"effects": [{"value": -2.15}]}, Counts(0, 1, 1)),
        (
            "effect_ci",
            {"effects": [{"value": -2.14, "ci_low": -1.63, "ci_high": -2.65}]},
            Counts(1, 0, 0),
        ),
        (
            "effect_ci",
            {"effects": [{"value": -2.14, "ci_low": -2.65, "ci_high": -1.62}]},
            Counts(0, 1, 1),
        ),
        ("p_value", {"effects": [{"p": 0.001, "p_op": "\u2264"}]}, Counts(1, 0, 0)),
        ("p_value", {"effects": [{"p": 0.001, "p_op": "="}]}, Counts(0, 1, 1)),
        ("p_value", {"arm_values": [{"value": 26.5, "p": 0.001, "p_op": "<"}]}, Counts(1, 0, 0)),
        (
            "p_value",
            {
                "effects": [{"value": -9.0, "p": 0.001, "p_op": "<"}],
                "arm_values": [
                    {"value": 26.5, "p": 0.001, "p_op": "<"},
                    {"value": 35.5, "p": 0.001, "p_op": "\u2264"},
                ],
            },
            Counts(1, 0, 0),
        ),
        (
            "p_value",
            {
                "effects": [{"value": -9.0, "p": 0.001, "p_op": "<"}],
                "arm_values": [{"value": 26.5, "p": 0.04, "p_op": "="}],
            },
            Counts(1, 1, 0),
        ),
        (
            "effect_ci",
            {"effects": [{"value": "-2\u00b714", "ci_low": "-2\u00b765", "ci_high": -1.63}]},
            Counts(1, 0, 0),
        ),
        ("route", {"routes": [{"route": "oral"}]}, Counts(0, 1, 1)),
        ("route", {"doses": [{"value": 1, "unit": "mg", "route": "intravenous"}]}, Counts(1, 0, 0)),
    ],
    ids=[
        "arm-off-by-one",
        "arm-size-as-denominator",
        "total-off-by-one",
        "total-exact",
        "dose-wrong-unit",
        "dose-range",
        "dose-range-missing-max",
        "effect-off-by-last-digit",
        "ci-high-to-low",
        "ci-bound-off",
        "p-le-equals-lt",
        "p-wrong-operator",
        "p-on-arm-value",
        "p-effect-and-arm-values-once",
        "p-arm-value-distinct",
        "ci-middot-strings",
        "route-wrong",
        "route-from-dose",
    ],
)
def test_crafted_predictions(field: str, pred: dict, counts: Counts) -> None:
    rec = _record("ctro", CTRO_GOLD)
    report = score([rec], {"r1": {"id": "r1", **pred}}, splits=["all"])
    assert _scores(report.scores)[field] == counts


def test_duplicates_count_once() -> None:
    rec = _record("ctro", {"dose": [(5.0, None, "mg"), (5.0, None, "mg")]})
    pred = {"r1": {"doses": [{"value": 5, "unit": "mg"}, {"value": 5.0, "unit": "mg"}]}}
    assert _scores(score([rec], pred, splits=["all"]).scores)["dose"] == Counts(1, 0, 0)


def test_ignored_mentions_are_not_false_positives() -> None:
    rec = _record("ctro", {"dose": [(5.0, None, "mg")]})
    rec = GoldRecord(
        rec.corpus, rec.id, rec.doc_id, rec.title, rec.abstract, rec.gold,
        {"dose": (Item((0.75, None, "iu/kg")),)},
    )  # fmt: skip
    pred = {"r1": {"doses": [{"value": 0.75, "unit": "iu/kg"}, {"value": 7, "unit": "mg"}]}}
    assert _scores(score([rec], pred, splits=["all"]).scores)["dose"] == Counts(0, 1, 1)


def test_record_without_gold_scores_predictions_as_false_positives() -> None:
    rec = _record("ctro", {})
    pred = {"r1": {"doses": [{"value": 5, "unit": "mg"}], "routes": [{"route": "oral"}]}}
    got = _scores(score([rec], pred, splits=["all"]).scores)
    assert got["dose"] == Counts(0, 1, 0)
    assert got["route"] == Counts(0, 1, 0)
    unlabelled = _record("ctro", {}, unlabelled=frozenset({"route"}))
    got = _scores(score([unlabelled], pred, splits=["all"]).scores)
    assert got["route"] == Counts(0, 0, 0)


def test_partial_fields_report_recall_only() -> None:
    rec = _record("llm", {"arm_mean": [(3.1,)]})
    pred = {"r1": {"arm_values": [{"kind": "mean", "value": 3.1}, {"kind": "mean", "value": 9}]}}
    s = next(s for s in score([rec], pred, splits=["all"]).scores if s.field == "arm_mean")
    assert s.partial and s.precision is None and s.f1 is None and s.recall == 1.0


def test_arm_links_need_overlap_and_the_right_arm() -> None:
    rec = _record("rctart", {"arm_link": [(10, 20, "placebo group"), (30, 40, "letrozole")]})
    pred = {
        "r1": {
            "arm_values": [
                {"start": 12, "end": 18, "arm": "placebo"},
                {"start": 30, "end": 40, "arm": "placebo"},
                {"start": 50, "end": 55, "arm": "letrozole"},
            ]
        }
    }
    got = _scores(score([rec], pred, splits=["all"]).scores)
    assert got["arm_link"] == Counts(1, 2, 1)


def test_counts_arithmetic() -> None:
    c = Counts(8, 2, 2) + Counts(1, 0, 1)
    assert c == Counts(9, 2, 3)
    assert c.precision == pytest.approx(9 / 11)
    assert c.recall == pytest.approx(9 / 12)
    assert Counts().precision is None and Counts().f1 is None
    assert Counts(0, 0, 3).f1 == 0.0


# ------------------------------------------------------- real corpora


@pytest.mark.parametrize("corpus", CORPORA)
def test_loaders_read_each_corpus_in_place(corpus: str, shared: Callable[..., Path]) -> None:
    shared()  # skip (or fail under CI) when the shared data is missing
    records = load_corpus(corpus)
    assert records and len({r.id for r in records}) == len(records)
    assert {r.split for r in records} == {"tune", "check"}
    for spec in fields_of(corpus):
        assert sum(len(r.gold.get(spec.name, ())) for r in records) > 0, spec.name
    # Gold derived from the data scores perfectly, and nothing scores recall 0.
    full = score(records, predictions_from_gold(records), splits=["all"])
    for s in full.scores:
        assert s.recall == 1.0 and s.precision in (1.0, None), s.field
    empty = score(records, {}, splits=["tune", "check"])
    for s in empty.scores:
        assert s.recall in (0.0, None) and s.counts.fp == 0


def test_ctro_gold_reads_raw_text_and_tokenised_values(shared: Callable[..., Path]) -> None:
    shared("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    records = load_corpus("ctro")
    with_title = [r for r in records if r.title]
    assert len(with_title) > 0.9 * len(records)
    # Raw PubMed text, not the pre-tokenised "0 . 5" form.
    assert sum(" . 5 " in r.abstract for r in records) < 0.1 * len(records)
    units = {it.key[2] for r in records for it in r.gold["dose"]}
    assert {"mg", "%"} <= units


def test_cli_scores_a_predictions_file(shared: Callable[..., Path], tmp_path: Path) -> None:
    shared("rct-art", "gold_corpus_slim.jsonl.gz")
    records = load_corpus("rctart")
    preds = tmp_path / "pred.jsonl"
    with preds.open("w") as fh:
        for rec in predictions_from_gold(records).values():
            fh.write(json.dumps(rec) + "\n")
    md = tmp_path / "acc.md"
    runner = CliRunner()
    args = ["eval", "--corpus", "rctart", "--predictions", str(preds), "--markdown", str(md)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {s["split"] for s in data["scores"]} == {"tune", "check"}
    assert all(s["f1"] == 1.0 for s in data["scores"])
    text = md.read_text()
    assert (
        text.startswith("# ") and "## CHECK half" in text and "miner eval --corpus rctart" in text
    )
    result = runner.invoke(app, ["eval", "--corpus", "nope", "--predictions", str(preds)])
    assert result.exit_code != 0
    assert "allowed" in str(result.exception) + result.output


def test_design_corpus_keeps_only_indexed_pubmed_records(shared: Callable[..., Path]) -> None:
    shared()
    records = load_corpus("design")
    pubmed = [r for r in records if not r.id.startswith("PMC")]
    rct = [r for r in pubmed if r.gold["is_rct"]]
    # medline16n0902 alone has 526 records with an abstract; most are not indexed yet.
    assert 150 < len(pubmed) < 400
    assert 0 < len(rct) < 10
    assert all(r.gold["is_rct"] for r in records if r.id.startswith("PMC"))
