"""``lstm-explorer trace``: every node of a cell at every step, saved as .npz, .csv or .json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..cli import (
    CliError,
    add_input_arguments,
    add_layer_arguments,
    add_model_arguments,
    load_cli_model,
    read_cli_input,
    trace_cli_layer,
)


def register(sub: argparse._SubParsersAction) -> None:
    trace = sub.add_parser(
        "trace",
        help="compute every node of a cell over a sequence and save it",
        description="Compute every node's value at every step and write .npz, .csv or .json.",
    )
    add_model_arguments(trace)
    add_input_arguments(trace)
    add_layer_arguments(trace)
    trace.add_argument("--out", required=True, help="output file: .npz, .csv or .json")
    trace.set_defaults(handler=run_trace)


def run_trace(args: argparse.Namespace) -> int:
    from ..tracefile import TRACE_FORMATS, write_trace

    out = Path(args.out)
    if out.suffix.lower() not in TRACE_FORMATS:
        raise CliError(f"{out.name}: unknown output format {out.suffix!r}; use {', '.join(TRACE_FORMATS)}")
    model = load_cli_model(args)
    X = read_cli_input(args, model)
    trace = trace_cli_layer(args, model, X)
    net = model.network
    # Rows follow the trace's steps: flip the readout when the top layer hands on its outputs in the
    # other order than the shown layer and direction read the steps (--reverse, go_backwards).
    flip = net.step_order_reversed(net.num_layers - 1) != net.step_order_reversed(args.layer, args.reverse)
    readout = _readout(model, X, flip=flip)
    try:
        write_trace(
            trace,
            out,
            meta={"model": model.name, "cell": model.kind, "layer": args.layer, "reverse": args.reverse},
            readout=readout,
        )
    except OSError as exc:
        raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
    written = " and the readout (" + ", ".join(readout) + ")" if readout else ""
    print(f"wrote {trace.steps} steps of {len(trace)} nodes{written} to {out}", file=sys.stderr)
    if model.readout_problem:
        print(f"lstm-explorer: note: {model.readout_problem}; no logits written", file=sys.stderr)
    return 0


def _readout(model, X, *, flip: bool) -> dict[str, np.ndarray]:
    """``logits`` (T, outputs), and ``probs`` (their softmax) for text models, in the order the top
    layer hands its outputs on, or the other way round when ``flip``."""
    if not model.has_readout:
        return {}
    top = model.top_outputs(model.run(X))
    arrays = {"logits": model.logits(top)}
    if model.task == "text":
        arrays["probs"] = model.readout(top)  # the softmax of the logits
    return {name: value[::-1] if flip else value for name, value in arrays.items()}
