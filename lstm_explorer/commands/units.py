"""``lstm-explorer units``: which units track a feature of the input (Pearson r), with per-unit
statistics and gate saturation; prints the strongest and writes every row as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..cli import (
    CliError,
    add_intervention_arguments,
    add_model_arguments,
    load_cli_model,
    read_cli_input,
    read_cli_interventions,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "units",
        help="find the units that track a feature of the input (correlation, saturation)",
        description="Correlate every unit of every node, layer and direction with a feature of the input "
        "(Pearson r); print the strongest and write every row as CSV.",
    )
    add_model_arguments(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", metavar="TEXT", help="text (models with a vocabulary) or numbers, as for trace")
    source.add_argument("--input-file", metavar="FILE", help="numbers: a .npy or .csv file of shape (steps, values)")
    source.add_argument(
        "--text-file",
        metavar="FILE",
        help="text read from a file (a final newline is dropped when the vocabulary has none)",
    )
    parser.add_argument(
        "--feature",
        required=True,
        metavar="FEATURE",
        help="depth, quotes, column, regex:PATTERN, token:X or csv:FILE (one number per line, one line per step)",
    )
    parser.add_argument("--top", type=int, default=10, metavar="N", help="rows to print (default 10)")
    parser.add_argument("--node", action="append", default=[], metavar="NODE", help="only these nodes (repeatable)")
    parser.add_argument("--out", metavar="FILE.csv", help="write every row, strongest |r| first")
    add_intervention_arguments(parser)
    parser.set_defaults(handler=run_units)


def _text(args: argparse.Namespace, model) -> str | None:
    """The input as text, for models with a vocabulary; None for numeric input."""
    if args.text_file is not None:
        path = Path(args.text_file)
        try:
            text = path.read_text()
        except OSError as exc:
            raise CliError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise CliError(f"{path}: not a UTF-8 text file") from None
        if not model.has_vocabulary:
            raise CliError(f"--text-file: {model.name} reads numbers, not text; use --input-file")
        if text.endswith("\n") and "\n" not in model.vocabulary:
            text = text[:-1]
        return text
    if args.input is not None and model.has_vocabulary:
        return args.input
    return None


def run_units(args: argparse.Namespace) -> int:
    from ..analysis import FeatureError, feature_values, find_units
    from ..sequence import InputError

    if args.top < 0:
        raise CliError(f"--top {args.top}: must be 0 or more")
    if args.out is not None and Path(args.out).suffix.lower() != ".csv":
        raise CliError(f"{Path(args.out).name}: --out writes CSV; name it FILE.csv")
    model = load_cli_model(args)
    text = _text(args, model)
    if text is not None:
        try:
            X = np.asarray(model.encode_text(text))
        except InputError as exc:
            raise CliError(f"input: {exc}") from None
    else:
        X = read_cli_input(args, model)
    graph = model.network.graph
    for name in args.node:
        if name not in graph:
            raise CliError(f"--node {name}: unknown node; the {graph.kind} cell has {', '.join(graph.names)}")
    interventions = read_cli_interventions(args, model, len(X))
    try:
        feature = feature_values(args.feature, list(text) if text is not None else None, steps=len(X))
        traces = model.network.run(X, interventions=interventions)
        table = find_units(traces, feature, spec=args.feature)
    except FeatureError as exc:
        raise CliError(str(exc)) from None
    if args.node:
        table = table.subset(np.isin(table.node, args.node))
        if not len(table):
            raise CliError(f"--node: {', '.join(args.node)} has no units the finder ranks (inputs are left out)")
    _print_top(table, args.top, len(X))
    if args.out is not None:
        try:
            table.write_csv(args.out)
        except OSError as exc:
            raise CliError(f"{args.out}: cannot write ({exc.strerror or exc})") from None
        print(f"wrote {len(table)} units to {args.out}", file=sys.stderr)
    return 0


def _print_top(table, n: int, steps: int) -> None:
    def cell(value: float | None) -> str:
        return "" if value is None or np.isnan(value) else f"{value:.3f}"

    print(f"feature {table.feature} over {steps} steps: {len(table)} units, strongest |r| first")
    print(f"{'unit':>12} {'r':>7} {'mean':>7} {'min':>7} {'max':>7} {'left':>6} {'right':>6}")
    for row in table.top(n):
        print(
            f"{row.name:>12} {cell(row.r):>7} {cell(row.mean):>7} {cell(row.min):>7} {cell(row.max):>7} "
            f"{cell(row.left_saturated):>6} {cell(row.right_saturated):>6}"
        )
