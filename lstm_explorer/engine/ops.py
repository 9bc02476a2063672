"""The op table: what every operation a cell graph may apply *is*, written once.

For each op: its forward pass (the reference form, a new array), its in-place form (the ufunc calls
the fast path replays every step), its derivative (as backpropagation needs it), the symbol the
diagram draws in its node, how the equations panel writes it, and its value range (which colour
map shows it). The evaluator, the backward pass, the diagram, the equations and the colour maps all
read this table; none of them decides anything by an op's name.

An op applies either as a learned layer's activation (``sigmoid``, ``tanh``, ``relu``, ``linear``:
unary) or as a pointwise node (``mul``, ``add``: binary; ``tanh``, ``one_minus``: unary). Any unary
op may serve in either place.

The sigmoid is computed as σ(v) = ½·tanh(v/2) + ½: no overflow for any finite v (±1e308 included).
In the fast path the factor ½ of its argument is *folded* into the layer's weights and biases in
advance (``fold``), so that σ costs one tanh and two in-place ops; halving is exact in binary
floating point, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

#: Where a node's values lie, which decides its colour map: ``gate`` is [0, 1] (sequential map),
#: ``signed`` is [−1, 1] (diverging), ``unbounded`` is any real (diverging, rescaled where shown).
ValueRange = Literal["gate", "signed", "unbounded"]
RANGE_ORDER: tuple[ValueRange, ...] = ("gate", "signed", "unbounded")

#: One call the fast path makes: a NumPy function and its arguments (outputs preallocated).
Call = tuple[Callable[..., Any], tuple[Any, ...]]


@dataclass(frozen=True)
class EquationForm:
    """How the equations panel writes an op: ``{0}``, ``{1}`` stand for the operands.

    ``symbols`` is the formula (``{0} ⊙ {1}``), ``numbers`` the same with numbers substituted
    (``{0} × {1}``). ``precedence`` is how tightly the result binds (1 a sum, 2 a product, 3 an atom
    or a function call); an operand binding less tightly than ``operand_precedence`` is bracketed.
    """

    symbols: str
    numbers: str
    precedence: int
    operand_precedence: int

    @property
    def is_identity(self) -> bool:
        return self.symbols == "{0}"


@dataclass(frozen=True)
class Op:
    name: str
    arity: int
    #: Reference forward: operands in, a new array out.
    forward: Callable[..., np.ndarray]
    #: In-place form: ``in_place(out, operands)`` → the calls that write the op's value into ``out``.
    #: The operands are already multiplied by ``fold`` (an operand may be ``out`` itself).
    in_place: Callable[[np.ndarray, Sequence[np.ndarray]], list[Call]]
    #: Diagram symbol (σ, tanh, ×, +, 1−).
    symbol: str
    equation: EquationForm
    #: The result's value range from the operands' ranges.
    value_range: Callable[[Sequence[ValueRange]], ValueRange]
    #: Unary ops: d out / d operand, written in terms of the output (what backprop keeps).
    slope: Callable[[np.ndarray], np.ndarray | float] | None = None
    #: Binary ops: the gradient reaching each operand, given the output's gradient and the operands.
    partials: Callable[[np.ndarray, Sequence[np.ndarray]], tuple[np.ndarray, ...]] | None = None
    #: The fast path feeds this op ``fold × operand`` (folded into a layer's weights in advance).
    fold: float = 1.0

    def backward(self, grad: np.ndarray, operands: Sequence[np.ndarray], out: np.ndarray) -> tuple[np.ndarray, ...]:
        """The gradient reaching each operand, given the gradient of the output."""
        if self.slope is not None:
            return (grad * self.slope(out),)
        assert self.partials is not None
        return self.partials(grad, operands)


def widest(ranges: Sequence[ValueRange]) -> ValueRange:
    return max(ranges, key=RANGE_ORDER.index, default="gate")


def _const(value: float, size: int) -> np.ndarray:
    # Constants as arrays: a ufunc call converts a Python scalar every time (≈3× slower).
    return np.full(size, value)


def sigmoid(v: np.ndarray) -> np.ndarray:
    """Logistic function without overflow for any finite input: σ(v) = ½·tanh(v/2) + ½."""
    return 0.5 * np.tanh(0.5 * v) + 0.5


def _sigmoid_in_place(out: np.ndarray, operands: Sequence[np.ndarray]) -> list[Call]:
    half = _const(0.5, out.size)  # the operand is v/2 already (fold): σ = ½·tanh(v/2) + ½
    return [(np.tanh, (operands[0], out)), (np.multiply, (out, half, out)), (np.add, (out, half, out))]


def _copy_unless_same(out: np.ndarray, operands: Sequence[np.ndarray]) -> list[Call]:
    return [] if operands[0] is out else [(np.copyto, (out, operands[0]))]


def _mul_range(ranges: Sequence[ValueRange]) -> ValueRange:
    # Products of values within [−1, 1] stay there; anything times an unbounded value is unbounded.
    return widest(ranges)


def _one_minus_range(ranges: Sequence[ValueRange]) -> ValueRange:
    return "gate" if ranges[0] == "gate" else "unbounded"  # 1 − [0, 1] = [0, 1]; 1 − [−1, 1] = [0, 2]


def _function(name: str) -> EquationForm:
    return EquationForm(f"{name}({{0}})", f"{name}({{0}})", 3, 0)


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op(
            "sigmoid",
            1,
            forward=sigmoid,
            in_place=_sigmoid_in_place,
            symbol="σ",
            equation=_function("σ"),
            value_range=lambda _: "gate",
            slope=lambda out: out * (1.0 - out),
            fold=0.5,
        ),
        Op(
            "tanh",
            1,
            forward=np.tanh,
            in_place=lambda out, a: [(np.tanh, (a[0], out))],
            symbol="tanh",
            equation=_function("tanh"),
            value_range=lambda _: "signed",
            slope=lambda out: 1.0 - out * out,
        ),
        Op(
            "relu",
            1,
            forward=lambda v: np.maximum(v, 0.0),
            # fmax, not maximum: NumPy deprecates maximum's positional out argument.
            in_place=lambda out, a: [(np.fmax, (a[0], _const(0.0, out.size), out))],
            symbol="ReLU",
            equation=_function("ReLU"),
            value_range=lambda _: "unbounded",
            slope=lambda out: (out > 0.0).astype(np.float64),
        ),
        Op(
            "linear",
            1,
            forward=lambda v: v,
            in_place=_copy_unless_same,
            symbol="W",
            equation=EquationForm("{0}", "{0}", 0, 0),
            value_range=lambda _: "unbounded",
            slope=lambda out: 1.0,
        ),
        Op(
            "one_minus",
            1,
            forward=lambda a: 1.0 - a,
            in_place=lambda out, a: [(np.subtract, (_const(1.0, out.size), a[0], out))],
            symbol="1−",
            equation=EquationForm("1 − {0}", "1 − {0}", 1, 2),
            value_range=_one_minus_range,
            slope=lambda out: -1.0,
        ),
        Op(
            "mul",
            2,
            forward=lambda a, b: a * b,
            in_place=lambda out, a: [(np.multiply, (a[0], a[1], out))],
            symbol="×",
            equation=EquationForm("{0} ⊙ {1}", "{0} × {1}", 2, 2),
            value_range=_mul_range,
            partials=lambda g, a: (g * a[1], g * a[0]),
        ),
        Op(
            "add",
            2,
            forward=lambda a, b: a + b,
            in_place=lambda out, a: [(np.add, (a[0], a[1], out))],
            symbol="+",
            equation=EquationForm("{0} + {1}", "{0} + {1}", 1, 1),
            value_range=lambda _: "unbounded",
            partials=lambda g, a: (g, g),
        ),
    )
}


def op(name: str) -> Op:
    """The table entry of an op, or a ValueError naming the ops there are."""
    try:
        return OPS[name]
    except KeyError:
        raise ValueError(f"unknown op {name!r}; the ops are {', '.join(OPS)}") from None


def symbol(name: str) -> str:
    """What the diagram draws in a node applying ``name`` (nothing for inputs and concatenations)."""
    return OPS[name].symbol if name in OPS else ""
