"""Where the shared real corpora live (for tests, benchmarks and ``miner eval``).

The package never needs these files to do its job; only the accuracy scorer,
tests and benchmarks read them, in place. ``MINER_SHARED_DATA`` overrides the
default, which is the ``shared/data`` folder beside the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """Return the folder of the shared corpora (it may not exist)."""
    override = os.environ.get("MINER_SHARED_DATA")
    if override:
        return Path(override)
    return _REPO_ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """Return a path inside the shared corpora, raising if it is absent.

    Raises
    ------
    FileNotFoundError
        Naming the path and the variable that moves it.
    """
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"shared data not found: {path} (set MINER_SHARED_DATA to the shared/data folder)"
        )
    return path
