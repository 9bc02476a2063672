"""Ctrl+C and SIGTERM in the command line: stop at a safe point, clean up, exit 130 or 143.

Python runs a signal handler between two bytecodes of the main thread, and that thread may be
inside a Qt call that is calling back into Python (an item's ``paint`` during
``QGraphicsScene.render``): an exception raised there crashed the process with a segmentation
fault. So inside :func:`deferred` (while Qt may be drawing) the handler only records the signal,
and :class:`Interrupted` is raised at the next :func:`checkpoint` or when the block ends, outside
Qt. Elsewhere (NumPy, file writes) it is raised at once, like KeyboardInterrupt, and the
atomic-write blocks remove their temporary files on the way out.

Without :func:`handle_signals` (the window, tests calling functions directly) nothing is ever
recorded and :func:`checkpoint` costs one comparison.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A signal asked the process to stop; ``exit_code`` is the shell's 128 + signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_pending: int | None = None
_deferring = 0


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    global _pending
    if _pending is None:
        _pending = signum
    if _deferring == 0:
        raise Interrupted(signum)


def pending() -> bool:
    """True once SIGINT or SIGTERM arrived (a progress callback returns False then)."""
    return _pending is not None


def checkpoint() -> None:
    """A safe point: raise :class:`Interrupted` if a signal arrived."""
    if _pending is not None:
        raise Interrupted(_pending)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A block during which a signal is only recorded; it is raised when the block ends."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if _deferring == 0:
            checkpoint()


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """Route SIGINT and SIGTERM to :class:`Interrupted` for the duration of a command."""
    global _pending
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers; leave the process's own in place
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    _pending = None
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _pending = None
