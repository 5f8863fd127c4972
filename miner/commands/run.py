"""``miner run QUERY``: the whole chain, in-process, on the embedded default."""

from __future__ import annotations

import json

import typer

from miner.store import Store


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(run)


def run(
    ctx: typer.Context,
    query: str = typer.Argument(..., help='PubMed query, e.g. "ketamine neuropathic pain".'),
) -> None:
    """Run ingest -> extract -> pool for QUERY in this process and print what was stored."""
    from miner.chain import run_embedded
    from miner.cli import state

    with Store.open(state(ctx).db_url) as store:
        summary = run_embedded(store, query)
    typer.echo(json.dumps(summary, indent=2))
