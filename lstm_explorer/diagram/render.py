"""Offscreen frames: the diagram at any position as a QImage, with no window.

:class:`DiagramRenderer` builds the scene once and reuses it and its target image, so exporting a
video costs one scene paint per frame.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from ..engine.graph import CellGraph
from ..engine.trace import Trace
from ..playback import PlaybackState
from ..scales import ColourScales
from .scene import DiagramScene, centred_fit

_app: QApplication | None = None


def ensure_app() -> None:
    """Qt needs an application object to draw text, even offscreen."""
    global _app
    if QApplication.instance() is None:
        _app = QApplication([])


class DiagramRenderer:
    """Renders one cell variant's diagram at a fixed size and theme, frame after frame."""

    def __init__(
        self,
        graph: CellGraph,
        size: tuple[int, int] = (1280, 720),
        theme: str = "light",
        *,
        transparent: bool = False,
        walkthrough: bool = False,
    ) -> None:
        ensure_app()
        self.graph = graph
        self.size = size
        self.transparent = transparent
        self.scene = DiagramScene(graph, theme)
        self.scene.set_walkthrough(walkthrough)
        self._image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
        self._trace: Trace | None = None
        self._scales: ColourScales | None = None

    def render(self, trace: Trace | None, state: PlaybackState, scales: ColourScales | None = None) -> QImage:
        """The frame at ``state`` (a new QImage the caller may keep), coloured with ``scales`` (the
        document's; None: worked out from the whole trace)."""
        if trace is not self._trace or scales is not self._scales:
            self.scene.set_trace(trace, scales=scales)
            self._trace, self._scales = trace, scales
        self.scene.show_state(state)
        image = self._image
        background = QColor(Qt.GlobalColor.transparent) if self.transparent else self.scene.theme.background
        image.fill(background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        saved = self.scene.backgroundBrush()
        if self.transparent:
            self.scene.setBackgroundBrush(Qt.BrushStyle.NoBrush)
        self.scene.render(painter, QRectF(0, 0, *self.size), self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.scene.setBackgroundBrush(saved)
        painter.end()
        return image.copy()

    def scene_to_image(self, x: float, y: float) -> tuple[float, float]:
        """Where a scene point lands in the rendered image (for overlays and tests)."""
        source = self.scene.sceneRect()
        target = centred_fit(source, QRectF(0, 0, *self.size))
        scale = target.width() / source.width()
        return target.x() + (x - source.x()) * scale, target.y() + (y - source.y()) * scale


_RENDERERS: dict[tuple[str, tuple[int, int], str, bool, bool], DiagramRenderer] = {}
_MAX_RENDERERS = 8


def render_diagram(
    trace: Trace,
    state: PlaybackState,
    size: tuple[int, int] = (1280, 720),
    theme: str = "light",
    transparent: bool = False,
    walkthrough: bool = False,
    scales: ColourScales | None = None,
) -> QImage:
    """The diagram of ``trace`` at ``state`` as an image; renderers are cached per setting."""
    key = (trace.graph.kind, (int(size[0]), int(size[1])), theme, bool(transparent), bool(walkthrough))
    renderer = _RENDERERS.get(key)
    if renderer is None:
        if len(_RENDERERS) >= _MAX_RENDERERS:
            _RENDERERS.pop(next(iter(_RENDERERS)))
        renderer = DiagramRenderer(trace.graph, key[1], theme, transparent=transparent, walkthrough=walkthrough)
        _RENDERERS[key] = renderer
    return renderer.render(trace, state, scales)
