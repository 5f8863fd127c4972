"""The public entry point: :class:`Extractor` runs records through the pipeline.

Records are checked before they reach spaCy (empty abstract, too long,
binary garbage, not English) so that one bad record yields an error object
naming its id while the rest of the batch still comes out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language

from miner.errors import ExtractionError
from miner.extract.collect import Collectors, collect
from miner.extract.pipeline import MAX_CHARS, component_collectors, load_pipeline
from miner.extract.version import extractor_version
from miner.records import Article, Extraction

#: A record as accepted by :meth:`Extractor.extract_many`.
RecordLike = Article | tuple[str, str, str] | tuple[str, str, str, str | None]

# Frequent English function words. Real English abstracts have 25-40 % of
# their words in this set; French, German or Spanish text has well under 8 %.
_ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "in",
        "to",
        "a",
        "with",
        "was",
        "were",
        "for",
        "is",
        "on",
        "or",
        "by",
        "at",
        "as",
        "an",
        "be",
        "that",
        "this",
        "from",
        "are",
        "than",
        "not",
        "after",
        "between",
        "patients",
        "group",
        "groups",
        "we",
        "which",
        "had",
        "who",
        "there",
        "it",
        "no",
        "but",
        "been",
        "have",
        "has",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
# ASCII control characters other than line breaks and tabs (category Cc).
_ASCII_CONTROLS = "".join(chr(c) for c in (*range(32), 127) if chr(c) not in "\n\r\t")
_ASCII_LETTER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
# ASCII text is checked as bytes (C-level, several times cheaper than str
# methods or regular expressions): every byte that is no such control is
# deleted (what is left is counted), and every byte that is no letter becomes
# a space before splitting into words.
_NON_CONTROL_BYTES = bytes(c for c in range(128) if chr(c) not in _ASCII_CONTROLS)
_LETTERS_ELSE_SPACE = bytes(c if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(256))
_ENGLISH_WORDS_BYTES = frozenset(w.encode("ascii") for w in _ENGLISH_WORDS)
#: Fewer words than this are too few to judge the language of.
_MIN_WORDS_FOR_LANGUAGE = 30
_MIN_ENGLISH_SHARE = 0.08


def text_problem(title: str, abstract: str, *, max_chars: int = MAX_CHARS) -> str | None:
    """Say why a record cannot be extracted, or ``None`` when it can.

    Parameters
    ----------
    title, abstract:
        The record's title and abstract.
    max_chars:
        Longest accepted ``title + "\\n" + abstract``.

    Returns
    -------
    str | None
        A message naming the problem (empty abstract, too long, binary data,
        not English), or ``None``.
    """
    if not abstract or not abstract.strip():
        return "abstract is empty"
    n = len(title) + 1 + len(abstract)
    if n > max_chars:
        return (
            f"text is {n} characters, more than the limit of {max_chars} "
            "(abstracts are a few thousand characters; is this a full text?)"
        )
    text = f"{title}\n{abstract}"
    # Character loops in Python cost more than the whole extraction of an
    # abstract: the ASCII characters are checked as bytes (C-level), each
    # distinct non-ASCII character once (an abstract has a handful).
    low = text.lower()
    if text.isascii():
        raw = text.encode("ascii")
        others: Counter[str] = Counter()
    else:
        # Non-ASCII characters become "?" (no control, no letter) in ``raw``.
        raw = text.encode("ascii", "replace")
        others = Counter(_NON_ASCII_RE.findall(text))
    controls = len(raw.translate(None, _NON_CONTROL_BYTES)) + sum(
        n
        for c, n in others.items()
        if c == "\ufffd" or unicodedata.category(c) in {"Cc", "Cs", "Co"}
    )
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTER_BYTES))
    letters = ascii_letters + sum(n for c, n in others.items() if c.isalpha())
    mostly_latin = ascii_letters + sum(
        n for c, n in others.items() if c.isalpha() and c < "\u0250"
    ) >= (0.5 * letters)
    if controls > max(2, len(text) // 100):
        return f"text looks like binary data ({controls} control or undecodable characters)"
    if not letters:
        return "text has no letters"
    if not mostly_latin:
        return "text is not English (mostly non-Latin script)"
    if low.isascii() or not any(_WORD_RE.match(c) for c in set(_NON_ASCII_RE.findall(low))):
        # No non-ASCII word character: _WORD_RE's words are the runs of ASCII
        # letters ("?" for any other character splits words like a space).
        bwords = low.encode("ascii", "replace").translate(_LETTERS_ELSE_SPACE).split()
        n_words = len(bwords)
        n_english = sum(map(_ENGLISH_WORDS_BYTES.__contains__, bwords))
    else:
        words = _WORD_RE.findall(low)
        n_words = len(words)
        n_english = sum(map(_ENGLISH_WORDS.__contains__, words))
    if n_words >= _MIN_WORDS_FOR_LANGUAGE:
        share = n_english / n_words
        if share < _MIN_ENGLISH_SHARE:
            return f"text does not look like English ({share:.0%} common English words)"
    return None


def _as_record(item: Any) -> tuple[str, str, str, str | None]:
    if isinstance(item, Article):
        return item.pmid, item.title, item.abstract, item.pmid
    if isinstance(item, tuple) and len(item) in (3, 4):
        pmid = item[3] if len(item) == 4 else None
        return str(item[0]), item[1] or "", item[2] or "", pmid
    raise TypeError(
        f"expected an Article or a (id, title, abstract[, pmid]) tuple, got {type(item).__name__}"
    )


def error_record(record_id: str, message: str, *, pmid: str | None = None) -> dict[str, Any]:
    """The output object for a record that could not be extracted."""
    return {
        "id": record_id,
        "pmid": pmid,
        "extractor_version": extractor_version(),
        "error": message,
    }


class Extractor:
    """Extract trial facts from abstracts; load once, call many times.

    Parameters
    ----------
    nlp:
        A pipeline from :func:`~miner.extract.pipeline.build_pipeline`; the
        process-wide one from :func:`~miner.extract.pipeline.load_pipeline`
        when omitted.
    max_chars:
        Longest ``title + "\\n" + abstract`` accepted.
    batch_size:
        Default batch size for :meth:`extract_many`.

    Examples
    --------
    >>> ex = Extractor()  # doctest: +SKIP
    >>> ex.extract("r1", "A trial", "Forty-two patients were randomized.")["sample_size"]
    ... # doctest: +SKIP
    """

    def __init__(
        self, nlp: Language | None = None, *, max_chars: int = MAX_CHARS, batch_size: int = 64
    ) -> None:
        self.nlp = nlp if nlp is not None else load_pipeline()
        self.max_chars = min(max_chars, self.nlp.max_length)
        self.batch_size = batch_size
        self._collectors: Collectors = component_collectors()

    @property
    def version(self) -> str:
        """The extractor version stamped on every record."""
        return extractor_version()

    def extract(
        self, record_id: str, title: str, abstract: str, *, pmid: str | None = None
    ) -> dict[str, Any]:
        """Extract one record.

        Returns
        -------
        dict
            The contract record (see :func:`~miner.extract.collect.collect`).

        Raises
        ------
        ExtractionError
            When the text is empty, too long, binary or not English, or a
            component failed; the message names ``record_id``.
        """
        problem = text_problem(title or "", abstract or "", max_chars=self.max_chars)
        if problem:
            raise ExtractionError(problem, record=record_id)
        text = f"{title or ''}\n{abstract}"
        try:
            doc = self.nlp(text)
            return collect(doc, record_id=record_id, pmid=pmid, collectors=self._collectors)
        except ExtractionError:
            raise
        except Exception as exc:  # a component bug must name the record, not kill a batch
            raise ExtractionError(f"{type(exc).__name__}: {exc}", record=record_id) from exc

    def extract_many(
        self, records: Iterable[RecordLike], batch_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Extract many records with ``nlp.pipe``, in input order.

        A record that cannot be extracted yields
        ``{"id", "pmid", "extractor_version", "error"}`` instead; the others
        are unaffected.

        Parameters
        ----------
        records:
            :class:`~miner.records.Article` objects or ``(id, title, abstract)``
            / ``(id, title, abstract, pmid)`` tuples.
        batch_size:
            Documents per ``nlp.pipe`` batch (default: the instance's).
        """
        size = batch_size or self.batch_size
        chunk: list[tuple[str, str, str, str | None]] = []
        for item in records:
            chunk.append(_as_record(item))
            if len(chunk) >= size:
                yield from self._run_chunk(chunk, size)
                chunk = []
        if chunk:
            yield from self._run_chunk(chunk, size)

    def _run_chunk(
        self, chunk: list[tuple[str, str, str, str | None]], size: int
    ) -> Iterator[dict[str, Any]]:
        results: list[dict[str, Any] | None] = [None] * len(chunk)
        todo: list[tuple[str, int]] = []
        for i, (rid, title, abstract, pmid) in enumerate(chunk):
            problem = text_problem(title, abstract, max_chars=self.max_chars)
            if problem:
                results[i] = error_record(rid, problem, pmid=pmid)
            else:
                todo.append((f"{title}\n{abstract}", i))
        try:
            for doc, i in self.nlp.pipe(todo, as_tuples=True, batch_size=size):
                rid, _t, _a, pmid = chunk[i]
                results[i] = collect(doc, record_id=rid, pmid=pmid, collectors=self._collectors)
        except Exception:
            # One record broke a component: redo the chunk one by one so that
            # only that record becomes an error.
            for _text, i in todo:
                rid, title, abstract, pmid = chunk[i]
                try:
                    results[i] = self.extract(rid, title, abstract, pmid=pmid)
                except ExtractionError as exc:
                    results[i] = error_record(rid, str(exc), pmid=pmid)
        for r in results:
            assert r is not None
            yield r

    def extract_article(self, article: Article) -> Extraction:
        """Extract an :class:`~miner.records.Article` into an :class:`~miner.records.Extraction`.

        Raises
        ------
        ExtractionError
            As :meth:`extract`.
        """
        facts = self.extract(article.pmid, article.title, article.abstract, pmid=article.pmid)
        return Extraction(
            pmid=article.pmid,
            text_hash=article.text_hash,
            extractor_version=facts["extractor_version"],
            facts=facts,
            record_id=article.pmid,
        )

    def extract_articles(
        self, articles: Iterable[Article], batch_size: int | None = None
    ) -> Iterator[Extraction | ExtractionError]:
        """Batch form of :meth:`extract_article`; failures come back as the error object."""
        for facts in self.extract_many(articles, batch_size=batch_size):
            if "error" in facts:
                yield ExtractionError(facts["error"], record=facts["id"])
            else:
                yield Extraction(
                    pmid=facts["pmid"],
                    text_hash=facts["text_hash"],
                    extractor_version=facts["extractor_version"],
                    facts=facts,
                    record_id=facts["id"],
                )
