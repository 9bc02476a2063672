"""From the input editor to the document: each edited sequence is recomputed (on the GUI thread
when cheap, on a worker thread with progress and Cancel when long) and its traces handed to the
document. The editor is told whether the next keystroke may skip its debounce pause.

Held units (interventions) travel the same way: a view's request (``interventions_requested``)
recomputes the current input from their first affected step, and every later keystroke carries
the held units along, with a second session following the unheld run for the predictions' Δ."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..document import ExplorerDocument
from ..engine.interventions import Intervention
from ..session import Session, Update
from .compute import Held, Recompute

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
        #: The held units asked for last (the document shows them once computed).
        self.interventions: tuple[Intervention, ...] = ()
        #: Follows the input with no units held, while some are (None otherwise).
        self.plain: Session | None = None
        #: The input submitted last while its recompute runs (None once it is shown, or stopped).
        self._last: tuple[np.ndarray, list[str], str] | None = None
        document.events.model.connect(self._on_model)
        document.events.interventions_requested.connect(self._on_interventions_requested)
        document.events.interventions.connect(self._on_interventions)

    def _on_model(self, _model: object) -> None:
        if self.recompute is not None:
            # One Recompute per model: the old one (and the session and traces it holds) goes, or
            # every model opened would stay in memory as a child of the flow.
            self.recompute.cancel(silent=True)
            self.recompute.deleteLater()
            self.stopped.emit("")
        self.interventions, self.plain, self._last = (), None, None
        self.recompute = recompute = Recompute(self.document.require_session(), self)
        recompute.updated.connect(self._on_updated)
        recompute.started.connect(self.started)
        recompute.progress.connect(self.progress)
        recompute.stopped.connect(self.stopped)
        recompute.stopped.connect(self._on_stopped)
        recompute.failed.connect(self.failed)
        self._select_featured = True  # the first traces of a model start on its featured units

    def _on_interventions(self, interventions: tuple[Intervention, ...]) -> None:
        """Held units set without asking (a session opened): later keystrokes carry them too."""
        if self.recompute is not None and not self.recompute.busy:
            self.interventions = tuple(interventions)

    def _on_interventions_requested(self, interventions: tuple[Intervention, ...]) -> None:
        """Recompute the input shown with other held units (from their first affected step)."""
        document = self.document
        if self.recompute is None or document.model is None:
            return
        try:
            document.network.check_interventions(interventions, steps=document.steps)
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        self.interventions = tuple(interventions)
        # The input typed last (its recompute may still be running: the newest submission wins).
        X, tokens, text = self._last if self._last is not None else (document.X, document.tokens, document.text)
        self.submit(X, tokens, text)

    def submit(self, X: np.ndarray, tokens: list[str], text: str) -> None:
        if self.recompute is None or self.document.model is None:
            return
        net = self.document.network
        held = bool(self.interventions)
        if held and self.plain is None:
            self.plain = Session(net)
        elif not held:
            self.plain = None
        runs = 2 if held else 1
        need = runs * len(X) * (len(net.graph.nodes) + 2) * net.hidden_size * 8 * net.num_layers * len(net.directions)
        if need > MAX_TRACE_BYTES:
            self.failed.emit(
                f"{len(X)} steps of this model would need {need / 1e9:.1f} GB to record every gate; "
                "shorten the sequence."
            )
            return
        self._last = (X, tokens, text)
        began = time.perf_counter()
        self.recompute.submit(X, (tokens, text), interventions=self.interventions, plain=self.plain)
        # Cheap updates (typing at the end) follow each key at once; costly ones wait for a pause.
        self.cheap.emit(time.perf_counter() - began < CHEAP_UPDATE_SECONDS and not self.recompute.busy)

    def cancel(self, silent: bool = False) -> None:
        if self.recompute is not None:
            self.recompute.cancel(silent=silent)

    def _on_stopped(self, why: str) -> None:
        if why:  # cancelled or failed: the document still shows the input before it
            self._last = None

    def _on_updated(self, update: Update | Held, tag: Any) -> None:
        document = self.document
        self._last = None  # the newest submission is shown now
        tokens, text = tag if tag is not None else (document.tokens, document.text)
        if isinstance(update, Held):
            plain = update.plain.traces if update.plain is not None else None
            update = update.update
        else:
            plain = None
        document.apply_update(update, tokens, text, plain=plain)
        held = document.require_session().interventions
        if held != document.interventions:
            document.set_interventions(held)
        if self._select_featured:
            self._select_featured = False
            document.select_featured_units()
