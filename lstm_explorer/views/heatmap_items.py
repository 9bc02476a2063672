"""The graphics items of the heatmaps: a colour scale beside each map, the time cursor, and the
image tiles the maps are made of."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsWidget, QWidget

from .. import colormaps
from .theme import Theme

if TYPE_CHECKING:
    import pyqtgraph as pg


class ScaleBar(QGraphicsWidget):
    """A heatmap's colour scale: the map as a vertical bar with its two ends and middle labelled.

    (A pyqtgraph ColorBarItem is a whole PlotItem; six of them cost 60 ms at start-up.)
    """

    WIDTH = 44.0

    def __init__(self, name: colormaps.MapName, low: float, high: float, t: Theme) -> None:
        super().__init__()
        self.theme = t
        self.set_map(name, low, high)
        self.setMinimumWidth(self.WIDTH)
        self.setMaximumWidth(self.WIDTH)

    def set_map(self, name: colormaps.MapName, low: float, high: float) -> None:
        rgba = np.ascontiguousarray(colormaps.gradient(name, 128)[::-1][:, None, :])  # top = high
        self._rgba = rgba  # the image reads these bytes
        self._image = QImage(rgba.data, 1, len(rgba), 4, QImage.Format.Format_RGBA8888)
        self.set_range(low, high)

    def set_range(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.update()

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self.update()

    def labels(self) -> list[str]:
        # A true minus sign, as the diagram's legend writes it ("−20", not "-20").
        return [f"{v:g}".replace("-", "−") for v in (self.high, (self.low + self.high) / 2, self.low)]

    def paint(self, painter: QPainter, option: object, widget: QWidget | None = None) -> None:  # Qt override
        r = self.rect()
        bar = QRectF(r.left() + 3, r.top() + 6, 9, max(r.height() - 12, 4))
        painter.drawImage(bar, self._image)
        painter.setPen(QColor(self.theme.plot_foreground))
        painter.drawRect(bar)
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        painter.setFont(font)
        for k, text in enumerate(self.labels()):
            y = bar.top() + k * bar.height() / 2
            painter.drawText(
                QRectF(bar.right() + 3, y - 7, r.width() - bar.width() - 6, 14),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )


class TimeCursor(QGraphicsLineItem):
    """The vertical line at step t: a plain line item in data coordinates with a cosmetic pen.

    pyqtgraph's InfiniteLine recomputes its bounding rectangle from the view on every move
    (≈0.2 ms each, six heatmaps per keystroke); this one only moves."""

    def __init__(self, height: int, colour: str) -> None:
        super().__init__(0.0, 0.0, 0.0, float(height))
        self.setZValue(10)
        self.set_colour(colour)

    def set_colour(self, colour: str) -> None:
        pen = QPen(QColor(colour), 2)
        pen.setCosmetic(True)  # 2 px wide whatever the zoom
        self.setPen(pen)

    def set_height(self, height: int) -> None:
        self.setLine(0.0, 0.0, 0.0, float(height))

    def set_value(self, x: float) -> None:
        self.setPos(x, 0.0)

    def value(self) -> float:
        return self.pos().x()


#: Steps per image tile, at least.
TILE = 256
#: Tiles per map, at most: a long trace gets wider tiles. Every repaint draws every tile, each a
#: Python paint with its own Qt calls: 391 tiles a map at T = 100 000 took 30 ms per repaint of
#: the panel (5 ms with 49), and far longer when a worker thread held the interpreter meanwhile.
MAX_TILES = 48


def tile_steps(steps: int, current: int = TILE) -> int:
    """Steps per tile for a trace of ``steps``: TILE doubled until a map has at most MAX_TILES
    tiles. It shrinks back only once the trace is far shorter (a quarter of the tiles), so typing
    around a boundary does not cut every map again on each keystroke."""
    tile = max(current, TILE)
    while tile > TILE and steps <= (tile // 2) * MAX_TILES // 4:
        tile //= 2
    while steps > tile * MAX_TILES:
        tile *= 2
    return tile


def fit_units(plot: pg.PlotItem, cursor: TimeCursor, hidden: int) -> None:
    """A node's plot spans ``hidden`` units: unit axis, range, limits and the cursor's length."""
    # First and last unit only: with automatic ticks, short plots had overlapping labels.
    plot.getAxis("left").setTicks([[(0.5, "0"), (hidden - 0.5, str(hidden - 1))], []])
    plot.vb.setLimits(yMin=0, yMax=hidden, xMin=0)  # first: the range is clipped to the old limits
    plot.setYRange(0, hidden, padding=0)
    cursor.set_height(hidden)


def view_end(steps: int) -> float:
    """The right end of the time axis for ``steps``: a little room to type into, rounded, so
    that the axis changes only every few dozen keystrokes."""
    if steps <= 200:
        return float(max(steps, 1))
    grain = 10 ** max(math.floor(math.log10(steps)) - 1, 0)
    return float(math.ceil(steps * 1.05 / grain) * grain)


_TILE_CLASS: type | None = None


def tile_item() -> pg.ImageItem:
    """An image tile whose bounding rectangle is worked out once per image shape.

    Every repaint asks each tile of each heatmap for its bounds (40 tiles per node at T = 10 000);
    pyqtgraph's ImageItem works them out in Python on every call.
    """
    global _TILE_CLASS
    if _TILE_CLASS is None:
        import pyqtgraph as pg

        class Tile(pg.ImageItem):
            _shape: tuple[int, ...] | None = None
            _bounds = QRectF()

            # Qt override
            def boundingRect(self) -> QRectF:
                image = self.image
                shape = None if image is None else image.shape
                if shape != self._shape:  # the bounds follow the image's shape only
                    self._shape, self._bounds = shape, super().boundingRect()
                return QRectF(self._bounds)  # a copy: callers may adjust what they get

        _TILE_CLASS = Tile
    return _TILE_CLASS(axisOrder="row-major")
