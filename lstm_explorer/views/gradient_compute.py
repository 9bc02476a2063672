"""What the Gradients panel asks for and gets back, with no Qt: a :class:`GradientRequest` read
from the document on the GUI thread, :func:`compute` (safe to run on a worker thread: it only
reads the model, input and traces), and the :class:`GradientResult` the panel draws.

Steps here are in the shown layer's trace order (the order the cell read them), as the playback's
``t`` is; a readout target names a time step, which a reverse direction meets at row steps−1−T.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.targets import NodeTarget, Target, TargetError, parse_target, resolve_step

if TYPE_CHECKING:  # the model code loads with the first computation, not with the window
    from ..document import ExplorerDocument
    from ..engine.gradients import Gradients
    from ..models.model import Model


@dataclass(frozen=True)
class GradientRequest:
    """One gradient computation: everything it reads, taken from the document at one moment."""

    model: Model
    X: np.ndarray  # (T, in), what the first layer reads
    traces: dict[tuple[int, bool], Any]
    layer: tuple[int, bool]
    tokens: list[int] | None  # token ids of a text input (for loss@T), else None
    target: Target
    #: The target's step in the trace order: lags are counted back from it.
    anchor: int
    #: The selected unit, whose state path is drawn against its full derivative (None: none).
    unit: int | None
    interventions: tuple[Any, ...] = ()
    #: Which trace of the asking view this was computed for: a result for an older one is dropped
    #: (a recompute may rewrite the trace's arrays in place, so the Trace object can stay the same).
    epoch: int = 0
    #: The steps (a, b) to record every node's gradient at (None: all), for the backward mode.
    node_steps: tuple[int, int] | None = None

    @property
    def steps(self) -> int:
        return int(self.X.shape[0])


@dataclass(frozen=True)
class GradientResult:
    request: GradientRequest
    gradients: Gradients
    #: ‖∂target/∂x_k‖, ‖∂target/∂h_k‖ (and ‖∂target/∂c_k‖), each (T,), trace order.
    norms: dict[str, np.ndarray]
    #: For the selected unit u: ∂s_T[u]/∂s_k[u] in full and along the state's own path alone
    #: (the running product of forget gates; s = c, or h for the GRU family), each (T,); None
    #: for a cell with no such path (plain RNN).
    unit_full: np.ndarray | None
    unit_path: np.ndarray | None
    #: σ_max of W_hh for a plain RNN (Pascanu, Mikolov & Bengio 2013), else None.
    sigma_max: float | None
    seconds: float = 0.0

    def by_lag(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lags 0..anchor, values at k = anchor − lag): the curve against T − k."""
        anchor = self.request.anchor
        return np.arange(anchor + 1, dtype=np.float64), np.asarray(values[anchor::-1], dtype=np.float64)


def text_token_ids(document: ExplorerDocument) -> list[int] | None:
    """The input's token ids for a text model (what ``loss@T`` scores against), else None."""
    model = document.model
    if model is None or model.task != "text":
        return None
    try:
        return model.tokens(document.text or "".join(document.tokens))
    except ValueError:
        return None


def request_for(document: ExplorerDocument, written: str | None = None) -> GradientRequest:
    """The request for what the document shows now: the written target (``c[3]@40``; without
    ``@STEP`` it is taken at the position), or, when it is empty, the model's default target at
    the position (:func:`default_target`). ``written`` None: the document's gradient target. The
    position is the playback's, or in the backward mode the step the target is pinned at.
    Raises TargetError (one line) for a bad target."""
    from ..models.gradients import default_target, resolve_target

    model = document.model
    trace = document.trace
    if model is None or trace is None or trace.steps == 0:
        raise TargetError("no input yet")
    t = min(document.backward_step, trace.steps - 1) if document.backward else document.playback.t  # trace order
    time_t = document.to_shown_order(t)
    selected = document.playback.selected
    unit = selected[0] if selected else None
    tokens = text_token_ids(document)
    written = (document.gradient_target if written is None else written).strip()
    if not written:
        target = default_target(model, document.X, time_t, unit or 0, tokens, traces=document.traces)
        if isinstance(target, NodeTarget):
            target = NodeTarget(target.node, target.unit, t)  # node steps are in trace order
    else:
        if "@" not in written:
            written = f"{written}@{time_t if written.startswith(('out', 'logit', 'loss')) else t}"
        target = resolve_target(model, parse_target(written), document.X, tokens)
    steps = trace.steps
    if isinstance(target, NodeTarget):
        anchor = resolve_step(target.step, steps, str(target))
    else:
        anchor = document.to_shown_order(resolve_step(target.step, steps, str(target)))
    return GradientRequest(
        model, document.X, dict(document.traces), document.layer, tokens, target, anchor, unit, document.interventions
    )


def compute(request: GradientRequest) -> GradientResult:
    """The gradients of the request's target, and the selected unit's two state curves."""
    import time

    from ..engine.gradients import direct_path, gradients, largest_singular_value

    start = time.perf_counter()
    model, (layer, reverse) = request.model, request.layer
    grads = _target_gradients(request)
    network = model.network
    graph = network.graph
    unit_full = unit_path = None
    plain = is_plain_rnn(model)
    if request.unit is not None and not plain and request.unit < network.hidden_size:
        trace = request.traces[request.layer]
        state = graph.cell_state or graph.hidden_output
        unit_path = direct_path(trace, request.unit, request.anchor, state)
        # ∂s_T[u]/∂s_k[u] in full: every path, through the gates and the other units too.
        own = gradients(
            network,
            request.X,
            NodeTarget(state, request.unit, request.anchor),
            layer=layer,
            reverse=reverse,
            traces=request.traces,
            interventions=request.interventions,
        )
        unit_full = own.states["c" if graph.cell_state is not None else "h"][:, request.unit]
    sigma = largest_singular_value(network, layer, reverse) if plain else None
    return GradientResult(request, grads, grads.norms(), unit_full, unit_path, sigma, time.perf_counter() - start)


def compute_nodes(request: GradientRequest) -> GradientResult:
    """The gradient of the request's target with respect to every node of the shown layer's cell
    at the request's ``node_steps`` (``result.gradients.nodes``), for the diagram's backward mode.
    One walk: no unit curves, no σ_max. Memory: one (steps, width) array per node."""
    import time

    start = time.perf_counter()
    grads = _target_gradients(request, nodes=True)
    return GradientResult(request, grads, grads.norms(), None, None, None, time.perf_counter() - start)


def _target_gradients(request: GradientRequest, nodes: bool = False) -> Gradients:
    from ..models.gradients import model_gradients

    layer, reverse = request.layer
    return model_gradients(
        request.model,
        request.X,
        request.target,
        layer=layer,
        reverse=reverse,
        tokens=request.tokens,
        traces=request.traces,
        interventions=request.interventions,
        nodes=nodes,
        node_steps=request.node_steps if nodes else None,
    )


def is_plain_rnn(model: Model) -> bool:
    """A cell whose only memory is h through W_hh (Elman RNN, tanh or relu)."""
    return model.network.graph.kind in ("rnn", "rnn-relu")
