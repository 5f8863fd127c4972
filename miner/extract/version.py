"""The extractor version: package version plus a short hash of the rules.

Stored extractions are keyed on (pmid, text_hash, extractor_version), so the
version must change whenever the output could change. The hash covers the
pattern files under ``miner/extract/patterns/`` (as the design asks) and also
the component sources in ``miner/extract/*.py``, because rules written as
regular expressions in code change the output just as much as pattern files.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from miner import __version__

_HERE = Path(__file__).resolve().parent
_PATTERNS = _HERE / "patterns"


def _rule_files() -> list[Path]:
    files = sorted(_PATTERNS.glob("*.jsonl")) if _PATTERNS.is_dir() else []
    files += sorted(p for p in _HERE.glob("*.py"))
    return files


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """Return ``"<package version>+<12 hex chars>"``.

    The hash is SHA-256 over the relative path and bytes of every pattern
    file and every module of :mod:`miner.extract`, in sorted order, so it is
    the same on every machine for the same rules.

    Returns
    -------
    str
        For example ``"0.1.0+3f2a9c01b7de"``.
    """
    digest = hashlib.sha256()
    for path in _rule_files():
        digest.update(path.relative_to(_HERE).as_posix().encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"
