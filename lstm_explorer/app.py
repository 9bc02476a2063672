"""Starting the GUI: the QApplication, the crash dialog, and the main window."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from .assets import APP_ID
from .ui.app_icon import app_icon
from .ui.main_window import APP_NAME, MainWindow
from .ui.opening import OpenRequest
from .ui.quit_signals import QuitOnSignals

#: Errors reported while a crash dialog is open: counted, not shown (a failing timer would raise
#: one per tick).
_open_dialogs: list[int] = []


def show_exception(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """An unexpected error: a dialog with the details; the app keeps running. While that dialog
    is open, further errors go to stderr only, so a repeating error is one dialog, not a storm."""
    details = "".join(traceback.format_exception(kind, value, tb))
    print(details, file=sys.stderr)
    app = QApplication.instance()
    if app is None:
        return
    if _open_dialogs:
        _open_dialogs[0] += 1
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        f"{APP_NAME}: unexpected error",
        f"Something went wrong: {value}\n\nThe app is still running; what you were doing may not have finished.",
    )
    box.setDetailedText(details)
    _open_dialogs.append(0)
    try:
        box.exec()
    finally:
        _open_dialogs.clear()


def run_app(
    model: str | None = None, *, module: str | None = None, vocabulary: str | None = None, cell: str | None = None
) -> int:
    """The window on ``model``, opened with the module, vocabulary file and cell kind given."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("LSTM Explorer")
    QApplication.setWindowIcon(app_icon())
    QApplication.setDesktopFileName(APP_ID)  # Wayland shells match the window to the installed .desktop entry
    sys.excepthook = show_exception
    spec: object = model
    if model and (module or vocabulary or cell):
        spec = OpenRequest(model, cell=cell, module=module, vocabulary=vocabulary)
    window = MainWindow(model=spec, open_later=True, tour=True)  # the tour: on a first run only
    window.show()
    quitting = QuitOnSignals(window)  # SIGINT, SIGTERM: File → Quit, an export under way cancelled
    code = app.exec()
    quitting.restore()
    return quitting.exit_code or code
