"""Streaming parser for PubMed XML (efetch replies, baseline and update files).

:func:`iter_pubmed_xml` reads ``PubmedArticleSet`` (efetch, current baseline
and update files) and the older ``MedlineCitationSet`` (MEDLINE files before
2017), plain or gzip-compressed, with :func:`lxml.etree.iterparse`, clearing
each record once it has been turned into an :class:`~miner.records.Article`, so
a 30,000-record update file runs in memory that does not grow with the file.
``<DeleteCitation>`` blocks become :class:`~miner.records.Deletion` records, in
file order, so that a caller applying them in sequence gets PubMed's meaning
(an update file can revise a record and later delete it).

Hostile input is refused rather than tamed: entities are never expanded, no
external DTD or entity is fetched, and any document whose DTD declares an
entity fails at its first element with :class:`~miner.errors.ParseError` (the
"billion laughs" XML bomb relies on entity declarations; PubMed's own files
have none).
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from miner.errors import ParseError
from miner.records import Article, Deletion, Section

__all__ = [
    "ROOT_TAGS",
    "PubmedXmlReader",
    "article_from_element",
    "flat_text",
    "iter_pubmed_xml",
    "parse_pubmed_bytes",
]

#: Document roots this parser accepts.
ROOT_TAGS = ("PubmedArticleSet", "MedlineCitationSet")

_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle")
_MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
_YEAR = re.compile(r"\b(1[6-9]\d\d|2\d\d\d)\b")
_PMCID = re.compile(r"PMC\d+")
_GZIP_MAGIC = b"\x1f\x8b"
_LAYOUT_BREAK = re.compile(r"\n[ \t]*$")


def _squash(text: str) -> str:
    # PubMed pretty-prints some files: newlines and indentation inside a
    # title or abstract are layout, not content.
    return " ".join(text.split())


def _math_text(el: Any) -> str:
    # MathML leaves (<mml:mi>V</mml:mi>...) are separated by layout whitespace
    # that is not part of the formula: join the leaves tightly.
    return "".join(t.strip() for t in el.itertext())


def _flat_parts(el: Any, out: list[str]) -> None:
    # A pretty-printer's line break just before an inline element is layout:
    # "&#946;\n    <sub>2</sub>-agonist" was "β2-agonist" before indenting.
    # A space written before the break is kept.
    if el.text:
        out.append(_LAYOUT_BREAK.sub("", el.text))
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag.startswith(_MATHML_NS):
                out.append(_math_text(child))
            else:
                _flat_parts(child, out)
        if child.tail:
            out.append(
                _LAYOUT_BREAK.sub("", child.tail) if child.getnext() is not None else child.tail
            )


def flat_text(el: Any | None) -> str:
    """Text of ``el`` with inline markup (``<i>``, ``<sup>``, MathML ...) flattened.

    Whitespace runs collapse to one space; ``None`` gives ``""``.
    """
    if el is None:
        return ""
    if len(el) == 0:
        return _squash(el.text or "")
    parts: list[str] = []
    _flat_parts(el, parts)
    return _squash("".join(parts))


def _text(el: Any | None) -> str | None:
    if el is None or el.text is None:
        return None
    value = el.text.strip()
    return value or None


def _year_of(*elements: Any) -> int | None:
    for el in elements:
        value = _text(el)
        if value:
            match = _YEAR.search(value)
            if match:
                return int(match.group(1))
    return None


def _version(pmid_el: Any) -> int:
    raw = pmid_el.get("Version")
    try:
        return int(raw) if raw else 1
    except ValueError:
        return 1


def _dedup(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def article_from_element(
    citation: Any, pubmed_data: Any | None = None, *, source: str = "pubmed"
) -> Article:
    """Build an :class:`Article` from a ``<MedlineCitation>`` element.

    Parameters
    ----------
    citation:
        The ``MedlineCitation`` element.
    pubmed_data:
        The sibling ``PubmedData`` element (``PubmedArticleSet`` files), or None.
    source:
        Stored in :attr:`Article.source`.

    Raises
    ------
    ValueError
        If the citation has no PMID (the caller turns it into a ParseError with
        the file and record number).
    """
    pmid_el = citation.find("PMID")
    pmid = _text(pmid_el)
    if not pmid:
        raise ValueError("citation has no <PMID>")
    title = vernacular = ""
    sections: list[Section] = []
    pub_types: list[str] = []
    mesh: list[str] = []
    journal = language = doi = pmcid = None
    year: int | None = None
    date_fallback: list[Any] = []
    # One pass over the children instead of a dozen path lookups: this loop
    # is most of the parser's own cost on a baseline file.
    for child in citation:
        tag = child.tag
        if tag == "Article":
            article_date = None
            for part in child:
                ptag = part.tag
                if ptag == "ArticleTitle":
                    title = flat_text(part)
                elif ptag == "Abstract":
                    for at in part.iterchildren("AbstractText"):
                        text = flat_text(at)
                        if text:
                            sections.append(
                                Section(
                                    text=text,
                                    label=(at.get("Label") or "").strip() or None,
                                    category=(at.get("NlmCategory") or "").strip() or None,
                                )
                            )
                elif ptag == "Journal":
                    journal = _text(part.find("Title")) or _text(part.find("ISOAbbreviation"))
                    pub_date = part.find("JournalIssue/PubDate")
                    if pub_date is not None:
                        year = _year_of(pub_date.find("Year"), pub_date.find("MedlineDate"))
                elif ptag == "PublicationTypeList":
                    pub_types = [flat_text(p) for p in part]
                elif ptag == "Language":
                    if language is None:
                        language = _text(part)
                elif ptag == "ELocationID":
                    if doi is None and part.get("EIdType") == "doi" and part.get("ValidYN") != "N":
                        doi = _text(part)
                elif ptag == "ArticleDate":
                    article_date = part.find("Year")
                elif ptag == "VernacularTitle":
                    vernacular = flat_text(part)
            if year is None and article_date is not None:
                year = _year_of(article_date)
        elif tag == "MeshHeadingList":
            mesh = [flat_text(h.find("DescriptorName")) for h in child]
        elif tag == "MedlineJournalInfo":
            if journal is None:
                journal = _text(child.find("MedlineTA"))
        elif tag == "OtherID":
            if pmcid is None:
                match = _PMCID.match((child.text or "").strip())
                if match:
                    pmcid = match.group(0)
        elif tag in ("DateCompleted", "DateCreated"):
            date_fallback.append(child.find("Year"))
    if year is None and date_fallback:
        year = _year_of(*date_fallback)
    if pubmed_data is not None:
        # Only PubmedData's own ArticleIdList: the ones under ReferenceList
        # belong to cited papers.
        id_list = pubmed_data.find("ArticleIdList")
        if id_list is not None:
            for aid in id_list:
                kind = aid.get("IdType")
                if kind == "doi" and _text(aid):
                    doi = _text(aid)
                elif kind == "pmc" and _text(aid):
                    pmcid = _text(aid)
    return Article(
        pmid=pmid,
        title=title or vernacular,
        sections=tuple(sections),
        publication_types=_dedup(pub_types),
        mesh_terms=_dedup(mesh),
        journal=journal,
        year=year,
        doi=doi,
        pmcid=pmcid,
        language=language,
        version=_version(pmid_el),
        source=source,
    )


def _open_binary(source: str | Path | BinaryIO) -> tuple[BinaryIO, list[Any]]:
    """Return a binary stream (gzip detected by magic number) and what to close after."""
    to_close: list[Any] = []
    if isinstance(source, (str, Path)):
        raw: BinaryIO = open(source, "rb")  # noqa: SIM115 - closed by the reader
        to_close.append(raw)
    else:
        raw = source
    if _peek(raw).startswith(_GZIP_MAGIC):
        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        to_close.insert(0, unzipped)
        return unzipped, to_close  # type: ignore[return-value]
    return raw, to_close


def _peek(stream: BinaryIO) -> bytes:
    if hasattr(stream, "peek"):
        return bytes(stream.peek(2)[:2])
    if stream.seekable():
        pos = stream.tell()
        head = stream.read(2)
        stream.seek(pos)
        return head
    return b""


class PubmedXmlReader:
    """Iterator over the records of one PubMed XML document.

    Prefer :func:`iter_pubmed_xml`; this class exists so that callers can read
    the counters after (or during) iteration.

    Attributes
    ----------
    source_name:
        Name used in errors (the file path by default).
    articles, deletions:
        How many :class:`Article` / :class:`Deletion` records were yielded.
    skipped:
        Records read but not yielded (``PubmedBookArticle``: books, not journal
        citations).
    records:
        Record elements seen so far (the record number named in errors).
    root:
        The document's root tag, once seen.
    """

    def __init__(
        self,
        source: str | Path | BinaryIO,
        *,
        source_name: str | None = None,
    ) -> None:
        if source_name is None:
            source_name = (
                str(source)
                if isinstance(source, (str, Path))
                else str(getattr(source, "name", "<stream>"))
            )
        self.source_name = source_name
        self.articles = 0
        self.deletions = 0
        self.skipped = 0
        self.records = 0
        self.root: str | None = None
        self._source = source
        self._iter: Iterator[Article | Deletion] | None = None

    def __iter__(self) -> PubmedXmlReader:
        return self

    def __next__(self) -> Article | Deletion:
        if self._iter is None:
            self._iter = self._run()
        return next(self._iter)

    def _error(self, message: str, *, pmid: str | None = None) -> ParseError:
        record = self.records if self.records else None
        return ParseError(message, source=self.source_name, record=record, pmid=pmid)

    def _run(self) -> Iterator[Article | Deletion]:
        try:
            stream, to_close = _open_binary(self._source)
        except OSError as exc:
            raise ParseError(f"cannot open: {exc}", source=self.source_name) from exc
        try:
            yield from self._parse(stream)
        finally:
            for handle in to_close:
                handle.close()

    def _parse(self, stream: BinaryIO) -> Iterator[Article | Deletion]:
        context = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=ROOT_TAGS + _RECORD_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        checked = False
        last_pmid: str | None = None
        try:
            for event, el in context:
                if not checked:
                    self._refuse_entities(el)
                    checked = True
                tag = el.tag
                if event == "start":
                    if tag in ROOT_TAGS and self.root is None:
                        self.root = tag
                    continue
                if tag in ROOT_TAGS:
                    continue
                if tag == "MedlineCitation" and el.getparent() is not None:
                    parent_tag = el.getparent().tag
                    if parent_tag in ("PubmedArticle",):
                        continue  # handled with its PubmedArticle
                self.records += 1
                if tag == "PubmedArticle":
                    citation = el.find("MedlineCitation")
                    if citation is None:
                        raise self._error("<PubmedArticle> without <MedlineCitation>")
                    record = self._article(citation, el.find("PubmedData"))
                    last_pmid = record.pmid
                    self.articles += 1
                    _release(el)
                    yield record
                elif tag == "MedlineCitation":
                    record = self._article(el, None)
                    last_pmid = record.pmid
                    self.articles += 1
                    _release(el)
                    yield record
                elif tag == "DeleteCitation":
                    pmids = tuple(p for p in (_text(x) for x in el.iterfind("PMID")) if p)
                    _release(el)
                    if pmids:
                        self.deletions += 1
                        yield Deletion(pmids=pmids, source=self.source_name)
                else:  # PubmedBookArticle: a book chapter, not a journal citation
                    self.skipped += 1
                    _release(el)
        except etree.XMLSyntaxError as exc:
            after = f" (after PMID {last_pmid})" if last_pmid else ""
            raise ParseError(
                f"malformed XML at line {exc.lineno}{after}: {exc.msg}",
                source=self.source_name,
                record=self.records + 1,
            ) from exc
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ParseError(
                f"cannot read (truncated or corrupt file?): {exc}",
                source=self.source_name,
                record=self.records + 1,
            ) from exc
        if self.root is None:
            root = getattr(context, "root", None)
            found = root.tag if root is not None else "nothing"
            raise ParseError(
                f"not PubMed XML: root element is <{found}>, expected one of "
                + ", ".join(f"<{t}>" for t in ROOT_TAGS),
                source=self.source_name,
            )

    def _refuse_entities(self, el: Any) -> None:
        dtd = el.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise ParseError(
                "the document's DTD declares entities; entity declarations are refused "
                "(possible XML bomb or external-entity attack)",
                source=self.source_name,
            )

    def _article(self, citation: Any, pubmed_data: Any | None) -> Article:
        try:
            return article_from_element(citation, pubmed_data)
        except ValueError as exc:
            raise self._error(str(exc)) from exc


def _release(el: Any) -> None:
    # Free the finished record and the already-processed siblings before it,
    # so memory stays flat however long the file is.
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def iter_pubmed_xml(
    source: str | Path | BinaryIO, *, source_name: str | None = None
) -> PubmedXmlReader:
    """Stream the records of a PubMed XML file, in file order.

    Parameters
    ----------
    source:
        A path (``.xml`` or ``.xml.gz``; gzip is detected by content) or a
        binary file object.
    source_name:
        Name for error messages and :attr:`Deletion.source`; default the path.

    Returns
    -------
    PubmedXmlReader
        An iterator of :class:`~miner.records.Article` and
        :class:`~miner.records.Deletion`, with counters (``articles``,
        ``deletions``, ``skipped``) readable after iteration.

    Raises
    ------
    ParseError
        During iteration, for malformed XML (naming the file, record number and
        the last good PMID), a root other than ``PubmedArticleSet`` /
        ``MedlineCitationSet``, a citation without PMID, or a DTD that declares
        entities (XML bombs).
    """
    return PubmedXmlReader(source, source_name=source_name)


def parse_pubmed_bytes(data: bytes, *, source_name: str = "<bytes>") -> list[Article | Deletion]:
    """Parse a whole (small) PubMed XML document held in memory, e.g. an efetch reply."""
    return list(iter_pubmed_xml(io.BytesIO(data), source_name=source_name))
