"""Turn a processed :class:`~spacy.tokens.Doc` into the ``miner extract`` record.

This is the single place that assembles the JSON object of the contract in
DESIGN.md. Each component's collector (``collect_design``,
``collect_sample_size``, ``collect_routes``, ...) turns its own spans into
its field; this module calls them in :data:`~miner.extract.pipeline.COMPONENTS`
order and adds the provenance every fact carries: the ``sentence`` its
``start``/``end`` offsets fall in, plus the record's id, pmid,
extractor_version and text_hash.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

from miner.extract.doctext import doc_text, sentence_bounds
from miner.extract.pipeline import ComponentSpec, component_collectors
from miner.extract.version import extractor_version
from miner.records import text_hash

Collectors = list[tuple[ComponentSpec, Callable[[Doc], Any]]]


class _Sentences:
    """Sentence lookup by character offset (bisect over sentence starts)."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, doc: Doc) -> None:
        self.text = doc_text(doc)
        bounds = sentence_bounds(doc)
        self.starts: list[int] = [a for a, _b in bounds]
        self.ends: list[int] = [b for _a, b in bounds]

    def sentence(self, start: int, end: int) -> str | None:
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0:
            return None
        # A fact that runs over a sentence break gets every sentence it touches.
        j = i
        while j + 1 < len(self.starts) and self.starts[j + 1] < end:
            j += 1
        return self.text[self.starts[i] : self.ends[j]].strip()


# isinstance with a tuple is cheaper than with a union type (``dict | list``).
_CONTAINERS = (dict, list)


def _add_sentences(value: Any, sents: _Sentences) -> None:
    """Give every fact dict (one with int ``start``/``end``) its ``sentence``."""
    if isinstance(value, dict):
        start = value.get("start")
        if isinstance(start, int):
            end = value.get("end")
            if isinstance(end, int) and "sentence" not in value:
                value["sentence"] = sents.sentence(start, end)
        for v in value.values():
            if isinstance(v, _CONTAINERS):
                _add_sentences(v, sents)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, _CONTAINERS):
                _add_sentences(v, sents)


def collect(
    doc: Doc,
    *,
    record_id: str,
    pmid: str | None = None,
    collectors: Collectors | None = None,
) -> dict[str, Any]:
    """Assemble the contract record for one processed document.

    Parameters
    ----------
    doc:
        Output of the extraction pipeline for ``title + "\\n" + abstract``.
    record_id:
        The input record's id.
    pmid:
        PubMed id when known.
    collectors:
        From :func:`~miner.extract.pipeline.component_collectors` (looked up
        when omitted; pass it when collecting many documents).

    Returns
    -------
    dict
        ``{"id", "pmid", "extractor_version", "text_hash", "design",
        "sample_size", "routes", "doses", "effects", "arm_values"}``; every
        fact inside has ``start``, ``end``, ``text`` and ``sentence``.
    """
    if collectors is None:
        collectors = component_collectors()
    record: dict[str, Any] = {
        "id": record_id,
        "pmid": pmid,
        "extractor_version": extractor_version(),
        "text_hash": text_hash(doc_text(doc)),
    }
    sents = _Sentences(doc)
    for spec, collector in collectors:
        value = collector(doc)
        _add_sentences(value, sents)
        record[spec.key] = value
    return record
