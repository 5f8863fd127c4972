"""Scoring predictions against gold: fields, matching, counts and reports.

What counts
-----------
For each record and field the gold items and the predicted items are
de-duplicated on their normalised key (an abstract repeats a dose or a
p-value; the fact counts once), then matched one-to-one, greedily in text
order, with the field's matcher (:mod:`miner.evaluate.normalize` gives the
numeric tolerance and canonical forms):

- a predicted item that matches an unmatched gold item is a true positive;
- a predicted item that matches nothing but an *ignored* mention (annotated
  in the corpus but not gold, e.g. a C-TrO mention that fills no template
  slot) is not counted at all;
- any other predicted item is a false positive -- also in a record with no
  gold for the field (an abstract with no labelled dose scores every
  predicted dose as a false positive), except where the loader marks the
  record *unlabelled* for the field (C-TrO routes), which is then skipped;
- every unmatched gold item is a false negative (an empty prediction scores
  recall 0 and, with nothing predicted, precision undefined).

``randomized`` is a *slot*: one predicted number per record, a true positive
when it equals any labelled total, otherwise a false positive and (if there
is gold) a false negative.

*Partial* fields (llm-meta-analysis) have gold for only some of the values
the text states, so precision and F1 are not reported for them (``None``);
their false positives are still listed for inspection.

A record missing from the predictions is scored as an empty prediction and
counted in :attr:`EvalReport.missing`; a record the extractor rejected (an
``"error"`` object) likewise, counted in :attr:`EvalReport.failed`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from miner.errors import ConfigError, ParseError
from miner.evaluate.gold import CORPORA, GoldRecord, Item, load_corpus
from miner.evaluate.normalize import canonical_p_op, clean_number_text, same_number

Prediction = Mapping[str, Any]
Key = tuple[Any, ...]


# ---------------------------------------------------------------- counts


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP), ``None`` when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN), ``None`` when there is no gold."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0.0 when one of them is 0)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return 0.0 if (p == 0.0 or r == 0.0) else None
        return 2 * p * r / (p + r) if p + r else 0.0


# ------------------------------------------------------------- matchers


def _same_values(pred: Key, gold: Key) -> bool:
    """Element-wise: numbers by :func:`same_number`, anything else by equality."""
    if len(pred) != len(gold):
        return False
    for p, g in zip(pred, gold, strict=True):
        if isinstance(g, float | int) and not isinstance(g, bool):
            if not isinstance(p, float | int) or not same_number(float(p), float(g)):
                return False
        elif p != g:
            return False
    return True


def _same_ci(pred: Key, gold: Key) -> bool:
    """(value, low, high): bounds must match; the value too when gold has one."""
    if gold[0] is not None and not same_number(pred[0], gold[0]):
        return False
    return same_number(pred[1], gold[1]) and same_number(pred[2], gold[2])


def _overlap(a: Key, b: Key) -> bool:
    return a[0] < b[1] and b[0] < a[1]


_ARM_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "with",
        "to",
        "on",
        "for",
        "who",
        "were",
        "was",
        "group",
        "groups",
        "arm",
        "arms",
        "patients",
        "patient",
        "subjects",
        "subject",
        "participants",
        "treated",
        "treatment",
        "receiving",
        "received",
        "those",
        "children",
        "women",
        "men",
        "cohort",
        "recipients",
        "recipient",
    }
)
#: Words that say a label is a group without naming it: ignored also when a
#: label has no content word ("treatment" ~ "treatment group").
_GROUP_WORDS = frozenset({"group", "groups", "arm", "arms"})
_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_ARTICLES = frozenset({"the", "a", "an"})


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _letter(word: str) -> bool:
    # "A" in "group A" / "arm B" names the arm; lowercase "a" is the article.
    return len(word) == 1 and word.isupper()


def arm_tokens(text: str) -> frozenset[str]:
    """Content words of an arm label (lowercase, without "group", "patients", ...).

    A single uppercase letter ("group A", "arm B") is kept as a content word
    although its lowercase form is a stop word.
    """
    return frozenset(w.lower() for w in _words(text) if _letter(w) or w.lower() not in _ARM_STOP)


def _label_words(text: str) -> frozenset[str]:
    """Words of a label, lowercase, without articles and "group"/"arm" (the fallback)."""
    return frozenset(
        w.lower()
        for w in _words(text)
        if _letter(w) or (w.lower() not in _ARTICLES and w.lower() not in _GROUP_WORDS)
    )


def same_arm(pred: str, gold: str) -> bool:
    """True when a predicted arm label names the gold arm.

    The labels match when the content words of one are contained in the
    other's, or at least half of all their content words are shared
    ("risperidone" ~ "risperidone-treated subjects"; "placebo" ~ "placebo
    group"; "group A" ~ "A"; but "insulin glargine" !~ "NPH insulin",
    "arm A" !~ "arm B"). A label made only of generic words ("treatment
    group", "control group") has no content words; it then matches only a
    label with the same words (articles and "group"/"arm" aside: "treatment"
    ~ "treatment group"), never every label or none. A generic word alone
    names no arm: "recipients" !~ "warfarin recipients".
    """
    p, g = arm_tokens(pred), arm_tokens(gold)
    if not p or not g:
        pw, gw = _label_words(pred), _label_words(gold)
        return bool(pw) and pw == gw
    return p <= g or g <= p or len(p & g) * 2 >= len(p | g)


def _same_link(pred: Key, gold: Key) -> bool:
    return _overlap(pred, gold) and same_arm(str(pred[2]), str(gold[2]))


# ---------------------------------------------------- predicted items


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(clean_number_text(str(v)).replace(",", ""))
    except ValueError:
        return None


def _items(rows: Iterable[tuple[Key, Mapping[str, Any]]]) -> list[Item]:
    out = []
    for key, fact in rows:
        if any(k is None for k in key[:1]):
            continue
        out.append(Item(key, str(fact.get("text") or ""), str(fact.get("sentence") or "")))
    return out


def _list(pred: Prediction, name: str) -> list[Mapping[str, Any]]:
    value = pred.get(name) or []
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _sample_size(pred: Prediction) -> Mapping[str, Any]:
    ss = pred.get("sample_size")
    return ss if isinstance(ss, Mapping) else {}


def _evidence(ss: Mapping[str, Any]) -> Mapping[str, Any]:
    ev = ss.get("evidence")
    if isinstance(ev, list) and ev and isinstance(ev[0], Mapping):
        return ev[0]
    return {}


def pred_randomized(pred: Prediction) -> list[Item]:
    """``sample_size.randomized``."""
    ss = _sample_size(pred)
    return _items([((_num(ss.get("randomized")),), _evidence(ss))])


def pred_total(pred: Prediction) -> list[Item]:
    """``sample_size.randomized``, else ``sample_size.analysed``: the total the text states.

    pico labels ``total-participants``, every total it sees (enrolled,
    randomized, evaluable), while the contract splits a total into
    randomized and analysed. A record with no randomized count but an
    analysed one ("3,653 patients were assessable") states that total.
    ctro labels the randomized total only and keeps :func:`pred_randomized`.
    """
    ss = _sample_size(pred)
    value = ss.get("randomized")
    if value is None:
        value = ss.get("analysed")
    return _items([((_num(value),), _evidence(ss))])


def pred_is_rct(pred: Prediction) -> list[Item]:
    """``design.is_rct`` when true (a record predicted not randomized has no item)."""
    design = pred.get("design")
    if not isinstance(design, Mapping) or design.get("is_rct") is not True:
        return []
    why = [e for e in design.get("evidence") or () if isinstance(e, Mapping)]
    first = why[0] if why else {}
    return [Item((True,), str(first.get("text", "")), str(first.get("sentence", "")))]


def pred_arm_sizes(pred: Prediction) -> list[Item]:
    """``sample_size.arms[].n``."""
    return _items(((_num(a.get("n")),), a) for a in _list(_sample_size(pred), "arms"))


def pred_group_sizes(pred: Prediction) -> list[Item]:
    """Arm sizes plus the ``n``/``total`` of arm values.

    The corpora label a group's size wherever the text states it, also as the
    denominator of an arm's events ("18/53 in the MRI group"); the contract
    reports that number as the arm value's ``total``, not as a trial arm.
    """
    out = pred_arm_sizes(pred)
    for av in _list(pred, "arm_values"):
        for name in ("n", "total"):
            out += _items([((_num(av.get(name)),), av)])
    return out


def pred_events(pred: Prediction) -> list[Item]:
    """``arm_values[].events``."""
    return _items(((_num(av.get("events")),), av) for av in _list(pred, "arm_values"))


#: Arm-value kinds read as percentages.
PERCENT_KINDS = frozenset({"percent", "percentage", "proportion", "n_percent", "events_percent"})


def pred_percent(pred: Prediction) -> list[Item]:
    """Arm values of a percentage kind (or with an explicit ``percent``)."""
    rows = []
    for av in _list(pred, "arm_values"):
        if av.get("percent") is not None:
            rows.append(((_num(av.get("percent")),), av))
        elif str(av.get("kind") or "").lower() in PERCENT_KINDS:
            rows.append(((_num(av.get("value")),), av))
    return _items(rows)


def _kind_values(kind: str) -> Callable[[Prediction], list[Item]]:
    def get(pred: Prediction) -> list[Item]:
        return _items(
            ((_num(av.get("value")),), av)
            for av in _list(pred, "arm_values")
            if str(av.get("kind") or "").lower() == kind
        )

    get.__doc__ = f"Arm values of kind {kind!r}."
    return get


def pred_sd(pred: Prediction) -> list[Item]:
    """``arm_values[].sd``."""
    return _items(((_num(av.get("sd")),), av) for av in _list(pred, "arm_values"))


def pred_doses(pred: Prediction) -> list[Item]:
    """(value, value_max, unit) of ``doses[]``."""
    return _items(
        ((_num(d.get("value")), _num(d.get("value_max")), d.get("unit")), d)
        for d in _list(pred, "doses")
    )


def pred_routes(pred: Prediction) -> list[Item]:
    """``routes[].route`` and the ``route`` of doses."""
    rows = [((r.get("route"),), r) for r in _list(pred, "routes")]
    rows += [((d.get("route"),), d) for d in _list(pred, "doses") if d.get("route")]
    return _items(rows)


def pred_effects(pred: Prediction) -> list[Item]:
    """``effects[].value``."""
    return _items(((_num(e.get("value")),), e) for e in _list(pred, "effects"))


def pred_effect_cis(pred: Prediction) -> list[Item]:
    """(value, low, high) of effects that have both CI bounds (bounds sorted)."""
    rows = []
    for e in _list(pred, "effects"):
        lo, hi = _num(e.get("ci_low")), _num(e.get("ci_high"))
        if lo is None or hi is None:
            continue
        rows.append(((_num(e.get("value")), min(lo, hi), max(lo, hi)), e))
    return [Item(k, str(f.get("text") or ""), str(f.get("sentence") or "")) for k, f in rows]


def pred_p_values(pred: Prediction) -> list[Item]:
    """(operator family, p) of effects and of arm values with a p-value.

    An arm-vs-arm comparison ("26.5 vs 35.5%, P = 0.0136") carries its p on
    ``arm_values[]``; an effect may repeat it. Both are read and the scorer
    de-duplicates equal keys per record, so one p-value counts once.
    """
    rows = []
    for e in [*_list(pred, "effects"), *_list(pred, "arm_values")]:
        p = _num(e.get("p"))
        if p is not None:
            rows.append(((canonical_p_op(e.get("p_op")), p), e))
    return [Item(k, str(f.get("text") or ""), str(f.get("sentence") or "")) for k, f in rows]


def _span(fact: Mapping[str, Any]) -> tuple[int, int] | None:
    s, e = fact.get("start"), fact.get("end")
    if isinstance(s, int) and isinstance(e, int) and e > s:
        return s, e
    return None


def _arm_facts(pred: Prediction) -> list[tuple[Mapping[str, Any], str | None]]:
    """Every per-arm number with its arm label: ``arm_values[]`` and ``sample_size.arms[]``.

    rct-art marks arm sizes ("49 children" -> risperidone) as values of their
    arm like any outcome value; the contract reports them in
    ``sample_size.arms`` (label, n and the span of both), so both lists are read.
    """
    out: list[tuple[Mapping[str, Any], str | None]] = [
        (av, av.get("arm")) for av in _list(pred, "arm_values")
    ]
    arms = _sample_size(pred).get("arms")
    if isinstance(arms, list):
        out += [(a, a.get("label")) for a in arms if isinstance(a, Mapping)]
    return out


def pred_arm_links(pred: Prediction) -> list[Item]:
    """(start, end, arm) of arm values and arm sizes tied to an arm."""
    rows = []
    for fact, arm in _arm_facts(pred):
        span = _span(fact)
        if span and arm:
            rows.append(((span[0], span[1], str(arm)), fact))
    return _items(rows)


def pred_value_spans(pred: Prediction) -> list[Item]:
    """(start, end) of every arm value and arm size."""
    return _items(((*s,), fact) for fact, _arm in _arm_facts(pred) if (s := _span(fact)))


# ---------------------------------------------------------------- fields


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one field of one corpus is scored."""

    corpus: str
    name: str
    predicted: Callable[[Prediction], list[Item]]
    match: Callable[[Key, Key], bool] = _same_values
    slot: bool = False
    partial: bool = False
    description: str = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "pico",
        "randomized",
        pred_total,
        slot=True,
        description="total participants (randomized, else analysed)",
    ),
    FieldSpec("pico", "arm_n", pred_group_sizes, description="per-arm sizes and denominators"),
    FieldSpec("pico", "arm_events", pred_events, description="events per arm"),
    FieldSpec("pico", "arm_percent", pred_percent, description="percent per arm"),
    FieldSpec("pico", "arm_mean", _kind_values("mean"), description="mean per arm"),
    FieldSpec("pico", "arm_sd", pred_sd, description="SD per arm"),
    FieldSpec("pico", "arm_median", _kind_values("median"), description="median per arm"),
    FieldSpec("ctro", "randomized", pred_randomized, slot=True, description="total randomized"),
    FieldSpec("ctro", "arm_n", pred_group_sizes, description="per-arm sizes and denominators"),
    FieldSpec("ctro", "dose", pred_doses, description="dose value + range + unit"),
    FieldSpec("ctro", "route", pred_routes, description="routes"),
    FieldSpec("ctro", "effect", pred_effects, description="between-group difference"),
    FieldSpec("ctro", "effect_ci", pred_effect_cis, _same_ci, description="difference + CI"),
    FieldSpec("ctro", "p_value", pred_p_values, description="p-value of a difference"),
    FieldSpec("llm", "arm_n", pred_group_sizes, partial=True, description="group sizes"),
    FieldSpec("llm", "arm_events", pred_events, partial=True, description="events"),
    FieldSpec("llm", "arm_mean", _kind_values("mean"), partial=True, description="means"),
    FieldSpec("llm", "arm_sd", pred_sd, partial=True, description="SDs"),
    FieldSpec("rctart", "arm_link", pred_arm_links, _same_link, description="value -> arm"),
    FieldSpec("rctart", "arm_value_span", pred_value_spans, _overlap, description="value spans"),
    FieldSpec("ade", "dose", pred_doses, description="dose value + range + unit"),
    FieldSpec("design", "is_rct", pred_is_rct, slot=True, description="randomized trial or not"),
)


def fields_of(corpus: str) -> tuple[FieldSpec, ...]:
    """The scored fields of one corpus."""
    return tuple(f for f in FIELDS if f.corpus == corpus)


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class ErrorExample:
    """A false positive or false negative, for rule work."""

    corpus: str
    field: str
    kind: str  # "FP" or "FN"
    record: str
    split: str
    gold: str
    predicted: str
    sentence: str


def _dedup(items: Sequence[Item]) -> list[Item]:
    seen: dict[Key, Item] = {}
    for it in items:
        seen.setdefault(it.key, it)
    return list(seen.values())


def _fmt_key(key: Key) -> str:
    return ", ".join(
        "-" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in key
    )


def score_record(
    spec: FieldSpec, record: GoldRecord, pred: Prediction | None
) -> tuple[Counts, list[ErrorExample]]:
    """Score one field of one record; returns counts and its errors."""
    if spec.name in record.unlabelled:
        return Counts(), []
    gold = _dedup(record.gold.get(spec.name, ()))
    ignore = record.ignore.get(spec.name, ())
    predicted = _dedup(spec.predicted(pred)) if pred else []
    if spec.slot:
        predicted = predicted[:1]
    errors: list[ErrorExample] = []
    gold_txt = "; ".join(f"{_fmt_key(g.key)} [{g.text}]" for g in gold) or "(none)"
    pred_txt = "; ".join(_fmt_key(p.key) for p in predicted) or "(none)"

    def err(kind: str, sentence: str) -> ErrorExample:
        return ErrorExample(
            record.corpus, spec.name, kind, record.id, record.split, gold_txt, pred_txt, sentence
        )

    matched = [False] * len(gold)
    # Exact keys pair first, so that a loose matcher cannot steal another
    # prediction's gold item.
    exact = {p.key for p in predicted}
    for i, g in enumerate(gold):
        if g.key in exact:
            matched[i] = True
    tp = fp = 0
    for p in predicted:
        hit = next((i for i, g in enumerate(gold) if g.key == p.key), None)
        if hit is None:
            hit = next(
                (i for i, g in enumerate(gold) if not matched[i] and spec.match(p.key, g.key)),
                None,
            )
        if hit is not None:
            matched[hit] = True
            tp += 1
        elif spec.slot and any(spec.match(p.key, g.key) for g in gold):
            tp += 1
        elif any(spec.match(p.key, g.key) for g in ignore):
            continue
        else:
            fp += 1
            errors.append(err("FP", p.sentence or p.text))
    if spec.slot:
        fn = 0 if tp or not gold else 1
        if fn:
            errors.append(err("FN", gold[0].sentence))
    else:
        missed = [g for g, m in zip(gold, matched, strict=True) if not m]
        fn = len(missed)
        errors += [err("FN", g.sentence) for g in missed]
    return Counts(tp, fp, fn), errors


@dataclass(frozen=True, slots=True)
class FieldScore:
    """Counts of one field of one corpus on one half."""

    corpus: str
    field: str
    split: str
    counts: Counts
    records: int
    partial: bool = False

    @property
    def precision(self) -> float | None:
        """Precision (``None`` for partial fields or when nothing was predicted)."""
        return None if self.partial else self.counts.precision

    @property
    def recall(self) -> float | None:
        """Recall (``None`` when there is no gold)."""
        return self.counts.recall

    @property
    def f1(self) -> float | None:
        """F1 (``None`` for partial fields)."""
        return None if self.partial else self.counts.f1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the derived figures."""
        d = asdict(self)
        d.update(precision=self.precision, recall=self.recall, f1=self.f1)
        return d


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Scores per (corpus, field, split), the errors, and bookkeeping."""

    scores: tuple[FieldScore, ...]
    errors: tuple[ErrorExample, ...] = ()
    missing: Mapping[str, int] = field(default_factory=dict)
    source: str = ""
    failed: Mapping[str, int] = field(default_factory=dict)
    version: str = ""

    def score(self, corpus: str, field_name: str, split: str) -> FieldScore:
        """The score of one field (raises ``KeyError`` when absent)."""
        for s in self.scores:
            if (s.corpus, s.field, s.split) == (corpus, field_name, split):
                return s
        raise KeyError((corpus, field_name, split))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (scores and bookkeeping; errors as dicts)."""
        return {
            "source": self.source,
            "missing": dict(self.missing),
            "failed": dict(self.failed),
            "version": self.version,
            "scores": [s.to_dict() for s in self.scores],
            "errors": [asdict(e) for e in self.errors],
        }


def score(
    records: Sequence[GoldRecord],
    predictions: Mapping[str, Prediction],
    *,
    splits: Sequence[str] = ("tune", "check"),
    source: str = "",
) -> EvalReport:
    """Score predictions (``{record id: contract dict}``) on records.

    Parameters
    ----------
    records:
        Gold records, possibly of several corpora.
    predictions:
        ``miner extract`` output keyed by record id; absent ids score as
        empty predictions.
    splits:
        Halves to report, each of ``tune``, ``check``, ``all``.
    source:
        What produced the predictions (shown in reports).

    Returns
    -------
    EvalReport
        One :class:`FieldScore` per corpus, field and split; errors of every
        half (filter on ``ErrorExample.split``).
    """
    for sp in splits:
        if sp not in ("tune", "check", "all"):
            raise ConfigError(f"unknown split {sp!r}; allowed: tune, check, all")
    corpora = list(dict.fromkeys(r.corpus for r in records))
    scores: list[FieldScore] = []
    errors: list[ErrorExample] = []
    missing: dict[str, int] = {}
    failed: dict[str, int] = {}
    for corpus in corpora:
        recs = [r for r in records if r.corpus == corpus]
        missing[corpus] = sum(1 for r in recs if r.id not in predictions)
        failed[corpus] = sum(1 for r in recs if (predictions.get(r.id) or {}).get("error"))
        per_record: dict[tuple[str, str], tuple[Counts, list[ErrorExample]]] = {}
        for spec in fields_of(corpus):
            for r in recs:
                per_record[(spec.name, r.id)] = score_record(spec, r, predictions.get(r.id))
                errors += per_record[(spec.name, r.id)][1]
        for sp in splits:
            chosen = [r for r in recs if sp == "all" or r.split == sp]
            for spec in fields_of(corpus):
                total = Counts()
                for r in chosen:
                    total = total + per_record[(spec.name, r.id)][0]
                scores.append(FieldScore(corpus, spec.name, sp, total, len(chosen), spec.partial))
    versions = {
        str(p.get("extractor_version")) for p in predictions.values() if p.get("extractor_version")
    }
    version = ", ".join(sorted(versions))
    return EvalReport(tuple(scores), tuple(errors), missing, source, failed, version)


# ------------------------------------------------------- predictions I/O


def load_predictions(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read ``miner extract`` JSONL output into ``{id: record}``.

    Raises
    ------
    ParseError
        For a malformed line (names the file and line number).
    """
    out: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(f"not JSON: {exc}", source=str(path), record=lineno) from None
            rid = obj.get("id", obj.get("pmid")) if isinstance(obj, dict) else None
            if rid is None:
                raise ParseError("no 'id' field", source=str(path), record=lineno)
            out[str(rid)] = obj
    return out


def run_extractor(records: Sequence[GoldRecord]) -> dict[str, dict[str, Any]]:
    """Run :class:`miner.extract.Extractor` over the records' texts.

    Raises
    ------
    ConfigError
        When the extractor is not importable (use ``--predictions`` instead).
    """
    try:
        from miner.extract import Extractor
    except ImportError as exc:
        raise ConfigError(
            f"miner.extract.Extractor is not available ({exc}); "
            "score a JSONL file of `miner extract` output with --predictions"
        ) from None
    extractor = Extractor()
    out: dict[str, dict[str, Any]] = {}
    for rec in extractor.extract_many((r.id, r.title, r.abstract) for r in records):
        rid = rec.get("id", rec.get("pmid"))
        if rid is not None:
            out[str(rid)] = rec
    return out


def load_records(corpora: Sequence[str]) -> list[GoldRecord]:
    """Gold records of several corpora (``"all"`` expands to :data:`CORPORA`)."""
    names: list[str] = []
    for c in corpora:
        names += list(CORPORA) if c == "all" else [c]
    records: list[GoldRecord] = []
    for name in dict.fromkeys(names):
        records += load_corpus(name)
    return records


def evaluate(
    corpora: Sequence[str] = ("all",),
    *,
    splits: Sequence[str] = ("tune", "check"),
    predictions: str | Path | Mapping[str, Prediction] | None = None,
) -> EvalReport:
    """Load gold, get predictions (run the extractor or read a file) and score.

    Parameters
    ----------
    corpora:
        Names from :data:`CORPORA`, or ``"all"``.
    splits:
        Halves to report.
    predictions:
        ``None`` runs the extractor; a path reads ``miner extract`` JSONL; a
        mapping is used as is.
    """
    records = load_records(corpora)
    if predictions is None:
        preds: Mapping[str, Prediction] = run_extractor(records)
        source = "miner.extract.Extractor"
    elif isinstance(predictions, str | Path):
        preds, source = load_predictions(predictions), str(predictions)
    else:
        preds, source = predictions, "in-memory predictions"
    return score(records, preds, splits=splits, source=source)


# -------------------------------------------------------------- formatting


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


HEADER = ("corpus", "field", "split", "records", "TP", "FP", "FN", "P", "R", "F1")


def table_rows(report: EvalReport) -> list[tuple[str, ...]]:
    """One row of strings per score, in :data:`HEADER` order."""
    return [
        (
            s.corpus,
            s.field + (" (partial)" if s.partial else ""),
            s.split,
            str(s.records),
            str(s.counts.tp),
            str(s.counts.fp),
            str(s.counts.fn),
            _pct(s.precision),
            _pct(s.recall),
            _pct(s.f1),
        )
        for s in report.scores
    ]


def format_table(report: EvalReport) -> str:
    """A plain-text table of the report."""
    rows = [HEADER, *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_TARGETS = {
    "randomized": 0.90,
    "arm_n": 0.90,
    "dose": 0.90,
    "route": 0.90,
    "effect": 0.85,
    "effect_ci": 0.85,
    "p_value": 0.85,
}


def format_markdown(
    report: EvalReport, *, title: str = "Extraction accuracy", command: str = ""
) -> str:
    """Markdown for the README: one table per half, CHECK first.

    The CHECK half is the figure to quote (rules were tuned on TUNE only).
    A "target" column gives the issue's F1 target where there is one
    (0.90 sample size/doses/routes, 0.85 effects, 0.80 arm values).
    """
    out = [f"# {title}", ""]
    if command:
        out += ["Reproduce with:", "", "```", command, "```", ""]
    out += [f"Predictions: {report.source}."]
    if report.version:
        out += [f"Extractor version: `{report.version}`."]
    failed = {k: v for k, v in report.failed.items() if v}
    if failed:
        out += [f"Records the extractor rejected (scored as empty): {failed}."]
    out.append("")
    header = ("corpus", "field", "records", "TP", "FP", "FN", "P", "R", "F1", "target")
    splits = sorted({s.split for s in report.scores}, key=lambda x: {"check": 0}.get(x, 1))
    for sp in splits:
        label = {
            "check": "CHECK half (held out from rule work; the figures to quote)",
            "tune": "TUNE half (rules were developed looking at these errors)",
            "all": "both halves",
        }[sp]
        out += [f"## {label}", ""]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        for row, sc in zip(table_rows(report), report.scores, strict=True):
            if sc.split != sp:
                continue
            target = _TARGETS.get(sc.field, 0.80 if sc.field.startswith("arm_") else None)
            cells = (*row[:2], *row[3:], "—" if target is None or sc.partial else f"{target:.2f}")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def format_errors(
    report: EvalReport, *, per_field: int, split: str = "tune", width: int = 300
) -> str:
    """Up to ``per_field`` false positives and false negatives per field."""
    chosen: dict[tuple[str, str, str], list[ErrorExample]] = {}
    for e in report.errors:
        if split != "all" and e.split != split:
            continue
        bucket = chosen.setdefault((e.corpus, e.field, e.kind), [])
        if len(bucket) < per_field:
            bucket.append(e)
    out: list[str] = []
    for (corpus, fname, kind), errs in chosen.items():
        out.append(f"== {corpus} {fname} {kind}")
        for e in errs:
            out.append(f"  [{e.record}] gold: {e.gold[:width]}")
            out.append(f"      predicted: {e.predicted[:width]}")
            out.append(f"      sentence: {e.sentence[:width]}")
    return "\n".join(out)


# ------------------------------------------------------------- the oracle


def predictions_from_gold(records: Iterable[GoldRecord]) -> dict[str, dict[str, Any]]:
    """Contract dicts that state exactly the gold (a perfect extractor).

    Used to check the scorer itself: scoring these must give precision and
    recall 1.0 on every field.
    """
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        g = {k: [it.key for it in v] for k, v in r.gold.items()}
        arm_values: list[dict[str, Any]] = []
        arm_values += [{"kind": "events", "events": k[0]} for k in g.get("arm_events", [])]
        arm_values += [{"kind": "percent", "value": k[0]} for k in g.get("arm_percent", [])]
        arm_values += [{"kind": "mean", "value": k[0]} for k in g.get("arm_mean", [])]
        arm_values += [{"kind": "mean", "value": None, "sd": k[0]} for k in g.get("arm_sd", [])]
        arm_values += [{"kind": "median", "value": k[0]} for k in g.get("arm_median", [])]
        arm_values += [{"start": k[0], "end": k[1], "arm": k[2]} for k in g.get("arm_link", [])]
        arm_values += [
            {"start": k[0], "end": k[1], "arm": None} for k in g.get("arm_value_span", [])
        ]
        effects: list[dict[str, Any]] = [{"value": k[0]} for k in g.get("effect", [])]
        effects += [
            {"value": k[0], "ci_low": k[1], "ci_high": k[2]} for k in g.get("effect_ci", [])
        ]
        effects += [{"value": None, "p_op": k[0], "p": k[1]} for k in g.get("p_value", [])]
        randomized = g.get("randomized") or [(None,)]
        out[r.id] = {
            "id": r.id,
            "design": {"is_rct": bool(g.get("is_rct"))},
            "sample_size": {
                "randomized": randomized[0][0],
                "arms": [{"label": "", "n": k[0]} for k in g.get("arm_n", [])],
            },
            "doses": [{"value": k[0], "value_max": k[1], "unit": k[2]} for k in g.get("dose", [])],
            "routes": [{"route": k[0]} for k in g.get("route", [])],
            "effects": effects,
            "arm_values": arm_values,
        }
    return out
