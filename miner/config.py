"""Settings read from the environment (one place, no module globals elsewhere).

- ``MINER_DB_URL``: SQLAlchemy URL of the store
  (default ``sqlite:///<MINER_HOME>/miner.db``).
- ``MINER_HOME``: folder for the default SQLite file (default ``~/.local/share/miner``).
- ``MINER_BROKER_URL``: Celery broker; unset means everything runs in-process.
- ``MINER_REDIS_URL``: Redis for locks and the shared rate limiter
  (default ``redis://127.0.0.1:6379/0``).
- ``MINER_EUTILS_URL``: E-utilities base URL (default NCBI's).
- ``MINER_NCBI_EMAIL``: e-mail sent to NCBI with each request.
- ``MINER_NCBI_API_KEY``: NCBI API key (10 requests/s instead of 3).
- ``MINER_OFFLINE``: ``1`` means never try the network.
- ``MINER_API_TOKEN``: bearer token for the API's write endpoints (unset: writes refused).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """A snapshot of miner's settings."""

    db_url: str
    broker_url: str | None
    redis_url: str
    eutils_url: str
    ncbi_email: str
    ncbi_api_key: str | None
    offline: bool
    api_token: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default ``os.environ``)."""
        e = dict(os.environ if env is None else env)
        home = Path(e.get("MINER_HOME") or Path.home() / ".local" / "share" / "miner")
        return cls(
            db_url=e.get("MINER_DB_URL") or f"sqlite:///{home / 'miner.db'}",
            broker_url=e.get("MINER_BROKER_URL") or None,
            redis_url=e.get("MINER_REDIS_URL") or DEFAULT_REDIS_URL,
            eutils_url=(e.get("MINER_EUTILS_URL") or DEFAULT_EUTILS_URL).rstrip("/"),
            ncbi_email=e.get("MINER_NCBI_EMAIL") or "miner@example.org",
            ncbi_api_key=e.get("MINER_NCBI_API_KEY") or None,
            offline=_flag(e.get("MINER_OFFLINE")),
            api_token=e.get("MINER_API_TOKEN") or None,
        )
