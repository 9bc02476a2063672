"""Numbers on the wires: the selected unit's value beside every strip (readable at the zoom that
shows the whole cell), and every cell's value written in it once the cells are large enough.

Text is upright whatever the strip's direction, sized to fit the room it has, and never clipped.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

if TYPE_CHECKING:
    from .strip_item import StripItem

FONT_FAMILY = "DejaVu Sans"
#: Cell numbers are written once their line of text is this many device pixels high (digits ~7 px).
CELL_TEXT_MIN_PX = 10.0
CELL_NUMBERS_MAX_UNITS = 32
#: The selected unit's value beside a strip: its size in scene units (about 15 px at 1:1) and the
#: gap between the strip and the text.
UNIT_LABEL_POINTS = 11.0
UNIT_LABEL_GAP = 2.5
#: The widest text a cell or a label holds, used to size the fonts ("−0.00", "+0.00").
WIDEST_CELL_TEXT = "-0.00"
#: (cell, label) formats: values (``0.63``, ``+0.63``); gradient magnitudes (``3e-05``), as wide.
VALUE_FORMATS = ("{:.2f}", "{:+.2f}")
MAGNITUDE_FORMATS = ("{:.0e}", "{:.0e}")
_DRAW = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextDontClip
_POINTS_TO_PX = 96.0 / 72.0


def _font(points: float) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(max(points, 0.1))
    # Unhinted: tiny sizes in scene units are drawn magnified, so their metrics must scale exactly.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def device_scale(painter: QPainter) -> float:
    """Device pixels per scene unit where the painter draws now."""
    m = painter.worldTransform()
    d = m.map(QPointF(1, 0)) - m.map(QPointF(0, 0))
    return math.hypot(d.x(), d.y())


def _upright_room(strip: StripItem, cell: float) -> tuple[float, float]:
    """(width, height) a cell's upright text may take: a cell is ``cell`` long along the strip and
    the strip's thickness across it, and the strip may run in any direction."""
    thickness = strip.thickness
    angle = math.radians(strip.rotation())
    cos, sin = abs(math.cos(angle)), abs(math.sin(angle))
    return cell * cos + thickness * sin, thickness * cos + cell * sin


def cell_font_points(strip: StripItem, cell: float) -> float:
    """The largest font (points, in scene units) whose widest number fits a cell, 80% of its height."""
    width, height = _upright_room(strip, cell)
    reference = QFontMetricsF(_font(10.0))
    points = 10.0 * min(0.9 * width / reference.horizontalAdvance(WIDEST_CELL_TEXT), 0.8 * height / reference.height())
    for _ in range(8):  # metrics are not exactly linear in the size: shrink until it fits
        metrics = QFontMetricsF(_font(points))
        if metrics.horizontalAdvance(WIDEST_CELL_TEXT) <= 0.95 * width and metrics.height() <= height:
            break
        points *= 0.9
    return points


def paint_cell_numbers(painter: QPainter, strip: StripItem, cell: float) -> bool:
    """Every cell's value in the cell, when the text comes out at least CELL_TEXT_MIN_PX high on the
    device (so it shows when zoomed in, not at the whole-cell view). True if drawn."""
    if strip.values is None or strip.image is None or strip.count > CELL_NUMBERS_MAX_UNITS:
        return False
    points = cell_font_points(strip, cell)
    if points * _POINTS_TO_PX * device_scale(painter) < CELL_TEXT_MIN_PX:
        return False
    painter.setFont(_font(points))
    width, height = _upright_room(strip, cell)
    left, angle = -strip.length / 2, strip.rotation()
    for k, v in enumerate(strip.values):
        rgb = QColor(strip.image.pixel(k, 0))
        dark = 0.299 * rgb.red() + 0.587 * rgb.green() + 0.114 * rgb.blue() < 140
        painter.setPen(QColor("#ffffff") if dark else QColor("#000000"))
        painter.save()
        painter.translate(left + (k + 0.5) * cell, 0.0)
        painter.rotate(-angle)
        painter.drawText(QRectF(-width / 2, -height / 2, width, height), _DRAW, strip.number_formats[0].format(v))
        painter.restore()
    return True


def unit_label_rect(strip: StripItem, unit: int) -> QRectF:
    """Where the selected unit's value goes, upright, in the strip's coordinates rotated back to the
    scene's (origin: the unit's cell): beside the strip on its outer side (above a horizontal
    strip, left of one running up)."""
    metrics = QFontMetricsF(_font(UNIT_LABEL_POINTS))
    w, h = metrics.horizontalAdvance("+" + WIDEST_CELL_TEXT[1:]) + 2, metrics.height()
    angle = math.radians(strip.rotation())
    # The strip's local "up" (0, −1), turned as the strip is: the side the label goes on.
    nx, ny = math.sin(angle), -math.cos(angle)
    across = strip.thickness / 2 + UNIT_LABEL_GAP
    cx, cy = nx * across, ny * across
    if abs(nx) > abs(ny):  # the strip runs up or down: the label to its side, centred on the cell
        x = cx if nx > 0 else cx - w
        return QRectF(x, cy - h / 2, w, h)
    y = cy if ny > 0 else cy - h
    return QRectF(cx - w / 2, y, w, h)


def paint_unit_label(painter: QPainter, strip: StripItem, unit: int, cell: float, colour: QColor) -> None:
    """The selected unit's value (``+0.63``) beside its cell, in the selection colour."""
    assert strip.values is not None
    painter.save()
    painter.translate(-strip.length / 2 + (unit + 0.5) * cell, 0.0)
    painter.rotate(-strip.rotation())
    painter.setFont(_font(UNIT_LABEL_POINTS))
    painter.setPen(colour)
    painter.drawText(unit_label_rect(strip, unit), _DRAW, strip.number_formats[1].format(strip.values[unit]))
    painter.restore()


def unit_label_room(thickness: float) -> float:
    """How far (scene units) a label may reach from the strip's centre line, any direction."""
    metrics = QFontMetricsF(_font(UNIT_LABEL_POINTS))
    return thickness / 2 + UNIT_LABEL_GAP + metrics.horizontalAdvance("+" + WIDEST_CELL_TEXT[1:]) + 4
