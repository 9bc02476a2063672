"""The variants no framework has, checked against one step worked out by hand (H = 1, X = 1)."""

import math

import numpy as np
import pytest

from lstm_explorer.engine import LayerWeights, WeightsError, cell_graph, evaluate
from lstm_explorer.engine.network import RecurrentNetwork


def sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def weights(kind: str, **tensors) -> LayerWeights:
    return LayerWeights.from_tensors(cell_graph(kind), {k: np.array(v, dtype=float) for k, v in tensors.items()})


def test_peephole_gates_read_the_cell_state():
    # slots i, f, g, o; input x = 2, c_prev = 0.5, h_prev = -1
    w = weights(
        "peephole",
        weight_ih=[[0.1], [0.2], [0.3], [0.4]],
        weight_hh=[[0.5], [0.6], [0.7], [0.8]],
        bias_ih=[0.01, 0.02, 0.03, 0.04],
        bias_hh=[0.0, 0.0, 0.0, 0.0],
        weight_ci=[0.9],
        weight_cf=[-0.3],
        weight_co=[0.25],
    )
    trace = evaluate(w, np.array([[2.0]]), {"h_prev": np.array([-1.0]), "c_prev": np.array([0.5])})
    i = sig(0.1 * 2 + 0.5 * -1 + 0.01 + 0.9 * 0.5)
    f = sig(0.2 * 2 + 0.6 * -1 + 0.02 - 0.3 * 0.5)
    g = math.tanh(0.3 * 2 + 0.7 * -1 + 0.03)
    c = f * 0.5 + i * g
    o = sig(0.4 * 2 + 0.8 * -1 + 0.04 + 0.25 * c)  # the output gate peeks at the new cell state
    h = o * math.tanh(c)
    for name, value in {"i": i, "f": f, "g": g, "c": c, "o": o, "h": h}.items():
        assert abs(trace[name][0, 0] - value) < 1e-15, name


def test_coupled_input_gate_is_one_minus_forget():
    # slots f, g, o
    w = weights(
        "coupled",
        weight_ih=[[0.3], [-0.2], [0.6]],
        weight_hh=[[0.1], [0.4], [-0.5]],
        bias_ih=[0.1, 0.2, 0.3],
        bias_hh=[0.05, 0.0, -0.1],
    )
    trace = evaluate(w, np.array([[1.5]]), {"h_prev": np.array([0.2]), "c_prev": np.array([-0.7])})
    f = sig(0.3 * 1.5 + 0.1 * 0.2 + 0.15)
    g = math.tanh(-0.2 * 1.5 + 0.4 * 0.2 + 0.2)
    o = sig(0.6 * 1.5 - 0.5 * 0.2 + 0.2)
    c = f * -0.7 + (1 - f) * g
    assert abs(trace["i"][0, 0] - (1 - f)) < 1e-15
    assert abs(trace["c"][0, 0] - c) < 1e-15
    assert abs(trace["h"][0, 0] - o * math.tanh(c)) < 1e-15


def test_classic_gru_resets_before_the_matmul():
    # slots r, z, n
    w = weights(
        "gru-classic",
        weight_ih=[[0.2], [0.3], [0.4]],
        weight_hh=[[0.5], [-0.6], [0.7]],
        bias_ih=[0.1, 0.0, -0.1],
        bias_hh=[0.0, 0.2, 0.3],
    )
    x, hp = 1.2, -0.4
    trace = evaluate(w, np.array([[x]]), {"h_prev": np.array([hp])})
    r = sig(0.2 * x + 0.5 * hp + 0.1)
    z = sig(0.3 * x - 0.6 * hp + 0.2)
    n = math.tanh(0.4 * x - 0.1 + 0.7 * (r * hp) + 0.3)  # Cho et al.: W_hn (r ⊙ h) + b_hn
    h = (1 - z) * n + z * hp
    assert abs(trace["n"][0, 0] - n) < 1e-15
    assert abs(trace["h"][0, 0] - h) < 1e-15
    # PyTorch's form differs on the same weights: r multiplies (W_hn h + b_hn)
    pytorch = evaluate(
        weights("gru", **{k: v for k, v in w.tensors.items()}), np.array([[x]]), {"h_prev": np.array([hp])}
    )
    assert abs(pytorch["n"][0, 0] - math.tanh(0.4 * x - 0.1 + r * (0.7 * hp + 0.3))) < 1e-15


def test_min_gru_gates_and_candidate_read_only_the_input():
    # slots z, h (rows 0-1 and 2-3 of the one Linear(in=2, 2H=4)); H = 2; no weight_hh exists
    w = weights(
        "mingru",
        weight_ih=[[0.5, -1.0], [0.2, 0.3], [1.5, 0.25], [-0.4, 2.0]],
        bias_ih=[0.1, -0.2, 0.3, 0.0],
    )
    assert (w.input_size, w.hidden_size) == (2, 2)
    x, hp = (2.0, -1.0), (0.6, -0.3)
    trace = evaluate(w, np.array([x]), {"h_prev": np.array(hp)})
    z = [sig(0.5 * 2 + 1.0 + 0.1), sig(0.2 * 2 - 0.3 - 0.2)]
    h_tilde = [1.5 * 2 - 0.25 + 0.3, -0.4 * 2 - 2.0]  # linear: no squashing, can leave [−1, 1]
    h = [(1 - z[k]) * hp[k] + z[k] * h_tilde[k] for k in range(2)]
    np.testing.assert_allclose(trace["z"][0], z, rtol=0, atol=1e-15)
    np.testing.assert_allclose(trace["h_tilde"][0], h_tilde, rtol=0, atol=1e-15)
    np.testing.assert_allclose(trace["h"][0], h, rtol=0, atol=1e-15)
    assert abs(h[0]) > 1  # the hidden state is unbounded, unlike a GRU's
    # a second step reads the first step's h through h_prev only
    two = evaluate(w, np.array([x, x]), {"h_prev": np.array(hp)})
    np.testing.assert_allclose(two["h"][1], [(1 - z[k]) * h[k] + z[k] * h_tilde[k] for k in range(2)], atol=1e-15)


def test_a_min_gru_state_dict_needs_its_kind_named():
    tensors = {"weight_ih_l0": np.ones((4, 3)), "bias_ih_l0": np.zeros(4)}
    with pytest.raises(WeightsError, match=r"missing tensor weight_hh_l0.*cells without it: mingru"):
        RecurrentNetwork.from_tensors(tensors)
    net = RecurrentNetwork.from_tensors(tensors, "mingru")
    assert (net.input_size, net.hidden_size) == (3, 2)
