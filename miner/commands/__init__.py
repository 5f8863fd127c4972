"""Subcommands of the ``miner`` CLI, one module each, each with ``register(app)``."""
