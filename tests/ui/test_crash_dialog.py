"""An unexpected exception shows a dialog with the details, and the app goes on."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lstm_explorer.app import show_exception


def test_unexpected_error_shows_details_and_the_app_lives_on(qapp, capsys):
    seen = {}

    def read_and_close():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"], seen["details"] = box.text(), box.detailedText()
        box.accept()

    try:
        raise RuntimeError("the forget gate fell over")
    except RuntimeError:
        QTimer.singleShot(0, read_and_close)
        show_exception(*sys.exc_info())
    assert "the forget gate fell over" in seen["text"]
    assert "Traceback" in seen["details"] and "RuntimeError" in seen["details"]
    assert "still running" in seen["text"]
    assert QApplication.instance() is qapp  # nothing quit
    assert "RuntimeError" in capsys.readouterr().err


def test_an_error_on_every_tick_is_one_dialog_and_playback_stops(qtbot, make_window, monkeypatch):
    window = make_window()
    dialogs = []

    def close_later():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            dialogs.append(box.text())
            QTimer.singleShot(300, box.accept)  # a person reads it for a while; ticks keep coming

    monkeypatch.setattr(sys, "excepthook", lambda *info: (QTimer.singleShot(0, close_later), show_exception(*info)))

    def broken(*_args):
        raise RuntimeError("a view broke while playing")

    window.playback.seek(0)
    window.player.animator.advance = broken
    window.player.play()
    qtbot.waitUntil(lambda: bool(dialogs), timeout=5000)
    qtbot.wait(200)
    assert len(dialogs) == 1 and "a view broke" in dialogs[0]
    assert not window.player.playing


def test_an_error_on_the_worker_thread_shows_the_dialog_and_clears_computing(qtbot, make_window, monkeypatch):
    window = make_window()
    window.recompute.force_background = True
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: seen.append((kind, str(value))))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(window.document.session, "compute", broken)
    window.editor.set_text("(a(b)c)(a)")
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen == [(RuntimeError, "the worker fell over")]
    assert window.status.progress.isHidden() and "Computing" not in window.statusBar().currentMessage()
