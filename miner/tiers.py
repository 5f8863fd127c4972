"""Evidence tiers, and the variance of crossover trials.

A reviewer pools like with like: randomized trials with randomized trials,
never a systematic review with the trials it already contains.
:func:`classify_tier` puts one study into one of

- ``randomized`` -- design ``parallel``, ``crossover`` or ``cluster``;
- ``non_randomized`` -- comparative without randomization: ``cohort``
  (prospective or retrospective, historical controls, case-control) or
  ``open_label_controlled`` (a controlled trial that says it did not
  randomize, or "quasi-randomized" allocation);
- ``single_arm`` -- ``single_arm`` trials and ``case_series`` / case reports;
- ``evidence_synthesis`` -- ``systematic_review`` or ``meta_analysis``:
  cited, never pooled (``poolable`` is False);
- ``unclassified`` -- nothing in the record says; not pooled until a human
  decides (a wrong tier is worse than none).

The order of evidence: PubMed publication types first (indexers read the
full paper), then the extracted design facts
(:func:`miner.extract.design.collect_design`), then wording in the text.

Crossover trials: the right analysis is paired (within-patient). A
parallel-group analysis of crossover data ignores the correlation between
periods and gives the trial too little weight; mixing paired and unpaired
variances silently is a unit-of-analysis error (Elbourne et al. 2002, Int J
Epidemiol 31:140-9; Cochrane Handbook for Systematic Reviews of
Interventions, version 6.4, section 23.2). :func:`crossover_effect` computes
the paired variance from what the abstract gives, or says what is missing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import stats

from miner.effects import ci_to_se
from miner.errors import EffectSizeError
from miner.records import Effect

#: Tiers and the designs each allows.
TIERS: dict[str, tuple[str, ...]] = {
    "randomized": ("parallel", "crossover", "cluster"),
    "non_randomized": ("cohort", "open_label_controlled"),
    "single_arm": ("single_arm", "case_series"),
    "evidence_synthesis": ("systematic_review", "meta_analysis"),
    "unclassified": ("unknown",),
}
#: Tiers whose studies may enter a pool (each only with its own tier).
POOLABLE_TIERS = ("randomized", "non_randomized", "single_arm")

CROSSOVER_REFERENCES = (
    "Elbourne DR et al. Meta-analyses involving cross-over trials: methodological issues. "
    "Int J Epidemiol 2002;31:140-9",
    "Cochrane Handbook for Systematic Reviews of Interventions v6.4, section 23.2",
)


@dataclass(frozen=True, slots=True)
class Tier:
    """The evidence tier of one study.

    ``reason`` says which source decided (publication type, design extraction,
    wording) and ``evidence`` holds the text it rests on.
    """

    tier: str
    design: str
    reason: str
    evidence: tuple[str, ...] = ()

    @property
    def poolable(self) -> bool:
        """Whether the study may be pooled (with studies of the same tier only)."""
        return self.tier in POOLABLE_TIERS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "tier": self.tier,
            "design": self.design,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "poolable": self.poolable,
        }


_PT_SYNTHESIS = {"meta-analysis": "meta_analysis", "systematic review": "systematic_review"}
_PT_RCT = ("randomized controlled trial", "pragmatic clinical trial", "equivalence trial")
_PT_OBSERVATIONAL = ("observational study", "cohort study", "comparative study")
_PT_CASES = ("case reports",)

_SYNTHESIS_RE = re.compile(
    r"\b(?:(?:we|this|present|current)\s+(?:\S+\s+){0,3}?"
    r"(?:systematic(?:ally)?\s+review(?:ed)?|meta-?analys[ie]s|meta-?analy[sz]ed)"
    r"|(?:systematic\s+review|meta-?analysis)\s+(?:and\s+meta-?analysis\s+)?(?:was|were)\s+"
    r"(?:conducted|performed|undertaken|carried\s+out)"
    r"|(?:a\s+)?systematic\s+review\s+and\s+meta-?analysis\b)",
    re.IGNORECASE,
)
_TITLE_SYNTHESIS_RE = re.compile(
    r"\b(?:systematic\s+review|meta-?analys[ie]s|pooled\s+analysis\s+of)\b", re.IGNORECASE
)
_NONRANDOM_RE = re.compile(
    r"\b(?:non-?\s?randomi[sz]ed|not\s+randomi[sz]ed|quasi-?\s?randomi[sz]ed|without\s+randomi[sz]ation"
    r"|pseudo-?\s?randomi[sz]ed)\b",
    re.IGNORECASE,
)
_COHORT_RE = re.compile(
    r"\b(?:(?:prospective|retrospective|observational|population-based|historical)\s+"
    r"(?:\S+\s+){0,2}?(?:cohort|study|analysis|review|comparison)"
    r"|cohort\s+study|case-?control\s+study|historical\s+controls?|chart\s+review"
    r"|registry\s+(?:study|data|analysis)|propensity[- ]score|matched\s+controls?)\b",
    re.IGNORECASE,
)
_CONTROLLED_RE = re.compile(
    r"\b(?:controlled\s+(?:trial|study)|compared\s+(?:with|to)\s+(?:a\s+)?(?:control|placebo)"
    r"|control\s+group|open[- ]label\s+(?:controlled|comparative))\b",
    re.IGNORECASE,
)
_SINGLE_ARM_RE = re.compile(
    r"\b(?:single[- ]arm|single[- ]group|one[- ]arm|uncontrolled\s+(?:trial|study|pilot)"
    r"|open[- ]label\s+(?:pilot|phase\s+(?:I|II|1|2)\w*)\s+(?:trial|study)"
    r"|phase\s+(?:II|2)\s+single|before[- ]and[- ]after\s+study|pre-?\s?post\s+study)\b",
    re.IGNORECASE,
)
_CASE_SERIES_RE = re.compile(
    r"\b(?:case\s+series|case\s+reports?|we\s+(?:report|describe|present)\s+(?:a|two|three"
    r"|four|five|\d+)\s+(?:\S+\s+){0,2}?(?:cases?|patients?))\b",
    re.IGNORECASE,
)


def _has(pub_types: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {p.strip().lower(): p for p in pub_types}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def _evidence(design_facts: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    return tuple(
        str(e.get("text"))
        for e in design_facts.get("evidence") or ()
        if isinstance(e, Mapping) and e.get("kind") == kind
    )


def _randomized(design_facts: Mapping[str, Any], reason: str, extra: Sequence[str]) -> Tier:
    if design_facts.get("cluster"):
        return Tier("randomized", "cluster", reason, (*extra, *_evidence(design_facts, "cluster")))
    if design_facts.get("crossover"):
        return Tier(
            "randomized", "crossover", reason, (*extra, *_evidence(design_facts, "crossover"))
        )
    return Tier("randomized", "parallel", reason, tuple(extra))


def classify_tier(
    design_facts: Mapping[str, Any],
    publication_types: Sequence[str],
    text: str | None = None,
) -> Tier:
    """Classify one study into an evidence tier.

    Parameters
    ----------
    design_facts:
        The ``design`` field of a ``miner extract`` record (``is_rct``,
        ``crossover``, ``cluster``, ``blinding``, ``placebo``, ``evidence``);
        an empty mapping when there is none.
    publication_types:
        PubMed publication types of the article (may be empty).
    text:
        ``title + "\\n" + abstract``, for wording the design extractor does not
        label (non-randomized, cohort, single-arm, case series).

    Returns
    -------
    Tier
        With ``tier`` in :data:`TIERS`, the ``design`` within it and the reason.

    Examples
    --------
    >>> classify_tier({"is_rct": True, "crossover": True}, []).design
    'crossover'
    >>> classify_tier({}, ["Meta-Analysis"]).poolable
    False
    """
    title = (text or "").split("\n", 1)[0]
    # 1. evidence synthesis: a review is never pooled with its own trials
    for pt, design in _PT_SYNTHESIS.items():
        found = _has(publication_types, (pt,))
        if found:
            return Tier("evidence_synthesis", design, f"publication type {found!r}", (found,))
    if text:
        m = _TITLE_SYNTHESIS_RE.search(title) or _SYNTHESIS_RE.search(text)
        if m:
            design = (
                "meta_analysis"
                if re.search(r"meta-?analy", f"{title} {m.group(0)}", re.I)
                else "systematic_review"
            )
            return Tier("evidence_synthesis", design, "described as a review", (m.group(0),))
    if any(
        e.get("kind") == "not_trial"
        for e in design_facts.get("evidence") or ()
        if isinstance(e, Mapping)
    ) and not design_facts.get("is_rct"):
        ev = _evidence(design_facts, "not_trial")
        if ev and any(re.search(r"review|meta", t, re.I) for t in ev):
            return Tier("evidence_synthesis", "systematic_review", "design extraction", ev)
    nonrandom = _NONRANDOM_RE.search(text) if text else None
    # 2. randomized
    found = _has(publication_types, _PT_RCT)
    if found and not nonrandom:
        return _randomized(design_facts, f"publication type {found!r}", (found,))
    if design_facts.get("is_rct") and not nonrandom:
        return _randomized(
            design_facts,
            "design extraction (randomized wording)",
            _evidence(design_facts, "randomized"),
        )
    # 3. single arm / case series (before cohort: "single-arm" trials are often prospective)
    if text:
        m = _SINGLE_ARM_RE.search(text)
        if m:
            return Tier("single_arm", "single_arm", "described as single-arm", (m.group(0),))
        m = _CASE_SERIES_RE.search(text)
        if m:
            return Tier("single_arm", "case_series", "described as a case series", (m.group(0),))
    found = _has(publication_types, _PT_CASES)
    if found:
        return Tier("single_arm", "case_series", f"publication type {found!r}", (found,))
    # 4. non-randomized comparative
    if text:
        m = _COHORT_RE.search(text)
        if m:
            return Tier("non_randomized", "cohort", "described as observational", (m.group(0),))
        if nonrandom:
            ctrl = _CONTROLLED_RE.search(text)
            ev = (nonrandom.group(0), *((ctrl.group(0),) if ctrl else ()))
            return Tier(
                "non_randomized", "open_label_controlled", "described as not randomized", ev
            )
    found = _has(publication_types, _PT_OBSERVATIONAL)
    if found:
        return Tier("non_randomized", "cohort", f"publication type {found!r}", (found,))
    return Tier("unclassified", "unknown", "no design statement in the record")


def tier_counts(tiers: Sequence[Tier]) -> dict[str, int]:
    """Number of studies per tier, every tier listed (zeros included)."""
    counts = dict.fromkeys(TIERS, 0)
    for t in tiers:
        counts[t.tier] += 1
    return counts


# ----------------------------------------------------------------------- crossover


@dataclass(frozen=True, slots=True)
class CrossoverResult:
    """A crossover trial's paired effect, or why there is none.

    ``effect`` is a within-patient mean difference (measure ``MD``) whose
    ``vi`` comes from a paired analysis, or ``None``; ``method`` names how it
    was computed; ``flags`` are assumptions a reader must see (an assumed
    correlation); ``missing`` lists what the abstract would have to give.
    """

    effect: Effect | None
    method: str
    flags: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    references: tuple[str, ...] = CROSSOVER_REFERENCES

    @property
    def usable(self) -> bool:
        """Whether a paired effect was computed."""
        return self.effect is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        e = self.effect
        return {
            "usable": self.usable,
            "method": self.method,
            "yi": e.yi if e else None,
            "vi": e.vi if e else None,
            "flags": list(self.flags),
            "missing": list(self.missing),
            "references": list(self.references),
        }


def crossover_effect(
    study_id: str,
    *,
    md: float | None = None,
    ci: tuple[float, float] | None = None,
    level: float = 0.95,
    se: float | None = None,
    p: float | None = None,
    n: int | None = None,
    mean_t: float | None = None,
    sd_t: float | None = None,
    mean_c: float | None = None,
    sd_c: float | None = None,
    correlation: float | None = None,
    sd_diff: float | None = None,
) -> CrossoverResult:
    """The paired (within-patient) mean difference of a crossover trial, or what is missing.

    Tried in this order (Elbourne et al. 2002; Cochrane Handbook 23.2.7):

    1. ``md`` with its paired ``se``: ``vi = se^2``;
    2. ``md`` with a CI of the paired difference: ``se = (ub - lb) / (2 z)``;
    3. ``md`` with ``sd_diff`` (SD of the within-patient differences) and
       ``n`` patients: ``se = sd_diff / sqrt(n)``;
    4. ``md`` with an exact paired-test ``p`` and ``n``:
       ``se = |md| / t_{n-1}(1 - p/2)`` (paired t-test, Handbook 23.2.7.2);
    5. per-period means and SDs (``mean_t``, ``sd_t``, ``mean_c``, ``sd_c``)
       with ``n`` and a ``correlation`` r between periods:
       ``sd_diff = sqrt(sd_t^2 + sd_c^2 - 2 r sd_t sd_c)``,
       ``se = sd_diff / sqrt(n)``. An r the abstract does not report is an
       assumption, always FLAGGED (Handbook 23.2.7.3 suggests taking it from
       similar trials and checking sensitivity).

    Otherwise no effect is made and ``missing`` says what would be needed.
    The CI and p-value must be those of the paired comparison: a CI from a
    parallel-group analysis would give the wrong weight.

    Returns
    -------
    CrossoverResult
    """

    def result(yi: float, vi: float, method: str, flags: Sequence[str] = ()) -> CrossoverResult:
        if not (math.isfinite(yi) and math.isfinite(vi) and vi > 0):
            raise EffectSizeError(
                f"crossover {method}: non-finite or zero variance", study=study_id
            )
        effect = Effect(
            study_id=study_id,
            measure="MD",
            yi=yi,
            vi=vi,
            n_total=n,
            assumptions=(f"crossover: paired analysis ({method})", *flags),
        )
        return CrossoverResult(effect, method, tuple(flags))

    if md is not None:
        if se is not None and se > 0:
            return result(md, se * se, "paired SE")
        if ci is not None:
            s = ci_to_se(ci[0], ci[1], level=level, study_id=study_id)
            return result(md, s * s, f"SE from the {level:.0%} CI of the paired difference")
        if sd_diff is not None and n is not None and n > 1 and sd_diff > 0:
            return result(md, (sd_diff / math.sqrt(n)) ** 2, "SD of within-patient differences")
        if p is not None and n is not None and n > 1 and 0 < p < 1 and md != 0:
            t = float(stats.t.isf(p / 2, n - 1))
            return result(md, (abs(md) / t) ** 2, f"SE from the paired t-test p-value (df={n - 1})")
    have_means = None not in (mean_t, sd_t, mean_c, sd_c)
    if have_means and n is not None and n > 1:
        assert mean_t is not None and sd_t is not None and mean_c is not None and sd_c is not None
        if correlation is not None:
            if not -1 < correlation < 1:
                raise EffectSizeError(
                    f"correlation must be in (-1, 1), got {correlation!r}", study=study_id
                )
            var_d = sd_t**2 + sd_c**2 - 2 * correlation * sd_t * sd_c
            flag = (
                f"ASSUMED within-patient correlation r={correlation:g} (not reported); "
                "check sensitivity (Cochrane Handbook 23.2.7.3)"
            )
            return result(mean_t - mean_c, var_d / n, "means/SDs with a correlation", [flag])
    missing: list[str] = []
    if md is None and not have_means:
        missing.append("within-patient mean difference (or per-period means and SDs)")
    if md is not None:
        missing.append(
            "SE, CI, SD of differences or exact p-value of the paired comparison"
            + ("" if n else ", with the number of patients")
        )
    elif have_means:
        if not n:
            missing.append("number of patients")
        missing.append("within-patient correlation (or the paired SE/CI)")
    return CrossoverResult(None, "not computed", (), tuple(missing))
