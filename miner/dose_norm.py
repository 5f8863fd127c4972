"""Doses in comparable units, dose bands, and dose-response meta-regression.

Abstracts write doses every way: "0.5 mg/kg", "500 ug", "25 mg twice daily
for 7 days", "0.15 mg/kg/h over 40 min". :func:`normalise_dose` turns one
extracted dose (the ``doses`` entries of ``miner extract``, units in the
DESIGN.md vocabulary) into what can honestly be derived:

- per administration: ``per_dose_mg``, ``per_dose_mg_per_kg``;
- per day: ``daily_mg``, ``daily_mg_per_kg`` (needs a frequency, or a
  ``.../day`` unit);
- over the course: ``total_mg``, ``total_mg_per_kg`` (a single dose, or a
  daily dose times a stated duration; an infusion rate times its duration).

Body weight converts between mg and mg/kg only when the abstract states it
(``body_weight_kg`` argument, e.g. from :func:`stated_body_weight`); a weight
is never assumed. Everything that could not be derived is listed in
``flags`` with the reason (mg/m2 needs body surface area, "%" and "ml" are
not masses, a range has no single value ...).

:func:`dose_response` runs :func:`miner.pool.meta_regression` of the effect on
dose when at least ``min_studies`` (default 5) studies report a comparable
dose, and otherwise says "not enough comparable doses (k=...)".
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from miner.errors import ConfigError, MinerError
from miner.records import Effect

#: Bases on which doses are compared.
BASES = ("mg", "mg/kg", "mg/day", "mg/kg/day", "total mg", "total mg/kg")
_FIELD_OF_BASIS = {
    "mg": "per_dose_mg",
    "mg/kg": "per_dose_mg_per_kg",
    "mg/day": "daily_mg",
    "mg/kg/day": "daily_mg_per_kg",
    "total mg": "total_mg",
    "total mg/kg": "total_mg_per_kg",
}
# milligrams per unit of mass
_MASS_MG = {"mg": 1.0, "g": 1000.0, "ug": 1e-3, "ng": 1e-6}
_NOT_MASS = {
    "ml": "a volume (ml) is not a mass without a concentration",
    "%": "a percentage strength is not a mass without a volume",
    "iu": "international units are not convertible to mg",
    "mmol": "mmol needs the molar mass",
    "mg/ml": "a concentration is not a dose without the volume given",
    "ml/kg": "a volume per kg is not a mass without a concentration",
    "iu/kg": "international units are not convertible to mg",
    "mg/m2": "mg/m2 needs body surface area, which abstracts rarely state",
}
# administrations per day of canonical frequencies (miner.extract.quantities.parse_frequency)
_PER_DAY = {
    "once daily": 1.0,
    "twice daily": 2.0,
    "three times daily": 3.0,
    "four times daily": 4.0,
    "five times daily": 5.0,
    "six times daily": 6.0,
    "daily": 1.0,
    "nightly": 1.0,
    "at bedtime": 1.0,
    "at night": 1.0,
    "every morning": 1.0,
    "every evening": 1.0,
    "once weekly": 1 / 7,
    "weekly": 1 / 7,
    "every other day": 0.5,
    "every 2 weeks": 1 / 14,
    "monthly": 12 / 365.25,
}
_EVERY_RE = re.compile(r"^every (\d+(?:\.\d+)?) (h|hours?|days?|weeks?)$")
_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?) (s|min|h|days?|weeks?|months?|years?)$")
_DAYS = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 365.25 / 12,
    "year": 365.25,
}


def per_day(frequency: str | None) -> float | None:
    """Administrations per day for a canonical frequency, or ``None`` when unknown."""
    if not frequency:
        return None
    if frequency in _PER_DAY:
        return _PER_DAY[frequency]
    m = _EVERY_RE.match(frequency)
    if m:
        n, unit = float(m.group(1)), m.group(2)
        if n <= 0:
            return None
        if unit.startswith("h"):
            return 24 / n
        return 1 / (n * (7 if unit.startswith("week") else 1))
    return None


def duration_days(duration: str | None) -> float | None:
    """Days of a canonical duration ("5 days", "40 min", "12 weeks"); ``None`` for ranges."""
    if not duration:
        return None
    m = _DURATION_RE.match(duration.strip())
    if not m:
        return None
    unit = m.group(2).rstrip("s") if m.group(2) not in ("s", "min", "h") else m.group(2)
    return float(m.group(1)) * _DAYS[unit]


@dataclass(frozen=True, slots=True)
class BodyWeight:
    """A body weight the abstract states, with where it says so."""

    kg: float
    start: int
    end: int
    text: str


_WEIGHT_RE = re.compile(
    r"\b(?:(?:mean|average|median)\s+)?(?:body\s*)?weight\s*(?:\(\s*(?:SD|range)[^)]*\)\s*)?"
    r"(?:was|of|:|=|,)?\s*(?P<kg>\d{2,3}(?:\.\d+)?)\s*(?:\u00b1\s*\d+(?:\.\d+)?\s*)?kg\b"
    r"|\bweigh(?:ing|ed|s)?\s+(?:a\s+mean\s+of\s+|about\s+|approximately\s+)?"
    r"(?P<kg2>\d{2,3}(?:\.\d+)?)\s*kg\b",
    re.IGNORECASE,
)


def stated_body_weight(text: str) -> BodyWeight | None:
    """The participants' body weight when the text states one (first mention), else ``None``.

    Only an explicit weight in kg counts ("mean body weight 72.4 kg",
    "weighing 70 kg"); a BMI or a weight change ("lost 5 kg") does not.
    """
    for m in _WEIGHT_RE.finditer(text):
        left = text[max(0, m.start() - 25) : m.start()].lower()
        if re.search(r"\b(?:lost|loss|gain|gained|change|reduction|reduced|increase)\w*\s*$", left):
            continue
        kg = float(m.group("kg") or m.group("kg2"))
        if 20 <= kg <= 250:
            return BodyWeight(kg, m.start(), m.end(), m.group(0))
    return None


@dataclass(frozen=True, slots=True)
class NormalisedDose:
    """One dose in comparable units, with what was assumed and what could not be done.

    All amounts are in mg; ``None`` where the abstract does not allow the
    value. ``notes`` say how a value was derived (e.g. "daily = 25 mg x 2
    per day"); ``flags`` say what could not be derived and why.
    """

    source: Mapping[str, Any]
    per_dose_mg: float | None = None
    per_dose_mg_per_kg: float | None = None
    daily_mg: float | None = None
    daily_mg_per_kg: float | None = None
    total_mg: float | None = None
    total_mg_per_kg: float | None = None
    body_weight_kg: float | None = None
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    def value(self, basis: str) -> float | None:
        """The dose on ``basis`` (one of :data:`BASES`), or ``None``."""
        if basis not in _FIELD_OF_BASIS:
            raise ConfigError(f"dose basis {basis!r} unknown; allowed: {', '.join(BASES)}")
        value: float | None = getattr(self, _FIELD_OF_BASIS[basis])
        return value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the source dose is not repeated)."""
        return {
            "per_dose_mg": self.per_dose_mg,
            "per_dose_mg_per_kg": self.per_dose_mg_per_kg,
            "daily_mg": self.daily_mg,
            "daily_mg_per_kg": self.daily_mg_per_kg,
            "total_mg": self.total_mg,
            "total_mg_per_kg": self.total_mg_per_kg,
            "body_weight_kg": self.body_weight_kg,
            "notes": list(self.notes),
            "flags": list(self.flags),
        }


def normalise_dose(
    dose: Mapping[str, Any], *, body_weight_kg: float | None = None
) -> NormalisedDose:
    """Normalise one extracted dose to mg, mg/kg, mg/day, mg/kg/day and totals.

    Parameters
    ----------
    dose:
        A ``doses`` entry of ``miner extract``: ``value``, ``value_max``,
        ``unit`` (DESIGN.md vocabulary), ``frequency``, ``duration``,
        ``qualifier``.
    body_weight_kg:
        The participants' weight, only when the abstract states it.

    Returns
    -------
    NormalisedDose

    Examples
    --------
    >>> nd = normalise_dose({"value": 0.5, "unit": "mg/kg"})
    >>> nd.per_dose_mg_per_kg, nd.per_dose_mg
    (0.5, None)
    """
    notes: list[str] = []
    flags: list[str] = []
    unit = (dose.get("unit") or "").lower()
    value = dose.get("value")
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return NormalisedDose(dose, flags=("no numeric dose value",))
    if dose.get("value_max") is not None:
        return NormalisedDose(
            dose,
            flags=(
                f"a range ({value:g}-{dose['value_max']:g} {unit}) has no single dose; "
                "not normalised",
            ),
        )
    if dose.get("qualifier") not in (None, "~"):
        return NormalisedDose(
            dose, flags=(f"a bound ({dose['qualifier']} {value:g} {unit}) is not a dose given",)
        )
    if dose.get("qualifier") == "~":
        notes.append("approximate dose taken as written")
    value = float(value)
    parts = unit.split("/")
    head = parts[0]
    if head not in _MASS_MG:
        reason = _NOT_MASS.get(unit) or _NOT_MASS.get(head) or f"unit {unit!r} is not a mass"
        return NormalisedDose(dose, flags=(f"not normalised: {reason}",))
    mg = value * _MASS_MG[head]
    rest = parts[1:]
    per_kg = bool(rest) and rest[0] == "kg"
    if per_kg:
        rest = rest[1:]
    if rest and rest[0] == "m2":
        return NormalisedDose(dose, flags=(f"not normalised: {_NOT_MASS['mg/m2']}",))
    per_admin: float | None = None
    daily: float | None = None
    total: float | None = None
    freq = dose.get("frequency")
    n_day = per_day(freq)
    dur_days = duration_days(dose.get("duration"))
    if not rest:
        per_admin = mg
        if freq == "single dose":
            total = mg
            notes.append("single dose: total = the dose")
        elif n_day is not None:
            daily = mg * n_day
            notes.append(f"daily = dose x {n_day:g} per day ({freq})")
        elif freq:
            flags.append(f"frequency {freq!r} not convertible to doses per day")
        else:
            flags.append("no frequency stated: daily dose unknown")
        if daily is not None and dur_days is not None:
            total = daily * dur_days
            notes.append(f"total = daily dose x {dur_days:g} days")
    elif rest == ["day"]:
        daily = mg
        if dur_days is not None:
            total = mg * dur_days
            notes.append(f"total = daily dose x {dur_days:g} days")
    elif rest[0] in ("h", "min"):
        # an infusion rate: a total needs the infusion length
        if dur_days is not None:
            total = mg * dur_days * (24 if rest[0] == "h" else 1440)
            notes.append(f"total = rate x infusion length ({dose.get('duration')})")
        else:
            flags.append(f"infusion rate ({unit}) without a stated infusion length: no total")
    else:
        return NormalisedDose(dose, flags=(f"not normalised: unit {unit!r} not understood",))

    def scaled(x: float | None) -> tuple[float | None, float | None]:
        """(mg, mg/kg) from a value in the dose's own basis."""
        if x is None:
            return None, None
        if per_kg:
            return (x * body_weight_kg if body_weight_kg else None), x
        return x, (x / body_weight_kg if body_weight_kg else None)

    if body_weight_kg is not None and not (body_weight_kg > 0 and math.isfinite(body_weight_kg)):
        raise ConfigError(f"body weight must be a positive number of kg, got {body_weight_kg!r}")
    if body_weight_kg:
        notes.append(f"stated body weight {body_weight_kg:g} kg used for mg <-> mg/kg")
    else:
        flags.append(
            "no stated body weight: "
            + ("mg not derived from mg/kg" if per_kg else "mg/kg not derived")
        )
    pd_mg, pd_kg = scaled(per_admin)
    d_mg, d_kg = scaled(daily)
    t_mg, t_kg = scaled(total)
    return NormalisedDose(
        dose,
        per_dose_mg=pd_mg,
        per_dose_mg_per_kg=pd_kg,
        daily_mg=d_mg,
        daily_mg_per_kg=d_kg,
        total_mg=t_mg,
        total_mg_per_kg=t_kg,
        body_weight_kg=body_weight_kg,
        notes=tuple(notes),
        flags=tuple(flags),
    )


# ---------------------------------------------------------------------- bands


@dataclass(frozen=True, slots=True)
class DoseBands:
    """Dose bands on one basis from ascending cut points.

    ``cuts=(0.5, 1.0)`` on ``"mg/kg"`` makes three bands: ``< 0.5 mg/kg``,
    ``0.5 to < 1 mg/kg`` and ``>= 1 mg/kg`` (each band includes its lower cut).
    ``labels`` may name them (one more label than cut points).
    """

    basis: str
    cuts: tuple[float, ...]
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ConfigError(f"dose basis {self.basis!r} unknown; allowed: {', '.join(BASES)}")
        if not self.cuts or any(b <= a for a, b in itertools.pairwise(self.cuts)):
            raise ConfigError(f"dose band cuts must be ascending and non-empty, got {self.cuts}")
        if self.labels is not None and len(self.labels) != len(self.cuts) + 1:
            raise ConfigError(
                f"{len(self.cuts)} cut points need {len(self.cuts) + 1} labels, "
                f"got {len(self.labels)}"
            )

    def names(self) -> tuple[str, ...]:
        """The band labels in ascending order."""
        if self.labels is not None:
            return self.labels
        unit = self.basis
        c = self.cuts
        mids = [f"{a:g} to < {b:g} {unit}" for a, b in itertools.pairwise(c)]
        return (f"< {c[0]:g} {unit}", *mids, f">= {c[-1]:g} {unit}")

    def band(self, value: float | None) -> str | None:
        """The band of a dose on this basis (``None`` when there is no dose)."""
        if value is None or not math.isfinite(value):
            return None
        i = sum(1 for c in self.cuts if value >= c)
        return self.names()[i]

    def band_of(self, dose: NormalisedDose) -> str | None:
        """The band of a normalised dose (``None`` when it has no value on this basis)."""
        return self.band(dose.value(self.basis))


# ---------------------------------------------------------------- dose-response


@dataclass(frozen=True, slots=True)
class DosedEffect:
    """A study's effect with its dose on some basis (``None`` when not comparable)."""

    effect: Effect
    dose: float | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DoseResponse:
    """The meta-regression of effect on dose, or why it was not run.

    ``status`` is ``"fitted"``, ``"insufficient"`` (fewer than ``min_studies``
    comparable doses, or a dose that does not vary) or ``"failed"``;
    ``regression`` holds :meth:`MetaRegressionResult.to_dict` when fitted.
    """

    status: str
    basis: str
    k: int
    min_studies: int
    message: str
    studies: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    regression: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "status": self.status,
            "basis": self.basis,
            "k": self.k,
            "min_studies": self.min_studies,
            "message": self.message,
            "studies": list(self.studies),
            "excluded": [{"id": s, "reason": r} for s, r in self.excluded],
            "regression": self.regression,
        }


def dose_response(
    effects_with_dose: Sequence[DosedEffect],
    *,
    basis: str,
    min_studies: int = 5,
    method: str = "REML",
    test: Literal["z", "hk"] = "z",
) -> DoseResponse:
    """Meta-regression of the effect on dose when enough studies report a comparable dose.

    Parameters
    ----------
    effects_with_dose:
        One :class:`DosedEffect` per study (dose on ``basis``, ``None`` when the
        study's dose could not be put on it).
    basis:
        One of :data:`BASES`; recorded in the result.
    min_studies:
        Fewest studies with a comparable dose (default 5; Cochrane Handbook
        10.11.4 advises against meta-regression with fewer than about 10).
    method, test:
        Passed to :func:`miner.pool.meta_regression`.
    """
    from miner.pool import meta_regression

    if basis not in BASES:
        raise ConfigError(f"dose basis {basis!r} unknown; allowed: {', '.join(BASES)}")
    if min_studies < 3:
        raise ConfigError(f"min_studies must be >= 3 (a slope needs them), got {min_studies}")
    usable = [d for d in effects_with_dose if d.dose is not None and math.isfinite(d.dose)]
    excluded = tuple(
        (d.effect.study_id, "; ".join(d.flags) or f"no dose on the {basis} basis")
        for d in effects_with_dose
        if d not in usable
    )
    ids = tuple(d.effect.study_id for d in usable)
    k = len(usable)
    if k < min_studies:
        return DoseResponse(
            "insufficient",
            basis,
            k,
            min_studies,
            f"not enough comparable doses (k={k}; need >= {min_studies} on {basis})",
            ids,
            excluded,
        )
    doses = [float(d.dose) for d in usable if d.dose is not None]
    if max(doses) == min(doses):
        return DoseResponse(
            "insufficient",
            basis,
            k,
            min_studies,
            f"the dose does not vary (all {doses[0]:g} {basis}; k={k})",
            ids,
            excluded,
        )
    try:
        reg = meta_regression(
            [d.effect for d in usable], doses, method=method, test=test, name=f"dose ({basis})"
        )
    except MinerError as exc:
        return DoseResponse(
            "failed", basis, k, min_studies, f"meta-regression failed: {exc}", ids, excluded
        )
    return DoseResponse(
        "fitted",
        basis,
        k,
        min_studies,
        f"meta-regression on dose ({basis}), k={k}",
        ids,
        excluded,
        reg.to_dict(),
    )
