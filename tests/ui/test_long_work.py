"""Long work in the window never blocks it (issue 14, class 6): data exports on a worker thread with
progress and Cancel, long pastes parsed in slices, Cancel of a long recompute heard at once."""

from __future__ import annotations

import numpy as np

from lstm_explorer.models import random_model
from lstm_explorer.tracefile import read_trace_csv
from lstm_explorer.ui.export_dialog import ExportDialog


def text_window(make_window, steps: int, qtbot):
    window = make_window("brackets")
    text = ("(a(b)c)" * (steps // 7 + 1))[:steps]
    window.editor.set_text(text)
    qtbot.waitUntil(lambda: window.playback.steps == steps and not window.recompute.busy, timeout=30000)
    return window


def export_dialog(window, tmp_path, name: str) -> ExportDialog:
    dialog = ExportDialog(window.document, window, folder=tmp_path, settings=window.settings)
    dialog.form.set_path(str(tmp_path / name))
    dialog.show()
    return dialog


def test_a_csv_export_runs_off_the_gui_thread_with_progress(qtbot, make_window, tmp_path):
    window = text_window(make_window, 3000, qtbot)
    dialog = export_dialog(window, tmp_path, "trace.csv")
    assert dialog.form.format == "csv"
    progress: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.exported, timeout=60000) as result:
        assert dialog.run_export() is None  # returns at once: the worker writes
        assert dialog.data_export is not None and dialog.data_export.running
        assert not (tmp_path / "trace.csv").exists()
        dialog.data_export.progress.connect(lambda done, total: progress.append((done, total)))
    assert result.args[0].path == tmp_path / "trace.csv"
    # Rows, reported per block as they are written (the modal progress dialog's setValue processes
    # events, so later slots such as this one may see reports out of order, or miss the last).
    assert len(progress) > 5 and {total for _done, total in progress[1:]} == {3000}
    shown = window.document.trace
    assert shown is not None
    back = read_trace_csv(tmp_path / "trace.csv")
    np.testing.assert_array_equal(back["h"], shown["h"])
    assert not dialog.isVisible() and dialog.data_export is None


def test_cancel_of_a_data_export_writes_nothing_and_the_dialog_stays(qtbot, make_window, tmp_path, monkeypatch):
    import threading

    from PySide6.QtWidgets import QPushButton

    from lstm_explorer import tracefile

    window = text_window(make_window, 3000, qtbot)
    release = threading.Event()
    add = tracefile._Counter.add

    def held(counter, rows):  # the worker waits after its first block until Cancel was clicked
        release.wait(30)
        add(counter, rows)

    monkeypatch.setattr(tracefile._Counter, "add", held)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("trace.json", "trace.npz", "trace.csv"):
        release.clear()
        dialog = export_dialog(window, out, name)
        assert dialog.run_export() is None
        assert dialog._progress is not None
        with qtbot.waitSignal(dialog.data_export.cancelled, timeout=30000):
            dialog._progress.findChild(QPushButton).click()
            release.set()
        assert "cancelled" in dialog.summary.text()
        assert dialog.isVisible() and list(out.iterdir()) == []
        dialog.close()


def test_a_data_export_error_is_shown_by_the_dialog(qtbot, make_window, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    window = text_window(make_window, 50, qtbot)
    dialog = export_dialog(window, tmp_path, "missing/trace.npz")
    assert dialog.run_export() is None
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "exportError") is not None, timeout=10000)
    assert "the folder does not exist" in dialog.summary.text() and dialog.isVisible()
    assert dialog.data_export is None


def test_a_numeric_window_exports_npz_that_reads_back(qtbot, make_window, tmp_path):
    window = make_window(random_model("lstm", input_size=2, hidden_size=5))
    window.editor.set_text("\n".join(f"{k / 10}, {k / 20}" for k in range(40)))
    qtbot.waitUntil(lambda: window.playback.steps == 40, timeout=10000)
    dialog = export_dialog(window, tmp_path, "walk.npz")
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.run_export()
    with np.load(tmp_path / "walk.npz") as data:
        np.testing.assert_array_equal(data["c"], window.document.trace["c"])


def numeric_window(make_window):
    window = make_window(random_model("lstm", input_size=1, hidden_size=4))
    window.editor.set_text("0.5\n0.25")
    return window


def test_a_long_paste_goes_in_slices_as_one_undo_step_and_is_read_off_the_gui_thread(qtbot, make_window):
    from PySide6.QtWidgets import QApplication

    from lstm_explorer.ui.parsing import PARSE_SYNC_CHARS
    from lstm_explorer.ui.sliced_paste import SLICE_CHARS

    window = numeric_window(make_window)
    steps = 40_000
    values = np.round(np.sin(np.arange(steps) * 0.01), 4)
    lines = "\n".join(f"{v:.4f}" for v in values)
    assert len(lines) > max(PARSE_SYNC_CHARS, 3 * SLICE_CHARS)
    edit = window.editor.edit
    edit.selectAll()
    QApplication.clipboard().setText(lines)
    edit.paste()
    assert edit.pasting and edit.isReadOnly()  # the first slice is in; the event loop runs between slices
    assert 0 < len(edit.toPlainText()) < len(lines)
    qtbot.waitUntil(lambda: not edit.pasting, timeout=30000)
    assert edit.toPlainText() == lines and not edit.isReadOnly()
    qtbot.waitUntil(lambda: window.editor.parsing, timeout=5000)  # read on a worker thread
    qtbot.waitUntil(lambda: window.playback.steps == steps, timeout=60000)
    np.testing.assert_array_equal(window.document.X[:, 0], values)
    assert window.document.tokens[1] == f"{values[1]:.3g}"
    edit.undo()  # the whole paste was one step
    assert edit.toPlainText() == "0.5\n0.25"
    qtbot.waitUntil(lambda: window.playback.steps == 2, timeout=10000)


def test_a_mistake_in_a_long_paste_is_shown_where_it_is(qtbot, make_window):
    window = numeric_window(make_window)
    lines = ["0.125"] * 40_000
    lines[30_000] = "0.5,,1"
    window.editor.edit.setPlainText("\n".join(lines))
    window.editor.flush()
    assert window.editor.parsing and window.editor.count_label.text() == "reading…"
    qtbot.waitUntil(lambda: window.editor.message.text() != "", timeout=30000)
    message = window.editor.message.text()
    assert "column 5: empty value" in message and "30001" in message  # the line the mistake is on
    assert window.playback.steps == 2  # the last good sequence stays


def test_typing_while_a_long_input_is_read_drops_the_stale_result(qtbot, make_window):
    window = numeric_window(make_window)
    window.editor.edit.setPlainText("\n".join(["0.125"] * 40_000))
    window.editor.flush()
    assert window.editor.parsing
    window.editor.set_text("1\n2\n3")  # short: read at once; the long one's result is forgotten
    assert window.playback.steps == 3 and not window.editor.parsing
    import threading

    from PySide6.QtWidgets import QApplication

    # The long parse's worker ends and its (stale) result is delivered: it must not land.
    qtbot.waitUntil(lambda: not any(t.name.startswith("parse-") for t in threading.enumerate()), timeout=30000)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not window.recompute.busy, timeout=10000)
    assert window.playback.steps == 3


def test_a_model_opened_from_a_file_is_compiled_off_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    import threading

    from lstm_explorer import session as session_module
    from lstm_explorer.models.files import write_npz

    path = tmp_path / "wide.npz"
    write_npz(path, random_model("lstm", input_size=3, hidden_size=96).network.tensors)
    built_on: list[str] = []
    init = session_module.Session.__init__

    def recording(self, network):
        built_on.append(threading.current_thread().name)
        init(self, network)

    monkeypatch.setattr(session_module.Session, "__init__", recording)
    window.open_in_background(str(path))
    qtbot.waitUntil(lambda: window.model.name == "wide.npz", timeout=20000)
    assert built_on and all(name.startswith("open-model-") for name in built_on)
    assert window.document.session is not None and window.document.session.network is window.model.network
