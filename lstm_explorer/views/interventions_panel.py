"""The Interventions panel: the held units, one row each with a Release button, and Release all.

Rows are written as ``--set`` writes them (``c[12]=0.0``, ``1:h[3]=0.5@10:20``), so what the window
holds can be repeated on the command line."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.interventions import Intervention

EMPTY_HINT = "No units held. Right-click a unit on the diagram, a heatmap or the Units table to clamp or ablate it."


class InterventionsPanel(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setWordWrap(True)
        self.release_all = QPushButton("Release all")
        self.release_all.setObjectName("releaseAll")
        self.release_all.clicked.connect(lambda: document.request_interventions(()))
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.hint)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.release_all)
        layout.addStretch(1)
        #: (text, Release button) per held intervention, in the document's order.
        self.rows: list[tuple[QLabel, QPushButton]] = []
        document.events.interventions.connect(self._on_interventions)
        document.events.model.connect(self._on_model)
        self._on_interventions(document.interventions)

    def _on_model(self, _model: object) -> None:
        self._on_interventions(self.document.interventions)

    def _on_interventions(self, interventions: tuple[Intervention, ...]) -> None:
        while self.rows_box.count():
            entry = self.rows_box.takeAt(0)
            widget = entry.widget() if entry is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        for item in interventions:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"<code>{item.describe()}</code>")
            label.setToolTip(
                "at every step" if item.steps is None else f"at steps {item.steps.start} to {item.steps.stop - 1}"
            )
            button = QPushButton("Release")
            button.clicked.connect(lambda _=False, held=item: self.release(held))
            line.addWidget(label, 1)
            line.addWidget(button)
            self.rows_box.addWidget(row)
            self.rows.append((label, button))
        self.hint.setVisible(not interventions)
        self.release_all.setEnabled(bool(interventions))

    def release(self, item: Intervention) -> None:
        """Stop holding ``item`` (the others stay held)."""
        self.document.request_interventions(tuple(other for other in self.document.interventions if other != item))
