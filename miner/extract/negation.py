"""Negation and hedging cues around a span, so that "no patient received X" is no fact.

A fact is dropped when, inside its own sentence, a cue stands in a short
window before it (``no``, ``not``, ``without``, ``none of``, ``neither``,
``failed to``, ``may``, ``could``, ``planned`` ...) with no clause break
(``but``, ``however``, ``whereas``, ``;``) in between, or when a cue follows
it closely ("... was not", "... will be"). The windows are short on purpose:
a cue far away in a long sentence usually governs something else.

:func:`negation_cue` is the pure text version (tested without spaCy);
:func:`is_negated` finds the sentence in a ``Doc`` and calls it.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from miner.extract.doctext import doc_text
from miner.extract.scan import CASE_ODD

#: Characters looked at before / after the span.
WINDOW_BEFORE = 60
WINDOW_AFTER = 30

# Cues before the span. "no" is not a cue in "No." (number) or "no significant
# difference" about something else is handled by the short window.
_BEFORE_CUES = (
    r"no",
    r"not",
    r"nor",
    r"never",
    # "with or without X", "with and without X" name two options, negate neither
    r"(?<!\bwith\sor\s)(?<!\bwith\sand\s)without",
    r"none\s+of",
    r"neither",
    r"absence\s+of",
    r"free\s+of",
    r"failed\s+to",
    r"did\s+not",
    r"didn'?t",
    r"cannot",
    r"unable\s+to",
    # Lowercase only and not before a day: "May 12, 2012" is a month.
    r"(?-i:may)(?!\s+\d)",
    r"might",
    r"could",
    r"would",
    r"should",
    r"will",
    r"shall",
    r"plan(?:s|ned)?\s+to",
    # "the planned 300 adults" (right before the span), "the planned sample
    # size of 300", not "planned surgery (n = 40)"
    r"planned(?=\s*$|\s+(?:sample|size|total|target|enrol|recruit|accrual|interim|number))",
    r"target(?:ed)?\s+(?:for|of|to)",
    r"aim(?:s|ed)?\s+to",
    r"expected\s+to",
    r"proposed",
    r"intend(?:s|ed)?\s+to",
    r"to\s+be",
    r"if",
    r"unless",
    r"whether",
)
_BEFORE_RE = re.compile(
    r"\b(?:" + "|".join(_BEFORE_CUES) + r")\b(?!\.\s*\d)",  # "No. 5" is a number
    re.IGNORECASE,
)
# Cues right after the span: "X was not given", "X will be randomized".
_AFTER_RE = re.compile(
    r"^[^.;:]{0,15}?\b(?:(?:was|were|is|are|be|been)\s+not|not|will|would|may|might|could"
    r"|(?:is|are)\s+planned)\b",
    re.IGNORECASE,
)
# A clause break ends the reach of a cue.
# A colon before a capital starts a new unit ("... Do Not Differ: A Randomized
# Trial", "Results: ...").
_BREAK_RE = re.compile(
    r"(?:;|:\s+(?-i:[A-Z])|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bthough\b"
    r"|\band\s+then\b)",
    re.IGNORECASE,
)


# Every match of _BREAK_RE holds ";" or one of these words, and every match
# of _BEFORE_RE starts with one of these words (or is "to be"), as whole runs
# of ASCII letters of the lowercased text (\b falls where such a run ends).
# The regular expressions cost ~5 us per window each and few windows hold
# any cue, so a window without these words is not searched (~1 us).
_BREAK_WORDS = frozenset({"but", "however", "whereas", "while", "although", "though", "then"})
_CUE_WORDS = frozenset(
    {
        "no",
        "not",
        "nor",
        "never",
        "without",
        "none",
        "neither",
        "absence",
        "free",
        "failed",
        "did",
        "didn",
        "didnt",
        "cannot",
        "unable",
        "may",
        "might",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "plan",
        "plans",
        "planned",
        "target",
        "targeted",
        "aim",
        "aims",
        "aimed",
        "expected",
        "proposed",
        "intend",
        "intends",
        "intended",
        "if",
        "unless",
        "whether",
    }
)
_RUN_RE = re.compile(r"[a-z]+")


def _may_hold(left: str) -> tuple[bool, bool]:
    """Whether ``left`` may hold a clause break, and whether it may hold a cue."""
    if not left.isascii() and any(c in left for c in CASE_ODD):
        return True, True
    words = _RUN_RE.findall(left.lower())
    may_break = ";" in left or ":" in left or not _BREAK_WORDS.isdisjoint(words)
    may_cue = not _CUE_WORDS.isdisjoint(words) or ("be" in words and "to" in words)
    return may_break, may_cue


def negation_cue(
    sentence: str,
    start: int,
    end: int,
    *,
    before: int = WINDOW_BEFORE,
    after: int = WINDOW_AFTER,
) -> str | None:
    """Return the negation/hedging cue governing ``sentence[start:end]``, if any.

    Parameters
    ----------
    sentence:
        The sentence text.
    start, end:
        Offsets of the span inside ``sentence``.
    before, after:
        Window sizes in characters.

    Returns
    -------
    str | None
        The cue as written (e.g. ``"failed to"``), or ``None``.

    Examples
    --------
    >>> negation_cue("No patient received ketamine.", 20, 28)
    'No'
    >>> negation_cue("Patients received ketamine.", 18, 26) is None
    True
    """
    left = sentence[max(0, start - before) : start]
    may_break, may_cue = _may_hold(left)
    if may_break:
        breaks = list(_BREAK_RE.finditer(left))
        if breaks:
            left = left[breaks[-1].end() :]
    if may_cue:
        cues = list(_BEFORE_RE.finditer(left))
        if cues:
            return cues[-1].group(0)
    m = _AFTER_RE.match(sentence[end : end + after])
    if m:
        return m.group(0).split()[-1]
    return None


# A sentence ends at ". " before a capital or digit, or at a line break.
_SENT_END_RE = re.compile(r"[.!?]\s+(?=[A-Z0-9])|\n")


def is_negated(doc: Doc | str, start_char: int, end_char: int) -> bool:
    """Whether the span at ``start_char:end_char`` of ``doc`` is negated or hedged.

    Only the window around the span matters, cut at sentence ends found in
    the text itself (``". "`` before a capital, a line break), which keeps
    this cheap enough to call for every candidate number.

    Parameters
    ----------
    doc:
        A Doc (or its text).
    start_char, end_char:
        Character offsets of the span in the text.

    Returns
    -------
    bool
        ``True`` when a cue of :func:`negation_cue` governs the span.
    """
    text = doc if isinstance(doc, str) else doc_text(doc)
    lo = max(0, start_char - WINDOW_BEFORE)
    hi = min(len(text), end_char + WINDOW_AFTER)
    # One character past the start, so that ". " before the span sees its capital.
    before = text[lo : start_char + 1]
    if "." in before or "\n" in before or "!" in before or "?" in before:
        ends = [m for m in _SENT_END_RE.finditer(before) if m.end() <= start_char - lo]
        if ends:
            lo += ends[-1].end()
    m = _SENT_END_RE.search(text, end_char, hi)
    if m:
        hi = m.start() + 1
    return negation_cue(text[lo:hi], start_char - lo, end_char - lo) is not None


#: A sentence (or clause) that asks for more research: "larger trials of
#: intravenous dosing are needed", "further studies, however, need to be done
#: in a double-blind design". What it names is no fact of this study.
RESEARCH_CALL_RE = re.compile(
    r"\b(?:further|future|larger|longer|bigger|long-term|more|additional|well-designed)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:studies|trials|research|investigations?)\b[^.;]{0,120}?"
    r"\b(?:(?:are|is)\s+(?:still\s+)?(?:needed|required|recommended|warranted|necessary)"
    r"|needs?\s+to\s+be\s+(?:done|conducted|performed|carried\s+out|undertaken)"
    r"|should\s+be\s+(?:done|conducted|performed|carried\s+out|undertaken))\b",
    re.IGNORECASE,
)


def in_research_call(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``text[start:end]`` asks for more research.

    The sentence is cut at ". " before a capital or digit and at line breaks
    (as in :func:`is_negated`), and at semicolons.
    """
    lo = max(0, start - 400)
    for m in _SENT_END_RE.finditer(text, lo, start):
        lo = m.end()
    stop = _SENT_END_RE.search(text, end)
    hi = stop.start() + 1 if stop else len(text)
    # a semicolon ends the clause: "took placebo; more studies are needed"
    lo = text.rfind(";", lo, start) + 1 or lo
    semi = text.find(";", end, hi)
    hi = semi if semi >= 0 else hi
    return RESEARCH_CALL_RE.search(text, lo, hi) is not None
