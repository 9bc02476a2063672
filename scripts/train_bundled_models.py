"""Train the demo models shipped in lstm_explorer/resources/models/ and print what they learned.

Deterministic: the same seeds give the same weights (only the stored training time differs).
Takes a few minutes on two cores.

    python scripts/train_bundled_models.py            # all of them
    python scripts/train_bundled_models.py sine       # only some
    python scripts/train_bundled_models.py --check    # measure the shipped files, train nothing
    python scripts/train_bundled_models.py --gradient-check   # BPTT vs finite differences, every cell
    python scripts/train_bundled_models.py --compare-remember 3   # LSTM vs RNN, with and without the
                                                                  # curriculum, seeds 1..3 (saves nothing)
    python scripts/train_bundled_models.py adding adding-rnn     # only the adding-problem pair
    python scripts/train_bundled_models.py --compare-adding 3     # LSTM vs RNN on the adding problem,
                                                                  # seeds 1..3 (saves nothing)

Printed figures (also stored in each bundle's ``training`` metadata):
* brackets: the cell unit whose value follows the nesting depth best, and its Pearson r;
* remember / remember-rnn: recall accuracy by delay (the same training for an LSTM and a plain RNN:
  same task generator and delay curriculum, steps, learning rate, clipping, batch and seed);
* sine: RMSE of the next-value predictions, beside the RMSE of repeating the last value;
* adding / adding-rnn: mean squared error and the fraction of fresh T = 100 sequences solved
  (|error| < 0.04), beside always answering 1.0 (the mean sum: MSE 1/6); the same training for
  an LSTM and a plain RNN.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lstm_explorer.models.bundled import load_bundled, models_folder
from lstm_explorer.models.measure import (
    adding_error,
    brackets_cross_entropy,
    depth_correlation,
    recall_accuracy,
    sine_error,
)
from lstm_explorer.models.model import Model
from lstm_explorer.models.training import DEFAULT_LR, DEFAULT_STEPS, Trained, save_trained, train_task
from lstm_explorer.tasks import AddingTask, RememberTask

DELAYS = (1, 2, 5, 10, 20, 30, 40, 50, 75, 100, 200, 500)  # trained on 1..50
RECALL_TRIALS = 200  # sequences per delay
ADDING_TRIALS = 1000  # fresh sequences

#: name → (task, cell, hidden, seed, steps, description)
BUNDLES = {
    "brackets": (
        "brackets",
        "lstm",
        16,
        1,
        2500,
        "LSTM predicting the next character of nested brackets and letters; one cell unit counts the depth",
    ),
    "remember": (
        "remember",
        "lstm",
        16,
        1,
        3000,
        "LSTM that recalls the first symbol (a-d) after a run of distractors (a-d, x-z) when asked with ?",
    ),
    "remember-rnn": (
        "remember",
        "rnn",
        16,
        1,
        3000,
        "Plain RNN trained exactly like 'remember': it latches the first symbol in saturated tanh units",
    ),
    "sine": ("sine", "lstm", 16, 1, 2000, "LSTM predicting the next value of a sine wave of unknown frequency"),
    "adding": (
        "adding",
        "lstm",
        16,
        1,
        DEFAULT_STEPS["adding"],
        "LSTM that adds the two marked values of a 100-step sequence (value, marker per step); "
        "the sum is read out at the last step",
    ),
    "adding-rnn": (
        "adding",
        "rnn",
        16,
        1,
        DEFAULT_STEPS["adding"],
        "Plain RNN trained exactly like 'adding' (the same curriculum, steps and seed)",
    ),
}


def measure(name: str, model: Model) -> dict[str, object]:
    task = BUNDLES[name][0]
    if task == "brackets":
        unit, r = depth_correlation(model)
        ce, best, blind = brackets_cross_entropy(model)
        return {
            "depth_unit": unit,
            "depth_pearson_r": round(r, 4),
            "cross_entropy": round(ce, 4),
            "best_possible_cross_entropy": round(best, 4),
            "frequency_only_cross_entropy": round(blind, 4),
        }
    if task == "remember":
        table = recall_accuracy(model, DELAYS, trials=RECALL_TRIALS)
        return {
            "recall_by_delay": {str(d): a for d, a in table.items()},
            "recall_trials": RECALL_TRIALS,
            "recall_chance": round(1.0 / len(RememberTask().symbols), 4),
        }
    if task == "adding":
        mse, solved = adding_error(model, sequences=ADDING_TRIALS)
        return {
            "mse": round(mse, 6),
            "solved": round(solved, 4),
            "trials": ADDING_TRIALS,
            "length": AddingTask().length,
            "answer_mean_mse": round(1 / 6, 4),
        }
    rmse, naive = sine_error(model)
    return {"rmse": round(rmse, 5), "repeat_last_rmse": round(naive, 5)}


def report(name: str, figures: dict[str, object]) -> str:
    if "depth_unit" in figures:
        return (
            f"{name}: cell unit c[{figures['depth_unit']}] follows the depth, "
            f"Pearson r = {figures['depth_pearson_r']}; "
            f"cross-entropy {figures['cross_entropy']} nats (best possible {figures['best_possible_cross_entropy']}, "
            f"character frequencies alone {figures['frequency_only_cross_entropy']})"
        )
    if "recall_by_delay" in figures:
        table = figures["recall_by_delay"]
        assert isinstance(table, dict)
        return (
            f"{name}: recall accuracy by delay ({figures.get('recall_trials', '?')} trials each, "
            f"chance {figures.get('recall_chance', '?')}) " + ", ".join(f"{d}: {a:.2f}" for d, a in table.items())
        )
    if "solved" in figures:
        return (
            f"{name}: on {figures['trials']} fresh sequences of {figures['length']} steps, MSE {figures['mse']}, "
            f"solved (|error| < 0.04) {figures['solved']:.1%} (always answering 1.0: MSE {figures['answer_mean_mse']})"
        )
    return f"{name}: next-value RMSE {figures['rmse']} (repeating the last value: {figures['repeat_last_rmse']})"


def gradient_check_all() -> None:
    """Every entry of every tensor of small networks of every cell kind (one-hot text; 2 stacked
    bidirectional layers with numeric output; an embedding and 2 layers), BPTT vs central differences."""
    import numpy as np

    from lstm_explorer.engine.cells import CELL_KINDS
    from lstm_explorer.engine.train import Batch, gradient_check, new_network

    worst_rel, worst_abs, entries = 0.0, 0.0, 0
    for kind in CELL_KINDS:
        for task, layers, bidirectional, vocab in (
            ("text", 1, False, None),
            ("numeric", 2, True, None),
            ("text", 2, False, 4),
        ):
            rng = np.random.default_rng(0)
            out = 4 if task == "text" else 2
            net = new_network(kind, 3, 3, out, num_layers=layers, bidirectional=bidirectional, vocab_size=vocab, seed=1)
            for value in net.tensors.values():
                value *= 2.0
            if task == "text":
                batch = Batch(
                    rng.integers(0, vocab or 3, size=(2, 5)), rng.integers(0, out, size=(2, 5)), np.ones((2, 5))
                )
            else:
                batch = Batch(rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, out)), np.ones((2, 5)))
            check = gradient_check(net, task, batch, 3)
            entries += check.entries
            worst_rel = max(worst_rel, check.max_rel_error)
            worst_abs = max(worst_abs, check.max_abs_error)
        print(f"{kind}: max relative error so far {worst_rel:.2e}", file=sys.stderr)
    print(
        f"gradient check: {entries} entries, {len(CELL_KINDS)} cell kinds; "
        f"max |BPTT - finite difference| = {worst_abs:.2e}, max relative error = {worst_rel:.2e}"
    )


def compare_remember(seeds: int) -> None:
    """Train an LSTM and a plain RNN exactly as the remember bundles are (hidden, steps, learning
    rate, clipping, batch), with and without the delay curriculum, for seeds 1..``seeds``, and print
    the recall accuracy of each at a few delays. Saves nothing. Takes about 2-3 minutes per seed."""
    from lstm_explorer.engine.train import new_network, train
    from lstm_explorer.models.bundle import bundle_metadata

    delays = (1, 5, 20, 50, 100, 200)
    print(f"recall accuracy by delay ({RECALL_TRIALS} trials each, chance 0.25); trained on delays 1..50")
    print(f"{'cell':5} {'curriculum':>10} {'seed':>4}  " + " ".join(f"{d:>5}" for d in delays))
    for curriculum in (RememberTask().curriculum, 0):
        for cell in ("lstm", "rnn"):
            for seed in range(1, seeds + 1):
                _, _, hidden, _, steps, _ = BUNDLES["remember"]
                task = RememberTask(curriculum=curriculum)
                net = new_network(cell, task.input_size, hidden, task.output_size, seed=seed)
                result = train(net, task, steps=steps, lr=DEFAULT_LR["remember"], seed=seed)
                metadata = bundle_metadata(cell=cell, task="text", description="", vocabulary=task.vocabulary)
                model = Trained(net, result, metadata).model(f"{cell}-{seed}")
                table = recall_accuracy(model, delays, trials=RECALL_TRIALS)
                row = " ".join(f"{table[d]:5.2f}" for d in delays)
                print(f"{cell:5} {curriculum:>10} {seed:>4}  {row}  [{result.seconds:.0f} s]", flush=True)


def compare_adding(seeds: int) -> None:
    """Train an LSTM and a plain RNN exactly as the adding bundles are (task and its curriculum,
    hidden size, steps, learning rate, clipping, batch) for seeds 1..``seeds``; print each one's MSE
    and solved fraction on fresh 100-step sequences. Saves nothing."""
    _, _, hidden, _, steps, _ = BUNDLES["adding"]
    print(f"adding problem, T = 100: MSE and solved (|error| < 0.04) on {ADDING_TRIALS} fresh sequences")
    print(f"{'cell':5} {'seed':>4} {'MSE':>8} {'solved':>7}")
    for cell in ("lstm", "rnn"):
        for seed in range(1, seeds + 1):
            trained = train_task("adding", cell=cell, hidden=hidden, seed=seed, steps=steps)
            mse, solved = adding_error(trained.model(f"{cell}-{seed}"), sequences=ADDING_TRIALS)
            print(f"{cell:5} {seed:>4} {mse:8.4f} {solved:7.1%}  [{trained.result.seconds:.0f} s]", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*BUNDLES, []], help="which bundles (default: all)")
    parser.add_argument("--check", action="store_true", help="measure the shipped files only")
    parser.add_argument("--gradient-check", action="store_true", help="check BPTT against finite differences")
    parser.add_argument(
        "--compare-remember",
        type=int,
        metavar="SEEDS",
        help="train LSTM and RNN on remember with and without the curriculum for SEEDS seeds; save nothing",
    )
    parser.add_argument(
        "--compare-adding",
        type=int,
        metavar="SEEDS",
        help="train LSTM and RNN on the adding problem for SEEDS seeds and measure them; save nothing",
    )
    parser.add_argument("--out", type=Path, default=models_folder(), help="folder for the .safetensors files")
    args = parser.parse_args()
    if args.gradient_check:
        gradient_check_all()
        return 0
    if args.compare_remember:
        compare_remember(args.compare_remember)
        return 0
    if args.compare_adding:
        compare_adding(args.compare_adding)
        return 0
    names = args.names or list(BUNDLES)
    args.out.mkdir(parents=True, exist_ok=True)
    total = time.perf_counter()
    for name in names:
        if args.check:
            print(report(name, measure(name, load_bundled(name))))
            continue
        task, cell, hidden, seed, steps, description = BUNDLES[name]

        def progress(step: int, loss: float, name: str = name, steps: int = steps) -> bool:
            if step % 250 == 0 or step == steps:
                print(f"  {name}: step {step}/{steps} loss {loss:.4f}", file=sys.stderr, flush=True)
            return True

        trained: Trained = train_task(
            task, cell=cell, hidden=hidden, seed=seed, steps=steps, progress=progress, description=description
        )
        figures = measure(name, trained.model(name))
        training = json.loads(trained.metadata["training"])
        training["measured"] = figures
        trained.metadata["training"] = json.dumps(training)
        if "depth_unit" in figures:
            trained.metadata["featured_units"] = json.dumps([figures["depth_unit"]])
        path = save_trained(trained, args.out / f"{name}.safetensors")
        print(report(name, figures) + f"  [{trained.result.seconds:.0f} s, final loss {trained.result.final_loss:.4f}]")
        print(f"  wrote {path}", file=sys.stderr)
    print(f"total {time.perf_counter() - total:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
