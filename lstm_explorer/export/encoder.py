"""The encoding half of an animated export: frames go through a short queue to a writer on its own
thread (ffmpeg itself runs in its own process), so the next frame draws while one is encoded."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .options import ExportCancelled

if TYPE_CHECKING:
    from .writers import Writer


#: Longest the drawing thread blocks at a time waiting for the encoder (s). Between two waits it
#: reports progress again, which in the window processes events: a 720p MP4 frame waiting for
#: ffmpeg, or ffmpeg finishing the file, held the window up to ~60 ms when waited for in one go.
WAIT_SLICE = 0.02


class Encoder:
    """A writer fed from a short queue on its own thread, which also finishes the file; the first
    error is kept and re-raised. ``waiting()`` is called while the queue is full or the file is
    being finished (it may raise to cancel)."""

    def __init__(self, writer: Writer, depth: int = 3) -> None:
        self.writer = writer
        self.queue: queue.Queue[tuple[object, np.ndarray] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.busy_seconds = 0.0
        self.thread = threading.Thread(target=self._run, name="export-encoder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                if self.error is None:  # not stopped: ffmpeg encodes what is left, off the drawing thread
                    try:
                        self.writer.finish()
                    except BaseException as exc:
                        self.error = exc
                return
            if self.error is not None:
                continue  # keep draining so that the renderer never blocks on a dead encoder
            started = time.perf_counter()
            try:
                self.writer.write(item[1])
            except BaseException as exc:
                self.error = exc
            self.busy_seconds += time.perf_counter() - started

    def put(self, keepalive: object, frame: np.ndarray, waiting: Callable[[], object] | None = None) -> None:
        self._put((keepalive, frame), waiting)

    def close(self, waiting: Callable[[], object] | None = None) -> None:
        """Wait until every frame is written and the file finished."""
        self._put(None, waiting)
        while self.thread.is_alive():
            self.thread.join(WAIT_SLICE)
            if self.thread.is_alive() and waiting is not None:
                waiting()
        if self.error is not None:
            raise self.error

    def _put(self, item: tuple[object, np.ndarray] | None, waiting: Callable[[], object] | None) -> None:
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put(item, timeout=WAIT_SLICE)
                return
            except queue.Full:
                if waiting is not None:
                    waiting()

    def stop(self) -> None:
        """Discard what is queued and stop the thread (on cancel or failure)."""
        self.error = self.error or ExportCancelled()
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()
        self.queue.put(None)
        self.thread.join()
