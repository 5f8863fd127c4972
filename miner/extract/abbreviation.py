"""scispaCy's ``AbbreviationDetector`` with cheaper candidate search, same output.

scispaCy's detector (Schwartz & Hearst 2003) runs a token ``Matcher`` for
``( ... )`` over every token, which yields every pair of an opening and a
later closing bracket, and then a second ``Matcher`` built per document for
the short forms it found; the two matchers cost more than the rest of the
algorithm. This subclass finds the same candidates from one token array
(only pairs with at most 8 tokens inside: scispaCy's ``filter_matches``
drops longer ones), in the order the ``Matcher`` returns them, skips
documents without brackets, and finds short-form occurrences by comparing
token ids instead of adding a pattern per document to a matcher (which also
added every long form to the shared ``StringStore``, growing it without bound
in a long-running worker). The algorithm itself -- ``filter_matches``,
``short_form_filter``, ``find_abbreviation`` -- is scispaCy's code ported line
by line to token texts and ranges (building a Token object per character test
cost more than the algorithm), so ``doc._.abbreviations`` and
``Span._.long_form`` are what scispaCy sets; the tests compare the two on real
abstracts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

import numpy
from scispacy.abbreviation import AbbreviationDetector
from spacy.attrs import IDX, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from miner.extract.doctext import doc_text

#: ``doc.user_data`` key of the abbreviations as plain character offsets:
#: ``(short_start, short_end, long_start, long_end)`` per short form, in the
#: order of ``doc._.abbreviations`` (read without Span extension lookups).
ABBREVIATIONS_KEY = "miner.abbreviations"
#: scispaCy's ``filter_matches`` drops candidates with more tokens inside the brackets.
_MAX_INSIDE = 8


class FastAbbreviationDetector(AbbreviationDetector):
    """``AbbreviationDetector`` with array-based candidate and occurrence search."""

    def __init__(
        self,
        nlp: Language,
        name: str = "abbreviation_detector",
        make_serializable: bool = False,
    ) -> None:
        super().__init__(nlp, name=name, make_serializable=make_serializable)
        self._open = nlp.vocab.strings.add("(")
        self._close = nlp.vocab.strings.add(")")

    def _candidates(self, orths: numpy.ndarray) -> list[tuple[int, int, int]]:
        """``(0, start, end)`` inside each bracket pair, in the ``Matcher``'s order.

        The ``Matcher`` reports matches by end token, latest start first.
        """
        opens = numpy.flatnonzero(orths == self._open).tolist()
        if not opens:
            return []
        out: list[tuple[int, int, int]] = []
        for j in numpy.flatnonzero(orths == self._close).tolist():
            # opening brackets with 1 to _MAX_INSIDE tokens before j, latest first
            lo = bisect_left(opens, j - _MAX_INSIDE - 1)
            hi = bisect_right(opens, j - 2)
            out.extend((0, i + 1, j) for i in reversed(opens[lo:hi]))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        orths = doc.to_array(ORTH)
        candidates = self._candidates(orths)
        found: list[tuple[int, int, int, int]] = []
        if candidates:
            tokens = _Tokens(doc, orths)
            filtered = _filter_matches(candidates, tokens, self._open, self._close)
            matches = _find_matches_for(filtered, tokens)
            abbreviations = doc._.abbreviations if matches else []
            for (ls, le), shorts in matches:
                long_form = doc[ls:le]
                # In text order (scispaCy's order is that of a set of Spans).
                for ss, se in sorted(shorts):
                    short = doc[ss:se]
                    short._.long_form = long_form
                    abbreviations.append(short)
                    found.append(
                        (short.start_char, short.end_char, long_form.start_char, long_form.end_char)
                    )
        doc.user_data[ABBREVIATIONS_KEY] = found
        if self.make_serializable:
            abbreviations = doc._.abbreviations
            doc._.abbreviations = [self.make_short_form_serializable(a) for a in abbreviations]
        return doc


# ------------------------------------------------------------------------------
# scispaCy's filter_matches, short_form_filter, find_abbreviation and
# find_matches_for, line by line, on token texts and (start, end) token ranges
# instead of Tokens and Spans: a Token object per character test cost more
# than the algorithm. The tests compare with scispaCy itself.

_Range = tuple[int, int]


class _Tokens:
    """Token ids, texts (read when asked) and offsets of a Doc."""

    def __init__(self, doc: Doc, orths: numpy.ndarray) -> None:
        self.orths = orths
        self._orth_list: list[int] = orths.tolist()
        self._strings = doc.vocab.strings
        self.text = doc_text(doc)
        # char offset of each token, and of the end of the text
        self.idx: list[int] = doc.to_array(IDX).tolist()
        self.idx.append(len(self.text))

    def words(self, start: int, end: int) -> list[str]:
        """``[t.text for t in doc[start:end]]``."""
        strings = self._strings
        return [strings[o] for o in self._orth_list[start:end]]

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``: up to the end of the last token, without its space."""
        last = end - 1
        return self.text[
            self.idx[start] : self.idx[last] + len(self._strings[self._orth_list[last]])
        ]


def _unbalanced(orths: list[int], open_: int, close: int) -> bool:
    depth = 0
    for orth in orths:
        if orth == open_:
            depth += 1
        elif orth == close:
            if depth > 0:
                depth -= 1
            else:
                return True
    return depth != 0


def _short_form_ok(tokens: _Tokens, start: int, end: int) -> bool:
    if not all(2 <= len(w) < 10 for w in tokens.words(start, end)):
        return False
    text = tokens.span_text(start, end)
    if sum(c.isalpha() for c in text) / len(text) < 0.5:
        return False
    return text[0].isalpha()


def _filter_matches(
    candidates: list[tuple[int, int, int]], tokens: _Tokens, open_: int, close: int
) -> list[tuple[_Range, _Range]]:
    """``(long form candidate, short form candidate)`` as scispaCy's ``filter_matches``."""
    out = []
    for _, start, end in candidates:
        if end - start > 8 or start == 1:
            continue
        if end - start > 3:
            short = (start - 2, start - 1)
            long = (start, end)
            if _unbalanced(tokens.orths[start:end].tolist(), open_, close):
                continue
        else:
            short = (start, end)
            length = sum(len(w) for w in tokens.words(start, end))
            max_words = min(length + 5, length * 2)
            long = (max(start - max_words - 1, 0), start - 1)
        if _short_form_ok(tokens, *short):
            out.append((long, short))
    return out


def _find_abbreviation(tokens: _Tokens, long: _Range, short: _Range) -> _Range | None:
    """The long form of ``short`` inside ``long``, as scispaCy's ``find_abbreviation``."""
    long_form = " ".join(tokens.words(*long))
    short_form = " ".join(tokens.words(*short))
    # scispaCy lowers one character at a time; for ASCII the whole string is the same
    ascii = long_form.isascii() and short_form.isascii()
    long_low = long_form.lower() if ascii else long_form
    short_low = short_form.lower() if ascii else short_form
    long_index = len(long_form) - 1
    short_index = len(short_form) - 1
    while short_index >= 0:
        current_char = short_low[short_index] if ascii else short_form[short_index].lower()
        if not current_char.isalnum():
            short_index -= 1
            continue
        while (
            long_index >= 0
            and (long_low[long_index] if ascii else long_form[long_index].lower()) != current_char
        ) or (short_index == 0 and long_index > 0 and long_form[long_index - 1].isalnum()):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    long_index += 1
    # len(token.text_with_ws) summed: the offset of the next token from the first
    idx = tokens.idx
    first = idx[long[0]]
    for i in range(long[0], long[1]):
        if idx[i + 1] - first > long_index:
            return (i, long[1])
    return long


def _find_matches_for(
    filtered: list[tuple[_Range, _Range]], tokens: _Tokens
) -> list[tuple[_Range, set[_Range]]]:
    """scispaCy's ``find_matches_for``; short-form occurrences found by comparing token ids."""
    rules: dict[str, _Range] = {}
    patterns: dict[str, list[int]] = {}
    all_occurrences: dict[_Range, set[_Range]] = defaultdict(set)
    seen_long: set[str] = set()
    seen_short: set[str] = set()
    for long_candidate, short_candidate in filtered:
        long = _find_abbreviation(tokens, long_candidate, short_candidate)
        if long is None:
            continue
        long_text = tokens.span_text(*long)
        short_text = tokens.span_text(*short_candidate)
        if long_text not in seen_long and short_text not in seen_short:
            seen_long.add(long_text)
            seen_short.add(short_text)
            all_occurrences[long].add(short_candidate)
            rules[long_text] = long
            patterns[long_text] = tokens.orths[short_candidate[0] : short_candidate[1]].tolist()
    orths = tokens.orths
    n = len(orths)
    for key, seq in patterns.items():
        width = len(seq)
        hits = numpy.flatnonzero(orths[: n - width + 1] == seq[0])
        for start in hits.tolist():
            if width == 1 or orths[start : start + width].tolist() == seq:
                all_occurrences[rules[key]].add((start, start + width))
    return list(all_occurrences.items())


@Language.factory(
    "miner_abbreviation_detector",
    default_config={"make_serializable": False},
)
def make_abbreviation_detector(
    nlp: Language, name: str, make_serializable: bool
) -> FastAbbreviationDetector:
    """spaCy factory of :class:`FastAbbreviationDetector`.

    Parameters
    ----------
    make_serializable:
        As scispaCy's: store abbreviations as plain dicts (for multiprocessing).
    """
    return FastAbbreviationDetector(nlp, name=name, make_serializable=make_serializable)
