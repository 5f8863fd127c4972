"""The errors miner raises, as one small tree.

::

    MinerError                      anything miner raises on purpose
    ├── ConfigError                 bad settings, unknown saved search, bad CLI option
    ├── StoreError                  the database refused or holds something unexpected
    ├── PubMedError                 E-utilities or PubMed XML trouble (.pmid, .query)
    │   ├── RateLimited             NCBI said 429 and retries ran out (.retry_after)
    │   └── ParseError              malformed or hostile XML/JSON (.source, .record, .pmid)
    ├── ExtractionError             a record could not be run through the pipeline (.record)
    ├── EffectSizeError             inputs cannot make an effect size (.study, .missing)
    └── PoolingError                a meta-analysis cannot be fitted (.method, .k)

Every error carries the context a user needs to find the bad input (the file,
record id or PMID, query, the fields that were missing) and its message names
the allowed values where there are any.
"""

from __future__ import annotations

from collections.abc import Sequence


class MinerError(Exception):
    """Base class of every error miner raises on purpose."""


class ConfigError(MinerError):
    """A setting, saved search or command-line option is invalid."""


class StoreError(MinerError):
    """The store could not read or write what was asked."""


class PubMedError(MinerError):
    """E-utilities or PubMed XML could not be used.

    Parameters
    ----------
    message:
        What went wrong, in words.
    pmid:
        The PubMed id concerned, when there is one.
    query:
        The search term concerned, when there is one.
    """

    def __init__(self, message: str, *, pmid: str | None = None, query: str | None = None):
        super().__init__(message)
        self.pmid = pmid
        self.query = query


class RateLimited(PubMedError):
    """NCBI answered 429 (too many requests) and the retries are spent."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        pmid: str | None = None,
        query: str | None = None,
    ):
        super().__init__(message, pmid=pmid, query=query)
        self.retry_after = retry_after


class ParseError(PubMedError):
    """Input could not be parsed: malformed XML or JSON, an XML bomb, an empty record.

    ``source`` names the file (or URL), ``record`` the record number or id
    within it, so that a message always says where to look.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        record: str | int | None = None,
        pmid: str | None = None,
    ):
        where = ", ".join(
            part
            for part in (
                f"file {source}" if source else "",
                f"record {record}" if record is not None else "",
                f"PMID {pmid}" if pmid else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, pmid=pmid)
        self.source = source
        self.record = record


class ExtractionError(MinerError):
    """A record could not be run through the extraction pipeline."""

    def __init__(self, message: str, *, record: str | None = None):
        super().__init__(f"record {record}: {message}" if record else message)
        self.record = record


class EffectSizeError(MinerError):
    """Study inputs cannot make the requested effect size.

    ``missing`` lists the fields that were absent or invalid.
    """

    def __init__(self, message: str, *, study: str | None = None, missing: Sequence[str] = ()):
        super().__init__(f"study {study}: {message}" if study else message)
        self.study = study
        self.missing = tuple(missing)


class PoolingError(MinerError):
    """A meta-analysis cannot be fitted (too few studies, no convergence, bad option)."""

    def __init__(self, message: str, *, method: str | None = None, k: int | None = None):
        super().__init__(message)
        self.method = method
        self.k = k
