"""Running the session's recompute: small updates right away on the GUI thread, long ones on a
worker thread with progress and cancel (the window keeps answering while a 10 000-step, H=512
sequence is computed).

A submission may carry held units (``interventions``) and a second session, ``plain``, that
follows the same input with none held (for the Δ against the unheld run): both are computed in
the same job, and ``updated`` then carries a :class:`Held` update."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..engine.interventions import Intervention
from ..session import CancelledError, Session, Update

#: Estimated work above this runs off the GUI thread (s).
SYNC_BUDGET = 0.03


@dataclass
class Held:
    """A recompute with units held: the shown run and the same input with none held."""

    update: Update
    plain: Update | None


def _both(
    session: Session,
    plain: Session | None,
    X: np.ndarray,
    interventions: Sequence[Intervention] | None,
    *,
    in_place: bool,
    progress: Any = None,
    cancelled: Any = None,
) -> Update | Held:
    """The update for ``X`` (and the unheld run's, when ``plain`` is given); progress counts both."""
    extra = plain.steps_to_compute(X) if plain is not None else 0
    first = session.steps_to_compute(X, interventions)

    def report(offset: int) -> Any:
        if progress is None:
            return None
        return lambda done, total: progress(offset + done, first + extra)

    update = session.compute(X, in_place=in_place, interventions=interventions, progress=report(0), cancelled=cancelled)
    if plain is None:
        return update
    other = plain.compute(X, in_place=in_place, interventions=(), progress=report(first), cancelled=cancelled)
    return Held(update, other)


class _Bridge(QObject):
    """Carries the worker's results to the GUI thread (queued signals)."""

    progress = Signal(int, int, int)  # job, done, total
    finished = Signal(int, object)  # job, Update
    failed = Signal(int, str)  # job, message
    crashed = Signal(int, object)  # job, (type, value, traceback) of an unexpected exception
    cancelled = Signal(int)


class Recompute(QObject):
    """Decides where an update runs; emits ``updated(update, tag)`` on the GUI thread."""

    updated = Signal(object, object)  # Update, tag (what the caller attached: tokens, text …)
    started = Signal()
    progress = Signal(int, int)
    stopped = Signal(str)  # why a background job ended without a result ("" when it succeeded)
    failed = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._bridge = _Bridge()
        self._bridge.progress.connect(self._on_progress)
        self._bridge.finished.connect(self._on_finished)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.crashed.connect(self._on_crashed)
        self._bridge.cancelled.connect(self._on_cancelled)
        self._job = 0
        self._running: dict[int, threading.Event] = {}
        self._tags: dict[int, Any] = {}
        self._plain: dict[int, Session | None] = {}
        self.force_background = False

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def submit(
        self,
        X: np.ndarray,
        tag: Any = None,
        *,
        interventions: Sequence[Intervention] | None = None,
        plain: Session | None = None,
    ) -> None:
        """Compute traces for ``X`` with ``interventions`` held (None: the session's own); with
        ``plain``, also the unheld run (``updated`` then carries a :class:`Held`). The newest
        submission wins."""
        self.cancel(silent=True)
        held = None if interventions is None else tuple(interventions)
        cost = self.session.estimate_seconds(X, held) + (plain.estimate_seconds(X) if plain is not None else 0.0)
        if not self.force_background and cost <= SYNC_BUDGET:
            try:
                update = _both(self.session, plain, X, held, in_place=True)
            except (ValueError, MemoryError) as exc:
                self.failed.emit(str(exc))
                return
            self.updated.emit(update, tag)
            return
        self._job += 1
        job = self._job
        stop = threading.Event()
        self._running[job] = stop
        self._tags[job] = tag
        self._plain[job] = plain
        session, bridge = self.session, self._bridge

        def work() -> None:
            try:
                update = _both(
                    session,
                    plain,
                    X,
                    held,
                    in_place=False,
                    progress=lambda done, total: bridge.progress.emit(job, done, total),
                    cancelled=stop.is_set,
                )
            except CancelledError:
                bridge.cancelled.emit(job)
            except (ValueError, MemoryError) as exc:
                bridge.failed.emit(job, str(exc))
            except Exception:  # a bug: reported on the GUI thread like any other (see _on_crashed)
                bridge.crashed.emit(job, sys.exc_info())
            else:
                bridge.finished.emit(job, update)

        self.started.emit()
        threading.Thread(target=work, name=f"recompute-{job}", daemon=True).start()

    def cancel(self, silent: bool = False) -> None:
        """Stop the running job. ``silent``: forget it now (a newer one replaces it); otherwise
        ``stopped("cancelled")`` follows once the worker has noticed."""
        for job, stop in list(self._running.items()):
            stop.set()
            if silent:
                self._running.pop(job, None)
                self._tags.pop(job, None)
                self._plain.pop(job, None)

    def _on_progress(self, job: int, done: int, total: int) -> None:
        if job == self._job and job in self._running:
            self.progress.emit(done, total)

    def _on_finished(self, job: int, update: Update | Held) -> None:
        if job not in self._running:
            return  # superseded or cancelled: drop the result
        self._running.pop(job)
        tag = self._tags.pop(job, None)
        if isinstance(update, Held):
            self.session.apply(update.update)
            plain = self._plain.pop(job, None)
            if plain is not None and update.plain is not None:
                plain.apply(update.plain)
        else:
            self.session.apply(update)
        self.stopped.emit("")
        self.updated.emit(update, tag)

    def _on_failed(self, job: int, message: str) -> None:
        if self._running.pop(job, None) is not None:
            self._tags.pop(job, None)
            self._plain.pop(job, None)
            self.stopped.emit(message)
            self.failed.emit(message)

    def _on_crashed(self, job: int, info: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        """An unexpected exception on the worker: the job ends ("Computing…" goes away) and the
        exception goes to the same handler as one raised on the GUI thread (the crash dialog)."""
        if self._running.pop(job, None) is not None:
            self._tags.pop(job, None)
            self._plain.pop(job, None)
            self.stopped.emit("failed")
            sys.excepthook(*info)

    def _on_cancelled(self, job: int) -> None:
        if self._running.pop(job, None) is not None:
            self._tags.pop(job, None)
            self._plain.pop(job, None)
            self.stopped.emit("cancelled")

    def wait(self, timeout: float = 60.0) -> None:
        """Block until no job runs (for scripts; the GUI never calls this)."""
        import time

        from PySide6.QtCore import QCoreApplication

        end = time.perf_counter() + timeout
        while self._running and time.perf_counter() < end:
            QCoreApplication.processEvents()
