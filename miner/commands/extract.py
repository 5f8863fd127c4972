"""``miner extract INPUT``: trial facts from JSONL or PubMed XML, one JSON object per record.

INPUT is a JSONL file of ``{"id", "title", "abstract"}`` objects (``.jsonl``,
``.jsonl.gz`` or ``-`` for stdin) or PubMed XML (``.xml``, ``.xml.gz``). Each
record becomes one line of output; a record that cannot be extracted
(malformed JSON, empty abstract, binary data, not English, too long) becomes
``{"id": ..., "error": "..."}`` plus a message on stderr, and the batch goes
on. The exit status is 1 when any record failed, else 0.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import typer

from miner.errors import ConfigError, MinerError

# A record that failed before extraction: (id, message).
_Failed = tuple[str, str]
_Item = tuple[str, str, str, str | None] | _Failed


def register(app: typer.Typer) -> None:
    """Add ``extract`` to ``app``."""
    app.command("extract")(extract)


def _open_binary(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"input file not found: {path}")
    if p.suffix == ".gz":
        return cast(IO[bytes], gzip.open(p, "rb"))
    return p.open("rb")


def _is_xml(path: str) -> bool:
    name = path.lower()
    return name.endswith((".xml", ".xml.gz"))


def iter_jsonl(path: str) -> Iterator[_Item]:
    """Records of a JSONL file; bad lines come out as ``(id, message)`` pairs.

    A line that is not valid UTF-8 or JSON, or lacks a usable id, title or
    abstract, is named by its id when it has one and by ``line N`` otherwise.
    """
    with _open_binary(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"line {lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield where, f"{path}:{lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                continue
            try:
                obj: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                yield where, f"{path}:{lineno}: malformed JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield where, f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}"
                continue
            rid = obj.get("id", obj.get("pmid"))
            rid = str(rid) if rid not in (None, "") else where
            title = obj.get("title") or ""
            abstract = obj.get("abstract") or ""
            if not isinstance(title, str) or not isinstance(abstract, str):
                yield rid, f"{path}:{lineno}: 'title' and 'abstract' must be strings"
                continue
            pmid = obj.get("pmid")
            yield rid, title, abstract, str(pmid) if pmid not in (None, "") else None


def iter_xml(path: str) -> Iterator[_Item]:
    """Articles of a PubMed XML file (deletions are skipped)."""
    from miner.pubmed_xml import iter_pubmed_xml
    from miner.records import Article

    try:
        for item in iter_pubmed_xml(path):
            if isinstance(item, Article):
                yield item.pmid, item.title, item.abstract, item.pmid
    except MinerError as exc:
        # The XML stream itself is broken: name the file and stop reading it.
        yield f"file {path}", str(exc)


def extract(
    input: str = typer.Argument(
        ..., help="JSONL (.jsonl[.gz], - for stdin) or PubMed XML (.xml[.gz])."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write JSONL here (default stdout)."
    ),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Documents per nlp.pipe batch."),
) -> None:
    """Extract design, sample size, doses, routes, effects, arm values: one JSON line a record."""
    from miner.extract import Extractor
    from miner.extract.extractor import error_record

    items = iter_xml(input) if _is_xml(input) else iter_jsonl(input)
    extractor = Extractor(batch_size=batch_size)
    failed = 0
    total = 0
    out: IO[str] = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for record in _run(extractor, items, batch_size, error_record):
            total += 1
            if "error" in record:
                failed += 1
                typer.echo(f"record {record['id']}: {record['error']}", err=True)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()
    if failed:
        typer.echo(f"miner extract: {failed} of {total} records failed", err=True)
        raise typer.Exit(code=1)


def _run(
    extractor: Any, items: Iterator[_Item], batch_size: int, error_record: Any
) -> Iterator[dict[str, Any]]:
    """Extract in chunks, keeping records that failed to parse in their input place."""
    chunk: list[_Item] = []

    def flush() -> Iterator[dict[str, Any]]:
        good = [item for item in chunk if len(item) == 4]
        results = iter(extractor.extract_many(good, batch_size=batch_size))
        for item in chunk:
            if len(item) == 4:
                yield next(results)
            else:
                yield error_record(item[0], item[1])

    for item in items:
        chunk.append(item)
        if len(chunk) >= batch_size:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()
