"""``lstm-explorer trace``: every node of a cell at every step, saved as .npz, .csv or .json."""

from __future__ import annotations

import argparse
import sys

from ..cli import (
    CliError,
    add_input_arguments,
    add_intervention_arguments,
    add_layer_arguments,
    add_model_arguments,
    array_out_path,
    check_cli_layer,
    load_cli_model,
    read_cli_input,
    read_cli_interventions,
)
from ..document import readout_arrays


def register(sub: argparse._SubParsersAction) -> None:
    trace = sub.add_parser(
        "trace",
        help="compute every node of a cell over a sequence and save it",
        description="Compute every node's value at every step and write .npz, .csv or .json.",
    )
    add_model_arguments(trace)
    add_input_arguments(trace)
    add_layer_arguments(trace)
    add_intervention_arguments(trace)
    trace.add_argument("--out", required=True, help="output file: .npz, .csv or .json")
    trace.set_defaults(handler=run_trace)


def run_trace(args: argparse.Namespace) -> int:
    from ..tracefile import write_trace

    out = array_out_path(args)
    model = load_cli_model(args)
    X = read_cli_input(args, model)
    interventions = read_cli_interventions(args, model, len(X))
    network = model.network
    # One run: the layers up to --layer, and up to the top when the readout is written too.
    upto = network.num_layers - 1 if model.has_readout else args.layer
    check_cli_layer(args, model, X, layers=upto + 1)
    traces = network.run(X, upto=upto, interventions=interventions)
    trace = traces[(args.layer, args.reverse)]
    meta = {"model": model.name, "cell": model.kind, "layer": args.layer, "reverse": args.reverse}
    if interventions:
        meta["interventions"] = [item.describe() for item in interventions]
    readout = readout_arrays(model, traces, (args.layer, args.reverse))
    try:
        write_trace(trace, out, meta=meta, readout=readout)
    except OSError as exc:
        raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
    written = " and the readout (" + ", ".join(readout) + ")" if readout else ""
    print(f"wrote {trace.steps} steps of {len(trace)} nodes{written} to {out}", file=sys.stderr)
    if model.readout_problem:
        print(f"lstm-explorer: note: {model.readout_problem}; no logits written", file=sys.stderr)
    return 0
