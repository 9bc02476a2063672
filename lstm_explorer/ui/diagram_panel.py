"""The cell diagram in the centre of the window.

Uses the diagram package's ``DiagramView`` when it exists; until then, a thin view over its
``DiagramScene`` that follows the playback the same way (one scene per cell kind).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QResizeEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from ..engine.trace import Trace
from ..playback import Playback, PlaybackState


class SceneView(QGraphicsView):
    """A QGraphicsView showing the cell's DiagramScene at the playback's position."""

    def __init__(self, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.playback = playback
        self._theme = "light"
        self._walkthrough = False
        self._scene: Any = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)

    def _on_trace_changed(self, trace: Trace | None) -> None:
        if trace is None:
            return
        from ..diagram.scene import DiagramScene

        if self._scene is None or self._scene.graph is not trace.graph:
            self._scene = DiagramScene(trace.graph, self._theme, self)
            self._scene.set_walkthrough(self._walkthrough)
            self._scene.unit_clicked.connect(self.playback.select)
            self.setScene(self._scene)
            self._scene.set_trace(trace)
            self.fit()
        else:
            self._scene.set_trace(trace)
        self._scene.show_state(self.playback.state)

    def _on_position_changed(self, state: PlaybackState) -> None:
        if self._scene is not None:
            self._scene.show_state(state)

    def fit(self) -> None:
        if self._scene is not None:
            self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def set_theme(self, name: str) -> None:
        self._theme = name
        if self._scene is not None:
            self._scene.set_theme(name)
            self.setBackgroundBrush(self._scene.backgroundBrush())

    def set_walkthrough(self, on: bool) -> None:
        self._walkthrough = on
        if self._scene is not None:
            self._scene.set_walkthrough(on)
            self.fit()


def make_diagram_view(playback: Playback) -> QWidget:
    try:
        from ..diagram import DiagramView
    except ImportError:
        return SceneView(playback)
    view: QWidget = DiagramView(playback)
    return view
