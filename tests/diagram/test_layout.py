"""The drawing's geometry, checked without Qt: every wire is drawn, straight-legged, and passes
through no node it does not connect; the LSTM keeps the classic geography."""

from __future__ import annotations

import math

import pytest

from lstm_explorer.diagram.layout import ROW, build_layout
from lstm_explorer.engine.cells import CELL_KINDS, cell_graph


def _crosses_shape(a, b, rect) -> bool:
    """Does the axis-parallel segment a–b pass through the rectangle (x, y, w, h)?"""
    x, y, w, h = rect
    if a[1] == b[1]:  # horizontal
        return y < a[1] < y + h and min(a[0], b[0]) < x + w and max(a[0], b[0]) > x
    return x < a[0] < x + w and min(a[1], b[1]) < y + h and max(a[1], b[1]) > y


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_every_edge_is_an_orthogonal_wire_that_avoids_other_nodes(kind: str) -> None:
    graph = cell_graph(kind)
    layout = build_layout(graph)
    assert [(r.source, r.target) for r in layout.routes] == graph.edges()
    for route in [*layout.routes, *(e.route for e in layout.exits)]:
        assert len(route.points) >= 2
        for a, b in zip(route.points, route.points[1:], strict=False):
            assert math.isclose(a[0], b[0], abs_tol=1e-6) or math.isclose(a[1], b[1], abs_tol=1e-6), route
            for name, shape in layout.nodes.items():
                if name in (route.source, route.target) or shape.shape == "port":
                    continue
                x, y, w, h = shape.rect()
                shrunk = (x + 1, y + 1, w - 2, h - 2)
                assert not _crosses_shape(a, b, shrunk), f"{route.source}→{route.target} runs through {name}"


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_nodes_do_not_overlap_and_every_vector_has_a_strip_place(kind: str) -> None:
    graph = cell_graph(kind)
    layout = build_layout(graph)
    drawn = [s for s in layout.nodes.values() if s.shape in ("box", "ellipse")]
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            (ax, ay, aw, ah), (bx, by, bw, bh) = a.rect(), b.rect()
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a.name, b.name)
    assert set(layout.strip_segments) == set(graph.names)
    # The shortest is the GRU's tanh → × wire, 0.8 rows long (rows are flat so the cell fits a laptop).
    for a, b in layout.strip_segments.values():
        assert math.dist(a, b) > 25


def test_lstm_has_the_classic_geography() -> None:
    graph = cell_graph("lstm")
    layout = build_layout(graph)
    centre = {name: shape.center for name, shape in layout.nodes.items()}
    # The cell state runs along the top: C_{t-1} → × → + → C_t.
    assert centre["c_prev"][1] == centre["fc"][1] == centre["c"][1] == min(y for _, y in centre.values())
    assert centre["c_prev"][0] < centre["fc"][0] < centre["c"][0]
    # The four layers sit in one row, left to right σ, σ, tanh, σ.
    layers = sorted(graph.layers, key=lambda n: centre[n.name][0])
    assert [n.op for n in layers] == ["sigmoid", "sigmoid", "tanh", "sigmoid"]
    assert [n.name for n in layers] == ["f", "i", "g", "o"]
    assert len({centre[n.name][1] for n in layers}) == 1
    # h_{t-1} enters bottom-left and x_t joins it from below at the merge point.
    assert centre["h_prev"][0] < centre["xh"][0] and centre["h_prev"][1] == centre["xh"][1]
    assert centre["x"][1] > centre["xh"][1]
    # The merged vector forks once per layer but the last.
    bus_y = centre["xh"][1]
    assert len([p for p in layout.forks if math.isclose(p[1], bus_y)]) == 3
    # h_t leaves to the right (next step, on h_{t-1}'s row) and upwards out of the top.
    h_exits = [e for e in layout.exits if e.node == "h"]
    ends = sorted(e.route.points[-1] for e in h_exits)
    assert any(math.isclose(y, bus_y) for _, y in ends)
    assert any(y < layout.frame[1] for _, y in ends)
    c_exit = next(e for e in layout.exits if e.node == "c")
    assert c_exit.route.points[-1][1] == centre["c"][1]


def test_rnn_shows_one_tanh_layer() -> None:
    graph = cell_graph("rnn")
    layout = build_layout(graph)
    boxes = [n for n in graph.nodes if layout.nodes[n.name].shape == "box"]
    assert [(n.name, n.op) for n in boxes] == [("h", "tanh")]
    assert layout.frame[1] > -0.6 * ROW  # no state line on top: the frame starts lower
