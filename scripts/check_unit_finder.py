"""Check the unit finder on a character model trained here, against an independent computation.

1. Train a 2-layer LSTM on ``brackets`` with ``lstm-explorer train`` (or use ``--model FILE``).
2. Write a long text of the task to a file; for each regex feature run
   ``lstm-explorer units MODEL --text-file FILE --feature regex:… --out units.csv``.
3. Independently: trace every layer with the node-by-node reference evaluator (not the fast path
   the finder reads), feed layer 1 the reference layer 0's h, and correlate every unit of every
   node and layer with the feature using ``np.corrcoef``, one unit at a time.
4. The CSV's first row must be the unit with the largest |r| of them all, and every r must agree
   to 1e-10. Exit code 1 otherwise.

Run: python scripts/check_unit_finder.py [--model FILE] [--steps 400] [--text-steps 4000]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import numpy as np

from lstm_explorer.analysis import feature_values
from lstm_explorer.cli import main as cli
from lstm_explorer.engine import evaluate_reference
from lstm_explorer.models import resolve_model
from lstm_explorer.tasks import BracketsTask

PATTERNS = (r"\([abc]*\)", r"[abc]{3,}", r"\(\(", r"\)[abc]")


def independent_r(model, text: str, feature: np.ndarray) -> dict[tuple[int, str, str, int], float]:
    network = model.network
    inputs = model.encode_text(text)
    result = {}
    for k in range(network.num_layers):
        trace = evaluate_reference(network.layer(k), inputs)
        for node in network.graph.nodes:
            if node.kind not in ("layer", "pointwise"):
                continue
            for unit in range(trace[node.name].shape[1]):
                column = trace[node.name][:, unit]
                if np.ptp(column) > 0:
                    result[(k, "forward", node.name, unit)] = float(np.corrcoef(column, feature)[0, 1])
        inputs = np.array(trace["h"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="a trained text model (default: train a 2-layer LSTM on brackets)")
    parser.add_argument("--steps", type=int, default=400, help="training batches (default 400)")
    parser.add_argument("--text-steps", type=int, default=4000, help="characters of text (default 4000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-units-") as name:
        return check(args, Path(name))


def check(args: argparse.Namespace, folder: Path) -> int:
    model_path = args.model
    if model_path is None:
        model_path = str(folder / "brackets2.safetensors")
        train = ["train", "brackets", "--layers", "2", "--hidden", "16", "--steps", str(args.steps), "--seed", "3"]
        if cli([*train, "--out", model_path]) != 0:
            return 1
    model = resolve_model(model_path)
    text = BracketsTask().sequence(np.random.default_rng(7), args.text_steps)[0]
    text_file = folder / "text.txt"
    text_file.write_text(text)
    failures = 0
    for pattern in PATTERNS:
        out = folder / "units.csv"
        spec = f"regex:{pattern}"
        if cli(
            ["units", model_path, "--text-file", str(text_file), "--feature", spec, "--top", "0", "--out", str(out)]
        ):
            return 1
        rows = list(csv.DictReader(out.open()))
        truth = independent_r(model, text, feature_values(spec, list(text)))
        best = max(truth, key=lambda key: abs(truth[key]))
        first = rows[0]
        top = (int(first["layer"]), first["direction"], first["node"], int(first["unit"]))
        worst = max(
            abs(float(row["r"]) - truth[(int(row["layer"]), row["direction"], row["node"], int(row["unit"]))])
            for row in rows
            if row["r"]
        )
        ok = top == best and worst <= 1e-10 and len([row for row in rows if row["r"]]) == len(truth)
        failures += not ok
        print(
            f"{spec:18s} finder top {top[0]}:{top[2]}[{top[3]}] r={float(first['r']):+.4f}  "
            f"independent best {best[0]}:{best[2]}[{best[3]}] r={truth[best]:+.4f}  "
            f"max |Δr| over {len(truth)} units {worst:.1e}  {'ok' if ok else 'MISMATCH'}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
