"""Small geometry helpers of the scene: fitting a picture into a frame, moving along a segment,
and the fork dots."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF

from .items import NodeItem
from .layout import DOT_RADIUS, NodeShape
from .theme import Theme


def advance(a: tuple[float, float], b: tuple[float, float], by: float) -> tuple[float, float]:
    """``a`` moved ``by`` towards ``b`` (at most half-way)."""
    d = math.dist(a, b)
    f = min(by / d, 0.5) if d else 0.0
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def centred_fit(source: QRectF, target: QRectF) -> QRectF:
    """The largest rectangle of ``source``'s proportions inside ``target``, centred in it."""
    scale = min(target.width() / source.width(), target.height() / source.height())
    w, h = source.width() * scale, source.height() * scale
    return QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)


def fork_dot(p: tuple[float, float], theme: Theme) -> NodeItem:
    shape = NodeShape("", p, (2 * DOT_RADIUS, 2 * DOT_RADIUS), "dot")
    dot = NodeItem(shape, "copy", theme)  # no op: draws no symbol
    dot.setAcceptHoverEvents(False)
    return dot
