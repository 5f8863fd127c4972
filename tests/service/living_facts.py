"""Extracted-fact dictionaries for the living-dataset tests, anchored in an article's text."""

from __future__ import annotations

from typing import Any

from miner.records import Article


def span(article: Article, fragment: str) -> dict[str, Any]:
    """Offsets and text of ``fragment``'s first occurrence in the article."""
    start = article.text.index(fragment)
    return {"start": start, "end": start + len(fragment), "text": fragment}


def reported(
    article: Article,
    fragment: str,
    value: float,
    lo: float,
    hi: float,
    tp: str | None,
    measure: str = "MD",
) -> dict[str, Any]:
    """A reported effect with a 95% CI, written at ``fragment``."""
    return {
        **span(article, fragment),
        "measure": measure,
        "value": value,
        "ci_low": lo,
        "ci_high": hi,
        "ci_level": 0.95,
        "timepoint": tp,
        "outcome": None,
    }
