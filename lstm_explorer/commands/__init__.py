"""Subcommands of lstm-explorer, one module each with ``register(subparsers)``."""
