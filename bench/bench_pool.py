"""Benchmark: REML pooling of many topics, and updating one topic when a study arrives.

Prints figures only (never asserts on time). Topics are synthetic log odds
ratios drawn from a random-effects model (seeded), 50 studies each.

    .venv/bin/python bench/bench_pool.py [--topics 1000] [--studies 50]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from miner.effects import generic
from miner.pool import REML
from miner.records import Effect


def make_topic(rng: np.random.Generator, k: int, topic: int) -> list[Effect]:
    tau2 = rng.uniform(0.0, 0.3)
    vi = rng.uniform(0.01, 0.5, size=k)
    yi = rng.normal(rng.normal(-0.3, 0.3), np.sqrt(vi + tau2))
    return [
        generic(f"t{topic}-s{i}", float(y), float(v))
        for i, (y, v) in enumerate(zip(yi, vi, strict=True))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--studies", type=int, default=50)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()

    rng = np.random.default_rng(20240611)
    topics = [make_topic(rng, args.studies, t) for t in range(args.topics)]
    est = REML()

    t0 = time.perf_counter()
    results = [est.fit(effects) for effects in topics]
    total = time.perf_counter() - t0
    print(
        f"REML pool: {args.topics} topics x {args.studies} studies in {total:.2f} s "
        f"({1000 * total / args.topics:.2f} ms per topic)"
    )

    # One study arrives in a topic: refit from scratch, and warm-started from the
    # previous tau2 (what a living update can do).
    n = min(args.updates, args.topics)
    arrivals = [make_topic(rng, 1, 10**6 + t)[0] for t in range(n)]
    t0 = time.perf_counter()
    for t in range(n):
        est.fit([*topics[t], arrivals[t]])
    cold = (time.perf_counter() - t0) / n
    t0 = time.perf_counter()
    for t in range(n):
        REML(tau2_init=results[t].tau2).fit([*topics[t], arrivals[t]])
    warm = (time.perf_counter() - t0) / n
    print(
        f"update one topic (+1 study, k={args.studies + 1}): {1000 * cold:.2f} ms refit, "
        f"{1000 * warm:.2f} ms warm-started from the previous tau2 (mean of {n})"
    )


if __name__ == "__main__":
    main()
