"""The living dataset: from stored extractions to versioned pooled results.

For one saved search (:class:`miner.searches.SavedSearch`) this module

1. decides which member articles are eligible (RCT, language, years, and the
   comparison named in the abstract);
2. turns each article's extracted facts into at most one effect per
   outcome x time-point window, from a reported between-group estimate with
   its CI, or from a pair of arm summaries (mean/SD/n or events/total) matched
   unambiguously to the intervention and the comparator;
3. applies human review decisions (exclude, include, correct), which are
   stored apart from extractions and so survive re-extraction;
4. pools per outcome x window, overall and per subgroup (route, dose band);
5. writes a new dataset version only when the content changed, and diffs
   versions for ``miner search history`` and dashboards.

A wrong number is worse than a missing one: whenever a value cannot be tied to
the search's comparison, outcome and time window without guessing, it is left
out and the reason is recorded in the version's ``excluded`` list.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from miner import __version__
from miner.demo import is_synthetic_id
from miner.effects import RATIO_MEASURES
from miner.errors import ConfigError, EffectSizeError, MinerError
from miner.records import Article, Effect, Extraction
from miner.searches import Outcome, SavedSearch, TimeWindow
from miner.store import Store
from miner.tiers import Tier

#: Subgroup value used for the overall pool.
ALL = "all"
#: Subgroup value when an abstract does not say.
NOT_REPORTED = "not reported"
#: Subgroup value when an abstract names several (routes, dose bands) for the intervention.
MIXED = "mixed"

# ----------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class StudyEffect:
    """One study's effect for one outcome x window, with everything needed to trace it."""

    pmid: str
    outcome: str
    window: str
    measure: str
    yi: float
    vi: float
    n_total: int | None
    subgroups: dict[str, str]
    provenance: dict[str, Any]
    assumptions: tuple[str, ...] = ()
    #: Evidence tier of the study (:mod:`miner.tiers`): pooled only with its own tier.
    tier: str = "randomized"

    def to_effect(self) -> Effect:
        """The :class:`miner.records.Effect` that pooling takes."""
        return Effect(
            study_id=self.pmid,
            measure=self.measure,
            yi=self.yi,
            vi=self.vi,
            timepoint=self.window,
            outcome=self.outcome,
            n_total=self.n_total,
            assumptions=self.assumptions,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["assumptions"] = list(self.assumptions)
        return d


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why something was left out (a whole article, or one value of it)."""

    pmid: str
    reason: str
    outcome: str | None = None
    window: str | None = None
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Dataset:
    """What one build of a saved search produced (before it is written as a version)."""

    search: SavedSearch
    studies: tuple[dict[str, Any], ...]
    effects: tuple[StudyEffect, ...]
    excluded: tuple[Exclusion, ...]
    pooled: tuple[dict[str, Any], ...]
    reviews: tuple[int, ...]
    extractor_versions: tuple[str, ...]
    code_version: str = __version__
    notes: tuple[str, ...] = field(default=())
    tier_counts: dict[str, int] = field(default_factory=dict)
    cited: tuple[dict[str, Any], ...] = ()
    harms: dict[str, Any] = field(default_factory=dict)
    durability: tuple[dict[str, Any], ...] = ()
    dose_response: tuple[dict[str, Any], ...] = ()

    def content(self) -> dict[str, Any]:
        """The JSON object stored as the version's ``content`` (no timestamps).

        Besides studies, effects, exclusions and pooled rows: ``tier_counts``
        (extracted member articles per evidence tier), ``cited`` (evidence
        syntheses, never pooled), ``harms`` (pooled harms, per-category
        reporting status, per-study counts), ``durability`` (one finding per
        outcome) and ``dose_response`` (one result per pooled cell).
        """
        return {
            "search": self.search.to_dict(),
            "studies": list(self.studies),
            "effects": [e.to_dict() for e in self.effects],
            "excluded": [x.to_dict() for x in self.excluded],
            "pooled": list(self.pooled),
            "reviews": list(self.reviews),
            "notes": list(self.notes),
            "tier_counts": dict(self.tier_counts),
            "cited": list(self.cited),
            "harms": dict(self.harms),
            "durability": list(self.durability),
            "dose_response": list(self.dose_response),
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical content: equal fingerprints mean nothing changed."""
        # Notes say how a refresh ran (e.g. "used the demo corpus"), not what the data is.
        content = {k: v for k, v in self.content().items() if k != "notes"}
        blob = json.dumps(content, sort_keys=True, default=_json_default)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ----------------------------------------------------------------------------- searches


def resolve_search(store: Store, name: str) -> SavedSearch:
    """The saved search ``name``: one added to the store wins over a shipped TOML.

    Raises
    ------
    ConfigError
        Naming the searches that exist.
    """
    stored = store.get_search_definition(name)
    if stored is not None:
        return SavedSearch.from_dict(stored, origin=f"store:{name}")
    from pipelines import load_searches

    shipped = {s.name: s for s in load_searches()}
    if name in shipped:
        return shipped[name]
    known = sorted({*shipped, *(d["name"] for d in store.list_search_definitions())})
    raise ConfigError(f"no saved search {name!r}; known: {', '.join(known) or '(none)'}")


def all_searches(store: Store) -> list[SavedSearch]:
    """Shipped and stored saved searches (stored ones override shipped ones of the same name)."""
    from pipelines import load_searches

    found = {s.name: s for s in load_searches()}
    for d in store.list_search_definitions():
        found[d["name"]] = SavedSearch.from_dict(d["definition"], origin=f"store:{d['name']}")
    return [found[k] for k in sorted(found)]


# ----------------------------------------------------------------------------- text helpers


def _term_re(terms: Iterable[str]) -> re.Pattern[str] | None:
    alts = sorted({t for t in terms if t}, key=len, reverse=True)
    if not alts:
        return None
    return re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(t) for t in alts) + r")(?![A-Za-z0-9])",
        re.IGNORECASE,
    )


def mentions(text: str | None, terms: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``terms`` as a whole word (case-insensitive)."""
    pattern = _term_re(terms)
    return bool(text and pattern and pattern.search(text))


_SENT_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\[])|\n")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence of ``text`` around ``[start, end)`` (a line break also ends one)."""
    lo = 0
    for m in _SENT_END.finditer(text, 0, max(start, 0)):
        lo = m.end()
    nxt = _SENT_END.search(text, max(end, start, 0))
    return lo, (nxt.start() if nxt else len(text))


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``[start, end)``."""
    lo, hi = sentence_bounds(text, start, end)
    return text[lo:hi].strip()


def preceding_window(search: SavedSearch, text: str, start: int) -> TimeWindow | None:
    """The window of the last time-point phrase before ``start`` in its sentence, if any.

    "at 1 week ... (MD -1.8 ...), at 4 weeks ... (MD -1.1 ...)": each value
    belongs to the time point written before it; used to check the extractor.
    """
    lo, _ = sentence_bounds(text, start, start)
    before = text[lo:start]
    cands: list[tuple[int, str]] = []
    for pattern in (_TP_AFTER, _TP_BEFORE):
        cands.extend((m.start(), m.group(0)) for m in pattern.finditer(before))
    for w in search.timepoints:
        term_re = _term_re(w.terms)
        if term_re:
            cands.extend((m.start(), m.group(0)) for m in term_re.finditer(before))
    if not cands:
        return None
    return window_for(search, max(cands)[1])


_WORD_NUM = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "twenty-four",
)
# These only FIND time-point phrases in a sentence (preceding_window); turning a
# phrase into days is miner.durability.normalise_timepoint's job alone.
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(_WORD_NUM) + r")"
_UNIT = r"(minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|months?|mo|years?|yrs?)"
_TP_AFTER = re.compile(_NUM + r"[\s-]*" + _UNIT + r"\b", re.IGNORECASE)
_TP_BEFORE = re.compile(r"\b" + _UNIT + r"\s+" + _NUM + r"\b", re.IGNORECASE)
_FROM_BASELINE = re.compile(
    r"^\s*(?:(?:mean\s+)?change\s+)?from\s+baseline\s+(?:to|until|at)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


def timepoint_days(text: str | None) -> float | None:
    """Days from a time-point phrase: ``"1 week"`` -> 7, ``"week 24"`` -> 168, ``"30 days"`` -> 30.

    Uses :func:`miner.durability.normalise_timepoint` (one implementation for
    the whole package); a change "from baseline to week 4" is at its end point.
    Returns None when the phrase has no single duration (``"end of treatment"``)
    or names two different ones (a range like ``"4 to 8 weeks"`` is ambiguous).
    """
    from miner.durability import normalise_timepoint

    if not text:
        return None
    m = _FROM_BASELINE.match(text)
    return normalise_timepoint(m.group("rest") if m else text).days


_BASELINE = re.compile(
    r"\b(?:baseline|pre-?treatment|pre-?randomi[sz]ation"
    r"|at (?:entry|screening|enrolment|enrollment))\b",
    re.IGNORECASE,
)


def window_for(search: SavedSearch, timepoint: str | None) -> TimeWindow | None:
    """The search's window for an extracted time point (None when no window fits).

    A baseline time point never fits: a difference at baseline is not an effect.
    """
    if (
        timepoint
        and _BASELINE.search(timepoint)
        and not re.search(r"from baseline|change", timepoint, re.IGNORECASE)
    ):
        return None
    by_term = [w for w in search.timepoints if w.terms and mentions(timepoint, w.terms)]
    if by_term:
        return by_term[0] if len(by_term) == 1 else None
    days = timepoint_days(timepoint)
    if days is None:
        return next((w for w in search.timepoints if w.unspecified), None)
    hits = [w for w in search.timepoints if not w.unspecified and w.min_days <= days <= w.max_days]
    return hits[0] if len(hits) == 1 else None


_CONNECTORS = re.compile(
    r"\b(?:vs\.?|versus|compared (?:with|to)|relative to|than|over|minus|against)\s+",
    re.IGNORECASE,
)


_LEAD_WORDS = re.compile(
    r"^(?:(?:the|a|an|with|in|after|during|on|those|patients|subjects|receiving|given)\s+){1,3}",
    re.IGNORECASE,
)


def comparison_direction(sentence: str, search: SavedSearch) -> int:
    """+1 if ``sentence`` compares intervention against comparator, -1 if the reverse, else 0.

    The reference arm of a comparison is the one named right after a connector
    ("versus placebo", "compared with ketamine"). Contradictory or missing cues
    give 0: the direction is then unknown and the value is not used.
    """
    inter = _term_re(search.comparison.intervention)
    comp = _term_re(search.comparison.comparator)
    if inter is None or comp is None:
        return 0
    votes: set[int] = set()
    for m in _CONNECTORS.finditer(sentence):
        after = sentence[m.end() : m.end() + 40]
        i_hit, c_hit = inter.match(after), comp.match(after)
        if not (i_hit or c_hit):
            # allow a short determiner/qualifier before the arm ("the placebo group")
            stripped = _LEAD_WORDS.sub("", after)
            i_hit, c_hit = inter.match(stripped), comp.match(stripped)
        if c_hit and not i_hit:
            votes.add(1)
        elif i_hit and not c_hit:
            votes.add(-1)
    if len(votes) == 1:
        return votes.pop()
    if votes:
        return 0
    # No connector: "in the ketamine and placebo groups ... (MD ...)" reports the
    # first-named arm minus the second, the convention of trial reports.
    i_first, c_first = inter.search(sentence), comp.search(sentence)
    if i_first and c_first:
        return 2 if i_first.start() < c_first.start() else 0
    return 0


def arm_side(label: str | None, search: SavedSearch) -> str | None:
    """``"I"`` for an intervention arm label, ``"C"`` for a comparator one, else None."""
    if not label or mentions(label, search.comparison.exclude_terms):
        return None
    i, c = (
        mentions(label, search.comparison.intervention),
        mentions(label, search.comparison.comparator),
    )
    if i and not c:
        return "I"
    if c and not i:
        return "C"
    return None


# ----------------------------------------------------------------------------- effects


_MEASURE_OK: dict[str, tuple[str, ...]] = {
    "MD": ("MD",),
    "SMD": ("SMD",),
    "RR": ("RR",),
    "OR": ("OR",),
    "RD": ("RD",),
    "HR": ("HR",),
}


def _outcome_for(
    search: SavedSearch, measure_family: Sequence[str], *texts: str | None
) -> tuple[Outcome | None, str]:
    """The single search outcome a value belongs to, or None and why."""
    candidates = [o for o in search.outcomes if o.measure in measure_family]
    if not candidates:
        return None, f"no outcome of the search is pooled as {'/'.join(measure_family)}"
    for text in texts:
        if not text:
            continue
        hits = [o for o in candidates if mentions(text, o.terms)]
        if len(hits) == 1:
            return hits[0], ""
        if len(hits) > 1:
            return None, "outcome ambiguous: " + ", ".join(o.name for o in hits)
    return None, "outcome not one of the search's outcomes"


def _provenance(
    article: Article, extraction: Extraction, item: Mapping[str, Any], sentence: str, how: str
) -> dict[str, Any]:
    return {
        "pmid": article.pmid,
        "text_hash": extraction.text_hash,
        "extractor_version": extraction.extractor_version,
        "source": how,
        "evidence": [
            {
                "start": item.get("start"),
                "end": item.get("end"),
                "text": item.get("text"),
                "sentence": sentence,
            }
        ],
    }


def _reported_effects(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    text: str,
    *,
    crossover: bool = False,
) -> tuple[list[tuple[str, str, Effect, dict[str, Any]]], list[Exclusion]]:
    from miner.effects import effect_from_ci

    out: list[tuple[str, str, Effect, dict[str, Any]]] = []
    excluded: list[Exclusion] = []
    for item in extraction.facts.get("effects") or ():
        measure = item.get("measure")
        if measure is None or item.get("value") is None:
            # A comparison reported by its p-value alone ("lower with A than
            # with B, P < 0.001") has no estimate to pool; its numbers stay
            # in the extraction record.
            continue
        start, end = int(item.get("start") or 0), int(item.get("end") or 0)
        sentence = sentence_at(text, start, end)
        ev = item.get("text")
        outcome, why = _outcome_for(search, (measure,), item.get("outcome"), sentence)
        if outcome is None:
            excluded.append(Exclusion(article.pmid, f"{measure} estimate: {why}", evidence=ev))
            continue
        window = window_for(search, item.get("timepoint"))
        near = preceding_window(search, text, start)
        if window is not None and near is not None and near != window:
            excluded.append(
                Exclusion(
                    article.pmid,
                    f"time point unclear: extracted {item.get('timepoint')!r} ({window.label}) "
                    f"but the text before the value says {near.label}",
                    outcome=outcome.name,
                    evidence=ev,
                )
            )
            continue
        if window is None:
            excluded.append(
                Exclusion(
                    article.pmid,
                    f"time point {item.get('timepoint')!r} fits no window of the search",
                    outcome=outcome.name,
                    evidence=ev,
                )
            )
            continue
        direction = comparison_direction(sentence, search)
        if direction == 0:
            direction = comparison_direction(article.title, search)
        if direction == 0:
            excluded.append(
                Exclusion(
                    article.pmid,
                    "direction of the comparison not stated (which arm minus which)",
                    outcome.name,
                    window.label,
                    ev,
                )
            )
            continue
        lo, hi = item.get("ci_low"), item.get("ci_high")
        if lo is None or hi is None or item.get("value") is None:
            excluded.append(
                Exclusion(article.pmid, "estimate without a CI", outcome.name, window.label, ev)
            )
            continue
        try:
            if crossover:
                effect = _crossover_reported(
                    search, article, extraction, outcome, item, float(lo), float(hi)
                )
            else:
                effect = effect_from_ci(
                    article.pmid,
                    outcome.measure,
                    float(item["value"]),
                    float(lo),
                    float(hi),
                    level=float(item.get("ci_level") or 0.95),
                )
        except EffectSizeError as exc:
            excluded.append(Exclusion(article.pmid, str(exc), outcome.name, window.label, ev))
            continue
        notes = list(effect.assumptions)
        if direction == 2:
            notes.append("direction from the order in which the arms are named")
        if direction < 0:
            effect = Effect(
                study_id=effect.study_id,
                measure=effect.measure,
                yi=-effect.yi,
                vi=effect.vi,
                n_total=effect.n_total,
                assumptions=effect.assumptions,
            )
            notes.append("reported as comparator versus intervention: sign reversed")
        prov = _provenance(article, extraction, item, sentence, "reported estimate with CI")
        prov["assumptions"] = notes
        out.append((outcome.name, window.label, effect, prov))
    return out, excluded


def _patients(facts: Mapping[str, Any]) -> int | None:
    """Patients randomised (a crossover trial's n: every patient gets both treatments)."""
    ss = facts.get("sample_size") or {}
    for key in ("randomized", "analysed"):
        n = ss.get(key)
        if isinstance(n, int) and n > 1:
            return n
    return None


def _crossover_reported(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    outcome: Outcome,
    item: Mapping[str, Any],
    lo: float,
    hi: float,
) -> Effect:
    """A crossover trial's reported difference as a paired effect (:func:`crossover_effect`)."""
    from miner.tiers import crossover_effect

    if outcome.measure != "MD":
        raise EffectSizeError(
            f"crossover trial: only a paired mean difference is handled, not {outcome.measure}",
            study=article.pmid,
            missing=["paired MD"],
        )
    res = crossover_effect(
        article.pmid,
        md=float(item["value"]),
        ci=(lo, hi),
        level=float(item.get("ci_level") or 0.95),
        n=_patients(extraction.facts),
    )
    if res.effect is None:  # pragma: no cover - a CI always gives an SE
        raise EffectSizeError(
            "crossover trial: paired effect not computable; missing: " + "; ".join(res.missing),
            study=article.pmid,
            missing=list(res.missing),
        )
    return res.effect


def _arm_n(
    item: Mapping[str, Any], side: str, facts: Mapping[str, Any], search: SavedSearch
) -> Any:
    if item.get("n"):
        return item["n"]
    arms = (facts.get("sample_size") or {}).get("arms") or ()
    same = [a for a in arms if arm_side(a.get("label"), search) == side and a.get("n")]
    return same[0]["n"] if len(same) == 1 else None


def _arm_effects(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    text: str,
    *,
    crossover: bool = False,
) -> tuple[list[tuple[str, str, Effect, dict[str, Any]]], list[Exclusion]]:
    from miner import effects as fx

    facts = extraction.facts
    groups: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = defaultdict(
        lambda: {"I": [], "C": []}
    )
    excluded: list[Exclusion] = []
    for item in facts.get("arm_values") or ():
        kind = item.get("kind")
        family = ("MD", "SMD") if kind == "mean" else ("RR", "OR", "RD")
        sentence = sentence_at(text, int(item.get("start") or 0), int(item.get("end") or 0))
        outcome, why = _outcome_for(search, family, item.get("outcome"), sentence)
        if outcome is None:
            excluded.append(Exclusion(article.pmid, f"arm value: {why}", evidence=item.get("text")))
            continue
        window = window_for(search, item.get("timepoint"))
        if window is None:
            excluded.append(
                Exclusion(
                    article.pmid,
                    f"arm value time point {item.get('timepoint')!r} fits no window",
                    outcome.name,
                    evidence=item.get("text"),
                )
            )
            continue
        side = arm_side(item.get("arm"), search)
        if side is None:
            excluded.append(
                Exclusion(
                    article.pmid,
                    f"arm {item.get('arm')!r} is neither clearly intervention nor comparator",
                    outcome.name,
                    window.label,
                    item.get("text"),
                )
            )
            continue
        groups[(outcome.name, window.label)][side].append({**item, "_sentence": sentence})

    out: list[tuple[str, str, Effect, dict[str, Any]]] = []
    by_name = {o.name: o for o in search.outcomes}
    for (oname, wlabel), sides in groups.items():
        i_items, c_items = _dedupe(sides["I"]), _dedupe(sides["C"])
        if len(i_items) != 1 or len(c_items) != 1:
            excluded.append(
                Exclusion(
                    article.pmid,
                    f"arm values: {len(i_items)} intervention and {len(c_items)} comparator "
                    "arms (need exactly one of each)",
                    oname,
                    wlabel,
                )
            )
            continue
        a, b = i_items[0], c_items[0]
        measure = by_name[oname].measure
        n1, n2 = _arm_n(a, "I", facts, search), _arm_n(b, "C", facts, search)
        try:
            if crossover:
                effect = _crossover_arms(search, article, extraction, measure, a, b)
            elif a.get("kind") == "mean" and b.get("kind") == "mean":
                if None in (a.get("value"), a.get("sd"), b.get("value"), b.get("sd"), n1, n2):
                    raise EffectSizeError(
                        "means need value, SD and n in both arms",
                        study=article.pmid,
                        missing=["sd", "n"],
                    )
                func = fx.smd if measure == "SMD" else fx.md
                effect = func(
                    article.pmid,
                    float(a["value"]),
                    float(a["sd"]),
                    float(n1),
                    float(b["value"]),
                    float(b["sd"]),
                    float(n2),
                )
            elif a.get("events") is not None and b.get("events") is not None and n1 and n2:
                table = fx.Table2x2.from_events(
                    article.pmid, float(a["events"]), float(n1), float(b["events"]), float(n2)
                )
                effect = fx.binary_effect(table, measure)
            else:
                raise EffectSizeError(
                    "arm values are not a mean/SD/n or events/total pair",
                    study=article.pmid,
                    missing=["kind"],
                )
        except EffectSizeError as exc:
            excluded.append(Exclusion(article.pmid, str(exc), oname, wlabel, a.get("text")))
            continue
        prov = _provenance(article, extraction, a, a["_sentence"], "arm summaries")
        prov["evidence"] += _provenance(article, extraction, b, b["_sentence"], "")["evidence"]
        prov["assumptions"] = list(effect.assumptions)
        out.append((oname, wlabel, effect, prov))
    return out, excluded


def _crossover_arms(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    measure: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
) -> Effect:
    """A crossover trial's per-period means as a paired MD, or why there is none.

    Per-period means need the within-patient correlation; only the search's
    ``[tiers] crossover_correlation`` (an assumption, flagged) supplies one.
    """
    from miner.tiers import crossover_effect

    pmid = article.pmid
    if a.get("kind") != "mean" or b.get("kind") != "mean":
        raise EffectSizeError(
            "crossover trial: per-period event counts give no paired effect "
            "(needs the discordant pairs)",
            study=pmid,
            missing=["discordant pairs"],
        )
    if measure != "MD":
        raise EffectSizeError(
            f"crossover trial: only a paired mean difference is handled, not {measure}",
            study=pmid,
            missing=["paired MD"],
        )

    def num(x: Any) -> float | None:
        return float(x) if isinstance(x, int | float) else None

    res = crossover_effect(
        pmid,
        mean_t=num(a.get("value")),
        sd_t=num(a.get("sd")),
        mean_c=num(b.get("value")),
        sd_c=num(b.get("sd")),
        n=_patients(extraction.facts),
        correlation=search.tiers.crossover_correlation,
    )
    if res.effect is None:
        raise EffectSizeError(
            "crossover trial: paired effect not computable; missing: " + "; ".join(res.missing),
            study=pmid,
            missing=list(res.missing),
        )
    return res.effect


def _dedupe(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The same arm value written twice (results and conclusions) counts once."""
    seen: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for it in items:
        key = (it.get("kind"), it.get("value"), it.get("sd"), it.get("events"), it.get("n"))
        seen.setdefault(key, it)
    return list(seen.values())


def intervention_doses(
    search: SavedSearch, facts: Mapping[str, Any], text: str | None = None
) -> list[tuple[Mapping[str, Any], Any]]:
    """The intervention's extracted doses, each with its :class:`~miner.dose_norm.NormalisedDose`.

    A body weight is used only when ``text`` states one; it is never assumed.
    """
    from miner.dose_norm import normalise_dose, stated_body_weight

    weight = stated_body_weight(text) if text else None
    return [
        (d, normalise_dose(d, body_weight_kg=weight.kg if weight else None))
        for d in facts.get("doses") or ()
        if mentions(d.get("drug"), search.comparison.intervention)
    ]


def study_dose(
    search: SavedSearch, facts: Mapping[str, Any], text: str | None = None
) -> dict[str, Any]:
    """One study's intervention dose on the search's dose basis, or why there is none.

    Returns ``{"basis", "value", "flags", "normalised"}``; ``value`` is None
    when no dose, or several different doses, can be put on the basis.
    """
    basis = search.dose.basis
    found = intervention_doses(search, facts, text)
    values = sorted({v for _, nd in found if (v := nd.value(basis)) is not None})
    flags: list[str] = []
    if not found:
        flags.append("no intervention dose extracted")
    elif not values:
        flags.extend(dict.fromkeys(f for _, nd in found for f in nd.flags))
        flags.append(f"no dose on the {basis} basis")
    elif len(values) > 1:
        flags.append(f"several doses on the {basis} basis: " + ", ".join(f"{v:g}" for v in values))
    return {
        "basis": basis,
        "value": values[0] if len(values) == 1 else None,
        "flags": flags,
        "normalised": [
            {
                "drug": d.get("drug"),
                "text": d.get("text"),
                "route": d.get("route"),
                **nd.to_dict(),
            }
            for d, nd in found
        ],
    }


def _dose_bands_of(search: SavedSearch, doses: Sequence[tuple[Mapping[str, Any], Any]]) -> set[str]:
    from miner.dose_norm import BASES, DoseBands

    bands: set[str] = set()
    if search.dose.cuts:
        banding = DoseBands(search.dose.basis, search.dose.cuts, search.dose.labels)
        for _, nd in doses:
            name = banding.band_of(nd)
            if name is not None:
                bands.add(name)
        return bands
    for d, nd in doses:
        for band in search.dose_bands:
            # Compare on the normalised value where the band's unit is a dose basis
            # ("500 ug/kg" is 0.5 mg/kg); other units only as written.
            if band.unit in BASES:
                value = nd.value(band.unit)
            else:
                value = d.get("value") if d.get("unit") == band.unit else None
            if (
                value is not None
                and band.low <= float(value)
                and (band.high is None or float(value) < band.high)
            ):
                bands.add(band.label)
    return bands


def subgroups_of(
    search: SavedSearch, facts: Mapping[str, Any], text: str | None = None
) -> dict[str, str]:
    """Subgroup values of one study: the intervention's route and dose band."""
    out: dict[str, str] = {}
    found = intervention_doses(search, facts, text)
    if "route" in search.subgroups:
        routes = {d["route"] for d, _ in found if d.get("route")}
        if not routes:
            routes = {r["route"] for r in facts.get("routes") or () if r.get("route")}
        out["route"] = routes.pop() if len(routes) == 1 else (MIXED if routes else NOT_REPORTED)
    if "dose_band" in search.subgroups:
        bands = _dose_bands_of(search, found)
        out["dose_band"] = bands.pop() if len(bands) == 1 else (MIXED if bands else NOT_REPORTED)
    return out


def is_eligible(search: SavedSearch, article: Article, facts: Mapping[str, Any]) -> str | None:
    """None if ``article`` is eligible for ``search``, else the reason it is not."""
    inc = search.inclusion
    if inc.rct_only:
        design = facts.get("design") or {}
        typed = any("randomized controlled trial" in p.lower() for p in article.publication_types)
        if not (typed or design.get("is_rct") is True):
            return "not a randomised controlled trial (publication type and design extraction)"
    if inc.languages and article.language and article.language not in inc.languages:
        return f"language {article.language!r} not in {', '.join(inc.languages)}"
    if article.year is not None:
        if inc.year_min is not None and article.year < inc.year_min:
            return f"published {article.year}, before {inc.year_min}"
        if inc.year_max is not None and article.year > inc.year_max:
            return f"published {article.year}, after {inc.year_max}"
    text = article.text
    if mentions(text, search.comparison.exclude_terms):
        return "names an excluded comparator (" + ", ".join(search.comparison.exclude_terms) + ")"
    if not mentions(text, search.comparison.intervention):
        return "intervention (" + ", ".join(search.comparison.intervention) + ") not named"
    if not mentions(text, search.comparison.comparator):
        return "comparator (" + ", ".join(search.comparison.comparator) + ") not named"
    return None


def study_gate(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    reviews: Sequence[Mapping[str, Any]] = (),
    tier: Tier | None = None,
) -> str | None:
    """Why a whole article is left out of ``search`` (None when it is in).

    A reviewer's exclusion wins; an evidence synthesis is never pooled (it is
    cited); then eligibility (:func:`is_eligible`) and the evidence tier: an
    ``rct_only`` search takes the randomized tier only, and a tier not in
    ``[tiers] pool`` is not pooled. A reviewer's "include" overrides the last two.
    """
    pmid = article.pmid
    mine = [r for r in reviews if r["pmid"] == pmid]
    forced = any(r["action"] == "include" for r in mine)
    whole = [r for r in mine if r["action"] == "exclude" and not r.get("outcome")]
    if whole:
        r = whole[-1]
        return f"excluded by {r['who']} (review {r['id']}): {r['why']}"
    if tier is not None and tier.tier == "evidence_synthesis":
        return f"evidence synthesis ({tier.design}, {tier.reason}): cited, never pooled"
    if forced:
        return None
    reason = is_eligible(search, article, extraction.facts)
    if reason or tier is None:
        return reason
    if search.inclusion.rct_only and tier.tier != "randomized":
        return f"not a randomised controlled trial (evidence tier {tier.tier}: {tier.reason})"
    if tier.tier not in search.tiers.pool:
        return (
            f"evidence tier {tier.tier} is not pooled by this search "
            f"(pooled tiers: {', '.join(search.tiers.pool)})"
        )
    return None


def study_effects(
    search: SavedSearch,
    article: Article,
    extraction: Extraction,
    reviews: Sequence[Mapping[str, Any]] = (),
    tier: Tier | None = None,
) -> tuple[list[StudyEffect], list[Exclusion]]:
    """Effects of one article for ``search`` (at most one per outcome x window) and exclusions.

    Reported between-group estimates win over effects computed from arm
    summaries (they are usually adjusted); two different reported estimates
    for the same outcome and window are ambiguous, so neither is used.
    Crossover trials (``tier.design == "crossover"``) get paired effects
    (:func:`miner.tiers.crossover_effect`) or are left out with what is missing.
    Review decisions for this PMID are applied last.
    """
    pmid = article.pmid
    mine = [r for r in reviews if r["pmid"] == pmid]
    reason = study_gate(search, article, extraction, reviews, tier)
    if reason:
        return [], [Exclusion(pmid, reason)]
    text = article.text
    crossover = tier is not None and tier.design == "crossover"
    tier_name = tier.tier if tier is not None else "randomized"
    reported, ex1 = _reported_effects(search, article, extraction, text, crossover=crossover)
    from_arms, ex2 = _arm_effects(search, article, extraction, text, crossover=crossover)
    excluded = ex1 + ex2
    arm_sign = {(o, w): math.copysign(1, e.yi) for o, w, e, _ in from_arms if e.yi != 0}
    conflicted = {
        (o, w)
        for o, w, e, _ in reported
        if e.yi != 0 and arm_sign.get((o, w), math.copysign(1, e.yi)) != math.copysign(1, e.yi)
    }
    for key in sorted(conflicted):
        excluded.append(
            Exclusion(
                pmid,
                "reported estimate and arm summaries point in opposite directions",
                key[0],
                key[1],
            )
        )
    # None marks a cell blocked as ambiguous: later sources must not fill it.
    chosen: dict[tuple[str, str], tuple[Effect, dict[str, Any]] | None] = dict.fromkeys(conflicted)
    for source in (reported, from_arms):
        by_key: dict[tuple[str, str], list[tuple[Effect, dict[str, Any]]]] = defaultdict(list)
        for oname, wlabel, eff, prov in source:
            by_key[(oname, wlabel)].append((eff, prov))
        for key, items in by_key.items():
            if key in chosen:
                continue
            values = {(round(e.yi, 10), round(e.vi, 12)) for e, _ in items}
            if len(values) > 1:
                excluded.append(
                    Exclusion(
                        pmid,
                        f"{len(values)} different values for the same outcome and window",
                        key[0],
                        key[1],
                    )
                )
                chosen[key] = None
                continue
            chosen[key] = items[0]
    subgroups = subgroups_of(search, extraction.facts, text)
    effects: dict[tuple[str, str], StudyEffect] = {}
    for (oname, wlabel), picked in chosen.items():
        if picked is None:
            continue
        eff, prov = picked
        effects[(oname, wlabel)] = StudyEffect(
            pmid=pmid,
            outcome=oname,
            window=wlabel,
            measure=eff.measure,
            yi=eff.yi,
            vi=eff.vi,
            n_total=eff.n_total,
            subgroups=subgroups,
            provenance=prov,
            assumptions=tuple(prov.get("assumptions") or eff.assumptions),
            tier=tier_name,
        )
    for r in mine:
        key = (r.get("outcome") or "", r.get("timepoint_window") or "")
        if r["action"] == "exclude" and key in effects:
            del effects[key]
            excluded.append(
                Exclusion(
                    pmid,
                    f"excluded by {r['who']} (review {r['id']}): {r['why']}",
                    key[0],
                    key[1],
                )
            )
        elif r["action"] == "correct":
            corrected = _corrected(search, pmid, r, extraction, subgroups)
            if isinstance(corrected, Exclusion):
                excluded.append(corrected)
            else:
                effects[key] = replace(corrected, tier=tier_name)
    return sorted(effects.values(), key=lambda e: (e.outcome, e.window)), excluded


def _corrected(
    search: SavedSearch,
    pmid: str,
    review: Mapping[str, Any],
    extraction: Extraction,
    subgroups: dict[str, str],
) -> StudyEffect | Exclusion:
    """The effect a reviewer's correction defines (fields are intervention minus comparator)."""
    from miner import effects as fx

    oname, wlabel = review["outcome"], review["timepoint_window"]
    outcome = next((o for o in search.outcomes if o.name == oname), None)
    if outcome is None:
        return Exclusion(pmid, f"review {review['id']}: outcome {oname!r} not in search", oname)
    f = review["fields"]
    try:
        if {"value", "ci_low", "ci_high"} <= f.keys():
            eff = fx.effect_from_ci(
                pmid,
                outcome.measure,
                float(f["value"]),
                float(f["ci_low"]),
                float(f["ci_high"]),
                level=float(f.get("ci_level", 0.95)),
            )
        elif {"m1", "sd1", "n1", "m2", "sd2", "n2"} <= f.keys():
            func = fx.smd if outcome.measure == "SMD" else fx.md
            eff = func(pmid, *(float(f[k]) for k in ("m1", "sd1", "n1", "m2", "sd2", "n2")))
        elif {"e1", "n1", "e2", "n2"} <= f.keys():
            table = fx.Table2x2.from_events(pmid, *(float(f[k]) for k in ("e1", "n1", "e2", "n2")))
            eff = fx.binary_effect(table, outcome.measure)
        elif {"yi", "vi"} <= f.keys():
            eff = fx.generic(pmid, float(f["yi"]), float(f["vi"]), measure=outcome.measure)
        else:
            raise EffectSizeError(
                "correction needs value+ci_low+ci_high, m1/sd1/n1/m2/sd2/n2, e1/n1/e2/n2 or yi+vi",
                study=pmid,
                missing=sorted(f),
            )
    except EffectSizeError as exc:
        return Exclusion(pmid, f"review {review['id']}: {exc}", oname, wlabel)
    prov = {
        "pmid": pmid,
        "text_hash": extraction.text_hash,
        "extractor_version": extraction.extractor_version,
        "source": "review correction",
        "review": {
            "id": review["id"],
            "who": review["who"],
            "why": review["why"],
            "fields": f,
        },
        "evidence": [],
    }
    return StudyEffect(
        pmid=pmid,
        outcome=oname,
        window=wlabel,
        measure=eff.measure,
        yi=eff.yi,
        vi=eff.vi,
        n_total=eff.n_total,
        subgroups=subgroups,
        provenance=prov,
        assumptions=(*eff.assumptions, f"corrected by {review['who']}: {review['why']}"),
    )


# ----------------------------------------------------------------------------- pooling


def fit_pool(effects: Sequence[Effect], method: str) -> dict[str, Any]:
    """Pool ``effects`` with ``method`` (FE, DL, REML, PM) via :mod:`miner.pool`.

    A single study is reported as itself (no heterogeneity); a fit that fails
    is reported with its error rather than a number.
    """
    k = len(effects)
    if k == 1:
        e = effects[0]
        se = math.sqrt(e.vi)
        return {
            "k": 1,
            "estimate": e.yi,
            "se": se,
            "ci_lb": e.yi - 1.959963984540054 * se,
            "ci_ub": e.yi + 1.959963984540054 * se,
            "tau2": None,
            "I2": None,
            "pi_lb": None,
            "pi_ub": None,
            "note": "single study: its own estimate and normal 95% CI",
        }
    try:
        from miner import pool
    except ImportError:
        return {"k": k, "error": "pooling unavailable (miner.pool not installed)"}
    classes = {
        "FE": "FixedEffect",
        "DL": "DerSimonianLaird",
        "REML": "REML",
        "PM": "PauleMandel",
    }
    try:
        estimator = getattr(pool, classes[method])()
        result = estimator.fit(list(effects))
    except (MinerError, ValueError, ArithmeticError) as exc:
        return {"k": k, "error": f"{type(exc).__name__}: {exc}"}
    data = result.to_dict() if hasattr(result, "to_dict") else asdict(result)
    keep = (
        "k",
        "estimate",
        "se",
        "ci_lb",
        "ci_ub",
        "tau2",
        "I2",
        "pi_lb",
        "pi_ub",
        "Q",
        "Q_p",
        "H2",
        "zval",
        "pval",
    )
    from miner.report import finite_or_none

    return {key: finite_or_none(data.get(key)) for key in keep if key in data}


#: The evidence tier whose pools are the main results (subgroup key ``all``).
PRIMARY_TIER = "randomized"
#: Subgroup key of the overall pool of a tier other than :data:`PRIMARY_TIER`.
TIER_KEY = "tier"


def pool_effects(search: SavedSearch, effects: Sequence[StudyEffect]) -> list[dict[str, Any]]:
    """Pooled results per tier x outcome x window, overall and per subgroup value, sorted.

    Studies are pooled only with studies of the same evidence tier. The
    randomized tier's pools have subgroup key ``all`` (and route/dose-band
    subgroups); another tier's overall pool has subgroup key ``tier`` and the
    tier as its value, so that it is never read as the main result. Every row
    carries its ``tier``.
    """
    rows: list[dict[str, Any]] = []
    cells: dict[tuple[str, str, str, str], list[StudyEffect]] = defaultdict(list)
    tier_of: dict[tuple[str, str, str, str], str] = {}
    for e in effects:
        if e.tier == PRIMARY_TIER:
            keys = [(e.outcome, e.window, ALL, ALL)]
            keys += [(e.outcome, e.window, k, v) for k, v in e.subgroups.items()]
        else:
            keys = [(e.outcome, e.window, TIER_KEY, e.tier)]
        for cell in keys:
            cells[cell].append(e)
            tier_of[cell] = e.tier
    measures = {o.name: o.measure for o in search.outcomes}
    for (oname, wlabel, key, value), members in sorted(cells.items()):
        members = sorted(members, key=lambda e: e.pmid)
        fitted = fit_pool([m.to_effect() for m in members], search.method)
        rows.append(
            {
                "outcome": oname,
                "timepoint_window": wlabel,
                "subgroup_key": key,
                "subgroup_value": value,
                "tier": tier_of[(oname, wlabel, key, value)],
                "measure": measures.get(oname, members[0].measure),
                "method": search.method if len(members) > 1 else "single",
                "studies": [m.pmid for m in members],
                **fitted,
            }
        )
    return rows


# ----------------------------------------------------------------------------- build + version


def build_dataset(
    store: Store, search: SavedSearch, extractor_version: str, *, notes: Sequence[str] = ()
) -> Dataset:
    """Build the dataset of ``search`` from what the store holds now (no writes).

    Every extracted member article gets an evidence tier
    (:func:`miner.tiers.classify_tier`); evidence syntheses are cited, never
    pooled, and each tier is pooled only with itself. Beside the efficacy
    pools the dataset holds the harms (:func:`build_harms`), one durability
    finding per outcome (:func:`durability_findings`) and a dose-response
    result per pooled cell (:func:`dose_findings`).
    """
    from miner.tiers import classify_tier, tier_counts

    pmids = store.search_members(search.name)
    excluded: list[Exclusion] = []
    synthetic = [p for p in pmids if is_synthetic_id(p)]
    if synthetic and len(synthetic) < len(pmids):
        # A search that once ran offline on the demo corpus and later reached
        # PubMed: invented records must never be pooled with real ones.
        pmids = [p for p in pmids if not is_synthetic_id(p)]
        excluded.extend(
            Exclusion(p, "synthetic demo record in a search that holds real records")
            for p in synthetic
        )
    extractions = store.current_extractions(pmids, extractor_version)
    reviews = store.list_reviews(search.name)
    effects: list[StudyEffect] = []
    studies: list[dict[str, Any]] = []
    tiers: list[Tier] = []
    cited: list[dict[str, Any]] = []
    harm_inputs: list[tuple[Article, Extraction, Tier]] = []
    doses: dict[str, dict[str, Any]] = {}
    for article in store.iter_articles(pmids=pmids):
        extraction = extractions.get(article.pmid)
        if extraction is None:
            excluded.append(Exclusion(article.pmid, "not extracted yet at this extractor version"))
            continue
        tier = classify_tier(
            extraction.facts.get("design") or {}, article.publication_types, article.text
        )
        tiers.append(tier)
        if tier.tier == "evidence_synthesis":
            cited.append(
                {
                    "pmid": article.pmid,
                    "title": article.title,
                    "year": article.year,
                    **tier.to_dict(),
                }
            )
        found, why = study_effects(search, article, extraction, reviews, tier)
        excluded.extend(why)
        in_study = study_gate(search, article, extraction, reviews, tier) is None
        if in_study:
            harm_inputs.append((article, extraction, tier))
        has_harms = in_study and bool(extraction.facts.get("adverse_events"))
        if found or has_harms:
            effects.extend(found)
            dose = study_dose(search, extraction.facts, article.text)
            doses[article.pmid] = dose
            studies.append(
                {
                    "pmid": article.pmid,
                    "title": article.title,
                    "year": article.year,
                    "text_hash": article.text_hash,
                    "extractor_version": extraction.extractor_version,
                    "tier": tier.tier,
                    "design": tier.design,
                    "tier_reason": tier.reason,
                    "efficacy": bool(found),
                    "dose": {k: dose[k] for k in ("basis", "value", "flags")},
                }
            )
    pooled = pool_effects(search, effects)
    return Dataset(
        search=search,
        studies=tuple(studies),
        effects=tuple(effects),
        excluded=tuple(excluded),
        pooled=tuple(pooled),
        reviews=tuple(r["id"] for r in reviews),
        extractor_versions=(extractor_version,),
        notes=tuple(notes),
        tier_counts=tier_counts(tiers),
        cited=tuple(cited),
        harms=build_harms(search, harm_inputs),
        durability=tuple(durability_findings(search, pooled)),
        dose_response=tuple(dose_findings(search, effects, pooled, doses)),
    )


# ----------------------------------------------------------------------------- harms


def _arm_order(search: SavedSearch, facts: Mapping[str, Any]) -> list[str]:
    """Arm labels in the order the abstract introduces them, when it has exactly two arms.

    Only a two-arm trial (one intervention, one comparator arm by sample size)
    qualifies: with more arms, unlabelled counts cannot be placed.
    """
    arms = [a for a in (facts.get("sample_size") or {}).get("arms") or () if a.get("label")]
    sides = [arm_side(a.get("label"), search) for a in arms]
    if len(arms) == 2 and sorted(s for s in sides if s) == ["C", "I"]:
        return [str(a["label"]) for a in arms]
    return []


def build_harms(
    search: SavedSearch, studies: Sequence[tuple[Article, Extraction, Tier]]
) -> dict[str, Any]:
    """Harms of the studies in the dataset: pooled per tier x category x window, and status.

    Uses the ``adverse_events`` facts (:mod:`miner.extract.adverse`). A study
    whose extraction has no ``adverse_events`` key was not searched for harms
    ("not extracted"), which is different from "not reported" (searched,
    nothing found) and from "zero events reported" (a statement that none
    occurred). Unlabelled pairs of counts in a two-arm trial take the arms in
    the order the abstract introduces them (recorded as ``arm_from``).

    Returns
    -------
    dict
        ``pooled`` (:meth:`miner.harms.HarmPool.to_dict` rows with ``tier``),
        ``status`` (per category: studies per status, and their PMIDs),
        ``counts`` (per study 2x2 counts with provenance), ``skipped`` (what
        was left out and why), ``n_studies``, ``n_extracted``.
    """
    from miner.harms import HarmCount, assign_arms_by_order, harm_counts_from_facts, pool_harms

    settings = search.harms
    wanted = set(settings.categories)
    statuses = ("reported", "zero_reported", "mentioned", "not_reported")

    def keep(category: Any) -> bool:
        # "any": generic wording, serious adverse events, withdrawals: always kept
        return not wanted or category in wanted or category == "any"

    def window_of(tp: str | None) -> str | None:
        if not tp:
            return settings.unspecified_window
        w = window_for(search, tp)
        return w.label if w is not None else None

    counts: dict[str, list[HarmCount]] = defaultdict(list)
    skipped: list[dict[str, Any]] = []
    per_study: dict[str, dict[str, str]] = {}
    extracted = 0
    seen_categories: set[str] = set()
    for article, extraction, tier in studies:
        facts = extraction.facts
        ae = facts.get("adverse_events")
        if ae is None:
            continue
        extracted += 1
        text = article.text
        order = _arm_order(search, facts)
        labelled = assign_arms_by_order(
            [f for f in ae if keep(f.get("category"))],
            order,
            sentence_of=lambda a, b, text=text: sentence_bounds(text, a, b),
        )
        seen_categories.update(str(f.get("category")) for f in labelled)
        per_study[article.pmid] = {}
        for f in labelled:
            c = str(f.get("category"))
            rank = statuses.index(f.get("status")) if f.get("status") in statuses else 3
            prev = per_study[article.pmid].get(c, "not_reported")
            if rank < statuses.index(prev):
                per_study[article.pmid][c] = statuses[rank]
        found, why = harm_counts_from_facts(
            article.pmid,
            [{**f, "sentence": sentence_at(text, f["start"], f["end"])} for f in labelled],
            intervention=search.comparison.intervention,
            comparator=search.comparison.comparator,
            arms=(facts.get("sample_size") or {}).get("arms") or (),
            window_of=window_of,
        )
        counts[tier.tier].extend(found)
        skipped.extend({"pmid": article.pmid, "what": w, "reason": r} for w, r in why)
    categories = [c for c in settings.categories] or sorted(seen_categories)
    status = []
    for c in categories:
        by: dict[str, list[str]] = {s: [] for s in statuses}
        for pmid, cats in sorted(per_study.items()):
            by[cats.get(c, "not_reported")].append(pmid)
        status.append({"category": c, **{s: len(by[s]) for s in statuses}, "studies": by})
    pooled: list[dict[str, Any]] = []
    for tier_name in sorted(counts, key=lambda t: (t != PRIMARY_TIER, t)):
        for hp in pool_harms(counts[tier_name], measures=settings.measures):
            pooled.append({"tier": tier_name, **hp.to_dict()})
    return {
        "n_studies": len(studies),
        "n_extracted": extracted,
        "window_unspecified": settings.unspecified_window,
        "pooled": pooled,
        "status": status,
        "counts": [
            {
                "tier": tier_name,
                "pmid": c.study_id,
                "category": c.category,
                "term": c.term,
                "kind": c.kind,
                "window": c.window,
                "severity": c.severity,
                "events_t": c.events_t,
                "n_t": c.n_t,
                "events_c": c.events_c,
                "n_c": c.n_c,
                "provenance": [dict(p) for p in c.provenance],
            }
            for tier_name, cs in sorted(counts.items())
            for c in cs
        ],
        "skipped": skipped,
    }


# ----------------------------------------------------------------------------- durability


def durability_findings(
    search: SavedSearch, pooled: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One :func:`miner.durability.assess_durability` finding per outcome (overall pools).

    Reads the primary tier's overall pooled rows of each outcome (``[durability]
    outcomes``, default all) across the search's windows; windows without days
    (unspecified) are not part of a time course.
    """
    from miner.durability import assess_durability, windows_from_search

    windows = windows_from_search(search)
    names = {w.name for w in windows}
    wanted = search.durability.outcomes or tuple(o.name for o in search.outcomes)
    out = []
    for outcome in search.outcomes:
        if outcome.name not in wanted:
            continue
        rows = {
            p["timepoint_window"]: p
            for p in pooled
            if p["outcome"] == outcome.name
            and p["subgroup_key"] == ALL
            and p["timepoint_window"] in names
        }
        if not rows:
            continue
        finding = assess_durability(rows, measure=outcome.measure, windows=windows)
        out.append({"outcome": outcome.name, "tier": PRIMARY_TIER, **finding.to_dict()})
    return out


# ----------------------------------------------------------------------------- dose


def dose_findings(
    search: SavedSearch,
    effects: Sequence[StudyEffect],
    pooled: Sequence[Mapping[str, Any]],
    doses: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Dose-response (:func:`miner.dose_norm.dose_response`) for each overall pooled cell.

    Fitted when at least ``[dose] min_studies`` studies of the cell report one
    comparable dose on ``[dose] basis``; otherwise the structured "not enough"
    result with the studies and why each had no dose.
    """
    from miner.dose_norm import DosedEffect, dose_response

    by_cell: dict[tuple[str, str, str], list[StudyEffect]] = defaultdict(list)
    for e in effects:
        by_cell[(e.tier, e.outcome, e.window)].append(e)
    out = []
    for p in pooled:
        if p["subgroup_key"] not in (ALL, TIER_KEY):
            continue
        members = sorted(
            by_cell.get((p["tier"], p["outcome"], p["timepoint_window"]), ()),
            key=lambda e: e.pmid,
        )
        dosed = [
            DosedEffect(
                m.to_effect(),
                (doses.get(m.pmid) or {}).get("value"),
                tuple((doses.get(m.pmid) or {}).get("flags") or ()),
            )
            for m in members
        ]
        result = dose_response(
            dosed,
            basis=search.dose.basis,
            min_studies=search.dose.min_studies,
            method=search.method,
        )
        out.append(
            {
                "outcome": p["outcome"],
                "timepoint_window": p["timepoint_window"],
                "tier": p["tier"],
                "measure": p["measure"],
                **result.to_dict(),
            }
        )
    return out


def _effect_row(e: StudyEffect) -> dict[str, Any]:
    return {
        "pmid": e.pmid,
        "outcome": e.outcome,
        "timepoint_window": e.window,
        "measure": e.measure,
        "yi": e.yi,
        "vi": e.vi,
        "n_total": e.n_total,
        "subgroups": json.dumps(e.subgroups, sort_keys=True),
        "provenance": json.dumps(
            {**e.provenance, "assumptions": list(e.assumptions)}, sort_keys=True
        ),
    }


def _pooled_row(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "outcome": p["outcome"],
        "timepoint_window": p["timepoint_window"],
        "subgroup_key": p["subgroup_key"],
        "subgroup_value": p["subgroup_value"],
        "measure": p["measure"],
        "method": p["method"],
        "k": p["k"],
        "estimate": p.get("estimate"),
        "se": p.get("se"),
        "ci_lb": p.get("ci_lb"),
        "ci_ub": p.get("ci_ub"),
        "tau2": p.get("tau2"),
        "i2": p.get("I2"),
        "pi_lb": p.get("pi_lb"),
        "pi_ub": p.get("pi_ub"),
        "result": json.dumps(p, sort_keys=True, default=_json_default),
    }


def write_version(store: Store, dataset: Dataset, *, job_id: str | None = None) -> int | None:
    """Store ``dataset`` as a new version unless the newest one is identical; return its number."""
    return store.write_dataset_version(
        dataset.search.name,
        fingerprint=dataset.fingerprint(),
        content=json.loads(json.dumps(dataset.content(), default=_json_default)),
        effect_rows=[_effect_row(e) for e in dataset.effects],
        pooled_rows=[_pooled_row(p) for p in dataset.pooled],
        code_version=dataset.code_version,
        extractor_versions=dataset.extractor_versions,
        job_id=job_id,
    )


def summarise_pooled(
    pooled: Iterable[Mapping[str, Any]], *, overall_only: bool = False
) -> list[dict[str, Any]]:
    """Compact pooled rows for printing: outcome, window, subgroup, k, estimate, CI, I2.

    Ratio measures (RR, OR, HR) are on the log scale, with ``estimate_exp`` and
    ``ci_exp`` holding the ratio.
    """
    out = []
    for p in pooled:
        if overall_only and p["subgroup_key"] != ALL:
            continue
        out.append(
            {
                "outcome": p["outcome"],
                "timepoint": p["timepoint_window"],
                "subgroup": ALL
                if p["subgroup_key"] == ALL
                else f"{p['subgroup_key']}={p['subgroup_value']}",
                "measure": p["measure"],
                "k": p["k"],
                "estimate": _round(p.get("estimate")),
                "ci": [_round(p.get("ci_lb")), _round(p.get("ci_ub"))],
                "I2": _round(p.get("I2"), 1),
                **(_exp(p) if p["measure"] in RATIO_MEASURES else {}),
                **({"error": p["error"]} if p.get("error") else {}),
            }
        )
    return out


def _exp(p: Mapping[str, Any]) -> dict[str, Any]:
    """Ratio measures are pooled as logs; also show the ratio itself."""

    def ex(x: Any) -> Any:
        return _round(math.exp(x)) if isinstance(x, float) and math.isfinite(x) else None

    return {
        "scale": "log",
        "estimate_exp": ex(p.get("estimate")),
        "ci_exp": [ex(p.get("ci_lb")), ex(p.get("ci_ub"))],
    }


def _round(x: Any, nd: int = 4) -> Any:
    return round(x, nd) if isinstance(x, float) and math.isfinite(x) else x


# ----------------------------------------------------------------------------- diff + history


def _pool_key(p: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (p["outcome"], p["timepoint_window"], p["subgroup_key"], p["subgroup_value"])


def diff_contents(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two version contents (``old`` None: the first version).

    Returns studies added/removed, effects added/removed/changed and, per pooled
    cell, k, estimate, CI and I2 before and after, plus one-line ``headlines``.
    """
    old = old or {"studies": [], "effects": [], "pooled": [], "search": None}
    o_st = {s["pmid"] for s in old["studies"]}
    n_st = {s["pmid"] for s in new["studies"]}

    def ekey(e: Mapping[str, Any]) -> tuple[str, str, str]:
        return (e["pmid"], e["outcome"], e["window"])

    o_eff = {ekey(e): e for e in old["effects"]}
    n_eff = {ekey(e): e for e in new["effects"]}
    changed_eff = [
        {
            "pmid": k[0],
            "outcome": k[1],
            "window": k[2],
            "yi": [o_eff[k]["yi"], n_eff[k]["yi"]],
            "vi": [o_eff[k]["vi"], n_eff[k]["vi"]],
        }
        for k in sorted(o_eff.keys() & n_eff.keys())
        if (o_eff[k]["yi"], o_eff[k]["vi"]) != (n_eff[k]["yi"], n_eff[k]["vi"])
    ]
    o_pool = {_pool_key(p): p for p in old["pooled"]}
    n_pool = {_pool_key(p): p for p in new["pooled"]}
    pooled: list[dict[str, Any]] = []
    headlines: list[str] = []
    added, removed = sorted(n_st - o_st), sorted(o_st - n_st)
    if added:
        headlines.append(f"{len(added)} new trial{'s' if len(added) != 1 else ''}")
    if removed:
        headlines.append(f"{len(removed)} trial{'s' if len(removed) != 1 else ''} removed")
    for key in sorted(o_pool.keys() | n_pool.keys()):
        a, b = o_pool.get(key, {}), n_pool.get(key, {})
        fields = ("k", "estimate", "ci_lb", "ci_ub", "I2")
        if all(a.get(f) == b.get(f) for f in fields):
            continue
        entry = {
            "outcome": key[0],
            "timepoint_window": key[1],
            "subgroup_key": key[2],
            "subgroup_value": key[3],
            **{f: [a.get(f), b.get(f)] for f in fields},
        }
        pooled.append(entry)
        if key[2] == ALL:
            measure = b.get("measure") or a.get("measure") or ""
            before = _fmt(a.get("estimate"))
            after = _fmt(b.get("estimate"))
            if a and b:
                k_note = f" (k {a.get('k')} -> {b.get('k')})" if a.get("k") != b.get("k") else ""
                headlines.append(
                    f"{key[0]} at {key[1]}: {measure} moved from {before} to {after}{k_note}"
                )
            elif b:
                headlines.append(f"{key[0]} at {key[1]}: first {measure} {after} (k={b.get('k')})")
            else:
                headlines.append(f"{key[0]} at {key[1]}: no longer pooled")
    harms = _diff_harms(old, new, headlines)
    o_tiers, n_tiers = old.get("tier_counts") or {}, new.get("tier_counts") or {}
    tiers_changed = {
        t: [o_tiers.get(t), n_tiers.get(t)]
        for t in sorted(o_tiers.keys() | n_tiers.keys())
        if o_tiers.get(t) != n_tiers.get(t)
    }
    if (old.get("search") or new["search"]) != new["search"]:
        headlines.append("saved search definition changed")
    return {
        "studies_added": added,
        "studies_removed": removed,
        "effects_added": [list(k) for k in sorted(n_eff.keys() - o_eff.keys())],
        "effects_removed": [list(k) for k in sorted(o_eff.keys() - n_eff.keys())],
        "effects_changed": changed_eff,
        "pooled": pooled,
        "harms": harms,
        "tier_counts": tiers_changed,
        "headlines": headlines,
    }


def _harm_key(h: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(h.get(f) or "")
        for f in ("tier", "category", "term", "kind", "window", "severity", "measure")
    )


def _diff_harms(
    old: Mapping[str, Any], new: Mapping[str, Any], headlines: list[str]
) -> list[dict[str, Any]]:
    """Pooled harms whose k, estimate or CI changed (headlines for the primary tier's RR)."""
    o = {_harm_key(h): h for h in (old.get("harms") or {}).get("pooled") or ()}
    n = {_harm_key(h): h for h in (new.get("harms") or {}).get("pooled") or ()}
    fields = ("k", "estimate", "ci_lb", "ci_ub")
    out = []
    for key in sorted(o.keys() | n.keys()):
        a, b = o.get(key, {}), n.get(key, {})
        if all(a.get(f) == b.get(f) for f in fields):
            continue
        out.append(
            {
                **dict(
                    zip(
                        ("tier", "category", "term", "kind", "window", "severity", "measure"),
                        key,
                        strict=True,
                    )
                ),
                **{f: [a.get(f), b.get(f)] for f in fields},
            }
        )
        tier, category, term, kind, window, _, measure = key
        if tier != PRIMARY_TIER or measure != "RR":
            continue
        what = f"harm {term or category}" + ("" if kind == "adverse_event" else f" ({kind})")
        if a and b:
            headlines.append(
                f"{what} at {window}: RR moved from {_fmt(a.get('estimate'))} "
                f"to {_fmt(b.get('estimate'))}"
            )
        elif b:
            headlines.append(
                f"{what} at {window}: first RR {_fmt(b.get('estimate'))} (k={b.get('k')})"
            )
        else:
            headlines.append(f"{what} at {window}: no longer pooled")
    return out


def summarise_dataset(dataset: Dataset) -> dict[str, Any]:
    """Compact tiers, harms and durability of a built dataset, for printing (``miner run``).

    Harms are the primary tier's pooled RR/RD (ratio scale for RR) with k and
    events per arm; durability is one sentence per outcome.
    """
    harms = dataset.harms or {}
    return {
        "tier_counts": dict(dataset.tier_counts),
        "cited": [c["pmid"] for c in dataset.cited],
        "harms": [
            {
                "category": h["term"] or h["category"],
                "kind": h["kind"],
                "window": h["window"],
                "measure": h["measure"],
                "k": h["k"],
                "estimate": _round(h["estimate"]),
                "ci": [_round(h["ci_lb"]), _round(h["ci_ub"])],
                "events": [f"{h['events_t']}/{h['n_t']}", f"{h['events_c']}/{h['n_c']}"],
            }
            for h in harms.get("pooled") or ()
            if h["tier"] == PRIMARY_TIER and h["estimate"] is not None
        ],
        "harms_extracted": f"{harms.get('n_extracted', 0)}/{harms.get('n_studies', 0)} studies",
        "durability": {d["outcome"]: d["sentence"] for d in dataset.durability},
        "dose_response": sorted(
            {
                f"{d['outcome']} at {d['timepoint_window']}: {d['message']}"
                for d in dataset.dose_response
            }
        ),
    }


def _fmt(x: Any) -> str:
    return f"{x:.2f}" if isinstance(x, float) else "-"


def history(store: Store, search: str) -> list[dict[str, Any]]:
    """Every version of ``search``, oldest first, each with its ``diff`` from the previous one."""
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for meta in store.list_dataset_versions(search):
        full = store.get_dataset_version(search, meta["version"])
        assert full is not None
        content = full["content"]
        out.append({**meta, "diff": diff_contents(previous, content)})
        previous = content
    return out


def diff_versions(store: Store, search: str, old: int, new: int) -> dict[str, Any]:
    """Diff two stored versions of ``search``.

    Raises
    ------
    ConfigError
        When a version does not exist (naming the versions that do).
    """
    a, b = store.get_dataset_version(search, old), store.get_dataset_version(search, new)
    if a is None or b is None:
        have = [v["version"] for v in store.list_dataset_versions(search)]
        raise ConfigError(f"search {search}: versions {old}, {new} not both in {have or '(none)'}")
    return diff_contents(a["content"], b["content"])
