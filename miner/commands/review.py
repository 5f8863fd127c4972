"""``miner review ...``: a person excludes a study or corrects a value, with who and why.

Decisions are stored apart from extractions (table ``reviews``), keyed on the
search, PMID and (for values) the search's outcome and time window, so they
survive re-extraction and re-ingestion. Each command re-pools the search at
once so the dataset shows the decision as a new version.

With a broker configured (``MINER_BROKER_URL``) the decision and the re-pool
run under the search's pool lock, the Redis lock the workers' pool task takes
(:func:`miner.chain.pool_lock`), so a review never interleaves with a refresh
pooling the same search; it waits for the lock (``MINER_POOL_LOCK_WAIT``
seconds, default 900) and fails clearly, changing nothing, if it stays busy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from miner.errors import ConfigError
from miner.store import Store

review_app = typer.Typer(
    help="Human review: exclude, include, correct, list, revoke.", no_args_is_help=True
)

WHO = typer.Option(..., "--who", help="Who decided (name or e-mail).")
WHY = typer.Option(..., "--why", help="Why (kept with the decision).")


def register(app: typer.Typer) -> None:
    """Add the ``review`` group to ``app``."""
    app.add_typer(review_app, name="review")


@contextmanager
def _locked_store(ctx: typer.Context, search: str) -> Iterator[Store]:
    """The store, with the search's pool lock held (when a broker is configured)."""
    from miner.chain import pool_lock
    from miner.cli import state

    settings = state(ctx).settings
    with pool_lock(search, settings=settings), Store.open(state(ctx).db_url) as store:
        yield store


def _store(ctx: typer.Context) -> Store:
    from miner.cli import state

    return Store.open(state(ctx).db_url)


def _repool(store: Store, search_name: str) -> dict[str, Any]:
    from miner.chain import pool_step
    from miner.living import resolve_search

    return pool_step(store, resolve_search(store, search_name))


def _check_cell(store: Store, search_name: str, outcome: str | None, window: str | None) -> None:
    from miner.living import resolve_search

    search = resolve_search(store, search_name)
    if outcome is not None and outcome not in {o.name for o in search.outcomes}:
        raise ConfigError(
            f"outcome {outcome!r} not in {search_name}; allowed: "
            + ", ".join(o.name for o in search.outcomes)
        )
    if window is not None and window not in {w.label for w in search.timepoints}:
        raise ConfigError(
            f"time window {window!r} not in {search_name}; allowed: "
            + ", ".join(w.label for w in search.timepoints)
        )


def _done(review_id: int, result: dict[str, Any]) -> None:
    typer.echo(
        json.dumps(
            {
                "review": review_id,
                "version": result["version"],
                "new_version": result["new_version"],
            }
        )
    )


@review_app.command("exclude")
def exclude(
    ctx: typer.Context,
    search: str = typer.Argument(...),
    pmid: str = typer.Argument(...),
    who: str = WHO,
    why: str = WHY,
    outcome: str | None = typer.Option(None, help="Only this outcome (default: the whole study)."),
    window: str | None = typer.Option(None, help="Only this time window (with --outcome)."),
) -> None:
    """Leave a study (or one of its values) out of the search's dataset."""
    with _locked_store(ctx, search) as store:
        _check_cell(store, search, outcome, window)
        if outcome is not None and window is None:
            raise ConfigError("--outcome needs --window (a value is one outcome x time window)")
        rid = store.add_review(
            search,
            pmid,
            action="exclude",
            who=who,
            why=why,
            outcome=outcome,
            timepoint_window=window,
        )
        _done(rid, _repool(store, search))


@review_app.command("include")
def include(
    ctx: typer.Context,
    search: str = typer.Argument(...),
    pmid: str = typer.Argument(...),
    who: str = WHO,
    why: str = WHY,
) -> None:
    """Keep a study the eligibility rules left out (e.g. an RCT not tagged as one)."""
    with _locked_store(ctx, search) as store:
        _check_cell(store, search, None, None)
        rid = store.add_review(search, pmid, action="include", who=who, why=why)
        _done(rid, _repool(store, search))


@review_app.command("correct")
def correct(
    ctx: typer.Context,
    search: str = typer.Argument(...),
    pmid: str = typer.Argument(...),
    outcome: str = typer.Option(..., help="The search's outcome name."),
    window: str = typer.Option(..., help="The search's time-window label."),
    set_: list[str] = typer.Option(
        ...,
        "--set",
        help="field=value, intervention minus comparator: value,ci_low,ci_high[,ci_level] | "
        "m1,sd1,n1,m2,sd2,n2 | e1,n1,e2,n2 | yi,vi",
    ),
    who: str = WHO,
    why: str = WHY,
) -> None:
    """Set the value of one study x outcome x window by hand (replaces the extracted one)."""
    fields: dict[str, float] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected field=value")
        try:
            fields[key.strip()] = float(value)
        except ValueError as exc:
            raise ConfigError(f"--set {item!r}: {value!r} is not a number") from exc
    with _locked_store(ctx, search) as store:
        _check_cell(store, search, outcome, window)
        rid = store.add_review(
            search,
            pmid,
            action="correct",
            who=who,
            why=why,
            outcome=outcome,
            timepoint_window=window,
            fields=fields,
        )
        _done(rid, _repool(store, search))


@review_app.command("list")
def list_(
    ctx: typer.Context,
    search: str = typer.Argument(...),
    all_: bool = typer.Option(False, "--all", help="Include revoked decisions."),
) -> None:
    """Review decisions on a search, as JSON lines."""
    with _store(ctx) as store:
        for r in store.list_reviews(search, active_only=not all_):
            typer.echo(json.dumps(r, default=str))


@review_app.command("revoke")
def revoke(
    ctx: typer.Context,
    search: str = typer.Argument(...),
    review_id: int = typer.Argument(...),
    who: str = WHO,
) -> None:
    """Withdraw a decision (it stays on record as revoked) and re-pool the search."""
    with _locked_store(ctx, search) as store:
        if not any(r["id"] == review_id for r in store.list_reviews(search)):
            raise ConfigError(f"no active review {review_id} on {search}")
        store.revoke_review(review_id, who=who)
        _done(review_id, _repool(store, search))
