"""Pieces the cell declarations share: the inputs every cell reads and a learned layer that
reads the concatenation [h_{t-1}, x_t] through both of PyTorch's stacked matrices."""

from __future__ import annotations

from .graph import Node, Role, Term

X_TERM = Term("x", "weight_ih")
H_TERM = Term("h_prev", "weight_hh")
BOTH_BIASES = ("bias_ih", "bias_hh")


def inputs(*, with_cell: bool) -> list[Node]:
    nodes = [
        Node("x", "input", "input", (), 0, (1.0, 5.3), "x_t", width="x", role="input"),
        Node("h_prev", "input", "input", (), 0, (0.0, 4.0), "h_{t-1}"),
    ]
    if with_cell:
        nodes.append(Node("c_prev", "input", "input", (), 0, (0.0, 0.0), "C_{t-1}"))
    nodes.append(Node("xh", "concat", "concat", ("h_prev", "x"), 0, (1.0, 4.0), "[h_{t-1}, x_t]", width="hx"))
    return nodes


def gate(
    name: str,
    op: str,
    slot: int,
    phase: int,
    col: float,
    label: str,
    formula: str,
    extra: tuple[Term, ...] = (),
    extra_inputs: tuple[str, ...] = (),
    role: Role = "gate",
) -> Node:
    return Node(
        name,
        "layer",
        op,
        ("xh", *extra_inputs),
        phase,
        (col, 3.0),
        label,
        terms=(X_TERM, H_TERM, *extra),
        biases=BOTH_BIASES,
        slot=slot,
        formula=formula,
        role=role,
    )
