"""A vector on a wire: a strip of cells coloured by value, one image per strip (not one item per
unit), clickable and hoverable unit by unit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from . import strip_numbers
from .cells import draw_cells
from .theme import Theme

STRIP_THICKNESS = 12.0
MAX_STRIP_LENGTH = 80.0
PACKET_LENGTH = 44.0


def strip_image(values: np.ndarray, colormap: Callable[[np.ndarray], np.ndarray]) -> QImage:
    """One row of ``len(values)`` pixels coloured by the map: a strip is one image, not one item per unit."""
    rgba = np.ascontiguousarray(colormap(np.asarray(values, dtype=np.float64)).reshape(1, -1, 4))
    image = QImage(rgba.data, rgba.shape[1], 1, rgba.shape[1] * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # detach from the NumPy buffer


def strip_images(vectors: list[np.ndarray], colormap: Callable[[np.ndarray], np.ndarray]) -> list[QImage]:
    """:func:`strip_image` for several vectors at once: one pass of the colour map for all of them
    (a frame colours a dozen short vectors; the map's fixed cost dominates each call)."""
    if not vectors:
        return []
    rgba = colormap(np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in vectors]))
    images, start = [], 0
    for v in vectors:
        part = np.ascontiguousarray(rgba[start : start + v.size].reshape(1, -1, 4))
        start += v.size
        images.append(QImage(part.data, part.shape[1], 1, part.shape[1] * 4, QImage.Format.Format_RGBA8888).copy())
    return images


class StripItem(QGraphicsItem):
    """A vector on a wire: ``n`` cells along the item's local x axis, centred on its position.

    The item is rotated to lie along its wire; unit 0 sits at the end the vector comes from.
    ``unit_offset``/``unit_count`` say which cells are hidden units (all for h-wide vectors, the
    first H of a concatenation [h, x], none for x) so selection can be shown and clicked.
    """

    def __init__(self, owner: str, length: float, theme: Theme, on_click: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.owner = owner
        self.length = length
        self.theme = theme
        self.image: QImage | None = None
        self.values: np.ndarray | None = None
        self.hidden_units = 0  # cells [0, hidden_units) are hidden units that can be selected
        self.selected_units: tuple[int, ...] = ()
        self.on_click = on_click
        self.travelling = False  # a vector on its way: outlined in the glow colour
        #: How a cell's number and the selected unit's label are written (values; gradient magnitudes).
        self.number_formats = strip_numbers.VALUE_FORMATS
        self.thickness = STRIP_THICKNESS
        self._rect = QRectF(-length / 2, -STRIP_THICKNESS / 2, length, STRIP_THICKNESS)
        room = strip_numbers.unit_label_room(STRIP_THICKNESS)  # the selected unit's value, beside it
        self._bounds = QRectF(-length / 2 - room, -room, length + 2 * room, 2 * room)
        self.setAcceptHoverEvents(True)
        self.setZValue(3)

    def set_vector(
        self,
        values: np.ndarray | None,
        image: QImage | None,
        hidden_units: int,
        formats: tuple[str, str] = strip_numbers.VALUE_FORMATS,
    ) -> None:
        self.values, self.image, self.hidden_units = values, image, hidden_units
        self.number_formats = formats
        self.update()

    def set_selection(self, units: tuple[int, ...]) -> None:
        if units != self.selected_units:
            self.selected_units = units
            self.update()

    @property
    def count(self) -> int:
        return 0 if self.values is None else len(self.values)

    def index_at(self, local_x: float) -> int | None:
        """The cell under a point along the strip (any cell, hidden unit or not)."""
        if not self.count:
            return None
        index = int((local_x - self._rect.left()) / self.length * self.count)
        return min(max(index, 0), self.count - 1)

    def unit_at(self, local_x: float) -> int | None:
        """The hidden unit under a point along the strip, or None (x part, or no vector)."""
        index = self.index_at(local_x)
        return index if index is not None and index < self.hidden_units else None

    def boundingRect(self) -> QRectF:  # Qt override
        return self._bounds

    def shape(self) -> QPainterPath:  # Qt override: hover and clicks on the strip, not its label room
        path = QPainterPath()
        path.addRect(self._rect.adjusted(-3, -3, 3, 3))
        return path

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect, t = self._rect, self.theme
        if self.image is None:
            painter.setPen(QPen(t.frame_edge, 0.8, Qt.PenStyle.DashLine))
            painter.setBrush(t.pending_strip)
            painter.drawRect(rect)
            return
        draw_cells(painter, rect, self.image)  # one image, or one rectangle per cell in SVG/PDF
        painter.setPen(QPen(t.glow, 2.0) if self.travelling else QPen(t.wire, 0.8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        cell = self.length / self.count
        numbers = strip_numbers.paint_cell_numbers(painter, self, cell)
        shown = [unit for unit in self.selected_units if unit < self.hidden_units]
        for unit in shown:
            width = max(cell, 3.0)
            x = rect.left() + (unit + 0.5) * cell - width / 2
            painter.setPen(QPen(t.selection, 2.0))
            painter.drawRect(QRectF(x, rect.top() - 2.5, width, rect.height() + 5))
        if shown and not numbers and not self.travelling:
            strip_numbers.paint_unit_label(painter, self, shown[0], cell, t.selection)

    # Qt override
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        unit = self.unit_at(event.pos().x())
        if unit is None or self.on_click is None:
            event.ignore()
            return
        event.accept()
        self.on_click(unit)
