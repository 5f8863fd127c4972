"""Saved searches: the question a living dataset answers, validated with pydantic.

A saved search is one TOML file in ``pipelines/`` (or a row added with
``miner search add``). It names where abstracts come from (a PubMed query, or a
local corpus file under ``MINER_SHARED_DATA``), which records are eligible
(RCTs only, languages, years), the comparison (intervention versus
comparator terms), the outcomes and the measure to pool, time-point windows,
subgroup keys, harms, evidence tiers, durability and dose settings (``[harms]``,
``[tiers]``, ``[durability]``, ``[dose]``, all optional) and the refresh
schedule. Example::

    name = "ketamine_neuropathic_pain"
    query = "ketamine neuropathic pain"
    schedule = "daily"

    [comparison]
    intervention = ["ketamine"]
    comparator = ["placebo", "saline"]

    [[outcomes]]
    name = "pain intensity"
    terms = ["pain"]
    measure = "MD"

    [[timepoints]]
    label = "1 week"
    min_days = 5
    max_days = 10

pydantic is used here because this is an edge (files written by people);
inside the package the models are read, never mutated.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from miner.errors import ConfigError

#: Measures a saved search may pool (DESIGN.md canonical measures that miner.pool handles).
POOLABLE_MEASURES = ("MD", "SMD", "RR", "OR", "RD", "HR")
#: Subgroup keys the living dataset knows how to derive from an extraction.
SUBGROUP_KEYS = ("route", "dose_band")
#: Pooling methods (names of miner.pool estimators).
METHODS = ("FE", "DL", "REML", "PM")
#: Local corpus formats miner can ingest for a saved search.
LOCAL_FORMATS = ("pubmed-xml", "pubmed-text-tar", "evidence-inference-jsonl")

_SCHEDULE_RE = re.compile(r"^(hourly|daily|weekly|never|every \d+ (minutes|hours|days))$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalSource(_Model):
    """A corpus file read instead of PubMed.

    ``path`` is relative to ``MINER_SHARED_DATA`` (or absolute), so the
    package never ships the data. ``members`` optionally restricts a tar
    archive to member names matching this glob.
    """

    path: str
    format: Literal["pubmed-xml", "pubmed-text-tar", "evidence-inference-jsonl"]
    members: str | None = None


class Inclusion(_Model):
    """Which ingested records are eligible."""

    rct_only: bool = True
    languages: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None


class Comparison(_Model):
    """Intervention versus comparator, as lowercase terms matched on word boundaries."""

    intervention: tuple[str, ...] = Field(min_length=1)
    comparator: tuple[str, ...] = Field(min_length=1)
    #: Articles naming any of these are left out: their comparator is not the search's
    #: (an active placebo, a premixed insulin).
    exclude_terms: tuple[str, ...] = ()

    @field_validator("intervention", "comparator", "exclude_terms")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.strip().lower() for t in v if t.strip())


class Outcome(_Model):
    """One outcome to pool: a name, the terms that identify it, and the measure."""

    name: str
    terms: tuple[str, ...] = Field(min_length=1)
    measure: str = "MD"
    #: Whether a negative difference favours the intervention (for display only).
    lower_is_better: bool = True

    @field_validator("terms")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.strip().lower() for t in v if t.strip())

    @field_validator("measure")
    @classmethod
    def _measure(cls, v: str) -> str:
        if v not in POOLABLE_MEASURES:
            raise ValueError(f"measure {v!r} is not one of {', '.join(POOLABLE_MEASURES)}")
        return v


class TimeWindow(_Model):
    """A time-point window in days, inclusive.

    ``terms`` are time-point phrases that belong here whatever their number
    ("end of infusion"); ``unspecified`` takes values reported with no time point.
    """

    label: str
    min_days: float = Field(ge=0)
    max_days: float = Field(ge=0)
    terms: tuple[str, ...] = ()
    unspecified: bool = False

    @field_validator("terms")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.strip().lower() for t in v if t.strip())

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.max_days < self.min_days:
            raise ValueError(f"window {self.label!r}: max_days < min_days")
        return self


class DoseBand(_Model):
    """A dose band for the ``dose_band`` subgroup: ``low <= dose < high`` in ``unit``."""

    label: str
    unit: str
    low: float = 0.0
    high: float | None = None


#: Harm measures (:data:`miner.harms.HARM_MEASURES`).
HARM_MEASURES = ("RR", "RD")
#: Evidence tiers that may be pooled (:data:`miner.tiers.POOLABLE_TIERS`), each only with itself.
POOLABLE_TIERS = ("randomized", "non_randomized", "single_arm")
#: Dose bases (:data:`miner.dose_norm.BASES`).
DOSE_BASES = ("mg", "mg/kg", "mg/day", "mg/kg/day", "total mg", "total mg/kg")
_HARMS_VOCABULARY = Path(__file__).resolve().parent / "extract" / "patterns" / "harms.jsonl"


def harm_categories() -> tuple[str, ...]:
    """Categories of the harms vocabulary (read from the pattern file, without spaCy)."""
    import json

    rows = _HARMS_VOCABULARY.read_text(encoding="utf-8").splitlines()
    return tuple(str(json.loads(r)["category"]) for r in rows if r.strip())


class HarmsSettings(_Model):
    """How harms are pooled (``[harms]``).

    ``categories`` restricts the brief to these vocabulary categories (empty:
    every category some study reports); ``unspecified_window`` names the
    window of harms reported without a time point (most abstracts count
    adverse events over the whole study).
    """

    measures: tuple[str, ...] = HARM_MEASURES
    categories: tuple[str, ...] = ()
    unspecified_window: str = Field(default="study period", min_length=1, max_length=64)

    @field_validator("measures")
    @classmethod
    def _measures(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError(f"at least one harm measure: {', '.join(HARM_MEASURES)}")
        for m in v:
            if m not in HARM_MEASURES:
                raise ValueError(f"harm measure {m!r} is not one of {', '.join(HARM_MEASURES)}")
        return v

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        known = harm_categories()
        for c in v:
            if c not in known:
                raise ValueError(f"harm category {c!r} is not one of {', '.join(known)}")
        return v


class TierSettings(_Model):
    """Evidence tiers (``[tiers]``): which tiers are pooled, each only within itself.

    Evidence synthesis (reviews, meta-analyses) is never pooled. A crossover
    trial reporting only per-period means and SDs needs the within-patient
    correlation; ``crossover_correlation`` supplies an assumed one (always
    flagged on the effect), otherwise such trials are left out with the reason.
    """

    pool: tuple[str, ...] = POOLABLE_TIERS
    crossover_correlation: float | None = Field(default=None, gt=-1, lt=1)

    @field_validator("pool")
    @classmethod
    def _pool(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for t in v:
            if t not in POOLABLE_TIERS:
                raise ValueError(
                    f"tier {t!r} cannot be pooled; poolable: {', '.join(POOLABLE_TIERS)}"
                )
        return v


class DurabilitySettings(_Model):
    """Durability (``[durability]``): the outcomes whose persistence is judged (empty: all)."""

    outcomes: tuple[str, ...] = ()


class DoseSettings(_Model):
    """Dose normalisation and dose-response (``[dose]``).

    Doses are compared on ``basis``; ``cuts`` (ascending, with optional
    ``labels``, one more than cuts) define the ``dose_band`` subgroup on that
    basis (instead of ``[[dose_bands]]``); the meta-regression on dose runs when
    at least ``min_studies`` studies of a pooled cell report a dose on the basis.
    """

    basis: str = "mg/kg"
    cuts: tuple[float, ...] = ()
    labels: tuple[str, ...] | None = None
    min_studies: int = Field(default=5, ge=3)

    @field_validator("basis")
    @classmethod
    def _basis(cls, v: str) -> str:
        if v not in DOSE_BASES:
            raise ValueError(f"dose basis {v!r} is not one of {', '.join(DOSE_BASES)}")
        return v

    @model_validator(mode="after")
    def _cuts(self) -> DoseSettings:
        if any(b <= a for a, b in zip(self.cuts, self.cuts[1:], strict=False)):
            raise ValueError(f"dose cuts must be ascending, got {list(self.cuts)}")
        if self.labels is not None and len(self.labels) != len(self.cuts) + 1:
            raise ValueError(f"{len(self.cuts)} dose cuts need {len(self.cuts) + 1} labels")
        return self


class SavedSearch(_Model):
    """A saved search: see the module docstring for the TOML layout."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str | None = None
    query: str
    source: LocalSource | None = None
    inclusion: Inclusion = Inclusion()
    comparison: Comparison
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    timepoints: tuple[TimeWindow, ...] = ()
    subgroups: tuple[str, ...] = ()
    dose_bands: tuple[DoseBand, ...] = ()
    harms: HarmsSettings = HarmsSettings()
    tiers: TierSettings = TierSettings()
    durability: DurabilitySettings = DurabilitySettings()
    dose: DoseSettings = DoseSettings()
    method: str = "REML"
    schedule: str = "daily"

    @field_validator("subgroups")
    @classmethod
    def _subgroups(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for key in v:
            if key not in SUBGROUP_KEYS:
                raise ValueError(f"subgroup {key!r} is not one of {', '.join(SUBGROUP_KEYS)}")
        return v

    @field_validator("method")
    @classmethod
    def _method(cls, v: str) -> str:
        if v not in METHODS:
            raise ValueError(f"method {v!r} is not one of {', '.join(METHODS)}")
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        if not _SCHEDULE_RE.match(v):
            raise ValueError(
                f"schedule {v!r} is not one of hourly, daily, weekly, never, "
                "'every N minutes|hours|days'"
            )
        return v

    @model_validator(mode="after")
    def _bands(self) -> SavedSearch:
        if "dose_band" in self.subgroups and not (self.dose_bands or self.dose.cuts):
            raise ValueError("subgroup 'dose_band' needs [[dose_bands]] or [dose] cuts")
        names = {o.name for o in self.outcomes}
        unknown = [o for o in self.durability.outcomes if o not in names]
        if unknown:
            raise ValueError(
                f"durability outcomes {unknown} are not outcomes of the search: {', '.join(names)}"
            )
        return self

    # -- derived ---------------------------------------------------------------

    @property
    def schedule_seconds(self) -> float | None:
        """The refresh period in seconds, or None for ``never``."""
        s = self.schedule
        fixed = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0, "never": None}
        if s in fixed:
            return fixed[s]
        _, n, unit = s.split()
        return float(n) * {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}[unit]

    def query_terms(self) -> tuple[str, ...]:
        """The query's words as lowercase terms (boolean operators and field tags dropped)."""
        return query_terms(self.query)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_dict` reads back."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "<dict>") -> SavedSearch:
        """Validate ``data``; raise :class:`ConfigError` naming ``origin`` and the bad fields."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigError(f"saved search {origin}: {problems}") from exc

    @classmethod
    def from_toml(cls, path: Path) -> SavedSearch:
        """Read and validate one TOML file."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"saved search {path}: {exc}") from exc
        return cls.from_dict(data, origin=str(path))


_STOP = {"and", "or", "not", "the", "of", "in", "for", "with", "a", "an", "to", "on"}


def query_terms(query: str) -> tuple[str, ...]:
    """Lowercase content words: ``"ketamine AND pain[tiab]"`` -> ``("ketamine", "pain")``."""
    cleaned = re.sub(r"\[[^\]]*\]", " ", query.lower())
    words = re.findall(r"[a-z0-9][a-z0-9\-]*", cleaned)
    return tuple(dict.fromkeys(w for w in words if w not in _STOP))
