"""A small living dataset written through the real store and living code, for the read side.

The abstracts are made up here (in our own words, ids ``SYNAPI####``, titles
marked ``[Synthetic]``); their extraction facts are written by hand with
offsets that index the text, as the extractor would, so these tests do not
depend on the extractor. :func:`build_fixture_store` writes two versions of
the shipped ``ketamine_neuropathic_pain`` search with
:func:`miner.living.build_dataset` and :func:`miner.living.write_version`:
version 1 with the first studies, version 2 with all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from miner.records import Article, Extraction, Section
from miner.store import Store

SEARCH = "ketamine_neuropathic_pain"
EXTRACTOR = "fixture-1"
ROUTES = ("intravenous", "oral", "intranasal")
DOSES = (0.15, 0.25, 0.5, 0.5, 1.0)


@dataclass(frozen=True)
class FixtureInfo:
    url: str
    n_v1: int
    n_total: int
    pmids: tuple[str, ...]


def _span(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def make_study(i: int, rng: random.Random) -> tuple[Article, dict[str, Any]]:
    """One made-up trial report and its facts (offsets into title + newline + abstract)."""
    pmid = f"SYNAPI{i:04d}"
    n = rng.choice((24, 30, 36, 40, 48, 60, 80))
    route = ROUTES[i % 3]
    dose = DOSES[i % len(DOSES)]
    md1 = round(rng.gauss(-2.0, 1.1), 2)
    half1 = round(abs(rng.gauss(0.5, 0.15)) + 60 / n / 2, 2)
    has_w4 = i % 2 == 0
    md4 = round(rng.gauss(-0.8, 0.5), 2)
    half4 = round(half1 * 1.3, 2)
    has_rr = i % 3 == 0
    rr, rr_lo, rr_hi = 1.6 + (i % 4) / 10, 1.05 + (i % 3) / 20, 2.6 + (i % 5) / 10
    title = f"[Synthetic] Ketamine versus placebo for nerve pain, trial number {i}"
    methods = (
        f"{n} adults with neuropathic pain were randomized to ketamine {dose} mg/kg "
        f"by the {route} route or to placebo."
    )
    results = (
        f"At 1 week pain was lower with ketamine than placebo "
        f"(MD {md1}, 95% CI {md1 - half1:.2f} to {md1 + half1:.2f})."
    )
    if has_w4:
        results += (
            f" At 4 weeks pain was lower with ketamine than placebo "
            f"(MD {md4}, 95% CI {md4 - half4:.2f} to {md4 + half4:.2f})."
        )
    if has_rr:
        results += (
            f" At 4 weeks responders were more frequent with ketamine than placebo "
            f"(RR {rr:.1f}, 95% CI {rr_lo:.2f} to {rr_hi:.1f})."
        )
    n_k, n_p = n // 2, n - n // 2
    dz_k, dz_p = 2 + i % 5, i % 3  # dizziness events per arm (some comparator arms have none)
    has_ae = i % 5 != 0  # every fifth trial reports no harm at all ("not reported", never zero)
    no_withdrawal = i % 4 == 0
    if has_ae:
        results += (
            f" Dizziness occurred in {dz_k}/{n_k} ketamine and {dz_p}/{n_p} placebo patients."
        )
    if no_withdrawal:
        results += " No patient withdrew because of adverse events."
    article = Article(
        pmid=pmid,
        title=title,
        sections=(Section(text=methods, label="METHODS"), Section(text=results, label="RESULTS")),
        publication_types=("Journal Article", "Randomized Controlled Trial"),
        language="eng",
        year=2000 + i,
        journal="Synthetic Journal of Tests",
        source="test fixture",
    )
    text = article.text
    n_s, n_e = _span(text, f"{n} adults")
    d_s, d_e = _span(text, f"{dose} mg/kg")
    r_s, r_e = _span(text, route, d_e)
    e1 = f"MD {md1}, 95% CI {md1 - half1:.2f} to {md1 + half1:.2f}"
    e1_s, e1_e = _span(text, e1)
    effects = [
        {
            "measure": "MD",
            "value": md1,
            "ci_low": round(md1 - half1, 2),
            "ci_high": round(md1 + half1, 2),
            "ci_level": 0.95,
            "p": None,
            "p_op": None,
            "timepoint": "1 week",
            "outcome": "pain",
            "start": e1_s,
            "end": e1_e,
            "text": e1,
        }
    ]
    if has_w4:
        e4 = f"MD {md4}, 95% CI {md4 - half4:.2f} to {md4 + half4:.2f}"
        s, e = _span(text, e4)
        effects.append(
            {
                "measure": "MD",
                "value": md4,
                "ci_low": round(md4 - half4, 2),
                "ci_high": round(md4 + half4, 2),
                "ci_level": 0.95,
                "timepoint": "4 weeks",
                "outcome": "pain",
                "start": s,
                "end": e,
                "text": e4,
            }
        )
    if has_rr:
        er = f"RR {rr:.1f}, 95% CI {rr_lo:.2f} to {rr_hi:.1f}"
        s, e = _span(text, er)
        effects.append(
            {
                "measure": "RR",
                "value": round(rr, 1),
                "ci_low": round(rr_lo, 2),
                "ci_high": round(rr_hi, 1),
                "ci_level": 0.95,
                "timepoint": "4 weeks",
                "outcome": "responders",
                "start": s,
                "end": e,
                "text": er,
            }
        )
    k_s, k_e = _span(text, "ketamine", n_e)
    p_s, p_e = _span(text, "placebo", n_e)
    adverse: list[dict[str, Any]] = []
    if has_ae:
        for arm, events, total in (("ketamine", dz_k, n_k), ("placebo", dz_p, n_p)):
            t = f"{events}/{total}"
            s, e = _span(text, f"{t} {arm}")
            adverse.append(
                {
                    "kind": "adverse_event",
                    "status": "reported",
                    "term": "Dizziness",
                    "category": "dizziness",
                    "arm": arm,
                    "events": events,
                    "total": total,
                    "percent": None,
                    "severity": None,
                    "timepoint": None,
                    "start": s,
                    "end": s + len(t),
                    "text": t,
                }
            )
    if no_withdrawal:
        t = "No patient withdrew because of adverse events"
        s, e = _span(text, t)
        adverse.append(
            {
                "kind": "withdrawal",
                "status": "zero_reported",
                "term": "adverse events",
                "category": "any",
                "arm": None,
                "events": 0,
                "total": None,
                "percent": None,
                "severity": None,
                "timepoint": None,
                "start": s,
                "end": e,
                "text": t,
            }
        )
    facts = {
        "id": pmid,
        "pmid": pmid,
        "design": {"is_rct": True, "crossover": False},
        "sample_size": {
            "randomized": n,
            "analysed": None,
            "arms": [
                {"label": "ketamine", "n": n_k, "start": k_s, "end": k_e, "text": "ketamine"},
                {"label": "placebo", "n": n_p, "start": p_s, "end": p_e, "text": "placebo"},
            ],
            "evidence": [
                {"start": n_s, "end": n_e, "text": f"{n} adults", "kind": "randomized", "n": n}
            ],
        },
        "doses": [
            {
                "drug": "ketamine",
                "value": dose,
                "value_max": None,
                "unit": "mg/kg",
                "frequency": None,
                "duration": None,
                "route": route,
                "start": d_s,
                "end": d_e,
                "text": f"{dose} mg/kg",
            }
        ],
        "routes": [{"route": route, "start": r_s, "end": r_e, "text": route}],
        "effects": effects,
        "arm_values": [],
        "adverse_events": adverse,
    }
    return article, facts


def build_fixture_store(
    url: str, *, n_v1: int = 8, n_total: int = 12, seed: int = 7
) -> FixtureInfo:
    """Write the fixture articles, extractions and two dataset versions to ``url``."""
    from miner.living import build_dataset, resolve_search, write_version

    rng = random.Random(seed)
    studies = [make_study(i, rng) for i in range(1, n_total + 1)]
    with Store.open(url) as store:
        search = resolve_search(store, SEARCH)
        for upto in (n_v1, n_total):
            batch = studies[:upto]
            store.upsert_articles(a for a, _ in batch)
            store.upsert_extractions(
                Extraction(
                    pmid=a.pmid,
                    text_hash=a.text_hash,
                    extractor_version=EXTRACTOR,
                    facts=f,
                    record_id=a.pmid,
                )
                for a, f in batch
            )
            store.add_search_members(SEARCH, [a.pmid for a, _ in batch])
            dataset = build_dataset(store, search, EXTRACTOR)
            version = write_version(store, dataset, job_id=f"fixture-{upto}")
            assert version is not None, "each fixture step must write a new version"
    return FixtureInfo(url, n_v1, n_total, tuple(a.pmid for a, _ in studies))
