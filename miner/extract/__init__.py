"""Extraction engine: a spaCy pipeline on scispaCy's tokenizer that finds trial facts.

Public API (imported lazily so that ``miner.extract.quantities`` and other
pure modules do not pull in spaCy):

- :class:`Extractor` -- load once; ``extract``, ``extract_many``, ``extract_article``.
- :func:`extractor_version` -- package version + hash of the rules.
- :func:`load_pipeline` -- the process-wide spaCy ``Language``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miner.extract.extractor import Extractor
    from miner.extract.pipeline import load_pipeline
    from miner.extract.version import extractor_version

__all__ = ["Extractor", "extractor_version", "load_pipeline"]


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from miner.extract.extractor import Extractor

        return Extractor
    if name == "load_pipeline":
        from miner.extract.pipeline import load_pipeline

        return load_pipeline
    if name == "extractor_version":
        from miner.extract.version import extractor_version

        return extractor_version
    raise AttributeError(f"module 'miner.extract' has no attribute {name!r}")
