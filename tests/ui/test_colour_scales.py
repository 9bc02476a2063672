"""The diagram and the heatmaps colour one value alike: the same scale per quantity, its range in the
diagram's legend and beside the heatmap."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from lstm_explorer import colormaps
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.views.diagram_panel import make_diagram_view
from lstm_explorer.views.heatmaps import HeatmapPanel

from ..test_scales import growing_cell_state_model

STEPS, LAST = 18, 17


def rgb(image, x: int, y: int) -> np.ndarray:
    colour = image.pixelColor(x, y)
    return np.array([colour.red(), colour.green(), colour.blue()])


def test_cell_state_of_20_has_one_colour_in_the_diagram_and_the_heatmap(qtbot):
    document = ExplorerDocument.computed(growing_cell_state_model(), np.zeros((STEPS, 1)))
    document.playback.select(())
    document.playback.seek(LAST)
    diagram = make_diagram_view(document)
    heatmaps = HeatmapPanel(document)
    for widget, size in ((diagram, (1400, 900)), (heatmaps, (700, 900))):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
    # The heatmap panel builds its plots with the first trace: give it the document's again.
    document.playback.set_trace(document.trace, t=LAST)
    qtbot.waitUntil(lambda: heatmaps.pending == 0)
    assert diagram.diagram is not None
    scene = diagram.diagram

    assert "cell state ±20" in scene.legend.texts()
    assert scene.legend.texts()[:2] == ["gate 0…1", "value ±1"]
    assert heatmaps.maps["c"].bar.labels() == ["20", "0", "−20"]  # the legend's minus sign, not a hyphen
    assert heatmaps.maps["f"].bar.labels() == ["1", "0.5", "0"]

    diagram.viewport().repaint()
    heatmaps.view.repaint()
    diagram_image = diagram.viewport().grab().toImage()
    heatmap_image = heatmaps.view.grab().toImage()
    strip = scene.strips["c"]
    values = document.trace["c"][LAST]
    for unit, value in enumerate(values):
        cell = strip.length / strip.count
        scene_point = strip.mapToScene(QPointF(-strip.length / 2 + (unit + 0.5) * cell, 0))
        at = diagram.mapFromScene(scene_point)
        in_diagram = rgb(diagram_image, at.x(), at.y())
        at = heatmaps.pixel_of("c", LAST, unit)
        in_heatmap = rgb(heatmap_image, at.x() + 3, at.y())  # off the cursor line at the cell's centre
        want = colormaps.diverging(np.array([value]), 20.0)[0, :3].astype(int)
        assert np.abs(in_diagram - in_heatmap).max() <= 3, (unit, value, in_diagram, in_heatmap)
        assert np.abs(in_diagram - want).max() <= 3, (unit, value, in_diagram, want)
    # The test can tell the scales apart: clipped at ±1, the first and last unit (|C| > 10) would differ.
    ends = values[[0, -1]]
    assert np.abs(ends).min() > 10
    clipped = colormaps.diverging(ends)[:, :3].astype(int)
    on_20 = colormaps.diverging(ends, 20.0)[:, :3].astype(int)
    assert np.abs(clipped - on_20).max(axis=1).min() > 20
