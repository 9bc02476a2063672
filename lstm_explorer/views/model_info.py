"""The Model panel: what was found in the open model's file, as ``lstm-explorer info`` prints it —
format, module, cell kind and how it was decided, layers with their sizes and directions,
embedding, readout, vocabulary, and every assumption made."""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..models.describe import describe_model


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ModelInfoPanel(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.text = QTextBrowser()
        self.text.setObjectName("modelInfo")
        self.text.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.text)
        #: (label, text) as shown, one per row.
        self.rows: list[tuple[str, str]] = []
        document.events.model.connect(self._on_model)
        self._on_model(document.model)

    def _on_model(self, _model: object) -> None:
        model = self.document.model
        self.rows = describe_model(model) if model is not None else []
        cells = []
        previous = None
        for label, text in self.rows:
            # Rows that share a label (several assumptions, layers) show it once.
            shown = "" if label == previous else _escape(label)
            previous = label
            cells.append(f"<tr><td valign='top'><b>{shown}</b></td><td>{_escape(text)}</td></tr>")
        self.text.setHtml(f"<table cellpadding='3'>{''.join(cells)}</table>" if cells else "No model is open.")

    def plain_text(self) -> str:
        return self.text.toPlainText()
