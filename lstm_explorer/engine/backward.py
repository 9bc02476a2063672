"""Backpropagation through time, derived from the cell graph.

The forward pass here is batched (B sequences at once) and keeps every node's value, so the
backward pass can walk the same graph in reverse: each node's gradient is complete once all the
nodes that read it have been visited, which reverse graph order guarantees. Nothing in this module
knows which variant it is differentiating: a new cell graph is trained with no new code.

Shapes: inputs ``X`` (B, T, in); node values (T, B, H); tensors in PyTorch layout.
The numbers equal :mod:`.evaluate` (tested); this path exists for training, not for tracing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .graph import CellGraph
from .interventions import Intervention, active_at, clamp_rows, clamped, for_layer, held_zero
from .ops import OPS
from .weights import hidden_size_of, suffix

Tensors = dict[str, np.ndarray]


def _block(tensors: Mapping[str, np.ndarray], family: str, slot: int, H: int) -> np.ndarray:
    return tensors[family][slot * H : (slot + 1) * H]


@dataclass
class LayerCache:
    """What one layer's forward pass keeps for its backward pass."""

    X: np.ndarray  # (B, T, in), as the layer read it (clamps on the input applied)
    values: dict[str, np.ndarray]  # node name → (T, B, H)
    hidden_output: str  # the graph's h_t node
    #: Held units: their upstream derivative is zero at the steps they cover.
    interventions: tuple[Intervention, ...] = ()

    @property
    def h(self) -> np.ndarray:
        """(B, T, H): the hidden states in the order the layer read the steps."""
        return self.values[self.hidden_output].transpose(1, 0, 2)


def layer_forward(
    graph: CellGraph, tensors: Mapping[str, np.ndarray], X: np.ndarray, interventions: Sequence[Intervention] = ()
) -> LayerCache:
    """Run one layer over a batch: every computed node's value at every step, (T, B, H), with this
    layer's ``interventions`` held (see :mod:`.interventions`)."""
    B, T, _ = X.shape
    H = hidden_size_of(graph, tensors)
    x_name = graph.step_input
    on_input = [item for item in interventions if item.node == x_name]
    if on_input:
        X = clamp_rows(X.transpose(1, 0, 2), on_input).transpose(1, 0, 2)  # rows are steps
    # Input projections and biases of every layer node for all steps at once: (T, B, H).
    projected: dict[str, np.ndarray] = {}
    for node in graph.layers:
        total = np.zeros((T, B, H))
        for term in node.terms:
            if term.source == x_name:
                total += np.einsum("bti,hi->tbh", X, _block(tensors, term.weight, node.slot, H))
        for bias in node.biases:
            total += _block(tensors, bias, node.slot, H)
        projected[node.name] = total
    computed = [n for n in graph.nodes if n.kind in ("layer", "pointwise")]
    values = {n.name: np.empty((T, B, H)) for n in computed}
    for prev, _ in graph.recurrent:
        values[prev] = np.empty((T, B, H))
    state = {prev: np.zeros((B, H)) for prev, _ in graph.recurrent}
    for t in range(T):
        clamps = active_at(interventions, t)
        v = {prev: clamped(prev, value, clamps) for prev, value in state.items()}  # what the cell reads
        for prev in state:
            values[prev][t] = v[prev]
        for node in computed:
            if node.kind == "layer":
                pre = projected[node.name][t].copy()
                for term in node.terms:
                    if term.source == x_name:
                        continue
                    if term.diagonal:
                        pre += tensors[term.weight] * v[term.source]
                    else:
                        pre += v[term.source] @ _block(tensors, term.weight, node.slot, H).T
                out = OPS[node.op].forward(pre)
            else:
                out = OPS[node.op].forward(*[v[name] for name in node.inputs])
            out = clamped(node.name, out, clamps)
            v[node.name] = out
            values[node.name][t] = out
        state = {prev: v[new] for prev, new in graph.recurrent}
    return LayerCache(X, values, graph.hidden_output, tuple(interventions))


def _accumulate(grads: dict[str, np.ndarray], name: str, value: np.ndarray) -> None:
    if name in grads:
        grads[name] = grads[name] + value
    else:
        grads[name] = value


def backward_step(
    graph: CellGraph,
    tensors: Mapping[str, np.ndarray],
    values: Mapping[str, np.ndarray],
    t: int | slice,
    d: dict[str, np.ndarray],
    *,
    clamps: Sequence[Intervention] = (),
    grads: Tensors | None = None,
    through_layers: bool = True,
) -> dict[str, np.ndarray]:
    """Walk one step of the graph backwards, completing ``d`` in place.

    ``values``: node name → (T, B, H) as :func:`layer_forward` keeps them; ``d``: node name →
    d J / d node at step ``t``, (B, H), holding what is known on entry (seeds, and the gradient
    carried into the new-state nodes from step t+1). Nodes are visited in reverse graph order, so a
    node's entry is final when it is visited (every node that reads it comes later in the graph):
    on return ``d`` holds the total derivative of every node reached, the state nodes (``h``,
    ``c``) and the previous-state inputs (``h_prev``, ``c_prev``, to carry into step t−1) included.
    ``clamps``: the interventions active at this step; a held unit passes nothing upstream.

    Terms that read the step input are not propagated: the returned d J / d pre-activation of every
    learned layer, (B, H), lets the caller do them for all steps at once. ``grads`` (if given)
    accumulates the gradients of the recurrent and diagonal tensors. ``through_layers=False``
    treats learned layers as constants and follows the pointwise paths only (the cell state's
    direct path); since pointwise ops are elementwise, ``t`` may then be a slice of steps.
    """
    x_name = graph.step_input
    dpre_by_layer: dict[str, np.ndarray] = {}
    for node in reversed(graph.nodes):
        g = d.get(node.name)
        if g is None or node.kind not in ("layer", "pointwise"):
            continue
        # A held unit does not depend on its inputs: nothing flows upstream through it.
        g = held_zero(node.name, g, clamps)
        if node.kind == "pointwise":
            operands = [values[s][t] for s in node.inputs]
            for source, grad in zip(node.inputs, OPS[node.op].backward(g, operands, values[node.name][t]), strict=True):
                _accumulate(d, source, grad)
            continue
        if not through_layers:
            continue
        (dpre,) = OPS[node.op].backward(g, (), values[node.name][t])  # activations: slope from the output
        dpre_by_layer[node.name] = dpre
        for term in node.terms:
            if term.source == x_name:
                continue  # the caller's, all steps at once
            src = values[term.source][t]
            if term.diagonal:
                if grads is not None:
                    grads[term.weight] += np.sum(dpre * src, axis=0)
                _accumulate(d, term.source, dpre * tensors[term.weight])
            else:
                H = dpre.shape[-1]
                W = _block(tensors, term.weight, node.slot, H)
                if grads is not None:
                    grads[term.weight][node.slot * H : (node.slot + 1) * H] += dpre.T @ src
                _accumulate(d, term.source, dpre @ W)
    return dpre_by_layer


def layer_backward(
    graph: CellGraph, tensors: Mapping[str, np.ndarray], cache: LayerCache, dH: np.ndarray
) -> tuple[Tensors, np.ndarray]:
    """Gradients of one layer's tensors and of its input, given dLoss/dh at every step.

    ``dH`` is (B, T, H) in the layer's own step order; returns (tensor gradients, dX (B, T, in)).
    """
    X = cache.X
    B, T, _ = X.shape
    H = hidden_size_of(graph, tensors)
    x_name = graph.step_input
    grads: Tensors = {name: np.zeros_like(value) for name, value in tensors.items()}
    layers = graph.layers
    dpre_all = {node.name: np.zeros((T, B, H)) for node in layers}
    carry: dict[str, np.ndarray] = {}  # d loss / d(new state) from the step after
    for t in range(T - 1, -1, -1):
        d: dict[str, np.ndarray] = {graph.hidden_output: dH[:, t].copy()}
        for _, new in graph.recurrent:
            if new in carry:
                _accumulate(d, new, carry[new])
        clamps = active_at(cache.interventions, t)
        for name, dpre in backward_step(graph, tensors, cache.values, t, d, clamps=clamps, grads=grads).items():
            dpre_all[name][t] = dpre
        carry = {new: held_zero(prev, d[prev], clamps) for prev, new in graph.recurrent if prev in d}
    dX = np.zeros_like(X)
    for node in layers:
        dpre = dpre_all[node.name]  # (T, B, H)
        rows = slice(node.slot * H, (node.slot + 1) * H)
        for term in node.terms:
            if term.source == x_name:
                grads[term.weight][rows] += np.einsum("tbh,bti->hi", dpre, X)
                dX += np.einsum("tbh,hi->bti", dpre, tensors[term.weight][rows])
        for bias in node.biases:
            grads[bias][rows] += dpre.sum(axis=(0, 1))
    zero_held_inputs(graph, cache.interventions, dX.transpose(1, 0, 2))
    return grads, dX


def zero_held_inputs(graph: CellGraph, interventions: Sequence[Intervention], dX: np.ndarray) -> None:
    """Zero d J / d x (rows = steps) where an intervention held the input: the layer read the held
    value, not its input."""
    for item in interventions:
        if item.node == graph.step_input:
            steps = item.local_steps(0, dX.shape[0])
            dX[steps.start : steps.stop, ..., item.index()] = 0.0


def layer_tensors(tensors: Mapping[str, np.ndarray], layer: int, reverse: bool) -> Tensors:
    """One layer's tensors, suffix ``_l{k}[_reverse]`` removed."""
    end = suffix(layer, reverse)
    return {name[: -len(end)]: value for name, value in tensors.items() if name.endswith(end)}


@dataclass
class NetworkCache:
    caches: dict[tuple[int, bool], LayerCache]
    output: np.ndarray  # (B, T, H·D): the top layer's hidden states in time order


def network_forward(
    graph: CellGraph,
    tensors: Mapping[str, np.ndarray],
    X: np.ndarray,
    num_layers: int,
    bidirectional: bool,
    interventions: Sequence[Intervention] = (),
) -> NetworkCache:
    """A stacked (and optionally bidirectional) network over a batch, as PyTorch computes it, with
    ``interventions`` held in their layers and directions."""
    directions = (False, True) if bidirectional else (False,)
    caches: dict[tuple[int, bool], LayerCache] = {}
    inputs = X
    for k in range(num_layers):
        outs = []
        for reverse in directions:
            seq = inputs[:, ::-1] if reverse else inputs
            cache = layer_forward(
                graph,
                layer_tensors(tensors, k, reverse),
                np.ascontiguousarray(seq),
                for_layer(interventions, k, reverse),
            )
            caches[(k, reverse)] = cache
            outs.append(cache.h[:, ::-1] if reverse else cache.h)
        inputs = np.concatenate(outs, axis=2)
    return NetworkCache(caches, inputs)


def network_backward(
    graph: CellGraph,
    tensors: Mapping[str, np.ndarray],
    cache: NetworkCache,
    d_output: np.ndarray,
    num_layers: int,
    bidirectional: bool,
) -> tuple[Tensors, np.ndarray]:
    """Gradients of every tensor (PyTorch names) and of the input, given dLoss/d(top output)."""
    directions = (False, True) if bidirectional else (False,)
    grads: Tensors = {}
    d_inputs = d_output
    for k in range(num_layers - 1, -1, -1):
        H = hidden_size_of(graph, layer_tensors(tensors, k, False))
        d_below: np.ndarray | None = None
        for j, reverse in enumerate(directions):
            dH = d_inputs[:, :, j * H : (j + 1) * H]
            if reverse:
                dH = dH[:, ::-1]
            layer_grads, dX = layer_backward(
                graph, layer_tensors(tensors, k, reverse), cache.caches[(k, reverse)], np.ascontiguousarray(dH)
            )
            for name, value in layer_grads.items():
                grads[name + suffix(k, reverse)] = value
            if reverse:
                dX = dX[:, ::-1]
            d_below = dX if d_below is None else d_below + dX
        assert d_below is not None
        d_inputs = d_below
    return grads, d_inputs
