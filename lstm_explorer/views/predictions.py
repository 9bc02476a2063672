"""Predictions: what the model's readout says at the current step.

Text models: the top-k next-token probabilities as bars. Numeric models: the predicted value next
to the true next value. Only the current step is read out, so scrubbing costs one small product.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..playback import PlaybackState
from .common import RichTextBox, token_text
from .theme import Theme, theme

TOP_K = 5


class _Bars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float, bool]] = []  # label, probability, is the actual next token
        self.theme: Theme = theme("light")
        self.setMinimumHeight(TOP_K * 22 + 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        th = self.theme
        font = QFont(painter.font())
        font.setFamily("monospace")
        painter.setFont(font)
        label_w, value_w, row_h = 40, 56, 22
        bar_w = max(self.width() - label_w - value_w - 8, 10)
        for k, (label, p, actual) in enumerate(self.rows):
            y = 3 + k * row_h
            painter.setPen(QColor(th.text))
            painter.drawText(
                QRectF(0, y, label_w - 6, row_h - 4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
            painter.fillRect(QRectF(label_w, y + 3, bar_w, row_h - 10), QColor(th.window))
            colour = QColor("#009E73") if actual else QColor(th.accent)
            painter.fillRect(QRectF(label_w, y + 3, bar_w * float(p), row_h - 10), colour)
            painter.drawText(
                QRectF(label_w + bar_w + 4, y, value_w, row_h - 4), Qt.AlignmentFlag.AlignVCenter, f"{p:.3f}"
            )
        painter.end()


class PredictionsPanel(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        # Fixed heights, painted in place: text that changes on every step relayouts no dock.
        self.title = RichTextBox(2)
        self.title.setObjectName("predictionsTitle")
        self.bars = _Bars()
        self.text = RichTextBox(3)
        self.text.setObjectName("predictionsText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.bars)
        layout.addWidget(self.text)
        layout.addStretch(1)
        self._t = -1
        self._stale = False
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)

    def set_theme(self, t: Theme) -> None:
        self.bars.theme = t
        self.bars.update()

    def _on_trace_changed(self, trace: Trace | None) -> None:
        self.refresh()

    def _on_position_changed(self, state: PlaybackState) -> None:
        if state.t != self._t:
            self.refresh()

    def time_index(self) -> int:
        """The step in time order (a reverse direction plays the sequence backwards)."""
        return self.document.to_shown_order(self.playback.t)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if not self.isVisible():
            self._stale = True  # catches up when shown
            return
        self._stale = False
        self._t = self.playback.t
        document = self.document
        model = document.model
        if model is None or self.playback.trace is None:
            return
        if not model.has_readout:
            self.title.setText(f"<b>{model.name}</b> has no readout layer: it gives hidden states, not predictions.")
            self.bars.rows = []
            self.bars.hide()
            self.text.setText("")
            return
        steps = self.playback.steps
        if steps == 0:
            return
        t = min(max(self.time_index(), 0), steps - 1)
        out = model.readout(document.top_output_at(t)[None, :])[0]  # one step: scrubbing stays cheap
        nxt = t + 1
        if model.task == "text":
            labels = model.output_labels or [str(k) for k in range(len(out))]
            top = np.argsort(-out)[:TOP_K]
            tokens = document.tokens
            actual = tokens[nxt] if nxt < len(tokens) else None
            self.bars.rows = [(token_text(labels[k]), float(out[k]), labels[k] == actual) for k in top]
            self.bars.show()
            self.bars.update()
            seen = token_text(tokens[t]) if t < len(tokens) else ""
            self.title.setText(f"After reading <code>{_escape(seen)}</code> at t = {t}, the next character is:")
            if actual is not None:
                p = float(out[labels.index(actual)]) if actual in labels else 0.0
                self.text.setText(
                    f"Actual next: <code>{_escape(token_text(actual))}</code> (p = {p:.3f}), shown in green."
                )
            else:
                self.text.setText("End of the input: type more to see whether the model was right.")
        else:
            self.bars.hide()
            shown = ", ".join(f"{v:.4f}" for v in out[:4])
            self.title.setText(f"Prediction at t = {t}:")
            truth = ""
            X = document.X
            if nxt < len(X):
                true_next = ", ".join(f"{v:.4f}" for v in X[nxt][: len(out)][:4])
                err = float(np.abs(out - X[nxt][: len(out)]).max()) if len(out) <= X.shape[1] else float("nan")
                truth = f"<br>true next value: <b>{true_next}</b><br>error: {err:.4f}"
            else:
                truth = "<br>(no next value in the input)"
            self.text.setText(f"predicted next value: <b>{shown}</b>{truth}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
