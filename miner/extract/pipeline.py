"""Build the extraction pipeline once: scispaCy tokenizer + miner components.

The pipeline is a blank English spaCy model with scispaCy's rule tokenizer,
the ``sentencizer``, a small component that starts a sentence after every line
break (titles and ``LABEL:`` sections end without a full stop), scispaCy's
``abbreviation_detector`` and then the miner components listed in
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from miner.errors import ExtractionError

#: Longest text (title + "\n" + abstract) the pipeline accepts, in characters.
#: Real abstracts are a few thousand characters; anything far beyond that is
#: a full text or garbage and would cost seconds (spaCy's own limit is 1e6).
MAX_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One miner component: factory, module, collector and output key.

    ``empty`` is what the output key holds when the component found nothing
    (``"list"`` for ``[]``, ``"dict"`` for the collector's own empty dict).
    """

    factory: str
    module: str
    collector: str
    key: str
    empty: str = "list"


#: The miner components, in pipeline order (design first, results last).
COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec("miner_design", "miner.extract.design", "collect_design", "design", "dict"),
    ComponentSpec(
        "miner_sample_size",
        "miner.extract.sample_size",
        "collect_sample_size",
        "sample_size",
        "dict",
    ),
    ComponentSpec("miner_route", "miner.extract.route", "collect_routes", "routes"),
    ComponentSpec("miner_dose", "miner.extract.dose", "collect_doses", "doses"),
    ComponentSpec("miner_effect", "miner.extract.effect", "collect_effects", "effects"),
    ComponentSpec("miner_arm_value", "miner.extract.arm_value", "collect_arm_values", "arm_values"),
)

#: While the engine is being written some component modules do not exist yet.
#: With ``REQUIRE_ALL = False`` a missing module is skipped with a warning;
#: once every module exists this is ``True`` and a missing one is an error.
REQUIRE_ALL = False

_NEWLINE_RE = re.compile(r"\n")

# scispaCy's abbreviation detector keeps an empty global matcher and spaCy
# warns about it on every document; the warning says nothing about our input.
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
# spaCy compiles a tokenizer expression that trips this Python FutureWarning.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)


@Language.component("miner_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after each line break (title / section boundaries)."""
    text = doc.text
    for m in _NEWLINE_RE.finditer(text):
        pos = m.end()
        # The first non-space character after the break starts a sentence.
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            continue
        span = doc.char_span(pos, pos + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            doc[span.start].is_sent_start = True
    return doc


def available_components() -> tuple[tuple[ComponentSpec, ...], tuple[ComponentSpec, ...]]:
    """Split :data:`COMPONENTS` into (importable, missing) modules."""
    present: list[ComponentSpec] = []
    missing: list[ComponentSpec] = []
    for spec in COMPONENTS:
        try:
            importlib.import_module(spec.module)
        except ModuleNotFoundError as exc:
            if exc.name != spec.module:  # the module exists but is broken: say so
                raise
            missing.append(spec)
        else:
            present.append(spec)
    return tuple(present), tuple(missing)


def component_collectors() -> list[tuple[ComponentSpec, Callable[[Doc], Any] | None]]:
    """Each spec with its collector function (``None`` when the module is missing)."""
    present, _missing = available_components()
    names = {s.factory for s in present}
    out: list[tuple[ComponentSpec, Callable[[Doc], Any] | None]] = []
    for spec in COMPONENTS:
        if spec.factory in names:
            out.append((spec, getattr(importlib.import_module(spec.module), spec.collector)))
        else:
            out.append((spec, None))
    return out


def _blank_english() -> Language:
    """``spacy.blank("en")``, tolerating not-yet-written entry-point modules.

    spaCy imports every ``spacy_factories`` entry point when a Language is
    made; while a component module listed in pyproject.toml does not exist
    yet that import fails. The components are imported explicitly below, so
    the entry points are not needed to build this pipeline.
    """
    try:
        return spacy.blank("en")
    except ModuleNotFoundError:
        if REQUIRE_ALL:
            raise
        registry = spacy.util.registry._entry_point_factories
        registry.entry_points = False
        try:
            return spacy.blank("en")
        finally:
            registry.entry_points = True


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
        When a component module is missing (once all are required).
    """
    import scispacy.abbreviation  # noqa: F401  (registers "abbreviation_detector")
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    present, missing = available_components()
    if missing:
        names = ", ".join(s.module for s in missing)
        if REQUIRE_ALL:
            raise ExtractionError(f"extraction component modules missing: {names}")
        warnings.warn(f"extraction components not available yet: {names}", stacklevel=2)
    nlp = _blank_english()
    nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.max_length = max_chars
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("miner_line_breaks")
    nlp.add_pipe("abbreviation_detector")
    for spec in present:
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
