"""The status bar: the model, its cell kind and sizes, the position, and the progress and Cancel
button of a computation running in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from ..document import ExplorerDocument
from ..playback import PlaybackState
from ..views.common import pin_size
from ..views.held_effect import held_effect

if TYPE_CHECKING:
    from .input_flow import InputFlow
    from .model_loader import ModelLoader


class StatusBar(QStatusBar):
    #: True while something runs in the background that Cancel can stop.
    busy_changed = Signal(bool)

    def __init__(self, document: ExplorerDocument, cancel: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = QLabel()
        self.kind = QLabel()
        self.sizes = QLabel()
        self.position = QLabel()
        self.position.setObjectName("statusPosition")
        self.held = QLabel()
        self.held.setObjectName("statusHeld")
        self.held.setToolTip(
            "Held units, and how much worse (> 0) the model predicts the actual next token than unheld"
        )
        self.held.hide()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("computing %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop computing; the views keep the previous sequence")
        self.cancel_button.clicked.connect(cancel)
        self.progress.hide()
        self.cancel_button.hide()
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.cancel_button)
        for label in (self.held, self.model, self.kind, self.sizes, self.position):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        pin_size(self.position, "t = 100000 / 100000")  # its text changes on every step
        document.events.model.connect(self._on_model)
        document.playback.position_changed.connect(self._on_position)
        # The run-wide Δ loss reads out both runs (55 ms at 10 000 steps): once typing pauses.
        self._held_timer = QTimer(self, singleShot=True, interval=150)
        self._held_timer.timeout.connect(self._show_held)
        document.events.interventions.connect(self._on_held)
        document.events.traces.connect(self._on_held)
        document.events.model.connect(self._on_held)

    def _on_model(self, _model: object) -> None:
        document = self.document
        if document.model is None:
            return
        self.model.setText(document.model.name)
        self.kind.setText(document.network.graph.title)
        self.sizes.setText(document.describe_model())
        self._on_position(document.playback.state)

    def _on_held(self, *_: object) -> None:
        held = self.document.interventions
        self.held.setVisible(bool(held))
        if held:
            if not self.held.text().startswith(f"{len(held)} held"):
                self.held.setText(f"{len(held)} held")  # the Δ loss follows
            self._held_timer.start()

    def _show_held(self) -> None:
        """While units are held: how many, and the run-wide Δ loss against the unheld run."""
        held = self.document.interventions
        if not held:
            return
        text = f"{len(held)} held"
        effect = held_effect(self.document)
        if effect is not None:
            text += f" · Δ loss {effect.mean_delta_loss:+.4f} nats/token"
        self.held.setText(text)

    def _on_position(self, state: PlaybackState) -> None:
        self.position.setText(f"t = {state.t} / {max(state.steps - 1, 0)}" if state.steps else "t = – / –")

    # -- work in the background ---------------------------------------------------------------
    def watch(self, compute: InputFlow, loader: ModelLoader) -> None:
        """Show the progress of a recompute (``started``, ``progress``, ``stopped``) and of a model
        being opened (``started(name)``, ``stopped``)."""
        compute.started.connect(self.computing)
        compute.progress.connect(self.computed)
        compute.stopped.connect(self.stopped)
        loader.started.connect(self.opening)
        loader.stopped.connect(self.stopped)

    def computing(self) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.showMessage("Computing the sequence in the background…")
        self.busy_changed.emit(True)

    def opening(self, name: str) -> None:
        """A file being read: a busy bar (its size says nothing about the time left) and Cancel."""
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.showMessage(f"Opening {name}… (the open model stays until it is ready)")
        self.busy_changed.emit(True)

    def computed(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def stopped(self, why: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.busy_changed.emit(False)
        if why == "cancelled":
            self.showMessage("Stopped (cancelled): the views still show what they showed before.", 8000)
        elif why:
            self.showMessage("Computation failed: the views still show the previous sequence.", 8000)
        else:
            self.clearMessage()
