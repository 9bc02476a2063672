"""Data exports (CSV, NPZ, JSON) on a worker thread: writing a 100 000-step trace takes tens of
seconds, and none of it needs Qt, so the window keeps answering and Cancel is heard between blocks
of rows. (Rendered formats draw with Qt widgets and stay on the GUI thread, in slices.)

The worker writes from a snapshot of the document taken on the GUI thread: the arrays are shared
(the session never writes into the buffers of traces it has handed out, except for in-place
updates on the GUI thread, which cannot run while the export dialog is modal)."""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal

from ..document import ExplorerDocument
from ..export.export import export
from ..export.options import ExportCancelled, ExportError, ExportOptions, ExportResult
from .gui_first import gui_first


class _Bridge(QObject):
    """Queued signals from the worker to the GUI thread."""

    progress = Signal(int, int)
    finished = Signal(object)  # ExportResult
    failed = Signal(str)
    cancelled = Signal()
    crashed = Signal(object)  # (type, value, traceback)


class DataExport(QObject):
    """One data export on a worker thread; emits exactly one of ``finished``, ``failed``,
    ``cancelled`` (or hands an unexpected exception to ``sys.excepthook`` and emits ``crashed``)."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    crashed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self.progress)
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.cancelled.connect(self._on_cancelled)
        self._bridge.crashed.connect(self._on_crashed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, document: ExplorerDocument, options: ExportOptions) -> None:
        snapshot = document.snapshot()  # on the GUI thread; the worker reads only arrays from it
        bridge, stop = self._bridge, self._stop

        def progress(done: int, total: int) -> bool:
            bridge.progress.emit(done, total)
            return not stop.is_set()

        def work() -> None:
            try:
                with gui_first():  # formatting rows is Python: the window's repaints come first
                    result = export(snapshot, options, progress)
            except ExportCancelled:
                bridge.cancelled.emit()
            except ExportError as exc:
                bridge.failed.emit(str(exc))
            except Exception:  # a bug: the app's crash dialog, like one on the GUI thread
                bridge.crashed.emit(sys.exc_info())
            else:
                bridge.finished.emit(result)

        self._thread = threading.Thread(target=work, name="export-data", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the worker to stop at its next block; ``cancelled`` follows."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the worker has ended (at quit: its temporary file is gone then)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout)

    def _ended(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _on_finished(self, result: ExportResult) -> None:
        self._ended()
        self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._ended()
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._ended()
        self.cancelled.emit()

    def _on_crashed(self, info: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        self._ended()
        self.crashed.emit()
        sys.excepthook(*info)
