"""What the diagram's backward mode draws: the gradient of one target with respect to every node
of the cell at every step (:class:`~lstm_explorer.gradient_field.GradientField`, Qt-free, which the
document holds), coloured by magnitude on a log scale, and the legend that says so."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colormaps
from ..gradient_field import GradientField
from .cells import draw_cells
from .items import font
from .theme import Theme

__all__ = ["GradientField", "GradientLegendItem"]

CAPTION_POINTS = 8.5


class GradientLegendItem(QGraphicsItem):
    """The backward mode's legend: what the colours measure, the log bar and its two ends."""

    BAR = (150.0, 10.0)

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.field: GradientField | None = None
        self.note = ""
        rgba = np.ascontiguousarray(colormaps.gradient("sequential").reshape(1, -1, 4))
        self._image = QImage(rgba.data, rgba.shape[1], 1, rgba.shape[1] * 4, QImage.Format.Format_RGBA8888).copy()
        # Room for a long caption: |∂ logit[12]@-100 / ∂ node| (log scale)
        width = max(self.BAR[0], QFontMetricsF(font(CAPTION_POINTS)).horizontalAdvance("M" * 30))
        self._rect = QRectF(-10, 0, width + 20, 52)  # caption, bar, its ends, and a note under them
        self.setZValue(5)

    def set_field(self, field: GradientField | None, note: str = "") -> None:
        """Show this field's scale; ``note`` replaces the bar while there is no field (computing…),
        or stands under it (a field recorded at some steps only)."""
        if (field, note) != (self.field, self.note):
            self.field, self.note = field, note
            self.update()

    def texts(self) -> list[str]:
        """What the legend says: the caption (or the note) and the two end labels."""
        if self.field is None:
            return [self.note]
        return [f"{self.field.caption()} (log scale)", *self.field.end_labels(), *([self.note] if self.note else [])]

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setFont(font(CAPTION_POINTS))
        painter.setPen(self.theme.muted_text)
        texts = self.texts()
        painter.drawText(QPointF(0, 10), texts[0])
        if self.field is None:
            return
        w, h = self.BAR
        bar = QRectF(0, 15, w, h)
        draw_cells(painter, bar, self._image)
        painter.setPen(QPen(self.theme.wire, 0.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar)
        painter.setPen(self.theme.muted_text)
        low, high = texts[1:3]
        painter.drawText(QRectF(0, 27, w / 2, 12), Qt.AlignmentFlag.AlignLeft, low)
        painter.drawText(QRectF(w / 2, 27, w / 2, 12), Qt.AlignmentFlag.AlignRight, high)
        if len(texts) > 3:
            painter.drawText(QPointF(0, 49), texts[3])
