"""The editor's encoded input grows at its end in place, and never changes rows it handed out."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.ui.growing_rows import GrowingRows


def rows(values: list[float]) -> np.ndarray:
    return np.array(values, dtype=np.float64)[:, None]


def test_appending_writes_after_the_last_input_without_copying_it():
    grow = GrowingRows()
    first = grow.start(rows([1, 2, 3]))
    second = grow.join(first, rows([4]))
    third = grow.join(second, rows([5, 6]))
    assert third[:, 0].tolist() == [1, 2, 3, 4, 5, 6]
    assert np.shares_memory(first, third) and np.shares_memory(second, third)  # one buffer, no copy
    assert first[:, 0].tolist() == [1, 2, 3] and second[:, 0].tolist() == [1, 2, 3, 4]


def test_inputs_handed_out_are_read_only():
    grow = GrowingRows()
    shown = grow.join(grow.start(rows([1, 2])), rows([3]))
    with pytest.raises(ValueError, match="read-only"):
        shown[0, 0] = 9.0


def test_an_edit_before_the_end_leaves_every_earlier_input_as_it_was():
    grow = GrowingRows()
    long = grow.join(grow.start(rows([1, 2, 3])), rows([4]))
    changed = grow.join(long[:2], rows([7, 8]))  # the last two steps retyped
    assert changed[:, 0].tolist() == [1, 2, 7, 8]
    assert long[:, 0].tolist() == [1, 2, 3, 4]
    assert not np.shares_memory(long, changed)


def test_typing_after_a_deletion_does_not_write_into_rows_still_handed_out():
    grow = GrowingRows()
    full = grow.start(rows([1, 2, 3]))
    shorter = full[:2]  # Backspace: a view of what is there
    typed = grow.join(shorter, rows([9]))
    assert typed[:, 0].tolist() == [1, 2, 9]
    assert full[:, 0].tolist() == [1, 2, 3]  # a recompute on a worker may still read it


def test_growing_past_the_spare_room_moves_to_a_bigger_buffer():
    grow = GrowingRows()
    X = grow.start(rows([0.0]))
    for k in range(1, 2000):
        X = grow.join(X, rows([float(k)]))
    assert X[:, 0].tolist() == [float(k) for k in range(2000)]
