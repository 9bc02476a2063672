"""One graph declaration per cell variant.

Diagram positions are on a grid: column grows to the right, row grows downwards; row 0 is the
cell-state line along the top, the learned layers sit on row 3, the inputs enter on rows 4-5.
Tensor names follow PyTorch (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, gates stacked
in ``slots`` order); the variants PyTorch lacks add their own tensors, listed in ``vectors``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .graph import CellGraph, Node, Phase, Role, Term

X_TERM = Term("x", "weight_ih")
H_TERM = Term("h_prev", "weight_hh")
BOTH_BIASES = ("bias_ih", "bias_hh")


def _inputs(*, with_cell: bool) -> list[Node]:
    nodes = [
        Node("x", "input", "input", (), 0, (1.0, 5.3), "x_t", width="x", role="input"),
        Node("h_prev", "input", "input", (), 0, (0.0, 4.0), "h_{t-1}"),
    ]
    if with_cell:
        nodes.append(Node("c_prev", "input", "input", (), 0, (0.0, 0.0), "C_{t-1}"))
    nodes.append(Node("xh", "concat", "concat", ("h_prev", "x"), 0, (1.0, 4.0), "[h_{t-1}, x_t]", width="hx"))
    return nodes


def _gate(
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
        _gate(
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
        *_inputs(with_cell=True),
        _gate("f", "sigmoid", 1, 1, 2.0, "f_t", "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)"),
        _gate("i", "sigmoid", 0, 2, 3.2, "i_t", "i_t = σ(W_i·[h_{t-1}, x_t] + b_i)"),
        _gate("g", "tanh", 2, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
        *_lstm_tail(peephole=False),
    ]
    return CellGraph(
        "lstm", "LSTM", tuple(nodes), LSTM_PHASES, ("i", "f", "g", "o"), (("h_prev", "h"), ("c_prev", "c"))
    )


def peephole() -> CellGraph:
    peep = ("c_prev",)
    nodes = [
        *_inputs(with_cell=True),
        _gate(
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
        _gate(
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
        _gate("g", "tanh", 2, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
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
        *_inputs(with_cell=True),
        _gate("f", "sigmoid", 0, 1, 2.0, "f_t", "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)"),
        Node("i", "pointwise", "one_minus", ("f",), 2, (3.2, 2.0), "1 − f_t", formula="i_t = 1 − f_t", role="gate"),
        _gate("g", "tanh", 1, 2, 4.4, "C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", role="candidate"),
        *(_replace_slot(n, 2) if n.name == "o" else n for n in _lstm_tail(peephole=False)),
    ]
    return CellGraph(
        "coupled", "LSTM with coupled gates", tuple(nodes), phases, ("f", "g", "o"), (("h_prev", "h"), ("c_prev", "c"))
    )


def _replace_slot(node: Node, slot: int) -> Node:
    return replace(node, slot=slot)


GRU_PHASES = (
    Phase(
        "Concatenate",
        "The previous hidden state h_{t-1} and the input x_t are joined; the reset and update gates read this vector.",
    ),
    Phase(
        "Reset and update gates",
        "Two sigmoid layers: the reset gate r_t decides how much of the "
        "past feeds the candidate, the update gate z_t how much of the old state to keep.",
    ),
    Phase("Candidate", "A tanh layer proposes a new state h̃_t from the input and the reset-scaled past."),
    Phase("New hidden state", "The update gate blends old and new: h_t = (1 − z_t) ⊙ h̃_t + z_t ⊙ h_{t-1}."),
)


def _gru_blend() -> list[Node]:
    return [
        Node("z_inv", "pointwise", "one_minus", ("z",), 3, (2.4, 1.2), "1 − z_t"),
        Node("zn", "pointwise", "mul", ("z_inv", "n"), 3, (5.6, 1.2), "(1 − z_t) ⊙ h̃_t"),
        Node("zh", "pointwise", "mul", ("z", "h_prev"), 3, (1.8, 0.0), "z_t ⊙ h_{t-1}"),
        Node(
            "h",
            "pointwise",
            "add",
            ("zh", "zn"),
            3,
            (5.6, 0.0),
            "h_t",
            formula="h_t = (1 − z_t) ⊙ h̃_t + z_t ⊙ h_{t-1}",
            role="hidden",
            value_range="signed",  # a convex blend of h_{t-1} and h̃_t, both in [−1, 1]
        ),
    ]


def gru() -> CellGraph:
    """PyTorch's GRU: the reset gate scales the recurrent product after the matmul."""
    nodes = [
        *_inputs(with_cell=False),
        _gate("r", "sigmoid", 0, 1, 2.8, "r_t", "r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)"),
        _gate("z", "sigmoid", 1, 1, 1.8, "z_t", "z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)"),
        Node(
            "hn",
            "layer",
            "linear",
            ("h_prev",),
            2,
            (3.8, 3.0),
            "W_hn h_{t-1} + b_hn",
            terms=(H_TERM,),
            biases=("bias_hh",),
            slot=2,
            formula="W_hn h_{t-1} + b_hn",
        ),
        Node(
            "xn",
            "layer",
            "linear",
            ("x",),
            2,
            (4.8, 3.0),
            "W_in x_t + b_in",
            terms=(X_TERM,),
            biases=("bias_ih",),
            slot=2,
            formula="W_in x_t + b_in",
        ),
        Node("rhn", "pointwise", "mul", ("r", "hn"), 2, (3.8, 2.0), "r_t ⊙ (W_hn h_{t-1} + b_hn)"),
        Node("n_pre", "pointwise", "add", ("xn", "rhn"), 2, (4.8, 2.0), "pre-activation of h̃_t"),
        Node(
            "n",
            "pointwise",
            "tanh",
            ("n_pre",),
            2,
            (5.6, 2.0),
            "h̃_t",
            formula="h̃_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))",
            role="candidate",
        ),
        *_gru_blend(),
    ]
    return CellGraph("gru", "GRU (PyTorch form)", tuple(nodes), GRU_PHASES, ("r", "z", "n"), (("h_prev", "h"),))


def gru_classic() -> CellGraph:
    """Cho et al. (2014): the reset gate scales h_{t-1} before the candidate's matmul."""
    nodes = [
        *_inputs(with_cell=False),
        _gate("r", "sigmoid", 0, 1, 2.8, "r_t", "r_t = σ(W_r·[h_{t-1}, x_t] + b_r)"),
        _gate("z", "sigmoid", 1, 1, 1.8, "z_t", "z_t = σ(W_z·[h_{t-1}, x_t] + b_z)"),
        Node("rh", "pointwise", "mul", ("r", "h_prev"), 2, (3.8, 2.0), "r_t ⊙ h_{t-1}"),
        Node("xrh", "concat", "concat", ("rh", "x"), 2, (5.6, 4.0), "[r_t ⊙ h_{t-1}, x_t]", width="hx"),
        Node(
            "n",
            "layer",
            "tanh",
            ("xrh",),
            2,
            (5.6, 3.0),
            "h̃_t",
            terms=(X_TERM, Term("rh", "weight_hh")),
            biases=BOTH_BIASES,
            slot=2,
            formula="h̃_t = tanh(W·[r_t ⊙ h_{t-1}, x_t] + b)",
            role="candidate",
        ),
        *_gru_blend(),
    ]
    return CellGraph(
        "gru-classic", "GRU (Cho et al. 2014)", tuple(nodes), GRU_PHASES, ("r", "z", "n"), (("h_prev", "h"),)
    )


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
        *_inputs(with_cell=False),
        _gate("h", nonlinearity, 0, 1, 3.0, "h_t", f"h_t = {nonlinearity}(W·[h_{{t-1}}, x_t] + b)", role="hidden"),
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
