"""File → Save session… and Open session…: the window's document to a ``.lstmx`` file and back.

Opening reads and checks the whole file first (a bad file shows the banner and the open model
stays), then opens the model with the session's input through the window's usual path, and puts
layer, step, phase, selection, theme and panel layout back once the input's traces have arrived
(at once for a short input, after the background recompute for a long one). A session a person
opens (File → Open session…, a drop, Open recent) is read on a worker thread, with the model's
cells compiled there too: a session with a large embedded model never freezes the window.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from ..assets import examples_folder
from ..session import Session
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


class _Bridge(QObject):
    """Carries the reader thread's result to the GUI thread (queued signals)."""

    read = Signal(int, object, object)  # job, OpenedSession, its model's prepared Session
    failed = Signal(int, str)  # job, message
    crashed = Signal(int, object)  # job, sys.exc_info() of an unexpected exception


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
        self._job = 0
        self._paths: dict[int, Path] = {}  # the request being read, by job
        self._bridge = _Bridge(window)  # parented: it goes with the window
        self._bridge.read.connect(self._on_read)
        self._bridge.failed.connect(self._on_read_failed)
        self._bridge.crashed.connect(self._on_crashed)

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
            self.open_in_background(path)

    def open_in_background(self, path: str | Path) -> None:
        """Read and check a session file on a worker thread, then show it (:meth:`open`'s second
        half); the newest request wins and the model on screen stays until then."""
        self._job += 1
        job, path = self._job, Path(path)
        self._paths = {job: path}
        bridge = self._bridge
        self.window.statusBar().showMessage(f"Opening session {path.name}…")

        def work() -> None:
            try:
                opened = read_session(path)
                prepared = Session(opened.model.network)  # compiling a large model's cells takes a while
            except SessionError as exc:
                bridge.failed.emit(job, str(exc))
            except Exception:  # a bug: reported on the GUI thread like any other
                bridge.crashed.emit(job, sys.exc_info())
            else:
                bridge.read.emit(job, opened, prepared)

        threading.Thread(target=work, name=f"open-session-{job}", daemon=True).start()

    def _on_read(self, job: int, opened: OpenedSession, prepared: Session) -> None:
        path = self._paths.pop(job, None)
        if path is not None:
            self.window.statusBar().clearMessage()
            self._show(path, opened, prepared)

    def _on_crashed(self, job: int, info: Any) -> None:
        if self._paths.pop(job, None) is not None:
            self.window.statusBar().clearMessage()
            sys.excepthook(*info)

    def _on_read_failed(self, job: int, message: str) -> None:
        if self._paths.pop(job, None) is not None:
            self.window.show_error(f"Could not open the session: {escape(message)}")

    def open(self, path: str | Path) -> bool:
        """Open a session file now; on failure the banner says why and the open model stays."""
        try:
            opened = read_session(path)
        except SessionError as exc:
            self.window.show_error(f"Could not open the session: {escape(str(exc))}")
            return False
        return self._show(Path(path), opened)

    def _show(self, path: Path, opened: OpenedSession, prepared: Session | None = None) -> bool:
        window = self.window
        self._paths.clear()  # an older request still being read no longer applies
        window.settings.setValue("session/folder", str(Path(path).parent))
        if opened.theme is not None:
            window.apply_theme(opened.theme)
        if opened.layout is not None:
            window.restoreState(QByteArray(opened.layout))
        self._stop_waiting()  # a session still waiting for its traces: this one replaces it
        self._pending = opened
        if not window.open_model((opened.model, opened.model_key), text=opened.text, session=prepared):
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
