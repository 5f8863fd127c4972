"""The CLI skeleton: help, version, and the global --db option."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from miner import __version__
from miner.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"miner {__version__}"


def test_help_lists_run() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "run" in result.output


def test_console_script_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from miner.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"miner {__version__}"
