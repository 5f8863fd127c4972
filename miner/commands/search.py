"""``miner search add/list/refresh/status/history``: saved searches and their living dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from miner.errors import ConfigError
from miner.store import Store

search_app = typer.Typer(
    help="Saved searches: add, list, refresh, status, history.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``search`` group to ``app``."""
    app.add_typer(search_app, name="search")


def _store(ctx: typer.Context) -> Store:
    from miner.cli import state

    return Store.open(state(ctx).db_url)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@search_app.command("add")
def add(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A saved-search TOML file."),
) -> None:
    """Validate a saved-search TOML file and store it (a stored search overrides a shipped one)."""
    from miner.searches import SavedSearch

    search = SavedSearch.from_toml(path)
    with _store(ctx) as store:
        changed = store.save_search(search.name, search.to_dict(), origin="user")
    typer.echo(f"{search.name}: {'saved' if changed else 'unchanged'}")


@search_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List saved searches with their schedule and newest dataset version."""
    from miner.living import all_searches

    rows = []
    with _store(ctx) as store:
        for s in all_searches(store):
            latest = store.list_dataset_versions(s.name)
            rows.append(
                {
                    "name": s.name,
                    "query": s.query,
                    "source": s.source.path if s.source else "pubmed",
                    "schedule": s.schedule,
                    "version": latest[-1]["version"] if latest else None,
                    "updated": latest[-1]["created_at"] if latest else None,
                    "studies": latest[-1]["n_studies"] if latest else None,
                }
            )
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['name']:<32} v{r['version'] or '-':<4} studies={r['studies'] or 0:<4} "
            f"{r['schedule']:<10} {r['source']}  ({r['query']})"
        )


@search_app.command("refresh")
def refresh(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Saved search name."),
    embedded: bool = typer.Option(
        False, "--embedded", help="Run in this process even when a broker is configured."
    ),
) -> None:
    """Refresh a saved search: queue it on the workers (prints the job id) or run it here."""
    from miner.cli import state
    from miner.living import resolve_search

    settings = state(ctx).settings
    with _store(ctx) as store:
        search = resolve_search(store, name)
        if settings.broker_url and not embedded:
            from workers.tasks import start_refresh

            job_id = start_refresh(search.name, db_url=settings.db_url, store=store)
            typer.echo(job_id)
            return
        summary = _refresh_with_progress(store, search)
    _echo_json(summary)


def _refresh_with_progress(store: Store, search: Any) -> dict[str, Any]:
    from rich.progress import Progress

    from miner.chain import refresh_embedded

    with Progress(transient=True) as bar:
        task = bar.add_task(f"{search.name}: extract", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{search.name}: {stage}")

        return refresh_embedded(store, search, progress=progress)


@search_app.command("status")
def status(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Saved search name."),
    job: str | None = typer.Option(None, "--job", help="Show this job only."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Progress of the newest refresh jobs and the newest dataset version."""
    with _store(ctx) as store:
        if job:
            found = store.get_job(job)
            if found is None:
                raise ConfigError(f"no job {job!r}")
            jobs = [found]
        else:
            jobs = store.list_jobs(name, limit=5)
        latest = store.latest_dataset_version(name)
    out: dict[str, Any] = {
        "search": name,
        "jobs": [
            {k: j[k] for k in ("id", "state", "stage", "done", "total", "updated_at", "error")}
            for j in jobs
        ],
        "version": None
        if latest is None
        else {
            "version": latest["version"],
            "created_at": latest["created_at"],
            "studies": latest["n_studies"],
            "effects": latest["n_effects"],
            "pooled": _overall(latest["content"]["pooled"]),
        },
    }
    if as_json:
        _echo_json(out)
        return
    for j in out["jobs"]:
        typer.echo(
            f"job {j['id']}: {j['state']} ({j['stage']} {j['done']}/{j['total']})"
            + (f" error: {j['error']}" if j["error"] else "")
        )
    if not out["jobs"]:
        typer.echo("no jobs yet")
    v = out["version"]
    if v is None:
        typer.echo("no dataset version yet")
        return
    size = f"{v['studies']} studies, {v['effects']} effects"
    typer.echo(f"dataset v{v['version']} ({v['created_at']}): {size}")
    for p in v["pooled"]:
        typer.echo(
            f"  {p['outcome']} @ {p['timepoint']}: {p['measure']} {p['estimate']} "
            f"[{p['ci'][0]}, {p['ci'][1]}] k={p['k']} I2={p['I2']}"
        )


def _overall(pooled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from miner.living import summarise_pooled

    return summarise_pooled(pooled, overall_only=True)


@search_app.command("history")
def history_(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Saved search name."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every dataset version and what changed from the one before."""
    from miner.living import history

    with _store(ctx) as store:
        versions = history(store, name)
    if as_json:
        _echo_json(versions)
        return
    if not versions:
        typer.echo(f"{name}: no dataset version yet")
    for v in versions:
        d = v["diff"]
        head = "; ".join(d["headlines"]) or "no change in pooled results"
        counts = f"studies={v['n_studies']} effects={v['n_effects']}"
        typer.echo(f"v{v['version']} {v['created_at']} {counts}: {head}")
