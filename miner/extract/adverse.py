"""Harms: adverse events per arm, serious adverse events, withdrawals due to adverse events.

The component ``miner_adverse_event`` reads each sentence that names a harm
(the vocabulary is data: ``patterns/harms.jsonl``, one category per line with
its term patterns) and appends spans to ``doc.spans["miner"]``:

- ``ADVERSE_EVENT`` -- a count tied to a harm term: events/N ("12/40"),
  n (%) ("12 (30%)"), a percentage tied to an arm, or "N patients"; the value
  finder is :func:`miner.extract.arm_value.find_arm_values` (same sentences, so
  its cache is shared), which also names the arm;
- ``ADVERSE_ZERO`` -- a statement that none occurred ("no serious adverse
  events occurred", "no patient withdrew because of adverse events",
  "hypoglycaemia was not observed"): ``events = 0`` with status
  ``zero_reported``;
- ``ADVERSE_MENTION`` -- a harm named without a number or a zero statement
  ("adverse events were similar"): status ``mentioned``.

"Not reported" is the absence of all three for a category; it is never
written as zero (see :func:`harms_status`). "Serious adverse events were not
reported" is ambiguous (none occurred, or the paper did not say) and stays a
mention, never a zero.

Each fact has a ``kind`` (``adverse_event``, ``serious``, ``withdrawal``), the
``term`` as written, its ``category`` from the vocabulary (``any`` for
generic wording such as "adverse events" or "toxicity"), the ``arm`` when the
sentence names one, ``events``/``total``/``percent``, a ``severity`` written
before the term ("grade 3/4", "severe"), the sentence's ``timepoint``, and
char offsets into the doc text like every other fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.arm_value import find_arm_values
from miner.extract.doctext import SPAN_KEY, doc_lower, doc_text, span_list
from miner.extract.effect import add_spans, find_timepoint, make_span, sentence_bounds
from miner.extract.scan import CASE_ODD

LABEL = "ADVERSE"
LABEL_EVENT = "ADVERSE_EVENT"
LABEL_ZERO = "ADVERSE_ZERO"
LABEL_MENTION = "ADVERSE_MENTION"
PATTERN_FILE = Path(__file__).resolve().parent / "patterns" / "harms.jsonl"

#: Kinds of harm facts.
KINDS = ("adverse_event", "serious", "withdrawal")
#: Status of a harm fact, and of a category in a document (see :func:`harms_status`).
STATUSES = ("reported", "zero_reported", "mentioned", "not_reported")


def _load_vocabulary(path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((str(row["category"]), tuple(row["terms"])))
    return tuple(out)


_VOCAB = _load_vocabulary(PATTERN_FILE)
#: Harm categories of ``patterns/harms.jsonl`` in file order (``any`` = generic wording).
CATEGORIES: tuple[str, ...] = tuple(c for c, _ in _VOCAB)


def _term_regex(vocab: Sequence[tuple[str, Sequence[str]]]) -> tuple[re.Pattern[str], list[str]]:
    groups = []
    names = []
    for i, (category, terms) in enumerate(vocab):
        # longest patterns first, so "nausea and vomiting" beats "nausea" at one position
        alt = "|".join(sorted(terms, key=len, reverse=True))
        groups.append(f"(?P<c{i}>{alt})")
        names.append(category)
    pattern = r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w])"
    compiled = re.compile(pattern, re.IGNORECASE)
    if compiled.groups != len(groups):
        # find_terms reads the category off Match.lastgroup
        raise ValueError(f"{PATTERN_FILE}: term patterns may not hold capturing groups")
    return compiled, names


_TERM_RE, _TERM_CATEGORIES = _term_regex(_VOCAB)


# --- which sentences can hold a term -----------------------------------------
#
# The alternation of every term, tried at each character, costs far more than
# the rest of this component; a sentence is searched only if it holds the
# words one spelling of a term is made of. Under ``_TERM_RE`` (case folded,
# no word character before or after a match) every run of ASCII letters of a
# spelling is a whole run of letters of the lowercased text, so "the sentence
# contains each of these runs" is necessary for a match, and ``_TERM_RE``
# itself then decides. The spellings are read from the term patterns by a
# small parser of the syntax they use (literals, groups, ``|``, ``?``, ``*``,
# ``+``, ``[...]``, ``\s``); anything else gives up and every sentence is
# searched.

_RUN_RE = re.compile(r"[a-z]+")
#: More spellings than this for one term: give up (every sentence is searched).
_MAX_SPELLINGS = 50_000


class _Unsupported(ValueError):
    """A term pattern uses syntax :func:`_spellings` does not read."""


def _spellings(pattern: str) -> set[str]:
    """Every way ``pattern`` can be written, any whitespace as one space.

    ``*`` and ``+`` repeat at most twice, which yields the same letter runs
    as more repeats because the repeated part must contain a non-letter.

    Raises
    ------
    _Unsupported
        For syntax other than literals, groups, ``|``, ``?``, ``*``, ``+``,
        character sets without ranges and ``\\s``; for non-ASCII patterns.
    """
    if not pattern.isascii():
        raise _Unsupported(pattern)
    out, i = _alternation(pattern, 0)
    if i != len(pattern):
        raise _Unsupported(pattern)
    return out


def _alternation(p: str, i: int) -> tuple[set[str], int]:
    out: set[str] = set()
    while True:
        branch, i = _sequence(p, i)
        out |= branch
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return out, i


def _sequence(p: str, i: int) -> tuple[set[str], int]:
    out = {""}
    while i < len(p) and p[i] not in "|)":
        atom, i = _atom(p, i)
        if i < len(p) and p[i] in "?*+":
            q = p[i]
            i += 1
            if i < len(p) and p[i] in "?+":  # lazy or possessive: same spellings
                i += 1
            if q != "?" and any(_RUN_RE.fullmatch(a.lower()) for a in atom):
                raise _Unsupported(p)
            if q != "?" and any(_RUN_RE.search(a.lower()) for a in atom):
                # a second repeat can join letters of two (only if it has any)
                atom = atom | {a + b for a in atom for b in atom}
            if q != "+":
                atom = atom | {""}
        elif i < len(p) and p[i] == "{":
            raise _Unsupported(p)
        out = {a + b for a in out for b in atom}
        if len(out) > _MAX_SPELLINGS:
            raise _Unsupported(p)
    return out, i


def _atom(p: str, i: int) -> tuple[set[str], int]:
    c = p[i]
    if c == "(":
        i += 1
        if p.startswith("?", i):
            m = re.match(r"\?(?:[aiLmsux]*-?[imsx]*|P<\w+>):", p[i:])
            if m is None:  # lookarounds, back references, comments
                raise _Unsupported(p)
            i += m.end()
        inner, i = _alternation(p, i)
        if not p.startswith(")", i):
            raise _Unsupported(p)
        return inner, i + 1
    if c == "[":
        j = i + 1
        chars: set[str] = set()
        while j < len(p) and p[j] != "]":
            if p[j] == "\\":
                chars |= _escape(p, j + 1)
                j += 2
            elif p[j] == "^" and j == i + 1:
                raise _Unsupported(p)  # a negated set
            elif p[j] == "-" and j > i + 1 and p[j + 1 : j + 2] != "]":
                raise _Unsupported(p)  # a range
            else:
                chars.add(p[j])
                j += 1
        if j >= len(p) or not chars:
            raise _Unsupported(p)
        return chars, j + 1
    if c == "\\":
        return _escape(p, i + 1), i + 2
    if c in ".^$":
        raise _Unsupported(p)
    return {c}, i + 1


def _escape(p: str, i: int) -> set[str]:
    if i >= len(p) or (p[i].isalnum() and p[i] != "s"):
        raise _Unsupported(p)  # \w, \d, \b ... and back references
    return {" "} if p[i] == "s" else {p[i]}


@dataclass(frozen=True, slots=True)
class _TermRuns:
    """The letter runs (lowercase) the spellings of the terms are made of.

    A sentence can hold a term only if, for some key run ``k`` it contains,
    it contains every run of a set in ``needs[k]``; a term starts where a run
    of ``first`` starts.
    """

    keys: frozenset[bytes]
    needs: Mapping[bytes, tuple[tuple[frozenset[bytes], frozenset[str]], ...]]
    first: frozenset[str]


def _term_runs(vocab: Sequence[tuple[str, Sequence[str]]]) -> _TermRuns | None:
    """:class:`_TermRuns` of ``vocab``; ``None`` when a term pattern cannot be read."""
    sets: set[frozenset[str]] = set()
    first: set[str] = set()
    for _, terms in vocab:
        for term in terms:
            try:
                spellings = _spellings(term)
            except _Unsupported:
                return None
            for spelling in spellings:
                words = _RUN_RE.findall(spelling.lower())
                if not words or not spelling[:1].isalpha():
                    return None
                sets.add(frozenset(words))
                first.add(words[0])
    # a set holding a smaller one adds nothing: the smaller one is met first
    minimal: list[frozenset[str]] = []
    by_run: dict[str, list[frozenset[str]]] = {}
    for runs in sorted(sets, key=lambda r: (len(r), sorted(r))):
        if not any(t <= runs for run in runs for t in by_run.get(run, ())):
            minimal.append(runs)
            by_run.setdefault(min(runs), []).append(runs)
    needs: dict[bytes, list[tuple[frozenset[bytes], frozenset[str]]]] = {}
    for runs in minimal:
        # the longest run is the rarest, roughly: it keys the set
        key = max(sorted(runs), key=len).encode("ascii")
        needs.setdefault(key, []).append((frozenset(r.encode("ascii") for r in runs), runs))
    return _TermRuns(frozenset(needs), {k: tuple(v) for k, v in needs.items()}, frozenset(first))


_TERM_RUNS = _term_runs(_VOCAB)


def _runs_readable(text: str) -> bool:
    """Whether the letter runs of ``text.lower()`` are those ``_TERM_RE`` sees in ``text``."""
    # text holding a scan.CASE_ODD letter is searched at every character
    return _TERM_RUNS is not None and (text.isascii() or not any(c in text for c in CASE_ODD))


def _plain_lower(text: str) -> str | None:
    """``text.lower()`` when :func:`_runs_readable` and no offset moves, else ``None``."""
    if not _runs_readable(text):
        return None
    low = text.lower()
    return low if len(low) == len(text) else None


# bytes.translate: every byte but a-z becomes a space (non-ASCII was "?")
_LETTERS_ONLY = bytes(c if 97 <= c <= 122 else 32 for c in range(256))


def _spellings_met(low: str) -> list[frozenset[str]]:
    """The run sets of :data:`_TERM_RUNS` whose every run is a letter run of ``low``."""
    assert _TERM_RUNS is not None
    needs = _TERM_RUNS.needs
    # the runs of [a-z] of low, as bytes: split() is cheaper than a regex
    words = set(low.encode("ascii", "replace").translate(_LETTERS_ONLY).split())
    return [
        runs
        for key in _TERM_RUNS.keys.intersection(words)
        for runs_b, runs in needs[key]
        if runs_b <= words
    ]


def _term_matches(sentence: str) -> Iterator[re.Match[str]]:
    """``_TERM_RE.finditer(sentence)``, tried only where a first run of a term starts."""
    low = _plain_lower(sentence)
    if low is None:
        yield from _TERM_RE.finditer(sentence)
        return
    assert _TERM_RUNS is not None
    first = _TERM_RUNS.first
    pos = 0
    for run in _RUN_RE.finditer(low):
        start = run.start()
        if start >= pos and run.group() in first:
            m = _TERM_RE.match(sentence, start)
            if m is not None:
                pos = m.end()
                yield m


# The harm is the efficacy outcome here, not a harm of the treatment.
_EFFICACY_AFTER = re.compile(r"^-?\s?(?:free|control)\b", re.IGNORECASE)
_EFFICACY_BEFORE = re.compile(
    r"(?:control\s+of|prevention\s+of|prophylaxis\s+(?:of|against)|protection\s+against"
    r"|treatment\s+of|to\s+prevent|to\s+treat|(?:the|a)\s+history\s+of|at\s+risk\s+of)"
    r"\s+(?:\S+\s+){0,3}$",
    re.IGNORECASE,
)
_SEVERITY_BEFORE = re.compile(
    r"(?P<sev>serious|severe|mild|moderate|major|minor|life[- ]threatening"
    r"|grades?\s*(?:[\u2265>]=?\s*)?[1-5](?:\s*(?:/|-|\u2013|or|and|to)\s*[1-5])?)"
    r"\s+(?:\S+\s+){0,1}$",
    re.IGNORECASE,
)
_SERIOUS_TERM = re.compile(r"^(?:SAEs?)$")
_SEVERE_TERM = re.compile(r"severe\b", re.IGNORECASE)
_WITHDRAW_BEFORE = re.compile(
    r"(?:withdr[ae]w\w*|withdrawals?|discontinu\w*|dropp?(?:ed|ing)?\s+out|drop-?outs?"
    r"|stopp\w*|terminat\w*|left\s+the\s+(?:study|trial)|cessation)"
    r"\b[^;.]{0,60}?\b(?:due\s+to|because\s+of|owing\s+to|as\s+a\s+result\s+of|for|after|from)"
    r"\s+(?:\S+\s+){0,3}$",
    re.IGNORECASE,
)
_WITHDRAW_AFTER = re.compile(
    r"^[\s-]*(?:related\s+)?(?:leading\s+to|resulting\s+in|causing|requiring|that\s+led\s+to"
    r"|which\s+led\s+to)\s+(?:\S+\s+){0,2}?(?:withdrawal|discontinuation|dropout|drop-out"
    r"|termination|cessation)"
    r"|^[\s-]*(?:related\s+)?(?:withdrawals?|discontinuations?|dropouts?|drop-outs?)\b",
    re.IGNORECASE,
)
_MOD = (
    r"(?:serious|severe|major|significant|clinically\s+(?:significant|relevant|important)"
    r"|unexpected|new|other|further|additional|reported|documented|confirmed|any|apparent"
    r"|cases?\s+of|episodes?\s+of|events?\s+of|instances?\s+of|reports?\s+of|signs?\s+of"
    r"|evidence\s+of|occurrences?\s+of|incidences?\s+of|grades?\s*\S+|[\w]+[- ]related)"
)
_ZERO_BEFORE = re.compile(
    rf"\b(?:no|without|free\s+of|absence\s+of)\s+(?:{_MOD}\s+){{0,3}}$", re.IGNORECASE
)
_ZERO_SUBJECT = re.compile(
    r"\b(?:no|none\s+of\s+the|not\s+a\s+single|neither)\s+(?:\S+\s+){0,2}?"
    r"(?:patients?|participants?|subjects?|children|women|men|one|volunteers?|cases?)\s+"
    r"(?:\S+\s+){0,3}?(?:had|has|have|experienced|reported|developed|suffered|showed|presented"
    r"|required|withdrew|discontinued|dropped\s+out|was\s+withdrawn|were\s+withdrawn|left)\b"
    r"[^;]{0,70}$",
    re.IGNORECASE,
)
_ZERO_AFTER = re.compile(
    r"^\s*(?:\S+\s+){0,2}?(?:was|were|has\s+been|have\s+been)\s+(?:not\s+(?:observed|seen|noted"
    r"|found|recorded|detected|documented|encountered)|absent|nil)\b"
    r"|^\s*(?:\S+\s+){0,2}?(?:did\s+not|didn't|never)\s+occur"
    r"|^\s*[:=]\s*(?:none|nil)\b",
    re.IGNORECASE,
)
# A cue before the term reaches it only within its clause.
_CLAUSE_BREAK = re.compile(
    r";|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bexcept\b", re.IGNORECASE
)
_FUTURE = re.compile(
    r"\b(?:will\s+be|will\s+(?:record|assess|monitor|evaluate)|to\s+(?:assess|evaluate|compare"
    r"|determine|investigate|examine)|we\s+(?:aimed|aim|sought|hypothesi[sz]ed))\b",
    re.IGNORECASE,
)
_COUNT_RE = re.compile(
    r"(?<![\w.,/])(?P<n>\d{1,6}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(?:(?:of\s+the\s+)?(?:patients?|participants?|subjects?|children|women|men|cases|persons"
    r"|people|individuals|volunteers))\b",
    re.IGNORECASE,
)
_COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NOT_COUNT_BEFORE = re.compile(r"(?:\bof|\bn\s?=|\btotal|\ball|\bin|\bamong|[:=(])\s*$", re.I)
_ARM_AFTER = re.compile(
    r"^\s*(?:\(\s*[\d.]+\s?%\s*\)\s*)?(?:in|with|receiving|on|from|treated\s+with)\s+(?:the\s+)?"
    r"(?P<arm>[A-Za-z][\w+\-/']*(?:\s[A-Za-z0-9][\w+\-/']*){0,3}?)\s+(?:groups?|arms?)\b"
)
_ZERO_ARM_AFTER = re.compile(
    r"^[^;.]{0,40}?\b(?:in|with|receiving|among)\s+(?:the\s+)?"
    r"(?P<arm>[A-Za-z][\w+\-/']*(?:\s[A-Za-z0-9][\w+\-/']*){0,3}?)\s+(?:groups?|arms?)\b"
)


# "in either arm", "in both groups": every arm, not one
_ALL_ARMS = frozenset({"either", "both", "each", "all", "any", "neither", "two", "the two"})


def _arm(m: re.Match[str] | None) -> str | None:
    if m is None:
        return None
    arm = m.group("arm")
    return None if arm.lower() in _ALL_ARMS else arm


@dataclass(frozen=True, slots=True)
class TermMatch:
    """A harm term in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    category: str
    kind: str
    severity: str | None


@dataclass(frozen=True, slots=True)
class AdverseMatch:
    """One harm fact found in a sentence (offsets relative to the sentence).

    ``start``/``end`` cover the value (counts), the whole statement (zero
    statements) or the term (mentions); ``term_start``/``term_end`` the term.
    """

    start: int
    end: int
    kind: str
    status: str
    term: str
    category: str
    term_start: int
    term_end: int
    arm: str | None = None
    events: int | None = None
    total: int | None = None
    percent: float | None = None
    severity: str | None = None
    timepoint: str | None = None

    @property
    def label(self) -> str:
        """The span label of this fact."""
        return {"reported": LABEL_EVENT, "zero_reported": LABEL_ZERO}.get(
            self.status, LABEL_MENTION
        )


@dataclass(frozen=True, slots=True)
class _Cues:
    """Which context patterns can match somewhere in a sentence.

    Each is searched in windows around every term, and few sentences hold
    any of the words every match of it contains (``_CUE_WORDS``); a window
    of a sentence without them is not searched.
    """

    breaks: bool = True
    efficacy: bool = True
    severity: bool = True
    withdraw: bool = True
    zero: bool = True
    future: bool = True


# Lowercase words (or parts of words) every match of each pattern contains.
_CUE_WORDS = {
    "breaks": (";", "but", "however", "whereas", "while", "although", "except"),  # _CLAUSE_BREAK
    "efficacy": ("control", "prevent", "prophylaxis", "protection", "treat", "history", "risk"),
    "severity": ("serious", "severe", "mild", "moderate", "major", "minor", "life", "grade"),
    "withdraw": ("withdr", "discontinu", "drop", "stopp", "terminat", "left", "cessation"),
    "zero": ("no", "without", "free", "absence", "neither"),  # _ZERO_BEFORE, _ZERO_SUBJECT
    "future": (
        "will",
        "assess",
        "evaluate",
        "compare",
        "determine",
        "investigate",
        "examine",
        "aim",
        "sought",
        "hypothesi",
    ),
}
_ALL_CUES = _Cues()


def _cues(sentence: str) -> _Cues:
    """:class:`_Cues` of ``sentence`` (all true when case folding is not plain ASCII)."""
    if not (sentence.isascii() or not any(c in sentence for c in CASE_ODD)):
        return _ALL_CUES
    low = sentence.lower()
    return _Cues(**{name: any(w in low for w in words) for name, words in _CUE_WORDS.items()})


def _clause_left(sentence: str, pos: int, width: int, cues: _Cues = _ALL_CUES) -> str:
    left = sentence[max(0, pos - width) : pos]
    if not cues.breaks:
        return left
    breaks = list(_CLAUSE_BREAK.finditer(left))
    return left[breaks[-1].end() :] if breaks else left


def find_terms(sentence: str) -> list[TermMatch]:
    """Harm terms of ``sentence`` with category, kind and written severity.

    Terms used as efficacy outcomes ("vomiting-free", "control of nausea",
    "prevention of neutropenia") are left out.
    """
    return _find_terms(sentence, _cues(sentence))


def _find_terms(sentence: str, cues: _Cues) -> list[TermMatch]:
    out: list[TermMatch] = []
    for m in _term_matches(sentence):
        s, e = m.span()
        if _EFFICACY_AFTER.match(sentence[e : e + 10]):
            continue
        if cues.efficacy and _EFFICACY_BEFORE.search(_clause_left(sentence, s, 60, cues)):
            continue
        category = _TERM_CATEGORIES[int(str(m.lastgroup)[1:])]
        sev_m = None
        if cues.severity:
            sev_m = _SEVERITY_BEFORE.search(sentence[max(0, s - 30) : s])
        severity = sev_m.group("sev").lower() if sev_m else None
        text = m.group(0)
        if severity is None and _SEVERE_TERM.match(text):
            severity = "severe"
        kind = "adverse_event"
        if category == "any" and (severity == "serious" or _SERIOUS_TERM.match(text)):
            kind = "serious"
        if (
            cues.withdraw and _WITHDRAW_BEFORE.search(_clause_left(sentence, s, 110, cues))
        ) or _WITHDRAW_AFTER.match(sentence[e : e + 50]):
            kind = "withdrawal"
        if severity is None and out and out[-1].category == "any" and category != "any":
            # "the grade 3 or 4 events were anaemia (...)": the list inherits
            severity = out[-1].severity
        out.append(TermMatch(s, e, text, category, kind, severity))
    return out


def _term_for(
    terms: Sequence[TermMatch], sentence: str, start: int, end: int, cues: _Cues
) -> TermMatch | None:
    """The term a value at ``start:end`` counts: the nearest before it, else one just after."""
    before = [t for t in terms if t.end <= start]
    if before:
        return before[-1]
    after = [t for t in terms if t.start >= end and t.start - end <= 70]
    if after:
        gap = sentence[end : after[0].start]
        if not (cues.breaks and _CLAUSE_BREAK.search(gap)) and "." not in gap.replace("%", ""):
            return after[0]
    return None


def _zero_statement(sentence: str, term: TermMatch, cues: _Cues) -> tuple[int, int] | None:
    """Bounds of a "none occurred" statement about ``term``, or ``None``."""
    s, e = term.start, term.end
    if cues.zero:
        left = _clause_left(sentence, s, 110, cues)
        m = _ZERO_BEFORE.search(left)
        if m:
            return s - len(left) + m.start(), e
        m = _ZERO_SUBJECT.search(left)
        if m:
            return s - len(left) + m.start(), e
    m = _ZERO_AFTER.match(sentence[e : e + 60])
    if m:
        return s, e + m.end()
    return None


def _counts(sentence: str, terms: Sequence[TermMatch], cues: _Cues) -> list[AdverseMatch]:
    out: list[AdverseMatch] = []
    taken: list[tuple[int, int]] = []
    for v in find_arm_values(sentence):
        if v.kind not in ("events", "percent"):
            continue
        term = _term_for(terms, sentence, v.start, v.end, cues)
        if term is None:
            continue
        taken.append((v.start, v.end))
        out.append(
            AdverseMatch(
                v.start,
                v.end,
                term.kind,
                "reported",
                term.text,
                term.category,
                term.start,
                term.end,
                arm=v.arm,
                events=v.events,
                total=v.total,
                percent=v.percent,
                severity=term.severity,
            )
        )
    # "... was reported by 12 patients in the glargine group"
    for m in _COUNT_RE.finditer(sentence):
        s, e = m.span()
        if any(a < e and s < b for a, b in taken):
            continue
        if _NOT_COUNT_BEFORE.search(sentence[max(0, s - 12) : s]):
            continue
        term = _term_for(terms, sentence, s, e, cues)
        if term is None:
            continue
        word = m.group("n").lower()
        n = _COUNT_WORDS[word] if word in _COUNT_WORDS else int(word)
        am = _ARM_AFTER.match(sentence[e : e + 70])
        out.append(
            AdverseMatch(
                s,
                e,
                term.kind,
                "reported",
                term.text,
                term.category,
                term.start,
                term.end,
                arm=_arm(am),
                events=n,
                severity=term.severity,
            )
        )
    return sorted(out, key=lambda a: a.start)


def find_adverse_events(sentence: str) -> list[AdverseMatch]:
    """Harm facts of one sentence, in text order (offsets relative to the sentence).

    Examples
    --------
    >>> [(a.category, a.events, a.status) for a in find_adverse_events(
    ...     "No serious adverse events occurred.")]
    [('any', 0, 'zero_reported')]
    """
    return list(_find_cached(sentence))


@lru_cache(maxsize=1024)
def _find_cached(sentence: str) -> tuple[AdverseMatch, ...]:
    # the component and the collector read the same sentences in turn
    return tuple(_find(sentence))


def _find(sentence: str) -> list[AdverseMatch]:
    cues = _cues(sentence)
    terms = _find_terms(sentence, cues)
    if not terms or (cues.future and _FUTURE.search(sentence)):
        return []
    out = (
        _counts(sentence, terms, cues)
        if re.search(
            r"\d|\b(?:one|two|three|four|five|six|seven|"
            r"eight|nine|ten|eleven|twelve)\b",
            sentence,
            re.I,
        )
        else []
    )
    counted = {(a.term_start, a.term_end) for a in out}
    seen_mentions: set[tuple[str, str]] = set()
    for t in terms:
        if (t.start, t.end) in counted:
            continue
        zero = _zero_statement(sentence, t, cues)
        if zero is not None:
            zm = _ZERO_ARM_AFTER.match(sentence[t.end : t.end + 60])
            out.append(
                AdverseMatch(
                    zero[0],
                    zero[1],
                    t.kind,
                    "zero_reported",
                    t.text,
                    t.category,
                    t.start,
                    t.end,
                    arm=_arm(zm),
                    events=0,
                    severity=t.severity,
                )
            )
            continue
        key = (t.category, t.text.lower())
        if key in seen_mentions:
            continue
        seen_mentions.add(key)
        out.append(
            AdverseMatch(
                t.start,
                t.end,
                t.kind,
                "mentioned",
                t.text,
                t.category,
                t.start,
                t.end,
                severity=t.severity,
            )
        )
    out = [replace(a, timepoint=find_timepoint(sentence, a.start)) for a in out]
    return sorted(out, key=lambda a: (a.start, a.end))


_CACHE_KEY = "miner.adverse_event"


def _doc_matches(doc: Doc) -> list[tuple[int, AdverseMatch]]:
    """Every harm fact of ``doc`` with the char offset of its sentence.

    Computed once per document: the component keeps the list in
    ``doc.user_data`` for the collector.
    """
    cached = doc.user_data.get(_CACHE_KEY)
    if isinstance(cached, list):
        return cached
    text = doc_text(doc)
    # Only sentences holding the letter runs of a spelling of some term are
    # searched (see _TermRuns); the runs are read within each sentence, as
    # _TERM_RE reads it.
    bounds = list(sentence_bounds(doc, text))
    low = doc_lower(doc) if _runs_readable(text) else None
    met: list[frozenset[str]] = []
    if low is not None:
        met = _spellings_met("\n".join([low[start:end] for start, end in bounds]))
        if not met:
            return []
    out: list[tuple[int, AdverseMatch]] = []
    for start, end in bounds:
        if low is not None:
            # a sentence holding those runs holds them as text (a weaker test)
            for runs in met:
                for run in runs:
                    if low.find(run, start, end) < 0:
                        break
                else:
                    break  # every run of a set is there
            else:
                continue
        sentence = text[start:end]
        # Without the runs test most sentences name no harm and one search
        # skips them; past it nearly all do, and find_terms searches them.
        if low is None and not _TERM_RE.search(sentence):
            continue
        for match in find_adverse_events(sentence):
            out.append((start, match))
    return out


class AdverseEventFinder:
    """The ``miner_adverse_event`` component: adds ``ADVERSE_*`` spans to ``doc.spans["miner"]``."""

    def __init__(self, nlp: Language, name: str, mentions: bool = True) -> None:
        self.name = name
        self.mentions = mentions

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        matches = _doc_matches(doc)
        doc.user_data[_CACHE_KEY] = matches
        for offset, match in matches:
            if match.status == "mentioned" and not self.mentions:
                continue
            span = make_span(doc, offset + match.start, offset + match.end, match.label)
            if span is not None:
                spans.append(span)
        add_spans(doc, spans)
        return doc


@Language.factory("miner_adverse_event", default_config={"mentions": True})
def make_adverse_event(nlp: Language, name: str, mentions: bool) -> AdverseEventFinder:
    """Build the ``miner_adverse_event`` component (see :class:`AdverseEventFinder`).

    Parameters
    ----------
    mentions:
        Also keep harms named without a number (status ``mentioned``).
    """
    return AdverseEventFinder(nlp, name, mentions=mentions)


def _fact(offset: int, a: AdverseMatch, text: str) -> dict[str, Any]:
    start, end = offset + a.start, offset + a.end
    return {
        "kind": a.kind,
        "status": a.status,
        "term": a.term,
        "category": a.category,
        "arm": a.arm,
        "events": a.events,
        "total": a.total,
        "percent": a.percent,
        "severity": a.severity,
        "timepoint": a.timepoint,
        "term_start": offset + a.term_start,
        "term_end": offset + a.term_end,
        "start": start,
        "end": end,
        "text": text[start:end],
    }


def collect_adverse_events(doc: Doc) -> list[dict[str, Any]]:
    """Turn the ``ADVERSE_*`` spans of ``doc`` into contract dicts.

    Returns
    -------
    list[dict]
        One dict per fact: ``kind`` (:data:`KINDS`), ``status``
        (``reported``, ``zero_reported``, ``mentioned``), ``term``, ``category``
        (:data:`CATEGORIES`), ``arm``, ``events``, ``total``, ``percent``,
        ``severity``, ``timepoint``, ``term_start``/``term_end``, ``start``,
        ``end``, ``text``.
    """
    if SPAN_KEY not in doc.spans:
        return []
    matches = _doc_matches(doc)
    if not matches:
        return []  # without reading every span of the doc
    wanted = {(a, b, label) for label, a, b, _kb_id in span_list(doc) if label.startswith(LABEL)}
    if not wanted:
        return []
    text = doc_text(doc)
    out = []
    for offset, a in matches:
        start, end = offset + a.start, offset + a.end
        if any(s <= start and end <= e and lab == a.label for s, e, lab in wanted):
            out.append(_fact(offset, a, text))
    return out


def harms_status(
    facts: Iterable[Mapping[str, Any]],
    *,
    category: str | None = None,
    kind: str | None = None,
) -> str:
    """What a document says about a harm: one of :data:`STATUSES`.

    ``reported`` (a count, possibly 0) beats ``zero_reported`` (a statement
    that none occurred), which beats ``mentioned`` (named without numbers);
    ``not_reported`` means no fact at all, and is never read as zero.

    Parameters
    ----------
    facts:
        Output of :func:`collect_adverse_events`.
    category, kind:
        Restrict to one category (:data:`CATEGORIES`) and/or kind (:data:`KINDS`).
    """
    found = {
        f.get("status")
        for f in facts
        if (category is None or f.get("category") == category)
        and (kind is None or f.get("kind") == kind)
    }
    for status in STATUSES[:3]:
        if status in found:
            return status
    return "not_reported"
