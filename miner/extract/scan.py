"""Run a regular expression only near the words every match must contain.

Python's ``re`` tries a pattern that starts with ``\\b`` or an alternation at
every character of the text (about 25 ns each, so ~50 us per pattern per
abstract), while ``str.find`` of a literal is nearly free. When every match
of a pattern contains one of a few literal words (case-insensitively) and
extends at most ``before`` characters before and ``after`` characters after
that word (lookarounds included), scanning only the windows around the words
finds exactly the matches of a scan over the whole text.

:func:`finditer_near` does that; callers state the literals and the reach of
their pattern next to it, and the tests compare it with a full scan on real
abstracts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def lower_same_length(text: str) -> str | None:
    """``text.lower()`` when it keeps every offset (almost always), else ``None``."""
    low = text.lower()
    return low if len(low) == len(text) else None


def literal_windows(
    low: str, literals: Iterable[str], before: int, after: int
) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` windows around every occurrence of the literals in ``low``.

    Parameters
    ----------
    low:
        The lowercased text.
    literals:
        Lowercase words; each occurrence opens a window.
    before, after:
        Characters kept before the start and after the end of an occurrence.
    """
    n = len(low)
    spans: list[tuple[int, int]] = []
    for word in literals:
        i = low.find(word)
        while i >= 0:
            spans.append((max(0, i - before), min(n, i + len(word) + after)))
            i = low.find(word, i + 1)
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        last_lo, last_hi = merged[-1]
        if lo <= last_hi:
            if hi > last_hi:
                merged[-1] = (last_lo, hi)
        else:
            merged.append((lo, hi))
    return merged


def finditer_near(
    regex: re.Pattern[str],
    text: str,
    low: str | None,
    literals: Iterable[str],
    before: int,
    after: int,
) -> Iterator[re.Match[str]]:
    """Matches of ``regex`` in ``text``, searched only near the ``literals``.

    Parameters
    ----------
    regex:
        A compiled pattern every match of which contains one of ``literals``
        (ignoring case) and reaches at most ``before``/``after`` characters
        beyond it, lookarounds included.
    text:
        The text.
    low:
        :func:`lower_same_length` of ``text``; ``None`` scans the whole text.
    literals, before, after:
        See above.

    Yields
    ------
    re.Match
        The matches ``regex.finditer(text)`` gives, in order.
    """
    if low is None:
        yield from regex.finditer(text)
        return
    last_end = 0
    for lo, hi in literal_windows(low, literals, before, after):
        for m in regex.finditer(text, max(lo, last_end), hi):
            yield m
            last_end = m.end()


def matches_at(regex: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """``regex.finditer(text)`` for a pattern whose matches can only start at ``starts``.

    ``starts`` are increasing positions; the pattern is tried at each one that
    no earlier match covers (leftmost first, no overlaps, as ``finditer``).
    Trying a few positions is cheaper than a scan of every character.
    """
    out: list[re.Match[str]] = []
    cursor = 0
    match = regex.match
    for q in starts:
        if q < cursor:
            continue
        m = match(text, q)
        if m is not None:
            out.append(m)
            cursor = m.end()
    return out


def match_at_starts(
    regex: re.Pattern[str],
    starts: re.Pattern[str],
    text: str,
    ranges: Iterable[tuple[int, int] | list[int]],
) -> list[re.Match[str]]:
    """Matches of ``regex`` tried only at the ``starts`` positions inside ``ranges``.

    Each ``(lo, hi)`` range (sorted, not overlapping) is searched with
    ``starts`` for the positions where a match may begin (``hi`` included);
    ``regex.match`` is tried there (see :func:`matches_at`). Leftmost first and
    without overlaps, as ``regex.finditer`` gives them, when every match
    starts at such a position inside a range.
    """
    positions = (c.start() for lo, hi in ranges for c in starts.finditer(text, lo, hi + 1))
    return matches_at(regex, text, positions)


#: Characters that match an ASCII letter under ``re.IGNORECASE`` without
#: lowercasing to it, or not one for one (dotted and dotless I, long s, the
#: Kelvin sign): a text holding one may match a pattern of letters that its
#: lowercased form does not show where it does, so a screen on the lowercased
#: text does not hold for it.
CASE_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


def may_contain(text: str, low: str, words: Iterable[str]) -> bool:
    """False only when no case-insensitive match of any of ``words`` can be in ``text``.

    ``low`` is ``text.lower()``; ``words`` are lowercase ASCII. A cheap test
    before a regular expression every match of which contains one of them.
    """
    for word in words:  # (a loop costs far less than any() over a generator)
        if word in low:
            return True
    return any(c in text for c in CASE_ODD)


def literal_positions(text: str, literals: Iterable[str]) -> list[int]:
    """Start of every occurrence of the ``literals`` in ``text`` (case as written), in order."""
    out: list[int] = []
    for word in literals:
        i = text.find(word)
        while i >= 0:
            out.append(i)
            i = text.find(word, i + 1)
    out.sort()
    return out
