"""Gradients through time equal torch autograd (float64) to 1e-10 relative.

The references are independent of the engine's graphs: torch's own nn.LSTM/GRU/RNN modules for
the input gradient of whole stacked bidirectional networks, torch's LSTMCell/GRUCell/RNNCell for
every step's total ∂/∂h_k and ∂/∂c_k (``retain_grad`` on each state, which feeds both the next
step and the layer above), and a step loop written from the published equations for the variants
torch lacks and for targets on gates.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.engine.gradients import Readout, gradients
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.targets import LossTarget, NodeTarget, OutputTarget
from lstm_explorer.engine.weights import init_weights

torch = pytest.importorskip("torch")

REL = 1e-10
IN, H, OUT, T = 3, 4, 5, 9


def close(ours: np.ndarray, reference: np.ndarray) -> None:
    scale = np.abs(reference).max()
    assert scale > 0, "a reference of zeros checks nothing"
    assert np.abs(ours - reference).max() <= REL * scale, np.abs(ours - reference).max() / scale


def network(kind: str, layers: int = 1, bidirectional: bool = False, seed: int = 0) -> RecurrentNetwork:
    tensors = init_weights(cell_graph(kind), IN, H, num_layers=layers, bidirectional=bidirectional, seed=seed)
    for value in tensors.values():
        value *= 3.0  # beyond the default init: saturated gates are where mistakes hide
    return RecurrentNetwork.from_tensors(tensors, kind)


def readout(features: int, softmax: bool, seed: int = 1) -> Readout:
    rng = np.random.default_rng(seed)
    return Readout(rng.normal(size=(OUT, features)), rng.normal(size=OUT), softmax)


def inputs(seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(T, IN))


# --- whole torch modules: the input gradient of stacked, bidirectional networks -----------------

MODULES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize(
    "target", [OutputTarget(2, 4), OutputTarget(1, -1, logit=True), LossTarget(3, answer=4)], ids=str
)
def test_input_gradient_equals_a_torch_module(kind, target):
    net = network(kind, layers=2, bidirectional=True)
    head = readout(2 * H, softmax=True)
    X = inputs()
    module = getattr(torch.nn, MODULES[kind])(IN, H, num_layers=2, bidirectional=True, batch_first=True).double()
    module.load_state_dict({k: torch.tensor(v) for k, v in net.tensors.items()})
    x = torch.tensor(X[None], requires_grad=True)
    logits = module(x)[0][0] @ torch.tensor(head.weight).T + torch.tensor(head.bias)  # (T, OUT)
    step = target.step % T
    if isinstance(target, LossTarget):
        value = torch.nn.functional.cross_entropy(logits[step : step + 1], torch.tensor([target.answer]))
    elif target.logit:
        value = logits[step, target.index]
    else:
        value = torch.softmax(logits[step], 0)[target.index]
    value.backward()
    reference = x.grad[0].numpy()
    for reverse in (False, True):  # the same total derivative, rows in each direction's own order
        ours = gradients(net, X, target, layer=0, reverse=reverse, readout=head)
        assert ours.value == pytest.approx(value.item(), rel=1e-12)
        close(ours.x[::-1] if reverse else ours.x, reference)


# --- torch cells, step by step: every state's total derivative ----------------------------------


def torch_layer(kind: str, tensors: dict, suffix: str, xs: list, reverse: bool) -> tuple[list, list, list]:
    """Run one layer with torch's cell over ``xs`` (a list of (1, in) tensors in time order).
    Returns (h in the cell's order, c in the cell's order (or []), outputs in time order)."""
    cell_type = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell, "rnn": torch.nn.RNNCell}[kind]
    width = tensors["weight_ih" + suffix].shape[1]
    cell = cell_type(width, H).double()
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    cell.load_state_dict({name: torch.tensor(tensors[name + suffix]) for name in names})
    order = xs[::-1] if reverse else xs
    h = torch.zeros(1, H, dtype=torch.float64)
    c = torch.zeros(1, H, dtype=torch.float64)
    hs, cs = [], []
    for x in order:
        if kind == "lstm":
            h, c = cell(x, (h, c))
            c.retain_grad()
            cs.append(c)
        else:
            h = cell(x, h)
        h.retain_grad()
        hs.append(h)
    return hs, cs, hs[::-1] if reverse else hs


def grads_of(tensors: list) -> np.ndarray:
    """Each tensor's gradient, zeros where nothing reached it; stacked in list order."""
    return np.concatenate([np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in tensors])


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one direction", "bidirectional"])
def test_every_state_gradient_equals_torch_cells(kind, bidirectional):
    """Two stacked layers under a readout; every layer and direction; ∂loss@T against torch."""
    net = network(kind, layers=2, bidirectional=bidirectional, seed=3)
    head = readout(H * len(net.directions), softmax=False)
    X = inputs(4)
    step, answer = 6, np.random.default_rng(5).normal(size=OUT)
    xs = [torch.tensor(X[t : t + 1], requires_grad=True) for t in range(T)]
    layer_inputs, states = [xs], {}
    for k in range(2):
        outputs = []
        for reverse in net.directions:
            end = f"_l{k}" + ("_reverse" if reverse else "")
            hs, cs, out = torch_layer(kind, net.tensors, end, layer_inputs[-1], reverse)
            states[(k, reverse)] = (hs, cs)
            outputs.append(out)
        below = [torch.cat(parts, dim=1) for parts in zip(*outputs, strict=True)]
        for tensor in below:
            tensor.retain_grad()
        layer_inputs.append(below)
    prediction = layer_inputs[-1][step] @ torch.tensor(head.weight).T + torch.tensor(head.bias)
    loss = ((prediction - torch.tensor(answer)) ** 2).sum()
    loss.backward()
    for (k, reverse), (hs, cs) in states.items():
        ours = gradients(net, X, LossTarget(step, answer), layer=k, reverse=reverse, readout=head)
        assert ours.value == pytest.approx(loss.item(), rel=1e-12)
        x_ref = grads_of(layer_inputs[k])
        close(ours.x, x_ref[::-1] if reverse else x_ref)
        close(ours.states["h"], grads_of(hs))
        if kind == "lstm":
            close(ours.states["c"], grads_of(cs))
        later = (T - 1 - step) if reverse else step  # rows after the cell met the target's step
        if not bidirectional:
            assert not ours.states["h"][later + 1 :].any() and not ours.x[later + 1 :].any()


# --- a loop written from the equations: the variants torch lacks, and targets on any node --------


def equations_step(kind: str, W: dict, x, state: dict) -> dict:
    """One step from the published equations (PyTorch's gate order); every node by name."""

    def rows(name, k, n):
        return W[name][k * H : (k + 1) * H] if n > 1 else W[name]

    def affine(k, n, x, h):
        from_x = x @ rows("weight_ih", k, n).T + rows("bias_ih", k, n)
        return from_x + h @ rows("weight_hh", k, n).T + rows("bias_hh", k, n)

    h, c = state["h"], state.get("c")
    if kind in ("lstm", "peephole"):
        pi, pf, pg, po = (affine(k, 4, x, h) for k in range(4))
        if kind == "peephole":
            pi, pf = pi + W["weight_ci"] * c, pf + W["weight_cf"] * c
        i, f, g = torch.sigmoid(pi), torch.sigmoid(pf), torch.tanh(pg)
        c_new = f * c + i * g
        o = torch.sigmoid(po + (W["weight_co"] * c_new if kind == "peephole" else 0.0))
        return {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": o * torch.tanh(c_new)}
    if kind == "coupled":
        f, g, o = torch.sigmoid(affine(0, 3, x, h)), torch.tanh(affine(1, 3, x, h)), torch.sigmoid(affine(2, 3, x, h))
        c_new = f * c + (1.0 - f) * g
        return {"f": f, "i": 1.0 - f, "g": g, "o": o, "c": c_new, "h": o * torch.tanh(c_new)}
    if kind in ("gru", "gru-classic"):
        r, z = torch.sigmoid(affine(0, 3, x, h)), torch.sigmoid(affine(1, 3, x, h))
        w_in, b_in = rows("weight_ih", 2, 3), rows("bias_ih", 2, 3)
        w_hn, b_hn = rows("weight_hh", 2, 3), rows("bias_hh", 2, 3)
        if kind == "gru":
            n = torch.tanh(x @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
        else:
            n = torch.tanh(x @ w_in.T + b_in + (r * h) @ w_hn.T + b_hn)
        return {"r": r, "z": z, "n": n, "h": (1.0 - z) * n + z * h}
    pre = affine(0, 1, x, h)
    return {"h": torch.tanh(pre) if kind == "rnn" else torch.relu(pre)}


@pytest.mark.parametrize(
    "kind, node",
    [
        ("peephole", "c"),
        ("peephole", "i"),
        ("coupled", "c"),
        ("coupled", "o"),
        ("gru-classic", "h"),
        ("gru-classic", "r"),
        ("lstm", "f"),
        ("gru", "n"),
        ("rnn-relu", "h"),
    ],
)
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_node_targets_equal_a_loop_of_the_equations(kind, node, reverse):
    net = network(kind, bidirectional=True, seed=6)
    X = inputs(7)
    end = "_l0" + ("_reverse" if reverse else "")
    W = {name[: -len(end)]: torch.tensor(v) for name, v in net.tensors.items() if name.endswith(end)}
    xs = [torch.tensor(X[t], requires_grad=True) for t in range(T)]
    order = xs[::-1] if reverse else xs
    state = {"h": torch.zeros(H, dtype=torch.float64), "c": torch.zeros(H, dtype=torch.float64)}
    steps = []
    for x in order:
        values = equations_step(kind, W, x, state)
        for value in values.values():
            value.retain_grad()
        steps.append(values)
        state = {"h": values["h"], "c": values.get("c")}
    step = 6
    unit = int(torch.argmax(steps[step][node].abs()))  # a live unit (a relu may be dead)
    steps[step][node][unit].backward()
    ours = gradients(net, X, NodeTarget(node, unit, step), layer=0, reverse=reverse)
    assert ours.value == pytest.approx(steps[step][node][unit].item(), rel=1e-12)
    x_ref = np.stack([x.grad.numpy() if x.grad is not None else np.zeros(IN) for x in order])
    close(ours.x, x_ref)
    for name in ours.states:
        reference = np.stack([s[name].grad.numpy() if s[name].grad is not None else np.zeros(H) for s in steps])
        if reference.any():
            close(ours.states[name], reference)
        else:
            assert not ours.states[name].any()
    assert not ours.x[step + 1 :].any()
