"""``miner export <what>``: stored records as JSONL, CSV or Parquet.

``export`` is a command group; each subcommand is one function that yields
row dicts and hands them to :func:`write_rows`, which streams them in the
chosen format. To add ``miner export studies``::

    @export_app.command("studies")
    def studies(ctx: typer.Context, fmt: str = FORMAT, output: Path | None = OUTPUT) -> None:
        with open_store(ctx) as store:
            write_rows((s.to_dict() for s in ...), fmt=fmt, output=output)

Nested values (lists, dicts) stay nested in JSONL and Parquet and are written
as JSON text in CSV cells.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from miner.errors import ConfigError
from miner.records import Article
from miner.report import finite_or_none
from miner.store import Store

__all__ = ["FORMATS", "article_row", "export_app", "open_store", "register", "write_rows"]

#: Output formats every export subcommand accepts.
FORMATS = ("jsonl", "csv", "parquet")

export_app = typer.Typer(
    name="export",
    help="Export stored records (articles; later studies, extractions, pooled results).",
    no_args_is_help=True,
)

FORMAT = typer.Option("jsonl", "--format", "-f", help="One of: jsonl, csv, parquet.")
OUTPUT = typer.Option(
    None, "--output", "-o", help="Output file (default stdout; parquet needs a file)."
)


def register(app: typer.Typer) -> None:
    """Add the ``export`` group to ``app``."""
    app.add_typer(export_app, name="export")


@contextmanager
def open_store(ctx: typer.Context) -> Iterator[Store]:
    """The store named by the global ``--db`` option."""
    from miner.cli import state

    with Store.open(state(ctx).db_url) as store:
        yield store


def _check_format(fmt: str, output: Path | None, allowed: tuple[str, ...] = FORMATS) -> str:
    fmt = fmt.strip().lower()
    if fmt not in allowed:
        raise ConfigError(f"unknown format {fmt!r}: expected one of {', '.join(allowed)}")
    if fmt == "parquet" and output is None:
        raise ConfigError("--format parquet writes binary: give --output FILE")
    return fmt


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_rows(
    rows: Iterable[dict[str, Any]],
    *,
    fmt: str,
    output: Path | None,
    columns: list[str] | None = None,
    chunk_rows: int = 5_000,
    schema: Any | None = None,
) -> int:
    """Stream ``rows`` to ``output`` (or stdout) as JSONL, CSV or Parquet; return the count.

    Parameters
    ----------
    rows:
        Dicts with the same keys; ``columns`` (default the first row's keys)
        fixes the column order for CSV and Parquet.
    fmt:
        ``jsonl``, ``csv`` or ``parquet``.
    output:
        File to write; ``None`` means stdout (not for parquet).
    chunk_rows:
        Rows per Parquet row group, so memory stays bounded.
    schema:
        A ``pyarrow.Schema`` for Parquet; default inferred from the first
        rows (give one when a column can be all-null early on).
    """
    fmt = _check_format(fmt, output)
    if fmt == "parquet":
        assert output is not None
        return _write_parquet(rows, output, columns, chunk_rows, schema)
    handle: io.TextIOBase | Any
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    n = 0
    try:
        if fmt == "jsonl":
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        else:
            writer: csv.DictWriter[str] | None = None
            for row in rows:
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=columns or list(row))
                    writer.writeheader()
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})
                n += 1
            if writer is None and columns:
                csv.DictWriter(handle, fieldnames=columns).writeheader()
    finally:
        if output:
            handle.close()
        else:
            handle.flush()
    return n


def _write_parquet(
    rows: Iterable[dict[str, Any]],
    output: Path,
    columns: list[str] | None,
    chunk_rows: int,
    schema: Any | None,
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    chunk: list[dict[str, Any]] = []
    n = 0

    def flush() -> None:
        nonlocal writer, schema
        if not chunk:
            return
        table = pa.Table.from_pylist(chunk, schema=schema)
        if columns and schema is None:
            table = table.select(columns)
        if writer is None:
            schema = table.schema
            writer = pq.ParquetWriter(output, schema)
        writer.write_table(table)
        chunk.clear()

    try:
        for row in rows:
            chunk.append(row)
            n += 1
            if len(chunk) >= chunk_rows:
                flush()
        flush()
    finally:
        if writer is not None:
            writer.close()
    if writer is None:  # nothing stored: still write a valid, empty file
        if schema is None:
            schema = pa.schema([pa.field(c, pa.string()) for c in (columns or [])])
        pq.write_table(schema.empty_table(), output)
    return n


#: Columns of ``miner export articles``, in order.
ARTICLE_COLUMNS = [
    "pmid",
    "title",
    "abstract",
    "sections",
    "publication_types",
    "mesh",
    "journal",
    "year",
    "doi",
    "pmcid",
    "language",
    "version",
    "text_hash",
]


def article_schema() -> Any:
    """The Parquet schema of :data:`ARTICLE_COLUMNS`."""
    import pyarrow as pa

    section = pa.struct([("label", pa.string()), ("category", pa.string()), ("text", pa.string())])
    return pa.schema(
        [
            ("pmid", pa.string()),
            ("title", pa.string()),
            ("abstract", pa.string()),
            ("sections", pa.list_(section)),
            ("publication_types", pa.list_(pa.string())),
            ("mesh", pa.list_(pa.string())),
            ("journal", pa.string()),
            ("year", pa.int32()),
            ("doi", pa.string()),
            ("pmcid", pa.string()),
            ("language", pa.string()),
            ("version", pa.int32()),
            ("text_hash", pa.string()),
        ]
    )


def article_row(article: Article) -> dict[str, Any]:
    """One export row: ``abstract`` joins the sections with ``LABEL: `` prefixes."""
    return {
        "pmid": article.pmid,
        "title": article.title,
        "abstract": article.abstract,
        "sections": [
            {"label": s.label, "category": s.category, "text": s.text} for s in article.sections
        ],
        "publication_types": list(article.publication_types),
        "mesh": list(article.mesh_terms),
        "journal": article.journal,
        "year": article.year,
        "doi": article.doi,
        "pmcid": article.pmcid,
        "language": article.language,
        "version": article.version,
        "text_hash": article.text_hash,
    }


@export_app.command("articles")
def articles(
    ctx: typer.Context,
    fmt: str = FORMAT,
    output: Path | None = OUTPUT,
) -> None:
    """Every live article, one record each (pmid, title, abstract, sections, MeSH ...)."""
    _check_format(fmt, output)
    with open_store(ctx) as store:
        n = write_rows(
            (article_row(a) for a in store.iter_articles()),
            fmt=fmt,
            output=output,
            columns=ARTICLE_COLUMNS,
            schema=article_schema() if fmt.strip().lower() == "parquet" else None,
        )
    _report(n, fmt, output)


# ----------------------------------------------------------------------------- the living dataset
#
# ``studies``, ``extractions`` and ``pooled`` export what a saved search's dataset
# version holds, in shapes R's metafor takes as they are (``yi``/``vi``/``measure``
# per study; ``estimate``/``ci_lb``/``ci_ub``/``tau2``/``I2`` per pool), with a data
# dictionary (column, type, meaning) written beside the file.

#: Formats of the dataset exports (``json`` is one JSON array).
DATASET_FORMATS = ("csv", "json", "jsonl", "parquet")

DATASET_FORMAT = typer.Option("csv", "--format", "-f", help="One of: csv, json, jsonl, parquet.")
SEARCH_OPT = typer.Option(
    None, "--search", "-s", help="Saved search (default: every search with a dataset version)."
)
VERSION_OPT = typer.Option(
    None, "--dataset-version", min=1, help="Dataset version (default: newest; needs --search)."
)
DICTIONARY_OPT = typer.Option(
    None,
    "--dictionary",
    help="Data dictionary file (default: <output stem>.dictionary.csv beside --output).",
)

Column = tuple[str, str, str]  # name, type (string|int|float|bool|list), meaning

_SOURCE_COLUMNS: list[Column] = [
    ("search", "string", "Saved search name"),
    ("version", "int", "Dataset version of the search the row belongs to"),
]

#: ``miner export studies``: one row per study x outcome x time window (metafor escalc shape).
STUDY_COLUMNS: list[Column] = [
    *_SOURCE_COLUMNS,
    ("pmid", "string", "PubMed id (synthetic demo ids are not digits-only)"),
    ("synthetic", "bool", "True when pmid is a synthetic demo id, not a PubMed record"),
    ("study", "string", "Label 'pmid (year)' for plots (metafor slab)"),
    ("year", "int", "Publication year"),
    ("title", "string", "Article title"),
    ("outcome", "string", "Outcome name from the saved search"),
    ("timepoint", "string", "Time-point window label from the saved search"),
    ("measure", "string", "Effect measure: MD, SMD, RR, OR, RD, HR (metafor measure)"),
    ("yi", "float", "Effect size, intervention minus/over comparator; log scale for RR/OR/HR"),
    ("vi", "float", "Sampling variance of yi"),
    ("sei", "float", "Standard error of yi (sqrt(vi))"),
    ("ci_lb", "float", "Lower 95% confidence limit of yi (normal, analysis scale)"),
    ("ci_ub", "float", "Upper 95% confidence limit of yi (normal, analysis scale)"),
    ("ni", "int", "Participants: effect n_total, else randomised count extracted"),
    ("route", "string", "Route of the intervention (subgroup); 'mixed' or 'not reported'"),
    ("dose_band", "string", "Dose band of the intervention (subgroup) from the saved search"),
    ("source", "string", "How yi was made: reported estimate with CI, arm summaries, correction"),
    ("assumptions", "list", "Assumptions made converting the reported numbers"),
    ("evidence_text", "string", "The exact text the value came from"),
    ("evidence_start", "int", "Start offset of evidence_text in title + newline + abstract"),
    ("evidence_end", "int", "End offset (exclusive) of evidence_text"),
    ("evidence_sentence", "string", "The sentence around the evidence"),
    ("text_hash", "string", "SHA-256 of the article text the offsets index"),
    ("extractor_version", "string", "Extractor version that produced the values"),
]

#: ``miner export extractions``: one row per extracted value (long format).
EXTRACTION_COLUMNS: list[Column] = [
    ("search", "string", "Saved search name (empty when exporting every article)"),
    ("version", "int", "Dataset version (empty when exporting every article)"),
    ("pmid", "string", "PubMed id"),
    ("text_hash", "string", "SHA-256 of the article text the offsets index"),
    ("extractor_version", "string", "Extractor version"),
    ("kind", "string", "sample_size, arm_size, dose, route, effect or arm_value"),
    ("index", "int", "Position of the value within its kind in the extraction"),
    ("drug", "string", "Drug named with a dose"),
    ("arm", "string", "Arm label of an arm value or arm size"),
    ("outcome", "string", "Outcome phrase as extracted"),
    ("timepoint", "string", "Time-point phrase as extracted"),
    ("measure", "string", "Effect measure of a reported estimate"),
    ("value", "float", "The number: dose, estimate, mean, ..."),
    ("value_max", "float", "Upper end of a dose range"),
    ("unit", "string", "Dose unit (canonical, lowercase)"),
    ("route", "string", "Route (canonical vocabulary)"),
    ("ci_low", "float", "Lower confidence limit of a reported estimate"),
    ("ci_high", "float", "Upper confidence limit of a reported estimate"),
    ("ci_level", "float", "Confidence level of the interval (0.95)"),
    ("p", "float", "p-value"),
    ("p_op", "string", "Comparison of the p-value: =, <, <=, >"),
    ("sd", "float", "Standard deviation of an arm mean"),
    ("se", "float", "Standard error of an arm mean"),
    ("n", "int", "Count: participants of an arm or of the trial"),
    ("events", "int", "Events in an arm"),
    ("total", "int", "Total of an arm for events"),
    ("count", "string", "What a sample-size count is: randomized, enrolled, analysed"),
    ("start", "int", "Start offset of text in title + newline + abstract"),
    ("end", "int", "End offset (exclusive)"),
    ("text", "string", "The exact text the value came from"),
    ("sentence", "string", "The sentence around it"),
]

#: ``miner export pooled``: one row per outcome x time window x subgroup (metafor rma names).
POOLED_COLUMNS: list[Column] = [
    *_SOURCE_COLUMNS,
    ("outcome", "string", "Outcome name"),
    ("timepoint", "string", "Time-point window label"),
    ("subgroup_key", "string", "'all' for the overall pool, else route or dose_band"),
    ("subgroup_value", "string", "'all', or the route / dose band pooled"),
    ("measure", "string", "Effect measure (log scale for RR/OR/HR)"),
    ("method", "string", "Estimator: REML, DL, PM, FE, or single (k = 1)"),
    ("k", "int", "Number of studies"),
    ("estimate", "float", "Pooled effect (metafor b)"),
    ("se", "float", "Standard error of the pooled effect"),
    ("ci_lb", "float", "Lower 95% confidence limit"),
    ("ci_ub", "float", "Upper 95% confidence limit"),
    ("pi_lb", "float", "Lower 95% prediction interval limit"),
    ("pi_ub", "float", "Upper 95% prediction interval limit"),
    ("tau2", "float", "Between-study variance"),
    ("I2", "float", "I-squared in percent"),
    ("Q", "float", "Cochran's Q"),
    ("Q_p", "float", "p-value of Q"),
    ("zval", "float", "Test statistic of the pooled effect"),
    ("pval", "float", "p-value of the pooled effect"),
    ("estimate_exp", "float", "exp(estimate) for ratio measures"),
    ("ci_lb_exp", "float", "exp(ci_lb) for ratio measures"),
    ("ci_ub_exp", "float", "exp(ci_ub) for ratio measures"),
    ("pi_lb_exp", "float", "exp(pi_lb) for ratio measures"),
    ("pi_ub_exp", "float", "exp(pi_ub) for ratio measures"),
    ("n_participants", "int", "Participants summed over the studies that reported a count"),
    ("n_participants_known", "int", "How many of the k studies reported a count"),
    ("studies", "list", "PMIDs pooled"),
    ("error", "string", "Why the pool could not be fitted, if it could not"),
]


def _arrow_schema(columns: list[Column]) -> Any:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
    }
    return pa.schema([(name, types[kind]) for name, kind, _ in columns])


def write_dictionary(columns: list[Column], path: Path) -> None:
    """Write the data dictionary (column, type, description) as CSV."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["column", "type", "description"])
        writer.writerows(columns)


def write_table(
    rows: Iterable[dict[str, Any]],
    columns: list[Column],
    *,
    fmt: str,
    output: Path | None,
    dictionary: Path | None = None,
) -> int:
    """Write dataset rows in ``fmt`` (csv, json, jsonl, parquet) plus the data dictionary."""
    fmt = _check_format(fmt, output, DATASET_FORMATS)
    names = [c[0] for c in columns]
    shaped = ({n: row.get(n) for n in names} for row in rows)
    if fmt == "json":
        data = list(shaped)
        text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
        n = len(data)
    else:
        n = write_rows(
            shaped,
            fmt=fmt,
            output=output,
            columns=names,
            schema=_arrow_schema(columns) if fmt == "parquet" else None,
        )
    if dictionary is None and output is not None:
        dictionary = output.with_name(output.name.split(".")[0] + ".dictionary.csv")
    if dictionary is not None:
        write_dictionary(columns, dictionary)
    return n


def _rows_of_versions(
    store: Store,
    search: str | None,
    version: int | None,
    rows_of: Callable[[Store, dict[str, Any]], Iterator[dict[str, Any]]],
) -> Iterator[dict[str, Any]]:
    """``rows_of`` each selected version (see :func:`_versions`), one after another.

    The versions are looked up now, so a bad ``--search``/``--dataset-version``
    fails before any output is written.
    """
    versions = _versions(store, search, version)
    return (r for v in versions for r in rows_of(store, v))


def _versions(store: Store, search: str | None, version: int | None) -> list[dict[str, Any]]:
    from miner.report import require_version, search_summaries

    if search is not None:
        return [require_version(store, search, version)]
    if version is not None:
        raise ConfigError("--dataset-version needs --search")
    out = []
    for s in search_summaries(store):
        if s["latest_version"] is not None:
            found = store.get_dataset_version(s["name"], s["latest_version"])
            if found is not None:
                out.append(found)
    return out


def study_rows(store: Store, version: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of :data:`STUDY_COLUMNS` for one dataset version."""
    from miner.report import study_records

    for s in study_records(store, version):
        label = f"{s['pmid']} ({s['year']})" if s["year"] else s["pmid"]
        for e in s["effects"]:
            ev = e["evidence"][0] if e["evidence"] else {}
            yield {
                "search": version["search"],
                "version": version["version"],
                "pmid": s["pmid"],
                "synthetic": s["synthetic"],
                "study": label,
                "year": s["year"],
                "title": s["title"],
                "outcome": e["outcome"],
                "timepoint": e["timepoint"],
                "measure": e["measure"],
                "yi": finite_or_none(e["yi"]),
                "vi": finite_or_none(e["vi"]),
                "sei": finite_or_none(e["sei"]),
                "ci_lb": finite_or_none(e["ci_lb"]),
                "ci_ub": finite_or_none(e["ci_ub"]),
                "ni": e["n_total"] or s["participants"],
                "route": e["subgroups"].get("route"),
                "dose_band": e["subgroups"].get("dose_band"),
                "source": e["source"],
                "assumptions": [str(a) for a in e["assumptions"]],
                "evidence_text": ev.get("text"),
                "evidence_start": ev.get("start"),
                "evidence_end": ev.get("end"),
                "evidence_sentence": ev.get("sentence"),
                "text_hash": s["text_hash"],
                "extractor_version": s["extractor_version"],
            }


def _value_row(base: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    f = value["fields"]
    ev = value["evidence"] or {}
    row = {**base, "kind": value["kind"], "index": value["index"]}
    for key in (
        "drug", "arm", "outcome", "timepoint", "measure", "value", "value_max", "unit", "route",
        "ci_low", "ci_high", "ci_level", "p", "p_op", "sd", "se", "n", "events", "total", "count",
    ):  # fmt: skip
        row[key] = f.get(key)
    for key in ("value", "value_max", "ci_low", "ci_high", "ci_level", "p", "sd", "se"):
        if isinstance(row[key], int | float) and not isinstance(row[key], bool):
            row[key] = finite_or_none(float(row[key]))
        elif row[key] is not None:
            row[key] = None  # a non-numeric value in a numeric column: leave it out
    for key in ("n", "events", "total"):
        if isinstance(row[key], float) and row[key].is_integer():
            row[key] = int(row[key])
        elif not isinstance(row[key], int) or isinstance(row[key], bool):
            row[key] = None
    for key in ("p_op", "count", "drug", "arm", "outcome", "timepoint", "measure", "unit", "route"):
        if row[key] is not None:
            row[key] = str(row[key])
    row.update(
        start=ev.get("start"), end=ev.get("end"), text=ev.get("text"), sentence=ev.get("sentence")
    )
    return row


def extraction_rows_of_version(store: Store, version: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of :data:`EXTRACTION_COLUMNS` for the studies of one dataset version."""
    from miner.report import study_records

    for s in study_records(store, version):
        base = {
            "search": version["search"],
            "version": version["version"],
            "pmid": s["pmid"],
            "text_hash": s["text_hash"],
            "extractor_version": s["extractor_version"],
        }
        for value in s["values"]:
            yield _value_row(base, value)


def extraction_rows_all(store: Store) -> Iterator[dict[str, Any]]:
    """Rows of :data:`EXTRACTION_COLUMNS` for the newest extraction of every live article."""
    from miner.report import extracted_values

    for article in store.iter_articles():
        ex = store.get_extraction(article.pmid)
        if ex is None:
            continue
        base = {
            "search": None,
            "version": None,
            "pmid": ex.pmid,
            "text_hash": ex.text_hash,
            "extractor_version": ex.extractor_version,
        }
        for value in extracted_values(ex.pmid, ex.facts, article.text, True):
            yield _value_row(base, value)


def pooled_rows(store: Store, version: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of :data:`POOLED_COLUMNS` for one dataset version."""
    from miner.report import pooled_table

    for r in pooled_table(store, version):
        yield {
            "search": version["search"],
            "version": version["version"],
            **{k: finite_or_none(v) for k, v in r.items()},
        }


@export_app.command("studies")
def export_studies(
    ctx: typer.Context,
    fmt: str = DATASET_FORMAT,
    output: Path | None = OUTPUT,
    search: str | None = SEARCH_OPT,
    version: int | None = VERSION_OPT,
    dictionary: Path | None = DICTIONARY_OPT,
) -> None:
    """Per-study effects (yi, vi, measure, ...) with evidence, ready for metafor's rma()."""
    _check_format(fmt, output, DATASET_FORMATS)
    with open_store(ctx) as store:
        rows = _rows_of_versions(store, search, version, study_rows)
        n = write_table(rows, STUDY_COLUMNS, fmt=fmt, output=output, dictionary=dictionary)
    _report(n, fmt, output)


@export_app.command("extractions")
def export_extractions(
    ctx: typer.Context,
    fmt: str = DATASET_FORMAT,
    output: Path | None = OUTPUT,
    search: str | None = SEARCH_OPT,
    version: int | None = VERSION_OPT,
    dictionary: Path | None = DICTIONARY_OPT,
) -> None:
    """Every extracted value with its evidence span (a search's studies, or every article)."""
    _check_format(fmt, output, DATASET_FORMATS)
    with open_store(ctx) as store:
        if search is None and version is None:
            rows: Iterator[dict[str, Any]] = extraction_rows_all(store)
        else:
            rows = _rows_of_versions(store, search, version, extraction_rows_of_version)
        n = write_table(rows, EXTRACTION_COLUMNS, fmt=fmt, output=output, dictionary=dictionary)
    _report(n, fmt, output)


@export_app.command("pooled")
def export_pooled(
    ctx: typer.Context,
    fmt: str = DATASET_FORMAT,
    output: Path | None = OUTPUT,
    search: str | None = SEARCH_OPT,
    version: int | None = VERSION_OPT,
    dictionary: Path | None = DICTIONARY_OPT,
) -> None:
    """Pooled results per outcome x time point x subgroup, with metafor's field names."""
    _check_format(fmt, output, DATASET_FORMATS)
    with open_store(ctx) as store:
        rows = _rows_of_versions(store, search, version, pooled_rows)
        n = write_table(rows, POOLED_COLUMNS, fmt=fmt, output=output, dictionary=dictionary)
    _report(n, fmt, output)


def _report(n: int, fmt: str, output: Path | None) -> None:
    if output is not None:
        typer.echo(json.dumps({"exported": n, "format": fmt, "output": str(output)}), err=True)
