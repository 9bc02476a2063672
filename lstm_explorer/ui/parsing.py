"""Reading long numeric input on a worker thread.

Pasting 100 000 lines of numbers took the GUI thread 1.5 s to read (0.85 s to parse, 0.7 s to
format the step labels); the parse itself is Python, so it moves off the GUI thread, which keeps
the interpreter every few milliseconds (Python's thread switch interval) and stays responsive.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..sequence import InputError, parse_numeric
from .gui_first import gui_first

#: Longer numeric input (characters) is read on a worker thread; shorter input (~30 000 lines of
#: one value at most, ~40 ms) is read at once, so typing and tests see the result synchronously.
PARSE_SYNC_CHARS = 200_000


def read_numeric(text: str, width: int) -> tuple[np.ndarray, list[str]]:
    """The steps (T, width) of ``text`` and the label shown for each step."""
    X = parse_numeric(text, width)
    return X, [", ".join(f"{v:.3g}" for v in row) for row in X]


class _Bridge(QObject):
    parsed = Signal(int, str, object, object)  # job, text, X, tokens
    invalid = Signal(int, str, object)  # job, text, InputError


class BackgroundParse(QObject):
    """The newest :meth:`parse` wins; results of earlier ones are dropped."""

    parsed = Signal(str, object, object)  # text, X, tokens
    invalid = Signal(str, object)  # text, InputError

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.parsed.connect(self._on_parsed)
        self._bridge.invalid.connect(self._on_invalid)
        self._job = 0
        self._running: int | None = None

    @property
    def busy(self) -> bool:
        return self._running is not None

    def parse(self, text: str, width: int) -> None:
        self._job += 1
        job = self._running = self._job
        bridge = self._bridge

        def work() -> None:
            try:
                with gui_first():  # parsing is Python: the window's repaints come first
                    X, tokens = read_numeric(text, width)
            except InputError as exc:
                bridge.invalid.emit(job, text, exc)
            else:
                bridge.parsed.emit(job, text, X, tokens)

        threading.Thread(target=work, name=f"parse-{job}", daemon=True).start()

    def forget(self) -> None:
        """Drop the running parse's result (the input was read another way since)."""
        self._running = None

    def _on_parsed(self, job: int, text: str, X: np.ndarray, tokens: list[str]) -> None:
        if job == self._running:
            self._running = None
            self.parsed.emit(text, X, tokens)

    def _on_invalid(self, job: int, text: str, exc: InputError) -> None:
        if job == self._running:
            self._running = None
            self.invalid.emit(text, exc)
