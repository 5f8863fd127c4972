"""The bundled synthetic demo corpus.

``miner run`` falls back to this file when PubMed cannot be reached (or when
``MINER_OFFLINE=1``), so that the whole chain works on a fresh machine with no
network. The records were written for this project: they are modelled on how
trials of ketamine for neuropathic pain are reported (routes, doses, sample
sizes, outcome reporting styles) but describe no real study and must never be
cited. Their ids start with :data:`DEMO_ID_PREFIX` and contain letters, so they
cannot be mistaken for PubMed ids, and every title starts with
:data:`DEMO_TITLE_MARK`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Prefix of every demo record id (``SYNKET0001`` ...); real PMIDs are all digits.
DEMO_ID_PREFIX = "SYNKET"

#: Every demo title starts with this mark, so a printed result shows it is synthetic.
DEMO_TITLE_MARK = "[Synthetic]"

#: File name of the corpus inside ``miner/data``.
DEMO_CORPUS_FILE = "demo_ketamine_neuropathic_pain.xml"

#: The question the demo corpus was written for.
DEMO_QUERY = "ketamine neuropathic pain"


def demo_corpus_path() -> Path:
    """Return the path of the bundled demo corpus (PubMed XML).

    The file ships as package data, so this works from a wheel as well as from
    a checkout.

    Returns
    -------
    Path
        ``.../miner/data/demo_ketamine_neuropathic_pain.xml``.

    Raises
    ------
    FileNotFoundError
        If the package was installed without its data files.
    """
    resource = resources.files("miner").joinpath("data", DEMO_CORPUS_FILE)
    # A wheel installs package data as plain files, so the traversable is a
    # real path; a zipped install would need ``resources.as_file`` instead.
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(
            f"demo corpus not found: {path} (miner was installed without miner/data/*)"
        )
    return path


def is_synthetic_id(pmid: str) -> bool:
    """Return whether ``pmid`` is the id of a demo record.

    Parameters
    ----------
    pmid:
        A record id as stored (PubMed ids are all digits).

    Returns
    -------
    bool
        True for ids like ``SYNKET0001``: the demo prefix followed by digits.
    """
    rest = pmid[len(DEMO_ID_PREFIX) :] if pmid.startswith(DEMO_ID_PREFIX) else ""
    return rest.isdigit() and rest.isascii()
