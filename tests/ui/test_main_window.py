"""The explorer window, driven as a person would: type, press keys, click, drag."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from lstm_explorer import colormaps
from lstm_explorer.models import random_model
from lstm_explorer.ui.main_window import APP_NAME


def wait_for_steps(qtbot, window, steps):
    qtbot.waitUntil(lambda: window.playback.steps == steps, timeout=5000)


def type_at_end(qtbot, window, text):
    edit = window.editor.edit
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, text)


def focus_playback(qtbot, window):
    """Leave the editor with Esc, as a person would, so the keys drive playback."""
    window.activateWindow()
    window.editor.edit.setFocus()
    qtbot.waitUntil(window.editor.edit.hasFocus)
    qtbot.keyClick(window.editor.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.editor.edit.hasFocus())


def test_opens_on_bundled_brackets_with_a_preset(window):
    assert window.model.name == "brackets"
    assert window.editor.text() in window.model.presets
    assert window.editor.presets.currentData() == window.editor.text()
    assert window.playback.steps == len(window.editor.text())
    assert window.status.model.text() == "brackets"
    assert window.status.kind.text() == "LSTM"
    assert "hidden" in window.status.sizes.text()
    assert list(window.heatmaps.maps) == ["f", "i", "g", "o", "c", "h"]
    assert window.playback.selected, "a unit is selected from the start so the plot shows something"
    assert window.windowTitle().endswith(APP_NAME)


def test_brackets_opens_on_its_depth_counter(qtbot, window):
    depth_unit = window.model.featured_units[0]
    assert window.playback.selected == (depth_unit,)
    qtbot.waitUntil(lambda: f"[{depth_unit}]" in window.equations.plain_text())


def test_typing_updates_every_view_incrementally(qtbot, window):
    before = window.playback.steps
    # Three keys, then one update: on a busy machine the editor could otherwise update after each
    # key (its pause is 0 ms after a cheap update), and the last update would start at before + 2.
    window.editor.set_debounce(60_000)
    type_at_end(qtbot, window, "(b)")
    window.editor.flush()
    wait_for_steps(qtbot, window, before + 3)
    T = before + 3
    # Appending recomputes the new steps only, and the views show the new last step.
    assert window.playback.changed_from == before
    assert window.playback.t == T - 1
    assert window.transport.slider.maximum() == T - 1
    assert window.transport.strip.tokens[-3:] == ["(", "b", ")"]
    assert f"Step t = {T - 1}" in window.equations.header.text()
    assert window.status.position.text() == f"t = {T - 1} / {T - 1}"
    qtbot.waitUntil(lambda: window.heatmaps.pending == 0)  # tiles are coloured in time slices
    assert "After reading" in window.predictions.title.text()


def test_character_outside_vocabulary_is_marked_and_nothing_else_changes(qtbot, window):
    steps, trace = window.playback.steps, window.playback.trace
    type_at_end(qtbot, window, "Z")
    qtbot.waitUntil(lambda: "'Z'" in window.editor.message.text())
    message = window.editor.message.text()
    assert message.startswith(f"step {steps}: 'Z' is not in the vocabulary")  # the new step's t
    selections = window.editor.edit.extraSelections()
    assert len(selections) == 1
    assert selections[0].cursor.selectedText() == "Z"
    assert window.playback.steps == steps and window.playback.trace is trace
    # Deleting it clears the mark.
    qtbot.keyClick(window.editor.edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: window.editor.message.text() == "")
    assert window.editor.edit.extraSelections() == []


def test_numeric_errors_point_at_line_and_column(qtbot, make_window):
    window = make_window("sine")
    assert not window.editor.text_mode
    window.editor.edit.setPlainText("0.1\n0.2\n nan\n")
    qtbot.waitUntil(lambda: "line 3" in window.editor.message.text())
    assert window.editor.message.text().startswith("step 2, column 2:")  # t = 2, on the third line
    assert "finite" in window.editor.message.text()
    assert window.editor.edit.extraSelections()[0].cursor.selectedText() == "nan"
    window.editor.edit.setPlainText("0.1; 0.5; inf")
    qtbot.waitUntil(lambda: "inf" in window.editor.message.text())
    window.editor.edit.setPlainText("0.1; 0.5; 0.9; 1.2")
    wait_for_steps(qtbot, window, 4)
    assert "predicted next value" in window.predictions.title.text()
    assert "true next (t = 3)" not in window.predictions.text.text()  # at the last step: no next value
    plot = window.predictions.plot
    assert plot.isVisible()
    xs, ys = plot.predicted.getData()
    assert list(xs) == [0, 1, 2, 3] and len(ys) == 4
    np.testing.assert_array_equal(plot.true.getData()[1], [0.5, 0.9, 1.2])  # the next values


def test_transport_keys(qtbot, window):
    focus_playback(qtbot, window)
    window.playback.seek(2)
    phases = window.playback.phases
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.playback.t == 3
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.playback.t == 1
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert (window.playback.t, window.playback.state.phase) == (1, phases - 2)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert (window.playback.t, window.playback.state.phase) == (1, phases - 1)
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.playback.t == window.playback.steps - 1
    assert window.transport.slider.value() == window.playback.steps - 1
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert window.playback.t == 0
    assert window.transport.position_label.text().startswith("t = 0 /")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(lambda: window.playback.state.clock > 0.2, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.player.playing


def test_clicking_a_heatmap_cell_jumps_and_selects_everywhere(qtbot, window):
    heatmaps = window.heatmaps
    qtbot.waitUntil(lambda: heatmaps.pending == 0)
    t, unit = 2, 5
    pos = heatmaps.pixel_of("f", t, unit)
    qtbot.mouseClick(heatmaps.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.playback.t == t
    assert window.playback.selected == (unit,)
    assert f"unit {unit}" in window.equations.header.text()
    assert f"[{unit}] = σ(" in window.equations.plain_text().replace("f_t", "f")
    assert window.unit_plot.hint.text() == f"unit {unit}"
    assert window.diagram.diagram.state.selected == (unit,)  # the diagram's strips mark it too
    assert {key[1] for key in window.unit_plot.curves} == {unit}
    # Ctrl+click adds a second unit.
    pos = heatmaps.pixel_of("h", t, 7)
    qtbot.mouseClick(heatmaps.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos)
    assert window.playback.selected == (unit, 7)
    # Hovering reads the value out.
    qtbot.mouseMove(heatmaps.view.viewport(), heatmaps.pixel_of("c", 4, 3))
    qtbot.waitUntil(lambda: "t = 4" in heatmaps.info.text())
    value = window.playback.trace["c"][4, 3]
    assert f"{value:+.4f}" in heatmaps.info.text()


def test_heatmap_pixel_has_the_value_colour(qtbot, window):
    heatmaps = window.heatmaps
    qtbot.waitUntil(lambda: heatmaps.pending == 0)
    window.playback.select(())
    heatmaps.view.repaint()
    image = heatmaps.view.grab().toImage()
    trace = window.playback.trace
    for t, unit in ((1, 2), (5, 11)):
        pos = heatmaps.pixel_of("f", t, unit)
        # A few pixels off the cell centre, away from the cursor line.
        colour = image.pixelColor(pos.x() + 3, pos.y())
        expected = colormaps.sequential(trace["f"][t, unit])
        assert abs(colour.red() - int(expected[0])) <= 3
        assert abs(colour.green() - int(expected[1])) <= 3
        assert abs(colour.blue() - int(expected[2])) <= 3


def test_moving_the_cursor_never_reuploads_images(qtbot, window, monkeypatch):
    qtbot.waitUntil(lambda: window.heatmaps.pending == 0)
    calls = []
    import pyqtgraph as pg

    monkeypatch.setattr(pg.ImageItem, "setImage", lambda self, *a, **k: calls.append(1))
    window.playback.seek(1)
    focus_playback(qtbot, window)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.playback.t == 4
    assert calls == []
    assert window.heatmaps.maps["f"].cursor.value() == pytest.approx(4.5)


def test_dragging_the_slider_scrubs(qtbot, window):
    slider = window.transport.slider
    window.playback.seek(0)
    style_handle = slider.rect().left() + 6
    start = QPoint(style_handle, slider.height() // 2)
    end = QPoint(slider.width() - 4, slider.height() // 2)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(slider, QPoint(slider.width() // 2, slider.height() // 2))
    qtbot.mouseMove(slider, end)
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=end)
    assert window.playback.t == window.playback.steps - 1
    assert "t = " in window.transport.position_label.text()


def test_clicking_a_token_or_a_chain_module_jumps_there(qtbot, window):
    strip = window.transport.strip
    rect = strip.cell_rect(4)
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert window.playback.t == 4
    chain = window.chain
    rect = chain.cell_rect(1)
    qtbot.mouseClick(chain.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert window.playback.t == 1


def test_equations_for_gru_and_rnn(qtbot, make_window):
    window = make_window("gru")
    assert list(window.heatmaps.maps) == ["r", "z", "n", "h"]
    text = window.equations.plain_text()
    assert "z" in text and "tanh(" in text and "σ(" in text
    window.open_model("rnn")
    assert list(window.heatmaps.maps) == ["h"]
    text = window.equations.plain_text()
    unit = window.equations.unit
    value = window.playback.trace["h"][window.playback.t, unit]
    assert f"= {value:.3f}".replace("-", "−") in text


def test_bad_file_shows_message_and_keeps_model(qtbot, window, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip file at all")
    trace = window.playback.trace
    assert not window.open_model(str(bad))
    assert window.banner.isVisible()
    assert "broken.npz" in window.banner.label.text()
    assert "npz" in window.banner.label.text()
    assert window.model.name == "brackets" and window.playback.trace is trace
    # The same through drag and drop.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "missing.safetensors"))])
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: "missing.safetensors" in window.banner.label.text())
    assert window.model.name == "brackets"


def test_dropping_a_good_file_opens_it(qtbot, window, tmp_path):
    from lstm_explorer.models.files import write_npz

    model = random_model("gru", input_size=3, hidden_size=5)
    path = tmp_path / "mine.npz"
    write_npz(path, model.network.tensors)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.model.name == "mine.npz")
    assert window.status.kind.text().startswith("GRU")
    assert window.playback.steps > 0
    assert str(path.resolve()) in window.settings.value("recent_models")


def test_layer_and_direction_combo(qtbot, make_window):
    model = random_model("lstm", input_size=4, hidden_size=6, num_layers=2, bidirectional=True)
    window = make_window(model)
    assert window.model_bar.layer_combo.isEnabled() and window.model_bar.direction_combo.isEnabled()
    window.playback.seek(1)
    window.model_bar.direction_combo.setCurrentIndex(1)
    assert window.playback.trace is window.document.session.traces[(0, True)]
    assert window.playback.t == window.playback.steps - 2  # the same moment, read from the end
    assert window.transport.strip.tokens == window.document.tokens[::-1]
    window.model_bar.layer_combo.setCurrentIndex(1)
    assert window.playback.trace is window.document.session.traces[(1, True)]
    np.testing.assert_array_equal(
        window.playback.trace["h"], model.network.run(window.document.session.X)[(1, True)]["h"]
    )


def test_settings_are_remembered(qtbot, make_window, settings):
    window = make_window()
    window.apply_theme("dark")
    window.transport.set_speed(8)
    window.open_model("remember")
    window.editor.set_text("a" + "x" * 5 + "?")
    qtbot.mouseClick(window.unit_plot.checks["f"], Qt.MouseButton.LeftButton)
    assert "f" in window.unit_plot.nodes
    window.close()
    again = make_window(settings_=settings)
    assert again.theme_name == "dark"
    assert again.theme_actions["dark"].isChecked()
    assert again.player.speed == 8
    assert again.model.name == "remember"
    assert again.editor.text() == "a" + "x" * 5 + "?"
    assert set(again.unit_plot.nodes) == {"f", "c", "h"}


def test_long_sequence_computes_in_the_background_and_can_be_cancelled(qtbot, make_window):
    window = make_window(random_model("lstm", input_size=2, hidden_size=64))
    window.recompute.force_background = True
    rows = "\n".join(f"{np.sin(k / 7):.3f}, {np.cos(k / 5):.3f}" for k in range(3000))
    window.editor.edit.setPlainText(rows)
    window.editor.flush()
    assert not window.status.progress.isHidden() and window.playback.steps != 3000  # under way, not done
    qtbot.waitUntil(lambda: window.playback.steps == 3000, timeout=20000)
    assert not window.status.progress.isVisible()
    qtbot.waitUntil(lambda: window.heatmaps.pending == 0, timeout=20000)
    # Start another and cancel it: the previous result stays.
    window.editor.edit.setPlainText(rows + "\n0.5, 0.5\n" + rows)
    window.editor.flush()
    window.status.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=20000)
    assert window.playback.steps == 3000


def test_shortcuts_and_about(qtbot, window):
    window.shortcuts_action.trigger()
    assert window.shortcuts_dialog.isVisible()
    assert "Space" in window.shortcuts_dialog.findChild(type(window.equations.browser)).toPlainText()
    window.shortcuts_dialog.close()
    seen = {}

    def read_and_close():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text()
        box.accept()

    QTimer.singleShot(0, read_and_close)
    window.about_action.trigger()
    assert "LSTM Explorer" in seen["text"] and "PyTorch" in seen["text"]


def test_menus_have_what_the_issue_lists(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert {"File", "View", "Help"} <= set(titles)
    assert window.export_action.isEnabled()
    assert window.export_action.text().replace("&", "") == "Export…"
    panels = next(m for m in window.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "Panels")
    entries = {a.text(): a for a in panels.actions()}
    assert set(entries) == {dock.windowTitle() for dock in (*window.docks, window.gradients_dock)}
    entries["Unit plot"].trigger()  # unticking a panel closes it …
    assert window.unit_plot_dock.isHidden()
    entries["Unit plot"].trigger()  # … and ticking it shows it again
    assert not window.unit_plot_dock.isHidden()


def test_empty_input_says_so_and_keeps_the_last_sequence(qtbot, window):
    trace = window.playback.trace
    window.editor.edit.selectAll()
    qtbot.keyClick(window.editor.edit, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "empty" in window.editor.message.text())
    assert window.playback.trace is trace


def test_recent_and_bundled_menus(qtbot, window, tmp_path):
    from lstm_explorer.models.files import write_npz

    path = tmp_path / "small.npz"
    write_npz(path, random_model("rnn", input_size=2, hidden_size=3).network.tensors)
    assert window.open_model(str(path))
    assert window.open_model("brackets")
    window.recent_menu.aboutToShow.emit()  # what opening the menu does
    names = [a.text() for a in window.recent_menu.actions()]
    assert names[:2] == ["brackets", "small.npz"]
    window.recent_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: window.model.name == "small.npz")
    window.bundled_menu.aboutToShow.emit()
    bundled = [a.text() for a in window.bundled_menu.actions()]
    assert "brackets" in bundled and "sine" in bundled


def test_window_layout_is_restored(qtbot, make_window, settings):
    window = make_window()
    window.chain_dock.hide()
    window.close()
    again = make_window(settings_=settings)
    assert not again.chain_dock.isVisible()
    assert again.heatmaps_dock.isVisible()
    again.reset_layout()
    assert again.chain_dock.isVisible()


def test_dark_theme_changes_what_is_drawn(qtbot, window):
    window.apply_theme("dark")
    qtbot.waitUntil(lambda: window.palette().window().color().lightness() < 80)
    image = window.chain.viewport().grab().toImage()
    assert image.pixelColor(2, image.height() - 2).lightness() < 80
    window.apply_theme("light")
    qtbot.waitUntil(lambda: window.palette().window().color().lightness() > 200)


def test_a_bad_model_on_the_command_line_falls_back_with_the_message_shown(qtbot, make_window, tmp_path):
    bad = tmp_path / "truncated.safetensors"
    bad.write_bytes(b"\x10\x00")
    window = make_window(str(bad))
    assert window.model.name == "brackets"
    assert window.banner.isVisible()
    assert "truncated.safetensors" in window.banner.label.text()


def test_play_with_loop_wraps_to_the_start(qtbot, window):
    window.transport.loop.click()
    window.transport.speed.setCurrentIndex(window.transport.speed.count() - 1)  # the fastest
    assert window.player.loop and window.player.speed == 256
    window.playback.seek(window.playback.steps - 2)
    window.transport.play_button.click()
    assert window.player.playing
    qtbot.waitUntil(lambda: window.playback.t < 3, timeout=5000)
    assert window.player.playing
    window.transport.play_button.click()
    assert not window.player.playing


def test_the_app_shows_the_window_before_loading_the_model(qtbot, settings):
    from lstm_explorer.ui.main_window import MainWindow

    window = MainWindow(settings=settings, open_later=True)
    qtbot.addWidget(window)
    assert window.model is None
    window.show()
    qtbot.waitUntil(lambda: window.playback.steps > 0)
    assert window.model.name == "brackets"


def test_a_closed_panel_catches_up_when_shown_again(qtbot, window):
    window.equations_dock.close()
    window.unit_plot_dock.close()
    T = window.playback.steps + 1
    type_at_end(qtbot, window, "(")
    wait_for_steps(qtbot, window, T)
    assert window.playback.t == T - 1
    window.equations_dock.toggleViewAction().trigger()
    window.unit_plot_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: f"Step t = {T - 1}" in window.equations.header.text())
    unit = window.playback.selected[0]
    curve = window.unit_plot.curves[("h", unit)]
    assert len(curve.yData) == T


class _EventLog(QObject):
    """Records events of some types delivered to any object (an application event filter)."""

    def __init__(self, *types):
        super().__init__()
        self.types = types
        self.seen = []

    def eventFilter(self, obj, event):
        if event.type() in self.types:
            region = event.region() if event.type() == QEvent.Type.Paint else None
            self.seen.append((obj, event.type(), region))
        return False


def ready_to_type(qtbot, window):
    """The cursor at the end of the input, one character typed and shown (the views are warm)."""
    T = window.playback.steps
    type_at_end(qtbot, window, "(")
    wait_for_steps(qtbot, window, T + 1)
    QApplication.processEvents()


def type_one_key(qtbot, window, key=None):
    """Type "(" at the cursor (or press ``key``), skip the editor's pause, wait for the new trace."""
    edit = window.editor.edit
    T = window.playback.steps
    if key is None:
        qtbot.keyClicks(edit, "(")
    else:
        qtbot.keyClick(edit, key)
    window.editor.flush()
    wait_for_steps(qtbot, window, T + 1 if key is None else T - 1)
    QApplication.processEvents()


def test_one_keystroke_draws_the_diagram_once(qtbot, window, monkeypatch):
    ready_to_type(qtbot, window)
    scene = window.diagram.diagram
    calls = []
    show_state = scene.show_state
    monkeypatch.setattr(scene, "show_state", lambda state: (calls.append(state), show_state(state)))
    type_one_key(qtbot, window)
    assert len(calls) == 1, "trace_changed and position_changed together draw the diagram once"
    assert calls[0].t == window.playback.steps - 1
    assert window.diagram.diagram.strips["h"].values is window.playback.trace["h"][-1] or np.array_equal(
        window.diagram.diagram.strips["h"].values, window.playback.trace["h"][-1]
    )
    type_one_key(qtbot, window, Qt.Key.Key_Backspace)
    assert len(calls) == 2


def test_a_keystroke_relayouts_no_dock(qtbot, window):
    """Labels whose text changes on every step have fixed sizes: typing lays out nothing again."""
    ready_to_type(qtbot, window)
    log = _EventLog(QEvent.Type.LayoutRequest)
    QApplication.instance().installEventFilter(log)
    try:
        type_one_key(qtbot, window)
        type_one_key(qtbot, window, Qt.Key.Key_Backspace)
    finally:
        QApplication.instance().removeEventFilter(log)
    relaid = {obj.objectName() or type(obj).__name__ for obj, _, _ in log.seen if isinstance(obj, QWidget)}
    assert not relaid & {"mainWindow", "inputDock", "equationsDock", "transportDock"}, relaid


def test_typing_repaints_only_the_strip_cells_that_changed(qtbot, window):
    ready_to_type(qtbot, window)
    strips = [window.transport.strip, window.chain]
    log = _EventLog(QEvent.Type.Paint)
    QApplication.instance().installEventFilter(log)
    try:
        type_one_key(qtbot, window)
    finally:
        QApplication.instance().removeEventFilter(log)
    for strip in strips:
        regions = [region for obj, _, region in log.seen if obj is strip.viewport()]
        assert regions, "the strip shows the new step"
        painted = sum(r.width() for region in regions for r in region)
        # The new step's cell, the previous one (no longer highlighted) and what overhangs them.
        assert painted <= 3 * strip.cell_width + 4 * 12
        assert window.playback.t * strip.cell_width - strip.horizontalScrollBar().value() < strip.viewport().width()


def test_the_pyqtgraph_panels_are_made_after_the_first_paint(qtbot, settings):
    from lstm_explorer.ui.main_window import MainWindow

    window = MainWindow(settings=settings, open_later=True)
    qtbot.addWidget(window)
    assert window.heatmaps._view is None and window.unit_plot.plot_widget is None
    window.show()
    qtbot.waitUntil(lambda: window.playback.steps > 0)
    assert window.heatmaps.view.isVisible() and window.unit_plot.plot_widget.isVisible()
    assert list(window.heatmaps.maps) == ["f", "i", "g", "o", "c", "h"]


def test_unit_plot_legend_follows_the_theme(qtbot, window):
    from PySide6.QtGui import QColor

    qtbot.waitUntil(lambda: bool(window.unit_plot.curves))
    for theme in ("dark", "light"):
        window.apply_theme(theme)
        expected = QColor(window.unit_plot.theme.plot_foreground).name()
        labels = [label.item.toHtml() for _, label in window.unit_plot.legend.items]
        assert labels and all(expected in html for html in labels), (theme, expected)


def test_an_invalid_input_greys_the_views_until_it_is_valid_again(qtbot, window):
    # The window's own panels (the Gradients panel, from ui/extra_panels.py, has one too).
    veils = [v for v in window.findChildren(QWidget, "staleVeil") if v.parentWidget() is not window.gradients]
    assert len(veils) == 6 and not any(v.isVisible() for v in veils)
    shown = window.playback.trace
    window.editor.edit.setPlainText("(a(b)c)Q")
    window.editor.flush()
    assert all(v.isVisible() for v in veils) and window.playback.trace is shown
    assert "last valid input" in veils[0].toolTip()
    window.editor.edit.setPlainText("(a(b)c)")
    window.editor.flush()
    qtbot.waitUntil(lambda: not any(v.isVisible() for v in veils))


def test_the_preset_box_names_the_input_or_says_custom(qtbot, window):
    presets = window.editor.presets
    assert presets.currentData() == window.editor.text()
    qtbot.keyClicks(window.editor.edit, "a")
    window.editor.flush()
    assert presets.currentText() == "custom"
    presets.setCurrentIndex(0)
    presets.activated.emit(0)
    assert window.editor.text() == presets.itemData(0) and presets.currentIndex() == 0


def test_the_heatmap_readout_clears_when_the_model_changes(qtbot, window):
    heatmaps = window.heatmaps
    heatmaps.info.setText("<b>f</b> t = 3 unit 2 value +0.5")  # as a hover leaves it
    window.open_model("gru")
    assert "Hover over a heatmap" in heatmaps.info.text()


def test_another_cell_kind_keeps_the_input_and_the_vocabulary(qtbot, window):
    text = "(a(b)c)(ab)"
    window.editor.set_text(text)
    window.new_random_model("gru")
    dialog = window.random_dialog
    dialog.hidden_spin.setValue(12)
    dialog.layers_spin.setValue(2)
    dialog.accept()
    qtbot.waitUntil(lambda: window.model.kind == "gru" and window.playback.steps == len(text))
    assert window.editor.text() == text and window.editor.text_mode
    assert window.model.network.hidden_size == 12 and window.model.network.num_layers == 2
    assert window.model.vocabulary == "()abc"
    assert window.predictions.bars.rows  # a readout of the same size: next-character bars


def test_the_actual_next_character_is_always_among_the_bars(qtbot, window):
    window.editor.set_text("(((((((((((a")
    wait_for_steps(qtbot, window, 12)
    for t in range(11):
        window.playback.seek(t)
        rows = window.predictions.bars.rows
        actual = window.document.tokens[t + 1]
        assert sum(1 for label, _p, marked in rows if marked) == 1
        assert any(label == actual and marked for label, _p, marked in rows)


def test_a_slow_file_opens_off_the_gui_thread_and_cancel_keeps_the_open_model(qtbot, window, tmp_path, monkeypatch):
    import threading

    from lstm_explorer.models.files import write_npz
    from lstm_explorer.ui import opening

    path = tmp_path / "slow.npz"
    write_npz(path, random_model("gru", input_size=3, hidden_size=5).network.tensors)
    release = threading.Event()
    real = opening.load_model

    def slow(spec):
        release.wait(10)  # a file on a slow disk
        return real(spec)

    monkeypatch.setattr(opening, "load_model", slow)
    window.open_in_background(str(path))
    assert "Opening slow.npz" in window.statusBar().currentMessage()
    assert not window.status.cancel_button.isHidden() and window.model.name == "brackets"
    qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.wait(300)
    assert window.model.name == "brackets" and "cancelled" in window.statusBar().currentMessage()
    release.clear()
    window.open_in_background(str(path))
    release.set()
    qtbot.waitUntil(lambda: window.model.name == "slow.npz")
    assert window.status.cancel_button.isHidden()
