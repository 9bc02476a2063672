"""The diagram widget: shows the playback's position, follows its trace, selects units on click.

It owns no clock: whoever plays (the window's transport, or :class:`FlowAnimator`) moves the
playback, and this view draws wherever the playback is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QStyleOptionGraphicsItem, QWidget

from ..engine.interventions import Intervention
from ..engine.trace import Trace
from ..playback import Playback, PlaybackState
from ..scales import ColourScales
from .scene import DiagramScene

ZOOM_STEP = 1.15
ZOOM_LIMITS = (0.1, 40.0)
LEGEND_MARGIN = 10


class DiagramView(QGraphicsView):
    """``unit_menu_requested(node, unit, screen_pos)``: a strip's cell was right-clicked.
    ``scales``: where the colour scales of the playback's trace come from (the document's, so
    the diagram and the heatmaps agree); None: the scene works them out from the trace."""

    unit_menu_requested = Signal(str, int, QPoint)

    def __init__(
        self,
        playback: Playback,
        parent: QWidget | None = None,
        *,
        scales: Callable[[], ColourScales | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.playback = playback
        self._scales = scales or (lambda: None)
        self.diagram: DiagramScene | None = None
        self._held: tuple[Intervention, ...] = ()
        self.unit_menu: Any = None  # the last right-click menu (see views/hold_menu.py)
        self._theme = "light"
        self._walkthrough = False
        self._auto_fit = True  # refit on resize until the user zooms or pans
        self._trace_pending = False  # a new trace taken, not drawn yet (position_changed follows)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMouseTracking(True)
        handlers: list[tuple[Any, Callable[..., None]]] = [
            (playback.trace_changed, self._on_trace_changed),
            (playback.position_changed, self._on_position_changed),
            (playback.selection_changed, self._on_selection_changed),
        ]
        for signal, handler in handlers:
            signal.connect(handler)
        # The playback outlives views: stop it calling into a deleted widget.
        self.destroyed.connect(lambda *_: [signal.disconnect(handler) for signal, handler in handlers])
        if playback.trace is not None:
            self._on_trace_changed(playback.trace)

    # -- following the playback ------------------------------------------------------------------
    # Playback.set_trace emits trace_changed and then position_changed: the scene takes the new
    # trace on the first and draws it on the second, so a keystroke draws the diagram once.
    def _on_trace_changed(self, trace: Trace | None) -> None:
        if trace is None:
            if self.diagram is not None:
                self.diagram.set_trace(None, redraw=False)
            self._trace_pending = True
            return
        if self.diagram is None or self.diagram.graph.kind != trace.graph.kind:
            self._make_scene(trace)
        else:
            self.diagram.set_trace(trace, redraw=False, scales=self._scales())
            self._trace_pending = True

    def _make_scene(self, trace: Trace) -> None:
        scene = DiagramScene(trace.graph, self._theme, self)
        scene.set_walkthrough(self._walkthrough)
        scene.unit_clicked.connect(self._on_unit_clicked)
        scene.unit_menu_requested.connect(self.unit_menu_requested)
        scene.set_held(self._held)
        scene.set_trace(trace, redraw=False, scales=self._scales())
        scene.show_state(self.playback.state)
        old = self.diagram
        self.diagram = scene
        self.setScene(scene)
        if old is not None:
            old.deleteLater()
        self._auto_fit = True
        self.fit()

    def _on_position_changed(self, state: PlaybackState) -> None:
        pending, self._trace_pending = self._trace_pending, False
        if self.diagram is not None and (pending or state != self.diagram.state):
            self.diagram.show_state(state)

    def _on_selection_changed(self, selected: tuple[int, ...]) -> None:
        self._on_position_changed(self.playback.state)

    def _on_unit_clicked(self, unit: int) -> None:
        # Clicking the one selected unit again clears the selection.
        self.playback.select(() if self.playback.selected == (unit,) else unit)

    # -- settings --------------------------------------------------------------------------------
    def set_held(self, interventions: tuple[Intervention, ...]) -> None:
        """Hatch the units held in the layer and direction on show."""
        self._held = tuple(interventions)
        if self.diagram is not None:
            self.diagram.set_held(self._held)

    def set_theme(self, name: str) -> None:
        self._theme = name
        if self.diagram is not None:
            self.diagram.set_theme(name)

    def set_walkthrough(self, on: bool) -> None:
        self._walkthrough = bool(on)
        if self.diagram is not None:
            self.diagram.set_walkthrough(on)
            if self._auto_fit:
                self.fit()

    def fit(self) -> None:
        """Show the whole cell, as large as the widget allows."""
        self._auto_fit = True
        if self.diagram is not None:
            self.fitInView(self.diagram.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(current * factor, ZOOM_LIMITS[0]), ZOOM_LIMITS[1]) / current
        self._auto_fit = False
        self.scale(factor, factor)

    def visible_region(self) -> tuple[float, float, float, float] | None:
        """The scene rectangle on screen (x, y, width, height) once the user has zoomed or panned,
        for exports of what the window shows; None while the whole cell is fitted."""
        if self._auto_fit or self.diagram is None:
            return None
        shown = self.mapToScene(self.viewport().rect()).boundingRect()
        return shown.x(), shown.y(), shown.width(), shown.height()

    # Qt override
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        """Zoomed in, the scene's legend may be out of sight: draw a copy pinned to the viewport's
        bottom-left corner, so colours can always be read."""
        super().drawForeground(painter, rect)
        if self.diagram is None:
            return
        legend = self.diagram.legend
        shown = self.mapFromScene(legend.sceneBoundingRect()).boundingRect()
        if self.viewport().rect().contains(shown):
            return
        box = legend.boundingRect()
        painter.save()
        painter.resetTransform()
        painter.translate(LEGEND_MARGIN - box.left(), self.viewport().height() - box.height() - LEGEND_MARGIN)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.diagram.theme.background)
        painter.drawRoundedRect(box.adjusted(-6, -4, 6, 4), 6, 6)
        legend.paint(painter, QStyleOptionGraphicsItem(), None)
        painter.restore()

    # Qt override
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(ZOOM_STEP**steps)
            event.accept()

    # Qt override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()
