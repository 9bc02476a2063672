"""Help → Keyboard shortcuts and Help → About."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from .. import __version__

APP_NAME = "LSTM Explorer"

ABOUT_TEXT = f"""<h3>{APP_NAME} {__version__}</h3>
<p>Watch a recurrent network think, gate by gate: the LSTM cell drawn the classic way, every vector
on its wire, computed live by an engine that gives the same numbers as PyTorch.</p>
<p>Cells: LSTM, peephole LSTM, coupled-gate LSTM, GRU (PyTorch and Cho et al. forms), plain RNN.</p>"""

SHORTCUTS = (
    ("Space", "Play / pause"),
    ("→ / ←", "One time step forward / back"),
    ("Shift+→ / Shift+←", "One phase forward / back"),
    ("Home / End", "Jump to the first / last step"),
    ("Esc", "Leave the input editor at once (its keys go back to playback); leave presentation mode"),
    ("F11", "Presentation mode: the diagram full screen with a caption"),
    ("Ctrl+= / Ctrl+−", "Zoom the diagram in / out"),
    ("Ctrl+0", "Fit the diagram"),
    ("Ctrl+B / Ctrl+Shift+B", "The diagram backward: the gradient of the target / pin its target at this step"),
    ("Ctrl+O", "Open a model file"),
    ("Ctrl+S / Ctrl+Shift+O", "Save / open a session (.lstmx)"),
    ("Ctrl+E", "Export"),
    ("Ctrl+Q", "Quit"),
    ("F1", "This list"),
    ("Click a heatmap cell", "Jump to that step and select the unit (Ctrl+click: add a unit)"),
    ("Click a token or a chain module", "Jump to that step"),
)


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """A non-modal dialog listing the keys (shown by the caller)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    layout = QVBoxLayout(dialog)
    text = QTextBrowser()
    rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
    text.setHtml(
        f"<table cellpadding='4'>{rows}</table><p>While you type in the input editor, its keys edit the "
        "text; a pause of a second and a half (or Esc, or Tab) hands Space and the arrows back to "
        "playback, and typing again goes on where you were. In a text model, Space plays at once "
        "when a space is not in the vocabulary.</p>"
    )
    layout.addWidget(text)
    close = QPushButton("Close")
    close.clicked.connect(dialog.accept)
    layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
    dialog.resize(520, 420)
    dialog.setModal(False)
    return dialog


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, f"About {APP_NAME}", ABOUT_TEXT)
