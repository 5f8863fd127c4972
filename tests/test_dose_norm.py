"""Dose normalisation, bands and dose-response."""

from __future__ import annotations

import pytest

from miner.dose_norm import (
    DoseBands,
    DosedEffect,
    dose_response,
    normalise_dose,
    per_day,
    stated_body_weight,
)
from miner.effects import generic
from miner.errors import ConfigError


def _d(value: float, unit: str, **kw: object) -> dict[str, object]:
    return {
        "value": value,
        "value_max": None,
        "unit": unit,
        "frequency": None,
        "duration": None,
        "qualifier": None,
        **kw,
    }


@pytest.mark.parametrize(
    ("dose", "weight", "expected"),
    [
        (_d(0.5, "mg/kg"), None, {"per_dose_mg_per_kg": 0.5, "per_dose_mg": None}),
        (_d(0.5, "mg/kg"), 80.0, {"per_dose_mg_per_kg": 0.5, "per_dose_mg": 40.0}),
        (_d(500, "ug"), None, {"per_dose_mg": 0.5, "per_dose_mg_per_kg": None}),
        (
            _d(25, "mg", frequency="twice daily", duration="7 days"),
            None,
            {"per_dose_mg": 25.0, "daily_mg": 50.0, "total_mg": 350.0},
        ),
        (_d(2, "g", frequency="single dose"), 50.0, {"total_mg": 2000.0, "total_mg_per_kg": 40.0}),
        (
            _d(10, "mg/kg/day", duration="5 days"),
            None,
            {"daily_mg_per_kg": 10.0, "total_mg_per_kg": 50.0},
        ),
        (
            _d(0.15, "mg/kg/h", duration="40 min"),
            None,
            {"total_mg_per_kg": pytest.approx(0.1), "per_dose_mg_per_kg": None},
        ),
        (_d(5, "mg", frequency="every 8 hours"), None, {"daily_mg": 15.0}),
    ],
    ids=["mgkg", "mgkg-weight", "ug", "bid-course", "single-g", "mgkgday", "infusion", "q8h"],
)
def test_normalise(
    dose: dict[str, object], weight: float | None, expected: dict[str, object]
) -> None:
    nd = normalise_dose(dose, body_weight_kg=weight)
    for field, value in expected.items():
        assert getattr(nd, field) == value, field


@pytest.mark.parametrize(
    ("dose", "needle"),
    [
        (_d(75, "mg/m2"), "body surface area"),
        (_d(10, "ml"), "volume"),
        (_d(0.5, "%"), "percentage"),
        (_d(4, "iu/kg"), "international units"),
        (_d(0.5, "mg/kg", value_max=1.5), "range"),
        (_d(1500, "mg/day", qualifier=">="), "bound"),
        (_d(0.15, "mg/kg/h"), "infusion length"),
        (_d(0.5, "mg/kg"), "no stated body weight"),
        (_d(25, "mg"), "no frequency"),
    ],
    ids=["m2", "ml", "pct", "iu", "range", "bound", "rate", "weight", "frequency"],
)
def test_flags_say_why(dose: dict[str, object], needle: str) -> None:
    nd = normalise_dose(dose)
    assert any(needle in f for f in nd.flags), nd.flags


def test_weight_is_never_assumed() -> None:
    nd = normalise_dose(_d(0.5, "mg/kg", frequency="once daily"))
    assert nd.per_dose_mg is None and nd.daily_mg is None and nd.body_weight_kg is None


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("Patients (mean body weight 72.4 kg) received ...", 72.4),
        ("adults weighing 70 kg or more", 70.0),
        ("Participants lost 5.2 kg on average", None),
        ("BMI was 31 kg/m2", None),
    ],
    ids=["mean", "weighing", "loss", "bmi"],
)
def test_stated_body_weight(text: str, kg: float | None) -> None:
    found = stated_body_weight(text)
    assert (found.kg if found else None) == kg
    if found:
        assert text[found.start : found.end] == found.text


@pytest.mark.parametrize(
    ("freq", "n"),
    [
        ("once daily", 1.0),
        ("three times daily", 3.0),
        ("every 12 hours", 2.0),
        ("once weekly", 1 / 7),
        ("every 2 days", 0.5),
        ("as needed", None),
    ],
    ids=["od", "tid", "q12h", "weekly", "q2d", "prn"],
)
def test_per_day(freq: str, n: float | None) -> None:
    assert per_day(freq) == (pytest.approx(n) if n is not None else None)


def test_bands() -> None:
    bands = DoseBands("mg/kg", (0.5, 1.0))
    assert bands.names() == ("< 0.5 mg/kg", "0.5 to < 1 mg/kg", ">= 1 mg/kg")
    assert [bands.band(v) for v in (0.1, 0.5, 0.99, 1.0, None)] == [
        "< 0.5 mg/kg",
        "0.5 to < 1 mg/kg",
        "0.5 to < 1 mg/kg",
        ">= 1 mg/kg",
        None,
    ]
    assert bands.band_of(normalise_dose(_d(25, "mg"))) is None
    with pytest.raises(ConfigError):
        DoseBands("mg/kg", (1.0, 0.5))
    with pytest.raises(ConfigError):
        DoseBands("mg/m2", (1.0,))


def _dosed(k: int, *, missing: int = 0) -> list[DosedEffect]:
    out = [
        DosedEffect(generic(f"s{i}", -0.2 * i, 0.04 + 0.01 * i), 0.1 * (i + 1)) for i in range(k)
    ]
    out += [
        DosedEffect(generic(f"m{i}", 0.0, 0.05), None, ("not normalised: mg/m2",))
        for i in range(missing)
    ]
    return out


def test_dose_response_needs_five_comparable_doses() -> None:
    res = dose_response(_dosed(4, missing=3), basis="mg/kg")
    assert res.status == "insufficient" and res.k == 4
    assert "not enough comparable doses (k=4" in res.message
    assert len(res.excluded) == 3 and "mg/m2" in res.excluded[0][1]


def test_dose_response_fits_meta_regression() -> None:
    res = dose_response(_dosed(6), basis="mg/kg")
    assert res.status == "fitted" and res.regression is not None
    assert res.regression["k"] == 6
    assert res.regression["slope"] < 0  # effects fall as the dose rises, by construction


def test_dose_response_constant_dose() -> None:
    same = [DosedEffect(generic(f"s{i}", 0.1 * i, 0.05), 1.0) for i in range(6)]
    assert dose_response(same, basis="mg").status == "insufficient"
