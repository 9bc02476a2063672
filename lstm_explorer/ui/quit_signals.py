"""SIGINT (Ctrl+C in the terminal that started the app) and SIGTERM (``kill``, a logout) close the
window as File → Quit does: an export under way is cancelled (its temporary files removed, an
existing target untouched), then the app quits with the shell's exit code, 128 + the signal.

Python runs a signal handler only between two bytecodes of the main thread, possibly inside a Qt
call that calls back into Python (an item's ``paint``): the handler only records the signal, and
a timer on the GUI thread closes the window. The timer also fires inside a rendered export's event
processing between frames, so the export hears the close at its next frame.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from ..interrupt import SIGNALS

#: How often the GUI thread looks for a recorded signal (ms).
POLL_MS = 150


class QuitOnSignals(QObject):
    """Closes ``window`` when SIGINT or SIGTERM arrives; :meth:`restore` puts the old handlers back."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.received: int | None = None
        self._previous: dict[int, object] = {}
        if threading.current_thread() is threading.main_thread():  # only it may install handlers
            for signum in SIGNALS:
                self._previous[signum] = signal.getsignal(signum)
                signal.signal(signum, self._on_signal)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    @property
    def exit_code(self) -> int | None:
        """128 + the signal that closed the window, or None."""
        return None if self.received is None else 128 + self.received

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum  # no Qt call here: the timer acts on it

    def _poll(self) -> None:
        if self.received is not None:
            self._timer.stop()
            self.window.close()

    def restore(self) -> None:
        self._timer.stop()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]  # what getsignal gave back
        self._previous = {}
