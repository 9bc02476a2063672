from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lstm_explorer.ui.main_window import APP_NAME, MainWindow


def test_window_has_title_and_about_dialog(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == APP_NAME
    seen = {}

    def read_and_close():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text()
        box.accept()

    QTimer.singleShot(0, read_and_close)
    window.about_action.trigger()
    assert "LSTM Explorer" in seen["text"] and "PyTorch" in seen["text"]
