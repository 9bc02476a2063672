"""A hypothesis tested end to end: the bundled ``brackets`` model counts the nesting depth in one
cell unit, and it needs that count to predict ``)``.

1. Write a long random bracket text (the task's own generator, seeded) to a file, for
   ``lstm-explorer units brackets --text-file FILE --feature depth``.
2. Find the cell-state unit whose value correlates best with ``depth`` (the unit finder).
3. Ablate it (``--set c[U]=0``, held at 0 at every step) and compare the readout's predictions
   with the unablated run, by depth: the mean probability of ``)`` (the task's truth: 0 at depth 0,
   0.3 above), of ``(`` at the deepest level 4 (truth: 0), and the cross-entropy of the actual next
   character. Then the three cell units most correlated with depth together; as a control, the
   cell unit least correlated with depth.

Run: python scripts/brackets_hypothesis.py [--steps 5000] [--seed 1] [--text-file brackets.txt]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lstm_explorer.analysis import feature_values, find_units
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models import resolve_model
from lstm_explorer.tasks import BracketsTask


def measure(model, text: str, depth: np.ndarray, held: list[Intervention]) -> list[float]:
    """P(``)``) at each depth 0..4, P(``(``) at depth 4, and the cross-entropy of the actual next
    character, for the run with ``held`` units; the prediction at step t is for character t + 1."""
    X = model.encode_text(text)
    probabilities = model.readout(model.top_outputs(model.network.run(X, interventions=held)))[:-1]
    close, open_ = model.vocabulary.index(")"), model.vocabulary.index("(")
    depth = depth[:-1]
    nexts = np.array([model.vocabulary.index(ch) for ch in text[1:]])
    figures = [float(probabilities[depth == d, close].mean()) for d in range(5)]
    figures.append(float(probabilities[depth == 4, open_].mean()))
    figures.append(float(-np.mean(np.log(probabilities[np.arange(len(nexts)), nexts]))))
    return figures


COLUMNS = ["P()) d=0", "d=1", "d=2", "d=3", "d=4", "P(() d=4", "loss"]
TRUTH = "truth: P()) = 0 at depth 0, 0.3 above; P(() = 0 at depth 4; loss in nats per character"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--text-file", default="brackets.txt", help="where to write the text (default brackets.txt)")
    args = parser.parse_args()
    model = resolve_model("brackets")
    text = BracketsTask().sequence(np.random.default_rng(args.seed), args.steps)[0]
    Path(args.text_file).write_text(text + "\n")
    depth = feature_values("depth", list(text))
    table = find_units(model.network.run(model.encode_text(text)), depth, spec="depth")
    cells = [row for row in table.rows() if row.node == "c"]
    best, worst = cells[0], cells[-1]
    print(f"wrote {len(text)} characters to {args.text_file}")
    print(f"depth unit: {best.name} (r = {best.r:+.3f}); control: {worst.name} (r = {worst.r:+.3f})")
    top3 = tuple(sorted(row.unit for row in cells[:3]))
    runs = {
        "no intervention": [],
        f"--set c[{best.unit}]=0": [Intervention("c", (best.unit,), 0.0)],
        f"--set c[{','.join(map(str, top3))}]=0": [Intervention("c", top3, 0.0)],
        f"--set c[{worst.unit}]=0 (control)": [Intervention("c", (worst.unit,), 0.0)],
    }
    print(TRUTH)
    print(f"{'':30s}" + "".join(f"{name:>10s}" for name in COLUMNS))
    for name, held in runs.items():
        print(f"{name:30s}" + "".join(f"{value:10.3f}" for value in measure(model, text, depth, held)))


if __name__ == "__main__":
    main()
