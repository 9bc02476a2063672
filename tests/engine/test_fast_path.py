"""The compiled fast path computes what the node-by-node reference computes, for every variant."""

import numpy as np
import pytest

from lstm_explorer.engine import CELL_KINDS, LayerWeights, cell_graph, evaluate, evaluate_reference, init_weights
from lstm_explorer.engine.evaluate import CompiledCell


def layer(kind: str, input_size: int = 5, hidden: int = 6, seed: int = 3) -> LayerWeights:
    graph = cell_graph(kind)
    tensors = init_weights(graph, input_size, hidden, seed=seed)
    return LayerWeights.from_tensors(graph, {k.removesuffix("_l0"): v for k, v in tensors.items()})


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_fast_equals_reference(kind):
    weights = layer(kind)
    X = np.random.default_rng(1).normal(scale=3.0, size=(40, 5))
    state = {prev: np.random.default_rng(2).normal(size=6) for prev, _ in weights.graph.recurrent}
    fast, ref = evaluate(weights, X, state), evaluate_reference(weights, X, state)
    assert set(fast) == set(ref) == set(weights.graph.names)
    for name in weights.graph.names:
        assert fast[name].shape == ref[name].shape
        assert np.abs(fast[name] - ref[name]).max() <= 1e-14, name


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_trace_keys_and_shapes(kind):
    weights = layer(kind)
    trace = evaluate(weights, np.ones((7, 5)))
    required = {"x", "h_prev", "h"}
    if kind in ("lstm", "peephole", "coupled"):
        required |= {"c_prev", "f", "i", "g", "o", "c", "tanh_c"}
    if kind.startswith("gru"):
        required |= {"r", "z", "n"}
    assert required <= set(trace)
    for name, array in trace.items():
        assert array.shape == (7, weights.graph.width(name, 5, 6)), name


def test_compiled_cell_can_run_twice_with_the_same_result():
    cell = CompiledCell(layer("lstm"))
    X = np.random.default_rng(0).normal(size=(10, 5))
    first, second = cell.run(X), cell.run(X)
    assert np.array_equal(first["h"], second["h"])


def test_continuing_from_a_final_state_equals_one_run():
    weights = layer("gru")
    X = np.random.default_rng(0).normal(size=(20, 5))
    whole = evaluate(weights, X)
    head = evaluate(weights, X[:12])
    tail = evaluate(weights, X[12:], head.final_state())
    assert np.abs(np.concatenate([head["h"], tail["h"]]) - whole["h"]).max() <= 1e-15


def test_empty_sequence_gives_an_empty_trace():
    trace = evaluate(layer("lstm"), np.zeros((0, 5)))
    assert trace.steps == 0 and trace["h"].shape == (0, 6)


def test_wrong_input_width_is_refused():
    with pytest.raises(ValueError, match=r"expected \(T, 5\)"):
        evaluate(layer("lstm"), np.zeros((3, 4)))
