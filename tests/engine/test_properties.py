"""Properties that hold for any finite input and any weights."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lstm_explorer.engine import CELL_KINDS, LayerWeights, cell_graph, evaluate, init_weights, sigmoid

# Products of weights and inputs must stay finite (inf − inf is NaN in any framework).
finite = st.floats(min_value=-1e100, max_value=1e100, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([k for k in CELL_KINDS if k != "rnn-relu"]),
    seed=st.integers(0, 2**16),
    X=arrays(np.float64, st.tuples(st.integers(1, 12), st.just(3)), elements=finite),
    scale=st.sampled_from([0.1, 1.0, 30.0]),
)
def test_gates_in_unit_interval_and_h_bounded(kind, seed, X, scale):
    graph = cell_graph(kind)
    tensors = init_weights(graph, 3, 4, seed=seed)
    w = LayerWeights.from_tensors(graph, {k.removesuffix("_l0"): v * scale for k, v in tensors.items()})
    with np.errstate(over="raise", invalid="raise"):
        trace = evaluate(w, X)
    for name, array in trace.items():
        assert not np.isnan(array).any(), name
    for name in graph.names:
        if graph.value_range(name) == "gate":  # σ layers and 1 − a gate
            assert (trace[name] >= 0).all() and (trace[name] <= 1).all(), name
    h = graph.hidden_output
    if graph.value_range(h) != "unbounded":  # minGRU's h blends in a linear candidate: unbounded
        assert (np.abs(trace[h]) <= 1.0).all()


def test_sigmoid_is_stable_at_the_extremes():
    with np.errstate(all="raise"):
        values = sigmoid(np.array([-1e308, -800.0, 0.0, 800.0, 1e308]))
    assert values[0] == 0.0 and values[2] == 0.5 and values[-1] == 1.0
