"""``miner report NAME``: the evidence summary of a saved search (Markdown or HTML)."""

from __future__ import annotations

from pathlib import Path

import typer

from miner.errors import ConfigError

FORMATS = ("md", "html")


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_cmd)


def report_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Saved search name."),
    fmt: str = typer.Option("md", "--format", "-f", help="One of: md, html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default stdout)."),
    version: int | None = typer.Option(
        None, "--version-number", min=1, help="Dataset version (default: newest)."
    ),
) -> None:
    """Write the one-page evidence summary; every number in it is read from the stored version."""
    from miner.cli import state
    from miner.report import evidence_summary
    from miner.store import Store

    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    with Store.open(state(ctx).db_url) as store:
        text = evidence_summary(store, name, output_format=fmt, version=version)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
