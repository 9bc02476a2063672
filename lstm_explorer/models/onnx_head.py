"""The embedding before and the readout after an ONNX file's recurrent stack.

* Embedding: the first recurrent node's input ``X`` comes (through shape-only operations) from a
  ``Gather`` of a stored (V, input) matrix along axis 0 — what ``nn.Embedding`` exports to.
* Readout: the top node's ``Y`` (seq, directions, batch, hidden) goes through shape-only operations
  (Squeeze, Transpose, Reshape …) into a ``MatMul`` with a stored (features, K) matrix, then
  optionally an ``Add`` of a stored (K,) bias — or one ``Gemm`` — and then nothing but ``Softmax``
  or ``LogSoftmax`` over the last axis. That is ``nn.Linear`` (and what Keras' Dense exports to).

Whether the shape-only operations hand the MatMul each step's features in the engine's order (the
forward direction's h, then the backward one's) is not guessed from their names: they are applied
to a small array whose entries say which step, direction and unit they came from, and the result's
last axis must read exactly [forward 0…H−1, backward 0…H−1] at every position. A graph that
mixes them otherwise (a Transpose that interleaves the directions) leaves the readout unread, with
the reason given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Operations that only move values around.
_MOVES = ("Transpose", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Flatten")
#: What may follow the linear layer without changing which output is largest or its softmax.
_FINAL = ("Softmax", "LogSoftmax")
#: Step codes in the layout probe: entry = step·STEP + direction·H + unit + 1.
_STEP = 1 << 20


def onnx_embedding(graph: Any, source: Callable[[str], tuple[Any, str] | None], x_name: str) -> np.ndarray | None:
    """The (V, input) embedding matrix feeding ``x_name``, or None when the input is not a Gather."""
    found = source(x_name)
    if found is None:
        return None
    node, _ = found
    if node.op_type != "Gather" or len(node.input) != 2 or _attribute(node, "axis", 0) != 0:
        return None
    table = graph.constants.get(node.input[0])
    return None if table is None or table.ndim != 2 else np.asarray(table, dtype=np.float64)


def onnx_readout(
    graph: Any, nodes: list[Any], top: Any, directions: int, hidden: int, static_lengths: list[int]
) -> tuple[dict[str, np.ndarray], str | None, list[str]]:
    """(tensors ``fc.weight``/``fc.bias`` or {}, the reason a head was not taken or None, notes).

    ``static_lengths``: sequence lengths the graph may have been exported with (a Reshape can carry
    one), tried in the layout probe."""
    consumers: dict[str, list[Any]] = {}
    for node in nodes:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    notes: list[str] = []
    start = top.output[0] if top.output and top.output[0] else ""
    if not _users(consumers, start) and len(top.output) > 1 and _users(consumers, top.output[1]):
        if directions != 1:
            return {}, "readout not recognised: it reads the last states (Y_h) of both directions", notes
        start = top.output[1]  # Y_h (directions, batch, hidden): the last step's h
        notes.append("the ONNX graph reads only the last step's state; the readout is shown at every step")
    name, moves = start, []
    while True:
        users = _users(consumers, name)
        if len(users) != 1:
            if not users:
                return {}, None, notes  # the states are the graph's output: no head
            ops = ", ".join(sorted({u.op_type for u in users}))
            return {}, f"readout not recognised: the recurrent output feeds several operations ({ops})", notes
        node = users[0]
        if node.op_type not in _MOVES:
            break
        moves.append(node)
        name = node.output[0]
    problem, rank = _layout_problem(graph, moves, directions, hidden, start == top.output[0], static_lengths)
    if problem is not None:
        return {}, f"readout not recognised: {problem}", notes
    tensors, out, problem = _linear(graph, consumers, node, name, directions * hidden)
    if problem is not None:
        return {}, f"readout not recognised: {problem}", notes
    after = _users(consumers, out)
    if any(u.op_type not in _FINAL or _attribute(u, "axis", -1) not in (-1, rank - 1) for u in after):
        ops = ", ".join(sorted({u.op_type for u in after}))
        return {}, f"readout not recognised: the linear layer feeds {ops}, which the app does not compute", notes
    return tensors, None, notes


def _users(consumers: dict[str, list[Any]], name: str) -> list[Any]:
    """Nodes reading ``name``'s values (a Shape node reads only its shape)."""
    return [n for n in consumers.get(name, []) if n.op_type != "Shape"] if name else []


def node_attributes(node: Any) -> dict[str, Any]:
    """A node's attributes by name, as Python values."""
    import onnx  # optional extra, imported only when an ONNX file is read

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _attribute(node: Any, name: str, default: Any) -> Any:
    return node_attributes(node).get(name, default)


def _layout_problem(
    graph: Any, moves: list[Any], directions: int, hidden: int, sequence: bool, static_lengths: list[int]
) -> tuple[str | None, int]:
    """(None, the rank the linear layer reads) if ``moves`` hand each position the features
    [direction 0's h, direction 1's h]; otherwise (why not, 0)."""
    reason = "the shape operations before the linear layer could not be followed"
    for steps in dict.fromkeys([*static_lengths, 3]):  # a Reshape may hold the exported length
        if not sequence:
            steps = 1
        t, d, h = np.meshgrid(np.arange(steps), np.arange(directions), np.arange(hidden), indexing="ij")
        probe = (t * _STEP + d * hidden + h + 1).astype(np.int64)[:, :, None, :]  # (seq, dirs, batch 1, H)
        try:
            for node in moves:
                probe = _apply(graph, node, probe)
        except (ValueError, KeyError, IndexError) as exc:
            reason = f"{reason} ({exc})"
            continue
        width = directions * hidden
        if probe.shape[-1] != width:
            return f"the linear layer reads {probe.shape[-1]} values per step, not the {width} the states give", 0
        rows = probe.reshape(-1, width)
        if not np.array_equal(rows % _STEP, np.broadcast_to(np.arange(1, width + 1), rows.shape)):
            return "the shape operations mix the directions' or units' order before the linear layer", 0
        return None, probe.ndim
    return reason, 0


def _apply(graph: Any, node: Any, array: np.ndarray) -> np.ndarray:
    """One shape-only operation on ``array`` (its parameters must be stored constants)."""
    op = node.op_type

    def constant(k: int) -> np.ndarray:
        return np.asarray(graph.constants[node.input[k]]).astype(np.int64).reshape(-1)

    if op == "Identity":
        return array
    if op == "Transpose":
        perm = _attribute(node, "perm", None)
        return np.transpose(array, perm if perm is not None else None)
    if op in ("Squeeze", "Unsqueeze"):
        axes = _attribute(node, "axes", None)
        if axes is None and len(node.input) > 1 and node.input[1]:
            axes = constant(1).tolist()
        if op == "Unsqueeze":
            for axis in sorted(a % (array.ndim + len(axes)) for a in axes):
                array = np.expand_dims(array, axis)
            return array
        axes = tuple(range(array.ndim)) if axes is None else tuple(a % array.ndim for a in axes)
        return np.squeeze(array, axis=tuple(a for a in axes if array.shape[a] == 1) if axes else None)
    if op == "Reshape":
        shape = constant(1)
        if not _attribute(node, "allowzero", 0):
            shape = np.array([array.shape[k] if v == 0 else v for k, v in enumerate(shape)])
        return array.reshape(tuple(int(v) for v in shape))
    if op == "Flatten":
        axis = _attribute(node, "axis", 1) % array.ndim
        return array.reshape(int(np.prod(array.shape[:axis])), -1)
    raise ValueError(f"{op} is not a shape operation")


def _linear(
    graph: Any, consumers: dict[str, list[Any]], node: Any, features_name: str, width: int
) -> tuple[dict[str, np.ndarray], str, str | None]:
    """(fc tensors, the name of the linear layer's output, problem) for a MatMul[+Add] or a Gemm."""
    constants = graph.constants
    if node.op_type == "Gemm":
        if node.input[0] != features_name or node.input[1] not in constants:
            return {}, "", "a Gemm after the recurrent nodes does not multiply the states by stored weights"
        if (
            _attribute(node, "transA", 0)
            or _attribute(node, "alpha", 1.0) != 1.0
            or _attribute(node, "beta", 1.0) != 1.0
        ):
            return {}, "", "a Gemm with transA, alpha or beta set is not a plain linear layer"
        weight = np.asarray(constants[node.input[1]], dtype=np.float64)
        weight = weight if _attribute(node, "transB", 0) else weight.T
        tensors = {"fc.weight": weight}
        if len(node.input) > 2 and node.input[2]:
            if node.input[2] not in constants:
                return {}, "", "the Gemm's bias is computed, not stored"
            tensors["fc.bias"] = np.asarray(constants[node.input[2]], dtype=np.float64).reshape(-1)
        out = node.output[0]
    elif node.op_type == "MatMul":
        if node.input[0] != features_name or node.input[1] not in constants:
            return {}, "", "a MatMul after the recurrent nodes does not multiply the states by stored weights"
        tensors = {"fc.weight": np.asarray(constants[node.input[1]], dtype=np.float64).T}
        out = node.output[0]
        users = _users(consumers, out)
        if len(users) == 1 and users[0].op_type == "Add":
            add = users[0]
            bias_name = next((n for n in add.input if n != out), "")
            if bias_name in constants:
                tensors["fc.bias"] = np.asarray(constants[bias_name], dtype=np.float64).reshape(-1)
                out = add.output[0]
    else:
        return {}, "", f"{node.op_type} follows the recurrent nodes; the app computes one linear layer"
    weight = tensors["fc.weight"]
    if weight.ndim != 2 or weight.shape[1] != width:
        return {}, "", f"the linear layer's weights have shape {weight.shape}, not (K, {width})"
    if "fc.bias" in tensors and tensors["fc.bias"].shape != (weight.shape[0],):
        return {}, "", f"the linear layer's bias has shape {tensors['fc.bias'].shape}, not ({weight.shape[0]},)"
    return tensors, out, None
