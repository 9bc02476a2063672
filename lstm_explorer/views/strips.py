"""Horizontal strips with one cell per time step: the token timeline and the unrolled chain.

Both paint only the visible steps (a 10 000-step sequence is 10 000 cells wide), follow the
playback's step, and jump there on a click.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QStaticText,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..playback import PlaybackState
from ..scales import VALUE, Scale
from .common import token_text
from .theme import Theme, theme

#: How far (px) a cell's drawing may reach into its neighbours (the token strip's step numbers).
CELL_OVERHANG = 12


def _first_difference(a: list[str], b: list[str]) -> int:
    """The first index where two token lists differ (the shorter one's length if one extends the other);
    0 when they differ earlier than at the end (then the whole strip is repainted)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    return 0


class StepStrip(QAbstractScrollArea):
    """A strip of ``cell_width``-wide cells, one per step, scrolled horizontally."""

    step_clicked = Signal(int)

    def __init__(self, document: ExplorerDocument, cell_width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.cell_width = cell_width
        self.theme: Theme = theme("light")
        self.tokens: list[str] = []
        self._static: dict[tuple[str, str], QStaticText] = {}
        self._t = -1
        self._steps_shown = 0
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        document.events.traces.connect(self._on_traces)
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        playback.selection_changed.connect(self._on_selection_changed)

    # -- data --------------------------------------------------------------------------------
    def _on_traces(self, _changed_from: int) -> None:
        self.set_tokens(self.document.shown_tokens)

    def set_tokens(self, tokens: list[str]) -> None:
        old, self.tokens = self.tokens, tokens
        self._update_range()
        self.update_from(_first_difference(old, tokens), max(len(old), len(tokens)))

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self.viewport().update()

    @property
    def steps(self) -> int:
        return self.playback.steps

    def _update_range(self) -> None:
        total = self.steps * self.cell_width
        bar = self.horizontalScrollBar()
        bar.setRange(0, max(total - self.viewport().width(), 0))
        bar.setPageStep(self.viewport().width())
        bar.setSingleStep(self.cell_width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_range()
        self._scroll_to(self.playback.t)

    # Qt override
    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Move what is drawn and paint only the cells scrolled into view (typing at the end of a
        long input scrolls by one cell per keystroke)."""
        self.viewport().scroll(dx, 0)

    # Typing changes the last cells and moves the highlight by one: only those cells are painted
    # again.
    def update_from(self, t: int, end: int) -> None:
        """Repaint the cells of steps ``t`` to ``end`` (exclusive: a cell past the last step is blank)."""
        left = max(int(self.cell_rect(t).left()) - CELL_OVERHANG, 0)
        right = min(int(self.cell_rect(end).left()) + CELL_OVERHANG, self.viewport().width())
        if left < right:
            self.viewport().update(left, 0, right - left, self.viewport().height())

    def update_step(self, t: int) -> None:
        """Repaint step ``t``'s cell (and what of it overhangs its neighbours)."""
        rect = self.cell_rect(t).toAlignedRect().adjusted(-CELL_OVERHANG, 0, CELL_OVERHANG, 0)
        self.viewport().update(rect)

    def _on_trace_changed(self, trace: Trace | None) -> None:
        self._update_range()
        old, self._steps_shown = self._steps_shown, self.steps
        self.update_from(self.playback.changed_from if trace is not None else 0, max(old, self.steps))

    def _on_position_changed(self, state: PlaybackState) -> None:
        if state.t != self._t:
            old, self._t = self._t, state.t
            self._scroll_to(state.t)
            if old >= 0:
                self.update_step(old)
            self.update_step(state.t)

    def _on_selection_changed(self, selected: tuple[int, ...]) -> None:
        self.viewport().update()

    def _scroll_to(self, t: int) -> None:
        bar = self.horizontalScrollBar()
        left, width = t * self.cell_width, self.viewport().width()
        if left < bar.value() or left + self.cell_width > bar.value() + width:
            bar.setValue(left - width // 2 + self.cell_width // 2)

    def step_at(self, x: float) -> int:
        return int((x + self.horizontalScrollBar().value()) // self.cell_width)

    def cell_rect(self, t: int) -> QRectF:
        """Where step ``t`` is drawn, in viewport coordinates."""
        x = t * self.cell_width - self.horizontalScrollBar().value()
        return QRectF(x, 0, self.cell_width, self.viewport().height())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Either wheel direction scrolls along time (three steps a notch)."""
        delta = event.angleDelta()
        notches = (delta.x() or delta.y()) / 120.0
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() - round(notches * 3 * self.cell_width))
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.steps:
            t = self.step_at(event.position().x())
            if 0 <= t < self.steps:
                self.playback.seek(t)
                self.step_clicked.emit(t)
                return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), QColor(self.theme.base))
        if self.steps:
            # The cells under each exposed rectangle, with the neighbours whose drawing overhangs
            # into it (Qt clips to the exposed region).
            scroll, width = self.horizontalScrollBar().value(), self.cell_width
            steps: set[int] = set()
            for rect in event.region():  # type: ignore[attr-defined]  # (QRegion iterates its rectangles)
                first = max((scroll + rect.left() - CELL_OVERHANG) // width, 0)
                last = min((scroll + rect.right() + CELL_OVERHANG) // width + 1, self.steps)
                steps.update(range(first, last))
            for t in sorted(steps):
                painter.save()
                self.paint_step(painter, t, self.cell_rect(t))
                painter.restore()
        painter.end()

    def paint_step(self, painter: QPainter, t: int, rect: QRectF) -> None:
        raise NotImplementedError

    def draw_text(self, painter: QPainter, rect: QRectF, text: str, font: QFont) -> None:
        """Centre ``text`` in ``rect``; laid out once per (text, font) and reused (QStaticText),
        since the same tokens and labels are drawn on every repaint."""
        key = (text, font.key())
        static = self._static.get(key)
        if static is None:
            if len(self._static) > 4000:
                self._static.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._static[key] = static
        size = static.size()
        painter.setFont(font)
        painter.drawStaticText(
            QPointF(rect.center().x() - size.width() / 2, rect.center().y() - size.height() / 2), static
        )


class TokenStrip(StepStrip):
    """The input tokens on a line, the current one highlighted; a click jumps there."""

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, 24, parent)
        self._font_cache: tuple[QFont, QFont, QFont, QFont] | None = None
        self._elided: dict[tuple[str, str, int], str] = {}
        self.setFixedHeight(44)
        # No scroll bar (it would cover the step numbers): the strip follows t; the wheel scrolls it.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("The input, one cell per step: click a token to jump there")

    def set_tokens(self, tokens: list[str]) -> None:
        longest = max((len(token_text(s)) for s in tokens[:50]), default=1)
        width = 24 if longest <= 1 else min(16 + 7 * longest, 90)
        if width != self.cell_width:
            self.cell_width = width
            self.viewport().update()
        super().set_tokens(tokens)

    def _elide(self, text: str, font: QFont, width: int) -> str:
        """``text`` shortened with … to fit ``width`` pixels (numeric steps can be long)."""
        if len(text) <= 1:
            return text
        key = (text, font.key(), width)
        short = self._elided.get(key)
        if short is None:
            if len(self._elided) > 4000:
                self._elided.clear()
            short = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elided[key] = short
        return short

    def _fonts(self) -> tuple[QFont, QFont, QFont, QFont]:
        """(token, token bold, index, index bold), built once."""
        if self._font_cache is None:
            token = QFont(self.font())
            token.setFamily("monospace")
            bold = QFont(token)
            bold.setBold(True)
            small = QFont(token)
            small.setPointSizeF(max(token.pointSizeF() * 0.7, 6))
            small_bold = QFont(small)
            small_bold.setBold(True)
            self._font_cache = (token, bold, small, small_bold)
        return self._font_cache

    def paint_step(self, painter: QPainter, t: int, rect: QRectF) -> None:
        th = self.theme
        current = t == self.playback.t
        token_font, bold_font, small_font, small_bold = self._fonts()
        box = rect.adjusted(1, 3, -1, -16)
        if current:
            painter.fillRect(box, QColor(th.highlight))
        elif t % 2:
            painter.fillRect(box, QColor(th.window))
        painter.setPen(QColor(th.text))
        text = token_text(self.tokens[t]) if t < len(self.tokens) else ""
        font = bold_font if current else token_font
        self.draw_text(painter, box, self._elide(text, font, int(box.width()) - 4), font)
        if t % 5 == 0 or current:
            painter.setPen(QColor(th.text if current else th.muted))
            self.draw_text(
                painter,
                QRectF(rect.left() - 10, rect.bottom() - 15, rect.width() + 20, 14),
                str(t),
                small_bold if current else small_font,
            )


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
