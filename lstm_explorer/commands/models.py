"""``lstm-explorer models``: the bundled trained models, one line each."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser(
        "models",
        help="list the bundled trained models",
        description="List the bundled trained models; their names work wherever a MODEL is asked for.",
    )
    models.set_defaults(handler=run_models)


def run_models(args: argparse.Namespace) -> int:
    from ..models.bundled import DEFAULT_MODEL, list_bundled

    entries = list_bundled()
    if not entries:
        print("no bundled models are installed")
        return 0
    width = max(len(name) for name, _ in entries)
    for name, description in entries:
        mark = " (default)" if name == DEFAULT_MODEL else ""
        print(f"{name:<{width}}  {description}{mark}")
    return 0
