"""Horizontal strips with one cell per time step: the token timeline here, the unrolled chain in
:mod:`.chain`.

Both paint only the visible steps (a 10 000-step sequence is 10 000 cells wide), follow the
playback's step, and jump there on a click.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QStaticText,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..playback import PlaybackState
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
