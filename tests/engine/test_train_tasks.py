"""The training tasks generate what their docstrings promise."""

import itertools

import numpy as np
import pytest

from lstm_explorer.tasks import AddingTask, BracketsTask, RememberTask, SineTask, TemporalOrderTask, make_task


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


def test_adding_marks_two_values_and_asks_for_their_sum_at_the_end():
    task = AddingTask(warmup=0, curriculum=0)
    batch = task.batch(np.random.default_rng(4), 256)
    values, markers = batch.inputs[..., 0], batch.inputs[..., 1]
    assert batch.inputs.shape == (256, 100, 2) and values.min() >= 0 and values.max() <= 1
    assert np.all(markers.sum(axis=1) == 2) and set(np.unique(markers)) == {0.0, 1.0}
    first = np.argmax(markers, axis=1)
    second = 99 - np.argmax(markers[:, ::-1], axis=1)
    assert first.max() <= 9 and second.min() >= 10 and second.max() <= 49
    assert first.min() == 0 and first.max() == 9 and second.max() == 49  # the whole windows are used
    assert np.array_equal(batch.targets[:, -1, 0], (values * markers).sum(axis=1))
    assert np.array_equal(batch.mask, np.eye(100)[[99] * 256])
    targets, mask = task.loss_targets(batch.inputs[0])
    assert mask.tolist() == [False] * 99 + [True] and targets[-1, 0] == batch.targets[0, -1, 0]


def test_adding_curriculum_holds_the_shortest_length_then_grows_to_the_full_one():
    task = AddingTask()
    lengths = [task.length_at(k) for k in range(task.warmup + task.curriculum + 10)]
    assert set(lengths[: task.warmup + 1]) == {AddingTask.MIN_LENGTH} and lengths[-1] == task.length
    assert all(a <= b for a, b in itertools.pairwise(lengths))
    rng = np.random.default_rng(0)
    assert task.batch(rng, 2).inputs.shape[1] == AddingTask.MIN_LENGTH and task.batches_drawn == 1
    with pytest.raises(ValueError, match="at least 22 steps"):
        AddingTask(length=21)


def test_temporal_order_hides_two_symbols_and_asks_for_their_order_at_the_trigger():
    task = TemporalOrderTask()
    vocab = task.vocabulary
    inputs, targets, mask = task.sequences(np.random.default_rng(5), 200)
    assert 100 <= inputs.shape[1] <= 110 and task.output_size == task.input_size == len(vocab)
    for row, target in zip(inputs, targets, strict=True):
        text = "".join(vocab[k] for k in row)
        assert text[0] == "E" and text[-1] == "B" and set(text[1:-1]) <= set("abcdXY")
        (a, b) = [k for k, ch in enumerate(text) if ch in "XY"]
        assert 10 <= a <= 20 and 50 <= b <= 60
        assert vocab[target[-1]] == {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}[text[a] + text[b]]
        answers, scored = task.loss_targets(row)
        assert answers[-1] == target[-1] and scored.tolist() == [False] * (len(row) - 1) + [True]
    assert mask[:, -1].all() and mask.sum() == 200
    assert {vocab[t] for t in targets[:, -1]} == set("QRSU")
    assert not task.loss_targets(np.array([vocab.index(c) for c in "EaXbB"]))[1].any()  # one symbol: no answer
