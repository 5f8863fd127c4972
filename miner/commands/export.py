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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from miner.errors import ConfigError
from miner.records import Article
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


def _check_format(fmt: str, output: Path | None) -> str:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
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
    if output is not None:
        typer.echo(json.dumps({"exported": n, "format": fmt, "output": str(output)}), err=True)
