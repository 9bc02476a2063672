"""Fixtures for export tests: a small trace and a frame source whose pixels are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from lstm_explorer.colormaps import colormap_for
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.trace import Trace
from lstm_explorer.export.registry import register_view, unregister_view
from lstm_explorer.models import random_model
from lstm_explorer.playback import PlaybackState


@pytest.fixture
def document() -> ExplorerDocument:
    model = random_model("lstm", input_size=3, hidden_size=4, seed=7)
    X = np.random.default_rng(3).normal(size=(5, 3))
    return ExplorerDocument.computed(model, X)


@pytest.fixture
def trace(document) -> Trace:
    assert document.trace is not None
    return document.trace


class StripSource:
    """Every node's vector at the state's step as a row of flat colour cells (the colour maps the
    diagram uses), and a bar whose length is the clock: each frame differs, each cell's colour is
    known. Stands in for the views where a test is about the writers, not about the views."""

    CELL = 8  # wide
    ROW = 6  # high

    def __init__(self, trace: Trace, size: tuple[int, int] = (160, 90), transparent: bool = False) -> None:
        self.trace = trace
        self.size = size
        self.transparent = transparent
        self.rendered = 0

    def cell_centre(self, row: int, unit: int) -> tuple[int, int]:
        return unit * self.CELL + self.CELL // 2, 8 + row * self.ROW + self.ROW // 2

    def expected_rgb(self, name: str, t: int, unit: int) -> np.ndarray:
        node = self.trace.graph[name]
        return colormap_for(node)(self.trace[name][t, unit])[:3].astype(int)

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        w = self.size[0]
        if not self.transparent:
            painter.fillRect(target, QColor(250, 250, 250))
        bar = target.width() * state.clock / max(self.trace.steps, 1)
        painter.fillRect(QRectF(0, 0, bar, 6), QColor(40, 40, 40))
        for row, name in enumerate(self.trace):
            colours = colormap_for(self.trace.graph[name])(self.trace[name][state.t])
            for unit, c in enumerate(colours[:16]):
                x, y = unit * self.CELL, 8 + row * self.ROW
                painter.fillRect(QRectF(x, y, self.CELL, self.ROW), QColor(int(c[0]), int(c[1]), int(c[2])))
        painter.setPen(QColor(20, 20, 20))
        painter.setFont(QFont("DejaVu Sans", 7))
        painter.drawText(QRectF(w - 60, 30, 60, 14), Qt.AlignmentFlag.AlignLeft, f"t = {state.t}")

    def render(self, state: PlaybackState) -> QImage:
        self.rendered += 1
        w, h = self.size
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, QRectF(0, 0, w, h), state)
        painter.end()
        return image

    def close(self) -> None:
        pass


@pytest.fixture
def strips(qapp, trace) -> StripSource:
    return StripSource(trace)


@pytest.fixture
def strips_view(qapp):
    """The strip source as a registered view named ``strips``, for tests that go through the registry."""
    register_view(
        "strips",
        "Test strips",
        lambda document, options: StripSource(document.trace, options.size, options.transparent),
    )
    yield "strips"
    unregister_view("strips")
