"""The paths a gradient takes through time that the Gradients panel draws beside the full
derivative: a state's own pointwise path (the LSTM's constant error carousel, the running product
of forget gates) and, for a plain RNN, the bound σ_max(W_hh) puts on the hidden path."""

from __future__ import annotations

import numpy as np

from .backward import backward_step
from .network import RecurrentNetwork
from .targets import resolve_step
from .trace import Trace


def direct_path_factors(trace: Trace, state: str | None = None) -> np.ndarray:
    """(T, H): ∂state_k/∂state_{k−1} along the pointwise path alone, the learned layers (gates)
    held fixed — the diagonal the state keeps by itself. For the LSTM family the cell state's
    factor is the forget gate f_k (the constant error carousel); for a GRU, h's is the update gate
    z_k; a plain RNN has no such path (zeros). ``state`` defaults to the cell state, else the hidden output."""
    graph = trace.graph
    state = state or graph.cell_state or graph.hidden_output
    previous = {new: prev for prev, new in graph.recurrent}[state]
    # Every pointwise op is elementwise, so seeding ones gives each unit's own factor, all steps at once.
    d = {state: np.ones((trace.steps, trace.hidden_size))}
    backward_step(graph, {}, trace, slice(None), d, through_layers=False)
    return d.get(previous, np.zeros((trace.steps, trace.hidden_size)))


def direct_path(trace: Trace, unit: int, step: int, state: str | None = None) -> np.ndarray:
    """(T,): ∂state_T[unit]/∂state_k[unit] along the direct path only, T = ``step``: the running
    product of the factors k+1..T (the forget gates f for the LSTM family); 1 at k = T, 0 after."""
    factors = direct_path_factors(trace, state)[:, unit]
    T = resolve_step(step, trace.steps, f"step {step}")
    path = np.zeros(trace.steps)
    # path[k] = f[k+1]·f[k+2]···f[T]: a cumulative product from T backwards.
    path[: T + 1] = np.cumprod(np.concatenate([[1.0], factors[T:0:-1]]))[::-1]
    return path


def largest_singular_value(network: RecurrentNetwork, layer: int = 0, reverse: bool = False) -> float:
    """σ_max of the recurrent matrix W_hh (all gates stacked) of one layer.

    For a plain tanh RNN, ∂h_k/∂h_{k−1} = diag(1 − h_k²)·W_hh, so its norm is at most σ_max: when
    σ_max < 1 the gradient over a lag of n steps shrinks at least as fast as σ_max^n (Pascanu,
    Mikolov & Bengio 2013, "On the difficulty of training recurrent neural networks")."""
    return float(np.linalg.norm(network.layer(layer, reverse).tensors["weight_hh"], 2))
