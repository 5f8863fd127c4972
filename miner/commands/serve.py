"""``miner serve``: run the HTTP API (and dashboard) with uvicorn."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the JSON API, the dashboard pages and the evidence summaries.

    Write endpoints need MINER_API_TOKEN to be set (they are refused otherwise).
    """
    import uvicorn

    from miner.api import create_app
    from miner.cli import state

    settings = state(ctx).settings
    uvicorn.run(
        create_app(settings.db_url, settings=settings), host=host, port=port, log_level=log_level
    )
