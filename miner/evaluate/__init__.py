"""Accuracy scorer: ``miner extract`` output against the gold of the shared corpora.

Four corpora (see :mod:`miner.evaluate.gold` for how each gold is derived):
pico-corpus (sample size, arm sizes, arm values), ctro-ct-corpus (sample
size, arm sizes, doses, routes, between-group differences, CIs, p-values),
llm-meta-analysis (arm n/events/means/SDs written in the abstract; recall
only) and rct-art (value-to-arm links).

Every corpus is cut into a TUNE half and a CHECK half by a hash of the
document id (:func:`~miner.evaluate.normalize.split_of`): rules are improved
by looking at TUNE errors only; reported figures come from CHECK. Matching
rules (numeric tolerance, unit canonicalisation, what is a true positive, how
a record without gold is scored) are in :mod:`miner.evaluate.normalize` and
:mod:`miner.evaluate.score`.

Typical use::

    from miner.evaluate import evaluate, format_table
    report = evaluate(["pico"], splits=["tune"])          # runs the extractor
    report = evaluate(["all"], predictions="out.jsonl")    # scores a file
    print(format_table(report))
"""

from __future__ import annotations

from miner.evaluate.gold import (
    CORPORA,
    GoldRecord,
    Item,
    load_ade,
    load_corpus,
    load_ctro,
    load_llm,
    load_pico,
    load_rctart,
    select,
)
from miner.evaluate.normalize import (
    canonical_unit,
    parse_ci,
    parse_gold_number,
    parse_p_value,
    same_number,
    split_of,
)
from miner.evaluate.score import (
    FIELDS,
    Counts,
    ErrorExample,
    EvalReport,
    FieldScore,
    FieldSpec,
    evaluate,
    fields_of,
    format_errors,
    format_markdown,
    format_table,
    load_predictions,
    load_records,
    predictions_from_gold,
    run_extractor,
    same_arm,
    score,
    score_record,
)

__all__ = [
    "CORPORA",
    "FIELDS",
    "Counts",
    "ErrorExample",
    "EvalReport",
    "FieldScore",
    "FieldSpec",
    "GoldRecord",
    "Item",
    "canonical_unit",
    "evaluate",
    "fields_of",
    "format_errors",
    "format_markdown",
    "format_table",
    "load_ade",
    "load_corpus",
    "load_ctro",
    "load_llm",
    "load_pico",
    "load_predictions",
    "load_rctart",
    "load_records",
    "parse_ci",
    "parse_gold_number",
    "parse_p_value",
    "predictions_from_gold",
    "run_extractor",
    "same_arm",
    "same_number",
    "score",
    "score_record",
    "select",
    "split_of",
]
