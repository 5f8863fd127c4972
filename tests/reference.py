"""The metafor reference cases in ``../shared/reference/meta_dev.json``.

The reference folder is the sibling of the shared data folder, so it moves
with ``MINER_SHARED_DATA``. When it is missing, tests that need it are
skipped locally and fail under CI (as :func:`tests.conftest.require_shared`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from miner import effects as fx
from miner.shared_data import shared_data_dir
from tests.conftest import IN_CI


def reference_path(name: str = "meta_dev.json") -> Path:
    """Path of a reference file beside ``shared/data``."""
    return shared_data_dir().parent / "reference" / name


def require_reference(name: str = "meta_dev.json") -> Path:
    """The reference file's path, skipping (or failing under CI) when absent."""
    path = reference_path(name)
    if not path.exists():
        message = f"reference data missing: {path} (set MINER_SHARED_DATA)"
        if IN_CI:
            pytest.fail(message + " -- required under CI", pytrace=False)
        pytest.skip(message)
    return path


def meta_dev_params() -> list[Any]:
    """``pytest.param(case, id=case_id)`` per case, or one placeholder when absent."""
    path = reference_path()
    if not path.exists():
        return [pytest.param(None, id="meta_dev-missing")]
    return [pytest.param(c, id=c["id"]) for c in json.loads(path.read_text(encoding="utf-8"))]


def meta_dev_case(case_id: str) -> dict[str, Any]:
    """One case by id (skips or fails like :func:`require_reference`)."""
    cases = json.loads(require_reference().read_text(encoding="utf-8"))
    return next(c for c in cases if c["id"] == case_id)


def columns_to_studies(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """``{"ai": [...], "bi": [...]}`` -> ``[{"id": "1", "ai": .., "bi": ..}, ...]``."""
    names = list(columns)
    k = len(columns[names[0]])
    return [{"id": str(i + 1), **{n: columns[n][i] for n in names}} for i in range(k)]


def bcg_tables() -> list[fx.Table2x2]:
    """The BCG trials (metafor's ``dat.bcg``) of case ``bcg_rr_fe`` as 2x2 tables, ids 1..13."""
    cols = meta_dev_case("bcg_rr_fe")["input"]
    return [
        fx.Table2x2(str(i + 1), a, b, c, d)
        for i, (a, b, c, d) in enumerate(
            zip(cols["ai"], cols["bi"], cols["ci"], cols["di"], strict=True)
        )
    ]
