"""Held units on the diagram: the cells of a strip whose units an intervention holds, hatched.

One :class:`HeldMarks` item per strip, a child of the strip (so it turns and dims with it), drawn
over its cells at the steps the interventions cover. The strip items themselves are untouched.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..engine.interventions import Intervention
from .strip_item import STRIP_THICKNESS, StripItem
from .theme import Theme


def hatch_colour(theme: Theme) -> QColor:
    """Near black on a light background, near white on a dark one."""
    return QColor("#111111") if theme.background.lightness() > 128 else QColor("#f5f5f5")


class HeldMarks(QGraphicsItem):
    """Hatching over the held cells of one strip (``units``: indices into the strip's cells, or
    None for every cell)."""

    def __init__(self, strip: StripItem, theme: Theme) -> None:
        super().__init__(strip)
        self.strip = strip
        self.theme = theme
        self.units: tuple[int, ...] | None = ()
        self.setZValue(1)  # above the strip's own cells (children paint after their parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)

    def set_units(self, units: tuple[int, ...] | None) -> None:
        """Hatch these cells (None: all; empty: none)."""
        if units != self.units:
            self.units = units
            self.update()
        self.setVisible(units is None or bool(units))

    def cells(self) -> list[int]:
        count = self.strip.count
        if not count:
            return []
        if self.units is None:
            return list(range(count))
        return [u for u in self.units if 0 <= u < count]

    def boundingRect(self) -> QRectF:  # Qt override
        length = self.strip.length
        return QRectF(-length / 2 - 2, -STRIP_THICKNESS / 2 - 4, length + 4, STRIP_THICKNESS + 8)

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        cells = self.cells()
        if not cells:
            return
        colour = hatch_colour(self.theme)
        cell = self.strip.length / self.strip.count
        left, top = -self.strip.length / 2, -STRIP_THICKNESS / 2
        brush = QBrush(colour, Qt.BrushStyle.BDiagPattern)
        for unit in cells:
            box = QRectF(left + unit * cell, top, cell, STRIP_THICKNESS)
            painter.fillRect(box, brush)
            painter.setPen(QPen(colour, 1.4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            # A bar above and below the cell: seen even where the cell is one pixel wide.
            painter.drawLine(box.topLeft() + _up(2.5), box.topRight() + _up(2.5))
            painter.drawLine(box.bottomLeft() + _up(-2.5), box.bottomRight() + _up(-2.5))


def _up(by: float) -> QPointF:
    return QPointF(0.0, -by)


def held_units_at(interventions: Iterable[Intervention], node: str, t: int) -> tuple[int, ...] | None:
    """The units of ``node`` held at step ``t`` (None: all of them; empty: none)."""
    units: set[int] = set()
    for item in interventions:
        if item.node != node or (item.steps is not None and t not in item.steps):
            continue
        if item.units is None:
            return None
        units.update(item.units)
    return tuple(sorted(units))
