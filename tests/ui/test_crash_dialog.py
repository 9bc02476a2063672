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
