"""Administered doses with drug, unit, frequency, duration and route."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from typing import Any

import pytest
import spacy

import miner.extract.dose
import miner.extract.route  # registers miner_route
from miner.extract.dose import collect_doses, find_doses
from miner.extract.quantities import CANONICAL_UNIT_RE, DOSE_RE, dose_from_match, normalise

FIELDS = {
    "drug",
    "value",
    "value_max",
    "unit",
    "frequency",
    "duration",
    "route",
    "start",
    "end",
    "text",
}


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("miner_route")
    pipeline.add_pipe("miner_dose")
    return pipeline


DOSE_CASES = [
    (
        "Participants received pregabalin 150 mg twice daily for 8 weeks.",
        [("pregabalin", 150.0, None, "mg", "twice daily", "8 weeks", None)],
        "drug-before-bid-duration",
    ),
    (
        "Ketamine 0.5 mg/kg was infused intravenously over 40 min.",
        [("Ketamine", 0.5, None, "mg/kg", None, "40 min", "intravenous")],
        "route-and-infusion-time",
    ),
    (
        "The children were given 10-15 mg/kg of paracetamol orally every 6 h.",
        [("paracetamol", 10.0, 15.0, "mg/kg", "every 6 h", None, "oral")],
        "range-of-drug-after",
    ),
    (
        "Eyes were treated with 0.004% travoprost once daily at bedtime.",
        [("travoprost", 0.004, None, "%", "once daily", None, None)],
        "percent-strength-before-drug",
    ),
    (
        "Subjects on carteolol 1% twice daily were switched.",
        [("carteolol", 1.0, None, "%", "twice daily", None, None)],
        "percent-strength-after-drug",
    ),
    (
        "Pioglitazone (15 or 30 mg/d) was continued.",
        [
            ("Pioglitazone", 15.0, None, "mg/day", None, None, None),
            ("Pioglitazone", 30.0, None, "mg/day", None, None, None),
        ],
        "or-list",
    ),
    (
        "Remifentanil was run at 0.1 \u00b5g\u00b7kg\u22121\u00b7min\u22121 throughout surgery.",
        [("Remifentanil", 0.1, None, "ug/kg/min", None, None, None)],
        "exponent-unit",
    ),
    (
        "Adults took metformin or placebo, titrated up to 1.5 g a day.",
        [("metformin", 1.5, None, "g", None, None, None)],
        "titrated-up-to",
    ),
    (
        "Pregabalin was given at doses up to 600 mg/day.",
        [("Pregabalin", 600.0, None, "mg/day", None, None, None)],
        "doses-up-to",
    ),
    (
        "Methylprednisolone was lowered from 60 mg to 30 mg intravenously every 8 h.",
        [
            ("Methylprednisolone", 60.0, None, "mg", "every 8 h", None, "intravenous"),
            ("Methylprednisolone", 30.0, None, "mg", "every 8 h", None, "intravenous"),
        ],
        "from-to-is-two-doses",
    ),
    (
        "Doses of metformin ranging from 500 to 1000 mg were used.",
        [("metformin", 500.0, 1000.0, "mg", None, None, None)],
        "ranging-from-to-is-a-range",
    ),
    (
        "The other arm was switched (without washout) to bimatoprost 0.03% once daily.",
        [("bimatoprost", 0.03, None, "%", "once daily", None, None)],
        "negation-in-closed-brackets",
    ),
    (
        "Men took caffeine (5 mg/kg) before exercise; consumption of 3 mg/kg was tested too.",
        [
            ("caffeine", 5.0, None, "mg/kg", None, None, None),
            ("caffeine", 3.0, None, "mg/kg", None, None, None),
        ],
        "consumption-of-is-intake",
    ),
    (
        "Cisatracurium 0.15 mg/kg (3 x ED95) was given.",
        [("Cisatracurium", 0.15, None, "mg/kg", None, None, None)],
        "multiple-of-ed95",
    ),
    (
        "The primary outcome was morphine consumption; patients received ketamine 0.5 mg/kg.",
        [("ketamine", 0.5, None, "mg/kg", None, None, None)],
        "dose-given-after-result-cue",
    ),
    (
        "Walking distance improved with formoterol 4.5 ug (p = 0.03 vs. placebo).",
        [("formoterol", 4.5, None, "ug", None, None, None)],
        "dose-group-before-p",
    ),
    (
        "Group Q took 500 mg metformin + 100 mg sitagliptin daily.",
        [
            ("metformin", 500.0, None, "mg", None, None, None),
            ("sitagliptin", 100.0, None, "mg", "daily", None, None),
        ],
        "plus-joins-two-drugs",
    ),
    (
        "The fast arm gave an intravenous bolus of 2 mL/kg/h of 150 mEq/L sodium bicarbonate"
        " for 1 hour.",
        [("sodium bicarbonate", 2.0, None, "ml/kg/h", None, "1 h", "intravenous")],
        "measurement-unit-between-dose-and-duration",
    ),
    (
        "Patients kept using timolol 0.25% ophthalmic solution (1 drop per treated eye BID).",
        [("timolol", 0.25, None, "%", "twice daily", None, "ophthalmic")],
        "frequency-after-the-product",
    ),
    (
        "Exenatide was started at 5 ug, increased weekly, twice daily.",
        [("Exenatide", 5.0, None, "ug", "twice daily", None, None)],
        "titration-step-is-no-frequency",
    ),
    (
        "Volunteers took 3 g fish oil per day for 6 weeks, and weekly egg intake was noted.",
        [("fish oil", 3.0, None, "g", None, "6 weeks", None)],
        "frequency-of-a-later-clause",
    ),
    (
        "Runners swallowed the glucose syrup promptly (25 g) before the race.",
        [(None, 25.0, None, "g", None, None, "oral")],
        "adverb-is-no-drug",
    ),
    (
        "The powder was taken (4 g) with water after meals.",
        [(None, 4.0, None, "g", None, None, None)],
        "verb-is-no-drug",
    ),
    (
        "Controls gargled 15 ml of boiled water or 0.12% chlorhexidine.",
        [
            ("water", 15.0, None, "ml", None, None, None),
            ("chlorhexidine", 0.12, None, "%", None, None, None),
        ],
        "of-participle-then-noun",
    ),
    (
        "Adults took FO (3 g EPA; n = 40) daily for 10 weeks.",
        [(None, 3.0, None, "g", "daily", "10 weeks", None)],
        "semicolon-inside-brackets",
    ),
    (
        "Each child got magnesium sulfate (2 g/100 ml saline) over an hour.",
        [("magnesium sulfate", 2.0, None, "g", None, None, None)],
        "drug-in-diluent-per-100-ml",
    ),
    (
        "Adults inhaled mometasone/formoterol 200/5 ug twice daily for 26 weeks.",
        [
            ("mometasone", 200.0, None, "ug", "twice daily", "26 weeks", "inhalation"),
            ("formoterol", 5.0, None, "ug", "twice daily", "26 weeks", "inhalation"),
        ],
        "fixed-combination-pair",
    ),
    (
        "Patients took saxagliptin/dapagliflozin (5/10 mg) once daily or placebo.",
        [
            ("saxagliptin", 5.0, None, "mg", "once daily", None, None),
            ("dapagliflozin", 10.0, None, "mg", "once daily", None, None),
        ],
        "fixed-combination-in-brackets",
    ),
    (
        "Each capsule held 150 mg vitamin C, 9 mg lutein and 4 mg zinc.",
        [
            ("vitamin C", 150.0, None, "mg", None, None, "oral"),
            ("lutein", 9.0, None, "mg", None, None, "oral"),
            ("zinc", 4.0, None, "mg", None, None, "oral"),
        ],
        "list-of-amounts-unknown-name",
    ),
    (
        "Arm A got 40 mg of pantoprazole, 250 mg of azithromycin.",
        [
            ("pantoprazole", 40.0, None, "mg", None, None, None),
            ("azithromycin", 250.0, None, "mg", None, None, None),
        ],
        "list-of-amounts-of-drugs",
    ),
]


def _key(d: dict[str, Any]) -> tuple[Any, ...]:
    return (
        d["drug"],
        d["value"],
        d["value_max"],
        d["unit"],
        d["frequency"],
        d["duration"],
        d["route"],
    )


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e, _ in DOSE_CASES], ids=[i for *_, i in DOSE_CASES]
)
def test_doses_in_sentences(
    nlp: spacy.language.Language, text: str, expected: list[tuple[Any, ...]]
) -> None:
    doses = collect_doses(nlp(text))
    assert [_key(d) for d in doses] == expected
    for d in doses:
        assert set(d) == FIELDS
        assert text[d["start"] : d["end"]] == d["text"]


NOT_DOSES = [
    ("Fasting glucose fell to 6.7 mmol/l and HbA1c to 7.1%.", "lab-values"),
    ("Mean HbA1c was 8.2% at baseline.", "percent-result"),
    ("Genital infections were more frequent with dapagliflozin (9.8%).", "percent-in-brackets"),
    ("No patient received more than 20 mg of morphine.", "negated"),
    ("Patients on metformin \u22651500 mg/day were eligible.", "threshold"),
    ("The insulin dose changed by -3.0 U versus -1.9 U.", "signed-change"),
    ("Urinary albumin excretion was 30 mg/24 h.", "excretion"),
    ("Dietary intake of 2000 mg sodium was advised.", "intake"),
    ("Body weight decreased by 2.1 kg.", "weight"),
    ("Total cholesterol was 190 mg/dl.", "mg-dl"),
    ("Patients on metformin up to 2000 mg/day were eligible.", "up-to-bound"),
    ("Metformin gave a lower insulin requirement [52 units vs. 70].", "insulin-requirement"),
    ("The mean reduction, 12.5 IU/d, favoured metformin.", "change-word-comma"),
    ("The adjusted difference 20 units (10-30) favoured metformin.", "difference-amount"),
    ("Patients received no latanoprost 0.005%.", "negated-percent"),
    ("A 19-G epidural catheter was inserted at L3-4.", "needle-gauge"),
    ("Retrieval used a 17 G needle.", "needle-gauge-spaced"),
    ("The ED50 of ropivacaine was 5.12 mg (95% CI 4.9-5.3).", "ed50-with-ci"),
    ("The dose was 12.1 mg (95% CI 10.2 to 14.0) in the group.", "amount-with-ci"),
    ("Fentanyl requirement was greater in group B (90 mcg vs. 120 mcg, P = 0.002).", "requirement"),
    ("Total fentanyl consumption was lower in group K (474 ug).", "consumption"),
    ("In the morphine group it was 14.2 mg, p = 0.037.", "amount-before-p"),
    ("Patients with an eGFR of 45 to 90 ml/min/1.73 m2 took metformin.", "gfr-flow"),
    ("The AUC of morphine was 2.87 ng\u00b7h/ml.", "exposure-auc"),
    ("Controls received 26 units of PRBC versus 4 units with tranexamic acid.", "blood-units"),
    ("Total blood loss was 70 ml with tranexamic acid.", "blood-loss-ml"),
    ("Systolic pressure rose 2.2 mmHg per 50 mmol of sodium.", "per-denominator"),
    ("Weight gain was larger with zinc (+ 50.7 gm) than placebo.", "spaced-sign"),
    ("The gain translated to 0.10 gained QALYs with metformin.", "number-before-a-g-word"),
    ("A 75 g oral glucose tolerance test was done at week 12 of metformin.", "ogtt-load"),
    ("A 75-g OGTT followed sitagliptin treatment.", "ogtt-abbreviation"),
    ("Each meal held mangoes supplying 0.71 mg/100 g of lutein.", "content-per-100-g"),
    ("Plain yoghurt held 12 mg per 100 g of vitamin C.", "content-per-100-g-words"),
    ("The cereal gave 3.5 g/1000 kcal of fibre with psyllium.", "content-per-energy"),
    ("Flow rose less with folate (27.4 units [18.3-36.5] vs. 41.2 units).", "amount-with-spread"),
    ("Patients took Seretide 250/50 ug twice daily.", "combination-without-both-names"),
    ("Drain output fell with tranexamic acid (median, 210 mL; IQR, 150 to 320 mL).", "median-iqr"),
    ("Children on deferasirox (mean 24 mg/kg/day) had lower ferritin.", "mean-amount"),
    ("Blood pressure of 150/95 mmHg was treated with amlodipine.", "pressure-pair"),
    ("Adults got an HIV-1 GM-CSF vaccine at weeks 0 and 8.", "gm-csf-is-no-gram"),
]


@pytest.mark.parametrize("text", [t for t, _ in NOT_DOSES], ids=[i for _, i in NOT_DOSES])
def test_not_doses(nlp: spacy.language.Language, text: str) -> None:
    assert collect_doses(nlp(text)) == []


ROUTE_OF_DOSE_CASES = [
    (
        "Patients were assigned to lixisenatide once daily via subcutaneous injection (10 \u00b5g "
        "initially, increased weekly up to 20 \u00b5g) or once-daily oral sitagliptin 50 mg.",
        [
            ("lixisenatide", "subcutaneous"),
            ("lixisenatide", "subcutaneous"),
            ("sitagliptin", "oral"),
        ],
        "route-before-another-drug",
    ),
    (
        "Intraocular pressure was measured in both eyes at each visit of this glaucoma study. "
        "Patients applied topical latanoprost 0.005% once daily.",
        [("latanoprost", "ophthalmic")],
        "eye-text-beyond-the-sentence",
    ),
    (
        "Patients received subcutaneous denosumab 120 mg and intravenous placebo, or"
        " intravenous zoledronic acid 4 mg and subcutaneous placebo.",
        [("denosumab", "subcutaneous"), ("zoledronic acid", "intravenous")],
        "route-written-with-its-drug",
    ),
    (
        "Women were randomised to 1 mg oral anastrozole or 20 mg tamoxifen daily.",
        [("anastrozole", "oral"), ("tamoxifen", None)],
        "amount-route-drug",
    ),
    (
        "Spinal anaesthesia used 2.5 ml 0.5% bupivacaine and fentanyl.",
        [("bupivacaine", "intrathecal"), ("bupivacaine", "intrathecal")],
        "volume-strength-drug",
    ),
    (
        "Children received intravenous (1.5 mg/kg) or topical lidocaine before extubation.",
        [("lidocaine", "intravenous")],
        "same-drug-other-arm",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(t, e) for t, e, _ in ROUTE_OF_DOSE_CASES],
    ids=[i for *_, i in ROUTE_OF_DOSE_CASES],
)
def test_route_of_each_dose(
    nlp: spacy.language.Language, text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert [(d["drug"], d["route"]) for d in collect_doses(nlp(text))] == expected


SPEED_TEXTS = [
    "Tranexamic acid 1 g and magnesium sulphate 2 g; TRANEXAMIC ACID, potassium chloride-rich.",
    "Up to a maximum of 1,000-2,000 mg/day, between 5 and 10 mg, 0.5 to 1.5 mg/kg; 2 mg +/- 1 mg.",
    "The change, 3 mg, by 4 mg; versus 5 mg, per 6 ml, SD 7 mg, levels of 8 mg and intake 9 g.",
    "Nothing here but 12 patients and 3 weeks.",
]


@pytest.mark.parametrize("text", SPEED_TEXTS, ids=range(len(SPEED_TEXTS)))
def test_fast_paths_agree_with_the_plain_regular_expressions(text: str) -> None:
    """The find-based and prefiltered paths give what the plain expressions give."""
    dose_module = miner.extract.dose
    assert dose_module._multi_drug_spans(text) == [
        m.span() for m in dose_module.MULTI_DRUG_RE.finditer(text)
    ]
    for end in range(len(text) + 1):
        before = text[max(0, end - 30) : end]
        assert dose_module._not_dose_before(before) == bool(
            dose_module._NOT_DOSE_BEFORE_ANY_RE.search(before)
        )
    dose_spans = {m.span() for m in dose_module._dose_matches(text)}
    assert dose_spans <= {m.span() for m in DOSE_RE.finditer(text)}
    hinted = {
        m.span() for m in DOSE_RE.finditer(text) if dose_module._DOSE_HINT_RE.search(m.group())
    }
    assert hinted <= dose_spans


DRUG_OF_DOSE_CASES = [
    ("Syncope followed ingestion of isosorbide dinitrate (5 mg).", "isosorbide dinitrate", "salt"),
    ("She was receiving phenytoin sodium 300 mg/day.", "phenytoin sodium", "sodium-salt"),
    ("Patients received mitomycin C (total dose 20 mg/m2).", "mitomycin C", "letter-suffix"),
    (
        "Cholestasis began after 100 mg of sodium aurothiomalate.",
        "sodium aurothiomalate",
        "of-salt",
    ),
    ("Sodium fell after a single 250 mg intravenous dose of lorcainide.", "lorcainide", "dose-of"),
    ("Paralysis followed 0.3 ml of 10% phenol-glycerine.", "phenol-glycerine", "of-strength"),
    ("Neuropathy began after treatment including 2 mg of vincristine.", "vincristine", "stop-word"),
    ("Each woman had a yearly infusion of zoledronic acid 5 mg.", "zoledronic acid", "acid"),
    ("Patients received darbepoetin alfa 200 ug every 2 weeks.", "darbepoetin alfa", "alfa"),
    (
        "Syncope followed an increase in the dose of disopyramide to 600 mg/day.",
        "disopyramide",
        "dose-of-before",
    ),
    (
        "Ovulation was triggered by a single 5000 IU intramuscular dose of u-hCG.",
        "u-hCG",
        "route-dose-of",
    ),
    ("Dogs were given coated famotidine granules (0.5 mg/kg).", "famotidine", "granules-form"),
    ("Each child sucked a lidocaine lozenge (10 mg) before meals.", "lidocaine", "lozenge-form"),
    ("Arm B had pemetrexed 500 mg/m2 followed by carboplatin.", "pemetrexed", "trexed-stem"),
    ("Most adults got 100 mg ustekinumab plus MTX weekly.", "ustekinumab", "mab-stem"),
    ("Adults took 1,000 IU of oral vitamin D3 each day.", "vitamin D3", "vitamin-d3"),
]


@pytest.mark.parametrize(
    ("text", "drug"),
    [(t, d) for t, d, _ in DRUG_OF_DOSE_CASES],
    ids=[i for *_, i in DRUG_OF_DOSE_CASES],
)
def test_drug_of_each_dose(nlp: spacy.language.Language, text: str, drug: str) -> None:
    assert [d["drug"] for d in collect_doses(nlp(text))] == [drug]


def test_find_doses_without_spacy_uses_sentences() -> None:
    text = "Group A got timolol. Group B got 100 mg sitagliptin once daily."
    doses = find_doses(text, [(0, 20), (21, len(text))])
    assert [(d["drug"], d["value"], d["frequency"]) for d in doses] == [
        ("sitagliptin", 100.0, "once daily")
    ]


def _ctro_texts(path: Any, limit: int) -> list[str]:
    texts = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                raw = tar.extractfile(member)
                if raw is not None:
                    texts.append(io.TextIOWrapper(raw, encoding="utf-8").read())
            if len(texts) >= limit:
                break
    return texts


def test_ctro_doses_broad_properties(nlp: spacy.language.Language, shared) -> None:  # type: ignore[no-untyped-def]
    """Real RCT abstracts: offsets hold, units are canonical, most labelled amounts are found."""
    texts = _ctro_texts(shared("ctro-ct-corpus", "ct_corpus_pubmed_txt.tar.gz"), 80)
    assert len(texts) >= 50
    n_doses = 0
    for doc in nlp.pipe(texts):
        for d in collect_doses(doc):
            n_doses += 1
            assert doc.text[d["start"] : d["end"]] == d["text"]
            assert CANONICAL_UNIT_RE.match(d["unit"])
            assert d["value_max"] is None or d["value_max"] >= d["value"]
            assert d["value"] > 0
    assert n_doses >= len(texts)  # trials state at least about one dose per abstract


def test_ctro_gold_dose_recall_floor(nlp: spacy.language.Language, shared) -> None:  # type: ignore[no-untyped-def]
    """Gold C-TrO dose values (detokenised) are mostly found in the same abstract's raw text."""
    gold_path = shared("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    raw = {}
    with tarfile.open(shared("ctro-ct-corpus", "ct_corpus_pubmed_txt.tar.gz"), "r:gz") as tar:
        for member in tar:
            m = re.search(r"_(\d+)_[a-z0-9]+\.txt$", member.name)
            f = tar.extractfile(member) if m else None
            if m and f is not None:
                raw[m.group(1)] = f.read().decode("utf-8")
    with gzip.open(gold_path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    found = total = 0
    for rec in records[:80]:
        text = raw.get(str(rec["pmid"]))
        if text is None:
            continue
        values = {d["value"] for d in collect_doses(nlp(text))}
        for ent in rec["entities"]:
            if ent["label"] != "DoseValue":
                continue
            m = re.search(r"\d+(?: \. \d+)?", ent["text"].replace(" , ", ""))
            if not m:
                continue
            total += 1
            found += float(m.group().replace(" . ", ".")) in values
    assert total > 50
    assert found >= 0.7 * total


def test_ade_drug_dose_amounts(shared) -> None:  # type: ignore[no-untyped-def]
    """ADE-corpus drug-dose sentences: the labelled amounts with a unit are found, few others."""
    path = shared("ade-corpus-v2-drug-dose", "DRUG-DOSE.rel")
    gold: dict[str, set[tuple[float, float | None, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        _pmid, sentence, dose_text, *_ = line.split("|")
        gold.setdefault(sentence, set())
        m = DOSE_RE.search(normalise(dose_text))
        parsed = dose_from_match(m)[0] if m else None
        if parsed is not None:
            gold[sentence].add((parsed.value, parsed.value_max, parsed.unit))
    tp = fp = fn = 0
    for sentence, amounts in gold.items():
        found = {(d["value"], d["value_max"], d["unit"]) for d in find_doses(sentence)}
        tp += len(found & amounts)
        fp += len(found - amounts)
        fn += len(amounts - found)
    assert tp + fn > 90
    assert tp >= 0.9 * (tp + fn)
    assert tp >= 0.9 * (tp + fp)


def test_unit_before_a_capitalised_name(nlp: spacy.language.Language) -> None:
    text = "Fourteen adults were given 5 microg/kg/day GM-CSF under the skin."
    assert [(d["value"], d["unit"]) for d in collect_doses(nlp(text))] == [(5.0, "ug/kg/day")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Children had ketamine 0.5 mg kg-1 before induction.", [(0.5, "mg/kg")]),
        ("Rats had drugQ 2 mg kg\u22121 day\u22121 for a week.", [(2.0, "mg/kg/day")]),
        ("Adults had drugZ 1 mg to 3 mg at night.", [(1.0, "mg")]),
        ("Rats had drugR 5 microg kg day-1 for a week.", []),
        ("The AUC of drugS was 61.2 mg l(-1) h after the dose.", []),
        ("Adults with creatinine over 1.8 milligrams% were excluded from drugT.", []),
    ],
    ids=[
        "negative-power",
        "negative-powers-unicode-minus",
        "range-first-unit",
        "unit-not-read-whole-no-dose",
        "auc-unit-not-read-whole",
        "percent-after-unit",
    ],
)
def test_units_read_whole_or_not_at_all(
    nlp: spacy.language.Language, text: str, expected: list[tuple[float, str]]
) -> None:
    assert [(d["value"], d["unit"]) for d in collect_doses(nlp(text))] == expected
