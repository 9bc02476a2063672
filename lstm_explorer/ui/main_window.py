"""The main window: menus, the central view and the docks around it."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from .. import __version__

APP_NAME = "LSTM Explorer"

ABOUT_TEXT = f"""<h3>{APP_NAME} {__version__}</h3>
<p>Watch a recurrent network think, gate by gate: the LSTM cell drawn the classic way, every vector
on its wire, computed live by an engine that gives the same numbers as PyTorch.</p>
<p>Cells: LSTM, peephole LSTM, coupled-gate LSTM, GRU (PyTorch and Cho et al. forms), plain RNN.</p>"""


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        placeholder = QLabel("LSTM Explorer")
        placeholder.setObjectName("centralPlaceholder")
        self.setCentralWidget(placeholder)
        self._build_menus()
        self.statusBar().showMessage("Ready")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.quit_action = quit_action

        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction(f"&About {APP_NAME}", self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)
        self.about_action = about_action

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", ABOUT_TEXT)
