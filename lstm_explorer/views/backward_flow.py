"""Feeds the diagram's backward mode: while the document says ``backward``, the gradient of its
gradient target (pinned at ``backward_step``) with respect to every node of the shown cell, at
every step, computed by a :class:`.gradient_worker.GradientRunner` — at once when the last ones
took under a frame, else on a worker thread, newest request first — and handed to the diagram
as a :class:`~lstm_explorer.diagram.backward.GradientField`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ..document import ExplorerDocument
from ..engine.targets import TargetError
from ..events import Signal
from .gradient_compute import GradientResult, compute_nodes, request_for
from .gradient_worker import GradientRunner

if TYPE_CHECKING:
    from ..diagram import DiagramView
    from ..diagram.backward import GradientField


def field_of(result: GradientResult) -> GradientField:
    """The diagram's field from a :func:`.gradient_compute.compute_nodes` result."""
    from ..diagram.backward import GradientField

    return GradientField.of(str(result.request.target), result.request.anchor, result.gradients.nodes)


def compute_field(document: ExplorerDocument) -> GradientField:
    """The field for what the document shows now, on this thread (export). TargetError if the
    target is not one the model has."""
    return field_of(compute_nodes(request_for(document)))


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
        self._epoch = 0  # counts the traces shown: a result for an older one is dropped
        self._asked: tuple[int, str, int] | None = None  # (epoch, target, anchor) last asked for
        playback = document.playback
        connections: list[tuple[Signal, Callable[..., None]]] = [
            (document.events.backward, self._on_backward),
            (document.events.gradient_target, self._on_gradient_target),
            (playback.trace_changed, self._on_trace_changed),
            (playback.selection_changed, self._on_selection_changed),
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

    def refresh(self) -> None:
        """Ask for the gradients of what the document shows now, unless they are already shown
        or on their way."""
        document, view = self.document, self.view
        view.set_backward(document.backward)
        if not document.backward:
            return
        try:
            request = replace(request_for(document), unit=None, epoch=self._epoch)
        except TargetError as exc:
            self._asked = None
            self._on_failed(str(exc))
            return
        asked = (self._epoch, str(request.target), request.anchor)
        if asked == self._asked:
            return
        self._asked = asked
        if self.field is None or (self.field.target, self.field.anchor) != asked[1:]:
            view.set_gradient_field(None, f"computing ∂ {request.target} / ∂ node …")
        self.runner.submit(request)

    def _on_result(self, result: GradientResult) -> None:
        request = result.request
        if request.epoch != self._epoch or (self._epoch, str(request.target), request.anchor) != self._asked:
            return  # for an input, layer or target no longer shown
        self.field = field_of(result)
        self.view.set_gradient_field(self.field)

    def _on_failed(self, message: str) -> None:
        self.field = None
        note = "enter a sequence to see its gradients" if message == "no input yet" else f"gradients: {message}"
        self.view.set_gradient_field(None, note)
