"""Opening a model file on a worker thread: a large or slow file (a network folder, a 500 MB
checkpoint) never freezes the window; the status bar says what is opening, with Cancel, and the
open model stays on screen until the new one is ready. A cancelled open is forgotten: reading
cannot be interrupted safely, so the worker finishes and its result is dropped.

The worker also prepares the model's :class:`Session` (compiling the cells: 0.7 s for a 2-layer
LSTM of 1024 units, which froze the window when it ran on the GUI thread)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..session import Session
from . import opening
from .gui_first import gui_first


class _Bridge(QObject):
    done = Signal(int, object, str, object)  # job, model, key, prepared session
    failed = Signal(int, object)  # job, OpenError


class ModelLoader(QObject):
    loaded = Signal(object, str, object, object)  # model, key, what the caller attached, prepared Session
    failed = Signal(str)  # banner HTML
    module_needed = Signal(object)  # an OpenError whose file holds several modules (.modules, .request)
    started = Signal(str)  # the name being opened
    stopped = Signal(str)  # "" (opened or failed) or "cancelled"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = _Bridge()
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)
        self._job = 0
        self._tags: dict[int, Any] = {}

    @property
    def busy(self) -> bool:
        return bool(self._tags)

    def load(self, spec: Any, tag: Any = None) -> None:
        """Open ``spec`` (a path, a bundled name …) off the GUI thread; the newest request wins."""
        self.cancel(silent=True)
        self._job += 1
        job = self._job
        self._tags[job] = tag
        bridge = self._bridge

        def work() -> None:
            with gui_first():  # reading and compiling are partly Python: the window's repaints come first
                try:
                    model, key = opening.load_model(spec)
                    session = Session(model.network)
                except opening.OpenError as exc:
                    bridge.failed.emit(job, exc)
                    return
            bridge.done.emit(job, model, key, session)

        self.started.emit(Path(spec.path if isinstance(spec, opening.OpenRequest) else str(spec)).name)
        threading.Thread(target=work, name=f"open-model-{job}", daemon=True).start()

    def cancel(self, silent: bool = False) -> None:
        if self._tags:
            self._tags.clear()
            if not silent:
                self.stopped.emit("cancelled")

    def _on_done(self, job: int, model: Any, key: str, session: Session) -> None:
        if job in self._tags:
            tag = self._tags.pop(job)
            self.stopped.emit("")
            self.loaded.emit(model, key, tag, session)

    def _on_failed(self, job: int, error: opening.OpenError) -> None:
        if self._tags.pop(job, None) is not None or job == self._job:
            self.stopped.emit("")
            if error.modules:
                self.module_needed.emit(error)
            else:
                self.failed.emit(str(error))
