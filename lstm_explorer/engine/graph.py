"""The cell as a dataflow graph: the one declaration that the engine evaluates, the diagram draws
and the animation walks.

A node's value at one time step is a vector. Its width is one of
``"x"`` (the input size), ``"h"`` (the hidden size) or ``"hx"`` (a concatenation of both).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from .ops import RANGE_ORDER, ValueRange, op, widest

NodeKind = Literal["input", "concat", "layer", "pointwise"]
Width = Literal["x", "h", "hx"]
#: What a node is to the cell, declared (never guessed from its name): the step's ``input`` x_t,
#: a ``gate`` (values in [0, 1] that scale others), a ``candidate`` (proposed new values), the
#: ``cell_state`` carried along the top line, the ``hidden`` output (h_t: what the layer above and
#: the readout read, and what recurs). Intermediate nodes have no role ("").
Role = Literal["", "input", "gate", "candidate", "cell_state", "hidden"]


@dataclass(frozen=True)
class Term:
    """One matrix (or diagonal) product inside a learned layer's pre-activation.

    ``weight`` names a tensor family (``weight_ih``, ``weight_hh``, ``weight_cf`` …); the layer's
    ``slot`` picks its block of rows in a stacked family, as PyTorch stacks gates.
    """

    source: str
    weight: str
    diagonal: bool = False


@dataclass(frozen=True)
class Node:
    name: str
    kind: NodeKind
    op: str
    inputs: tuple[str, ...]
    phase: int
    pos: tuple[float, float]
    label: str
    width: Width = "h"
    # Learned layers only: pre-activation = sum of terms + biases, each read at rows ``slot``.
    terms: tuple[Term, ...] = ()
    biases: tuple[str, ...] = ()
    slot: int = 0
    formula: str = ""
    role: Role = ""
    #: None: derived from the op table when the graph is built. A declaration may state a tighter
    #: range the ops alone cannot see (a GRU's h is a convex blend of values in [−1, 1]: signed).
    value_range: ValueRange | None = None


@dataclass(frozen=True)
class Wire:
    """Waypoints (grid units) of one wire that the diagram's drawing rules do not route well
    (a GRU's h_{t−1} reaching a layer behind the state line, a peephole reaching down past ×)."""

    source: str
    target: str
    via: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Phase:
    title: str
    explanation: str


@dataclass(frozen=True)
class CellGraph:
    """A recurrent cell: nodes in an order where every node follows its inputs."""

    kind: str
    title: str
    nodes: tuple[Node, ...]
    phases: tuple[Phase, ...]
    #: Row blocks of the stacked tensors, in PyTorch order (``("i", "f", "g", "o")`` for an LSTM).
    slots: tuple[str, ...]
    #: Recurrent state: (previous-step input node, node whose value it takes next step).
    recurrent: tuple[tuple[str, str], ...]
    #: Per-unit vector tensors (peepholes), each of shape (H,).
    vectors: tuple[str, ...] = ()
    #: Diagram routes for the wires the layout's rules do not draw well.
    wires: tuple[Wire, ...] = ()
    _by_name: dict[str, Node] = field(init=False, repr=False, compare=False)
    _by_role: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len({n.name for n in self.nodes}) != len(self.nodes):
            raise ValueError(f"{self.kind}: duplicate node names")
        seen: set[str] = set()
        for node in self.nodes:
            needed = set(node.inputs) | {t.source for t in node.terms}
            missing = needed - seen
            if missing:
                raise ValueError(f"{self.kind}: node {node.name!r} reads {sorted(missing)} before they exist")
            seen.add(node.name)
            if node.kind == "layer" and op(node.op).arity != 1:
                raise ValueError(f"{self.kind}: layer {node.name!r} applies {node.op!r}, which is not an activation")
            if node.kind == "pointwise" and op(node.op).arity != len(node.inputs):
                raise ValueError(f"{self.kind}: {node.op!r} at {node.name!r} takes {op(node.op).arity} operands")
        self._check_roles()
        resolved = tuple(replace(n, value_range=r) for n, r in zip(self.nodes, self._ranges(), strict=True))
        object.__setattr__(self, "nodes", resolved)
        object.__setattr__(self, "_by_name", {n.name: n for n in self.nodes})
        by_role: dict[str, tuple[str, ...]] = {}
        for node in self.nodes:
            by_role[node.role] = (*by_role.get(node.role, ()), node.name)
        object.__setattr__(self, "_by_role", by_role)

    def _check_roles(self) -> None:
        for role in ("input", "hidden"):
            if len([n for n in self.nodes if n.role == role]) != 1:
                raise ValueError(f"{self.kind}: exactly one node must have the role {role!r}")
        if len([n for n in self.nodes if n.role == "cell_state"]) > 1:
            raise ValueError(f"{self.kind}: more than one cell state")
        carried = {new for _, new in self.recurrent}
        for node in self.nodes:
            if node.role in ("hidden", "cell_state") and node.name not in carried:
                raise ValueError(f"{self.kind}: the {node.role} {node.name!r} must be carried to the next step")

    def _ranges(self) -> list[ValueRange]:
        """Every node's value range, from the op table: a recurrent input takes the range of the
        node it repeats, so widen from the narrowest until nothing changes (ranges only grow)."""
        prev_of = {new: prev for prev, new in self.recurrent}
        ranges: dict[str, ValueRange] = {prev: "gate" for prev, _ in self.recurrent}
        while True:
            for node in self.nodes:
                if node.value_range is not None:
                    ranges[node.name] = node.value_range
                elif node.kind == "input":
                    ranges[node.name] = ranges.get(node.name, "unbounded")
                elif node.kind == "concat":
                    ranges[node.name] = widest([ranges[s] for s in node.inputs])
                elif node.kind == "layer":
                    ranges[node.name] = op(node.op).value_range(["unbounded"])
                else:
                    ranges[node.name] = op(node.op).value_range([ranges[s] for s in node.inputs])
            repeated = {prev_of[n]: ranges[n] for n in prev_of}
            if all(RANGE_ORDER.index(ranges[p]) >= RANGE_ORDER.index(r) for p, r in repeated.items()):
                return [ranges[n.name] for n in self.nodes]
            for prev, r in repeated.items():
                ranges[prev] = widest([ranges[prev], r])

    def __getitem__(self, name: str) -> Node:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    @property
    def layers(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == "layer")

    def _with_role(self, role: Role) -> tuple[str, ...]:
        return self._by_role.get(role, ())

    @property
    def step_input(self) -> str:
        """The node holding the step's input x_t."""
        return self._with_role("input")[0]

    @property
    def hidden_output(self) -> str:
        """The node holding h_t: the layer's output, read by the layer above and the readout."""
        return self._with_role("hidden")[0]

    @property
    def cell_state(self) -> str | None:
        """The node holding the cell state C_t, if the cell has one (the LSTM family)."""
        names = self._with_role("cell_state")
        return names[0] if names else None

    @property
    def gates(self) -> tuple[str, ...]:
        return self._with_role("gate")

    @property
    def candidates(self) -> tuple[str, ...]:
        return self._with_role("candidate")

    def value_range(self, name: str) -> ValueRange:
        """Where a node's values lie (decides its colour map), derived from the op table."""
        value_range = self[name].value_range
        assert value_range is not None  # filled in by __post_init__
        return value_range

    @property
    def state_names(self) -> tuple[str, ...]:
        """The nodes carried to the next step (``h``, and ``c`` for the LSTM family)."""
        return tuple(new for _, new in self.recurrent)

    def waypoints(self, source: str, target: str) -> tuple[tuple[float, float], ...] | None:
        """The declared route of the wire from ``source`` to ``target``, if any."""
        return next((w.via for w in self.wires if (w.source, w.target) == (source, target)), None)

    def nodes_in_phase(self, phase: int) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.phase == phase)

    def edges(self) -> list[tuple[str, str]]:
        """(source, target) pairs as drawn: a node's ``inputs``."""
        return [(src, n.name) for n in self.nodes for src in n.inputs]

    def width(self, name: str, input_size: int, hidden_size: int) -> int:
        w = self[name].width
        return {"x": input_size, "h": hidden_size, "hx": hidden_size + input_size}[w]
