"""The bundled synthetic demo corpus: well-formed, clearly synthetic, internally consistent.

The checks on numbers (arm sizes add up to the randomized total, mean
differences sit inside their confidence intervals and agree with the arm means
and p-values) run general regular expressions over the whole file, not
per-record expectations, so that a new or edited record is checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from miner.demo import (
    DEMO_CORPUS_FILE,
    DEMO_ID_PREFIX,
    DEMO_TITLE_MARK,
    demo_corpus_path,
    is_synthetic_id,
)
from miner.pubmed_xml import iter_pubmed_xml
from miner.records import Article

# --------------------------------------------------------------------------- helpers


def _parse() -> etree._ElementTree:
    # The same hardening as for any untrusted XML: no entities, no DTD, no network.
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    return etree.parse(str(demo_corpus_path()), parser)


def _records() -> list[etree._Element]:
    return list(_parse().getroot().iterfind("PubmedArticle"))


def _text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(str(t) for t in element.itertext())


def _abstract(record: etree._Element) -> str:
    parts = record.iterfind("MedlineCitation/Article/Abstract/AbstractText")
    # U+2212 is the minus sign some records use; the checks read numbers, not typography.
    return " ".join(_text(p) for p in parts).replace("\u2212", "-")


def _abstracts() -> Iterator[tuple[str, str]]:
    for record in _records():
        yield record.findtext("MedlineCitation/PMID") or "", _abstract(record)


# fmt: off
_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on
_NUMBER_WORD = "|".join([*_SMALL, *_TENS, "hundred"])
# "160", "Sixty", "Forty-eight", "One hundred and twenty".
_NUMBER = rf"\d+|(?:{_NUMBER_WORD})(?:(?:[\s-]|\sand\s)(?:{_NUMBER_WORD}))*"


def _number(phrase: str) -> int:
    """'Forty-eight' -> 48, 'One hundred and twenty' -> 120, '160' -> 160."""
    if phrase.isdigit():
        return int(phrase)
    value = 0
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word == "and":
            continue
        if word == "hundred":
            value = max(value, 1) * 100
        elif word in _TENS:
            value += 10 * (_TENS.index(word) + 2)
        else:
            value += _SMALL.index(word)
    return value


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;])\s+(?=[A-Z])", text)


_RANDOMIZED = re.compile(r"randomi[sz]ed|randomly (?:assigned|allocated)", re.I)
_ARM_N = re.compile(r"\(n = (\d+)\)")
_TOTAL = re.compile(
    rf"\b(?P<total>{_NUMBER})\s+(?:[a-z-]+\s+){{0,2}}?"
    r"(?:patients|participants|adults|amputees|outpatients|inpatients|survivors|subjects)\b",
    re.I,
)
_NUM = r"-?\d+(?:\.\d+)?"
# "MD -2.6, 95% CI -3.5 to -1.7", "mean difference -1.2, 95% CI (-2.1, -0.3)",
# "mean difference of -0.9 (-1.7, -0.1)", "MD -1.90 [95% CI -2.89 to -0.91]",
# "mean difference -1.8; 95% CI: -2.8 to -0.8), ... p = 0.01".
_MD = re.compile(
    rf"\b(?:MD|mean difference)(?: was| of)? (?P<md>{_NUM})(?: points)?[,;]?\s*"
    rf"[(\[]?(?:95% CI:?\s*)?\(?(?P<lo>{_NUM})(?: to |, )(?P<hi>{_NUM})\)?"
    rf"(?:[;,]\s*p (?P<p_op>[<=]) (?P<p>\d?\.\d+))?"
)
_ARM_MEAN = re.compile(rf"(?P<mean>{_NUM}) (?:± {_NUM}|\((?:SD )?{_NUM}\))")


# --------------------------------------------------------------------------- the module


def test_demo_corpus_path_points_at_the_packaged_file() -> None:
    path = demo_corpus_path()
    assert isinstance(path, Path)
    assert path.is_file()
    assert path.name == DEMO_CORPUS_FILE
    assert path.parent.name == "data"
    assert path.parent.parent.name == "miner"


@pytest.mark.parametrize(
    ("pmid", "expected"),
    [
        ("SYNKET0001", True),
        ("SYNKET0030", True),
        ("SYNKET", False),
        ("SYNKETabc", False),
        ("synket0001", False),
        ("12345678", False),
        ("PMC123456", False),
        ("XSYNKET0001", False),
        ("SYNKET\u0663", False),  # an Arabic-Indic digit is a digit to str.isdigit
    ],
    ids=[
        "first",
        "last",
        "prefix-only",
        "letters-after-prefix",
        "lowercase",
        "real-pmid",
        "pmcid",
        "prefix-not-at-start",
        "non-ascii-digit",
    ],
)
def test_is_synthetic_id(pmid: str, expected: bool) -> None:
    assert is_synthetic_id(pmid) is expected


# --------------------------------------------------------------------------- the file


def test_file_is_well_formed_pubmed_xml() -> None:
    root = _parse().getroot()
    assert root.tag == "PubmedArticleSet"
    assert all(child.tag == "PubmedArticle" for child in root)


def test_file_starts_with_a_comment_saying_it_is_synthetic() -> None:
    text = demo_corpus_path().read_text(encoding="utf-8")
    assert text.startswith("<!--")
    header = " ".join(text[: text.index("-->")].lower().split())
    for phrase in ("synthetic", "no real study", "must not be cited"):
        assert phrase in header, phrase
    # The comment is also the first node lxml sees before the root element.
    first = _parse().getroot().getprevious()
    assert isinstance(first, etree._Comment)
    assert "synthetic" in (first.text or "").lower()


def test_records_have_unique_synthetic_ids() -> None:
    records = _records()
    assert 25 <= len(records) <= 35
    ids = [r.findtext("MedlineCitation/PMID") or "" for r in records]
    assert len(set(ids)) == len(ids)
    for pmid in ids:
        assert pmid.startswith(DEMO_ID_PREFIX), pmid
        assert not pmid.isdigit(), pmid
        assert is_synthetic_id(pmid), pmid
    # PubmedData repeats the id; it must agree so that no real PMID sneaks in there.
    listed = [r.findtext("PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']") for r in records]
    assert listed == ids


def test_every_title_is_marked_synthetic() -> None:
    for record in _records():
        title = _text(record.find("MedlineCitation/Article/ArticleTitle"))
        assert title.startswith(DEMO_TITLE_MARK + " "), title


def test_records_are_dated_and_spread_over_time() -> None:
    # A cumulative meta-analysis over time needs publication dates that order the records.
    entrez: list[date] = []
    for record in _records():
        pmid = record.findtext("MedlineCitation/PMID")
        node = record.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']")
        assert node is not None, pmid
        day = date(*(int(node.findtext(part) or "") for part in ("Year", "Month", "Day")))
        pub_year = record.findtext("MedlineCitation/Article/Journal/JournalIssue/PubDate/Year")
        assert pub_year == str(day.year), pmid
        entrez.append(day)
    assert entrez == sorted(entrez), "records are in publication order"
    assert max(entrez).year - min(entrez).year >= 15


def test_records_cover_the_designs_a_query_must_tell_apart() -> None:
    types = [
        {p.text for p in r.iterfind("MedlineCitation/Article/PublicationTypeList/PublicationType")}
        for r in _records()
    ]
    rcts = sum("Randomized Controlled Trial" in t for t in types)
    assert rcts >= len(types) * 2 // 3
    for needed in ("Meta-Analysis", "Systematic Review", "Case Reports", "Observational Study"):
        assert any(needed in t for t in types), needed
    # At least one record is about another condition, so that a query filter matters.
    off_topic = [
        pmid
        for pmid, text in _abstracts()
        if not re.search(r"\bpain|neuropath|neuralgia", text, re.I)
    ]
    assert off_topic


def test_every_record_has_abstract_language_and_mesh() -> None:
    for record in _records():
        pmid = record.findtext("MedlineCitation/PMID")
        assert _abstract(record).strip(), pmid
        assert record.findtext("MedlineCitation/Article/Language") == "eng", pmid
        mesh = {m.text for m in record.iterfind("MedlineCitation/MeshHeadingList//DescriptorName")}
        assert "Ketamine" in mesh, pmid


# --------------------------------------------------------------------------- internal consistency


@pytest.mark.parametrize(
    ("phrase", "value"),
    [("160", 160), ("Sixty", 60), ("Forty-eight", 48), ("One hundred and twenty", 120)],
    ids=["digits", "word", "hyphenated", "hundred-and"],
)
def test_number_word_helper(phrase: str, value: int) -> None:
    assert _number(phrase) == value


def test_arm_sizes_add_up_to_the_randomized_total() -> None:
    checked = 0
    for pmid, text in _abstracts():
        for sentence in _sentences(text):
            arms = [int(n) for n in _ARM_N.findall(sentence)]
            total = _TOTAL.search(sentence)
            if len(arms) < 2 or not _RANDOMIZED.search(sentence) or total is None:
                continue
            assert sum(arms) == _number(total["total"]), f"{pmid}: {sentence}"
            checked += 1
    assert checked >= 15, "the pattern should reach most trials; did the wording change?"


def test_mean_differences_agree_with_their_intervals_arm_means_and_p_values() -> None:
    checked = with_arms = with_p = 0
    for pmid, text in _abstracts():
        previous_end = 0
        for m in _MD.finditer(text):
            where = f"{pmid}: {m.group(0)}"
            md, lo, hi = float(m["md"]), float(m["lo"]), float(m["hi"])
            assert lo < md < hi, where
            # Symmetric interval on the difference scale, up to rounding of the printed values.
            assert abs((lo + hi) / 2 - md) <= 0.051, where
            if m["p"] is not None:
                excludes_zero = hi < 0 or lo > 0
                significant = float(m["p"]) < 0.05 or m["p_op"] == "<"
                assert excludes_zero == significant, where
                with_p += 1
            # The two arm means written since the previous estimate (same clause).
            clause = text[max(previous_end, text.rfind(". ", 0, m.start()) + 1) : m.start()]
            means = [float(a["mean"]) for a in _ARM_MEAN.finditer(clause)]
            if len(means) == 2:
                assert abs((means[0] - means[1]) - md) <= 0.051, where
                with_arms += 1
            previous_end = m.end()
            checked += 1
    assert checked >= 20
    assert with_arms >= 10
    assert with_p >= 3


# --------------------------------------------------------------------------- the parser


def test_pubmed_xml_parser_reads_every_record() -> None:
    records = _records()
    parsed = list(iter_pubmed_xml(demo_corpus_path()))
    articles = [a for a in parsed if isinstance(a, Article)]
    assert len(articles) == len(parsed) == len(records)
    for article, record in zip(articles, records, strict=True):
        assert article.pmid == record.findtext("MedlineCitation/PMID")
        assert article.abstract.strip(), article.pmid
        assert article.title.startswith(DEMO_TITLE_MARK), article.pmid
        year = record.findtext("MedlineCitation/Article/Journal/JournalIssue/PubDate/Year")
        assert article.year == int(year or 0), article.pmid
        assert "Ketamine" in article.mesh_terms, article.pmid
        # The synthetic-notice CopyrightInformation is not part of the abstract text.
        assert "Synthetic text written" not in article.abstract, article.pmid
