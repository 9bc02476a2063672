"""The widget as a person uses it: hover for values, click a unit to select it everywhere, zoom,
pan, fit, themes, and a new cell kind when the trace changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from lstm_explorer.diagram import DiagramView
from lstm_explorer.playback import Playback


def _view(qtbot, trace) -> tuple[DiagramView, Playback]:
    playback = Playback()
    playback.set_trace(trace, t=1)
    view = DiagramView(playback)
    qtbot.addWidget(view)
    view.resize(1100, 650)
    view.show()
    qtbot.waitExposed(view)
    return view, playback


def _viewport_point(view: DiagramView, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def _unit_point(view: DiagramView, strip_name: str, unit: int) -> QPoint:
    assert view.diagram is not None
    strip = view.diagram.strips[strip_name]
    local_x = -strip.length / 2 + (unit + 0.5) * strip.length / strip.count
    return _viewport_point(view, strip.mapToScene(local_x, 0))


def _tooltip_at(view: DiagramView, pos: QPoint) -> str:
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    return QToolTip.text()


def test_hovering_a_node_shows_its_formula_shape_and_values(qtbot, make_trace) -> None:
    trace = make_trace("lstm", hidden=6)
    view, _ = _view(qtbot, trace)
    assert view.diagram is not None
    centre = QPointF(*view.diagram.layout.nodes["f"].center)
    pos = _viewport_point(view, centre)
    QTest.mouseMove(view.viewport(), pos)
    qtbot.waitUntil(lambda: view.diagram.node_items["f"].hovered)
    text = _tooltip_at(view, pos)
    assert text.startswith("f: f_t")
    assert "σ(W_f·[h_{t-1}, x_t] + b_f)" in text
    assert "shape (6,) at t = 1" in text
    f = trace["f"][1]
    assert f"min {f.min():+.4f}" in text and f"max {f.max():+.4f}" in text and f"mean {f.mean():+.4f}" in text
    assert f"{f[0]:+.4f}" in text


def test_hovering_a_wire_describes_the_vector_it_carries(qtbot, make_trace) -> None:
    trace = make_trace("lstm")
    view, _ = _view(qtbot, trace)
    assert view.diagram is not None
    wire = view.diagram.wire_items[("c", "tanh_c")]
    a, b = wire.route.points[-2], wire.route.points[-1]  # the leg down into tanh, clear of strips
    pos = _viewport_point(view, QPointF((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - 8))
    text = _tooltip_at(view, pos)
    assert text.startswith("c → tanh_c: C_t")
    assert "C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t" in text
    assert f"{trace['c'][1][0]:+.4f}" in text


def test_hovering_a_strip_cell_names_the_unit_and_its_exact_value(qtbot, make_trace) -> None:
    trace = make_trace("lstm", hidden=6)
    view, _ = _view(qtbot, trace)
    text = _tooltip_at(view, _unit_point(view, "c", 3))
    assert text.startswith("c: C_t")
    assert f"unit 3 = {trace['c'][1][3]:+.6f}" in text
    text = _tooltip_at(view, _unit_point(view, "xh", 7))  # [h_{t-1}, x_t]: cell 7 is x[1]
    assert f"x[1] = {trace['x'][1][1]:+.6f}" in text


def test_clicking_a_unit_selects_it_everywhere(qtbot, make_trace) -> None:
    trace = make_trace("lstm", hidden=6)
    view, playback = _view(qtbot, trace)
    assert view.diagram is not None
    with qtbot.waitSignal(view.diagram.unit_clicked) as clicked:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_unit_point(view, "f", 4))
    assert clicked.args == [4]
    assert playback.selected == (4,)
    hidden_strips = [s for name, s in view.diagram.strips.items() if trace.graph[name].width != "x"]
    assert all(s.selected_units == (4,) for s in hidden_strips)
    # A selection made elsewhere (a heatmap, the equations) shows here too.
    playback.select(2)
    assert view.diagram.strips["c"].selected_units == (2,)
    # Clicking the selected unit again clears the selection.
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_unit_point(view, "c", 2))
    assert playback.selected == ()


def test_clicking_an_input_cell_selects_nothing(qtbot, make_trace) -> None:
    view, playback = _view(qtbot, make_trace("lstm"))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_unit_point(view, "x", 1))
    assert playback.selected == ()


def test_wheel_zooms_drag_pans_and_fit_shows_everything(qtbot, make_trace) -> None:
    view, _ = _view(qtbot, make_trace("lstm"))
    assert view.diagram is not None
    fitted = view.transform().m11()
    centre = view.viewport().rect().center()
    wheel = QWheelEvent(
        QPointF(centre),
        QPointF(view.viewport().mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 360),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.transform().m11() > fitted * 1.4
    before = view.horizontalScrollBar().value()
    empty = _viewport_point(view, QPointF(*view.diagram.layout.nodes["c_prev"].center) + QPointF(-30, 40))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    for step in range(1, 6):
        QTest.mouseMove(view.viewport(), empty + QPoint(-30 * step, 0))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=empty + QPoint(-150, 0))
    assert view.horizontalScrollBar().value() > before
    view.fit()
    assert abs(view.transform().m11() - fitted) < 1e-6
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.adjusted(-1, -1, 1, 1).contains(view.diagram.sceneRect())


def test_themes_and_walkthrough_survive_a_change_of_cell(qtbot, make_trace) -> None:
    view, playback = _view(qtbot, make_trace("lstm"))
    view.set_theme("dark")
    view.set_walkthrough(True)
    assert view.diagram is not None
    assert view.diagram.backgroundBrush().color().lightness() < 60
    playback.set_trace(make_trace("gru"))
    assert view.diagram.graph.kind == "gru"
    assert "zh" in view.diagram.node_items
    assert view.diagram.theme.name == "dark" and view.diagram.walkthrough
    assert view.diagram.explanation.isVisible()
    view.set_theme("light")
    assert view.diagram.backgroundBrush().color().lightness() > 200


def test_the_view_follows_playback_position(qtbot, make_trace) -> None:
    trace = make_trace("lstm")
    view, playback = _view(qtbot, trace)
    assert view.diagram is not None
    playback.seek(2, phase=0, progress=1.0)
    assert view.diagram.strip_colours("f") is None  # the forget gate has not run yet at step 2
    playback.step_phase(1)
    assert view.diagram.strip_colours("f") is not None
    assert view.diagram.state.t == 2 and view.diagram.state.phase == 1


def test_a_deleted_view_no_longer_listens_to_the_playback(qtbot, make_trace) -> None:
    import shiboken6

    trace = make_trace("lstm")
    playback = Playback()
    playback.set_trace(trace)
    view = DiagramView(playback)
    shiboken6.delete(view)
    playback.seek(2)  # would raise "already deleted" if the view were still subscribed
    playback.select(1)
    playback.set_trace(make_trace("gru"))


def test_the_legend_stays_in_sight_when_zoomed_in_but_never_over_the_cell(qtbot, make_trace) -> None:
    view, _ = _view(qtbot, make_trace("lstm"))
    assert view.diagram is not None
    viridis_end = (253, 231, 37)  # the sequential legend's top colour

    def legend_pixels(widget) -> int:
        image = widget.grab().toImage()
        return sum(
            1
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
            if max(abs(a - b) for a, b in zip(QColor(image.pixel(x, y)).getRgb()[:3], viridis_end, strict=True)) < 16
        )

    height = view.viewport().height()
    assert not view.legend_band.isVisible()  # fitted: the scene's own legend is in sight
    view.zoom(6.0)
    view.centerOn(QPointF(*view.diagram.layout.nodes["f"].center))
    legend_on_screen = view.mapFromScene(view.diagram.legend.sceneBoundingRect()).boundingRect()
    assert not view.viewport().rect().intersects(legend_on_screen)
    # The legend is in a band under the diagram: the diagram's viewport gave up that room.
    assert view.legend_band.isVisible() and legend_pixels(view.legend_band) > 0
    assert view.viewport().height() <= height - view.legend_band.height()
    assert view.legend_band.geometry().top() > view.viewport().geometry().bottom()
    view.fit()
    assert not view.legend_band.isVisible() and view.viewport().height() == height


def test_keyboard_zoom_keeps_the_middle_in_place(qtbot, make_trace) -> None:
    view, _ = _view(qtbot, make_trace("lstm"))
    fitted = view.transform().m11()
    middle = view.mapToScene(view.viewport().rect().center())
    view.zoom_in()
    assert abs(view.transform().m11() - fitted * 1.25) < 1e-9
    after = view.mapToScene(view.viewport().rect().center())
    assert abs(after.x() - middle.x()) < 2 and abs(after.y() - middle.y()) < 20  # (a scroll bar came)
    view.zoom_out()
    view.zoom_out()
    assert abs(view.transform().m11() - fitted / 1.25) < 1e-9
