"""``miner eval``: score extraction against the gold of the shared corpora."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from miner.errors import ConfigError

#: How to read the figures; appended to the markdown report.
MATCHING_NOTES = """## How the figures are computed

- Gold comes from the shared corpora, read in place (`miner.evaluate.gold` says how, per corpus):
  pico-corpus dev (674 abstracts), ctro-ct-corpus dev (= official train + validation, 170
  abstracts; official test held out), llm-meta-analysis DEV split (values written in the
  abstract only), rct-art (347 result sentences), ADE-corpus drug-dose relations (213 case-report
  sentences; doses that state an amount with a unit, qualitative doses such as "high-dose" are
  not scored).
- Each corpus is split by `sha1(document id)`: last hex digit even = TUNE, odd = CHECK.
- Values are compared as written (relative tolerance 1e-6): an off-by-one count or a rounded
  mean is a miss. Units are canonicalised (ug for mcg/µg, iu for IU/U, mg/m2, `/`-joined);
  p-value operators fold into `=`, `<` (incl. ≤), `>` (incl. ≥); CIs are compared as sorted
  (low, high) pairs.
- Per record and field, gold and predicted facts are de-duplicated and matched one to one.
  Unmatched predictions are false positives (also in records without gold), except those
  equal to an annotated-but-not-gold mention (e.g. a C-TrO mention filling no template slot),
  which are not counted; `randomized` is one slot per record.
- pico `randomized` is pico's `total-participants`, every total it labels (enrolled,
  randomized, evaluable): the prediction is `sample_size.randomized`, else
  `sample_size.analysed`. ctro's label is the randomized total, so ctro reads `randomized` only.
- llm-meta-analysis gold covers only some outcomes: recall only ("partial").
- rct-art `arm_link`: the predicted arm value must overlap the gold value span and name the
  gold arm (content words contained, or at least half shared; "group"/"arm" and people nouns
  are no content words). rct-art marks arm sizes ("49 children") as values of their arm, so
  `sample_size.arms` (label, n and their span) are read as predicted values beside
  `arm_values`, for `arm_link` and `arm_value_span` alike.
- `arm_n` (all corpora): `sample_size.arms` plus the denominators (`total`, `n`) of arm
  values. pico and ctro label a group's size wherever it is written, including "18/53 in the
  MRI group"; the extractor reports that 53 as the arm value's total, not as a trial arm.
- ctro `p_value`: the p-values of `effects` and of `arm_values`; an effect may be a comparison
  reported by its p-value alone (`measure` and `value` null).
"""


def register(app: typer.Typer) -> None:
    """Add ``eval`` to ``app``."""
    app.command("eval")(eval_command)


def eval_command(
    corpus: str = typer.Option(
        "all", "--corpus", help="pico, ctro, llm, rctart, ade or all (comma-separated allowed)."
    ),
    split: str = typer.Option(
        "both", "--split", help="tune, check, all, or both (tune and check side by side)."
    ),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="JSONL of `miner extract` output (default: run the extractor)."
    ),
    errors: int = typer.Option(
        0, "--errors", help="Print N false positives and N false negatives per field (TUNE half)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    markdown: Path | None = typer.Option(
        None, "--markdown", help="Also write the table as markdown to this file."
    ),
    inputs: Path | None = typer.Option(
        None,
        "--write-inputs",
        help="Write the corpus texts as `miner extract` input JSONL and exit.",
    ),
) -> None:
    """Print precision, recall and F1 per field and corpus (TUNE and CHECK halves)."""
    from miner.evaluate import evaluate, format_errors, format_markdown, format_table
    from miner.evaluate.gold import CORPORA
    from miner.evaluate.score import load_records

    names = [c.strip() for c in corpus.split(",") if c.strip()]
    for name in names:
        if name != "all" and name not in CORPORA:
            raise ConfigError(f"unknown corpus {name!r}; allowed: {', '.join(CORPORA)}, all")
    allowed = {"tune": ["tune"], "check": ["check"], "all": ["all"], "both": ["tune", "check"]}
    if split not in allowed:
        raise ConfigError(f"unknown split {split!r}; allowed: {', '.join(allowed)}")
    if inputs is not None:
        with inputs.open("w", encoding="utf-8") as fh:
            for rec in load_records(names):
                fh.write(json.dumps(rec.as_input(), ensure_ascii=False) + "\n")
        typer.echo(f"wrote {inputs}")
        return
    report = evaluate(names, splits=allowed[split], predictions=predictions)
    if as_json:
        data = report.to_dict()
        if not errors:
            data.pop("errors")
        else:
            data["errors"] = [e for e in data["errors"] if e["split"] == "tune"]
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        typer.echo(f"predictions: {report.source}")
        gone = {k: v for k, v in report.missing.items() if v}
        if gone:
            typer.echo(f"records with no prediction (scored as empty): {gone}")
        failed = {k: v for k, v in report.failed.items() if v}
        if failed:
            typer.echo(f"records the extractor rejected (scored as empty): {failed}")
        typer.echo(format_table(report))
        if errors:
            typer.echo("")
            typer.echo(format_errors(report, per_field=errors, split="tune"))
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        argv = ["miner", "eval", "--corpus", corpus, "--split", split]
        if predictions is not None:
            argv += ["--predictions", str(predictions)]
        argv += ["--markdown", str(markdown)]
        text = format_markdown(report, command=" ".join(argv))
        markdown.write_text(text + "\n" + MATCHING_NOTES, encoding="utf-8")
