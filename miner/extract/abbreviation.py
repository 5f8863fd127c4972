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
in a long-running worker). The algorithm itself -- ``filter_matches`` and
``find_abbreviation`` -- is scispaCy's own code, called unchanged, so
``doc._.abbreviations`` and ``Span._.long_form`` are what scispaCy sets.
"""

from __future__ import annotations

from collections import defaultdict

import numpy
from scispacy.abbreviation import AbbreviationDetector, filter_matches, find_abbreviation
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

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
        closes = numpy.flatnonzero(orths == self._close).tolist()
        pairs = [
            (j, i)
            for j in closes
            for i in opens
            if i + 2 <= j <= i + _MAX_INSIDE + 1  # at least one token inside
        ]
        pairs.sort(key=lambda p: (p[0], -p[1]))
        return [(0, i + 1, j) for j, i in pairs]

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        orths = doc.to_array(ORTH)
        candidates = self._candidates(orths)
        found: list[tuple[int, int, int, int]] = []
        if candidates:
            filtered = filter_matches(candidates, doc)
            for long_form, short_forms in self._find_matches_for(filtered, doc, orths):
                # In text order (scispaCy's order is that of a set of Spans).
                for short in sorted(short_forms, key=lambda s: s.start):
                    short._.long_form = long_form
                    doc._.abbreviations.append(short)
                    found.append(
                        (short.start_char, short.end_char, long_form.start_char, long_form.end_char)
                    )
        doc.user_data[ABBREVIATIONS_KEY] = found
        if self.make_serializable:
            abbreviations = doc._.abbreviations
            doc._.abbreviations = [self.make_short_form_serializable(a) for a in abbreviations]
        return doc

    def _find_matches_for(
        self, filtered: list[tuple[Span, Span]], doc: Doc, orths: numpy.ndarray
    ) -> list[tuple[Span, set[Span]]]:
        """scispaCy's ``find_matches_for`` with the global matcher replaced by array search."""
        rules: dict[str, Span] = {}
        patterns: dict[str, list[int]] = {}
        all_occurrences: dict[Span, set[Span]] = defaultdict(set)
        seen_long: set[str] = set()
        seen_short: set[str] = set()
        for long_candidate, short_candidate in filtered:
            short, long = find_abbreviation(long_candidate, short_candidate)
            new_long = long.text not in seen_long if long else False
            new_short = short.text not in seen_short
            if long is not None and new_long and new_short:
                seen_long.add(long.text)
                seen_short.add(short.text)
                all_occurrences[long].add(short)
                rules[long.text] = long
                patterns[long.text] = [t.orth for t in short]
        n = len(orths)
        for key, seq in patterns.items():
            width = len(seq)
            if width == 0:
                continue
            hits = numpy.flatnonzero(orths[: n - width + 1] == seq[0])
            for start in hits.tolist():
                if width == 1 or orths[start : start + width].tolist() == seq:
                    all_occurrences[rules[key]].add(doc[start : start + width])
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
