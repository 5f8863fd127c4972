"""``miner ingest``: PubMed XML files or an E-utilities search into the store.

::

    miner ingest --pubmed-xml FILE [FILE ...]
    miner ingest --query "ketamine neuropathic pain" [--since 2024-01-01]

A progress bar is drawn on stderr when it is a terminal; stdout gets one line
of JSON: ``{"added", "updated", "deleted", "skipped", "errors"}``. The exit
code is 1 when ``errors`` is not empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from miner.errors import ConfigError
from miner.ingest import IngestSummary, Progress


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to ``app``."""
    app.command("ingest")(ingest)


@contextmanager
def progress_bar(description: str) -> Iterator[Progress | None]:
    """A rich progress callback on a terminal (stderr); None when not a TTY."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import (
        Progress as RichProgress,
    )

    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def ingest(
    ctx: typer.Context,
    files: list[Path] | None = typer.Argument(
        None, help="PubMed XML files (.xml or .xml.gz), applied in the order given."
    ),
    pubmed_xml: bool = typer.Option(
        False,
        "--pubmed-xml",
        help="Read FILES as PubMed XML (plain or .gz).",
    ),
    query: str | None = typer.Option(None, "--query", "-q", help="PubMed search to fetch."),
    since: str | None = typer.Option(
        None, "--since", help="Only records entered on or after this date (YYYY-MM-DD)."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Only records entered on or before this date (YYYY-MM-DD)."
    ),
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Records per transaction."),
    stop_on_error: bool = typer.Option(
        False, "--stop-on-error", help="Stop at the first unreadable file."
    ),
) -> None:
    """Ingest PubMed XML files, or the results of a PubMed search, into the store."""
    from miner.cli import state
    from miner.store import Store

    settings = state(ctx).settings
    if bool(files) == bool(query):
        raise ConfigError("give either FILES with --pubmed-xml, or --query (not both, not neither)")
    if files and not pubmed_xml:
        raise ConfigError("name the format of FILES: --pubmed-xml (the only file format for now)")
    if files and (since or until):
        raise ConfigError("--since/--until apply to --query only")

    run: Callable[[Store, Progress | None], IngestSummary]
    if files:
        missing = [str(p) for p in files if not p.is_file()]
        if missing:
            raise ConfigError(f"no such file: {', '.join(missing)}")

        def run(store: Store, progress: Progress | None) -> IngestSummary:
            from miner.ingest import ingest_files

            return ingest_files(
                store,
                files,
                progress=progress,
                batch_size=batch_size,
                stop_on_error=stop_on_error,
            )

        label = f"ingest {len(files)} file(s)"
    else:
        if settings.offline:
            raise ConfigError("MINER_OFFLINE is set: --query needs the network; use --pubmed-xml")
        assert query is not None

        def run(store: Store, progress: Progress | None) -> IngestSummary:
            from miner.ingest import ingest_query
            from miner.pubmed import PubMedClient
            from miner.ratelimit import make_rate_limiter

            # With a broker configured, other processes (workers) may be
            # fetching too: share NCBI's allowance through Redis.
            limiter = make_rate_limiter(
                settings.ncbi_api_key,
                redis_url=settings.redis_url if settings.broker_url else None,
            )
            with PubMedClient.from_settings(settings, rate_limiter=limiter) as client:
                return ingest_query(
                    store,
                    client,
                    query,
                    since=since,
                    until=until,
                    progress=progress,
                    batch_size=batch_size,
                )

        label = f"ingest {query!r}"

    with Store.open(settings.db_url) as store, progress_bar(label) as progress:
        summary = run(store, progress)
    typer.echo(json.dumps(summary.to_dict()))
    if summary.errors:
        raise typer.Exit(1)
