"""Sessions in the window: File → Save session…, change everything, File → Open session…, and the
window shows the saved moment again (step, phase, selection, layer, input, theme, layout)."""

import json
import threading

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from lstm_explorer.ui import compute
from tests.ui.test_main_window import focus_playback


def answer_file_dialog(monkeypatch, path, dialog="getSaveFileName"):
    """The next file dialog answers ``path``, as a person choosing it would."""
    monkeypatch.setattr(QFileDialog, dialog, staticmethod(lambda *args, **kwargs: (str(path), "")))


def trigger_with_file(monkeypatch, action, path, dialog="getSaveFileName"):
    """Choose a menu action whose file dialog answers ``path``."""
    answer_file_dialog(monkeypatch, path, dialog)
    action.trigger()


def test_save_change_everything_and_open_again(qtbot, monkeypatch, window, tmp_path):
    window.editor.set_text("(a(b)c)((a))")
    qtbot.waitUntil(lambda: window.playback.steps == 12)
    window.playback.seek(4, 2)
    window.playback.select((5, 9))
    window.apply_theme("dark")
    window.unit_plot_dock.hide()
    answer_file_dialog(monkeypatch, tmp_path / "lesson")  # the suffix is added
    focus_playback(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    path = tmp_path / "lesson.lstmx"
    assert json.loads(path.read_text())["t"] == 4
    assert window.statusBar().currentMessage().startswith("Saved session")

    # Change everything the session holds.
    window.open_model("sine")
    qtbot.waitUntil(lambda: window.model.name == "sine" and window.playback.steps > 0)
    window.apply_theme("light")
    window.unit_plot_dock.show()
    assert window.status.position.text() != "t = 4 / 11"

    answer_file_dialog(monkeypatch, path, "getOpenFileName")
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.model.name == "brackets", timeout=10000)  # read on a worker thread
    assert window.editor.text() == "(a(b)c)((a))"
    assert window.status.position.text() == "t = 4 / 11"
    assert window.playback.state.phase == 2 and not window.playback.state.step_complete
    assert window.playback.selected == (5, 9)
    qtbot.waitUntil(lambda: "[5]" in window.equations.plain_text())
    assert window.theme_name == "dark" and window.theme_actions["dark"].isChecked()
    assert window.unit_plot_dock.isHidden()
    assert window.windowTitle().startswith("lesson.lstmx")
    assert not window.banner.isVisible()

    # File → Open recent lists the session; choosing it opens the saved moment again.
    window.playback.seek(0)
    window.recent_menu.aboutToShow.emit()
    entry = next(a for a in window.recent_menu.actions() if a.text() == "lesson.lstmx")
    entry.trigger()
    qtbot.waitUntil(lambda: window.status.position.text() == "t = 4 / 11", timeout=10000)


def test_a_hand_written_session_opens_on_its_layer_and_direction(qtbot, make_window, tmp_path):
    path = tmp_path / "stack.lstmx"
    path.write_text(
        json.dumps(
            {
                "model": {"cell": "gru", "input_size": 2, "hidden_size": 6, "layers": 2, "bidirectional": True},
                "input": "0.1 0.2; 0.3 0.4; 0.5 0.6; 0.7 0.8",
                "layer": 1,
                "direction": "backward",
                "t": 2,
                "selected": [4],
            }
        )
    )
    window = make_window(str(path))  # as `lstm-explorer stack.lstmx` does
    assert window.model_bar.layer_combo.currentText() == "2 of 2"
    assert window.model_bar.direction_combo.currentText() == "backward"
    assert window.status.kind.text().startswith("GRU")
    assert window.status.position.text() == "t = 2 / 3"
    assert window.playback.selected == (4,)
    assert window.editor.text() == "0.1 0.2; 0.3 0.4; 0.5 0.6; 0.7 0.8"


def test_a_bad_session_shows_the_banner_and_the_model_stays(qtbot, window, tmp_path):
    model, text, trace = window.model, window.editor.text(), window.playback.trace
    path = tmp_path / "typo.lstmx"
    path.write_text(json.dumps({"model": "brackets", "input": "(a)", "t": 5, "selected": []}))
    assert not window.sessions.open(path)
    assert window.banner.isVisible()
    assert "typo.lstmx: t: 5 is out of range" in window.banner.label.text()
    assert window.model is model and window.editor.text() == text and window.playback.trace is trace


def test_dropping_a_session_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "drop.lstmx"
    path.write_text(json.dumps({"model": "remember", "input": "a?", "t": 0, "selected": [1]}))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.model.name == "remember", timeout=10000)  # read on a worker thread
    assert window.status.position.text() == "t = 0 / 1"
    assert window.playback.selected == (1,)


def test_a_session_computed_in_the_background_lands_on_its_step(qtbot, monkeypatch, window, tmp_path):
    monkeypatch.setattr(compute, "SYNC_BUDGET", -1.0)  # every recompute runs on the worker thread
    path = tmp_path / "long.lstmx"
    text = "(a(b)c)" * 30
    path.write_text(json.dumps({"model": "brackets", "input": text, "t": 100, "phase": 1, "selected": [3]}))
    assert window.sessions.open(path)
    qtbot.waitUntil(lambda: window.status.position.text() == f"t = 100 / {len(text) - 1}", timeout=10000)
    assert window.playback.state.phase == 1
    assert window.playback.selected == (3,)


def test_saving_with_the_weights_needs_no_file_to_open_again(qtbot, monkeypatch, window, tmp_path):
    window.open_model("peephole")
    qtbot.waitUntil(lambda: window.playback.steps > 0)
    window.playback.seek(2)
    trigger_with_file(monkeypatch, window.sessions.save_with_weights_action, tmp_path / "w.lstmx")
    assert "embedded" in json.loads((tmp_path / "w.lstmx").read_text())["model"]
    h = window.playback.trace["h"].copy()
    window.open_model("gru")
    assert window.sessions.open(tmp_path / "w.lstmx")
    assert window.status.kind.text().lower().startswith("peephole")
    assert window.status.position.text().startswith("t = 2 /")
    assert (window.playback.trace["h"] == h).all()


def test_starting_on_a_bad_session_opens_the_default_model_under_the_banner(qtbot, make_window, tmp_path):
    path = tmp_path / "broken.lstmx"
    path.write_text(json.dumps({"model": "brackets", "input": "(a)", "t": 0, "selected": ["12"]}))
    window = make_window(str(path))  # as `lstm-explorer broken.lstmx` does
    assert window.banner.isVisible()
    assert "broken.lstmx: selected: expected a list of unit numbers" in window.banner.label.text()
    assert window.model.name == "brackets" and window.playback.steps > 0


def test_a_second_session_opened_while_the_first_computes_wins(qtbot, monkeypatch, window, tmp_path):
    monkeypatch.setattr(compute, "SYNC_BUDGET", -1.0)
    first, second = tmp_path / "first.lstmx", tmp_path / "second.lstmx"
    first.write_text(json.dumps({"model": "brackets", "input": "(a(b)c)" * 40, "t": 200, "selected": [3]}))
    second.write_text(json.dumps({"model": "remember", "input": "cabdxyz?", "t": 1, "selected": [2]}))
    assert window.sessions.open(first) and window.sessions.open(second)
    qtbot.waitUntil(lambda: window.model.name == "remember" and window.playback.steps == 8, timeout=10000)
    qtbot.waitUntil(lambda: window.status.position.text() == "t = 1 / 7")
    assert window.playback.selected == (2,)


def test_a_session_with_held_units_shows_them_held(qtbot, window, tmp_path):
    path = tmp_path / "ablated.lstmx"
    path.write_text(
        json.dumps({"model": "brackets", "input": "((a)b)", "t": 2, "selected": [12], "interventions": ["c[12]=0"]})
    )
    assert window.sessions.open(path)
    assert window.status.position.text() == "t = 2 / 5"
    assert (window.playback.trace["c"][:, 12] == 0).all()
    qtbot.waitUntil(lambda: "[12]" in window.equations.plain_text())
    cell_line = next(line for line in window.equations.plain_text().splitlines() if line.startswith("Ct[12]"))
    assert cell_line.endswith("= 0.000")  # what the person reads: the held cell state
    # Typing keeps the units held (the session's recompute holds them).
    window.editor.set_text("((a)b)(")
    qtbot.waitUntil(lambda: window.playback.steps == 7)
    assert (window.playback.trace["c"][:, 12] == 0).all()
    assert [label.text() for label, _ in window.unit_docks.interventions.rows] == ["<code>c[12]=0.0</code>"]
    assert not (window.document.plain_traces[(0, False)]["c"][:, 12] == 0).all()  # the unheld run, for the Δ


def test_a_session_a_person_opens_is_read_off_the_gui_thread(qtbot, monkeypatch, window, tmp_path):
    from lstm_explorer.ui import sessions

    readers = []
    read_session = sessions.read_session

    def recording(path):
        readers.append(threading.current_thread())
        return read_session(path)

    monkeypatch.setattr(sessions, "read_session", recording)
    path = tmp_path / "lesson.lstmx"
    path.write_text(json.dumps({"model": "remember", "input": "ab?", "t": 1, "selected": [0]}))
    shown = window.model
    window.open_in_background(str(path))  # File → Open session…, a drop, Open recent
    assert window.model is shown  # nothing changes until the worker's result arrives
    qtbot.waitUntil(lambda: window.model.name == "remember", timeout=10000)
    assert readers and readers[0] is not threading.main_thread()
    assert window.status.position.text() == "t = 1 / 2"


def test_a_bad_session_read_in_the_background_keeps_the_open_model(qtbot, window, tmp_path):
    path = tmp_path / "broken.lstmx"
    path.write_text("{ not json")
    shown = window.model
    window.open_in_background(str(path))
    qtbot.waitUntil(lambda: "broken.lstmx" in window.banner.label.text(), timeout=10000)
    assert window.model is shown


def test_a_session_saved_in_the_backward_mode_opens_in_it(qtbot, window, tmp_path):
    assert window.open_model("adding")
    document = window.document
    document.playback.seek(99)
    window.backward_action.trigger()  # View → Diagram → Backward (gradients), pinned at 99
    document.playback.seek(90)
    assert window.sessions.save(tmp_path / "back.lstmx")
    window.backward_action.trigger()
    window.open_model("sine")
    qtbot.waitUntil(lambda: window.model.name == "sine")
    assert window.sessions.open(tmp_path / "back.lstmx")
    qtbot.waitUntil(lambda: window.model.name == "adding" and window.playback.t == 90, timeout=10000)
    assert document.backward and document.backward_step == 99
    assert window.backward_action.isChecked() and window.gradients.backward_button.isChecked()
    flow = window.diagram.backward_flow
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    assert "∂ loss@99" in window.diagram.diagram.legend.texts()[0]
