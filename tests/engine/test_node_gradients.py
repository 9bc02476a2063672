"""∂target/∂node at every step, for every node of the cell graph, equals torch autograd (float64)
to 1e-10 relative.

The reference is a step loop in torch written from PyTorch's equations, one tensor per node of the
graph (the concatenation [h_{t−1}, x_t] is a real ``torch.cat``, h_{t−1} a fresh tensor per step,
so each has a gradient of its own), ``retain_grad`` on each; the target is a readout's loss (so
the gradient enters every step through h) or one unit of a gate.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.engine.gradients import Readout, gradients
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.targets import LossTarget, NodeTarget
from lstm_explorer.engine.weights import init_weights

torch = pytest.importorskip("torch")

REL = 1e-10
IN, H, OUT, T = 3, 4, 2, 8


def close(ours: np.ndarray, reference: np.ndarray, name: str) -> None:
    scale = np.abs(reference).max()
    assert scale > 0, f"{name}: a reference of zeros checks nothing"
    assert ours.shape == reference.shape, name
    assert np.abs(ours - reference).max() <= REL * scale, (name, np.abs(ours - reference).max() / scale)


def network(kind: str, bidirectional: bool) -> RecurrentNetwork:
    tensors = init_weights(cell_graph(kind), IN, H, bidirectional=bidirectional, seed=11)
    for value in tensors.values():
        value *= 2.5  # saturated gates are where mistakes hide
    return RecurrentNetwork.from_tensors(tensors, kind)


def torch_step(kind: str, W: dict, x, h_prev, c_prev) -> dict:
    """Every node of one step, by the graph's names (PyTorch's gate order)."""

    def block(name: str, slot: int):
        return W[name][slot * H : (slot + 1) * H]

    xh = torch.cat([h_prev, x])  # the concatenation node: [h_{t−1}, x_t]
    W_cat = torch.cat([W["weight_hh"], W["weight_ih"]], dim=1)  # reads [h, x]
    if kind == "lstm":

        def gate(slot: int):
            return xh @ block_cat(W_cat, slot).T + block("bias_ih", slot) + block("bias_hh", slot)

        i, f, g, o = torch.sigmoid(gate(0)), torch.sigmoid(gate(1)), torch.tanh(gate(2)), torch.sigmoid(gate(3))
        fc, ig = f * c_prev, i * g
        c = fc + ig
        tanh_c = torch.tanh(c)
        h = o * tanh_c
        return {"xh": xh, "i": i, "f": f, "g": g, "o": o, "fc": fc, "ig": ig, "c": c, "tanh_c": tanh_c, "h": h}
    r = torch.sigmoid(xh @ block_cat(W_cat, 0).T + block("bias_ih", 0) + block("bias_hh", 0))
    z = torch.sigmoid(xh @ block_cat(W_cat, 1).T + block("bias_ih", 1) + block("bias_hh", 1))
    hn = h_prev @ block("weight_hh", 2).T + block("bias_hh", 2)
    xn = x @ block("weight_ih", 2).T + block("bias_ih", 2)
    rhn = r * hn
    n_pre = xn + rhn
    n = torch.tanh(n_pre)
    z_inv = 1.0 - z
    zn, zh = z_inv * n, z * h_prev
    h = zh + zn
    return {"xh": xh, "r": r, "z": z, "hn": hn, "xn": xn, "rhn": rhn, "n_pre": n_pre, "n": n} | {
        "z_inv": z_inv,
        "zn": zn,
        "zh": zh,
        "h": h,
    }


def grad_of(tensor) -> np.ndarray:
    return tensor.grad.numpy() if tensor.grad is not None else np.zeros(tensor.shape)


def block_cat(W_cat, slot: int):
    return W_cat[slot * H : (slot + 1) * H]


def run_torch(kind: str, W: dict, xs: list, reverse: bool) -> list[dict]:
    """The layer over ``xs`` (time order), every node of every step retained, in the cell's order."""
    h = torch.zeros(H, dtype=torch.float64, requires_grad=True)  # leaves: step 0's h_{t−1} gets a gradient
    c = torch.zeros(H, dtype=torch.float64, requires_grad=True)
    steps = []
    for x in xs[::-1] if reverse else xs:
        h_prev, c_prev = h * 1.0, c * 1.0  # the step's own h_{t−1} and C_{t−1} nodes
        values = {"x": x, "h_prev": h_prev, "c_prev": c_prev} | torch_step(kind, W, x, h_prev, c_prev)
        for name, value in values.items():
            if name != "x":
                value.retain_grad()
        steps.append(values)
        h, c = values["h"], values.get("c", c)
    return steps


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("target_kind", ["loss", "gate"])
def test_every_node_gradient_equals_torch(kind, reverse, target_kind):
    net = network(kind, bidirectional=True)
    X = np.random.default_rng(12).normal(size=(T, IN))
    xs = [torch.tensor(X[t], requires_grad=True) for t in range(T)]
    per_direction = {}
    for direction in net.directions:
        end = "_l0" + ("_reverse" if direction else "")
        W = {name[: -len(end)]: torch.tensor(v) for name, v in net.tensors.items() if name.endswith(end)}
        per_direction[direction] = run_torch(kind, W, xs, direction)
    steps = per_direction[reverse]
    rng = np.random.default_rng(13)
    head = Readout(rng.normal(size=(OUT, 2 * H)), rng.normal(size=OUT), softmax=False)
    step = 5
    if target_kind == "loss":
        answer = rng.normal(size=OUT)
        outputs = {d: [s["h"] for s in (run[::-1] if d else run)] for d, run in per_direction.items()}  # time order
        top = torch.cat([outputs[False][step], outputs[True][step]])
        prediction = top @ torch.tensor(head.weight).T + torch.tensor(head.bias)
        value = ((prediction - torch.tensor(answer)) ** 2).sum()
        target = LossTarget(step, answer)
    else:
        gate = "f" if kind == "lstm" else "z"
        value = steps[step][gate][1]
        target = NodeTarget(gate, 1, step)
    value.backward()

    ours = gradients(net, X, target, layer=0, reverse=reverse, readout=head, nodes=True)

    assert ours.value == pytest.approx(value.item(), rel=1e-12)
    assert set(ours.nodes) == set(net.graph.names)
    for name in net.graph.names:
        if name == "x":  # the total derivative: both directions read x
            reference = np.stack([x.grad.numpy() if x.grad is not None else np.zeros(IN) for x in xs])
            close(ours.nodes["x"], reference[::-1] if reverse else reference, name)
            continue
        reference = np.stack([grad_of(s[name]) for s in steps])
        if not reference.any():
            assert not ours.nodes[name].any(), name
            continue
        close(ours.nodes[name], reference, name)
    for role, array in ours.states.items():  # the states asked for as nodes are the same arrays
        assert np.array_equal(ours.nodes[net.graph.hidden_output if role == "h" else "c"], array)


def test_nodes_are_recorded_only_when_asked_and_unknown_names_refused():
    net = network("lstm", bidirectional=False)
    X = np.random.default_rng(1).normal(size=(T, IN))
    plain = gradients(net, X, NodeTarget("h", 0, -1))
    assert plain.nodes == {}
    some = gradients(net, X, NodeTarget("h", 0, -1), nodes=("f", "xh"))
    assert set(some.nodes) == {"f", "xh"} and some.nodes["xh"].shape == (T, H + IN)
    with pytest.raises(ValueError, match="no nodes"):
        gradients(net, X, NodeTarget("h", 0, -1), nodes=("q",))


def test_a_seed_on_the_concatenation_is_its_own_gradient():
    """J = [h_{t−1}, x_t][u] at step 4: ∂J/∂xh at step 4 is the one-hot, and it flows on into h_3."""
    net = network("lstm", bidirectional=False)
    X = np.random.default_rng(2).normal(size=(T, IN))
    ours = gradients(net, X, NodeTarget("xh", 1, 4), nodes=("xh", "h_prev", "h"))
    one_hot = np.zeros(H + IN)
    one_hot[1] = 1.0
    assert np.array_equal(ours.nodes["xh"][4], one_hot)
    assert ours.nodes["h_prev"][4, 1] == 1.0 and ours.nodes["h"][3, 1] == 1.0


@pytest.mark.parametrize("kind", ["lstm", "gru", "peephole"])
def test_recording_a_window_of_steps_keeps_exactly_those_rows_and_the_peak_of_all(kind):
    """``node_steps=(a, b)``: the rows a..b−1 of the full recording, bit for bit, and node_peak
    the largest |∂J/∂node| over every step (what the diagram's colour scale tops at)."""
    net = network(kind, bidirectional=False)
    X = np.random.default_rng(2).normal(size=(T, IN))
    target = NodeTarget("h", 1, T - 1)
    full = gradients(net, X, target, nodes=True)
    part = gradients(net, X, target, nodes=True, node_steps=(2, 5))
    assert full.node_first == 0 and part.node_first == 2
    for name, array in full.nodes.items():
        assert np.array_equal(part.nodes[name], array[2:5]), name
    assert part.node_peak == full.node_peak == max(float(np.abs(a).max()) for a in full.nodes.values())
    early = gradients(net, X, target, nodes=True, node_steps=(0, 2))  # the peak lies in the steps not kept
    assert early.node_peak == full.node_peak > max(float(np.abs(a).max()) for a in early.nodes.values())
    assert np.array_equal(part.x, full.x) and all(np.array_equal(part.states[k], full.states[k]) for k in full.states)
    empty = gradients(net, X, target, nodes=True, node_steps=(9, 12))  # beyond the sequence: no rows
    assert all(array.shape[0] == 0 for array in empty.nodes.values())
