"""The unrolled chain: one module per time step, x_t below, h_t above, the cell-state line through
them, the current step highlighted (a :class:`~.strips.StepStrip`: only visible steps are painted)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..scales import VALUE, Scale
from .common import token_text
from .strips import StepStrip


class ChainView(StepStrip):
    """The unrolled network: the repeating module once per step, x_t below, h_t above and the
    cell-state line running through the top. Each module shows h_t as a colour strip."""

    MODULE = 96

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, self.MODULE, parent)
        self.setMinimumHeight(150)
        self.title = "A"
        self.setToolTip("The network unrolled through time: click a module to jump to its step")
        self._images: dict[int, tuple[QImage, np.ndarray]] = {}  # t → h_t strip (image, its pixels)
        self._image_rows = 0
        self._image_scale: Scale | None = None  # the scale the cached strips were coloured with
        self._chain_fonts: dict[str, QFont] = {}

    def _on_trace_changed(self, trace: Trace | None) -> None:
        if trace is not None:
            self.title = trace.graph.kind.split("-")[0].upper()
        changed = self.playback.changed_from
        self._images = {t: v for t, v in self._images.items() if t < changed}
        super()._on_trace_changed(trace)

    def _font(self, kind: str) -> QFont:
        font = self._chain_fonts.get(kind)
        if font is None:
            font = QFont(self.font())
            if kind != "title":
                font.setFamily("monospace")
            font.setBold(kind in ("title", "token_bold"))
            if kind == "small":
                font.setPointSizeF(max(font.pointSizeF() * 0.75, 6))
            self._chain_fonts[kind] = font
        return font

    def _title_font(self, width: float) -> QFont:
        """The bold title font, smaller for long names ("PEEPHOLE") so the name fits the module."""
        key = f"title:{self.title}:{width:.0f}"
        font = self._chain_fonts.get(key)
        if font is None:
            font = QFont(self._font("title"))
            advance = QFontMetrics(font).horizontalAdvance(self.title)
            if advance > width > 0:
                font.setPointSizeF(max(font.pointSizeF() * width / advance, 5.0))
            self._chain_fonts[key] = font
        return font

    def _hidden_scale(self) -> Scale:
        scales, trace = self.document.scales, self.playback.trace
        name = trace.graph.hidden_output if trace is not None else ""
        return scales[name] if scales is not None and name in scales else Scale(VALUE, "diverging")

    def _strip_image(self, t: int, h: np.ndarray, rows: int) -> QImage:
        """h_t resampled to ``rows`` pixels and coloured with the document's scale for h (the
        diagram's and the heatmaps'); kept until step t or the scale changes."""
        scale = self._hidden_scale()
        if rows != self._image_rows or scale != self._image_scale:
            self._images.clear()
            self._image_rows, self._image_scale = rows, scale
        cached = self._images.get(t)
        if cached is None:
            if len(self._images) > 512:
                self._images.clear()
            index = np.minimum((np.arange(rows) * len(h)) // rows, len(h) - 1)
            rgba = np.ascontiguousarray(scale.colours(h[index])[:, None, :])
            cached = (QImage(rgba.data, 1, rows, 4, QImage.Format.Format_RGBA8888), rgba)
            self._images[t] = cached
        return cached[0]

    def paint_step(self, painter: QPainter, t: int, rect: QRectF) -> None:
        trace = self.playback.trace
        if trace is None:
            return
        th = self.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        current = t == self.playback.t
        h_total = rect.height()
        top_line = 22.0  # y of the cell-state line
        box = QRectF(rect.left() + 14, top_line + 12, rect.width() - 28, max(h_total - top_line - 74, 24))
        line_pen = QPen(QColor(th.muted), 2)
        has_cell = trace.graph.cell_state is not None
        mid_y = box.center().y()
        # Recurrent connections: from the previous module into this one, and on to the next.
        painter.setPen(line_pen)
        painter.drawLine(QPointF(rect.left(), mid_y + 10), QPointF(box.left(), mid_y + 10))
        painter.drawLine(QPointF(box.right(), mid_y + 10), QPointF(rect.right(), mid_y + 10))
        if has_cell:
            painter.setPen(QPen(QColor(th.accent), 3))
            painter.drawLine(QPointF(rect.left(), top_line), QPointF(rect.right(), top_line))
            painter.setPen(line_pen)
            painter.drawLine(QPointF(box.center().x(), top_line), QPointF(box.center().x(), box.top()))
        # The module.
        fill = QColor("#fff3c4") if th.name == "light" else QColor("#4a4226")
        if current:
            fill = QColor(th.highlight)
        painter.setBrush(fill)
        painter.setPen(QPen(QColor(th.text if current else th.muted), 2.5 if current else 1.2))
        painter.drawRoundedRect(box, 8, 8)
        # h_t as a strip of colours inside the module (resampled to the box's height).
        h = trace[trace.graph.hidden_output][t]
        strip = QRectF(box.right() - 16, box.top() + 6, 9, box.height() - 12)
        painter.drawImage(strip, self._strip_image(t, h, max(int(strip.height()), 1)))
        painter.setPen(QPen(QColor(th.muted), 0.8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(strip)
        painter.setPen(QColor(th.text))
        title_box = box.adjusted(3, 0, -18, 0)
        self.draw_text(painter, title_box, self.title, self._title_font(title_box.width()))
        # x_t from below, h_t up and out.
        painter.setPen(line_pen)
        cx = box.center().x() - 7
        painter.drawLine(QPointF(cx, rect.bottom() - 36), QPointF(cx, box.bottom()))
        _arrow_head(painter, QPointF(cx, box.bottom()), up=True, colour=QColor(th.muted))
        painter.setPen(QColor(th.text))
        token = token_text(self.tokens[t]) if t < len(self.tokens) else ""
        if len(token) > 11:
            token = token[:10] + "…"
        token_rect = QRectF(rect.left(), rect.bottom() - 35, rect.width(), 18)
        self.draw_text(painter, token_rect, token, self._font("token_bold" if current else "token"))
        painter.setPen(QColor(th.muted))
        t_rect = QRectF(rect.left(), rect.bottom() - 16, rect.width(), 14)
        self.draw_text(painter, t_rect, f"t = {t}", self._font("small"))
        # The selected unit's value above the module.
        selected = self.playback.selected
        label = f"h[{selected[0]}] {h[selected[0]]:+.2f}" if selected else "h_t"
        painter.setPen(QColor(th.text))
        self.draw_text(painter, QRectF(rect.left(), 0, rect.width(), top_line - 4), label, self._font("small"))


def _arrow_head(painter: QPainter, tip: QPointF, *, up: bool, colour: QColor) -> None:
    d = -6 if up else 6
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPolygon(QPolygonF([tip, QPointF(tip.x() - 4, tip.y() - d), QPointF(tip.x() + 4, tip.y() - d)]))
