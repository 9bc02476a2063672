"""Quitting while the window exports (File → Quit, closing the window, SIGINT or SIGTERM) cancels
the export: no temporary file is left, an existing target keeps its contents, then the window
closes (issue 14, class 1)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from lstm_explorer.atomic import TEMP_TAG
from lstm_explorer.ui.export_dialog import ExportDialog
from lstm_explorer.ui.quit_signals import QuitOnSignals


def exporting_window(qtbot, make_window, folder, name: str):
    window = make_window("brackets")
    window.editor.set_text("(a(b)c)" * 6)
    qtbot.waitUntil(lambda: window.playback.steps == 42 and not window.recompute.busy, timeout=30000)
    target = folder / name
    target.write_bytes(b"an earlier export")
    dialog = ExportDialog(window.document, window, folder=folder, settings=window.settings)
    dialog.form.set_path(str(target))
    dialog.form.confirmed_path = str(target)  # "Replace?" was answered
    dialog.show()
    return window, dialog, target


def left_behind(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_TAG in p.name)


def quit_after_frames(dialog: ExportDialog, frames: int, quit_now) -> list[int]:
    """Calls ``quit_now`` from the export's own event processing once ``frames`` are drawn."""
    seen: list[int] = []
    report = dialog._on_progress

    def progress(done: int, total: int, rows: bool = False) -> bool:
        seen.append(done)
        if done == frames:
            quit_now()
        return report(done, total, rows)

    dialog._on_progress = progress  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_file_quit_during_a_video_export_cancels_it_and_closes_the_window(qtbot, make_window, tmp_path, fmt):
    window, dialog, target = exporting_window(qtbot, make_window, tmp_path, f"walk.{fmt}")
    dialog.form.set_size(320, 240)
    frames = quit_after_frames(dialog, 3, window.quit_action.trigger)
    assert dialog.run_export() is None  # cancelled at the frame after Quit
    assert 3 <= max(frames) <= 4 and dialog.last_result is None
    assert target.read_bytes() == b"an earlier export"
    assert left_behind(tmp_path) == []
    assert not window.isVisible() and not dialog.isVisible()


def test_closing_the_window_during_a_data_export_stops_the_writer_and_removes_its_file(
    qtbot, make_window, tmp_path, monkeypatch
):
    from lstm_explorer import tracefile

    window, dialog, target = exporting_window(qtbot, make_window, tmp_path, "trace.csv")
    writing, release = threading.Event(), threading.Event()
    add = tracefile._Counter.add

    def held(counter, rows):  # the worker is between two blocks while the window closes
        writing.set()
        release.wait(30)
        add(counter, rows)

    monkeypatch.setattr(tracefile._Counter, "add", held)
    dialog.run_export()
    assert writing.wait(30) and left_behind(tmp_path) != []  # the temporary file is being written
    threading.Timer(0.2, release.set).start()
    window.close()  # waits for the writer, which stops at its next block
    assert target.read_bytes() == b"an earlier export"
    assert left_behind(tmp_path) == []
    assert not dialog.isVisible()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_video_export_cancels_it_and_closes_the_window(qtbot, make_window, tmp_path, signum):
    window, dialog, target = exporting_window(qtbot, make_window, tmp_path, "walk.gif")
    dialog.form.set_size(320, 240)
    quitting = QuitOnSignals(window)
    try:

        def send() -> None:
            os.kill(os.getpid(), signum)  # recorded only; the window closes from a timer
            qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)

        frames = quit_after_frames(dialog, 2, send)
        assert dialog.run_export() is None
    finally:
        quitting.restore()
    assert max(frames) <= 3 and quitting.exit_code == 128 + signum
    assert target.read_bytes() == b"an earlier export"
    assert left_behind(tmp_path) == []
    assert not dialog.isVisible()
    assert signal.getsignal(signum) is not quitting._on_signal


APP_EXPORTING = """
import sys
from PySide6.QtCore import QTimer
from lstm_explorer import app
from lstm_explorer.ui.export_dialog import ExportDialog

class ExportingWindow(app.MainWindow):
    # The app's own window, which starts a GIF export from the dialog once its trace is in.
    def showEvent(self, event):
        super().showEvent(event)
        QTimer.singleShot(100, self.export_when_ready)

    def export_when_ready(self):
        if self.document.trace is None or self.recompute is None or self.recompute.busy:
            QTimer.singleShot(100, self.export_when_ready)
            return
        self.editor.set_text("(a(b)c)" * 40)
        dialog = self.dialog = ExportDialog(self.document, self, folder=sys.argv[1], settings=self.settings)
        dialog.form.set_path(sys.argv[1] + "/walk.gif")
        dialog.form.confirmed_path = sys.argv[1] + "/walk.gif"
        dialog.form.set_size(320, 240)
        dialog.show()
        dialog.run_export()

app.MainWindow = ExportingWindow
sys.exit(app.run_app("brackets"))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_app_sent_a_signal_while_exporting_cancels_the_export_and_exits(tmp_path, signum):
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "out"
    out.mkdir()
    (out / "walk.gif").write_bytes(b"an earlier export")
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # the app's settings, not the user's
    }
    process = subprocess.Popen(
        [sys.executable, "-c", APP_EXPORTING, str(out)], env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not left_behind(out):  # the export is writing its temporary file
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the export never started"
        time.sleep(0.02)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    assert (out / "walk.gif").read_bytes() == b"an earlier export"
    assert left_behind(out) == []
