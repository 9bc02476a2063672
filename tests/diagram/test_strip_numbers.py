"""Numbers on the wires: the selected unit's value beside every strip at the whole-cell zoom, and
cell values that are never clipped when zoomed in."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QTransform

from lstm_explorer.diagram import strip_numbers
from lstm_explorer.diagram.scene import DiagramScene, centred_fit

from .conftest import state

#: The diagram's viewport on a 1366×768 laptop at first launch (measured: 1096×429).
LAPTOP_VIEW = (1096, 429)


def _render(scene: DiagramScene, size: tuple[int, int]) -> tuple[np.ndarray, QTransform]:
    image = QImage(*size, QImage.Format.Format_RGBA8888)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, *size), scene.sceneRect())
    painter.end()
    source, target = scene.sceneRect(), centred_fit(scene.sceneRect(), QRectF(0, 0, *size))
    scale = target.width() / source.width()
    to_image = QTransform().translate(target.x(), target.y()).scale(scale, scale).translate(-source.x(), -source.y())
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes()).reshape(size[1], size[0], 4)
    return pixels.copy(), to_image


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_selected_units_value_is_written_beside_every_strip_at_the_whole_cell_zoom(qapp, make_trace, kind):
    trace = make_trace(kind, hidden=16)
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    unit = 3
    scene.show_state(state(trace, 2, selected=(unit,)))
    pixels, to_image = _render(scene, LAPTOP_VIEW)
    selection = np.array(scene.theme.selection.getRgb()[:3])
    labelled = [s for s in scene.strips.values() if s.hidden_units > unit and s.values is not None]
    assert len(labelled) >= 6
    for strip in labelled:
        cell = strip.length / strip.count
        label = strip_numbers.unit_label_rect(strip, unit)  # upright (scene-aligned), around the cell
        anchor = strip.mapToScene(-strip.length / 2 + (unit + 0.5) * cell, 0)
        box = to_image.mapRect(label.translated(anchor))
        patch = pixels[int(box.top()) : int(box.bottom()) + 1, int(box.left()) : int(box.right()) + 1, :3]
        ink = np.abs(patch.astype(int) - selection).max(axis=2) < 40
        assert ink.sum() > 10, strip.owner
        rows = np.flatnonzero(ink.any(axis=1))
        assert rows[-1] - rows[0] + 1 >= 7, strip.owner  # digits at least 7 px high: readable


def test_cell_numbers_fit_their_cells_in_every_direction(qapp, make_trace):
    """The old ").6": a number wider than its cell was clipped at both ends. Now the font is sized
    to the cell's upright room, and every number of the trace fits it."""
    trace = make_trace("lstm", hidden=16)
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.show_state(state(trace, 1))
    directions = set()
    for strip in scene.strips.values():
        if strip.values is None:
            continue
        directions.add(round(strip.rotation()) % 180)
        cell = strip.length / strip.count
        points = strip_numbers.cell_font_points(strip, cell)
        width, height = strip_numbers._upright_room(strip, cell)
        metrics = QFontMetricsF(strip_numbers._font(points))
        for v in strip.values:
            assert metrics.horizontalAdvance(f"{v:.2f}") <= width
        assert metrics.height() <= height
    assert directions == {0, 90}  # horizontal and vertical strips both checked
