"""One graph declaration per cell variant, and the registry of them (:data:`CELL_BUILDERS`).

The LSTM family and the plain RNN are declared here, the GRU family in :mod:`.gru_cells`. A new
cell kind is a new declaration plus one line in the registry: the evaluator, the backward pass, the
diagram, the equations and the colour maps read everything else from the graph and the op table.

Diagram positions are on a grid: column grows to the right, row grows downwards; row 0 is the
cell-state line along the top, the learned layers sit on row 3, the inputs enter on rows 4-5.
Tensor names follow PyTorch (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, gates stacked
in ``slots`` order); the variants PyTorch lacks add their own tensors, listed in ``vectors``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .cell_parts import gate, inputs
from .graph import CellGraph, Node, Phase, Term, Wire
from .gru_cells import gru, gru_classic, min_gru

LSTM_PHASES = (
    Phase(
        "Concatenate",
        "The previous hidden state h_{t-1} and the new input x_t are joined into "
        "one vector; every gate reads this same vector.",
    ),
    Phase(
        "Forget gate",
        "A sigmoid layer looks at [h_{t-1}, x_t] and outputs, for every unit of the "
        "cell state, a number between 0 (erase it) and 1 (keep it).",
    ),
    Phase(
        "Input gate and candidate",
        "A sigmoid layer decides which units to write (i_t) and a tanh "
        "layer proposes new values for them (the candidate C̃_t).",
    ),
    Phase(
        "Cell update",
        "The old cell state is scaled by the forget gate and the gated candidate is "
        "added: C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t.",
    ),
    Phase(
        "Output",
        "A sigmoid layer picks which parts of the cell state to reveal; the cell state is "
        "squashed by tanh and multiplied by it to give the new hidden state h_t.",
    ),
)


def _lstm_tail(*, peephole: bool) -> list[Node]:
    o_terms = (Term("c", "weight_co", diagonal=True),) if peephole else ()
    o_inputs = ("c",) if peephole else ()
    return [
        Node("fc", "pointwise", "mul", ("f", "c_prev"), 3, (2.0, 0.0), "f_t ⊙ C_{t-1}"),
        Node("ig", "pointwise", "mul", ("i", "g"), 3, (4.4, 1.5), "i_t ⊙ C̃_t"),
        Node(
            "c",
            "pointwise",
            "add",
            ("fc", "ig"),
            3,
            (4.4, 0.0),
            "C_t",
            formula="C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t",
            role="cell_state",
        ),
        gate(
            "o",
            "sigmoid",
            3,
            4,
            5.6,
            "o_t",
            "o_t = σ(W_o·[h_{t-1}, x_t] + b_o)" + (" + w_co ⊙ C_t" if peephole else ""),
            extra=o_terms,
            extra_inputs=o_inputs,
        ),
        Node("tanh_c", "pointwise", "tanh", ("c",), 4, (6.8, 1.2), "tanh(C_t)"),
        Node(
            "h",
            "pointwise",
            "mul",
            ("o", "tanh_c"),
            4,
            (6.8, 2.2),
            "h_t",
            formula="h_t = o_t ⊙ tanh(C_t)",
            role="hidden",
        ),
    ]


def lstm() -> CellGraph:
    nodes = [
        *inputs(with_cell=True),
        gate("f", "sigmoid", 1, 1, 2.0, "f_t", "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)"),
        gate("i", "sigmoid", 0, 2, 3.2, "i_t", "i_t = σ(W_i·[h_{t-1}, x_t] + b_i)"),
        gate("g", "tanh", 2, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
        *_lstm_tail(peephole=False),
    ]
    return CellGraph(
        "lstm", "LSTM", tuple(nodes), LSTM_PHASES, ("i", "f", "g", "o"), (("h_prev", "h"), ("c_prev", "c"))
    )


def peephole() -> CellGraph:
    peep = ("c_prev",)
    nodes = [
        *inputs(with_cell=True),
        gate(
            "f",
            "sigmoid",
            1,
            1,
            2.0,
            "f_t",
            "f_t = σ(W_f·[h_{t-1}, x_t] + w_cf ⊙ C_{t-1} + b_f)",
            extra=(Term("c_prev", "weight_cf", diagonal=True),),
            extra_inputs=peep,
        ),
        gate(
            "i",
            "sigmoid",
            0,
            2,
            3.2,
            "i_t",
            "i_t = σ(W_i·[h_{t-1}, x_t] + w_ci ⊙ C_{t-1} + b_i)",
            extra=(Term("c_prev", "weight_ci", diagonal=True),),
            extra_inputs=peep,
        ),
        gate("g", "tanh", 2, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
        *_lstm_tail(peephole=True),
    ]
    return CellGraph(
        "peephole",
        "Peephole LSTM",
        tuple(nodes),
        LSTM_PHASES,
        ("i", "f", "g", "o"),
        (("h_prev", "h"), ("c_prev", "c")),
        vectors=("weight_ci", "weight_cf", "weight_co"),
        wires=(
            Wire("c_prev", "f", ((1.5, 0.0), (1.5, 3.0))),
            Wire("c_prev", "i", ((1.5, 0.0), (1.5, 2.45), (2.75, 2.45), (2.75, 3.0))),
            Wire("c", "o", ((5.1, 0.0), (5.1, 3.0))),
        ),
    )


def coupled() -> CellGraph:
    phases = (
        LSTM_PHASES[0],
        LSTM_PHASES[1],
        Phase(
            "Coupled input gate and candidate",
            "There is no separate input gate: the cell writes "
            "exactly where it forgets, i_t = 1 − f_t, and a tanh layer proposes the new values.",
        ),
        *LSTM_PHASES[3:],
    )
    nodes = [
        *inputs(with_cell=True),
        gate("f", "sigmoid", 0, 1, 2.0, "f_t", "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)"),
        Node("i", "pointwise", "one_minus", ("f",), 2, (3.2, 2.0), "1 − f_t", formula="i_t = 1 − f_t", role="gate"),
        gate("g", "tanh", 1, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
        *(_replace_slot(n, 2) if n.name == "o" else n for n in _lstm_tail(peephole=False)),
    ]
    return CellGraph(
        "coupled", "LSTM with coupled gates", tuple(nodes), phases, ("f", "g", "o"), (("h_prev", "h"), ("c_prev", "c"))
    )


def _replace_slot(node: Node, slot: int) -> Node:
    return replace(node, slot=slot)


def rnn(nonlinearity: str = "tanh") -> CellGraph:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"RNN nonlinearity must be tanh or relu, not {nonlinearity!r}")
    phases = (
        Phase("Concatenate", "The previous hidden state and the new input are joined into one vector."),
        Phase(
            f"{nonlinearity} layer",
            f"One {nonlinearity} layer maps [h_{{t-1}}, x_t] to the new "
            "hidden state. Nothing protects old information: every step rewrites all of it.",
        ),
    )
    nodes = [
        *inputs(with_cell=False),
        gate("h", nonlinearity, 0, 1, 3.0, "h_t", f"h_t = {nonlinearity}(W·[h_{{t-1}}, x_t] + b)", role="hidden"),
    ]
    kind = "rnn" if nonlinearity == "tanh" else "rnn-relu"
    return CellGraph(kind, f"RNN ({nonlinearity})", tuple(nodes), phases, ("h",), (("h_prev", "h"),))


CELL_BUILDERS: dict[str, Callable[[], CellGraph]] = {
    "rnn": rnn,
    "rnn-relu": lambda: rnn("relu"),
    "lstm": lstm,
    "peephole": peephole,
    "coupled": coupled,
    "gru": gru,
    "gru-classic": gru_classic,
    "mingru": min_gru,
}
CELL_KINDS = tuple(CELL_BUILDERS)
_CACHE: dict[str, CellGraph] = {}


def cell_graph(kind: str) -> CellGraph:
    """The graph of a variant by name (``lstm``, ``gru``, ``rnn`` …)."""
    if kind not in CELL_BUILDERS:
        raise ValueError(f"unknown cell kind {kind!r}; choose one of {', '.join(CELL_KINDS)}")
    if kind not in _CACHE:
        _CACHE[kind] = CELL_BUILDERS[kind]()
    return _CACHE[kind]
