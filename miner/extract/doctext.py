"""The text and sentence bounds of a Doc, computed once per document.

``Doc.text`` joins every token on each access (about 0.25 ms for an
abstract) and iterating ``doc.sents`` builds a Span per sentence; components
and collectors that each read them several times per document cost more than
all their regular expressions together. These helpers compute each once and
keep it in ``doc.user_data`` (per document, so no state is kept between
documents and nothing is added to the shared ``StringStore``).

The cache is valid because no miner component changes tokens or sentence
boundaries: sentence bounds must only be read after the sentence components
(``sentencizer``, ``miner_line_breaks``) have run.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.tokens import Doc, Span

#: The SpanGroup every miner component appends its spans to.
SPAN_KEY = "miner"

_TEXT_KEY = "miner.text"
_LOWER_KEY = "miner.lower"
_SENTS_KEY = "miner.sents"
_SCAN_KEY = "miner.scan"
_SCAN_LOWER_KEY = "miner.scan_lower"

#: Publishers' XML often writes hyphens as U+2010 (HYPHEN) or U+2011
#: (NON-BREAKING HYPHEN): "double\u2010blind", "cross\u2010over". Patterns
#: spell "-"; one character for one keeps every offset.
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


def doc_text(doc: Doc) -> str:
    """``doc.text``, read from the Doc once and then from ``doc.user_data``.

    Parameters
    ----------
    doc:
        Any Doc.

    Returns
    -------
    str
        The same string as ``doc.text``.
    """
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


def doc_lower(doc: Doc) -> str | None:
    """``doc.text.lower()`` when it keeps every offset, else ``None`` (computed once).

    See :func:`miner.extract.scan.lower_same_length`.
    """
    if _LOWER_KEY in doc.user_data:
        return doc.user_data[_LOWER_KEY]
    text = doc_text(doc)
    low: str | None = text.lower()
    if low is not None and len(low) != len(text):
        low = None
    doc.user_data[_LOWER_KEY] = low
    return low


def doc_scan_text(doc: Doc) -> str:
    """The text patterns are matched on: ``doc_text`` with U+2010/U+2011 read as "-".

    Offsets into it are offsets into ``doc_text``; what a fact quotes is
    sliced from ``doc_text``, so it stays as written.
    """
    scan = doc.user_data.get(_SCAN_KEY)
    if scan is None:
        text = doc_text(doc)
        scan = text.translate(_HYPHENS) if "\u2010" in text or "\u2011" in text else text
        doc.user_data[_SCAN_KEY] = scan
    return scan


def doc_scan_lower(doc: Doc) -> str | None:
    """:func:`doc_scan_text` lowercased when that keeps every offset, else ``None``."""
    if _SCAN_LOWER_KEY in doc.user_data:
        return doc.user_data[_SCAN_LOWER_KEY]
    scan = doc_scan_text(doc)
    low: str | None = doc_lower(doc) if scan is doc_text(doc) else scan.lower()
    if low is not None and len(low) != len(scan):
        low = None
    doc.user_data[_SCAN_LOWER_KEY] = low
    return low


def set_doc_text(doc: Doc, text: str) -> None:
    """Record ``text`` as the text of ``doc`` (it must equal ``doc.text``)."""
    doc.user_data[_TEXT_KEY] = text


def set_sentence_bounds(doc: Doc, bounds: list[tuple[int, int]]) -> None:
    """Record the sentence bounds of ``doc`` as the sentence component sets them.

    ``bounds`` must be what :func:`sentence_bounds` would compute.
    """
    doc.user_data[_SENTS_KEY] = bounds


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """``(sent.start_char, sent.end_char)`` of every sentence, in order.

    The same bounds as iterating ``doc.sents`` (trailing whitespace excluded),
    read from one token array. A Doc without sentence boundaries is one
    sentence; an empty Doc has none.

    Parameters
    ----------
    doc:
        A Doc whose sentence boundaries are final.

    Returns
    -------
    list[tuple[int, int]]
        Character offsets into ``doc.text``.
    """
    cached = doc.user_data.get(_SENTS_KEY)
    if cached is not None:
        return cached
    n = len(doc)
    bounds: list[tuple[int, int]]
    if n == 0:
        bounds = []
    elif not doc.has_annotation("SENT_START"):
        tail = doc[n - 1]
        bounds = [(doc[0].idx, tail.idx + len(tail))]
    else:
        arr = doc.to_array([SENT_START, IDX, LENGTH])
        first = numpy.flatnonzero(arr[1:, 0] == 1) + 1
        starts = arr[numpy.concatenate(([0], first)), 1].tolist()
        last = numpy.concatenate((first - 1, [n - 1]))
        ends = (arr[last, 1] + arr[last, 2]).tolist()
        bounds = list(zip(starts, ends, strict=True))
    doc.user_data[_SENTS_KEY] = bounds
    return bounds


def add_spans(doc: Doc, spans: list[Span]) -> None:
    """Append ``spans`` to ``doc.spans["miner"]`` without touching other components' spans."""
    if SPAN_KEY not in doc.spans:
        doc.spans[SPAN_KEY] = []
    group = doc.spans[SPAN_KEY]
    for span in spans:
        group.append(span)


_SPAN_LIST_KEY = "miner.span_list"


def span_list(doc: Doc) -> list[tuple[str, int, int, str]]:
    """``(label, start_char, end_char, kb_id)`` of every span in ``doc.spans["miner"]``.

    Iterating a SpanGroup makes a Span object per span, and each collector
    used to iterate it for its own labels: reading the group once for all of
    them costs a seventh. The list is kept in ``doc.user_data`` (plain
    strings and ints, no Span that would tie the Doc in a reference cycle)
    and read again when spans were added since.
    """
    if SPAN_KEY not in doc.spans:
        return []
    group = doc.spans[SPAN_KEY]
    cached = doc.user_data.get(_SPAN_LIST_KEY)
    if cached is not None and cached[0] == len(group):
        return cached[1]
    found = [(s.label_, s.start_char, s.end_char, s.kb_id_) for s in group]
    doc.user_data[_SPAN_LIST_KEY] = (len(found), found)
    return found


def bracket_balance(piece: str) -> int:
    """Round and square brackets ``piece`` opens minus those it closes."""
    if "(" not in piece and "[" not in piece and ")" not in piece and "]" not in piece:
        return 0
    return piece.count("(") + piece.count("[") - piece.count(")") - piece.count("]")
