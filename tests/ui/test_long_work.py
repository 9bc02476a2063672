"""Long work in the window never blocks it (issue 14, class 6): data exports on a worker thread with
progress and Cancel, long pastes parsed in slices, Cancel of a long recompute heard at once."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer

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
    ticks: list[int] = []
    timer = QTimer(interval=1)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with qtbot.waitSignal(dialog.exported, timeout=60000) as result:
        assert dialog.run_export() is None  # returns at once: the worker writes
        assert dialog.data_export is not None and dialog.data_export.running
        dialog.data_export.progress.connect(lambda done, total: progress.append((done, total)))
    timer.stop()
    assert result.args[0].path == tmp_path / "trace.csv"
    assert progress and progress[-1][0] == progress[-1][1] == 3000  # rows, reported as they are written
    assert len(ticks) > 1  # the event loop turned while the file was written
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
