"""Frame sources for the views the app shows: the cell diagram, the unrolled chain and the whole
dashboard, each rendered offscreen by the same code that draws it in the window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
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
    """A widget of the window rendered offscreen (``QWidget.render``: the widget's own paint code)
    at each frame's position: the widget follows ``playback``, which is moved there first.

    The widget is drawn at its own size, scaled to fit the frame (letterboxed, centred): a painter
    scale, so text and lines stay sharp. Sources that own their widget size it to the frame.
    """

    def __init__(self, widget: QWidget, playback: Playback, size: tuple[int, int], *, transparent: bool) -> None:
        self.widget = widget
        self.playback = playback
        self.size = size
        self.transparent = transparent
        self._restore: PlaybackState | None = None

    @staticmethod
    def settle() -> None:
        """Let pending layout and signal-driven updates happen (the widget draws synchronously)."""
        QApplication.sendPostedEvents()
        QApplication.processEvents()

    def _show(self, state: PlaybackState) -> None:
        playback = self.playback
        if self._restore is None:
            self._restore = playback.state
        if state.selected and playback.selected != state.selected:
            playback.select(state.selected)
        playback.seek(state.t, state.phase, state.progress)
        self.settle()

    def _draw(self, painter: QPainter, target: QRectF) -> None:
        widget = self.widget
        w, h = max(widget.width(), 1), max(widget.height(), 1)
        scale = min(target.width() / w, target.height() / h)
        painter.save()
        try:
            painter.translate(
                target.left() + (target.width() - w * scale) / 2, target.top() + (target.height() - h * scale) / 2
            )
            painter.scale(scale, scale)
            widget.render(painter, QPoint(0, 0), QRegion(0, 0, w, h), QWidget.RenderFlag.DrawChildren)
        finally:
            painter.restore()

    def render(self, state: PlaybackState) -> QImage:
        self._show(state)
        image = _image(self.size, self.transparent)
        if not self.transparent:
            image.fill(self.widget.palette().window().color())
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            self._draw(painter, QRectF(0, 0, *self.size))
        finally:
            painter.end()
        return image

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        self._show(state)
        if not self.transparent:
            painter.fillRect(target, self.widget.palette().window().color())
        self._draw(painter, target)

    def close(self) -> None:
        """Put the playback back where it was (a live window shows what it showed before)."""
        if self._restore is not None:
            restore, self._restore = self._restore, None
            self.playback.seek(restore.t, restore.phase, restore.progress)
            if restore.selected != self.playback.selected:
                self.playback.select(restore.selected)


class OwnWidgetFrames(WidgetFrames):
    """A widget made for the export alone: sized to the frame, laid out but never on screen, and
    discarded at the end."""

    def __init__(
        self,
        widget: QWidget,
        playback: Playback,
        size: tuple[int, int],
        *,
        transparent: bool,
        on_close: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(widget, playback, size, transparent=transparent)
        self._on_close = on_close
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        widget.resize(QSize(*size))
        widget.show()
        self.settle()

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()
        self.settle()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


def chain_frames(
    trace: Trace,
    size: tuple[int, int],
    *,
    theme: str = "light",
    transparent: bool = False,
    tokens: list[str] | tuple[str, ...] = (),
) -> OwnWidgetFrames:
    """The unrolled chain (the window's chain view), one module per step, following the step."""
    from ..ui.strips import ChainView
    from ..ui.theme import THEMES

    if theme not in THEMES:
        raise ExportError(f"unknown theme {theme!r}; choose {' or '.join(THEMES)}")
    playback = Playback()
    view = ChainView(playback)
    view.set_theme(THEMES[theme])
    playback.set_trace(trace, t=0)
    view.set_tokens(list(tokens))
    return OwnWidgetFrames(view, playback, size, transparent=transparent)


def dashboard_frames(
    model: object,
    X: np.ndarray,
    trace: Trace,
    size: tuple[int, int],
    *,
    text: str | None = None,
    layer: int = 0,
    reverse: bool = False,
    theme: str = "light",
    timeout: float = 60.0,
) -> OwnWidgetFrames:
    """The whole window (every panel and dock) with ``model`` reading ``X``, for the command line.

    The window computes its trace itself, as it does for a person typing; it must equal ``trace``.
    Its settings go to a temporary file, never the user's.
    """
    import tempfile
    import time

    from PySide6.QtCore import QSettings

    from ..ui.main_window import MainWindow

    folder = tempfile.TemporaryDirectory(prefix="lstm-export-")
    settings = QSettings(f"{folder.name}/settings.ini", QSettings.Format.IniFormat)
    settings.setValue("theme", theme)
    window = MainWindow(model=model, settings=settings)
    window.player.pause()
    if text is None or not window.editor.text_mode:
        text = "\n".join(", ".join(repr(float(v)) for v in row) for row in X)  # exact, unlike the editor's .3g
    window.editor.set_text(text)
    for combo, value in ((window.layer_combo, layer), (window.direction_combo, reverse)):
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)
    deadline = time.monotonic() + timeout
    while not _same_trace(window.playback.trace, trace):
        if time.monotonic() > deadline:
            window.close()
            raise ExportError("the dashboard did not finish computing the sequence in time")
        QApplication.processEvents()
        time.sleep(0.005)
    return OwnWidgetFrames(window, window.playback, size, transparent=False, on_close=folder.cleanup)


def _same_trace(shown: Trace | None, wanted: Trace) -> bool:
    if shown is None or shown.steps != wanted.steps or shown.graph.kind != wanted.graph.kind:
        return False
    return all(np.array_equal(shown[name], wanted[name]) for name in wanted.graph.state_names)


def make_source(
    view: str,
    trace: Trace,
    size: tuple[int, int],
    *,
    theme: str = "light",
    transparent: bool = False,
    walkthrough: bool = False,
    tokens: list[str] | tuple[str, ...] = (),
) -> FrameSource:
    """The frame source for a view that needs only the trace (the diagram and the chain).

    The dashboard needs a model and its input as well: :func:`dashboard_frames`, or, in the app,
    the window itself (:class:`WidgetFrames`).
    """
    if view == "diagram":
        return DiagramFrames(trace, size, theme=theme, transparent=transparent, walkthrough=walkthrough)
    if view == "chain":
        return chain_frames(trace, size, theme=theme, transparent=transparent, tokens=tokens)
    raise ExportError(f"the {view} view needs the model and its input; export it from the window or the CLI")
