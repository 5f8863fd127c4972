"""A small PubMed served by :class:`tests.replay.ReplayServer` from real recorded replies.

The records are the real efetch replies in ``shared/data/biopython-entrez``
(``pubmed*.xml``, read in place): each record's ``<PubmedArticle>`` element
is served as NCBI sent it, and its entry date (``edat``) is the one in its own
``<PubMedPubDate PubStatus="entrez">``. ESearch answers in the envelope of a
real history reply (``esearch2.xml``) with the count, ids and WebEnv of the
records visible now, filtered by ``mindate``/``maxdate`` on the entry date;
EFetch serves ids or pages a WebEnv. The query term is not interpreted: the
server is one search's slice of PubMed, and a test changes what it holds with
:meth:`RealPubMed.publish` (a record entering PubMed on a given day).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from tests.conftest import require_shared
from tests.replay import Reply, Request

EFETCH_FILES = ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml",
                "pubmed7.xml")  # fmt: skip
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Record:
    pmid: str
    edat: date
    xml: bytes


def _entrez_date(article: etree._Element) -> date:
    node = article.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']")
    assert node is not None, "every recorded reply carries an entrez date"
    return date(int(node.findtext("Year")), int(node.findtext("Month")), int(node.findtext("Day")))


def load_records() -> dict[str, Record]:
    """The real records of the recorded efetch replies, by PMID."""
    records: dict[str, Record] = {}
    for name in EFETCH_FILES:
        root = etree.fromstring(require_shared("biopython-entrez", name).read_bytes(), _PARSER)
        for article in root.iterfind("PubmedArticle"):
            pmid = article.findtext("MedlineCitation/PMID").strip()
            records[pmid] = Record(pmid, _entrez_date(article), etree.tostring(article))
    return records


def _ncbi_date(text: str | None) -> date | None:
    return datetime.strptime(text, "%Y/%m/%d").date() if text else None


class RealPubMed:
    """The route of a :class:`~tests.replay.ReplayServer`: see the module docstring.

    Parameters
    ----------
    visible:
        PMIDs in the index at the start (default: every recorded record).
    """

    def __init__(self, visible: set[str] | None = None) -> None:
        self.records = load_records()
        self.edat = {p: r.edat for p, r in self.records.items()}
        self.visible = set(self.records) if visible is None else set(visible)
        self._template = require_shared("biopython-entrez", "esearch2.xml").read_bytes()
        self._einfo = require_shared("biopython-entrez", "einfo1.xml").read_bytes()
        self._head = require_shared("biopython-entrez", "pubmed1.xml").read_bytes()
        self._webenvs: dict[str, list[str]] = {}
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        #: PMIDs sent by EFetch, in order (one entry per record served).
        self.served: list[str] = []

    def publish(self, pmid: str, on: date) -> None:
        """Make ``pmid`` appear in PubMed, entered on ``on``."""
        with self._lock:
            self.visible.add(pmid)
            self.edat[pmid] = on

    def __call__(self, request: Request) -> Reply:
        if request.endpoint == "einfo.fcgi":
            return Reply(body=self._einfo)
        if request.endpoint == "esearch.fcgi":
            return Reply(body=self._esearch(request.params))
        if request.endpoint == "efetch.fcgi":
            return Reply(body=self._efetch(request.params))
        return Reply(404, f"no route for {request.endpoint}".encode())

    # -- E-utilities ---------------------------------------------------------------

    def _matching(self, params: dict[str, str]) -> list[str]:
        lo = _ncbi_date(params.get("mindate")) or date.min
        hi = _ncbi_date(params.get("maxdate")) or date.max
        with self._lock:
            hits = [p for p in self.visible if lo <= self.edat[p] <= hi]
        # Newest entries first, as PubMed lists them.
        return sorted(hits, key=lambda p: (self.edat[p], int(p)), reverse=True)

    def _esearch(self, params: dict[str, str]) -> bytes:
        hits = self._matching(params)
        start, size = int(params.get("retstart") or 0), int(params.get("retmax") or 20)
        page = hits[start : start + size]
        root = etree.fromstring(self._template, _PARSER)
        root.find("Count").text = str(len(hits))
        root.find("RetMax").text = str(len(page))
        root.find("RetStart").text = str(start)
        id_list = root.find("IdList")
        for child in list(id_list):
            id_list.remove(child)
        for pmid in page:
            etree.SubElement(id_list, "Id").text = pmid
        if params.get("usehistory") == "y":
            webenv = f"MCID_replay{next(self._serial):04d}"
            self._webenvs[webenv] = hits
            root.find("WebEnv").text = webenv
            root.find("QueryKey").text = "1"
        else:
            for tag in ("WebEnv", "QueryKey"):
                node = root.find(tag)
                if node is not None:
                    root.remove(node)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _efetch(self, params: dict[str, str]) -> bytes:
        if params.get("id"):
            pmids = [p for p in params["id"].split(",") if p in self.records]
        else:
            hits = self._webenvs[params["WebEnv"]]
            start, size = int(params.get("retstart") or 0), int(params.get("retmax") or 20)
            pmids = hits[start : start + size]
        with self._lock:
            self.served.extend(pmids)
        # The envelope (declaration and DOCTYPE) of a recorded reply, its records as sent.
        head = self._head[: self._head.index(b"<PubmedArticleSet>")]
        body = b"".join(self.records[p].xml for p in pmids)
        return head + b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>\n"
