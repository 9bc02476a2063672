"""View → Compare with…: a second model on the same input and position, in a window of its own.

The second model is opened on a worker thread (like File → Open) and gets a document of its own
(:class:`~lstm_explorer.document.ExplorerDocument`), recomputed whenever the first one's input
changes — through :class:`~lstm_explorer.ui.compute.Recompute`, so a long input is computed off the
GUI thread with its progress shown above the diagrams. Its playback follows the first's position
(step, and the same fraction of the step when the cells have different numbers of phases) and
selection, and so do its gradient target and the diagram's backward mode (the same target
expression on the second model, pinned at the same step, so both diagrams show the gradient
travelling back side by side: the LSTM's cell line against the RNN's hidden path). The window
shows both cell diagrams side by side; the Gradients panel draws the second model's curves on its
own plot, dashed. Closing the window ends the comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..document import ExplorerDocument
from ..playback import PlaybackState
from ..session import Session, Update
from ..views.diagram_panel import make_diagram_view
from . import opening
from .banner import escape
from .compute import Recompute
from .model_loader import ModelLoader

if TYPE_CHECKING:
    from ..models.model import Model
    from .main_window import MainWindow


class CompareError(ValueError):
    """The second model cannot read the first one's input (one line)."""


def same_input(model: Model, document: ExplorerDocument) -> tuple[np.ndarray, list[str]]:
    """(X, tokens) for ``model`` reading what ``document`` shows: the same text for text models,
    the same numbers for numeric ones. Raises CompareError."""
    first = document.model
    if first is None or not document.tokens:
        raise CompareError("there is no input to compare on yet")
    if model.task == "text":
        if first.task != "text":
            raise CompareError(f"{model.name} reads text and {first.name} reads numbers")
        text = document.text or "".join(document.tokens)
        try:
            return model.encode_text(text), list(document.tokens)
        except ValueError as exc:
            raise CompareError(f"{model.name} cannot read this input: {exc}") from None
    if first.task == "text" or model.input_size != document.X.shape[1]:
        raise CompareError(
            f"{model.name} reads {model.input_size} numbers per step; the input has {document.X.shape[1]}"
        )
    return np.array(document.X), list(document.tokens)


class CompareWindow(QWidget):
    """Both diagrams side by side; ``companion`` is the second model's document."""

    ended = Signal()
    computed = Signal()  # the second model's traces are up to date with the first's input

    def __init__(
        self,
        document: ExplorerDocument,
        model: Model,
        theme_name: str = "light",
        parent: QWidget | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # a window of its own that goes with its parent
        self.setObjectName("compareWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.document = document
        X, tokens = same_input(model, document)  # raises before anything is built
        self.companion = ExplorerDocument()
        self.companion.set_model(model, session=session)
        self.recompute = Recompute(self.companion.require_session(), self)
        self.recompute.updated.connect(self._on_computed)
        self.recompute.progress.connect(self._on_progress)
        self.recompute.failed.connect(lambda message: self._show_problem(f"Not updated: {escape(message)}"))
        self.setWindowTitle(f"{document.model.name if document.model else ''} beside {model.name}")
        self.problem = QLabel()
        self.problem.setObjectName("compareProblem")
        self.problem.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.diagrams = []
        for shown in (document, self.companion):
            column = QWidget()
            layout = QVBoxLayout(column)
            layout.setContentsMargins(4, 4, 4, 4)
            title = QLabel(f"<b>{escape(shown.model.name if shown.model else '')}</b> — {shown.describe_model()}")
            diagram = make_diagram_view(shown, computes_gradients=shown is not document)  # (the window's computes)
            layout.addWidget(title)
            layout.addWidget(diagram, 1)
            splitter.addWidget(column)
            self.diagrams.append(diagram)
        self.set_theme(theme_name)
        outer = QVBoxLayout(self)
        outer.addWidget(self.problem)
        outer.addWidget(splitter, 1)
        self.resize(1400, 600)
        self.recompute.submit(X, (tokens, document.text))
        self.companion.set_gradient_target(document.gradient_target)
        document.events.traces.connect(self._on_traces)
        document.events.gradient_target.connect(self.companion.set_gradient_target)
        document.events.backward.connect(self._on_backward)
        document.playback.position_changed.connect(self._follow)
        document.playback.selection_changed.connect(self._on_selection)

    def _on_traces(self, _changed_from: int) -> None:
        """The first model's input changed: the second reads the same (or says why it cannot)."""
        companion = self.companion
        assert companion.model is not None
        try:
            X, tokens = same_input(companion.model, self.document)
        except CompareError as exc:
            self.recompute.cancel(silent=True)
            self._show_problem(f"Not updated: {escape(str(exc))}")
            return
        self.recompute.submit(X, (tokens, self.document.text))

    def _on_computed(self, update: Update, tag: tuple[list[str], str]) -> None:
        tokens, text = tag
        first = not self.companion.traces
        self.companion.apply_update(update, tokens, text)
        if first:
            self.companion.select_featured_units()
            self._on_selection(self.document.playback.selected)
        self.problem.hide()
        self._follow(self.document.playback.state)
        self._on_backward(self.document.backward)
        self.computed.emit()

    def _on_progress(self, done: int, total: int) -> None:
        name = self.companion.model.name if self.companion.model else ""
        self._show_problem(f"Computing {escape(name)} on this input… {done:,} / {total:,} steps")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _follow(self, state: PlaybackState) -> None:
        """The same step, and the same fraction of it (cells differ in their number of phases)."""
        playback = self.companion.playback
        if playback.steps == 0:
            return
        fraction = (state.phase + state.progress) / max(state.phases, 1)
        if state.step_complete:
            playback.seek(state.t)
        else:
            playback.seek_clock(min(state.t, playback.steps - 1) + fraction)

    def _on_backward(self, on: bool) -> None:
        """The same mode, pinned at the same step (the first's pin, in its own step order)."""
        if self.companion.traces:
            self.companion.set_backward(on, self.document.backward_step)

    def _on_selection(self, selected: tuple[int, ...]) -> None:
        hidden = self.companion.network.hidden_size
        self.companion.playback.select(tuple(u for u in selected if u < hidden))

    def set_theme(self, name: str) -> None:
        """Both diagrams in the window's theme (the palette is the application's)."""
        for diagram in self.diagrams:
            diagram.set_theme(name)

    def end(self) -> None:
        self.recompute.cancel(silent=True)
        document = self.document
        document.events.traces.disconnect(self._on_traces)
        document.events.gradient_target.disconnect(self.companion.set_gradient_target)
        document.events.backward.disconnect(self._on_backward)
        document.playback.position_changed.disconnect(self._follow)
        document.playback.selection_changed.disconnect(self._on_selection)
        self.ended.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.end()
        super().closeEvent(event)


class ChooseModel(QDialog):
    """A bundled name (editable: a cell kind or a path works too) or a file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ..models.bundled import bundled_names

        self.setWindowTitle("Compare with…")
        self.choice = QComboBox()
        self.choice.setEditable(True)
        self.choice.addItems(bundled_names())
        browse = QPushButton("File…")
        browse.clicked.connect(self._browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A second model to run on the same input and position:"))
        layout.addLayout(row)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Compare with a model", "", opening.MODEL_FILTER)
        if path:
            self.choice.setEditText(path)


def compare_with(window: MainWindow, spec: Any) -> None:
    """Open ``spec`` (a bundled name, cell kind or path) on a worker thread, then show it beside
    the window's model (:func:`start_comparison`); a file that cannot be opened is reported on the
    window's banner and changes nothing."""
    loader = getattr(window, "compare_loader", None)
    if loader is None:
        loader = ModelLoader(window)
        loader.loaded.connect(lambda model, _key, _tag, session: start_comparison(window, model, session))
        loader.failed.connect(window.show_error)
        loader.started.connect(lambda name: window.statusBar().showMessage(f"Opening {name} to compare…"))
        window.compare_loader = loader  # type: ignore[attr-defined]
    loader.load(spec)


def start_comparison(window: MainWindow, model: Model, session: Session | None = None) -> CompareWindow | None:
    """Show ``model`` beside the window's model; if it cannot read the input, say why on the
    window's banner and change nothing."""
    try:
        compare = CompareWindow(window.document, model, window.theme_name, window, session)
    except CompareError as exc:
        window.show_error(escape(f"Cannot compare: {exc}"))
        return None
    previous = getattr(window, "compare_window", None)
    if previous is not None:
        previous.close()
    panel = window.gradients  # type: ignore[attr-defined]
    panel.set_companion(compare.companion)
    compare.computed.connect(panel.refresh)
    window.theme_changed.connect(compare.set_theme)
    compare.ended.connect(lambda: window.theme_changed.disconnect(compare.set_theme))
    compare.ended.connect(lambda: panel.set_companion(None))
    compare.ended.connect(lambda: setattr(window, "compare_window", None))
    window.compare_window = compare  # type: ignore[attr-defined]
    compare.show()
    return compare


def ask_compare(window: MainWindow) -> None:
    dialog = ChooseModel(window)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.choice.currentText().strip():
        compare_with(window, dialog.choice.currentText().strip())
