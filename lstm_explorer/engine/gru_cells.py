"""The GRU family: PyTorch's GRU, Cho et al.'s original and minGRU (see each declaration)."""

from __future__ import annotations

from .cell_parts import BOTH_BIASES, H_TERM, X_TERM, gate, inputs
from .graph import CellGraph, Node, Phase, Term, Wire

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
        *inputs(with_cell=False),
        gate("r", "sigmoid", 0, 1, 2.8, "r_t", "r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)"),
        gate("z", "sigmoid", 1, 1, 1.8, "z_t", "z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)"),
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
    wires = (
        Wire("h_prev", "zh", ((0.0, 0.0),)),
        Wire("h_prev", "hn", ((0.0, 4.4), (3.8, 4.4))),
        Wire("x", "xn", ((1.0, 4.65), (4.8, 4.65))),
    )
    return CellGraph(
        "gru", "GRU (PyTorch form)", tuple(nodes), GRU_PHASES, ("r", "z", "n"), (("h_prev", "h"),), wires=wires
    )


def gru_classic() -> CellGraph:
    """Cho et al. (2014): the reset gate scales h_{t-1} before the candidate's matmul."""
    nodes = [
        *inputs(with_cell=False),
        gate("r", "sigmoid", 0, 1, 2.8, "r_t", "r_t = σ(W_r·[h_{t-1}, x_t] + b_r)"),
        gate("z", "sigmoid", 1, 1, 1.8, "z_t", "z_t = σ(W_z·[h_{t-1}, x_t] + b_z)"),
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
    wires = (
        Wire("h_prev", "zh", ((0.0, 0.0),)),
        Wire("h_prev", "rh", ((0.0, 4.4), (3.8, 4.4))),
        Wire("rh", "xrh", ((4.4, 2.0), (4.4, 4.0))),
        Wire("x", "xrh", ((1.0, 4.65), (5.6, 4.65))),
    )
    return CellGraph(
        "gru-classic",
        "GRU (Cho et al. 2014)",
        tuple(nodes),
        GRU_PHASES,
        ("r", "z", "n"),
        (("h_prev", "h"),),
        wires=wires,
    )


MIN_GRU_PHASES = (
    Phase(
        "Input",
        "Only the new input x_t enters the layers: neither the gate nor the candidate reads h_{t-1}, "
        "which is what lets minGRU be trained in parallel over time.",
    ),
    Phase(
        "Update gate and candidate",
        "A sigmoid layer gives the update gate z_t; a linear layer (no squashing) proposes the candidate h̃_t.",
    ),
    Phase("New hidden state", "The update gate blends old and new: h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t."),
)


def min_gru() -> CellGraph:
    """minGRU (Feng et al. 2024, "Were RNNs All We Needed?"): z_t = σ(Linear_z(x_t)),
    h̃_t = Linear_h(x_t), h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t.

    Tensors in the PyTorch-like layout, one Linear(in, 2H) per layer: ``weight_ih_l{k}`` (2H, in)
    stacks the rows of z then h̃ (slots ``z``, ``h``), ``bias_ih_l{k}`` (2H,) likewise. There is no
    ``weight_hh``: nothing in the cell multiplies h_{t-1} by a matrix.
    """
    nodes = [
        Node("x", "input", "input", (), 0, (1.0, 5.0), "x_t", width="x", role="input"),
        Node("h_prev", "input", "input", (), 0, (0.0, 0.0), "h_{t-1}"),
        Node(
            "z",
            "layer",
            "sigmoid",
            ("x",),
            1,
            (1.8, 3.0),
            "z_t",
            terms=(X_TERM,),
            biases=("bias_ih",),
            slot=0,
            formula="z_t = σ(W_z x_t + b_z)",
            role="gate",
        ),
        Node(
            "h_tilde",
            "layer",
            "linear",
            ("x",),
            1,
            (3.6, 3.0),
            "h̃_t",
            terms=(X_TERM,),
            biases=("bias_ih",),
            slot=1,
            formula="h̃_t = W_h x_t + b_h",
            role="candidate",
        ),
        Node("z_inv", "pointwise", "one_minus", ("z",), 2, (1.8, 1.0), "1 − z_t"),
        Node("keep", "pointwise", "mul", ("z_inv", "h_prev"), 2, (1.8, 0.0), "(1 − z_t) ⊙ h_{t-1}"),
        Node("write", "pointwise", "mul", ("z", "h_tilde"), 2, (3.6, 1.5), "z_t ⊙ h̃_t"),
        Node(
            "h",
            "pointwise",
            "add",
            ("keep", "write"),
            2,
            (3.6, 0.0),
            "h_t",
            formula="h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t",
            role="hidden",
        ),
    ]
    # x_t rises into the cell and runs along under the layers, as the concatenation does elsewhere.
    wires = (Wire("x", "z", ((1.0, 3.6), (1.8, 3.6))), Wire("x", "h_tilde", ((1.0, 3.6), (3.6, 3.6))))
    return CellGraph(
        "mingru",
        "minGRU (Feng et al. 2024)",
        tuple(nodes),
        MIN_GRU_PHASES,
        ("z", "h"),
        (("h_prev", "h"),),
        wires=wires,
    )
