"""``lstm-explorer gradients``: exact gradients through time of one target with respect to every
step's input, hidden state and (LSTM family) cell state, saved as .npz, .csv or .json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..cli import (
    CliError,
    add_input_arguments,
    add_intervention_arguments,
    add_layer_arguments,
    add_model_arguments,
    array_out_path,
    load_cli_model,
    read_cli_input,
    read_cli_interventions,
)


def register(sub: argparse._SubParsersAction) -> None:
    gradients = sub.add_parser(
        "gradients",
        help="gradients through time of one target with respect to every step",
        description="Compute d TARGET / d x_k, d TARGET / d h_k and (LSTM family) d TARGET / d c_k for every "
        "step k of one layer and direction, as total derivatives, and write .npz, .csv or .json.",
    )
    add_model_arguments(gradients)
    add_input_arguments(gradients)
    add_layer_arguments(gradients)
    add_intervention_arguments(gradients)
    gradients.add_argument(
        "--target",
        required=True,
        metavar="TARGET",
        help="NODE[UNIT]@STEP (a node of the chosen layer, e.g. c[3]@40), out[K]@STEP (readout output K), "
        "logit[K]@STEP, or loss@STEP; a negative STEP counts from the end",
    )
    gradients.add_argument(
        "--nodes",
        action="store_true",
        help="also write node_NAME (steps, width): d TARGET / d node for every node of the cell (gates, "
        "candidate, f*c, the concatenation …); memory: steps × the cell's total width in float64",
    )
    gradients.add_argument("--out", required=True, help="output file: .npz, .csv or .json")
    gradients.set_defaults(handler=run_gradients)


def _token_ids(args: argparse.Namespace, model) -> list[int] | None:
    """The input's token ids (what ``loss`` scores against), for a model that reads tokens; None
    for numbers. The input was checked by read_cli_input already."""
    from ..models.vocabulary import parse_token_ids

    if getattr(args, "tokens", None) is not None:
        return parse_token_ids(args.tokens, model.token_count)
    if args.input is not None:
        return model.tokens(args.input) if model.has_vocabulary else None
    path = Path(args.input_file)
    if path.suffix.lower() == ".npy":
        data = np.load(path, allow_pickle=False)
        if data.ndim == 1 and np.issubdtype(data.dtype, np.integer):
            return [int(k) for k in data]
    return None


def run_gradients(args: argparse.Namespace) -> int:
    from ..engine.targets import TargetError
    from ..models.gradients import model_gradients
    from ..sequence import InputError
    from ..tracefile import write_arrays

    out = array_out_path(args)
    model = load_cli_model(args)
    X = read_cli_input(args, model)
    interventions = read_cli_interventions(args, model, len(X))
    try:
        result = model_gradients(
            model,
            X,
            args.target,
            layer=args.layer,
            reverse=args.reverse,
            tokens=_token_ids(args, model),
            interventions=interventions,
            nodes=args.nodes,
        )
    except (TargetError, InputError) as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:  # a layer or direction the network does not have
        raise CliError(f"--layer {args.layer}{' --reverse' if args.reverse else ''}: {exc}") from None
    arrays = result.arrays()
    arrays.update({f"node_{name}": array for name, array in result.nodes.items()})  # empty without --nodes
    meta = {
        "model": model.name,
        "cell": model.kind,
        "layer": args.layer,
        "reverse": args.reverse,
        "target": str(result.target),
    }
    if interventions:
        meta["interventions"] = [item.describe() for item in interventions]

    def document() -> dict[str, object]:
        return {
            "target": result.value,
            "steps": result.steps,
            "meta": meta,
            **{k: v.tolist() for k, v in arrays.items()},
        }

    try:
        write_arrays(arrays, out, scalars={"target": result.value}, json_document=document)
    except OSError as exc:
        raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
    print(
        f"wrote {', '.join(arrays)} of {result.target} (value {result.value:.6g}) over {result.steps} steps to {out}",
        file=sys.stderr,
    )
    return 0
