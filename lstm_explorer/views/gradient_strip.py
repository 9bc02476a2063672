"""‖∂target/∂x_k‖ as a strip of cells under the input tokens: which earlier inputs the target
depends on (Distill's connectivity, computed exactly). Colours are a log scale over six decades
below the largest value (viridis: yellow is the largest), so a gradient that vanishes over a
long lag fades to dark rather than to nothing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ..colormaps import sequential
from .common import token_text
from .theme import Theme, theme

#: Decades shown below the largest value; anything smaller is drawn as the darkest colour.
DECADES = 6.0


def log_fractions(values: np.ndarray) -> np.ndarray:
    """Each value's place on the strip's scale: 1 at the largest, 0 at DECADES below it or less
    (and for zeros). (T,) → (T,) in [0, 1]."""
    values = np.abs(np.asarray(values, dtype=np.float64))
    top = float(values.max()) if values.size else 0.0
    if not top > 0:
        return np.zeros_like(values)
    with np.errstate(divide="ignore"):
        logs = np.log10(values / top)
    return np.clip(1.0 + logs / DECADES, 0.0, 1.0)


class InputGradientStrip(QWidget):
    """One cell per step (trace order), token above; the target's step is outlined."""

    ROW = 18

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientsInputStrip")
        self.theme: Theme = theme("light")
        self.tokens: list[str] = []
        self.values = np.zeros(0)
        self.anchor = -1
        self._image: QImage | None = None
        self.setFixedHeight(2 * self.ROW + 6)

    def show_values(self, tokens: list[str], values: np.ndarray, anchor: int) -> None:
        self.tokens, self.values, self.anchor = tokens, np.asarray(values, dtype=np.float64), anchor
        rgba = np.ascontiguousarray(sequential(log_fractions(self.values))[None, :, :])  # (1, T, 4)
        self._image = QImage(rgba.data, rgba.shape[1], 1, rgba.shape[1] * 4, QImage.Format.Format_RGBA8888).copy()
        self.update()

    def clear(self) -> None:
        self.tokens, self.values, self.anchor, self._image = [], np.zeros(0), -1, None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        steps = self.values.size
        if self._image is None or steps == 0:
            painter.end()
            return
        width = self.width()
        cell = width / steps
        cells = QRectF(0, self.ROW + 2, width, self.ROW)
        painter.drawImage(cells, self._image)  # one image for the whole strip, stretched
        if 0 <= self.anchor < steps:
            painter.setPen(QPen(QColor(self.theme.cursor), 2))
            painter.drawRect(QRectF(self.anchor * cell, cells.top(), max(cell, 2.0), cells.height()))
        font = QFont(painter.font())
        font.setFamily("monospace")
        painter.setFont(font)
        painter.setPen(QColor(self.theme.text))
        metrics = painter.fontMetrics()
        if cell >= metrics.horizontalAdvance("MM"):
            for k, token in enumerate(self.tokens[:steps]):
                text = metrics.elidedText(token_text(token), Qt.TextElideMode.ElideRight, int(cell))
                painter.drawText(QRectF(k * cell, 0, cell, self.ROW), Qt.AlignmentFlag.AlignCenter, text)
        else:  # too many steps for their tokens: label the two ends
            painter.drawText(QRectF(0, 0, width, self.ROW), Qt.AlignmentFlag.AlignLeft, "k = 0")
            painter.drawText(QRectF(0, 0, width, self.ROW), Qt.AlignmentFlag.AlignRight, f"k = {steps - 1}")
        painter.end()
