"""From the input editor to the document: each edited sequence is recomputed (on the GUI thread
when cheap, on a worker thread with progress and Cancel when long) and its traces handed to the
document. The editor is told whether the next keystroke may skip its debounce pause."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..document import ExplorerDocument
from ..session import Update
from .compute import Recompute

#: An update that took less than this (s) lets the next keystroke skip the debounce pause.
CHEAP_UPDATE_SECONDS = 0.012
#: Refuse sequences whose traces would need more memory than this (bytes).
MAX_TRACE_BYTES = 3e9


class InputFlow(QObject):
    """Owns the :class:`Recompute` of the document's current model (a new one per model)."""

    started = Signal()
    progress = Signal(int, int)
    stopped = Signal(str)  # "" (done), "cancelled", or a failure's message
    failed = Signal(str)
    #: After a submission: True when it was cheap enough to follow the next keystroke at once.
    cheap = Signal(bool)

    def __init__(self, document: ExplorerDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.recompute: Recompute | None = None
        self._select_featured = False
        document.events.model.connect(self._on_model)

    def _on_model(self, _model: object) -> None:
        if self.recompute is not None:
            self.recompute.cancel(silent=True)
            self.stopped.emit("")
        self.recompute = recompute = Recompute(self.document.require_session(), self)
        recompute.updated.connect(self._on_updated)
        recompute.started.connect(self.started)
        recompute.progress.connect(self.progress)
        recompute.stopped.connect(self.stopped)
        recompute.failed.connect(self.failed)
        self._select_featured = True  # the first traces of a model start on its featured units

    def submit(self, X: np.ndarray, tokens: list[str], text: str) -> None:
        if self.recompute is None or self.document.model is None:
            return
        net = self.document.network
        need = len(X) * (len(net.graph.nodes) + 2) * net.hidden_size * 8 * net.num_layers * len(net.directions)
        if need > MAX_TRACE_BYTES:
            self.failed.emit(
                f"{len(X)} steps of this model would need {need / 1e9:.1f} GB to record every gate; "
                "shorten the sequence."
            )
            return
        began = time.perf_counter()
        self.recompute.submit(X, (tokens, text))
        # Cheap updates (typing at the end) follow each key at once; costly ones wait for a pause.
        self.cheap.emit(time.perf_counter() - began < CHEAP_UPDATE_SECONDS and not self.recompute.busy)

    def cancel(self, silent: bool = False) -> None:
        if self.recompute is not None:
            self.recompute.cancel(silent=silent)

    def _on_updated(self, update: Update, tag: Any) -> None:
        document = self.document
        tokens, text = tag if tag is not None else (document.tokens, document.text)
        document.apply_update(update, tokens, text)
        if self._select_featured:
            self._select_featured = False
            document.select_featured_units()
