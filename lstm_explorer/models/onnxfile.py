"""ONNX files (``.onnx``): the weights of their ``LSTM``, ``GRU`` and ``RNN`` nodes, in PyTorch names.

Needs the ``onnx`` package (the ``onnx`` extra), imported only when such a file is opened. The file
is parsed as a protobuf; nothing in it runs.

Per node (ONNX operator spec): ``W`` (D, g·H, in), ``R`` (D, g·H, H), optional ``B`` (D, 2·g·H) =
the input biases then the recurrent biases, optional peepholes ``P`` (D, 3H) in order i, o, f.
Gate blocks are reordered to PyTorch's: LSTM i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n.
``direction`` forward / reverse / bidirectional; a GRU with ``linear_before_reset=0`` applies the
reset gate before the matmul (the ``gru-classic`` cell). Activations other than the defaults,
``clip`` and ``input_forget`` are refused by name. Nodes whose input is another node's output
(through Transpose/Reshape/Squeeze/Unsqueeze only) form one stack; each stack is one module. With
one stack, its embedding and readout are read too (:mod:`.onnx_head`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .common import Assumption, FileContents, ModelFileError, Tensors, clean_text
from .onnx_head import node_attributes, onnx_embedding, onnx_readout

_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
#: Blocks of ONNX's gate order, listed in PyTorch's order.
_ORDER = {"LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2], "RNN": [0]}
_DEFAULT_ACTIVATIONS = {"LSTM": ["sigmoid", "tanh", "tanh"], "GRU": ["sigmoid", "tanh"], "RNN": ["tanh"]}
_SHAPE_ONLY = ("Transpose", "Reshape", "Squeeze", "Unsqueeze", "Identity")


def _onnx(path: Path) -> Any:
    try:
        # Imported here, not at module level: only ONNX files need it, and it is an optional extra.
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ModelFileError(path, "reading ONNX files needs onnx: pip install 'lstm-explorer[onnx]'") from None
    return onnx, numpy_helper


class _Graph:
    def __init__(self, path: Path, graph: Any, numpy_helper: Any) -> None:
        self.path = path
        self.constants: dict[str, np.ndarray] = {}
        for init in graph.initializer:
            self.constants[init.name] = numpy_helper.to_array(init)
        self.producer: dict[str, Any] = {}
        for node in graph.node:
            for out in node.output:
                self.producer[out] = node
            if node.op_type == "Constant" and node.output:
                for attr in node.attribute:
                    if attr.name == "value":
                        self.constants[node.output[0]] = numpy_helper.to_array(attr.t)
        self.numpy_helper = numpy_helper

    def array(self, name: str, where: str) -> np.ndarray:
        if name not in self.constants:
            raise ModelFileError(self.path, f"{where}: {name} is computed in the graph, not stored; cannot read it")
        return np.asarray(self.constants[name], dtype=np.float64)

    def source(self, name: str) -> tuple[Any, str] | None:
        """The node that produced ``name``, looking through shape-only operations."""
        while name in self.producer:
            node = self.producer[name]
            if node.op_type in _SHAPE_ONLY and node.input:
                name = node.input[0]
                continue
            return node, name
        return None

    def is_zero(self, name: str) -> bool | None:
        """Whether a tensor is all zeros: True/False when it can be read, None when it cannot."""
        while name not in self.constants and name in self.producer:
            node = self.producer[name]
            if node.op_type == "ConstantOfShape":
                value = next((a.t for a in node.attribute if a.name == "value"), None)
                return value is None or not np.any(self.numpy_helper.to_array(value))
            if node.op_type not in (*_SHAPE_ONLY, "Expand", "Tile", "Cast") or not node.input:
                return None
            name = node.input[0]
        if name in self.constants:
            return not np.any(self.constants[name])
        return None


def _node_title(node: Any, k: int) -> str:
    return f"node {node.name or k} ({node.op_type})"


def _blocks(m: np.ndarray, op: str, H: int) -> np.ndarray:
    """Rows of (g·H, …) reordered from ONNX's gate order to PyTorch's."""
    return np.concatenate([m[j * H : (j + 1) * H] for j in _ORDER[op]], axis=0)


def _node_tensors(g: _Graph, node: Any, title: str, layer: int) -> tuple[str, Tensors, list[bool], list[Assumption]]:
    """(kind, PyTorch tensors with suffix _l{layer}, directions read, assumptions) of one node."""
    path, op = g.path, node.op_type
    attrs = node_attributes(node)
    direction = attrs.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else str(direction)
    if "clip" in attrs:
        raise ModelFileError(path, f"{title}: clip={attrs['clip']} is not supported (the engine does not clip)")
    if attrs.get("input_forget", 0):
        raise ModelFileError(path, f"{title}: input_forget=1 is not supported")
    D = 2 if direction == "bidirectional" else 1
    activations = [a.decode().lower() if isinstance(a, bytes) else str(a).lower() for a in attrs.get("activations", [])]
    default = _DEFAULT_ACTIVATIONS[op]
    kind = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}[op]
    if activations:
        per_direction = [activations[d * len(default) : (d + 1) * len(default)] for d in range(D)]
        if op == "RNN" and all(a == ["relu"] for a in per_direction):
            kind = "rnn-relu"
        elif any(a != default for a in per_direction):
            raise ModelFileError(
                path, f"{title}: activations={activations} are not supported (the engine computes {default})"
            )
    if op == "GRU" and not attrs.get("linear_before_reset", 0):
        kind = "gru-classic"
    inputs = list(node.input) + [""] * 8
    W = g.array(inputs[1], title)
    R = g.array(inputs[2], title)
    if W.ndim != 3 or R.ndim != 3 or W.shape[0] != D or R.shape[0] != D:
        raise ModelFileError(path, f"{title}: W {W.shape} and R {R.shape} do not fit direction={direction}")
    H = R.shape[2]
    rows = _GATES[op] * H
    if W.shape[1] != rows or R.shape[1] != rows:
        raise ModelFileError(path, f"{title}: W {W.shape} and R {R.shape} do not fit an {op} of hidden size {H}")
    B = g.array(inputs[3], title) if inputs[3] else np.zeros((D, 2 * rows))
    if B.shape != (D, 2 * rows):
        raise ModelFileError(path, f"{title}: B has shape {B.shape}, expected ({D}, {2 * rows})")
    if inputs[4]:
        raise ModelFileError(path, f"{title}: sequence_lens is set; the engine runs whole sequences")
    assumptions: list[Assumption] = []
    for k, state in ((5, "initial_h"), (6, "initial_c")):
        if inputs[k]:
            zero = g.is_zero(inputs[k])
            if zero is False:
                raise ModelFileError(path, f"{title}: {state} is not zero; the engine starts from zero states")
            if zero is None:
                assumptions.append(
                    Assumption(state, "zeros", f"{title} computes {state} in the graph", "export with a zero state")
                )
    P = g.array(inputs[7], title) if op == "LSTM" and inputs[7] else None
    if P is not None:
        if P.shape != (D, 3 * H):
            raise ModelFileError(path, f"{title}: P has shape {P.shape}, expected ({D}, {3 * H})")
        kind = "peephole"
    tensors: Tensors = {}
    reverse_flags = [False, True] if D == 2 else [direction == "reverse"]
    for d, reverse in enumerate(reverse_flags):
        end = f"_l{layer}" + ("_reverse" if reverse and D == 2 else "")
        tensors[f"weight_ih{end}"] = _blocks(W[d], op, H)
        tensors[f"weight_hh{end}"] = _blocks(R[d], op, H)
        tensors[f"bias_ih{end}"] = _blocks(B[d, :rows], op, H)
        tensors[f"bias_hh{end}"] = _blocks(B[d, rows:], op, H)
        if P is not None:
            # ONNX P: i, o, f; the peephole cell's diagonal weights weight_ci, weight_cf, weight_co.
            tensors[f"weight_ci{end}"] = P[d, :H].copy()
            tensors[f"weight_co{end}"] = P[d, H : 2 * H].copy()
            tensors[f"weight_cf{end}"] = P[d, 2 * H :].copy()
    return kind, tensors, reverse_flags, assumptions


def read_onnx(path: Path) -> FileContents:
    onnx, numpy_helper = _onnx(path)
    try:
        model = onnx.load(str(path))
    except Exception as exc:
        raise ModelFileError(path, f"not a readable ONNX file ({clean_text(str(exc)) or type(exc).__name__})") from None
    g = _Graph(path, model.graph, numpy_helper)
    nodes = [n for n in model.graph.node if n.op_type in _GATES]
    if not nodes:
        ops = sorted({n.op_type for n in model.graph.node})
        unrolled = (
            " (an exporter may have unrolled the recurrence into these; "
            "torch.onnx.export(..., dynamo=False) keeps RNN nodes)"
        )
        raise ModelFileError(
            path,
            f"holds no LSTM, GRU or RNN node, only {', '.join(ops[:8]) or 'no nodes'}"
            + (unrolled if "MatMul" in ops else ""),
        )
    # Stacks: a node whose X comes (through shape-only ops) from another node's Y continues its stack.
    below: dict[int, int] = {}
    for k, node in enumerate(nodes):
        found = g.source(node.input[0])
        if found is not None and found[0] in nodes and found[1] == found[0].output[0]:
            below[k] = nodes.index(found[0])
    stacks: list[list[int]] = []
    for k in range(len(nodes)):
        if k in below:
            continue
        stack = [k]
        while (nxt := next((j for j, b in below.items() if b == stack[-1]), None)) is not None:
            stack.append(nxt)
        stacks.append(stack)
    tensors: Tensors = {}
    kinds: dict[str, str] = {}
    assumptions: list[Assumption] = []
    backwards: dict[str, list[bool]] = {}
    used_names: set[str] = set()
    for stack in stacks:
        first = nodes[stack[0]]
        name = re.sub(r"\W+", "_", first.name or f"{first.op_type.lower()}_{stack[0]}").strip("_") or "rnn"
        while name in used_names:
            name += "_"
        used_names.add(name)
        stack_kinds = set()
        flags = []
        for layer, k in enumerate(stack):
            title = _node_title(nodes[k], k)
            kind, layer_tensors, reverse_flags, notes = _node_tensors(g, nodes[k], title, layer)
            stack_kinds.add(kind)
            flags.append(reverse_flags == [True])
            assumptions += notes
            tensors.update({f"{name}.{n}": v for n, v in layer_tensors.items()})
        if len(stack_kinds) != 1:
            raise ModelFileError(path, f"stack {name} mixes {sorted(stack_kinds)}; the engine shows one kind")
        if any(flags) and len(stack) > 1:
            raise ModelFileError(path, f"stack {name}: a direction=reverse node in a stack is not supported")
        kinds[name] = stack_kinds.pop()
        backwards[name] = flags
    contents = FileContents(tensors, {"source": "onnx"}, source="ONNX", assumptions=assumptions)
    for name, kind in kinds.items():
        contents.module_metadata[name] = {"cell": kind}
        if any(backwards[name]):
            contents.module_metadata[name]["go_backwards"] = "[true]"
    contents.cell_source = "ONNX node attributes (op type, activations, linear_before_reset, P)"
    if len(stacks) == 1:
        _read_head(g, model.graph, [nodes[k] for k in stacks[0]], contents)
    else:
        contents.notes.append("ONNX: with several recurrent stacks, no embedding or readout is read")
    return contents


def _read_head(g: _Graph, graph: Any, stack: list[Any], contents: FileContents) -> None:
    """The embedding before and the linear readout after the one stack, when the graph has them."""
    embedding = onnx_embedding(g, g.source, stack[0].input[0])
    if embedding is not None:
        contents.tensors["embedding.weight"] = embedding
    top = stack[-1]
    directions, _, hidden = g.array(top.input[2], _node_title(top, 0)).shape  # R: (directions, gates·H, H)
    lengths = [d.dim_value for i in graph.input for d in i.type.tensor_type.shape.dim if d.dim_value > 1]
    tensors, problem, notes = onnx_readout(g, list(graph.node), top, directions, hidden, lengths)
    contents.tensors.update(tensors)
    contents.readout_problem = problem
    contents.notes += notes
