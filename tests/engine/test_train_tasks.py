"""The training tasks generate what their docstrings promise."""

import itertools

import numpy as np
import pytest

from lstm_explorer.tasks import BracketsTask, RememberTask, SineTask, make_task


def test_brackets_depth_stays_in_range_and_matches_the_text():
    task = BracketsTask()
    rng = np.random.default_rng(0)
    for _ in range(50):
        text, depths = task.sequence(rng)
        running = np.cumsum([1 if c == "(" else -1 if c == ")" else 0 for c in text])
        assert running.tolist() == depths and min(depths) >= 0 and max(depths) <= task.max_depth
        assert set(text) <= set(task.vocabulary)
    batch = task.batch(rng, 3)
    assert batch.inputs.shape == batch.targets.shape == (3, task.length)
    assert np.array_equal(batch.inputs[:, 1:], batch.targets[:, :-1])  # targets are the next characters
    assert task.next_distribution(0)[1] == 0 and task.next_distribution(task.max_depth)[0] == 0
    assert all(task.next_distribution(d).sum() == pytest.approx(1) for d in range(task.max_depth + 1))


def test_remember_asks_once_for_the_first_symbol():
    task = RememberTask()
    inputs, targets, mask = task.sequences(np.random.default_rng(1), 64)
    query = task.vocabulary.index("?")
    for row in range(64):
        (asked,) = np.flatnonzero(mask[row])
        assert inputs[row, asked] == query and (inputs[row] == query).sum() == 1
        assert targets[row, asked] == inputs[row, 0] < len(task.symbols)
        assert 1 <= asked - 1 <= task.max_delay
    # Distractors include the symbols: later symbols must not overwrite the first.
    assert np.isin(inputs[:, 1:], np.arange(len(task.symbols))).any()
    for preset in task.presets():
        assert preset[0] in task.symbols and preset.endswith("?") and set(preset) <= set(task.vocabulary)


def test_remember_curriculum_lengthens_the_delay_the_same_way_for_every_run():
    task = RememberTask()
    longest = [task.longest_delay(k) for k in range(task.curriculum + 10)]
    assert longest[0] == task.min_delay + 1 and longest[-1] == task.max_delay
    assert all(a <= b for a, b in itertools.pairwise(longest))
    assert RememberTask(curriculum=0).longest_delay(0) == task.max_delay
    rng = np.random.default_rng(3)
    first = [task.batch(rng, 64) for _ in range(3)]
    assert task.batches_drawn == 3
    for batch in first:  # at the start only delays 1..2: "?" is at step 2 or 3
        asked = np.flatnonzero(batch.mask.any(axis=0))
        assert set(asked) <= {2, 3} and batch.inputs.shape[1] <= 4
    task.batches_drawn = task.curriculum
    late = task.batch(rng, 256)
    delays = np.argmax(late.mask, axis=1) - 1
    assert delays.min() >= task.min_delay and delays.max() <= task.max_delay and delays.max() > 40
    # The schedule depends only on the batches drawn: two fresh tasks give the same batches.
    a, b = RememberTask(), RememberTask()
    ra, rb = np.random.default_rng(5), np.random.default_rng(5)
    for _ in range(4):
        x, y = a.batch(ra, 8), b.batch(rb, 8)
        assert np.array_equal(x.inputs, y.inputs) and np.array_equal(x.mask, y.mask)


def test_sine_targets_are_the_next_values():
    task = SineTask()
    batch = task.batch(np.random.default_rng(2), 4)
    assert batch.inputs.shape == (4, task.length, 1) and np.array_equal(batch.inputs[:, 1:], batch.targets[:, :-1])
    assert batch.mask[:, :3].sum() == 0 and batch.mask[:, 3:].all()
    for preset in task.presets():
        assert len(preset.split(";")) == 30


def test_unknown_task():
    choices = "brackets, remember, sine, adding, temporal-order"
    with pytest.raises(ValueError, match=f"unknown task 'nope'; choose one of {choices}"):
        make_task("nope")
