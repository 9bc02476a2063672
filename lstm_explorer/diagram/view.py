"""The diagram widget: shows the playback's position, follows its trace, selects units on click.

It owns no clock: whoever plays (the window's transport, or :class:`FlowAnimator`) moves the
playback, and this view draws wherever the playback is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QStyleOptionGraphicsItem, QWidget

from ..engine.interventions import Intervention
from ..engine.trace import Trace
from ..playback import Playback, PlaybackState
from ..scales import ColourScales
from .backward import GradientField
from .scene import DiagramScene

ZOOM_STEP = 1.15
#: One press of Ctrl+= / Ctrl+− zooms by this factor, about the middle of the view.
KEY_ZOOM_STEP = 1.25
ZOOM_LIMITS = (0.1, 40.0)
LEGEND_MARGIN = 10


class LegendBand(QWidget):
    """A band under the zoomed-in diagram showing the colour legend, so it never covers the cell."""

    def __init__(self, view: DiagramView) -> None:
        super().__init__(view)
        self.view = view
        self.hide()

    def band_height(self) -> int:
        scene = self.view.diagram
        return 0 if scene is None else int(scene.legend.boundingRect().height()) + 2 * LEGEND_MARGIN

    # Qt override
    def paintEvent(self, event: QPaintEvent) -> None:
        scene = self.view.diagram
        if scene is None:
            return
        painter = QPainter(self)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), scene.theme.background)
        painter.setPen(scene.theme.frame_edge)
        painter.drawLine(0, 0, self.width(), 0)
        box = scene.legend.boundingRect()
        painter.translate(LEGEND_MARGIN - box.left(), LEGEND_MARGIN - box.top())
        scene.legend.paint(painter, QStyleOptionGraphicsItem(), None)
        painter.end()


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
        self.backward_flow: Any = None  # what feeds the backward mode (see views/backward_flow.py)
        self._theme = "light"
        self._walkthrough = False
        self._backward = False
        self._field: tuple[GradientField | None, str] = (None, "")
        self._auto_fit = True  # refit on resize until the user zooms or pans
        self._trace_pending = False  # a new trace taken, not drawn yet (position_changed follows)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMouseTracking(True)
        self.legend_band = LegendBand(self)
        self.horizontalScrollBar().valueChanged.connect(self._update_legend_band)
        self.verticalScrollBar().valueChanged.connect(self._update_legend_band)
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
        if self._field[0] is None or self._field[0].nodes.keys() >= scene.strips.keys():
            scene.set_gradient_field(*self._field, redraw=False)
        scene.set_backward(self._backward, redraw=False)
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

    def set_backward(self, on: bool) -> None:
        """Show gradients flowing backward (True) or values flowing forward (False)."""
        self._backward = bool(on)
        if self.diagram is not None and self.diagram.backward != self._backward:
            self.diagram.set_backward(self._backward)
            self.legend_band.update()

    def set_gradient_field(self, field: GradientField | None, note: str = "") -> None:
        """The gradients the backward mode draws (None while there are none; ``note`` says why)."""
        self._field = (field, note)
        if self.diagram is not None:
            self.diagram.set_gradient_field(field, note, redraw=not self._trace_pending)
            self.legend_band.update()

    def fit(self) -> None:
        """Show the whole cell, as large as the widget allows."""
        self._auto_fit = True
        if self.diagram is not None:
            self._set_legend_band(0)
            self._set_scroll_bars(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # all of it is in sight
            self.fitInView(self.diagram.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = min(max(current * factor, ZOOM_LIMITS[0]), ZOOM_LIMITS[1]) / current
        self._auto_fit = False
        self._set_scroll_bars(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scale(factor, factor)
        self._update_legend_band()

    def visible_region(self) -> tuple[float, float, float, float] | None:
        """The scene rectangle on screen (x, y, width, height) once the user has zoomed or panned,
        for exports of what the window shows; None while the whole cell is fitted."""
        if self._auto_fit or self.diagram is None:
            return None
        shown = self.mapToScene(self.viewport().rect()).boundingRect()
        return shown.x(), shown.y(), shown.width(), shown.height()

    def _set_scroll_bars(self, policy: Qt.ScrollBarPolicy) -> None:
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def zoom_in(self) -> None:
        """Ctrl+= / Ctrl++: zoom about the middle of the view (the pointer may be anywhere)."""
        self._zoom_about_centre(KEY_ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_about_centre(1 / KEY_ZOOM_STEP)

    def _zoom_about_centre(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom(factor)
        self.setTransformationAnchor(anchor)

    def _update_legend_band(self) -> None:
        """Zoomed in so far that the scene's legend is out of sight, the legend moves to a band
        under the diagram (never over it); back in sight, the band goes."""
        if self.diagram is None or self._auto_fit:
            self._set_legend_band(0)
            return
        shown = self.mapFromScene(self.diagram.legend.sceneBoundingRect()).boundingRect()
        in_sight = self.viewport().rect().contains(shown)
        self._set_legend_band(0 if in_sight else self.legend_band.band_height())

    def _set_legend_band(self, height: int) -> None:
        if self.viewportMargins().bottom() == height:
            return
        self.setViewportMargins(0, 0, 0, height)
        self.legend_band.setVisible(height > 0)
        self._place_legend_band()

    def _place_legend_band(self) -> None:
        """In the margin between the viewport and the horizontal scroll bar."""
        shown = self.viewport().geometry()
        self.legend_band.setGeometry(shown.left(), shown.bottom() + 1, shown.width(), self.viewportMargins().bottom())

    # Qt override
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(ZOOM_STEP**steps)
            event.accept()

    # Qt override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_legend_band()
        if self._auto_fit:
            self.fit()
