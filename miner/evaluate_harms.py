"""Accuracy of the issue-8 fields: adverse-event counts and time points.

No shared corpus labels adverse events as such, so the gold is derived from
labels that carry the same information (read each corpus' SOURCE.md):

ctro (``ctro-ct-corpus/ctro_dev.jsonl.gz``)
    The C-TrO templates link ``Outcome`` nodes to an ``Endpoint`` whose
    description is an ontology class (``Hypoglycemia``,
    ``SevereHypoglycemia``, ``NocturnalHypoglycemia``,
    ``SymptomaticHypoglycemia``, ``Nausea``, ``ConjunctivalHyperemia``,
    ``Headache``, ``Constipation``, ``GastrointestinalProblem``, ...) or
    free text ("side-effects"). An outcome is a harm when its class is in
    :data:`CTRO_HARM_CLASSES` or its free-text description matches
    :data:`HARM_WORDS` (a fixed word list, independent of the extractor's
    vocabulary file). Gold ``ae_events`` = its ``hasNumberAffected`` values
    that are whole numbers (decimal values are rates per patient-year, which
    the extractor does not claim to read; they are counted as unparsed);
    gold ``ae_percent`` = its ``hasPercentageAffected`` values. Mentions of
    these classes without a template slot are ignored (neither TP nor FP).
    ``timepoint``: the days (via
    :func:`miner.durability.normalise_timepoint`) of curated ``TimePoint``
    mentions; phrases without days ("8 am", "1 and 3 months") are counted as
    unparsed and reported as the normaliser's coverage.
pico (``pico-corpus/pico_dev.jsonl.gz``)
    ``iv-/cv-bin-abs`` (``ae_events``) and ``iv-/cv-bin-percent``
    (``ae_percent``) values in a sentence whose labelled ``outcome`` span
    matches :data:`HARM_WORDS` (toxicities of breast-cancer treatment).

Predictions: ``adverse_events`` facts with status ``reported`` give
``ae_events`` (their ``events``) and ``ae_percent`` (their ``percent``);
time points are the days of the ``timepoint`` phrases attached to
``effects``, ``arm_values`` and ``adverse_events``. Per record, distinct
values are matched (numbers by :func:`miner.evaluate.normalize.same_number`,
days within half a day). Figures are given for the TUNE and CHECK halves of
:func:`miner.evaluate.normalize.split_of`; rules are tuned on TUNE only.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miner.durability import normalise_timepoint
from miner.evaluate.normalize import detokenise, parse_gold_number, same_number, split_of
from miner.evaluate.score import Counts
from miner.shared_data import shared_path

#: Fields this scorer reports.
HARM_FIELDS = ("ae_events", "ae_percent", "timepoint")
#: Corpora with gold for these fields.
HARM_CORPORA = ("ctro", "pico")
#: C-TrO endpoint classes that are harms.
CTRO_HARM_CLASSES = frozenset(
    {
        "Hypoglycemia",
        "SevereHypoglycemia",
        "NocturnalHypoglycemia",
        "SymptomaticHypoglycemia",
        "Nausea",
        "ConjunctivalHyperemia",
        "Headache",
        "Constipation",
        "GastrointestinalProblem",
        "Stinging",
        "Smarting",
        "BlurredVison",
        "Ocular_Itching",
        "Ocular_Allergy",
        "OralDryness",
        "DisorderOrSyndrome",
    }
)
#: Words that make a free-text outcome a harm (gold side only).
HARM_WORDS = re.compile(
    r"adverse|side[\s-]*effect|toxicit|hypoglyc|nausea|vomit|emesis|hyperaemi|hyperemi|headache"
    r"|dizz|neutropeni|leu[ck]openi|anaemi|anemi|thrombocytopeni|diarrh|constipation|rash"
    r"|alopecia|fatigue|mucositis|stomatitis|neuropath|cardiotox|infection|febrile|hot\s+flash"
    r"|hot\s+flush|arthralgia|myalgia|oedema|edema|hepatotox|stinging|burning|itching|pruritus"
    r"|discontinu|withdraw",
    re.IGNORECASE,
)
#: Days within which a predicted time point matches a gold one.
DAYS_TOL = 0.5


@dataclass(frozen=True, slots=True)
class HarmGold:
    """One record's input and gold for :data:`HARM_FIELDS`.

    ``unlabelled`` names fields the record has no gold for at all (they are
    not scored for that record); ``unparsed`` counts gold values dropped
    (rates, time phrases without days).
    """

    corpus: str
    id: str
    title: str
    abstract: str
    gold: Mapping[str, tuple[float, ...]]
    ignore: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    unlabelled: frozenset[str] = frozenset()
    unparsed: Mapping[str, int] = field(default_factory=dict)

    @property
    def split(self) -> str:
        """``"tune"`` or ``"check"``."""
        return split_of(self.id)


def _read(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


_TRIPLE_RE = re.compile(
    r'<[^>]*#([^>]+)>\s+<[^>]*#([^>]+)>\s+(?:"((?:[^"\\]|\\.)*)"|<[^>]*#([^>]+)>)'
)


def _triples(rdf: str) -> list[tuple[str, str, str]]:
    return [(m[0], m[1], m[2] or m[3]) for m in _TRIPLE_RE.findall(rdf)]


def _whole(value: float | None) -> bool:
    return value is not None and float(value).is_integer()


def load_ctro_harms() -> list[HarmGold]:
    """ctro gold for :data:`HARM_FIELDS` (see the module docstring)."""
    from miner.evaluate.gold import load_ctro

    texts = {r.id: (r.title, r.abstract) for r in load_ctro()}
    out = []
    for rec in _read(shared_path("ctro-ct-corpus", "ctro_dev.jsonl.gz")):
        pmid = str(rec["pmid"])
        triples = _triples(rec.get("slot_templates_ntriples") or "")
        described = {}
        for ent in rec["entities"]:
            if ent["label"] == "EndPointDescription":
                for s, _p, _o in _triples(ent.get("rdf") or ""):
                    if s.startswith("EndPointDescription_"):
                        described[s] = ent["text"]
        desc = {s: o for s, p, o in triples if p == "hasEndoPointDescription"}
        outcomes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            if s.startswith("Outcome_"):
                outcomes[s][p].append(o)
        gold: dict[str, list[float]] = {f: [] for f in HARM_FIELDS}
        unparsed = {f: 0 for f in HARM_FIELDS}
        harm_outcomes: set[str] = set()
        for node, props in outcomes.items():
            endpoints = props.get("hasEndpoint") or [""]
            cls = desc.get(endpoints[0])
            is_harm = cls in CTRO_HARM_CLASSES or bool(
                cls and cls in described and HARM_WORDS.search(described[cls])
            )
            if not is_harm:
                continue
            harm_outcomes.add(node)
            for lit in props.get("hasNumberAffected", []):
                v = parse_gold_number(detokenise(lit))
                if _whole(v):
                    gold["ae_events"].append(float(v))  # type: ignore[arg-type]
                else:
                    unparsed["ae_events"] += 1
            for lit in props.get("hasPercentageAffected", []):
                v = parse_gold_number(detokenise(lit))
                if v is None:
                    unparsed["ae_percent"] += 1
                else:
                    gold["ae_percent"].append(v)
        ignore: dict[str, list[float]] = {"ae_events": [], "ae_percent": []}
        for ent in rec["entities"]:
            if ent["label"] in ("NumberAffected", "PercentageAffected") and not ent.get("rdf"):
                v = parse_gold_number(detokenise(ent["text"]))
                if v is not None:
                    f = "ae_events" if ent["label"] == "NumberAffected" else "ae_percent"
                    ignore[f].append(v)
            if ent["label"] == "TimePoint" and ent.get("rdf"):
                tp = normalise_timepoint(detokenise(ent["text"]))
                if tp.days is None:
                    unparsed["timepoint"] += 1
                else:
                    gold["timepoint"].append(tp.days)
        title, abstract = texts.get(pmid, ("", detokenise(rec["text_tokenized"])))
        out.append(
            HarmGold(
                "ctro",
                pmid,
                title,
                abstract,
                {k: tuple(v) for k, v in gold.items()},
                {k: tuple(v) for k, v in ignore.items()},
                frozenset({"timepoint"})
                if not gold["timepoint"] and not unparsed["timepoint"]
                else frozenset(),
                unparsed,
            )
        )
    return out


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    bounds = [0, *[m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z(\[])", text)], len(text)]
    return list(itertools.pairwise(bounds))


def load_pico_harms() -> list[HarmGold]:
    """pico gold for ``ae_events`` / ``ae_percent`` (see the module docstring)."""
    fields = {
        "iv-bin-abs": "ae_events",
        "cv-bin-abs": "ae_events",
        "iv-bin-percent": "ae_percent",
        "cv-bin-percent": "ae_percent",
    }
    out = []
    for rec in _read(shared_path("pico-corpus", "pico_dev.jsonl.gz")):
        text = rec["text"]
        sents = _sentence_spans(text)
        harm_sents: set[int] = set()
        for ent in rec["entities"]:
            if ent["label"] == "outcome" and HARM_WORDS.search(ent["text"]):
                harm_sents.update(i for i, (a, b) in enumerate(sents) if a <= ent["start"] < b)
        gold: dict[str, list[float]] = {"ae_events": [], "ae_percent": []}
        unparsed = {"ae_events": 0, "ae_percent": 0}
        for ent in rec["entities"]:
            fname = fields.get(ent["label"])
            if fname is None:
                continue
            i = next((i for i, (a, b) in enumerate(sents) if a <= ent["start"] < b), None)
            if i not in harm_sents:
                continue
            v = parse_gold_number(ent["text"])
            if v is None:
                unparsed[fname] += 1
            else:
                gold[fname].append(v)
        out.append(
            HarmGold(
                "pico",
                str(rec["pmid"]),
                "",
                text,
                {k: tuple(v) for k, v in gold.items()},
                unlabelled=frozenset({"timepoint"}),
                unparsed=unparsed,
            )
        )
    return out


def load_harm_gold(corpora: Sequence[str] = HARM_CORPORA) -> list[HarmGold]:
    """Gold records of the named corpora (:data:`HARM_CORPORA`)."""
    loaders = {"ctro": load_ctro_harms, "pico": load_pico_harms}
    out: list[HarmGold] = []
    for name in corpora:
        if name not in loaders:
            from miner.errors import ConfigError

            raise ConfigError(f"corpus {name!r} has no harms gold; allowed: {', '.join(loaders)}")
        out += loaders[name]()
    return out


# ---------------------------------------------------------------- predictions


def predicted_values(record: Mapping[str, Any]) -> dict[str, list[float]]:
    """The values one ``miner extract`` record predicts for :data:`HARM_FIELDS`."""
    out: dict[str, list[float]] = {f: [] for f in HARM_FIELDS}
    for f in record.get("adverse_events") or ():
        if f.get("status") != "reported":
            continue
        if f.get("events") is not None:
            out["ae_events"].append(float(f["events"]))
        if f.get("percent") is not None:
            out["ae_percent"].append(float(f["percent"]))
    for key in ("effects", "arm_values", "adverse_events"):
        for f in record.get(key) or ():
            tp = normalise_timepoint(f.get("timepoint")) if f.get("timepoint") else None
            if tp is not None and tp.days is not None:
                out["timepoint"].append(tp.days)
    return out


def run_extractor(records: Sequence[HarmGold]) -> dict[str, dict[str, Any]]:
    """Run the extraction pipeline plus ``miner_adverse_event`` over the records.

    The adverse-event component is added when the pipeline does not list it
    yet, and its collector fills ``adverse_events`` when ``collect`` does not.
    """
    from miner.extract.adverse import collect_adverse_events
    from miner.extract.collect import collect
    from miner.extract.pipeline import build_pipeline, component_collectors

    nlp = build_pipeline()
    if "miner_adverse_event" not in nlp.pipe_names:
        nlp.add_pipe("miner_adverse_event")
    collectors = component_collectors()
    texts = (f"{r.title}\n{r.abstract}" for r in records)
    out: dict[str, dict[str, Any]] = {}
    for rec, doc in zip(records, nlp.pipe(texts), strict=True):
        row = collect(doc, record_id=rec.id, collectors=collectors)
        if "adverse_events" not in row:
            row["adverse_events"] = collect_adverse_events(doc)
        out[f"{rec.corpus}:{rec.id}"] = row
    return out


# --------------------------------------------------------------------- scoring


def _distinct(values: Iterable[float], same: Any) -> list[float]:
    out: list[float] = []
    for v in values:
        if not any(same(v, o) for o in out):
            out.append(v)
    return out


def _same_days(a: float, b: float) -> bool:
    return abs(a - b) <= DAYS_TOL


def score_values(
    pred: Iterable[float],
    gold: Iterable[float],
    ignore: Iterable[float] = (),
    *,
    days: bool = False,
) -> Counts:
    """TP/FP/FN of distinct predicted vs gold values of one record and field."""
    same = _same_days if days else (lambda a, b: same_number(a, b))
    g = _distinct(gold, same)
    ign = list(ignore)
    tp = fp = 0
    matched: list[float] = []
    for v in _distinct(pred, same):
        hit = next((x for x in g if same(v, x) and x not in matched), None)
        if hit is not None:
            matched.append(hit)
            tp += 1
        elif not any(same(v, x) for x in ign):
            fp += 1
    return Counts(tp, fp, len(g) - len(matched))


@dataclass(frozen=True, slots=True)
class HarmScore:
    """One corpus x field x split row."""

    corpus: str
    field: str
    split: str
    records: int
    counts: Counts
    unparsed: int


def score_harms(
    records: Sequence[HarmGold],
    predictions: Mapping[str, Mapping[str, Any]],
    *,
    splits: Sequence[str] = ("tune", "check"),
) -> list[HarmScore]:
    """Score predictions (keyed ``"<corpus>:<id>"``) against the harms gold."""
    rows = []
    corpora = list(dict.fromkeys(r.corpus for r in records))
    for corpus in corpora:
        for fname in HARM_FIELDS:
            for split in splits:
                chosen = [
                    r
                    for r in records
                    if r.corpus == corpus
                    and fname not in r.unlabelled
                    and (split == "all" or r.split == split)
                ]
                if not chosen:
                    continue
                total = Counts()
                unparsed = 0
                for r in chosen:
                    pred = predicted_values(predictions.get(f"{r.corpus}:{r.id}") or {})
                    total = total + score_values(
                        pred[fname],
                        r.gold.get(fname, ()),
                        r.ignore.get(fname, ()),
                        days=fname == "timepoint",
                    )
                    unparsed += r.unparsed.get(fname, 0)
                rows.append(HarmScore(corpus, fname, split, len(chosen), total, unparsed))
    return rows


def evaluate_harms(
    corpora: Sequence[str] = HARM_CORPORA,
    *,
    splits: Sequence[str] = ("tune", "check"),
    predictions: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[HarmScore]:
    """Load the harms gold, run the extractor (unless ``predictions`` are given) and score."""
    records = load_harm_gold(corpora)
    preds = predictions if predictions is not None else run_extractor(records)
    return score_harms(records, preds, splits=splits)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def format_harms_table(rows: Sequence[HarmScore]) -> str:
    """A plain-text table: corpus, field, split, records, TP, FP, FN, P, R, F1, unparsed."""
    head = ("corpus", "field", "split", "records", "TP", "FP", "FN", "P", "R", "F1", "unparsed")
    lines = [head]
    for r in rows:
        c = r.counts
        lines.append(
            (
                r.corpus,
                r.field,
                r.split,
                str(r.records),
                str(c.tp),
                str(c.fp),
                str(c.fn),
                _pct(c.precision),
                _pct(c.recall),
                _pct(c.f1),
                str(r.unparsed),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in lines
    )


if __name__ == "__main__":  # pragma: no cover - manual use: python -m miner.evaluate_harms
    print(format_harms_table(evaluate_harms(splits=("tune", "check"))))
