"""Runs gradient requests for the Gradients panel: at once when the last ones were cheap (under a
frame), else on one worker thread where the newest request wins — a request made while one runs
replaces any other waiting, so scrubbing never queues up work and never waits for it."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Signal

from ..engine.targets import TargetError
from .gradient_compute import GradientRequest, GradientResult, compute

#: One frame at 60 fps: work estimated above this runs off the GUI thread (s).
FRAME_SECONDS = 1 / 60
#: Seconds per step walked back, before anything is measured: 1 000 steps at H = 128 took
#: ~0.15 s on the 2-core machine, so a first long sequence goes to the thread.
FIRST_GUESS = 1.5e-4


class _Bridge(QObject):
    """Carries the thread's results to the GUI thread (queued signals)."""

    finished = Signal(int, object)  # job, GradientResult
    failed = Signal(int, str)
    crashed = Signal(int, object)  # job, sys.exc_info()


class GradientRunner(QObject):
    """``submit(request)``; ``finished(result)`` / ``failed(message)`` on the GUI thread."""

    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self, parent: QObject | None = None, compute: Callable[[GradientRequest], GradientResult] = compute
    ) -> None:
        super().__init__(parent)
        #: What a request runs: the panel's curves (:func:`.gradient_compute.compute`), or every
        #: node's gradient for the diagram's backward mode (:func:`.gradient_compute.compute_nodes`).
        self.compute = compute
        self._bridge = _Bridge()
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.crashed.connect(self._on_crashed)
        self._job = 0
        self._running: int | None = None
        self._waiting: GradientRequest | None = None
        self.seconds_per_step = FIRST_GUESS
        #: Always compute on the calling thread (export draws frames with no event loop running).
        self.synchronous = False

    @property
    def busy(self) -> bool:
        return self._running is not None

    def estimate(self, request: GradientRequest) -> float:
        """Seconds the request should take: steps walked back × the last measured rate (×2 with
        the selected unit's own derivative)."""
        walks = 2 if request.unit is not None else 1
        return self.seconds_per_step * (request.anchor + 1) * walks

    def submit(self, request: GradientRequest) -> None:
        if self.synchronous or (self._running is None and self.estimate(request) <= FRAME_SECONDS):
            self.run_now(request)
            return
        if self._running is not None:
            self._waiting = request  # replaces an older waiting request: the newest wins
            return
        self._start(request)

    def run_now(self, request: GradientRequest) -> GradientResult | None:
        """Compute on this thread; emits and returns the result (None after ``failed``)."""
        self._job += 1  # a result still coming from the thread is older: dropped
        self._waiting = None
        try:
            result = self.compute(request)
        except TargetError as exc:
            self.failed.emit(str(exc))
            return None
        self._learn(request, result)
        self.finished.emit(result)
        return result

    def _learn(self, request: GradientRequest, result: GradientResult) -> None:
        walks = 2 if result.unit_full is not None else 1
        self.seconds_per_step = max(result.seconds / ((request.anchor + 1) * walks), 1e-7)

    def _start(self, request: GradientRequest) -> None:
        self._job += 1
        job = self._job
        self._running = job
        bridge, compute = self._bridge, self.compute

        def work() -> None:
            # The panel (and its bridge) may be gone by the time the result is ready (the window
            # closed): there is then nobody to tell.
            with contextlib.suppress(RuntimeError):
                try:
                    result = compute(request)
                except TargetError as exc:
                    bridge.failed.emit(job, str(exc))
                except Exception:  # a bug: reported on the GUI thread (the crash dialog)
                    bridge.crashed.emit(job, sys.exc_info())
                else:
                    bridge.finished.emit(job, result)

        self.busy_changed.emit(True)
        threading.Thread(target=work, name=f"gradients-{job}", daemon=True).start()

    def _next(self, job: int) -> bool:
        """The job ended: start the waiting request, if any. True when ``job``'s result is current
        (no newer job was started or run since)."""
        current = job == self._job
        self._running = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)
        else:
            self.busy_changed.emit(False)
        return current

    def _on_finished(self, job: int, result: GradientResult) -> None:
        current = self._next(job)
        self._learn(result.request, result)
        if current or self._running is not None:
            # A result for a moment just past is still shown while the newest is computed: during
            # playback every result would otherwise be superseded before it arrives.
            self.finished.emit(result)

    def _on_failed(self, job: int, message: str) -> None:
        if self._next(job):
            self.failed.emit(message)

    def _on_crashed(self, job: int, info: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        self._next(job)
        sys.excepthook(*info)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until no job runs (for scripts and tests; the GUI never calls this)."""
        from PySide6.QtCore import QCoreApplication

        end = time.perf_counter() + timeout
        while (self._running is not None or self._waiting is not None) and time.perf_counter() < end:
            QCoreApplication.processEvents()
            time.sleep(0.002)
