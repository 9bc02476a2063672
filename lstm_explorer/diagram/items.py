"""The graphics items of the diagram. Each paints itself with QPainter calls only (text as text),
so the same scene renders to a raster image, an SVG or a PDF."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ..engine import ops
from .layout import NodeShape, Point, Route
from .theme import Theme
from .timeline import Status

FONT_FAMILY = "DejaVu Sans"


def font(size: float, *, bold: bool = False) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


_SUBSCRIPT = re.compile(r"^(?P<base>.+?)_(?:\{(?P<braced>[^}]*)\}|(?P<plain>\S+))$")


def split_subscript(label: str) -> tuple[str, str]:
    """``"h_{t-1}"`` → ``("h", "t−1")``; ``"C̃_t"`` → ``("C̃", "t")``; no subscript → ``(label, "")``."""
    m = _SUBSCRIPT.match(label)
    if not m:
        return label, ""
    sub = m["braced"] if m["braced"] is not None else m["plain"]
    return m["base"], sub.replace("-", "−")


_SUBSCRIPT_CHARS = str.maketrans("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUBSCRIPT_IN_TEXT = re.compile(r"_(\{[^}]*\}|[0-9a-z](?![0-9A-Za-z]))")


def readable(text: str) -> str:
    """Prose with the graph's TeX-like subscripts (``C_{t-1}``, ``x_t``) as Unicode subscripts."""

    def sub(m: re.Match[str]) -> str:
        inner = m.group(1).strip("{}")
        converted = inner.translate(_SUBSCRIPT_CHARS)
        return converted if converted != inner or not inner else m.group(0)

    return _SUBSCRIPT_IN_TEXT.sub(sub, text)


class LabelItem(QGraphicsItem):
    """A symbol with a subscript (h_{t−1}), painted as two runs of text."""

    def __init__(self, label: str, theme: Theme, size: float = 13.0, align: str = "center") -> None:
        super().__init__()
        self.base, self.sub = split_subscript(label)
        self.theme = theme
        self.align = align  # "left", "center" or "right" of the anchor point (the item's pos)
        self._font, self._sub_font = font(size), font(size * 0.7)
        base_w = QFontMetricsF(self._font).horizontalAdvance(self.base)
        sub_w = QFontMetricsF(self._sub_font).horizontalAdvance(self.sub) if self.sub else 0.0
        self._base_w, self._width = base_w, base_w + sub_w + (1.0 if self.sub else 0.0)
        self._height = QFontMetricsF(self._font).height()
        left = {"left": 0.0, "center": -self._width / 2, "right": -self._width}[align]
        self._rect = QRectF(left, -self._height / 2, self._width, self._height * 1.25)

    def text(self) -> str:
        return f"{self.base}_{self.sub}" if self.sub else self.base

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(self.theme.text)
        painter.setFont(self._font)
        x, baseline = self._rect.left(), self._height * 0.3
        painter.drawText(QPointF(x, baseline), self.base)
        if self.sub:
            painter.setFont(self._sub_font)
            painter.drawText(QPointF(x + self._base_w + 1.0, baseline + self._height * 0.25), self.sub)


class HoverHighlight(QGraphicsItem):
    """An item drawn highlighted while the mouse is over it (it reads ``self.hovered`` in paint)."""

    hovered = False

    # Qt override
    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        self.update()

    # Qt override
    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        self.update()


class NodeItem(HoverHighlight):
    """A learned layer (yellow box), a pointwise op (pink ellipse) or a merge point (dot)."""

    def __init__(self, shape: NodeShape, op: str, theme: Theme) -> None:
        super().__init__()
        self.node_name = shape.name
        self.geometry = shape
        self.symbol = ops.symbol(op)
        self.theme = theme
        self.status = Status.DONE
        self.hovered = False
        x, y, w, h = shape.rect()
        self._rect = QRectF(x, y, w, h)
        self._font = font(14 if len(self.symbol) == 1 else 10.5, bold=self.symbol == "W")
        self.setAcceptHoverEvents(True)
        self.setZValue(2)

    def set_status(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self.update()

    def fill_colour(self) -> QColor:
        """Yellow for a learned layer, pink for a pointwise op, wire colour for a merge point."""
        if self.geometry.shape == "box":
            return self.theme.layer_fill
        if self.geometry.shape == "ellipse":
            return self.theme.pointwise_fill
        return self.theme.wire

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect.adjusted(-5, -5, 5, 5)

    def shape(self) -> QPainterPath:  # Qt override
        path = QPainterPath()
        if self.geometry.shape == "box":
            path.addRect(self._rect)
        else:
            path.addEllipse(self._rect.adjusted(-3, -3, 3, 3))
        return path

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        t = self.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.geometry.shape == "dot":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.glow if self.status == Status.COMPUTING else t.wire)
            painter.drawEllipse(self._rect.adjusted(-1, -1, 1, 1))
            return
        box = self.geometry.shape == "box"
        fill, edge = self.fill_colour(), (t.layer_edge if box else t.pointwise_edge)
        pen = QPen(edge, 1.4)
        if self.status == Status.COMPUTING or self.hovered:
            pen = QPen(t.glow if self.status == Status.COMPUTING else t.selection, 3.2)
        painter.setPen(pen)
        painter.setBrush(fill)
        if box:
            painter.drawRoundedRect(self._rect, 4, 4)
        else:
            painter.drawEllipse(self._rect)
        painter.setPen(QColor("#1a1a1a"))  # dark ink on yellow/pink in both themes
        painter.setFont(self._font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.symbol)


class WireItem(HoverHighlight):
    """An orthogonal wire with an arrowhead at its end."""

    ARROW = 7.0

    def __init__(self, route: Route, theme: Theme) -> None:
        super().__init__()
        self.route = route
        self.theme = theme
        self.hovered = False
        self._polygon = QPolygonF([QPointF(*p) for p in route.points])
        self._path = QPainterPath()
        self._path.addPolygon(self._polygon)
        stroker = QPainterPathStroker()
        stroker.setWidth(9.0)
        self._hit = stroker.createStroke(self._path)
        self._head = self._arrow_head(route.points) if route.arrow else QPolygonF()
        self._bounds = self._path.boundingRect().adjusted(-8, -8, 8, 8)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)

    def _arrow_head(self, points: tuple[Point, ...]) -> QPolygonF:
        (ax, ay), (bx, by) = points[-2], points[-1]
        angle = math.atan2(by - ay, bx - ax)
        a = self.ARROW
        left = (bx - a * math.cos(angle - 0.45), by - a * math.sin(angle - 0.45))
        right = (bx - a * math.cos(angle + 0.45), by - a * math.sin(angle + 0.45))
        return QPolygonF([QPointF(bx, by), QPointF(*left), QPointF(*right)])

    def boundingRect(self) -> QRectF:  # Qt override
        return self._bounds

    def shape(self) -> QPainterPath:  # Qt override
        return self._hit

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = self.theme.selection if self.hovered else self.theme.wire
        painter.setPen(QPen(colour, 2.6 if self.hovered else 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(self._polygon)
        if not self._head.isEmpty():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawPolygon(self._head)


class FrameItem(QGraphicsItem):
    """The module's rounded frame and the cell's title."""

    def __init__(self, rect: tuple[float, float, float, float], title: str, theme: Theme) -> None:
        super().__init__()
        self._rect = QRectF(*rect)
        self.title = title
        self.theme = theme
        self.setZValue(-2)

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect.adjusted(-2, -24, 2, 2)

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.theme.frame_edge, 1.5))
        painter.setBrush(self.theme.frame_fill)
        painter.drawRoundedRect(self._rect, 14, 14)
        painter.setPen(self.theme.muted_text)
        painter.setFont(font(10.5))
        painter.drawText(QPointF(self._rect.left() + 4, self._rect.top() - 7), self.title)


class ExplanationItem(QGraphicsItem):
    """The walk-through's panel: which phase this is and what it does."""

    def __init__(self, width: float, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.title = ""
        self.body = ""
        self._rect = QRectF(0, 0, width, 62)
        self.setZValue(6)

    def set_text(self, title: str, body: str) -> None:
        if (title, body) != (self.title, self.body):
            self.title, self.body = title, body
            self.update()

    def boundingRect(self) -> QRectF:  # Qt override
        return self._rect

    # Qt override
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.theme.glow, 1.5))
        painter.setBrush(self.theme.panel_fill)
        painter.drawRoundedRect(self._rect, 8, 8)
        inner = self._rect.adjusted(12, 6, -12, -6)
        painter.setPen(self.theme.text)
        painter.setFont(font(11, bold=True))
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.title)
        painter.setFont(font(9.5))
        body = inner.adjusted(0, 19, 0, 0)
        painter.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, self.body)
