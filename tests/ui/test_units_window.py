"""Finding, holding and releasing units in the window, driven as a person would: right-click menus
on the diagram, a heatmap and the Units table, the finder with its Cancel, a table click."""

from __future__ import annotations

import tempfile
import threading

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from lstm_explorer.analysis import prediction_effect
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models import random_model
from lstm_explorer.views import hold_menu
from lstm_explorer.views.hold_menu import menu_action


def right_click(widget, pos: QPoint) -> None:
    """What a right-click delivers to a widget (QTest clicks bypass the window that makes it)."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)


def strip_cell(window, node: str, unit: int) -> QPoint:
    view = window.diagram
    strip = view.diagram.strips[node]
    cell = strip.length / strip.count
    return view.mapFromScene(strip.mapToScene(QPointF(-strip.length / 2 + (unit + 0.5) * cell, 0)))


def wait_held(qtbot, window, held) -> None:
    qtbot.waitUntil(lambda: window.document.interventions == tuple(held), timeout=10000)


def test_ablating_from_a_heatmap_changes_every_view_and_survives_typing(qtbot, window):
    heatmaps, document = window.heatmaps, window.document
    qtbot.waitUntil(lambda: heatmaps.pending == 0)
    window.playback.seek(4)
    qtbot.mouseClick(heatmaps.view.viewport(), Qt.MouseButton.RightButton, pos=heatmaps.pixel_of("c", 3, 12))
    assert heatmaps.marks.unit_menu is not None
    assert not menu_action(heatmaps.marks.unit_menu, "release").isEnabled()  # nothing held yet
    menu_action(heatmaps.marks.unit_menu, "ablate").trigger()
    wait_held(qtbot, window, [Intervention("c", (12,), 0.0)])
    assert window.playback.t == 4  # holding a unit keeps the position
    assert np.all(document.trace["c"][:, 12] == 0.0)
    assert not np.all(document.plain_traces[(0, False)]["c"][:, 12] == 0.0)  # the unheld run, for the Δ
    # The diagram hatches c[12]; the Interventions list names it; predictions and status say the change.
    marks = window.diagram.diagram.held_marks["c"]
    assert marks.isVisible() and marks.units == (12,)
    panel = window.unit_docks.interventions
    assert [label.text() for label, _ in panel.rows] == ["<code>c[12]=0.0</code>"]
    status = window.status.held
    assert status.isVisible() and "1 held" in status.text()
    qtbot.waitUntil(lambda: "Δ loss" in status.text())  # once the views are drawn
    ids = [window.model.vocabulary.id_of(token) for token in document.tokens]
    effect = prediction_effect(window.model, document.plain_traces, document.traces, ids)
    assert f"Δ loss {effect.mean_delta_loss:+.4f} nats/token" in status.text()
    window.predictions.refresh()
    t = window.predictions.time_index()
    said = window.predictions.text.plain_text()
    assert f"Δp {effect.delta_p[t]:+.3f}" in said and f"Δ loss {effect.delta_loss[t]:+.3f}" in said
    assert "★" not in heatmaps.maps["c"].plot.getAxis("left")._tickLevels[0][1][1]  # no search yet
    assert heatmaps.marks.held_boxes["c"]
    # Typing keeps the unit held.
    steps = window.playback.steps
    window.editor.edit.setFocus()
    window.editor.edit.moveCursor(window.editor.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor.edit, "(")
    qtbot.waitUntil(lambda: window.playback.steps == steps + 1, timeout=5000)
    assert document.interventions == (Intervention("c", (12,), 0.0),)
    assert np.all(document.trace["c"][:, 12] == 0.0)
    # Release from the list: everything is as before.
    qtbot.mouseClick(panel.rows[0][1], Qt.MouseButton.LeftButton)
    wait_held(qtbot, window, [])
    assert not np.all(document.trace["c"][:, 12] == 0.0)
    assert not status.isVisible() and not marks.isVisible()
    assert panel.hint.isVisible()


def test_the_diagram_right_click_menu_clamps_holds_and_releases(qtbot, window, monkeypatch):
    document = window.document
    window.playback.seek(2)
    monkeypatch.setattr(hold_menu, "ask_value", lambda parent, name, current: 0.5)
    right_click(window.diagram.viewport(), strip_cell(window, "f", 3))
    menu = window.diagram.unit_menu
    assert menu is not None and "f[3]" in menu_action(menu, "clamp").text()
    menu_action(menu, "clamp").trigger()
    wait_held(qtbot, window, [Intervention("f", (3,), 0.5)])
    assert np.all(document.trace["f"][:, 3] == 0.5)
    # Hold another unit at its current value: both are held, both hatched.
    current = float(document.trace["h"][2, 5])
    right_click(window.diagram.viewport(), strip_cell(window, "h", 5))
    menu_action(window.diagram.unit_menu, "hold").trigger()
    wait_held(qtbot, window, [Intervention("f", (3,), 0.5), Intervention("h", (5,), current)])
    assert window.diagram.diagram.held_marks["h"].units == (5,)
    # Release one, then all.
    right_click(window.diagram.viewport(), strip_cell(window, "f", 3))
    menu_action(window.diagram.unit_menu, "release").trigger()
    wait_held(qtbot, window, [Intervention("h", (5,), current)])
    right_click(window.diagram.viewport(), strip_cell(window, "f", 0))
    menu_action(window.diagram.unit_menu, "releaseAll").trigger()
    wait_held(qtbot, window, [])


def test_the_concatenation_cannot_be_held_and_says_why(qtbot, window):
    right_click(window.diagram.viewport(), strip_cell(window, "xh", 1))
    actions = window.diagram.unit_menu.actions()
    assert len(actions) == 1 and not actions[0].isEnabled() and "cannot be held" in actions[0].text()


def find(qtbot, units, feature: str, argument: str = "") -> None:
    units.feature.setCurrentIndex(units.feature.findData(feature))
    units.argument.setText(argument)
    qtbot.mouseClick(units.find_button, Qt.MouseButton.LeftButton)


def test_the_units_panel_finds_the_depth_unit_and_a_row_click_selects_it(qtbot, window):
    text = "(a(b(c)a)b)((c))a(((b)))" * 3
    window.editor.set_text(text)
    qtbot.waitUntil(lambda: window.playback.steps == len(text), timeout=5000)
    window.unit_docks.units_dock.raise_()
    units = window.unit_docks.units
    find(qtbot, units, "depth")
    qtbot.waitUntil(lambda: window.document.unit_search is not None, timeout=10000)
    table = window.document.unit_search
    assert units.rows_shown == len(table) > 100
    best = table.top(1)[0]
    assert units.cell_text(0, 4) == f"{best.r:+.3f}"  # strongest |r| first
    # The scatter has one dot per gate unit, per gate.
    assert {name: len(item.data) for name, item in units.scatter_items.items()} == {"i": 16, "f": 16, "o": 16}
    # The heatmaps mark the top units of the shown layer.
    ticks = [text for _, text in window.heatmaps.maps[best.node].plot.getAxis("left")._tickLevels[0]]
    assert f"★{best.unit}" in ticks
    # A click on the row of another unit selects it everywhere.
    units.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by unit number
    index = units.model.index(0, 0)
    assert units.cell_text(0, 3) == 0
    qtbot.mouseClick(units.table.viewport(), Qt.MouseButton.LeftButton, pos=units.table.visualRect(index).center())
    assert window.playback.selected == (0,)
    assert window.diagram.diagram.state.selected == (0,)
    # Right-click a row: the same menu as elsewhere, for that row's unit.
    rect = units.table.visualRect(units.model.index(1, 0))
    right_click(units.table.viewport(), rect.center())
    key, node, unit = units.model.row_unit(1)
    menu_action(units.unit_menu, "ablate").trigger()
    wait_held(qtbot, window, [Intervention(node, (unit,), 0.0, None, *key)])
    # Typing a new input drops the (now stale) table.
    window.editor.set_text("(a)")
    qtbot.waitUntil(lambda: window.document.unit_search is None, timeout=5000)
    assert units.rows_shown == 0


def test_bad_features_are_named_beside_the_field_and_nothing_else_changes(qtbot, window, tmp_path):
    window.unit_docks.units_dock.raise_()
    units = window.unit_docks.units
    find(qtbot, units, "depth")
    qtbot.waitUntil(lambda: window.document.unit_search is not None, timeout=10000)
    table, rows = window.document.unit_search, units.rows_shown
    short = tmp_path / "short.csv"
    short.write_text("1\n2\n3\n")
    for feature, argument, says in (
        ("regex", "(", "invalid regular expression"),
        ("token", "Q", "at every one of the"),
        ("csv", str(short), "3 numbers, but the input has"),
    ):
        find(qtbot, units, feature, argument)
        assert says in units.message.text()
        assert window.document.unit_search is table and units.rows_shown == rows
        assert not units.job.busy


def test_the_finder_runs_off_the_gui_thread_and_cancel_keeps_the_previous_table(qtbot, make_window):
    window = make_window(random_model("lstm", input_size=2, hidden_size=64, num_layers=2))
    rows = "\n".join(f"{np.sin(k / 7):.3f}, {np.cos(k / 5):.3f}" for k in range(2000))
    window.editor.edit.setPlainText(rows)
    window.editor.flush()
    qtbot.waitUntil(lambda: window.playback.steps == 2000, timeout=20000)
    csv = window.unit_docks.units  # a CSV feature: numbers have no characters to read
    feature = np.sin(np.arange(2000) / 7) > 0
    with tempfile.TemporaryDirectory() as folder:
        file = f"{folder}/feature.csv"
        np.savetxt(file, feature.astype(float), fmt="%g")
        find(qtbot, csv, "csv", file)
        assert csv.job.busy and not csv.find_button.isEnabled() and not csv.cancel_button.isHidden()
        qtbot.mouseClick(csv.cancel_button, Qt.MouseButton.LeftButton)
        assert not csv.job.busy and csv.find_button.isEnabled() and csv.cancel_button.isHidden()
        assert "Cancelled" in csv.summary.text()
        qtbot.waitUntil(lambda: not any(t.name.startswith("unit-finder") for t in threading.enumerate()), timeout=20000)
        QApplication.processEvents()
        assert window.document.unit_search is None  # the cancelled search's result never lands
        # And run to the end: the top unit is the one that correlates best.
        find(qtbot, csv, "csv", file)
        qtbot.waitUntil(lambda: window.document.unit_search is not None, timeout=30000)
    table = window.document.unit_search
    best = table.top(1)[0]
    values = window.document.traces[(best.layer, best.reverse)][best.node][:, best.unit]
    assert abs(np.corrcoef(values, feature)[0, 1] - best.r) < 1e-9


def test_holding_a_unit_of_a_long_input_recomputes_off_the_gui_thread(qtbot, make_window):
    window = make_window(random_model("lstm", input_size=2, hidden_size=32))
    rows = "\n".join(f"{np.sin(k / 7):.3f}, {np.cos(k / 5):.3f}" for k in range(1500))
    window.editor.edit.setPlainText(rows)
    window.editor.flush()
    qtbot.waitUntil(lambda: window.playback.steps == 1500, timeout=20000)
    window.recompute.force_background = True
    window.playback.seek(700)
    window.document.request_interventions((Intervention("c", (3,), 0.0),))
    assert not window.status.progress.isHidden() and not window.document.interventions  # under way
    wait_held(qtbot, window, [Intervention("c", (3,), 0.0)])
    assert window.playback.t == 700
    assert np.all(window.document.trace["c"][:, 3] == 0.0)
    assert not np.all(window.document.plain_traces[(0, False)]["c"][:, 3] == 0.0)
    assert window.diagram.diagram.held_marks["c"].units == (3,)
    # Held while a newly typed input is still computing: the new input is the one held.
    window.editor.edit.setPlainText(rows + "\n0.5, 0.5")
    window.editor.flush()
    assert window.playback.steps == 1500  # under way
    window.document.request_interventions((Intervention("c", (3, 4), 0.0),))
    wait_held(qtbot, window, [Intervention("c", (3, 4), 0.0)])
    assert window.playback.steps == 1501 and np.all(window.document.trace["c"][:, 3:5] == 0.0)
