"""File → Save session… and Open session…: the window's document to a ``.lstmx`` file and back.

Opening reads and checks the whole file first (a bad file shows the banner and the open model
stays), then opens the model with the session's input through the window's usual path, and puts
layer, step, phase, selection, theme and panel layout back once the input's traces have arrived
(at once for a short input, after the background recompute for a long one).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from ..assets import examples_folder
from ..session_file import (
    SESSION_SUFFIX,
    OpenedSession,
    SessionError,
    hold,
    is_session_path,
    place,
    read_session,
    session_data,
    write_session,
)
from .banner import escape
from .compute import Recompute
from .opening import remember_recent

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["SESSION_FILTER", "SessionActions", "is_session_path"]

SESSION_FILTER = f"LSTM Explorer sessions (*{SESSION_SUFFIX});;All files (*)"


class SessionActions:
    """The window's session commands; ``window.sessions``."""

    # Made by build_menus: File → Open session…, Save session…, Save session with the model's weights…
    open_action: QAction
    save_action: QAction
    save_with_weights_action: QAction

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._pending: OpenedSession | None = None
        self._waiting_on: Recompute | None = None

    # -- saving ------------------------------------------------------------------------------
    def choose_and_save(self, embed: bool = False) -> None:
        window = self.window
        title = "Save session with the model's weights" if embed else "Save session"
        start = Path(str(window.settings.value("session/folder", str(Path.home()))))
        name = f"{Path(window.document.model_key).stem or 'session'}{SESSION_SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(window, title, str(start / name), SESSION_FILTER)
        if path:
            if not path.lower().endswith(SESSION_SUFFIX):
                path += SESSION_SUFFIX
            self.save(path, embed=embed)

    def save(self, path: str | Path, *, embed: bool = False) -> bool:
        """Save what the window shows; a problem goes on the banner. True if written."""
        window = self.window
        path = Path(path)
        try:
            data = session_data(
                window.document,
                path.parent,
                embed=embed,
                theme=window.theme_name,
                layout=bytes(window.saveState().data()),
            )
            write_session(path, data)
        except SessionError as exc:
            window.show_error(escape(str(exc)))
            return False
        except OSError as exc:
            window.show_error(f"Could not save <b>{escape(path.name)}</b>: {escape(exc.strerror or str(exc))}")
            return False
        window.settings.setValue("session/folder", str(path.parent))
        window.statusBar().showMessage(f"Saved session {path}", 8000)
        return True

    # -- opening -----------------------------------------------------------------------------
    def choose_and_open(self) -> None:
        window = self.window
        # The first time, the example sessions shipped with the app.
        start = str(window.settings.value("session/folder", str(examples_folder())))
        path, _ = QFileDialog.getOpenFileName(window, "Open session", start, SESSION_FILTER)
        if path:
            self.open(path)

    def open(self, path: str | Path) -> bool:
        """Open a session file; on failure the banner says why and the open model stays."""
        window = self.window
        try:
            opened = read_session(path)
        except SessionError as exc:
            window.show_error(f"Could not open the session: {escape(str(exc))}")
            return False
        window.settings.setValue("session/folder", str(Path(path).parent))
        if opened.theme is not None:
            window.apply_theme(opened.theme)
        if opened.layout is not None:
            window.restoreState(QByteArray(opened.layout))
        self._stop_waiting()  # a session still waiting for its traces: this one replaces it
        self._pending = opened
        if not window.open_model((opened.model, opened.model_key), text=opened.text):
            self._pending = None
            return False
        recompute = window.recompute
        if recompute is not None and recompute.busy:  # a long input: wait for its traces
            self._waiting_on = recompute
            recompute.updated.connect(self._on_updated)
        else:
            self._place()
        window.setWindowTitle(f"{Path(path).name} — {window.windowTitle()}")
        remember_recent(window.settings, str(Path(path).resolve()))  # File → Open recent reopens it
        return True

    def _on_updated(self, *_args: Any) -> None:
        self._stop_waiting()  # once: later updates are edits, not the session's input
        self._place()

    def _stop_waiting(self) -> None:
        if self._waiting_on is not None:
            self._waiting_on.updated.disconnect(self._on_updated)
            self._waiting_on = None

    def _place(self) -> None:
        opened, self._pending = self._pending, None
        document = self.window.document
        if opened is None or document.model is not opened.model or document.steps != len(opened.tokens):
            return  # another model or input came first: the session's position no longer applies
        hold(document, opened)  # held units: recomputed here, on the GUI thread
        place(document, opened)
