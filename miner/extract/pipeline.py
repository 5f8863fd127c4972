"""Build the extraction pipeline once: scispaCy tokenizer + miner components.

The pipeline is a blank English spaCy model with scispaCy's rule tokenizer,
spaCy's ``sentencizer`` rule together with a sentence start after every line
break (titles and ``LABEL:`` sections end without a full stop; one
component, :class:`SentenceSplitter`, named ``sentencizer``), scispaCy's
abbreviation detector (as ``abbreviation_detector``; see
:mod:`miner.extract.abbreviation`) and then the miner components listed in
:data:`COMPONENTS`, in that order. No trained model is needed.

The component list is data: each :class:`ComponentSpec` names the spaCy
factory, the module that registers it, the collector that turns its spans
into contract JSON and the output key. :mod:`miner.extract.collect` walks the
same list, so adding a component means adding one line here.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy
import spacy
from spacy.attrs import IDX, IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.tokens import Doc

from miner.errors import ExtractionError
from miner.extract.doctext import bracket_balance, doc_text, set_doc_text, set_sentence_bounds

#: Longest text (title + "\n" + abstract) the pipeline accepts, in characters.
#: Real abstracts are a few thousand characters; anything far beyond that is
#: a full text or garbage and would cost seconds (spaCy's own limit is 1e6).
MAX_CHARS = 100_000

#: Whitespace-separated chunks whose tokens spaCy's tokenizer keeps (its
#: default, 10,000, is full after a few hundred abstracts; abstracts seen
#: after it miss on about a quarter of their chunks, and a miss costs the
#: prefix, suffix and infix expressions). The cache holds a chunk's tokens
#: exactly as they were computed, so the output is the same at any size.
TOKENIZER_CACHE_CHUNKS = 100_000


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One miner component: factory, module, collector and output key."""

    factory: str
    module: str
    collector: str
    key: str


#: The miner components, in pipeline order (design first, results last).
COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec("miner_design", "miner.extract.design", "collect_design", "design"),
    ComponentSpec(
        "miner_sample_size",
        "miner.extract.sample_size",
        "collect_sample_size",
        "sample_size",
    ),
    ComponentSpec("miner_route", "miner.extract.route", "collect_routes", "routes"),
    ComponentSpec("miner_dose", "miner.extract.dose", "collect_doses", "doses"),
    ComponentSpec("miner_effect", "miner.extract.effect", "collect_effects", "effects"),
    ComponentSpec("miner_arm_value", "miner.extract.arm_value", "collect_arm_values", "arm_values"),
    ComponentSpec(
        "miner_adverse_event", "miner.extract.adverse", "collect_adverse_events", "adverse_events"
    ),
)

_LINE_START_RE = re.compile(r"\n\s*")

# scispaCy's abbreviation detector keeps an empty global matcher and spaCy
# warns about it on every document; the warning says nothing about our input.
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
# spaCy compiles a tokenizer expression that trips this Python FutureWarning.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)


def _continues_sentence(word: str) -> bool:
    """Whether a word after a full stop carries on the sentence.

    A plain lowercase word ("bolus", "twice", "with") after a full stop
    follows an abbreviation ("i.v.", "b.i.d.", "inj.", "resp."), not the end
    of a sentence; written sentences start with a capital, a digit or a
    mixed-case term ("mRNA", "hSGLT3"), which still start one.
    """
    return word.isalpha() and word.islower()


_OPENERS = "(["


def _unbroken_starts(text: str, idx: list[int], after_stop: list[int], line: Any) -> Iterator[int]:
    """The sentence starts after a full stop that do not fall inside brackets.

    A full stop inside a bracket that the next piece of text closes ends no
    sentence: "(P < 0. 05)" split by the tokenizer, "(EudraCT Nr. 2011-...)",
    "(... at baseline. -0.70%; 95% CI ...)". Opening brackets the sentencizer
    leaves at the end of a sentence ("... groups. (2) The ...") are not
    counted; line breaks always start a sentence and reset the count.
    """
    stops = sorted(after_stop)
    line_at = numpy.flatnonzero(line).tolist()
    cur = 0
    li = 0
    for j, tok in enumerate(stops):
        while li < len(line_at) and line_at[li] <= tok:
            cur = max(cur, idx[line_at[li]])
            li += 1
        here = idx[tok]
        before = text[cur:here].rstrip().rstrip(_OPENERS)
        if bracket_balance(before) > 0:
            nxt_end = len(text)
            if j + 1 < len(stops):
                nxt_end = idx[stops[j + 1]]
            if li < len(line_at):
                nxt_end = min(nxt_end, idx[line_at[li]])
            if bracket_balance(text[here:nxt_end]) < 0:
                continue
        yield tok
        cur = here


class SentenceSplitter:
    """spaCy's ``sentencizer`` rule plus a sentence start after every line break.

    Two departures from the ``sentencizer``: a full stop followed by a plain
    lowercase word ends no sentence (see :func:`_continues_sentence`), nor
    does one inside a bracket that the following text closes (see
    :func:`_unbroken_starts`).

    Otherwise the sentence starts are those of spaCy's ``Sentencizer`` (default
    punctuation) followed by a component that starts a sentence at the first
    token after each line break (titles and ``LABEL:`` sections end without
    a full stop), computed from token arrays instead of a loop over Token
    objects (about half the cost), and written with one ``Doc.from_array``.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.strings = nlp.vocab.strings
        self.punct = frozenset(nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars)
        # Every sentence-final character is punctuation (IS_PUNCT) in spaCy's
        # English lexical attributes, so only punctuation tokens need the set
        # lookup; a vocabulary where that fails looks up every token.
        self.punct_only = all(nlp.vocab[c].is_punct for c in Sentencizer.default_punct_chars)

    def _ends(self, arr: numpy.ndarray) -> numpy.ndarray:
        """Indices of the tokens that are sentence-final characters."""
        at = numpy.flatnonzero(arr[:, 1]) if self.punct_only else numpy.arange(len(arr))
        orths = arr[at, 0].tolist()
        return at[numpy.fromiter(map(self.punct.__contains__, orths), bool, len(orths))]

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array([ORTH, IS_PUNCT, IDX])
        ends_at = self._ends(arr)
        # punctuation that is not sentence-final is no word either
        words = numpy.flatnonzero(arr[:, 1] == 0)
        sent = numpy.full(n, -1, dtype="int64")
        sent[0] = 1
        # The Sentencizer starts a sentence at the first token after sentence-
        # final punctuation that is neither punctuation nor such a character.
        text = doc_text(doc)
        idx: list[int] = arr[:, 2].tolist()
        strings = self.strings
        line = numpy.zeros(n, dtype=bool)
        starts = [m.end() for m in _LINE_START_RE.finditer(text) if m.end() < len(text)]
        if starts:
            tok = numpy.searchsorted(arr[:, 2], numpy.array(starts), side="right") - 1
            line[tok[tok > 0]] = True
        if len(ends_at) and len(words):
            k = numpy.searchsorted(words, ends_at, side="right")
            firsts = words[k[k < len(words)]]
            after_stop = [
                i
                for i, orth in zip(firsts.tolist(), arr[firsts, 0].tolist(), strict=True)
                if not line[i] and not _continues_sentence(strings[orth])
            ]
            for i in _unbroken_starts(text, idx, after_stop, line):
                sent[i] = 1
        sent[line] = 1
        doc.from_array([SENT_START], sent.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]
        # The bounds every component and collector reads (doctext.sentence_bounds),
        # from the arrays at hand instead of another pass over the tokens; a
        # token's text (its ORTH string) gives where the last one ends.
        first = numpy.flatnonzero(sent == 1).tolist()
        last = [i - 1 for i in first[1:]]
        last.append(n - 1)
        last_orths = arr[last, 0].tolist()
        set_sentence_bounds(
            doc,
            [
                (idx[a], idx[b] + len(strings[o]))
                for a, b, o in zip(first, last, last_orths, strict=True)
            ],
        )
        return doc


@Language.factory("miner_sentences")
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    """spaCy factory of :class:`SentenceSplitter`."""
    return SentenceSplitter(nlp, name)


class TextKeepingTokenizer:
    """scispaCy's tokenizer that also records its input text on the Doc.

    ``Doc.text`` rebuilds the string from every token on each access (about
    0.1-0.25 ms per abstract); spaCy's tokenization never changes the text, so
    the input string is the Doc's text and :func:`~miner.extract.doctext.doc_text`
    can return it at no cost. Everything else is the wrapped tokenizer's.
    """

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        set_doc_text(doc, text)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize a stream of texts."""
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)


def _import_components() -> list[Any]:
    """Import every component module; a missing or broken one is an error."""
    modules = []
    for spec in COMPONENTS:
        try:
            modules.append(importlib.import_module(spec.module))
        except ImportError as exc:
            raise ExtractionError(
                f"extraction component {spec.factory!r} cannot be loaded from {spec.module}: {exc}"
            ) from exc
    return modules


def component_collectors() -> list[tuple[ComponentSpec, Callable[[Doc], Any]]]:
    """Each :data:`COMPONENTS` spec with its collector function, in pipeline order.

    Raises
    ------
    ExtractionError
        When a component module or its collector is missing.
    """
    out: list[tuple[ComponentSpec, Callable[[Doc], Any]]] = []
    for spec, module in zip(COMPONENTS, _import_components(), strict=True):
        collector = getattr(module, spec.collector, None)
        if collector is None:
            raise ExtractionError(f"{spec.module} has no collector {spec.collector}()")
        out.append((spec, collector))
    return out


def build_pipeline(*, max_chars: int = MAX_CHARS) -> Language:
    """Make a new extraction pipeline (costly: call :func:`load_pipeline`).

    Parameters
    ----------
    max_chars:
        Longest text accepted (``nlp.max_length``).

    Returns
    -------
    Language
        The pipeline; its ``pipe_names`` end with the miner components.

    Raises
    ------
    ExtractionError
        When a component module is missing.
    """
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    import miner.extract.abbreviation  # noqa: F401  (registers "miner_abbreviation_detector")

    _import_components()
    nlp = spacy.blank("en")
    tokenizer = combined_rule_tokenizer(nlp)
    tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    nlp.tokenizer = TextKeepingTokenizer(tokenizer)
    nlp.max_length = max_chars
    # spaCy's sentencizer rule plus line breaks, from token arrays.
    nlp.add_pipe("miner_sentences", name="sentencizer")
    # scispaCy's AbbreviationDetector with a cheaper candidate search (same output).
    nlp.add_pipe("miner_abbreviation_detector", name="abbreviation_detector")
    for spec in COMPONENTS:
        nlp.add_pipe(spec.factory)
    return nlp


_PIPELINE: Language | None = None


def load_pipeline() -> Language:
    """Return the process-wide pipeline, building it on first use.

    Loading costs about a second; every caller in a process (CLI, Celery
    worker, API) shares this one object.
    """
    global _PIPELINE
    if _PIPELINE is None:
        _PIPELINE = build_pipeline()
    return _PIPELINE
