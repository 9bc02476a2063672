"""``lstm-explorer info MODEL``: what was found in a model file and what was assumed."""

from __future__ import annotations

import argparse

from ..cli import add_model_arguments, load_cli_model


def register(sub: argparse._SubParsersAction) -> None:
    info = sub.add_parser(
        "info",
        help="describe a model: layers, sizes, cell kind and how it was inferred, embedding, readout, vocabulary",
        description="Say what was found in MODEL and every assumption made opening it.",
    )
    add_model_arguments(info)
    info.set_defaults(handler=run_info)


def run_info(args: argparse.Namespace) -> int:
    from ..models.describe import describe_model  # here for start-up time: only `info` needs it

    model = load_cli_model(args, announce=False)  # the assumptions are listed below
    rows = describe_model(model)
    width = max(len(label) for label, _ in rows)
    for label, text in rows:
        print(f"{label:<{width}}  {text}")
    return 0
