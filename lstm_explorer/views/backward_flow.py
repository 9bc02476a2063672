"""Feeds the diagram's backward mode: while the document says ``backward``, the gradient of its
gradient target (pinned at ``backward_step``) with respect to every node of the shown cell,
computed by a :class:`.gradient_worker.GradientRunner` — at once when the last ones took under a
frame, else on a worker thread, newest request first — and handed to the diagram and to the
document (:meth:`~lstm_explorer.document.ExplorerDocument.set_node_gradients`, which the Equations
panel reads) as a :class:`~lstm_explorer.gradient_field.GradientField`.

Memory: every node at every step is the trace's own size again (an LSTM at H = 512 over 10 000
steps: 0.5 GB), so a long sequence records only :data:`NODE_BUDGET_BYTES` worth of steps around
the position (:func:`node_window`); moving outside them asks again, and the legend says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ..document import ExplorerDocument
from ..engine.targets import TargetError
from ..events import Signal
from ..gradient_field import GradientField
from ..playback import PlaybackState
from .gradient_compute import GradientRequest, GradientResult, compute_nodes, request_for
from .gradient_worker import GradientRunner

if TYPE_CHECKING:
    from ..diagram import DiagramView

#: The most the recorded node gradients may take (float64): 64 MB is 1 300 steps of an LSTM at
#: H = 512 (input 64) and every step of one at H = 128 up to 5 000 steps.
NODE_BUDGET_BYTES = 64 * 2**20
#: Of the recorded steps, this share lies after the position (stepping back toward the target).
AFTER_SHARE = 8


def node_window(request: GradientRequest, t: int, budget: int = NODE_BUDGET_BYTES) -> tuple[int, int] | None:
    """The steps (a, b) to record every node's gradient at, for the position ``t``: all those the
    gradient reaches (None) when they fit ``budget`` bytes, else a window that does, ending a
    little after ``t`` (play walks back in time: most of the window lies before it)."""
    trace = request.traces[request.layer]
    per_step = 8 * sum(trace[name].shape[1] for name in trace.graph.names)
    fits = max(budget // per_step, 1)
    reached = request.anchor + 1
    if reached <= fits:
        return None
    stop = min(max(t, 0) + fits // AFTER_SHARE, request.anchor) + 1
    start = max(stop - fits, 0)
    return start, min(start + fits, reached)


def field_of(result: GradientResult) -> GradientField:
    """The diagram's field from a :func:`.gradient_compute.compute_nodes` result: over a window of
    steps its colour scale tops at the largest magnitude of every step walked, so that colours
    compare across windows."""
    grads, request = result.gradients, result.request
    top = grads.node_peak if request.node_steps is not None else None
    return GradientField.of(str(request.target), request.anchor, grads.nodes, first=grads.node_first, top=top)


def compute_field(document: ExplorerDocument, node_steps: tuple[int, int] | None = None) -> GradientField:
    """The field for what the document shows now, on this thread (export), recorded at the steps
    ``node_steps`` (a, b) (None: every step). TargetError if the target is not one the model has."""
    return field_of(compute_nodes(replace(request_for(document), node_steps=node_steps)))


def follow_node_gradients(document: ExplorerDocument, view: DiagramView) -> None:
    """Keep ``view`` in the document's diagram mode with the node gradients the document holds
    (a second view of a document whose first view computes them: nothing is computed twice)."""

    def show(*_: object) -> None:
        view.set_backward(document.backward)
        view.set_gradient_field(document.node_gradients, document.node_gradients_note)

    signals = (document.events.backward, document.events.node_gradients)
    for signal in signals:
        signal.connect(show)

    def forget(*_: object) -> None:  # the document outlives the view
        for signal in signals:
            signal.disconnect(show)

    view.destroyed.connect(forget)
    show()


class BackwardFlow(QObject):
    """Keeps ``view`` in the document's diagram mode, with the gradients the backward mode draws."""

    def __init__(self, document: ExplorerDocument, view: DiagramView, *, synchronous: bool = False) -> None:
        super().__init__(view)
        self.document = document
        self.view = view
        self.runner = GradientRunner(self, compute=compute_nodes)
        self.runner.synchronous = synchronous  # (export: frames are drawn with no event loop)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.field: GradientField | None = None
        self.budget = NODE_BUDGET_BYTES
        self._epoch = 0  # counts the traces shown: a result for an older one is dropped
        # (epoch, target, anchor, recorded steps) last asked for
        self._asked: tuple[int, str, int, tuple[int, int] | None] | None = None
        playback = document.playback
        connections: list[tuple[Signal, Callable[..., None]]] = [
            (document.events.backward, self._on_backward),
            (document.events.gradient_target, self._on_gradient_target),
            (playback.trace_changed, self._on_trace_changed),
            (playback.selection_changed, self._on_selection_changed),
            (playback.position_changed, self._on_position_changed),
        ]
        for signal, handler in connections:
            signal.connect(handler)

        def forget(*_: object) -> None:  # the document outlives the view
            for signal, handler in connections:
                signal.disconnect(handler)

        view.destroyed.connect(forget)
        self.refresh()

    def _on_backward(self, _on: bool) -> None:
        self.refresh()

    def _on_gradient_target(self, _text: str) -> None:
        self.refresh()

    def _on_trace_changed(self, _trace: object) -> None:
        self._epoch += 1
        self.field = None
        self.refresh()

    def _on_selection_changed(self, _selected: object) -> None:
        self.refresh()  # (the default target of a model with no readout is the selected unit's h)

    def _on_position_changed(self, state: PlaybackState) -> None:
        field = self.field
        outside = field is not None and field.limited and not field.reaches(state.t) and state.t <= field.anchor
        if self.document.backward and outside:
            self.refresh()  # outside the recorded steps: record those around the position

    def refresh(self) -> None:
        """Ask for the gradients of what the document shows now, unless they are already shown
        or on their way."""
        document, view = self.document, self.view
        view.set_backward(document.backward)
        if not document.backward:
            document.set_node_gradients(None)
            return
        try:
            request = replace(request_for(document), unit=None, epoch=self._epoch)
        except TargetError as exc:
            self._asked = None
            self._on_failed(str(exc))
            return
        t = document.playback.t
        known = self._asked
        if known is not None and known[:3] == (self._epoch, str(request.target), request.anchor):
            window = known[3]
            if window is None or window[0] <= t < window[1] or t > request.anchor:
                return  # asked already, and it holds the position
        request = replace(request, node_steps=node_window(request, t, self.budget))
        self._asked = (self._epoch, str(request.target), request.anchor, request.node_steps)
        if self.field is None or (self.field.target, self.field.anchor) != self._asked[1:3]:
            note = f"computing ∂ {request.target} / ∂ node …"
            view.set_gradient_field(None, note)
            document.set_node_gradients(None, note)
        self.runner.submit(request)

    def _on_result(self, result: GradientResult) -> None:
        request = result.request
        asked = (self._epoch, str(request.target), request.anchor, request.node_steps)
        if request.epoch != self._epoch or asked != self._asked:
            return  # for an input, layer, target or window no longer shown
        field = self.field = field_of(result)
        if self.document.backward_step != field.anchor:  # a target written with its own @STEP
            self.document.backward_step = field.anchor  # play walks back from there
        note = field.limit_note() if field.limited else ""
        self.view.set_gradient_field(field, note)
        self.document.set_node_gradients(field, note)

    def _on_failed(self, message: str) -> None:
        self.field = None
        note = "enter a sequence to see its gradients" if message == "no input yet" else f"gradients: {message}"
        self.view.set_gradient_field(None, note)
        self.document.set_node_gradients(None, note)
