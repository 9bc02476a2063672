"""Frame sources: the cell diagram (:class:`DiagramFrames`) and any widget (:class:`WidgetFrames`),
each rendered offscreen by the same code that draws it in the window, from a snapshot of the
document (see :mod:`.registry`; the panels' sources are in :mod:`.panel_views`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from ..engine.interventions import Intervention, for_layer
from ..engine.trace import Trace
from ..playback import FORWARD, Playback, PlaybackState, Walk
from .options import ExportError, ExportOptions

if TYPE_CHECKING:
    from ..diagram.scene import DiagramScene
    from ..document import ExplorerDocument
    from ..scales import ColourScales


def _image(size: tuple[int, int], transparent: bool) -> QImage:
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0) if transparent else QColor(255, 255, 255))
    return image


class DiagramFrames:
    """The cell diagram: the diagram's own offscreen :class:`DiagramRenderer` (one scene, reused)
    for frames, and the same scene painted straight into the SVG or PDF so that boxes, lines and
    labels stay vectors and text."""

    #: The order an animation visits the steps (the backward mode's view walks back in time).
    walk: Walk = FORWARD

    def __init__(
        self,
        trace: Trace,
        size: tuple[int, int],
        *,
        theme: str = "light",
        transparent: bool = False,
        walkthrough: bool = False,
        region: tuple[float, float, float, float] | None = None,
        held: tuple[Intervention, ...] = (),
        scales: ColourScales | None = None,
    ) -> None:
        from ..diagram.render import DiagramRenderer

        try:
            self._renderer = DiagramRenderer(trace.graph, size, theme, transparent=transparent, walkthrough=walkthrough)
        except ValueError as exc:  # an unknown theme
            raise ExportError(str(exc)) from None
        self._renderer.scene.set_held(held)  # held units are hatched, as in the window
        self.trace = trace
        #: The document's colour scales (None: worked out from the trace), as the window colours.
        self.scales = scales
        self.size = size
        self.transparent = transparent
        #: The part of the scene to draw (the window's zoom), or None for the whole cell.
        self.region = QRectF(*region) if region is not None and region[2] > 0 and region[3] > 0 else None

    @property
    def scene(self) -> DiagramScene:
        return self._renderer.scene

    def _source_rect(self, target: QRectF) -> QRectF:
        """The scene rectangle drawn into ``target``: the region widened or heightened about its
        centre to the target's proportions (the frame is filled, nothing is stretched)."""
        if self.region is None:
            return self._renderer.scene.sceneRect()
        region, aspect = self.region, target.width() / target.height()
        w, h = max(region.width(), region.height() * aspect), max(region.height(), region.width() / aspect)
        centre = region.center()
        return QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)

    def render(self, state: PlaybackState) -> QImage:
        if self.region is None:
            return self._renderer.render(self.trace, state, self.scales)
        image = _image(self.size, self.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            self.paint(painter, QRectF(0, 0, *self.size), state)
        finally:
            painter.end()
        return image

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        scene = self._renderer.scene
        if scene.trace is not self.trace or (self.scales is not None and scene.scales is not self.scales):
            scene.set_trace(self.trace, scales=self.scales)
        scene.show_state(state)
        saved = scene.backgroundBrush()
        if self.transparent:
            scene.setBackgroundBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.fillRect(target, scene.theme.background)
        try:
            scene.render(painter, target, self._source_rect(target), Qt.AspectRatioMode.KeepAspectRatio)
        finally:
            scene.setBackgroundBrush(saved)
        if self.region is not None:
            self._pin_legend(painter, target)

    def _pin_legend(self, painter: QPainter, target: QRectF) -> None:
        """Zoomed in, the legend may be out of the region: a copy in the bottom-left corner, as the
        window's diagram view draws it, so colours can always be read."""
        from PySide6.QtWidgets import QStyleOptionGraphicsItem

        scene = self._renderer.scene
        legend = scene.legend
        box = legend.boundingRect()
        margin = 10.0
        painter.save()
        try:
            painter.translate(target.left() + margin - box.left(), target.bottom() - box.height() - margin)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(scene.theme.background)
            painter.drawRoundedRect(box.adjusted(-6, -4, 6, 4), 6, 6)
            legend.paint(painter, QStyleOptionGraphicsItem(), None)
        finally:
            painter.restore()

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
        """Deliver pending layout requests (the widget then draws synchronously); no event loop runs,
        so nothing the user does can slip in between frames."""
        QApplication.sendPostedEvents()

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


#: Widgets are laid out for at most this size and scaled up to bigger frames (a painter scale:
#: text stays sharp), so a 1080p dashboard reads like the 720p one, half as large again.
LAYOUT_SIZE = (1280, 720)


def layout_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size a widget is laid out at to fill a frame of ``size``."""
    scale = max(1.0, min(size[0] / LAYOUT_SIZE[0], size[1] / LAYOUT_SIZE[1]))
    return round(size[0] / scale), round(size[1] / scale)


class OwnWidgetFrames(WidgetFrames):
    """A widget made for the export alone: laid out at the frame's size (or, for frames larger
    than :data:`LAYOUT_SIZE`, at a size it is scaled up from), never on screen, and discarded at
    the end."""

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
        widget.resize(QSize(*layout_size(size)))
        widget.show()
        self.settle()

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()
        self.settle()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


# -- the registered views ----------------------------------------------------------------------------


def diagram_source(document: ExplorerDocument, options: ExportOptions) -> DiagramFrames:
    assert document.trace is not None
    return DiagramFrames(
        document.trace,
        options.size,
        theme=options.theme,
        transparent=options.transparent,
        walkthrough=options.walkthrough,
        region=options.region,
        held=for_layer(document.interventions, *document.layer),
        scales=document.scales,
    )
