"""Networks whose layers differ in width, merge their directions by sum/mul/ave, or read backwards
(Keras go_backwards): the network equals the layers run one by one, and the Session (incremental
recompute) equals a full run."""

import numpy as np
import pytest

from lstm_explorer.engine import cell_graph, evaluate_reference, init_weights
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.weights import WeightsError
from lstm_explorer.session import Session


def stacked(kind, sizes, *, bidirectional=False, merge="concat", seed=0):
    """Tensors for layers of the given hidden sizes; each layer reads what the one below hands on."""
    graph = cell_graph(kind)
    tensors, width = {}, 3
    directions = 2 if bidirectional else 1
    for k, H in enumerate(sizes):
        layer = init_weights(graph, width, H, bidirectional=bidirectional, seed=seed + k)
        tensors |= {name.replace("_l0", f"_l{k}"): value for name, value in layer.items()}
        width = H * (directions if merge == "concat" else 1)
    return tensors


def by_hand(network, X):
    """Every layer through the reference evaluator, joined as each merge mode says."""
    inputs, outputs = X, []
    for k in range(network.num_layers):
        forward_input = inputs[::-1] if network.backwards[k] else inputs
        h = evaluate_reference(network.layer(k), forward_input)["h"]
        if network.bidirectional:
            back = evaluate_reference(network.layer(k, True), inputs[::-1])["h"][::-1]
            h = {
                "concat": lambda a, b: np.concatenate([a, b], axis=1),
                "sum": np.add,
                "mul": np.multiply,
                "ave": lambda a, b: (a + b) / 2,
            }[network.merge_modes[k]](h, back)
        outputs.append(h)
        inputs = h
    return outputs


@pytest.mark.parametrize("merge", ["concat", "sum", "mul", "ave"])
def test_merge_modes_and_widths(merge):
    tensors = stacked("lstm", [5, 3, 4], bidirectional=True, merge=merge)
    network = RecurrentNetwork.from_tensors(tensors, merge_modes=[merge] * 3)
    X = np.random.default_rng(1).normal(size=(9, 3))
    traces = network.run(X)
    for k, expected in enumerate(by_hand(network, X)):
        assert np.abs(network.outputs(traces, k) - expected).max() <= 1e-14
    assert network.hidden_sizes == (5, 3, 4)
    assert network.output_size(2) == (8 if merge == "concat" else 4)


def test_go_backwards_layer_hands_on_its_outputs_in_the_order_it_computed():
    network = RecurrentNetwork.from_tensors(stacked("gru", [4, 2]), backwards=[True, False])
    X = np.random.default_rng(2).normal(size=(8, 3))
    traces = network.run(X)
    for k, expected in enumerate(by_hand(network, X)):
        assert np.abs(network.outputs(traces, k) - expected).max() <= 1e-14
    assert not network.prefix_stable(0) and not network.prefix_stable(1)


@pytest.mark.parametrize(
    "options", [{"merge_modes": ["sum", "sum"]}, {"backwards": [False, True]}, {"merge_modes": ["concat", "ave"]}]
)
def test_session_equals_a_full_run_when_typing(options):
    bidirectional = "merge_modes" in options
    merge = options.get("merge_modes", ["concat"])[0]
    network = RecurrentNetwork.from_tensors(
        stacked("lstm", [4, 3], bidirectional=bidirectional, merge=merge), **options
    )
    X = np.random.default_rng(3).normal(size=(40, 3))
    session = Session(network)
    session.update(X[:30])
    update = session.update(X)
    full = network.run(X)
    for key, trace in full.items():
        assert np.abs(update.traces[key]["h"] - trace["h"]).max() <= 1e-12


def test_widths_that_do_not_chain_are_refused():
    tensors = stacked("lstm", [4, 3])
    tensors["weight_ih_l1"] = np.zeros((12, 5))
    with pytest.raises(WeightsError, match="weight_ih_l1 has 5 columns, expected 4"):
        RecurrentNetwork.from_tensors(tensors)
    with pytest.raises(WeightsError, match="merge mode 'max'"):
        RecurrentNetwork.from_tensors(stacked("lstm", [4], bidirectional=True), merge_modes=["max"])


def test_step_order_flips_at_every_layer_that_reads_backwards():
    network = RecurrentNetwork.from_tensors(stacked("rnn", [3, 3, 3]), backwards=[True, False, True])
    assert [network.step_order_reversed(k) for k in range(3)] == [True, True, False]
    X = np.random.default_rng(5).normal(size=(6, 3))
    traces = network.run(X)
    # Layer 1 reads layer 0's outputs as handed on: its step 0 saw the state after the last input.
    assert np.array_equal(traces[(1, False)]["x"][0], traces[(0, False)]["h"][0])
    bidirectional = RecurrentNetwork.from_tensors(stacked("rnn", [3], bidirectional=True))
    assert bidirectional.step_order_reversed(0, True) and not bidirectional.step_order_reversed(0, False)
