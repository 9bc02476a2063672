"""The reference evaluator: a cell graph walked node by node with plain NumPy, one dict per step.

Short enough to check by eye; the fast path (:mod:`.evaluate`) is tested equal to it. Interventions
are applied right after each node is computed (see :mod:`.interventions`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .graph import CellGraph, Node
from .interventions import Intervention, active_at, check_interventions, clamped
from .ops import op
from .trace import Trace
from .weights import LayerWeights


def activate(name: str, v: np.ndarray) -> np.ndarray:
    """A learned layer's activation applied to its pre-activation (reference form)."""
    return op(name).forward(v)


def pointwise(name: str, args: list[np.ndarray]) -> np.ndarray:
    """A pointwise node's value from its operands (reference form)."""
    return op(name).forward(*args)


def initial_state(
    graph: CellGraph, hidden_size: int, state: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Zeros for every recurrent input, overridden by ``state`` (keyed ``h_prev``, ``c_prev``)."""
    result = {prev: np.zeros(hidden_size) for prev, _ in graph.recurrent}
    for name, value in (state or {}).items():
        if name not in result:
            raise ValueError(f"{graph.kind} has no recurrent input {name!r}")
        value = np.asarray(value, dtype=np.float64)
        if value.shape != (hidden_size,):
            raise ValueError(f"initial {name} has shape {value.shape}, expected ({hidden_size},)")
        result[name] = value.copy()
    return result


def check_inputs(weights: LayerWeights, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != weights.input_size:
        raise ValueError(f"input has shape {X.shape}, expected (T, {weights.input_size})")
    return X


def _layer_preactivation(node: Node, weights: LayerWeights, values: Mapping[str, np.ndarray]) -> np.ndarray:
    total = np.zeros(weights.hidden_size)
    for term in node.terms:
        if term.diagonal:
            total = total + weights.tensors[term.weight] * values[term.source]
        else:
            total = total + weights.block(term.weight, node.slot) @ values[term.source]
    for bias in node.biases:
        total = total + weights.block(bias, node.slot)
    return total


def folded_preactivation(node: Node, weights: LayerWeights, values: Mapping[str, np.ndarray], unit: int) -> float:
    """One unit's pre-activation as the fast path computes it: every weight and bias times the op's
    fold first (½ for σ), so it is finite whenever the trace is. The pre-activation is this / fold.

    (Unfolded, W·x can overflow where ½W·x does not: at x ≈ ±1e308, inf − inf would give NaN.)
    """
    fold = op(node.op).fold
    total = 0.0
    for term in node.terms:
        if term.diagonal:
            total += float(fold * weights.tensors[term.weight][unit] * values[term.source][unit])
        else:
            total += float((fold * weights.block(term.weight, node.slot)[unit]) @ values[term.source])
    for bias in node.biases:
        total += float(fold * weights.block(bias, node.slot)[unit])
    return total


def step_reference(
    weights: LayerWeights,
    x: np.ndarray,
    state: Mapping[str, np.ndarray],
    clamps: Sequence[Intervention] = (),
) -> dict[str, np.ndarray]:
    """One time step, node by node: every node's value as a dict. ``clamps`` are the interventions
    active at this step: each replaces its units right after its node is computed."""
    x_name = weights.graph.step_input
    values = {name: clamped(name, value, clamps) for name, value in {x_name: x, **state}.items()}
    for node in weights.graph.nodes:
        if node.kind == "input":
            continue
        if node.kind == "concat":
            values[node.name] = np.concatenate([values[s] for s in node.inputs])
        elif node.kind == "layer":
            value = activate(node.op, _layer_preactivation(node, weights, values))
            values[node.name] = clamped(node.name, value, clamps)
        else:
            values[node.name] = clamped(node.name, pointwise(node.op, [values[s] for s in node.inputs]), clamps)
    return values


def evaluate_reference(
    weights: LayerWeights,
    X: np.ndarray,
    state: Mapping[str, np.ndarray] | None = None,
    *,
    interventions: Sequence[Intervention] = (),
    offset: int = 0,
) -> Trace:
    """Node by node over a sequence; ``interventions`` (this layer's) count steps from ``offset``."""
    graph = weights.graph
    X = check_inputs(weights, X)
    check_interventions(interventions, graph, weights.input_size, weights.hidden_size, None)
    current = initial_state(graph, weights.hidden_size, state)
    steps = []
    for t, x in enumerate(X):
        values = step_reference(weights, x, current, active_at(interventions, offset + t))
        steps.append(values)
        current = {prev: values[new] for prev, new in graph.recurrent}
    arrays = {
        name: (
            np.array([s[name] for s in steps])
            if steps
            else np.zeros((0, graph.width(name, weights.input_size, weights.hidden_size)))
        )
        for name in graph.names
    }
    return Trace(graph, arrays)
