"""Frozen records that flow between miner's stages.

Ingest makes :class:`Article`; extraction makes :class:`Extraction` (facts,
each with the :class:`Evidence` span it came from); effect-size code makes
:class:`Effect`; pooling (:mod:`miner.pool`) makes :class:`PoolResult`.
Records are plain frozen dataclasses; pydantic is used only at the edges.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


def text_hash(text: str) -> str:
    """Return the hex SHA-256 of ``text`` (UTF-8), the key for "same abstract"."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a (possibly structured) abstract.

    ``label`` is the label as printed ("METHODS"), ``category`` the NLM
    category (BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS, UNASSIGNED).
    """

    text: str
    label: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A PubMed citation as miner stores it.

    ``version`` is PubMed's ``<PMID Version=...>``; ``text_hash`` hashes
    :attr:`text` so that a revised abstract is noticed even without a new version.
    """

    pmid: str
    title: str
    sections: tuple[Section, ...] = ()
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    pmcid: str | None = None
    language: str | None = None
    version: int = 1
    source: str = "pubmed"
    text_hash: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text_hash", text_hash(self.text))

    @property
    def abstract(self) -> str:
        """The abstract with ``LABEL: `` prefixes on labelled sections, one per line."""
        return "\n".join(
            f"{s.label}: {s.text}" if s.label else s.text for s in self.sections if s.text
        )

    @property
    def text(self) -> str:
        """``title + "\\n" + abstract``: the text extraction offsets index."""
        return f"{self.title}\n{self.abstract}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (sections as dicts, tuples as lists)."""
        d = asdict(self)
        d["abstract"] = self.abstract
        d["sections"] = [asdict(s) for s in self.sections]
        d["publication_types"] = list(self.publication_types)
        d["mesh_terms"] = list(self.mesh_terms)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_dict` (``text_hash`` and ``abstract`` are recomputed)."""
        return cls(
            pmid=str(d["pmid"]),
            title=d.get("title") or "",
            sections=tuple(Section(**s) for s in d.get("sections") or ()),
            publication_types=tuple(d.get("publication_types") or ()),
            mesh_terms=tuple(d.get("mesh_terms") or ()),
            journal=d.get("journal"),
            year=d.get("year"),
            doi=d.get("doi"),
            pmcid=d.get("pmcid"),
            language=d.get("language"),
            version=int(d.get("version") or 1),
            source=d.get("source") or "pubmed",
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value came from: char offsets into ``title + "\\n" + abstract``."""

    start: int
    end: int
    text: str
    sentence: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one record, with provenance.

    ``facts`` is the JSON object of the ``miner extract`` contract
    (design, sample_size, doses, routes, effects, arm_values, ...); each value
    in it carries ``start``/``end``/``text`` offsets into the record's text.
    The key for idempotent storage is (pmid, text_hash, extractor_version).
    """

    pmid: str
    text_hash: str
    extractor_version: str
    facts: dict[str, Any]
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    """One study's effect size on the analysis scale (log scale for ratios).

    ``assumptions`` lists what a conversion assumed (for example
    "SD from IQR (Wan 2014)", "0.5 added to all cells"), so that a pooled
    number can say how it was made.
    """

    study_id: str
    measure: str
    yi: float
    vi: float
    timepoint: str | None = None
    outcome: str | None = None
    n_total: int | None = None
    assumptions: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Deletion:
    """PubMed's ``<DeleteCitation>``: these PMIDs are withdrawn from PubMed."""

    pmids: tuple[str, ...]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PoolResult:
    """One fitted meta-analysis, with metafor's field names.

    Made by the estimators in :mod:`miner.pool`. Ratio measures are on the log
    scale, with ``<field>_exp`` holding the exponentiated value (``None`` for
    measures that are not ratios). ``zval``/``pval`` use the normal
    distribution, or t with ``df`` degrees of freedom when ``test == "hk"``.
    Fields that cannot be estimated (heterogeneity with k = 1, a t(k-2)
    prediction interval with k = 2, Egger's test with k < 3) are ``None`` and
    ``notes`` says why. The per-study tuples (``study_ids``, ``yi``, ``vi``,
    ``sei``, ``weights`` in percent) are aligned; for Mantel-Haenszel a study
    whose own effect is undefined (no events in both arms) has ``None`` there.
    """

    method: str
    measure: str
    k: int
    estimate: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float
    estimate_fe: float
    se_fe: float
    ci_lb_fe: float
    ci_ub_fe: float
    tau2: float
    tau: float
    Q: float | None
    Q_df: int | None
    Q_p: float | None
    I2: float | None
    H2: float | None
    pi_lb: float | None
    pi_ub: float | None
    study_ids: tuple[str, ...]
    yi: tuple[float | None, ...]
    vi: tuple[float | None, ...]
    sei: tuple[float | None, ...]
    weights: tuple[float, ...]
    test: str = "z"
    df: int | None = None
    level: float = 0.95
    i2_basis: str = "tau2"
    pi_dist: str | None = "z"
    estimate_exp: float | None = None
    ci_lb_exp: float | None = None
    ci_ub_exp: float | None = None
    pi_lb_exp: float | None = None
    pi_ub_exp: float | None = None
    egger_t: float | None = None
    egger_df: int | None = None
    egger_p: float | None = None
    limit_estimate: float | None = None
    limit_ci_lb: float | None = None
    limit_ci_ub: float | None = None
    notes: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: tuples become lists, non-finite floats become ``None``."""
        import math

        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, tuple | list):
                return [clean(v) for v in value]
            return value

        out = {name: clean(getattr(self, name)) for name in self.__dataclass_fields__}
        out["dropped"] = [{"id": sid, "reason": why} for sid, why in self.dropped]
        return out
