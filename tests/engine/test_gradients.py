"""Gradients through time without torch: central differences for every cell kind (the total
derivative with respect to a state is measured by nudging that state inside the run, so every
node computed from it moves too), the direct path (forget-gate product), σ_max, and targets."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.engine.cells import CELL_KINDS, cell_graph
from lstm_explorer.engine.evaluate import activate, pointwise
from lstm_explorer.engine.gradients import (
    Readout,
    direct_path,
    direct_path_factors,
    gradients,
    largest_singular_value,
)
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.targets import LossTarget, NodeTarget, OutputTarget, TargetError, parse_target
from lstm_explorer.engine.weights import init_weights

IN, H, T = 2, 3, 6
EPS = 1e-6


def network(kind: str, layers: int = 1, bidirectional: bool = False, seed: int = 0) -> RecurrentNetwork:
    tensors = init_weights(cell_graph(kind), IN, H, num_layers=layers, bidirectional=bidirectional, seed=seed)
    for value in tensors.values():
        value *= 2.5
    return RecurrentNetwork.from_tensors(tensors, kind)


def run_layer(net: RecurrentNetwork, k: int, reverse: bool, X: np.ndarray, nudge=None) -> list[dict]:
    """Every node at every step (in the cell's order), node by node; ``nudge`` = (step, node,
    delta) adds delta to that node right after it is computed, so everything downstream sees it."""
    weights = net.layer(k, reverse)
    graph = weights.graph
    state = {prev: np.zeros(H) for prev, _ in graph.recurrent}
    steps = []
    for t, x in enumerate(X[::-1] if reverse else X):
        values = {"x": x, **state}
        for node in graph.nodes:
            if node.kind == "concat":
                values[node.name] = np.concatenate([values[s] for s in node.inputs])
            elif node.kind == "layer":
                pre = sum(weights.block(b, node.slot) for b in node.biases)
                for term in node.terms:
                    W = weights.tensors[term.weight]
                    pre = pre + (
                        W * values[term.source]
                        if term.diagonal
                        else weights.block(term.weight, node.slot) @ values[term.source]
                    )
                values[node.name] = activate(node.op, pre)
            elif node.kind == "pointwise":
                values[node.name] = pointwise(node.op, [values[s] for s in node.inputs])
            if nudge is not None and nudge[0] == t and nudge[1] == node.name:
                values[node.name] = values[node.name] + nudge[2]
        steps.append(values)
        state = {prev: values[new] for prev, new in graph.recurrent}
    return steps


def run_network(net: RecurrentNetwork, X: np.ndarray, where=None, nudge=None) -> dict:
    """Every layer's steps; the nudge applies to layer/direction ``where``."""
    runs, inputs = {}, X
    for k in range(net.num_layers):
        outs = []
        for reverse in net.directions:
            steps = run_layer(net, k, reverse, inputs, nudge if where == (k, reverse) else None)
            runs[(k, reverse)] = steps
            h = np.array([s["h"] for s in steps])
            outs.append(h[::-1] if reverse else h)
        inputs = np.concatenate(outs, axis=1)
    runs["top"] = inputs
    return runs


def central_difference(value_of, shape) -> np.ndarray:
    grad = np.zeros(shape)
    for index in np.ndindex(*shape):
        delta = np.zeros(shape)
        delta[index] = EPS
        grad[index] = (value_of(delta) - value_of(-delta)) / (2 * EPS)
    return grad


def assert_close(ours: np.ndarray, numeric: np.ndarray) -> None:
    scale = max(np.abs(numeric).max(), 1e-3)
    assert np.abs(ours - numeric).max() <= 1e-6 * scale, np.abs(ours - numeric).max()


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_every_cell_kind_equals_central_differences(kind):
    """Two bidirectional layers under a readout; gradients for each layer and direction."""
    net = network(kind, layers=2, bidirectional=True, seed=1)
    rng = np.random.default_rng(2)
    head = Readout(rng.normal(size=(2, 2 * H)), rng.normal(size=2), softmax=False)
    X = rng.normal(size=(T, IN))
    target = OutputTarget(1, 3)

    def value(runs) -> float:
        return float(head.weight[1] @ runs["top"][3] + head.bias[1])

    assert_close(
        gradients(net, X, target, readout=head).x, central_difference(lambda d: value(run_network(net, X + d)), X.shape)
    )
    for where in [(0, True), (1, False), (1, True)]:
        ours = gradients(net, X, target, layer=where[0], reverse=where[1], readout=head)
        for name, array in ours.states.items():

            def nudged(delta, name=name, where=where):
                step = int(np.flatnonzero(delta.any(axis=1))[0])
                return value(run_network(net, X, where, (step, name, delta[step])))

            assert_close(array, central_difference(nudged, (T, H)))


@pytest.mark.parametrize("kind", ["lstm", "peephole", "coupled", "gru-classic"])
def test_a_node_target_equals_central_differences(kind):
    net = network(kind, seed=3)
    X = np.random.default_rng(4).normal(size=(T, IN))
    node = "c" if "c" in net.graph.state_names else "n"
    ours = gradients(net, X, NodeTarget(node, 1, 4))
    for name, array in ours.states.items():

        def nudged(delta, name=name):
            step = int(np.flatnonzero(delta.any(axis=1))[0])
            return run_network(net, X, (0, False), (step, name, delta[step]))[(0, False)][4][node][1]

        assert_close(array, central_difference(nudged, (T, H)))
        assert not array[5:].any()  # after the target's step


def test_concatenation_targets_split_into_their_parts():
    net = network("lstm", seed=5)
    X = np.random.default_rng(6).normal(size=(T, IN))
    on_xh = gradients(net, X, NodeTarget("xh", H + 1, 4))  # xh = [h_prev, x]: unit H+1 is x[1]
    expected = np.zeros((T, IN))
    expected[4, 1] = 1.0
    assert np.array_equal(on_xh.x, expected) and not on_xh.states["h"].any()
    on_h_prev = gradients(net, X, NodeTarget("xh", 2, 4))  # unit 2 is h_prev[2] = h_3[2]
    assert on_h_prev.states["h"][3].tolist() == [0.0, 0.0, 1.0] and not on_h_prev.states["h"][4:].any()


def test_without_recurrent_weights_the_cell_state_gradient_is_the_forget_gate_product():
    """With W_hh = 0 the hidden path is cut and only the carousel carries c back: the full
    derivative ∂c_T/∂c_k must then equal the direct path, the product of the forget gates."""
    tensors = init_weights(cell_graph("lstm"), IN, H, seed=7)
    tensors["weight_hh_l0"][:] = 0.0
    net = RecurrentNetwork.from_tensors(tensors, "lstm")
    X = np.random.default_rng(8).normal(size=(T, IN))
    trace = net.trace(X)
    full = gradients(net, X, NodeTarget("c", 2, 4)).states["c"][:, 2]
    path = direct_path(trace, 2, 4)
    assert np.abs(full - path).max() <= 1e-15
    f = trace["f"][:, 2]
    assert path[1] == pytest.approx(f[2] * f[3] * f[4]) and path[4] == 1.0 and path[5] == 0.0


def test_direct_path_factors_are_the_gates_that_keep_the_state():
    X = np.random.default_rng(9).normal(size=(T, IN))
    for kind, gate in (("lstm", "f"), ("peephole", "f"), ("coupled", "f"), ("gru", "z"), ("gru-classic", "z")):
        trace = network(kind).trace(X)
        assert np.array_equal(direct_path_factors(trace), trace[gate]), kind
    assert not direct_path_factors(network("rnn").trace(X)).any()


def test_a_tanh_rnn_gradient_shrinks_at_least_as_fast_as_sigma_max_to_the_lag():
    tensors = init_weights(cell_graph("rnn"), IN, 8, seed=10)
    net = RecurrentNetwork.from_tensors(tensors, "rnn")
    sigma = largest_singular_value(net)
    assert sigma == pytest.approx(np.linalg.svd(tensors["weight_hh_l0"], compute_uv=False)[0])
    assert sigma < 1
    X = np.random.default_rng(11).normal(size=(40, IN))
    norms = gradients(net, X, NodeTarget("h", 0, 39)).norms()["h"]
    lags = 39 - np.arange(40)
    assert np.all(norms <= sigma**lags * (1 + 1e-12))
    assert norms[0] < 1e-6  # vanished


def test_norms_are_per_step_euclidean_norms():
    net = network("gru", seed=12)
    g = gradients(net, np.random.default_rng(13).normal(size=(T, IN)), NodeTarget("h", 0, -1))
    norms = g.norms()
    assert set(norms) == {"x", "h"} and set(g.arrays()) == {"grad_x", "grad_h"}
    assert norms["h"][2] == pytest.approx(np.sqrt(np.sum(g.states["h"][2] ** 2)))


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("c[12]@40", NodeTarget("c", 12, 40)),
        ("h[3]@-1", NodeTarget("h", 3, -1)),
        (" out[2]@7 ", OutputTarget(2, 7)),
        ("logit[0]@-2", OutputTarget(0, -2, logit=True)),
        ("loss@-1", LossTarget(-1)),
    ],
)
def test_targets_parse(text, parsed):
    assert parse_target(text) == parsed


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1]@4", "not of the form"),
        ("c[1]", "not of the form"),
        ("c@4", "say which unit"),
        ("loss[1]@4", "loss has no index"),
        ("c[-1]@4", "numbered from 0"),
    ],
)
def test_malformed_targets_say_what_is_wrong(text, message):
    with pytest.raises(TargetError, match=message):
        parse_target(text)


@pytest.mark.parametrize(
    "target, message",
    [
        (NodeTarget("q", 0, 1), "the lstm cell has no node 'q'"),
        (NodeTarget("c", 3, 1), "node c has 3 units"),
        (NodeTarget("x", 2, 1), "node x has 2 units"),
        (NodeTarget("c", 0, 6), "step 6 is out of range; the sequence has 6 steps"),
        (NodeTarget("c", 0, -7), "step -7 is out of range"),
        (OutputTarget(0, 1), "no readout layer"),
        (LossTarget(1), "no readout layer"),
    ],
)
def test_targets_the_network_lacks_are_refused(target, message):
    with pytest.raises(TargetError, match=message):
        gradients(network("lstm"), np.zeros((T, IN)), target)


def test_readout_targets_are_checked_against_the_readout():
    head = Readout(np.ones((2, H)), np.zeros(2), softmax=True)
    with pytest.raises(TargetError, match="the readout has 2 outputs"):
        gradients(network("lstm"), np.zeros((T, IN)), OutputTarget(2, 1), readout=head)
    with pytest.raises(TargetError, match="no answer"):
        gradients(network("lstm"), np.zeros((T, IN)), LossTarget(1), readout=head)


def test_a_target_on_a_layer_above_flows_down_through_it():
    """h[1]@4 of layer 1 (both directions of layer 0 feed it), gradients taken for layer 0."""
    net = network("coupled", layers=2, bidirectional=True, seed=14)
    X = np.random.default_rng(15).normal(size=(T, IN))
    target = NodeTarget("h", 1, 4, layer=1, reverse=True)

    def value(runs) -> float:
        return runs[(1, True)][4]["h"][1]

    ours = gradients(net, X, target, layer=0, reverse=False)
    assert ours.value == pytest.approx(value(run_network(net, X)), rel=1e-14)
    assert_close(ours.x, central_difference(lambda d: value(run_network(net, X + d)), X.shape))
    for name, array in ours.states.items():

        def nudged(delta, name=name):
            step = int(np.flatnonzero(delta.any(axis=1))[0])
            return value(run_network(net, X, (0, False), (step, name, delta[step])))

        assert_close(array, central_difference(nudged, (T, H)))
    with pytest.raises(TargetError, match="no layer 0 at or above layer 1"):
        gradients(net, X, NodeTarget("h", 0, 1, layer=0), layer=1)


def test_held_units_pass_no_gradient_and_the_rest_equals_central_differences():
    """Under interventions the gradients are those of the network they make (the same forward)."""
    net = network("lstm", layers=2, bidirectional=True, seed=16)
    X = np.random.default_rng(17).normal(size=(T, IN))
    held = (
        Intervention("c", (1,), 0.5, range(1, 3), layer=0),
        Intervention("x", (0,), 0.0, range(4, 5), layer=0, reverse=True),
        Intervention("h_prev", None, 0.0, range(2, 3), layer=1),
    )
    head = Readout(np.random.default_rng(18).normal(size=(2, 2 * H)), np.zeros(2), softmax=False)
    target = OutputTarget(0, -1)

    def value(X_: np.ndarray) -> float:
        top = net.outputs(net.run(X_, interventions=held), 1)
        return float(head.weight[0] @ top[-1])

    ours = gradients(net, X, target, readout=head, interventions=held)
    assert ours.value == pytest.approx(value(X), rel=1e-14)
    assert_close(ours.x, central_difference(lambda d: value(X + d), X.shape))
    assert ours.value != gradients(net, X, target, readout=head).value


def test_with_the_forget_gate_held_open_the_carousel_is_exact():
    """f[*] = 1 and no recurrent weights: c_T = c_k + Σ i⊙g, so ∂c_T/∂c_k = 1 for every k ≤ T."""
    tensors = init_weights(cell_graph("lstm"), IN, H, seed=19)
    tensors["weight_hh_l0"][:] = 0.0
    net = RecurrentNetwork.from_tensors(tensors, "lstm")
    X = np.random.default_rng(20).normal(size=(T, IN))
    g = gradients(net, X, NodeTarget("c", 0, 4), interventions=(Intervention("f", None, 1.0),))
    assert g.states["c"][:5, 0].tolist() == [1.0] * 5 and not g.states["c"][:, 1:].any()
