"""Colour scales: one per quantity, from the op table's ranges, kept from the first changed step."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer import colormaps
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.weights import init_weights
from lstm_explorer.models import random_model
from lstm_explorer.models.model import Model
from lstm_explorer.scales import ScaleTracker, nice_vmax, quantities, scales_of


def growing_cell_state_model(hidden: int = 4) -> Model:
    """An LSTM that keeps everything and adds tanh(b_g) every step: C_t = (t + 1)·tanh(b_g), ±20 by
    step 20 for the first unit. The input moves the candidate a little, so edits change values."""
    tensors = init_weights(cell_graph("lstm"), 1, hidden)
    H = hidden
    tensors["weight_hh_l0"][:] = 0.0
    tensors["weight_ih_l0"][:] = 0.0
    tensors["weight_ih_l0"][2 * H : 3 * H] = 0.05  # the candidate reads the input
    bias = np.zeros(4 * H)
    bias[0:H] = 30.0  # i ≈ 1
    bias[H : 2 * H] = 30.0  # f ≈ 1
    bias[2 * H : 3 * H] = np.arctanh(np.linspace(0.95, -0.9, H))  # g, one per unit
    tensors["bias_ih_l0"], tensors["bias_hh_l0"] = bias, np.zeros(4 * H)
    network = RecurrentNetwork.from_tensors(tensors, "lstm")
    return Model("growing cell state", network, {"cell": "lstm"}, source="test", cell_source="test")


def test_quantities_share_a_scale_along_the_cell_state_line_and_across_steps():
    lstm = quantities(cell_graph("lstm"))
    assert {n for n, q in lstm.items() if q == "cell state"} == {"c_prev", "fc", "ig", "c"}
    assert {n for n, q in lstm.items() if q == "gate"} == {"f", "i", "o"}
    assert {n for n, q in lstm.items() if q == "value"} == {"h_prev", "g", "tanh_c", "h"}
    assert {n for n, q in lstm.items() if q == "input"} == {"x", "xh"}
    gru = quantities(cell_graph("gru"))
    assert gru["hn"] == gru["xn"] == gru["rhn"] == gru["n_pre"] != "value"  # the pre-activation of h̃
    assert gru["h"] == gru["h_prev"] == "value"  # a GRU's h is a blend of values in [−1, 1]
    relu = quantities(cell_graph("rnn-relu"))
    assert relu["h"] == relu["h_prev"] == "hidden state"
    assert relu["xh"] not in (relu["x"], relu["h"])  # [h_{t−1}, x_t] mixes two quantities
    mingru = quantities(cell_graph("mingru"))
    assert {n for n, q in mingru.items() if q == "hidden state"} == {"h_prev", "h_tilde", "keep", "write", "h"}


@pytest.mark.parametrize(
    ("value", "vmax"), [(0.3, 1.0), (1.0, 1.0), (1.01, 2.0), (17.1, 20.0), (20.0, 20.0), (51, 100)]
)
def test_nice_vmax_rounds_up_to_1_2_5(value, vmax):
    assert nice_vmax(value) == vmax


def test_a_cell_state_reaching_20_is_drawn_on_plus_minus_20_and_bounded_nodes_keep_their_range():
    model = growing_cell_state_model()
    trace = model.network.trace(np.zeros((18, 1)))
    assert 15 < np.abs(trace["c"]).max() <= 20
    scales = scales_of(trace)
    assert scales["c"] == scales["c_prev"] == scales["ig"]
    assert (scales["c"].low, scales["c"].high, scales["c"].text) == (-20.0, 20.0, "cell state ±20")
    assert scales["f"].text == "gate 0…1" and scales["h"].text == "value ±1"
    assert [s.text for s in scales.legend()] == ["gate 0…1", "value ±1", "input ±1", "cell state ±20"]
    value = trace["c"][17]
    np.testing.assert_array_equal(scales["c"].colours(value), colormaps.diverging(value, 20.0))
    assert not np.array_equal(scales["c"].colours(value), colormaps.diverging(value))  # not clipped at ±1


def test_updates_from_a_changed_step_equal_the_scales_computed_afresh():
    """Edits in the middle may shrink the range (the largest value came after the edit)."""
    model = growing_cell_state_model()
    rng = np.random.default_rng(3)
    tracker = ScaleTracker(model.network.graph)
    X = np.zeros((0, 1))
    for _ in range(40):
        k = int(rng.integers(0, len(X) + 1))
        tail = rng.normal(size=(int(rng.integers(0, 12)), 1)) * 20
        X = np.concatenate([X[:k], tail]) if len(X[:k]) + len(tail) else X[:1]
        if not len(X):
            continue
        trace = model.network.trace(X)
        assert tracker.update(trace, k) == scales_of(trace), len(X)


def test_typing_one_more_step_reads_one_step_whatever_the_length():
    """The scales' work per keystroke is one step's values, at 50 steps as at 5 000."""
    model = random_model("lstm", input_size=3, hidden_size=8)
    scanned = []
    for steps in (50, 5000):
        X = np.random.default_rng(0).normal(size=(steps + 1, 3))
        document = ExplorerDocument.computed(model, X[:steps])
        assert document.scale_tracker is not None
        assert document.scale_tracker.scanned >= steps * 8  # the first trace: every step once
        document.apply_update(document.require_session().update(X), [str(k) for k in range(steps + 1)])
        scanned.append(document.scale_tracker.scanned)
        assert document.scales == scales_of(document.trace)
    assert scanned[0] == scanned[1] > 0


def test_the_document_snapshot_carries_its_scales():
    model = growing_cell_state_model()
    document = ExplorerDocument.computed(model, np.zeros((18, 1)))
    assert document.scales is not None and document.scales["c"].vmax == 20.0
    assert document.snapshot().scales is document.scales
