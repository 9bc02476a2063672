"""The equations' numbers at the ends of float64: computed the engine's way, never NaN where the
trace is finite (x ≈ ±1e308 used to print σ(nan): W·x overflowed where the engine's ½W·x did not)."""

import numpy as np
import pytest

from lstm_explorer.engine import LayerWeights, cell_graph, evaluate
from lstm_explorer.views.equations import EquationBuilder


def lstm_weights(gate_row: list[float], candidate_row: list[float]) -> LayerWeights:
    """H = 1, two inputs; the gates (slots i, f, o) share one row, the candidate (g) another."""
    rows = [gate_row, gate_row, candidate_row, gate_row]
    tensors = {
        "weight_ih": np.array(rows),
        "weight_hh": np.zeros((4, 1)),
        "bias_ih": np.zeros(4),
        "bias_hh": np.zeros(4),
    }
    return LayerWeights.from_tensors(cell_graph("lstm"), tensors)


def plain(html: str) -> str:
    return html.replace("<sub>", "_").replace("</sub>", "").replace("<b>", "").replace("</b>", "")


def lines_at(weights: LayerWeights, x: list[float]) -> dict[str, str]:
    with np.errstate(all="raise"):
        trace = evaluate(weights, np.array([x]))
    assert all(np.isfinite(a).all() for a in trace.values())
    return {eq.node: plain(eq.html) for eq in EquationBuilder(trace.graph, weights).equations(trace, 0, 0)}


def test_opposite_huge_inputs_cancel_as_in_the_engine() -> None:
    # W·x = 2e308 − 2e308 overflows to inf − inf = NaN; ½W·x = 1e308 − 1e308 = 0, as the engine computes.
    lines = lines_at(lstm_weights([2.0, 2.0], [1.0, 1.0]), [1e308, -1e308])
    assert not any("nan" in line for line in lines.values()), lines
    for gate in ("f", "i", "o"):
        assert lines[gate].endswith("= σ(0.000) = 0.500"), lines[gate]
    assert lines["g"].endswith("= tanh(0.000) = 0.000")


@pytest.mark.parametrize(("sign", "gate_value"), [(1.0, "1.000"), (-1.0, "0.000")])
def test_a_pre_activation_beyond_float64_is_written_exactly(sign: float, gate_value: str) -> None:
    # v = 1e308 + 1e308 is beyond float64 (inf); the engine's ½v = 1e308 is not, and v is 2·½v.
    lines = lines_at(lstm_weights([1.0, 1.0], [0.5, 0.5]), [sign * 1e308, sign * 1e308])
    minus = "" if sign > 0 else "−"
    assert lines["f"].endswith(f"= σ({minus}2.000e+308) = {gate_value}"), lines["f"]
    assert lines["g"].endswith(f"= tanh({minus}1.000e+308) = {minus}1.000"), lines["g"]


def test_ordinary_numbers_keep_three_decimals() -> None:
    lines = lines_at(lstm_weights([0.5, -0.25], [1.0, 0.0]), [1.0, 2.0])
    assert lines["f"].endswith("= σ(0.000) = 0.500")
    assert lines["g"].endswith("= tanh(1.000) = 0.762")
    assert lines["c"] == "C_t[0] = f_t ⊙ C_t−1 + i_t ⊙ C̃_t = 0.500 × 0.000 + 0.500 × 0.762 = 0.381"


def test_min_gru_equations_name_its_one_linear_layer_as_declared() -> None:
    graph = cell_graph("mingru")
    tensors = {"weight_ih": np.array([[0.5, -1.0], [1.5, 0.25]]), "bias_ih": np.array([0.1, 0.3])}
    weights = LayerWeights.from_tensors(graph, tensors)  # H = 1: rows z, h̃
    trace = evaluate(weights, np.array([[2.0, -1.0]]), {"h_prev": np.array([0.6])})
    lines = {eq.node: plain(eq.html) for eq in EquationBuilder(graph, weights).equations(trace, 0, 0)}
    assert lines["z"] == "z_t[0] = σ(W_z[0]·x_t + b_z[0]) = σ(2.100) = 0.891"
    assert lines["h_tilde"] == "h̃_t[0] = W_h[0]·x_t + b_h[0] = 3.050"
    z = 1 / (1 + np.exp(-2.1))
    assert lines["h"] == (
        f"h_t[0] = (1 − z_t) ⊙ h_t−1 + z_t ⊙ h̃_t = (1 − {z:.3f}) × 0.600 + {z:.3f} × 3.050 = "
        f"{(1 - z) * 0.6 + z * 3.05:.3f}"
    )
