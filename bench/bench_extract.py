"""Extraction throughput on the 3,285 real abstracts of evidence-inference.

In one run, on the same texts (``title + "\\n" + abstract``):

1. the scispaCy tokenizer alone (``combined_rule_tokenizer`` on a blank
   English pipeline, ``tokenizer.pipe``): the cost floor;
2. the whole extraction pipeline, one process: ``Extractor.extract_many``
   (``nlp.pipe`` + collecting the ``miner extract`` JSON contract), and the
   spaCy part alone (``nlp.pipe`` without collecting);
3. the ratio pipeline / tokenizer (target: within 4x; also in process CPU
   time, which the other processes of a shared machine do not inflate) and
   abstracts/s per core (target: >= 500);
4. peak resident memory of the process (``ru_maxrss``);
5. optionally a process pool where each worker loads its own pipeline and
   returns JSON lines (``--pool 2``; see NOTES.md: ``nlp.pipe(n_process=2)``
   is slower than this).

Figures are printed, never asserted. Each timing is the best of ``--repeat``
passes after a warm-up on the first 100 texts; every pass starts with an
empty tokenizer cache (as a new process does), so that a repeated pass does
not find the tokens of every chunk already cached.

Usage::

    .venv/bin/python bench/bench_extract.py [--repeat 2] [--pool 2] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from miner.shared_data import shared_path

Record = tuple[str, str, str]


def load_abstracts(limit: int | None = None) -> list[Record]:
    """(pmcid, title, abstract) of evidence-inference, abstract as ``LABEL: text`` lines."""
    path = shared_path("evidence-inference", "abstracts_derived.jsonl.gz")
    out: list[Record] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            abstract = "\n".join(
                f"{s['label']}: {s['text']}" if s.get("label") else s["text"]
                for s in rec.get("abstract_sections") or []
                if s.get("text")
            )
            out.append((str(rec["pmcid"]), rec.get("title") or "", abstract))
            if limit and len(out) >= limit:
                break
    return out


#: Smallest process CPU time of each ``best_of`` label (see :func:`best_of`).
CPU_SECONDS: dict[str, float] = {}


def best_of(
    repeat: int,
    run: Callable[[], Any],
    setup: Callable[[], Any] | None = None,
    label: str | None = None,
) -> float:
    """Smallest wall-clock time of ``repeat`` calls of ``run`` (``setup`` untimed before each).

    With a ``label``, the smallest process CPU time is kept in
    :data:`CPU_SECONDS` too: on a machine other processes share, wall-clock
    time counts their work as well, CPU time only this process's.
    """
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        c0 = time.process_time()
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    if label is not None:
        CPU_SECONDS[label] = best_cpu
    return best


def flush_tokenizer_cache(tokenizer: Any) -> None:
    """Empty spaCy's cache of chunk tokenizations, as in a new process.

    A repeated pass over the same texts would otherwise find every chunk the
    cache holds (all of them once it is larger than the texts' vocabulary),
    which no stream of new abstracts does.
    """
    tokenizer._flush_cache()


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def component_costs(extractor: Any, texts: Sequence[str]) -> list[tuple[str, float]]:
    """Milliseconds per abstract of the tokenizer, each component and the collecting.

    Each document goes through the components in pipeline order, as in
    ``nlp.pipe``, and is collected into the contract record right after:
    running one component over all documents before the next would evict the
    per-sentence caches later components share (``effect`` -> ``arm_value``)
    and charge the recomputation to the wrong component.
    """
    from miner.extract.collect import collect
    from miner.extract.pipeline import component_collectors

    nlp = extractor.nlp
    collectors = component_collectors()
    clock = time.perf_counter
    names = ["tokenizer", *nlp.pipe_names, "collect (contract record)"]
    totals = dict.fromkeys(names, 0.0)
    for text in texts:
        t0 = clock()
        doc = nlp.make_doc(text)
        t1 = clock()
        totals["tokenizer"] += t1 - t0
        for name, proc in nlp.pipeline:
            doc = proc(doc)
            t2 = clock()
            totals[name] += t2 - t1
            t1 = t2
        collect(doc, record_id="bench", collectors=collectors)
        totals["collect (contract record)"] += clock() - t1
    return [(name, totals[name] * 1000 / len(texts)) for name in names]


# --------------------------------------------------------------- pool

_WORKER: Any = None


def _init_worker() -> None:
    global _WORKER
    from miner.extract import Extractor

    _WORKER = Extractor()


def _work(chunk: Sequence[Record]) -> list[str]:
    return [json.dumps(r) for r in _WORKER.extract_many(chunk)]


def _chunks(records: Sequence[Record], size: int) -> Iterator[Sequence[Record]]:
    for i in range(0, len(records), size):
        yield records[i : i + size]


def bench_pool(records: Sequence[Record], processes: int, repeat: int) -> float:
    """Seconds for a pool of ``processes`` workers (each loads its own pipeline)."""
    ctx = mp.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(processes, initializer=_init_worker) as pool:
        # Warm up: make every worker build its pipeline before timing.
        pool.map(_work, [records[:20]] * processes)
        return best_of(repeat, lambda: pool.map(_work, list(_chunks(records, 64))))


# --------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="passes per timing (best is kept)")
    ap.add_argument("--pool", type=int, default=2, help="processes for the pool figure (0: skip)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N abstracts")
    ap.add_argument(
        "--components", type=int, default=300, help="abstracts for per-component costs (0: skip)"
    )
    args = ap.parse_args(argv)

    records = load_abstracts(args.limit)
    texts = [f"{t}\n{a}" for _, t, a in records]
    n = len(records)
    chars = sum(len(t) for t in texts)
    print(f"abstracts: {n} ({chars / n:,.0f} characters on average)")
    rss_start = peak_rss_mb()

    import spacy
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    from miner.extract.pipeline import TOKENIZER_CACHE_CHUNKS

    blank = spacy.blank("en")
    tokenizer = combined_rule_tokenizer(blank)
    # the same cache as the pipeline's tokenizer: the baseline is not slowed
    # by a smaller cache than the one the pipeline is timed with
    tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    list(tokenizer.pipe(texts[:100]))
    t_tok = best_of(
        args.repeat,
        lambda: [len(d) for d in tokenizer.pipe(texts, batch_size=64)],
        lambda: flush_tokenizer_cache(tokenizer),
        label="tokenizer",
    )

    from miner.extract import Extractor

    t0 = time.perf_counter()
    extractor = Extractor()
    t_load = time.perf_counter() - t0
    nlp = extractor.nlp
    list(extractor.extract_many(records[:100]))

    def flush() -> None:
        flush_tokenizer_cache(nlp.tokenizer)

    t_nlp = best_of(args.repeat, lambda: [len(d) for d in nlp.pipe(texts, batch_size=64)], flush)
    outputs: list[dict[str, Any]] = []

    def run_extract() -> None:
        outputs[:] = list(extractor.extract_many(records))

    t_extract = best_of(args.repeat, run_extract, flush, label="extract")
    rss_peak = peak_rss_mb()

    failed = sum(1 for o in outputs if o.get("error"))
    facts = {
        key: sum(len(o.get(key) or []) for o in outputs)
        for key in ("doses", "routes", "effects", "arm_values")
    }
    with_n = sum(1 for o in outputs if (o.get("sample_size") or {}).get("randomized"))

    print(f"pipeline: {' -> '.join(nlp.pipe_names)}")
    print(f"pipeline load: {t_load:.2f} s (once per process)")
    print(f"scispaCy tokenizer alone:        {n / t_tok:8,.0f} abstracts/s  ({t_tok:.2f} s)")
    print(f"nlp.pipe (spaCy part only):      {n / t_nlp:8,.0f} abstracts/s  ({t_nlp:.2f} s)")
    print(
        f"extract_many (whole extraction): {n / t_extract:8,.0f} abstracts/s  ({t_extract:.2f} s)"
    )
    print(f"ratio whole extraction / tokenizer: {t_extract / t_tok:.2f}x  (target <= 4x)")
    cpu_tok, cpu_extract = CPU_SECONDS["tokenizer"], CPU_SECONDS["extract"]
    print(
        f"  in process CPU time: {cpu_extract / cpu_tok:.2f}x  "
        f"(tokenizer {cpu_tok:.2f} s, extraction {cpu_extract:.2f} s)"
    )
    print(f"per core: {n / t_extract:,.0f} abstracts/s  (target >= 500)")
    print(f"peak RSS: {rss_peak:,.0f} MB (before loading spaCy: {rss_start:,.0f} MB)")
    print(
        f"output: {failed} records rejected, {with_n} with a randomized n, "
        + ", ".join(f"{v} {k}" for k, v in facts.items())
    )
    if args.components:
        print(f"per component, ms per abstract (first {args.components} abstracts):")
        flush()  # the tokenizer row, too, starts from an empty cache
        costs = component_costs(extractor, texts[: args.components])
        for name, ms in costs:
            print(f"  {name:26s} {ms:7.2f}")
        print(f"  {'sum':26s} {sum(ms for _, ms in costs):7.2f}")
    if args.pool > 1:
        t_pool = bench_pool(records, args.pool, args.repeat)
        print(
            f"pool of {args.pool} processes:           {n / t_pool:8,.0f} abstracts/s  "
            f"({t_pool:.2f} s; {t_extract / t_pool:.2f}x one process)"
        )


if __name__ == "__main__":
    main()
