"""The diagram's legend: one colour bar per quantity drawn on the strips, captioned with the range
in use (``gate 0…1``, ``value ±1``, ``cell state ±20``), the same scales the heatmaps show."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colormaps
from ..scales import Scale
from .cells import draw_cells
from .items import font
from .theme import Theme

CAPTION_POINTS = 8.5


class LegendItem(QGraphicsItem):
    """The colour scales with their ranges: always visible, so colours can be read.

    Its entries (one per quantity of the cell) are fixed when the scene is built, so the legend
    keeps its size and place while the ranges change with the input; only the numbers change."""

    BAR = (96.0, 10.0)
    GAP = 26.0

    def __init__(self, theme: Theme, scales: tuple[Scale, ...]) -> None:
        super().__init__()
        self.theme = theme
        self.scales = scales
        self._images = {name: _gradient_image(name) for name in ("diverging", "sequential")}
        # Room for the longest caption a quantity can have (its range up to five digits).
        metrics = QFontMetricsF(font(CAPTION_POINTS))
        self._widths = [max(self.BAR[0], metrics.horizontalAdvance(f"{s.quantity} ±88888") + 4) for s in self.scales]
        width = sum(self._widths) + self.GAP * max(len(self._widths) - 1, 0)
        self._rect = QRectF(-10, 0, width + 20, 40)
        self.setZValue(5)

    def set_scales(self, scales: tuple[Scale, ...]) -> None:
        """New ranges for the same quantities (the entries keep their places)."""
        if [s.quantity for s in scales] != [s.quantity for s in self.scales]:
            raise ValueError("the legend's quantities are fixed when the diagram is built")
        if scales != self.scales:
            self.scales = scales
            self.update()

    def texts(self) -> list[str]:
        """The captions as drawn: ``["gate 0…1", "value ±1", "cell state ±20"]``."""
        return [s.text for s in self.scales]

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        w, h = self.BAR
        painter.setFont(font(CAPTION_POINTS))
        x = 0.0
        for scale, room in zip(self.scales, self._widths, strict=True):
            painter.setPen(self.theme.muted_text)
            painter.drawText(QPointF(x, 10), scale.text)
            bar = QRectF(x, 15, w, h)
            draw_cells(painter, bar, self._images[scale.map_name])
            painter.setPen(QPen(self.theme.wire, 0.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(bar)
            painter.setPen(self.theme.muted_text)
            labels = scale.end_labels()
            for k, text in enumerate(labels):
                centre = x + w * k / (len(labels) - 1)
                painter.drawText(QRectF(centre - 16, 27, 32, 12), Qt.AlignmentFlag.AlignCenter, text)
            x += room + self.GAP


def _gradient_image(name: colormaps.MapName) -> QImage:
    rgba = np.ascontiguousarray(colormaps.gradient(name).reshape(1, -1, 4))
    return QImage(rgba.data, rgba.shape[1], 1, rgba.shape[1] * 4, QImage.Format.Format_RGBA8888).copy()
