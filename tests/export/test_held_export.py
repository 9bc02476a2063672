"""A held unit is part of what the window shows, so an exported frame shows it (hatched)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF, QRectF

from lstm_explorer.diagram.render import DiagramRenderer
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.export import ExportOptions, export
from lstm_explorer.models import random_model

SIZE = (1280, 720)


def _cell_box(scene, node: str, unit: int) -> tuple[int, int, int, int]:
    """The pixel box (x0, y0, x1, y1) of one cell of a strip in a SIZE frame (a horizontal strip)."""
    source: QRectF = scene.sceneRect()
    scale = min(SIZE[0] / source.width(), SIZE[1] / source.height())
    dx, dy = (SIZE[0] - source.width() * scale) / 2, (SIZE[1] - source.height() * scale) / 2
    strip = scene.strips[node]
    cell = strip.length / 4  # hidden size 4
    corners = [
        strip.mapToScene(QPointF(-strip.length / 2 + (unit + fx) * cell, fy * 6.0))
        for fx in (0.1, 0.9)
        for fy in (-1, 1)
    ]
    xs = [int(dx + (p.x() - source.left()) * scale) for p in corners]
    ys = [int(dy + (p.y() - source.top()) * scale) for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def test_an_exported_diagram_hatches_the_held_unit_and_only_it(qapp, tmp_path):
    model = random_model("lstm", input_size=3, hidden_size=4, seed=7)
    document = ExplorerDocument.computed(model, np.random.default_rng(3).normal(size=(5, 3)))
    document.hold((Intervention("c", (1,), 0.0),))
    assert document.interventions and document.trace is not None
    assert np.all(document.trace["c"][:, 1] == 0.0)
    unheld = document.snapshot()
    unheld.interventions = ()  # the same traces, nothing marked as held
    paths = []
    for name, doc in (("held", document), ("unheld", unheld)):
        out = tmp_path / f"{name}.png"
        export(doc, ExportOptions(out=out, steps=(2, 3), caption=False))  # the view fills the frame
        paths.append(out)
    held, plain = (np.asarray(Image.open(p).convert("RGB")).astype(int) for p in paths)
    scene = DiagramRenderer(document.trace.graph, SIZE).scene
    differs = np.any(held != plain, axis=2)
    x0, y0, x1, y1 = _cell_box(scene, "c", 1)
    inside = differs[y0 : y1 + 1, x0 : x1 + 1]
    assert inside.mean() > 0.08  # the hatching (1-pixel lines, 8 pixels apart) crosses the held cell
    dark = held[y0 : y1 + 1, x0 : x1 + 1].sum(axis=2) < 120
    assert dark.sum() > 10  # in dark lines (light theme)
    # The neighbouring units' cells are drawn as without the hold.
    for other in (0, 2):
        a0, b0, a1, b1 = _cell_box(scene, "c", other)
        assert not differs[b0 + 3 : b1 - 2, a0 + 2 : a1 - 1].any()
