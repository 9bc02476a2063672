"""The op table: each op's in-place form and derivative agree with its forward pass, and the
graphs' declared roles and derived value ranges are what the readers rely on."""

from dataclasses import replace

import numpy as np
import pytest

from lstm_explorer.engine import CELL_KINDS, cell_graph
from lstm_explorer.engine.graph import CellGraph
from lstm_explorer.engine.ops import OPS, op

rng = np.random.default_rng(7)


def operands(name: str) -> list[np.ndarray]:
    # Away from relu's kink at 0, where no derivative exists.
    return [rng.uniform(0.1, 2.0, 6) * rng.choice([-1.0, 1.0], 6) for _ in range(OPS[name].arity)]


@pytest.mark.parametrize("name", list(OPS))
def test_in_place_form_equals_the_forward_pass(name: str) -> None:
    operation = OPS[name]
    args = operands(name)
    out = np.empty(6)
    for fn, call_args in operation.in_place(out, [operation.fold * a for a in args]):
        fn(*call_args)
    np.testing.assert_allclose(out, operation.forward(*args), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", list(OPS))
def test_backward_equals_central_differences(name: str) -> None:
    operation = OPS[name]
    args = operands(name)
    out = operation.forward(*args)
    grad = rng.normal(size=6)
    analytic = operation.backward(grad, args, out)
    assert len(analytic) == operation.arity
    eps = 1e-6
    for k in range(operation.arity):
        up = [a + eps if j == k else a for j, a in enumerate(args)]
        down = [a - eps if j == k else a for j, a in enumerate(args)]
        numeric = grad * (operation.forward(*up) - operation.forward(*down)) / (2 * eps)
        np.testing.assert_allclose(analytic[k], numeric, rtol=1e-7, atol=1e-9)


def test_sigmoid_in_place_is_finite_at_the_float64_limits() -> None:
    out = np.empty(4)
    with np.errstate(all="raise"):
        for fn, args in OPS["sigmoid"].in_place(out, [0.5 * np.array([-1e308, -1.7e308, 1.7e308, 1e308])]):
            fn(*args)
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]


def test_unknown_op_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown op 'softplus'.*sigmoid"):
        op("softplus")


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_every_cell_declares_its_input_and_hidden_output(kind: str) -> None:
    graph = cell_graph(kind)
    assert graph[graph.step_input].kind == "input"
    assert graph.hidden_output in graph.state_names
    assert set(graph.gates) <= {n.name for n in graph.nodes if graph.value_range(n.name) == "gate"}
    if graph.cell_state is not None:
        assert graph.cell_state in graph.state_names


def test_lstm_roles_and_ranges() -> None:
    lstm = cell_graph("lstm")
    assert (lstm.step_input, lstm.hidden_output, lstm.cell_state) == ("x", "h", "c")
    assert lstm.gates == ("f", "i", "o") and lstm.candidates == ("g",)
    ranges = {n.name: lstm.value_range(n.name) for n in lstm.nodes}
    assert ranges == {
        "x": "unbounded",
        "h_prev": "signed",  # repeats h = o ⊙ tanh(c): a gate times a signed value
        "c_prev": "unbounded",
        "xh": "unbounded",
        "f": "gate",
        "i": "gate",
        "g": "signed",
        "fc": "unbounded",
        "ig": "signed",
        "c": "unbounded",
        "o": "gate",
        "tanh_c": "signed",
        "h": "signed",
    }
    assert cell_graph("coupled").value_range("i") == "gate"  # 1 − a gate
    assert cell_graph("rnn").cell_state is None


def test_a_graph_without_a_declared_hidden_output_is_refused() -> None:
    lstm = cell_graph("lstm")
    nodes = tuple(replace(n, role="", value_range=None) if n.name == "h" else n for n in lstm.nodes)
    with pytest.raises(ValueError, match="role 'hidden'"):
        CellGraph("broken", "broken", nodes, lstm.phases, lstm.slots, lstm.recurrent)


def test_a_layer_cannot_apply_a_binary_op() -> None:
    lstm = cell_graph("lstm")
    nodes = tuple(replace(n, op="mul") if n.name == "f" else n for n in lstm.nodes)
    with pytest.raises(ValueError, match="layer 'f' applies 'mul'"):
        CellGraph("broken", "broken", nodes, lstm.phases, lstm.slots, lstm.recurrent)
