"""What the bundled models are claimed to do, measured through the same path the app uses
(Model.encode_text → network.run → readout). The training script reports these figures and the
tests check them against the shipped files."""

from __future__ import annotations

import numpy as np

from ..tasks import AddingTask, BracketsTask, RememberTask, SineTask
from .model import Model


def depth_correlation(model: Model, *, sequences: int = 100, seed: int = 123) -> tuple[int, float]:
    """(unit, Pearson r) of the cell-state unit whose value follows the bracket depth best.

    Over ``sequences`` random bracket strings; r is signed (a unit may count downwards).
    """
    task = BracketsTask()
    rng = np.random.default_rng(seed)
    states, depths = [], []
    for _ in range(sequences):
        text, depth = task.sequence(rng)
        trace = model.run(model.encode_text(text))[(model.network.num_layers - 1, False)]
        states.append(trace["c"] if "c" in trace else trace["h"])
        depths.extend(depth)
    S = np.concatenate(states)  # (N, H)
    d = np.asarray(depths, dtype=np.float64)
    S = S - S.mean(axis=0)
    d = d - d.mean()
    r = (S * d[:, None]).sum(axis=0) / np.sqrt((S * S).sum(axis=0) * (d * d).sum() + 1e-300)
    unit = int(np.argmax(np.abs(r)))
    return unit, float(r[unit])


def brackets_cross_entropy(model: Model, *, sequences: int = 100, seed: int = 321) -> tuple[float, float, float]:
    """(the model's mean next-character cross-entropy, the best possible — knowing the true depth —,
    and that of the character frequencies alone), in nats, over ``sequences`` random strings."""
    task = BracketsTask()
    rng = np.random.default_rng(seed)
    vocab = task.vocabulary
    model_ce, best_ce, counts = [], [], np.zeros(len(vocab))
    for _ in range(sequences):
        text, depths = task.sequence(rng, task.length + 1)
        probs = model.readout(model.top_outputs(model.run(model.encode_text(text[:-1]))))
        targets = [vocab.index(ch) for ch in text[1:]]
        for t, k in enumerate(targets):
            model_ce.append(-np.log(probs[t, k]))
            best_ce.append(-np.log(task.next_distribution(depths[t])[k]))
            counts[k] += 1
    freq = counts / counts.sum()
    blind = float(-(freq * np.log(freq)).sum())
    return float(np.mean(model_ce)), float(np.mean(best_ce)), blind


def recall_accuracy(
    model: Model, delays: list[int] | tuple[int, ...], *, trials: int = 100, seed: int = 7
) -> dict[int, float]:
    """Fraction of ``trials`` in which the readout's most probable character at ``?`` is the
    symbol given before ``delay`` distractors."""
    task = RememberTask()
    vocab = task.vocabulary
    rng = np.random.default_rng(seed)
    result = {}
    for delay in delays:
        inputs, targets, _ = task.sequences(rng, trials, delay)
        hits = 0
        for row in range(trials):
            text = "".join(vocab[k] for k in inputs[row, : delay + 2])
            probs = model.readout(model.top_outputs(model.run(model.encode_text(text))))
            hits += int(np.argmax(probs[-1]) == targets[row, delay + 1])
        result[delay] = hits / trials
    return result


def sine_error(model: Model, *, waves: int = 100, length: int = 40, seed: int = 11) -> tuple[float, float]:
    """(RMSE of the model's next-value predictions, RMSE of repeating the last value), both over
    steps 3.. of ``waves`` random sine waves (the first steps cannot know the frequency)."""
    task = SineTask()
    wave = task.waves(np.random.default_rng(seed), waves, length + 1)
    errors, naive = [], []
    for row in wave:
        X = row[:-1, None]
        prediction = model.readout(model.top_outputs(model.run(X)))[:, 0]
        errors.append((prediction - row[1:])[3:])
        naive.append((row[:-1] - row[1:])[3:])
    return float(np.sqrt(np.mean(np.square(errors)))), float(np.sqrt(np.mean(np.square(naive))))


def adding_error(model: Model, *, sequences: int = 1000, seed: int = 5, length: int = 100) -> tuple[float, float]:
    """(mean squared error of the sum read out at the last step, fraction of sequences solved —
    |error| < 0.04) over ``sequences`` fresh adding-problem sequences of ``length`` steps."""
    task = AddingTask(length=length)
    inputs, sums = task.sequences(np.random.default_rng(seed), sequences)
    errors = np.array([model.readout(model.top_outputs(model.run(X)))[-1, 0] for X in inputs]) - sums
    return float(np.mean(errors * errors)), float(np.mean(np.abs(errors) < task.tolerance))
