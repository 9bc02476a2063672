"""Frame sources for the views the app shows: the cell diagram, the unrolled chain and the whole
dashboard, each rendered offscreen by the same code that draws it in the window.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QGraphicsScene, QWidget

from ..engine.trace import Trace
from ..playback import Playback, PlaybackState
from .export import ExportError
from .frames import FrameSource


def _image(size: tuple[int, int], transparent: bool) -> QImage:
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0) if transparent else QColor(255, 255, 255))
    return image


class DiagramFrames:
    """The cell diagram: the diagram's own offscreen :class:`DiagramRenderer` (one scene, reused)
    for frames, and the same scene painted straight into the SVG or PDF so that boxes, lines and
    labels stay vectors and text."""

    def __init__(
        self,
        trace: Trace,
        size: tuple[int, int],
        *,
        theme: str = "light",
        transparent: bool = False,
        walkthrough: bool = False,
    ) -> None:
        from ..diagram.render import DiagramRenderer

        try:
            self._renderer = DiagramRenderer(trace.graph, size, theme, transparent=transparent, walkthrough=walkthrough)
        except ValueError as exc:  # an unknown theme
            raise ExportError(str(exc)) from None
        self.trace = trace
        self.size = size
        self.transparent = transparent

    @property
    def scene(self) -> QGraphicsScene:
        return self._renderer.scene

    def render(self, state: PlaybackState) -> QImage:
        return self._renderer.render(self.trace, state)

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        scene = self._renderer.scene
        if scene.trace is not self.trace:
            scene.set_trace(self.trace)
        scene.show_state(state)
        saved = scene.backgroundBrush()
        if self.transparent:
            scene.setBackgroundBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.fillRect(target, scene.theme.background)
        try:
            scene.render(painter, target, scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        finally:
            scene.setBackgroundBrush(saved)

    def close(self) -> None:
        pass


class WidgetFrames:
    """A widget of the window (the chain view, or the whole window for the dashboard) rendered
    offscreen: it follows its own Playback, moved to each frame's position before it draws."""

    def __init__(self, widget: QWidget, playback: Playback, size: tuple[int, int], *, transparent: bool) -> None:
        self.widget = widget
        self.playback = playback
        self.size = size
        self.transparent = transparent
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        widget.resize(QSize(*size))
        widget.show()  # laid out and polished, but never on screen
        widget.resize(QSize(*size))
        self._settle()

    def _settle(self) -> None:
        QApplication.sendPostedEvents()
        QApplication.processEvents()

    def _show(self, state: PlaybackState) -> None:
        playback = self.playback
        if playback.selected != state.selected:
            playback.select(state.selected)
        playback.seek(state.t, state.phase, state.progress)
        self._settle()

    def render(self, state: PlaybackState) -> QImage:
        self._show(state)
        image = _image(self.size, self.transparent)
        painter = QPainter(image)
        try:
            self.widget.render(painter, QPoint(0, 0), QRegion(), QWidget.RenderFlag.DrawChildren)
        finally:
            painter.end()
        return image

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        self._show(state)
        painter.save()
        try:
            painter.translate(target.topLeft())
            painter.scale(target.width() / self.size[0], target.height() / self.size[1])
            self.widget.render(painter, QPoint(0, 0), QRegion(), QWidget.RenderFlag.DrawChildren)
        finally:
            painter.restore()

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()


def make_source(
    view: str, trace: Trace, size: tuple[int, int], *, theme: str = "light", transparent: bool = False
) -> FrameSource:
    """The frame source for a view, drawing ``trace`` at ``size`` offscreen."""
    if view == "diagram":
        return DiagramFrames(trace, size, theme=theme, transparent=transparent)
    raise ExportError(f"the {view} view cannot be exported yet")
