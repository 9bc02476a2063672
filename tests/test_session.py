"""Incremental recompute equals a full recompute, bit for bit."""

import numpy as np
import pytest

from lstm_explorer.engine.cells import CELL_KINDS
from lstm_explorer.engine.evaluate import CompiledCell
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models import random_model
from lstm_explorer.session import CancelledError, Session


def assert_same(traces, expected):
    assert set(traces) == set(expected)
    for key, trace in expected.items():
        for name in trace.graph.names:
            np.testing.assert_array_equal(traces[key][name], trace[name], err_msg=f"{key} {name}")


def edits(rng, X, count):
    """A typing session: append, delete, change in the middle, paste, shrink."""
    current = X[:5]
    for _ in range(count):
        move = rng.integers(5)
        if move == 0 and len(current) < len(X):  # type one more step
            current = X[: len(current) + 1]
        elif move == 1 and len(current) > 1:  # backspace
            current = current[:-1]
        elif move == 2:  # change one step in the middle
            current = current.copy()
            current[rng.integers(len(current))] = rng.normal(size=X.shape[1])
        elif move == 3:  # paste a block
            current = np.concatenate([current, rng.normal(size=(int(rng.integers(2, 40)), X.shape[1]))])
        else:
            current = current[: max(1, int(rng.integers(len(current) + 1)))]
        yield current


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_incremental_equals_full_for_every_cell(kind):
    model = random_model(kind, input_size=5, hidden_size=7, seed=3)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 5))
    session = Session(model.network)
    for current in edits(rng, X, 40):
        update = session.update(current)
        assert_same(update.traces, model.network.run(current))


@pytest.mark.parametrize("layers,bidirectional", [(3, False), (2, True)])
def test_stacked_and_bidirectional(layers, bidirectional):
    model = random_model("lstm", input_size=4, hidden_size=6, num_layers=layers, bidirectional=bidirectional)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 4))
    session = Session(model.network)
    for current in edits(rng, X, 30):
        assert_same(session.update(current).traces, model.network.run(current))


def test_appending_one_step_computes_one_step_per_layer():
    model = random_model("gru", input_size=3, hidden_size=8, num_layers=2)
    X = np.random.default_rng(0).normal(size=(1000, 3))
    session = Session(model.network)
    session.update(X[:999])
    update = session.update(X)
    assert update.first_changed == 999
    assert update.computed_steps == 2  # one step in each of the two layers
    assert_same(update.traces, model.network.run(X))
    # A change at step 400 recomputes from step 400 only.
    changed = X.copy()
    changed[400] += 1.0
    update = session.update(changed)
    assert update.first_changed == 400 and update.computed_steps == 2 * 600
    assert_same(update.traces, model.network.run(changed))


def test_bidirectional_reverse_recomputes_fully():
    model = random_model("lstm", input_size=3, hidden_size=4, bidirectional=True)
    X = np.random.default_rng(0).normal(size=(100, 3))
    session = Session(model.network)
    session.update(X[:99])
    update = session.update(X)
    assert update.computed_steps == 1 + 100  # forward: one step; reverse: all of them


def test_off_thread_compute_leaves_shown_traces_untouched_and_cancels():
    model = random_model("lstm", input_size=3, hidden_size=4)
    X = np.random.default_rng(0).normal(size=(2000, 3))
    session = Session(model.network)
    shown = session.update(X[:1000]).traces[(0, False)]
    before = np.array(shown["h"])
    seen = []
    update = session.compute(X, in_place=False, progress=lambda done, total: seen.append((done, total)))
    np.testing.assert_array_equal(shown["h"], before)
    assert seen[-1] == (1000, 1000) and len(seen) >= 2
    session.apply(update)
    assert_same(session.traces, model.network.run(X))
    with pytest.raises(CancelledError):
        session.compute(X[:5] + 1.0, in_place=False, cancelled=lambda: True)
    assert session.steps == 2000


def test_rejects_wrong_width():
    session = Session(random_model("rnn", input_size=3, hidden_size=4).network)
    with pytest.raises(ValueError, match="expected"):
        session.update(np.zeros((4, 2)))


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_run_continued_at_any_step_rounds_as_the_full_run(kind):
    # BLAS rounds a matrix-product row differently for different product shapes; the engine's
    # aligned projection blocks make a continuation bit-equal to a full run wherever it splits.
    model = random_model(kind, input_size=64, hidden_size=32, seed=5)
    cell = CompiledCell(model.network.layer(0))
    X = np.random.default_rng(4).normal(size=(203, 64))
    full = cell.run(X)
    for split in (1, 31, 32, 33, 100, 199, 202):
        head = cell.run(X[:split])
        state = {prev: head[new][-1] for prev, new in head.graph.recurrent}
        tail = cell.run(X[split:], state, offset=split)
        for name in full.graph.names:
            np.testing.assert_array_equal(tail[name], full[name][split:], err_msg=f"{name} split {split}")


# --- interventions ----------------------------------------------------------------------------


def _stacked_session(layers=2):
    return Session(random_model("lstm", input_size=3, hidden_size=5, num_layers=layers, seed=4).network)


def test_interventions_recompute_from_their_first_affected_step_and_equal_a_full_run():
    session = _stacked_session()
    X = np.random.default_rng(3).normal(size=(1300, 3))
    session.update(X)
    upper = [Intervention("c", (2,), 0.0, range(900, 1300), layer=1)]
    assert session.first_affected(upper) == 900
    assert session.first_affected(upper, (0, False)) is None  # the layer below does not change
    assert session.steps_to_compute(X, upper) == 400  # layer 1 only, from step 900
    update = session.compute(X, interventions=upper)
    assert update.first_changed == 900 and update.computed_steps == 400
    full = session.network.run(X, interventions=upper)
    for key, trace in full.items():
        for name in trace:
            assert np.array_equal(session.traces[key][name], trace[name]), (key, name)
    lower = [*upper, Intervention("f", None, 1.0, range(700, 800))]
    assert session.steps_to_compute(X, lower) == 2 * 600
    session.compute(X, interventions=lower)
    released = session.compute(X, interventions=[])
    assert released.first_changed == 700 and session.interventions == ()
    plain = session.network.run(X)
    for key, trace in plain.items():
        assert np.array_equal(session.traces[key]["h"], trace["h"]), key
    assert session.compute(X).computed_steps == 0


def test_typing_keeps_the_held_units():
    session = _stacked_session(layers=1)
    X = np.random.default_rng(4).normal(size=(50, 3))
    held = [Intervention("h", (1,), 0.5, range(10, 60)), Intervention("c_prev", None, 0.0, range(20, 22))]
    session.compute(X[:40], interventions=held)
    session.update(X)  # appending keeps them
    assert np.all(session.traces[(0, False)]["h"][10:, 1] == 0.5)
    assert np.all(session.traces[(0, False)]["c_prev"][20:22] == 0.0)
    assert_same(session.traces, session.network.run(X, interventions=held))


def test_chunks_are_sized_by_time_so_cancel_is_heard_quickly_and_results_stay_exact(monkeypatch):
    import lstm_explorer.session as session_module

    model = random_model("lstm", input_size=3, hidden_size=16, seed=4)
    X = np.random.default_rng(2).normal(size=(300, 3))
    expected = Session(model.network).compute(X, in_place=False).traces[(0, False)]
    reports: list[int] = []
    monkeypatch.setattr(session_module, "CHUNK_SECONDS", 1e-9)  # any chunk is "too slow": one step each
    session = Session(model.network)
    update = session.compute(X, in_place=False, progress=lambda done, _total: reports.append(done))
    assert reports[:3] == [1, 2, 3] and reports[-1] == 300
    for name in expected.graph.names:
        np.testing.assert_array_equal(update.traces[(0, False)][name], expected[name])
    checks: list[int] = []

    def cancelled() -> bool:
        checks.append(1)
        return len(checks) > 2

    with pytest.raises(CancelledError):
        session.compute(X, in_place=False, cancelled=cancelled)
    assert len(checks) == 3  # heard after two one-step chunks, not after 512 steps


def test_a_read_only_input_grown_in_place_is_kept_uncopied_and_computed_incrementally():
    from lstm_explorer.ui.growing_rows import GrowingRows

    model = random_model("lstm", input_size=3, hidden_size=8)
    X = np.random.default_rng(1).normal(size=(600, 3))
    rows = GrowingRows()
    shown = rows.start(X[:500])
    session = Session(model.network)
    session.update(shown)
    assert np.shares_memory(session.X, shown)  # read-only: its owner never changes it, no copy
    grown = rows.join(shown, X[500:501])
    update = session.update(grown)
    assert update.first_changed == 500 and update.computed_steps == 1
    assert_same(update.traces, model.network.run(X[:501]))
    writable = X[:501].copy()
    session.update(writable)
    assert not np.shares_memory(session.X, writable)  # a writable input is copied: the caller may change it
