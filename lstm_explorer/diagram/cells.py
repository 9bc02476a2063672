"""Colour strips as pixels on screen, as rectangles in drawings.

On screen and in frames a strip is one image of n×1 pixels stretched over the strip (one draw call
per strip, whatever the vector's size). An SVG or PDF viewer would smooth that stretched image into
a blur, so on a vector device each cell is drawn as a filled rectangle of its exact colour.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPaintEngine, QPainter

_VECTOR_ENGINES = (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf)


def is_vector_device(painter: QPainter) -> bool:
    """Whether ``painter`` draws into an SVG or PDF (QSvgGenerator, QPdfWriter)."""
    engine = painter.paintEngine()
    return engine is not None and engine.type() in _VECTOR_ENGINES


def draw_cells(painter: QPainter, rect: QRectF, image: QImage) -> None:
    """Draw a one-row ``image`` stretched over ``rect``: as the image itself on raster devices,
    as one rectangle per pixel (cell) on vector devices."""
    if not is_vector_device(painter):
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(rect, image)
        return
    count = image.width()
    if count == 0:
        return
    cell = rect.width() / count
    painter.save()
    try:
        # Neighbours share edges exactly: antialiased edges would leave hairline seams between them.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        for k in range(count):
            painter.setBrush(QColor.fromRgba(image.pixel(k, 0)))
            painter.drawRect(QRectF(rect.left() + k * cell, rect.top(), cell, rect.height()))
    finally:
        painter.restore()
