"""Offscreen pictures: every variant renders, layer boxes are yellow and pointwise nodes pink where
the layout puts them, strips show exactly the trace's values, frames are pure."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from lstm_explorer.diagram import DiagramRenderer, render_diagram
from lstm_explorer.diagram.scene import DiagramScene
from lstm_explorer.engine.cells import CELL_KINDS
from lstm_explorer.scales import scales_of

from .conftest import state


def _rgb(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = QColor(image.pixel(round(x), round(y)))
    return c.red(), c.green(), c.blue()


def _is_yellow(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 200 and g > 170 and b < 140


def _is_pink(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 200 and 110 < g < 200 and b > 140


def _as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return buffer.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()].copy()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("kind", CELL_KINDS)
def test_layers_are_yellow_and_pointwise_ops_pink_where_the_layout_puts_them(qapp, make_trace, kind, theme) -> None:
    trace = make_trace(kind)
    renderer = DiagramRenderer(trace.graph, (1280, 720), theme)
    image = renderer.render(trace, state(trace, 1))
    assert image.size().width() == 1280 and image.size().height() == 720
    layout = renderer.scene.layout
    boxes = ellipses = 0
    for node in trace.graph.nodes:
        shape = layout.nodes[node.name]
        if shape.shape == "port" or shape.shape == "dot":
            continue
        x, y = renderer.scene_to_image(shape.center[0] - shape.size[0] * 0.3, shape.center[1] - shape.size[1] * 0.25)
        colour = _rgb(image, x, y)  # inside the shape, off the symbol in its middle
        if shape.shape == "box":
            boxes += 1
            assert _is_yellow(colour), (node.name, colour)
        else:
            ellipses += 1
            assert _is_pink(colour), (node.name, colour)
    assert boxes == len(trace.graph.layers)
    assert ellipses == sum(n.kind == "pointwise" for n in trace.graph.nodes)
    # And the background between them is neither.
    corner = _rgb(image, 3, 3)
    assert not _is_yellow(corner) and not _is_pink(corner)
    assert (corner == (255, 255, 255)) == (theme == "light")


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_at_each_phase_end_strips_show_the_colour_map_of_the_trace(qapp, make_trace, kind) -> None:
    trace = make_trace(kind, hidden=5, inputs=3, steps=3)
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    graph, scales = trace.graph, scales_of(trace)
    for t in range(trace.steps):
        for phase in range(len(graph.phases)):
            scene.show_state(state(trace, t, phase, 1.0))
            for node in graph.nodes:
                shown = scene.strip_colours(node.name)
                if node.phase <= phase:
                    expected = scales[node.name].colours(trace[node.name][t])
                    assert shown is not None and np.array_equal(shown, expected), (t, phase, node.name)
                else:
                    assert shown is None, (t, phase, node.name)


def test_rendered_strip_pixels_are_the_mapped_trace_values(qapp, make_trace) -> None:
    """Not just the item's image: the pixels on screen at each cell's centre."""
    trace = make_trace("lstm", hidden=4, inputs=3, steps=2)
    renderer = DiagramRenderer(trace.graph, (2400, 1500))
    image = renderer.render(trace, state(trace, 1))
    for name in ("f", "c", "h_prev", "o"):
        strip = renderer.scene.strips[name]
        expected = scales_of(trace)[name].colours(trace[name][1])
        for k in range(4):
            local_x = -strip.length / 2 + (k + 0.5) * strip.length / 4
            p = strip.mapToScene(local_x, 0)
            x, y = renderer.scene_to_image(p.x(), p.y())
            # The cell's number is written over its centre at this size: its colour is the most
            # common one around the centre (the digits' strokes are thin).
            around = Counter(_rgb(image, x + dx, y + dy) for dx in range(-4, 5) for dy in range(-4, 5))
            assert around.most_common(1)[0][0] == tuple(int(v) for v in expected[k, :3]), (name, k)


def test_a_frame_depends_only_on_trace_and_state(qapp, make_trace) -> None:
    trace = make_trace("lstm", steps=5)
    a, b = state(trace, 2, 3, 0.4, selected=(1,)), state(trace, 4, 1, 0.2)
    renderer = DiagramRenderer(trace.graph, (640, 360))
    first = _as_array(renderer.render(trace, a))
    renderer.render(trace, b)
    again = _as_array(renderer.render(trace, a))
    fresh = _as_array(DiagramRenderer(trace.graph, (640, 360)).render(trace, a))
    assert np.array_equal(first, again)
    assert np.array_equal(first, fresh)
    assert not np.array_equal(first, _as_array(renderer.render(trace, b)))


def test_vectors_travel_along_the_wires_during_a_phase(qapp, make_trace) -> None:
    trace = make_trace("lstm")
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    positions = []
    for progress in (0.05, 0.25, 0.45):
        scene.show_state(state(trace, 1, 1, progress))  # forget gate: [h, x] travels up into σ
        packet = scene.packets[("xh", "f")]
        assert packet.isVisible()
        positions.append((packet.pos().x(), packet.pos().y()))
        assert not scene.packets[("xh", "i")].isVisible()
    assert len(set(positions)) == 3
    scene.show_state(state(trace, 1, 1, 1.0))
    assert not any(p.isVisible() for p in scene.packets.values())


def test_walkthrough_explains_the_phase_and_dims_the_rest(qapp, make_trace) -> None:
    trace = make_trace("lstm")
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.set_walkthrough(True)
    scene.show_state(state(trace, 0, 1, 1.0))
    assert scene.explanation.isVisible()
    assert "Forget gate" in scene.explanation.title
    assert scene.explanation.body.startswith("A sigmoid layer looks at [hₜ₋₁, xₜ]")
    assert scene.node_items["f"].opacity() == 1.0
    assert scene.node_items["g"].opacity() < 0.5
    assert scene.strips["xh"].opacity() == 1.0  # what the forget gate reads stays lit
    scene.set_walkthrough(False)
    assert not scene.explanation.isVisible() and scene.node_items["g"].opacity() == 1.0


def test_numbers_are_written_in_cells_when_zoomed_in_on_few_units(qapp, make_trace) -> None:
    trace = make_trace("lstm", hidden=3, inputs=2)
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.show_state(state(trace, 1))
    strip = scene.strips["f"]
    area = strip.sceneBoundingRect()

    def colours_at(zoom: float) -> int:
        image = QImage(int(area.width() * zoom), int(area.height() * zoom), QImage.Format.Format_ARGB32)
        image.fill(0)
        from PySide6.QtGui import QPainter

        painter = QPainter(image)
        scene.render(painter, image.rect().toRectF(), area)
        painter.end()
        return len(np.unique(_as_array(image).reshape(-1, 4), axis=0))

    assert colours_at(8.0) > 3 * colours_at(1.0)


def test_render_diagram_reuses_a_renderer_and_can_be_transparent(qapp, make_trace) -> None:
    trace = make_trace("gru")
    opaque = render_diagram(trace, state(trace, 0), size=(320, 180))
    clear = render_diagram(trace, state(trace, 0), size=(320, 180), transparent=True)
    assert QColor(opaque.pixel(0, 0)).alpha() == 255
    assert QColor(clear.pixelColor(0, 0)).alpha() == 0


def test_vector_output_keeps_labels_as_text(qapp, make_trace, tmp_path) -> None:
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    trace = make_trace("lstm")
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.show_state(state(trace, 1))
    path = tmp_path / "cell.svg"
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(1280, 720))
    generator.setViewBox(QRectF(0, 0, 1280, 720))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, 1280, 720), scene.sceneRect())
    painter.end()
    svg = path.read_text(encoding="utf-8")
    assert svg.count(">σ<") == 3 and ">tanh<" in svg and ">×<" in svg and ">+<" in svg
    assert "<image" not in svg  # strips are one rectangle per cell in drawings (viewers blur images)


def test_one_item_per_strip_whatever_the_hidden_size(qapp, make_trace) -> None:
    """H = 512 must cost what H = 4 costs in items: each vector is one image, not one item per unit."""
    counts = []
    for hidden in (4, 512):
        trace = make_trace("lstm", hidden=hidden, steps=2)
        scene = DiagramScene(trace.graph)
        scene.set_trace(trace)
        scene.show_state(state(trace, 1))
        counts.append(len(scene.items()))
        assert scene.strips["h"].image is not None and scene.strips["h"].image.width() == hidden
    assert counts[0] == counts[1]


def test_scene_render_centres_the_cell_in_any_target(qapp, make_trace) -> None:
    """Export paints the scene straight into SVG/PDF pages: the picture must sit in the middle."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter

    trace = make_trace("rnn")  # a wide picture: wide margins above and below in a square
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.show_state(state(trace, 0))
    image = QImage(1280, 1280, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, 1280, 1280), scene.sceneRect())
    painter.end()
    alpha = _as_array(image)[:, :, 3]
    rows = np.flatnonzero(alpha.max(axis=1))
    top, bottom = rows[0], 1279 - rows[-1]
    assert top > 100 and abs(top - bottom) <= 2


@pytest.mark.parametrize("kind", ["lstm", "gru-classic"])
def test_a_single_unit_and_a_scene_without_a_trace_draw(qapp, make_trace, kind) -> None:
    trace = make_trace(kind, hidden=1, inputs=1, steps=1)
    image = render_diagram(trace, state(trace, 0, selected=(0,)), size=(400, 225))
    assert not image.isNull()
    scene = DiagramScene(trace.graph, "dark")
    scene.show_state(state(trace, 0))  # no trace yet: every strip is an empty slot
    assert all(scene.strip_colours(name) is None for name in trace.graph.names)
    assert "no sequence yet" in scene.describe(scene.node_items["h"])
