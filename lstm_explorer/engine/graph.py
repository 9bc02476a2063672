"""The cell as a dataflow graph: the one declaration that the engine evaluates, the diagram draws
and the animation walks.

A node's value at one time step is a vector. Its width is one of
``"x"`` (the input size), ``"h"`` (the hidden size) or ``"hx"`` (a concatenation of both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal["input", "concat", "layer", "pointwise"]
Width = Literal["x", "h", "hx"]

#: Learned-layer activations and pointwise operations a node may apply.
LAYER_OPS = ("sigmoid", "tanh", "relu", "linear")
POINTWISE_OPS = ("mul", "add", "tanh", "one_minus")


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
    _by_name: dict[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {n.name: n for n in self.nodes}
        if len(by_name) != len(self.nodes):
            raise ValueError(f"{self.kind}: duplicate node names")
        seen: set[str] = set()
        for node in self.nodes:
            needed = set(node.inputs) | {t.source for t in node.terms}
            missing = needed - seen
            if missing:
                raise ValueError(f"{self.kind}: node {node.name!r} reads {sorted(missing)} before they exist")
            seen.add(node.name)
        object.__setattr__(self, "_by_name", by_name)

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

    @property
    def state_names(self) -> tuple[str, ...]:
        """The nodes carried to the next step (``h``, and ``c`` for the LSTM family)."""
        return tuple(new for _, new in self.recurrent)

    def nodes_in_phase(self, phase: int) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.phase == phase)

    def edges(self) -> list[tuple[str, str]]:
        """(source, target) pairs as drawn: a node's ``inputs``."""
        return [(src, n.name) for n in self.nodes for src in n.inputs]

    def width(self, name: str, input_size: int, hidden_size: int) -> int:
        w = self[name].width
        return {"x": input_size, "h": hidden_size, "hx": hidden_size + input_size}[w]
