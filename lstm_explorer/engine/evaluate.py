"""Evaluate a cell graph over a sequence: the fast path.

Two paths compute the same numbers (tested equal):

* :func:`~.reference.evaluate_reference` (in :mod:`.reference`) walks the graph node by node with
  plain NumPy, one dict per step. It is short enough to check by eye and is the yardstick.
* :class:`CompiledCell` turns the graph into a flat list of in-place NumPy calls on one
  preallocated row: input projections of all steps come from one matmul, every layer that reads
  the same recurrent vector shares one matrix-vector product, and each step's row is copied into a
  preallocated trace block. Each op's forward, in-place form and fold come from the op table
  (:mod:`.ops`): a sigmoid layer has its weights halved in advance, so that σ(v) = ½·tanh(v/2) + ½
  costs one tanh and two in-place ops (halving is exact in binary floating point). Interventions
  (:mod:`.interventions`) are extra in-place copies inserted after the nodes they hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .graph import Node
from .interventions import Intervention, check_interventions, clamp_rows, segments, with_clamps
from .ops import OPS, Call, op, sigmoid
from .reference import (
    activate,
    check_inputs,
    evaluate_reference,
    folded_preactivation,
    initial_state,
    pointwise,
    step_reference,
)
from .trace import Trace
from .weights import LayerWeights

__all__ = [
    "CompiledCell",
    "activate",
    "evaluate",
    "evaluate_reference",
    "folded_preactivation",
    "pointwise",
    "sigmoid",
    "step_reference",
]


Op = Call  # one replayed call: (NumPy function, its arguments)


def _aligned_zeros(size: int, align: int = 64) -> np.ndarray:
    """Zeros starting on an ``align``-byte boundary. The fast path's in-place ufuncs all work on
    one row; where the heap happens to place it decided their speed (measured: a row 48 bytes past
    a cache line ran ~5% slower at H = 512), so the row is placed on a cache line explicitly."""
    raw = np.zeros(size + align // 8)
    skip = (-raw.ctypes.data % align) // raw.itemsize
    return raw[skip : skip + size]


#: Rows per input-projection product. BLAS rounds one row of a matrix product differently depending
#: on the product's shape (a one-row product goes through gemv, the tail of a long one through other
#: kernels), so the projection of step t is always computed in the block of this many steps that
#: starts at a multiple of it — the same shape and the same row within it whether the sequence is
#: computed whole or continued from step k. That makes a continued run equal a full run bit for bit.
PROJECTION_BLOCK = 32


def project_inputs(X: np.ndarray, W: np.ndarray, b: np.ndarray, offset: int = 0) -> np.ndarray:
    """``X @ W.T + b`` for steps ``offset … offset + T − 1``, (T, rows), in aligned blocks.

    Each product is (PROJECTION_BLOCK, in) @ (in, rows) on a zero-padded copy, so every row is
    rounded the same way wherever the run starts or ends (see PROJECTION_BLOCK).
    """
    T = X.shape[0]
    B = PROJECTION_BLOCK
    lead = offset % B
    blocks = -(-(lead + T) // B)
    padded = np.zeros((blocks * B, X.shape[1]))
    padded[lead : lead + T] = X
    out = np.empty((blocks * B, W.shape[0]))
    W_T = np.ascontiguousarray(W.T)
    for k in range(blocks):
        rows = slice(k * B, (k + 1) * B)
        np.matmul(padded[rows], W_T, out=out[rows])
    result = out[lead : lead + T]
    result += b
    return result


class CompiledCell:
    """The fast path: a graph and its weights compiled to in-place NumPy calls on one row.

    Layout of the row ``cur`` (all computed nodes): learned layers first — those whose inputs
    are all known at the start of a step, grouped by activation, then the others — followed by
    the pointwise nodes in graph order. The recurrent inputs (``h_prev``, ``c_prev``) are read
    straight from the previous step's ``h`` and ``c`` still in the row, when no node reads them
    after they are overwritten; otherwise they get their own slot and a copy each step.
    """

    def __init__(self, weights: LayerWeights) -> None:
        self.weights = weights
        graph = self.graph = weights.graph
        H = self.hidden_size = weights.hidden_size
        x_name = graph.step_input
        start_sources = {x_name} | {prev for prev, _ in graph.recurrent}

        def late(node: Node) -> bool:
            return any(t.source not in start_sources for t in node.terms)

        layers = [n for n in graph.nodes if n.kind == "layer"]
        # Sorted by op (table order), so that layers with one activation sit side by side.
        rank = {name: k for k, name in enumerate(OPS)}
        early = sorted((n for n in layers if not late(n)), key=lambda n: rank[n.op])
        late_layers = [n for n in layers if late(n)]
        computed = early + late_layers + [n for n in graph.nodes if n.kind == "pointwise"]

        # Emission order: start contributions, early activations, then the rest in graph order.
        order = early + [n for n in graph.nodes if n.kind in ("layer", "pointwise") and n not in early]
        position = {n.name: k for k, n in enumerate(order)}
        self._copied_prev: list[tuple[str, str]] = []
        alias: dict[str, str] = {}
        for prev, new in graph.recurrent:
            readers = [n for n in order if prev in n.inputs or any(t.source == prev for t in n.terms)]
            # A state written by an early layer overwrites its slot before the step's products read it.
            in_body = [r for r in readers if r.kind == "pointwise" or late(r)]
            if new not in {n.name for n in early} and all(position[r.name] < position[new] for r in in_body):
                alias[prev] = new
            else:
                self._copied_prev.append((prev, new))

        offsets: dict[str, slice] = {}
        width = 0
        for node in computed:
            offsets[node.name] = slice(width, width + H)
            width += H
        for prev, _ in self._copied_prev:
            offsets[prev] = slice(width, width + H)
            width += H
        for prev, new in alias.items():
            offsets[prev] = offsets[new]
        self.offsets = offsets
        self.row_width = width
        self.layer_width = len(layers) * H
        cur = self.cur = _aligned_zeros(width)
        self._views = {name: cur[where] for name, where in offsets.items()}  # node name → its part of the row

        def view(name: str) -> np.ndarray:
            return cur[offsets[name]]

        def scale(node: Node) -> float:
            return OPS[node.op].fold  # σ(v) = ½ tanh(v/2) + ½: the ½ goes into the weights

        layer_rows = early + late_layers
        # Input projection and biases for every layer, one matmul over all steps later.
        self._W_x = np.zeros((self.layer_width, weights.input_size))
        self._b = np.zeros(self.layer_width)
        for k, node in enumerate(layer_rows):
            rows = slice(k * H, (k + 1) * H)
            for term in node.terms:
                if term.source == x_name:
                    self._W_x[rows] += scale(node) * weights.block(term.weight, node.slot)
            for bias in node.biases:
                self._b[rows] += scale(node) * weights.block(bias, node.slot)

        start_ops: list[Op] = []
        self._fused: tuple[np.ndarray, np.ndarray] | None = None
        # One matrix-vector product per recurrent source, shared by every layer that reads it.
        for prev in (p for p, _ in graph.recurrent):
            products = [
                (k, n, t) for k, n in enumerate(layer_rows) for t in n.terms if t.source == prev and not t.diagonal
            ]
            if not products:
                continue
            W = np.vstack([scale(n) * weights.block(t.weight, n.slot) for _, n, t in products])
            ks = [k for k, _, _ in products]
            contiguous = ks == list(range(ks[0], ks[0] + len(ks)))
            if contiguous and len(ks) == len(layer_rows) and self._fused is None:
                self._fused = (W, view(prev))
                continue
            tmp = np.empty(W.shape[0])
            start_ops.append((np.dot, (W, view(prev), tmp)))
            if contiguous:
                dest = cur[ks[0] * H : (ks[-1] + 1) * H]
                start_ops.append((np.add, (dest, tmp, dest)))
            else:
                for j, k in enumerate(ks):
                    dest = cur[k * H : (k + 1) * H]
                    start_ops.append((np.add, (dest, tmp[j * H : (j + 1) * H], dest)))

        def diagonal_ops(node: Node, sources: set[str]) -> list[Op]:
            ops: list[Op] = []
            for term in node.terms:
                if term.diagonal and term.source in sources:
                    tmp = np.empty(H)
                    ops.append((np.multiply, (scale(node) * weights.tensors[term.weight], view(term.source), tmp)))
                    ops.append((np.add, (view(node.name), tmp, view(node.name))))
            return ops

        def late_ops(node: Node) -> list[Op]:
            ops: list[Op] = []
            for term in node.terms:
                if term.source in start_sources:
                    continue
                if term.diagonal:
                    continue
                tmp = np.empty(H)
                ops.append((np.dot, (scale(node) * weights.block(term.weight, node.slot), view(term.source), tmp)))
                ops.append((np.add, (view(node.name), tmp, view(node.name))))
            return ops + diagonal_ops(node, {t.source for t in node.terms if t.source not in start_sources})

        def activation_ops(op_name: str, dest: np.ndarray) -> list[Op]:
            return OPS[op_name].in_place(dest, (dest,))  # dest holds fold × pre-activation

        for node in layer_rows:
            start_ops += diagonal_ops(node, start_sources)
        # Early layers sit side by side sorted by op: one activation call per op.
        k = 0
        while k < len(early):
            j = k
            while j < len(early) and early[j].op == early[k].op:
                j += 1
            start_ops += activation_ops(early[k].op, cur[k * H : j * H])
            k = j

        copies: list[Op] = [(np.copyto, (view(prev), view(new))) for prev, new in self._copied_prev]
        # Where each node is final, as an index into the op list: a clamp is inserted there.
        # Early layers are only read by the body, so their clamps go at its start.
        body_start = len(copies) + len(start_ops)
        self._final_at: dict[str, int] = {n.name: body_start for n in early}
        # The recurrent inputs are final once copied, before any product reads them.
        self._final_at.update({prev: len(copies) for prev, _ in graph.recurrent})
        body: list[Op] = []
        for node in order[len(early) :]:
            out = view(node.name)
            if node.kind == "layer":
                body += late_ops(node)
                body += activation_ops(node.op, out)
            else:
                operation = op(node.op)
                operands = [view(s) for s in node.inputs]
                if operation.fold != 1.0:  # a pointwise σ: halve its operand first
                    body.append((np.multiply, (operands[0], np.full(H, operation.fold), out)))
                    operands = [out]
                body += operation.in_place(out, operands)
            self._final_at[node.name] = body_start + len(body)
        self._ops: list[Op] = copies + start_ops + body
        self._computed = [n.name for n in computed]
        self._state_inputs = {prev for prev, _ in graph.recurrent}

    def run(
        self,
        X: np.ndarray,
        state: Mapping[str, np.ndarray] | None = None,
        *,
        offset: int = 0,
        interventions: Sequence[Intervention] = (),
    ) -> Trace:
        """The trace of ``X`` from ``state``; ``offset`` is the step index of ``X[0]`` in the whole
        sequence, so that a continued run rounds exactly as a full one (see PROJECTION_BLOCK), and
        so that ``interventions`` (this layer's; their steps count in the whole sequence) apply at
        the right steps."""
        graph, H = self.graph, self.hidden_size
        X = check_inputs(self.weights, X)
        T = X.shape[0]
        check_interventions(interventions, graph, self.weights.input_size, H, None)
        on_input = [item for item in interventions if item.node == graph.step_input]
        if on_input:
            X = clamp_rows(X, on_input, offset)  # what the cell reads, projections included
        clamps = [item for item in interventions if item.node != graph.step_input]
        start = initial_state(graph, H, state)
        cur = self.cur
        cur[:] = 0.0
        for prev, new in graph.recurrent:
            cur[self.offsets[new]] = start[prev]  # read as h_prev / c_prev at step 0
            cur[self.offsets[prev]] = start[prev]
        L = self.layer_width
        PX = project_inputs(X, self._W_x, self._b, offset)  # (T, layers·H): every step's input projection
        computed_width = len(self._computed) * H
        # Row 0 holds the initial state, row t + 1 the values of step t: then h_prev and c_prev are
        # views of h and c shifted by one row, with no copy.
        block = np.empty((T + 1, computed_width))
        head = cur[:L]
        fused = self._fused
        row = cur[:computed_width]
        block[0] = row
        # Stretches of steps with the same active clamps each run their own op list.
        for begin, end, active in segments(clamps, offset, T) if clamps else [(0, T, ())]:
            ops = self._ops
            if active:
                ops = with_clamps(ops, self._final_at, self._views, [clamps[k] for k in active])
            if fused is not None:
                W_h, h_prev = fused
                # Copies and clamps of the recurrent inputs come before the fused product reads them.
                first = len(self._copied_prev) + sum(clamps[k].node in self._state_inputs for k in active)
                copies, rest = ops[:first], ops[first:]
                for t in range(begin, end):
                    for fn, args in copies:
                        fn(*args)
                    np.dot(W_h, h_prev, head)
                    np.add(head, PX[t], head)
                    for fn, args in rest:
                        fn(*args)
                    block[t + 1] = row
            else:
                for t in range(begin, end):
                    np.copyto(head, PX[t])
                    for fn, args in ops:
                        fn(*args)
                    block[t + 1] = row
        return self._assemble(X, block, [item for item in clamps if item.node in self._state_inputs], offset)

    def _assemble(
        self, X: np.ndarray, block: np.ndarray, held_inputs: Sequence[Intervention] = (), offset: int = 0
    ) -> Trace:
        graph = self.graph
        arrays: dict[str, np.ndarray] = {}
        for name in self._computed:
            arrays[name] = block[1:, self.offsets[name]]
        arrays[graph.step_input] = X.copy()
        for prev, new in graph.recurrent:
            arrays[prev] = block[:-1, self.offsets[new]]
            held = [item for item in held_inputs if item.node == prev]
            if held:  # the block holds the previous step's value; the cell read the held one
                arrays[prev] = clamp_rows(arrays[prev], held, offset)
        for node in graph.nodes:
            if node.kind == "concat":
                arrays[node.name] = np.concatenate([arrays[s] for s in node.inputs], axis=1)
        return Trace(graph, arrays)


def evaluate(
    weights: LayerWeights,
    X: np.ndarray,
    state: Mapping[str, np.ndarray] | None = None,
    *,
    interventions: Sequence[Intervention] = (),
) -> Trace:
    """The fast path over a whole sequence."""
    return CompiledCell(weights).run(X, state, interventions=interventions)
