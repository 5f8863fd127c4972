"""The ``miner`` command line.

Each subcommand lives in its own module under :mod:`miner.commands` and
exposes ``register(app)``; this module only builds the app, the global
options (``--db``, ``--version``) and loads the subcommands listed in
:data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from dataclasses import dataclass

import typer

from miner import __version__
from miner.config import Settings
from miner.errors import MinerError

#: Subcommand modules, each ``miner.commands.<name>`` with ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "extract",
    "eval",
    "ingest",
    "export",
    "search",
    "review",
    "pool",
    "serve",
    "report",
)

app = typer.Typer(
    name="miner",
    help="Living evidence from PubMed: ingest, extract, pool, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass(frozen=True, slots=True)
class CliState:
    """What the global options decided; subcommands read it from ``ctx.obj``."""

    settings: Settings

    @property
    def db_url(self) -> str:
        return self.settings.db_url


def _version(value: bool) -> None:
    if value:
        typer.echo(f"miner {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="MINER_DB_URL", help="Store URL (SQLAlchemy); default a SQLite file."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    settings = Settings.from_env()
    if db:
        settings = dataclasses.replace(settings, db_url=db)
    ctx.obj = CliState(settings=settings)


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # called outside the app (tests of a subcommand)
        obj = CliState(settings=Settings.from_env())
    return obj


for _name in COMMAND_MODULES:
    importlib.import_module(f"miner.commands.{_name}").register(app)


def main() -> None:
    """Console-script entry point: run the app, turning MinerError into a clean exit 1."""
    try:
        app()
    except MinerError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
