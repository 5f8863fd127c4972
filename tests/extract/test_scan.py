"""Scanning only near required words finds what a scan of the whole text finds."""

from __future__ import annotations

import re

import pytest

from miner.extract.scan import (
    CASE_ODD,
    finditer_near,
    literal_windows,
    lower_same_length,
    match_at_starts,
    may_contain,
)


def test_windows_merge_and_clip() -> None:
    low = "a placebo here and a placebo there; no more"
    assert literal_windows(low, ["placebo"], 3, 3) == [(0, 12), (18, 31)]
    assert literal_windows(low, ["placebo"], 10, 10) == [(0, 38)]
    assert literal_windows(low, ["absent"], 5, 5) == []


def test_lower_same_length() -> None:
    assert lower_same_length("Placebo AND Drug") == "placebo and drug"
    assert lower_same_length("\u0130stanbul") is None  # dotted capital I lowercases to 2 chars


@pytest.mark.parametrize(
    ("pattern", "literals", "text"),
    [
        pytest.param(r"\bplacebos?\b", ("placebo",), "Placebo, PLACEBOS and noplacebo.", id="case"),
        pytest.param(
            r"\b(?:allocated|assigned)\s+at\s+random|\brandomi[sz]ed\b",
            ("random",),
            "Adults were assigned at random; later randomised again.",
            id="word-at-end",
        ),
        pytest.param(r"\bdouble[\s-]*blind\b", ("double",), "No match here at all.", id="none"),
    ],
)
def test_same_as_full_scan(pattern: str, literals: tuple[str, ...], text: str) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    full = [m.span() for m in regex.finditer(text)]
    low = lower_same_length(text)
    assert [m.span() for m in finditer_near(regex, text, low, literals, 30, 30)] == full
    assert [m.span() for m in finditer_near(regex, text, None, literals, 30, 30)] == full


def test_match_at_starts_is_finditer_inside_ranges() -> None:
    text = "gave 10 mg and 5 mg, then 2.5 mg twice; 20mg later"
    regex = re.compile(r"\d+(?:\.\d+)?\s?mg")
    starts = re.compile(r"(?<![\d.])\d")
    whole = [(0, len(text))]
    assert [m.span() for m in match_at_starts(regex, starts, text, whole)] == [
        m.span() for m in regex.finditer(text)
    ]
    # only the starts inside a range are tried; a match may run past its range
    got = match_at_starts(regex, starts, text, [(0, 6), (26, 27)])
    assert [m.group() for m in got] == ["10 mg", "2.5 mg"]
    assert match_at_starts(regex, starts, text, []) == []


@pytest.mark.parametrize("odd", CASE_ODD, ids=lambda c: f"U+{ord(c):04X}")
def test_case_odd_letters_defeat_a_lowercase_screen(odd: str) -> None:
    # each matches an ASCII letter under IGNORECASE, so a screen of the
    # lowercased text must give way to the regular expression
    assert any(re.fullmatch(c, odd, re.IGNORECASE) for c in "abcdefghijklmnopqrstuvwxyz")
    text = f"x{odd}y"
    assert may_contain(text, text.lower(), ["never-here"])
