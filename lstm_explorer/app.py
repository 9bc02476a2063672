"""Starting the GUI: the QApplication, the crash dialog, and the main window."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from .ui.main_window import APP_NAME, MainWindow


def show_exception(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """An unexpected error: a dialog with the details; the app keeps running."""
    details = "".join(traceback.format_exception(kind, value, tb))
    print(details, file=sys.stderr)
    app = QApplication.instance()
    if app is None:
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        f"{APP_NAME}: unexpected error",
        f"Something went wrong: {value}\n\nThe app is still running; what you were doing may not have finished.",
    )
    box.setDetailedText(details)
    box.exec()


def run_app(model: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("LSTM Explorer")
    sys.excepthook = show_exception
    window = MainWindow(model=model, open_later=True)
    window.show()
    return app.exec()
