"""What the diagram's backward mode draws: the gradient of one target with respect to every node
of the cell at every step (:class:`GradientField`), coloured by magnitude on a log scale, and the
legend that says so.

The magnitudes span decades (a plain RNN's gradient shrinks by a factor at every step back), so
the colour is log-scaled: the sequential map from ``top``·10⁻⁶ (and zero) to ``top``, the largest
|∂target/∂node| anywhere in the field, so that colours compare across nodes and across steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from .. import colormaps
from .cells import draw_cells
from .items import font
from .theme import Theme

CAPTION_POINTS = 8.5


@dataclass(frozen=True)
class GradientField:
    """∂``target``/∂node at every step, node name → (T, width), in the trace's step order.

    ``anchor``: the target's step; no gradient reaches a step after it. ``top``: the largest
    magnitude over every node and step, the top of the colour scale."""

    target: str
    anchor: int
    nodes: Mapping[str, np.ndarray]
    top: float

    @classmethod
    def of(cls, target: str, anchor: int, nodes: Mapping[str, np.ndarray]) -> GradientField:
        top = max((float(np.max(np.abs(a[: anchor + 1]))) for a in nodes.values() if a.size), default=0.0)
        return cls(target, anchor, nodes, top)

    def reaches(self, t: int) -> bool:
        """Whether any gradient flows back to step ``t`` (steps after the target's get none)."""
        return 0 <= t <= self.anchor

    def magnitudes(self, name: str, t: int) -> np.ndarray:
        """|∂target/∂node| at step ``t``, (width,)."""
        return np.abs(self.nodes[name][t])

    def colours(self, magnitudes: np.ndarray) -> np.ndarray:
        """RGBA (…, 4) of magnitudes on the field's log scale."""
        return colormaps.log_sequential(magnitudes, self.top)

    def caption(self) -> str:
        """The legend's caption: ``|∂ loss@99 / ∂ node|``."""
        return f"|∂ {self.target} / ∂ node|"

    def end_labels(self) -> tuple[str, str]:
        """The magnitudes at the ends of the colour bar."""
        if not self.top > 0:
            return ("0", "0")
        return (f"≤{self.top * 10**-colormaps.LOG_DECADES:.0e}", f"{self.top:.1e}")


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
        self._rect = QRectF(-10, 0, width + 20, 40)
        self.setZValue(5)

    def set_field(self, field: GradientField | None, note: str = "") -> None:
        """Show this field's scale; ``note`` replaces the bar while there is no field (computing…)."""
        if (field, note) != (self.field, self.note):
            self.field, self.note = field, note
            self.update()

    def texts(self) -> list[str]:
        """What the legend says: the caption (or the note) and the two end labels."""
        if self.field is None:
            return [self.note]
        return [f"{self.field.caption()} (log scale)", *self.field.end_labels()]

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
        low, high = texts[1:]
        painter.drawText(QRectF(0, 27, w / 2, 12), Qt.AlignmentFlag.AlignLeft, low)
        painter.drawText(QRectF(w / 2, 27, w / 2, 12), Qt.AlignmentFlag.AlignRight, high)
