"""Exact gradients through time of one number (a :mod:`target <.targets>`) with respect to every
step of one layer and direction, by the backward pass the trainer uses (:func:`.backward.backward_step`).

What the arrays mean (J is the target; rows k are the steps in the order the cell read them, so
a reverse direction's row 0 is the last input, as in its trace):

* ``x[k]`` = ∂J/∂x_k, x_k the vector the layer read at step k (the input, or the layer below's
  outputs). A total derivative: in a bidirectional layer the same vector also feeds the other
  direction, and that path is included (so it equals autograd's gradient of the layer's input).
* ``h[k]`` = ∂J/∂h_k, the total derivative with respect to the hidden state h_k as it flows
  onward: into step k+1 (as its h_prev) and to the layers above and the readout (as the output at
  step k). Everything computed from h_k is a function of h_k; nothing else is held fixed.
* ``c[k]`` (LSTM family) = ∂J/∂c_k, likewise total: through h_k = o_k ⊙ tanh(c_k) (and, for the
  peephole cell, o_k's peephole) and through c_{k+1} (the forget path and the next step's
  peepholes and gates, via h_{k+1}).

* ``nodes[name][k]`` (only when asked for, ``nodes=``) = ∂J/∂(node ``name`` at step k) for any node
  of the cell graph (gates, candidate, f ⊙ C, the concatenation, h_{t−1} as step k reads it …),
  the total derivative of J with respect to that node's value, everything computed from it
  following. They are the entries :func:`.backward.backward_step` completes on its way through
  each step, kept instead of dropped (no second derivation). Two nodes the walk does not visit
  are assembled from what it kept: a concatenation's gradient is what the learned layers that
  read it pass back through their terms (its parts, side by side), and the input node's is ``x``
  above. Memory: each recorded node holds steps × width float64 (an LSTM's 13 nodes at H = 128
  over 1 000 steps: 13 MB; over 10 000 steps at H = 512: 0.5 GB), so ask for the nodes you show,
  and with ``node_steps=(a, b)`` for the steps you show: rows a..b−1 only (``node_first`` = a).
  ``node_peak`` is the largest |∂J/∂node| over every step walked, recorded or not.

For a target on a node of this layer at step T, rows after T are zero. Readout targets are at a
time step; a reverse direction meets time step T at its row steps−1−T, and a bidirectional stack
lets every step reach every output, so there "after T" has no meaning.

Shapes: X (T, in); arrays (T, width); one sequence (no batch).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .backward import backward_step, zero_held_inputs
from .gradient_paths import direct_path, direct_path_factors, largest_singular_value
from .graph import CellGraph, Node
from .interventions import Intervention, active_at, for_layer, held_zero
from .network import RecurrentNetwork
from .targets import LossTarget, NodeTarget, OutputTarget, Target, TargetError, resolve_step
from .trace import Trace
from .train import softmax

Traces = Mapping[tuple[int, bool], Trace]
#: Rows of node gradients outside the recorded window reduced at once for ``node_peak``.
PEAK_BLOCK = 128
__all__ = ["Gradients", "Readout", "direct_path", "direct_path_factors", "gradients", "largest_singular_value"]


@dataclass(frozen=True)
class Readout:
    """The linear layer after the top layer: logits = W·h + b, (out, F) and (out,); text models
    read it through a softmax."""

    weight: np.ndarray
    bias: np.ndarray
    softmax: bool


@dataclass(frozen=True)
class Gradients:
    """∂target/∂(x, h, c) at every step of one layer and direction (see the module docstring)."""

    target: Target
    value: float
    layer: int
    reverse: bool
    x: np.ndarray  # (T, in)
    #: "h" (the hidden output), and "c" (the cell state) for the LSTM family: (T, H) each.
    states: dict[str, np.ndarray] = field(default_factory=dict)
    #: Node name → ∂target/∂node at every step, (T, width), for the nodes asked for (``nodes=``);
    #: with ``node_steps`` only those steps: row k is step ``node_first`` + k.
    nodes: dict[str, np.ndarray] = field(default_factory=dict)
    node_first: int = 0
    #: max |∂target/∂node| over the nodes asked for, at every step (also those not recorded).
    node_peak: float = 0.0

    @property
    def steps(self) -> int:
        return int(self.x.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        """``grad_x``, ``grad_h`` and (LSTM family) ``grad_c``: what the CLI writes."""
        return {"grad_x": self.x, **{f"grad_{name}": array for name, array in self.states.items()}}

    def norms(self) -> dict[str, np.ndarray]:
        """‖∂target/∂x_k‖, ‖∂target/∂h_k‖ (and ‖∂target/∂c_k‖), Euclidean, each (T,)."""
        return {name: np.linalg.norm(array, axis=1) for name, array in (("x", self.x), *self.states.items())}


def gradients(
    network: RecurrentNetwork,
    X: np.ndarray,
    target: Target,
    *,
    layer: int = 0,
    reverse: bool = False,
    readout: Readout | None = None,
    traces: Traces | None = None,
    interventions: Sequence[Intervention] = (),
    nodes: bool | Collection[str] = False,
    node_steps: tuple[int, int] | None = None,
) -> Gradients:
    """∂target/∂(x_k, h_k, c_k) for every step k of layer ``layer`` in direction ``reverse``.

    ``X`` (T, in) is what the first layer reads; ``traces`` (from ``network.run(X,
    interventions=…)`` with the same ``interventions``) saves the forward pass when the caller has
    it. With ``interventions``, the network is the one they make: a held unit passes no gradient
    upstream (see :mod:`.interventions`). A :class:`LossTarget` needs its ``answer`` resolved.
    ``nodes``: also record ∂target/∂node at every step for these nodes of the cell graph (True:
    every node), in :attr:`Gradients.nodes`; see the module docstring for what it costs;
    ``node_steps`` (a, b): record them at steps a..b−1 only (clamped to the sequence).
    Raises :class:`TargetError` (one line) for a target the network does not have.
    """
    network.layer(layer, reverse)  # validates the choice
    graph = network.graph
    wanted = tuple(graph.names) if nodes is True else tuple(nodes or ())
    unknown = [name for name in wanted if name not in graph]
    if unknown:
        raise ValueError(f"the {graph.kind} cell has no nodes {unknown}; nodes: {', '.join(graph.names)}")
    steps = int(np.shape(X)[0])
    if steps == 0:
        raise TargetError("the sequence is empty")
    lo, hi = node_steps or (0, steps)
    window = (min(max(lo, 0), steps), min(max(hi, lo, 0), steps))
    if isinstance(target, NodeTarget):
        where = (
            layer if target.layer is None else target.layer,
            reverse if target.reverse is None else target.reverse,
        )
        if not layer <= where[0] < network.num_layers or (where[1] and not network.bidirectional):
            name = f"layer {where[0]}" + (" reverse" if where[1] else "")
            raise TargetError(f"{target}: the network has no {name} at or above layer {layer}")
        top = where[0]
    elif readout is None:
        raise TargetError(f"{target}: the model has no readout layer; use a node target such as h[0]@-1")
    else:
        top = network.num_layers - 1
    if traces is None or any((k, r) not in traces for k in range(top + 1) for r in network.directions):
        traces = network.run(np.asarray(X, dtype=np.float64), upto=top, interventions=interventions)

    # Where the gradient starts: a one-hot seed on a node of one layer, or d J / d (top outputs).
    seed: tuple[tuple[int, bool], int, dict[str, np.ndarray]] | None = None
    d_out: np.ndarray | None = None  # d J / d (layer k's outputs), time order, (T, H·D)
    if isinstance(target, NodeTarget):
        trace = traces[where]
        step, one_hot = _node_seed(trace, target)
        value = float(trace[target.node][step, target.unit])
        seed = (where, step, {target.node: one_hot})
    else:
        assert readout is not None
        step = resolve_step(target.step, steps, str(target))
        h_top = network.outputs(traces, top)
        value, d_h = _readout_seed(readout, h_top[step], target)
        d_out = np.zeros_like(h_top)
        d_out[step] = d_h

    # Down through the layers: layer k's input gradient (both directions summed) is d J / d
    # (layer k−1's outputs). The chosen layer and direction records its states on the way.
    H = network.hidden_size
    states: dict[str, np.ndarray] = {}
    recorded: dict[str, np.ndarray] = {}
    peak: float = 0.0
    for k in range(top, layer - 1, -1):
        d_in = np.zeros((steps, traces[(k, False)].input_size))
        for j, direction in enumerate(network.directions):
            dH = None if d_out is None else d_out[:, j * H : (j + 1) * H]
            if dH is not None and direction:
                dH = dH[::-1]
            layer_seed = seed[1:] if seed is not None and seed[0] == (k, direction) else None
            if layer_seed is None and (dH is None or not dH.any()):
                continue
            tensors, held = network.layer(k, direction).tensors, for_layer(interventions, k, direction)
            shown = (k, direction) == (layer, reverse)
            record = wanted if shown else ()
            dX, walked, kept, walk_peak = _walk(tensors, traces[(k, direction)], dH, layer_seed, held, record, window)
            d_in += dX[::-1] if direction else dX
            if shown:
                states, recorded, peak = walked, kept, walk_peak
        d_out = d_in
    assert d_out is not None
    x = d_out[::-1] if reverse else d_out
    by_role = {role: states.get(name, np.zeros((steps, H))) for role, name in state_roles(graph).items()}
    widths = {name: traces[(layer, reverse)][name].shape[1] for name in wanted}
    # The input's gradient is the total one (x), also read by the other direction; a layer the
    # target never reached (a node target on the other direction) recorded nothing: zeros.
    lo, hi = window
    by_node = {
        name: x[lo:hi] if name == graph.step_input else recorded.get(name, np.zeros((hi - lo, widths[name])))
        for name in wanted
    }
    if graph.step_input in wanted:
        peak = max(peak, float(np.abs(x).max()))
    return Gradients(target, value, layer, reverse, x, by_role, by_node, lo, peak)


def state_roles(graph: CellGraph) -> dict[str, str]:
    """``{"h": the hidden output node, "c": the cell-state node (LSTM family)}``, from the graph's roles."""
    roles = {"h": graph.hidden_output}
    if graph.cell_state is not None:
        roles["c"] = graph.cell_state
    return roles


def _node_seed(trace: Trace, target: NodeTarget) -> tuple[int, np.ndarray]:
    """(step index, one-hot (width,) on the unit) after checking the node, unit and step."""
    graph = trace.graph
    if target.node not in graph:
        raise TargetError(
            f"{target}: the {graph.kind} cell has no node {target.node!r}; nodes: {', '.join(graph.names)}, "
            "or out[K], logit[K], loss"
        )
    width = trace[target.node].shape[1]
    if target.unit >= width:
        raise TargetError(f"{target}: node {target.node} has {width} units (0..{width - 1})")
    step = resolve_step(target.step, trace.steps, str(target))
    one_hot = np.zeros(width)
    one_hot[target.unit] = 1.0
    return step, one_hot


def _readout_seed(readout: Readout, h: np.ndarray, target: Target) -> tuple[float, np.ndarray]:
    """(target value, d target / d h_top) at one step; h (F,) the top layer's output there."""
    W = readout.weight  # (out, F)
    logits = W @ h + readout.bias
    out = W.shape[0]
    if isinstance(target, OutputTarget):
        if target.index >= out:
            raise TargetError(f"{target}: the readout has {out} outputs (0..{out - 1})")
        if target.logit or not readout.softmax:
            return float(logits[target.index]), W[target.index].copy()
        p = softmax(logits)
        d_logits = -p[target.index] * p  # d p_K / d logit_j = p_K (δ_jK − p_j)
        d_logits[target.index] += p[target.index]
        return float(p[target.index]), d_logits @ W
    assert isinstance(target, LossTarget)
    if target.answer is None:
        raise TargetError(f"{target}: no answer to score the readout against")
    if readout.softmax:
        answer = int(target.answer)
        if not 0 <= answer < out:
            raise TargetError(f"{target}: answer {answer} is not one of the readout's {out} outputs")
        shift = logits.max()
        log_total = shift + np.log(np.exp(logits - shift).sum())
        d_logits = softmax(logits)
        d_logits[answer] -= 1.0  # d(−log p_y)/d logits = p − e_y
        return float(log_total - logits[answer]), d_logits @ W
    diff = logits - np.asarray(target.answer, dtype=np.float64).reshape(out)
    return float(diff @ diff), (2.0 * diff) @ W


def _walk(
    tensors: Mapping[str, np.ndarray],
    trace: Trace,
    dH: np.ndarray | None,
    seed: tuple[int, dict[str, np.ndarray]] | None,
    held: Sequence[Intervention] = (),
    record: Collection[str] = (),
    window: tuple[int, int] = (0, 0),
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """One layer backwards through time, in its own step order.

    ``dH`` (T, H): d J / d h_k from outside the layer (layers above, readout); ``seed``: (step,
    node → d J / d node) at one step; ``held``: this layer's interventions; ``record``: nodes whose
    d J / d node to keep at steps ``window`` (a, b) (the input node excepted: the caller has it).
    Returns (d J / d x (T, in), total d J / d state (T, H) for each state node, d J / d node
    (b − a, width) for each recorded node, the largest |d J / d node| of those at any step).
    """
    graph = trace.graph
    T, H = trace.steps, trace.hidden_size
    values = {name: array[:, None, :] for name, array in trace.items()}  # (T, B=1, width)
    last = -1
    if dH is not None and dH.any():
        last = int(np.flatnonzero(np.abs(dH).sum(axis=1))[-1])
    if seed is not None:
        last = max(last, seed[0])
    dX = np.zeros((T, trace.input_size))
    x_name = graph.step_input
    lo, hi = window
    states = {name: np.zeros((T, H)) for name in state_roles(graph).values()}
    walked = [n for n in record if graph[n].kind != "concat" and n != x_name]
    recorded = {name: np.zeros((hi - lo, trace[name].shape[1])) for name in walked}
    # Steps outside the window still count for the peak: their rows go to a small block, reduced
    # when full (a row copy per node and step, as recording costs; no reduction per step).
    block = {name: np.zeros((PEAK_BLOCK, array.shape[1])) for name, array in recorded.items()}
    filled, peak = 0, 0.0
    concats = [graph[name] for name in record if graph[name].kind == "concat"]
    x_layers = [node for node in graph.layers if any(term.source == x_name for term in node.terms)]
    readers = [node for node in graph.layers if any(c.name in node.inputs for c in concats)]
    # d J / d pre-activation of each layer at every step, (T, H): for the input's terms, and for
    # the concatenations asked for.
    dpre_kept = {node.name: np.zeros((T, H)) for node in (*x_layers, *readers)}
    carry: dict[str, np.ndarray] = {}
    for t in range(last, -1, -1):
        d: dict[str, np.ndarray] = {}
        if dH is not None:
            d[graph.hidden_output] = dH[t][None, :].copy()
        for _, new in graph.recurrent:
            if new in carry:
                d[new] = d[new] + carry[new] if new in d else carry[new]
        if seed is not None and seed[0] == t:
            _plant(graph, trace, d, seed[1])
        clamps = active_at(held, t)
        dpre = backward_step(graph, tensors, values, t, d, clamps=clamps)
        for name in dpre_kept:
            if name in dpre:
                dpre_kept[name][t] = dpre[name][0]
        if x_name in d:  # a seed on the input itself
            dX[t] += d[x_name][0]
        for name in states:
            if name in d:
                states[name][t] = d[name][0]
        inside = lo <= t < hi
        for name in walked:
            if name in d:
                (recorded[name][t - lo] if inside else block[name][filled])[:] = d[name][0]
        if not inside and walked:
            filled += 1
            if filled == PEAK_BLOCK:
                peak = max([peak, *(float(np.abs(rows).max()) for rows in block.values())])
                filled = 0
                for rows in block.values():
                    rows.fill(0.0)
        carry = {new: held_zero(prev, d[prev], clamps) for prev, new in graph.recurrent if prev in d}
    for node in x_layers:  # the input's terms, all steps at once: (T, H) @ (H, in)
        for term in node.terms:
            if term.source == x_name:
                dX += dpre_kept[node.name] @ tensors[term.weight][node.slot * H : (node.slot + 1) * H]
    kept = [*recorded.values(), *(rows[:filled] for rows in block.values())]  # and the last block's rows
    peak = max([peak, *(float(np.abs(rows).max(initial=0.0)) for rows in kept)])
    for concat in concats:  # (its parts, h_{t−1} and x_t, bound its other steps: counted by the caller)
        joined = recorded[concat.name] = _concat_gradient(trace, tensors, concat, readers, dpre_kept, seed, window)
        peak = max(peak, float(np.abs(joined).max(initial=0.0)))
    zero_held_inputs(graph, held, dX)
    return dX, states, recorded, peak


def _concat_gradient(
    trace: Trace,
    tensors: Mapping[str, np.ndarray],
    concat: Node,
    readers: Sequence[Node],
    dpre: Mapping[str, np.ndarray],
    seed: tuple[int, dict[str, np.ndarray]] | None,
    window: tuple[int, int],
) -> np.ndarray:
    """(b − a, width): d J / d [part₁, part₂ …] at steps ``window`` (a, b). Only learned layers read a
    concatenation, each through one term per part: part p's block is Σ_layers dpre_layer @ W_p,
    the products the walk forms for h_{t−1} (and the caller for x_t), here for all steps at once.
    A seed planted on the concatenation itself is added at its step."""
    H = trace.hidden_size
    widths = [trace[part].shape[1] for part in concat.inputs]
    starts = np.concatenate([[0], np.cumsum(widths)])
    lo, hi = window
    out = np.zeros((hi - lo, int(starts[-1])))
    for node in readers:
        if concat.name not in node.inputs:
            continue
        for term in node.terms:
            if term.source in concat.inputs and not term.diagonal:
                p = concat.inputs.index(term.source)
                W = tensors[term.weight][node.slot * H : (node.slot + 1) * H]  # (H, width of the part)
                out[:, starts[p] : starts[p + 1]] += dpre[node.name][lo:hi] @ W
    if seed is not None and concat.name in seed[1] and lo <= seed[0] < hi:
        out[seed[0] - lo] += seed[1][concat.name]
    return out


def _plant(graph: CellGraph, trace: Trace, d: dict[str, np.ndarray], seeds: Mapping[str, np.ndarray]) -> None:
    """Add seeds (name → (width,)) to ``d``; a concatenation's seed goes to the parts it joins
    (learned layers read the parts through their terms, not the concatenated vector)."""
    for name, vector in seeds.items():
        node = graph[name]
        if node.kind == "concat":
            start = 0
            parts = {}
            for source in node.inputs:
                width = trace[source].shape[1]
                parts[source] = vector[start : start + width]
                start += width
            _plant(graph, trace, d, parts)
            continue
        row = vector[None, :]
        d[name] = d[name] + row if name in d else row.copy()
