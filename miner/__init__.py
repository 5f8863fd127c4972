"""miner: a living-evidence service for clinical research.

PubMed abstracts go in; extracted trial facts (design, sample size, doses,
routes, effect estimates, arm values, each with the span it came from), effect
sizes and versioned random-effects meta-analyses come out.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
