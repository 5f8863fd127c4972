"""Saved searches shipped with miner: one TOML file each, beside this module.

:func:`load_searches` validates every ``*.toml`` here with
:class:`miner.searches.SavedSearch`; :func:`get_search` finds one by name.
Searches added at run time (``miner search add``) live in the store instead;
:func:`miner.living.resolve_search` looks in both.
"""

from __future__ import annotations

from pathlib import Path

from miner.errors import ConfigError
from miner.searches import SavedSearch

PIPELINES_DIR = Path(__file__).resolve().parent


def load_searches(directory: Path | None = None) -> list[SavedSearch]:
    """Every saved search in ``directory`` (default: this package), sorted by name.

    Raises
    ------
    ConfigError
        When a file is invalid (naming the file and field) or two files share a name.
    """
    found: dict[str, SavedSearch] = {}
    for path in sorted((directory or PIPELINES_DIR).glob("*.toml")):
        search = SavedSearch.from_toml(path)
        if search.name in found:
            raise ConfigError(f"saved search {path}: name {search.name!r} is used twice")
        found[search.name] = search
    return [found[k] for k in sorted(found)]


def get_search(name: str, directory: Path | None = None) -> SavedSearch:
    """The shipped saved search called ``name``.

    Raises
    ------
    ConfigError
        Naming the searches that exist.
    """
    searches = {s.name: s for s in load_searches(directory)}
    if name not in searches:
        raise ConfigError(
            f"no saved search {name!r}; known: {', '.join(sorted(searches)) or '(none)'}"
        )
    return searches[name]
