"""The notice above the diagram when the open model was opened on an assumption the file cannot
settle (an nn.RNN's nonlinearity, a Keras setting a .weights.h5 does not record), when its head
is not used as the readout, or when it reads token ids but has no vocabulary.

Informational and non-modal: one line per fact, with a one-click change where the window can make
it (``Use relu instead`` re-opens the file with that cell kind). The panel only says what the
document's model is and asks for changes through its signals; the window makes them.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from ..document import ExplorerDocument

#: What a one-click cell change is called on its button (the cell kind's name otherwise).
_CHOICE_NAMES = {"rnn-relu": "relu", "rnn": "tanh", "gru-classic": "reset_after=False (gru-classic)"}


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def choice_label(kind: str) -> str:
    return f"Use {_CHOICE_NAMES.get(kind, kind)} instead"


class ModelNotice(QWidget):
    #: (setting, value): open the same file again with this choice (``cell``, ``rnn-relu``).
    change_requested = Signal(str, str)
    #: Open a vocabulary file for the model (File → Vocabulary…).
    vocabulary_requested = Signal()
    #: Show everything found in the file (Help → Model…).
    details_requested = Signal()

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("modelNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Palette roles follow the theme: the accent down the left says "about this model", not "error".
        self.setStyleSheet(
            "#modelNotice { background: palette(base); border-left: 4px solid palette(highlight); }"
            " #modelNotice QLabel { color: palette(text); }"
        )
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 4, 6, 4)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(2)
        outer.addLayout(self.rows_layout, 1)
        side = QVBoxLayout()
        self.details_button = QPushButton("Model details…")
        self.details_button.setToolTip("Everything found in the file: layers, sizes, cell, readout, vocabulary")
        self.details_button.clicked.connect(self.details_requested)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss (Help → Model… still lists what was assumed)")
        close.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.details_button)
        top.addWidget(close)
        side.addLayout(top)
        side.addStretch(1)
        outer.addLayout(side)
        #: Each line's text (plain) and its buttons, as shown: what a person reads.
        self.lines: list[str] = []
        self.buttons: list[QPushButton] = []
        self._rows: list[QWidget] = []
        document.events.model.connect(self._on_model)
        self.hide()

    def _on_model(self, _model: object) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows, self.lines, self.buttons = [], [], []
        model = self.document.model
        if model is not None:
            self._fill(model)
        self.setVisible(bool(self.lines))

    def _fill(self, model: Any) -> None:
        for assumption in model.assumptions:
            text = f"Assumed {assumption.setting} <b>{_escape(assumption.assumed)}</b>: {_escape(assumption.why)}."
            choices = assumption.alternatives if assumption.setting == "cell" else ()
            if not choices:
                text += f" {_escape(_capitalised(assumption.change))}."
            row = self._add(text, assumption.change)
            for value in choices:
                button = self._button(row, choice_label(value))
                button.setToolTip(f"Open {model.name} again as {value}")
                button.clicked.connect(lambda _=False, s=assumption.setting, v=value: self.change_requested.emit(s, v))
        if model.readout_problem:
            problem = model.readout_problem
            problem = problem if problem.lower().startswith("readout") else f"readout not used: {problem}"
            self._add(f"{_escape(_capitalised(problem))}. The views show the hidden states only.")
        if model.vocabulary is None and model.embedding is not None:
            row = self._add(
                f"{_escape(model.name)} reads token ids through an embedding of {model.token_count} rows "
                "but has no vocabulary: give it one to type text."
            )
            self._button(row, "Open a vocabulary…").clicked.connect(self.vocabulary_requested)

    def _add(self, html: str, tooltip: str = "") -> QHBoxLayout:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(html)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if tooltip:
            label.setToolTip(tooltip)
        layout.addWidget(label, 1)
        self.rows_layout.addWidget(row)
        self._rows.append(row)
        self.lines.append(_plain(html))
        return layout

    def _button(self, row: QHBoxLayout, text: str) -> QPushButton:
        button = QPushButton(text)
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons.append(button)
        return button

    def button(self, text: str) -> QPushButton | None:
        """The button labelled ``text``, if the notice shows one."""
        return next((b for b in self.buttons if b.text() == text), None)


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
