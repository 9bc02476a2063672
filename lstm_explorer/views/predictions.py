"""Predictions: what the model's readout says at the current step, shown as what it means
(:func:`~lstm_explorer.views.readout.readout_kind`): next-character bars with the actual next one
always among them, class probabilities, or the predicted value beside the truth with a plot of both
over time. Only the current step is read out per position, so scrubbing costs one small product.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..playback import PlaybackState
from .common import RichTextBox, token_text
from .prediction_plot import PredictionPlot
from .readout import class_names, readout_kind, task_answers
from .theme import Theme, theme

TOP_K = 5


class _Bars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float, bool]] = []  # label, probability, is the actual next token
        self.shown_labels: list[str] = []  # the labels as drawn (elided to fit)
        self.theme: Theme = theme("light")
        self.setMinimumHeight(TOP_K * 22 + 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        th = self.theme
        font = QFont(painter.font())
        font.setFamily("monospace")
        painter.setFont(font)
        metrics = QFontMetrics(font)
        value_w, row_h = 56, 22
        # Labels as wide as the widest one (words are longer than characters), at most a third of
        # the panel; a longer one is elided with … rather than clipped.
        widest = max((metrics.horizontalAdvance(label) for label, _p, _a in self.rows), default=0)
        label_w = int(min(max(widest + 10, 40), max(self.width() // 3, 40)))
        bar_w = max(self.width() - label_w - value_w - 8, 10)
        self.shown_labels = [
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 6) for label, _p, _a in self.rows
        ]
        for k, (_label, p, actual) in enumerate(self.rows):
            y = 3 + k * row_h
            painter.setPen(QColor(th.text))
            painter.drawText(
                QRectF(0, y, label_w - 6, row_h - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.shown_labels[k],
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
        self.text = RichTextBox(4)
        self.text.setObjectName("predictionsText")
        self.plot = PredictionPlot(document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.bars)
        layout.addWidget(self.text)
        layout.addWidget(self.plot, 1)
        layout.addStretch(0)
        self._t = -1
        self._stale = False
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        document.events.interventions.connect(self._on_interventions)

    def set_theme(self, t: Theme) -> None:
        self.bars.theme = t
        self.bars.update()
        self.plot.set_theme(t)

    def _on_trace_changed(self, trace: Trace | None) -> None:
        self.refresh()

    def _on_interventions(self, _items: object) -> None:
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
        if model is None or self.playback.trace is None or self.playback.steps == 0:
            return
        kind = readout_kind(model)
        self.plot.set_active(kind in ("next-value", "answer", "values"))
        if kind == "none":
            self.title.setText(f"<b>{model.name}</b> has no readout layer: it gives hidden states, not predictions.")
            self._show_bars([])
            self.text.setText("")
            return
        t = min(max(self.time_index(), 0), self.playback.steps - 1)
        out = model.readout(document.top_output_at(t)[None, :])[0]  # one step: scrubbing stays cheap
        if kind == "next-token":
            self._next_token(t, out, model.output_labels)
        elif kind == "classes":
            names = class_names(model) or [f"class {k}" for k in range(len(out))]
            order = np.argsort(-out)[:TOP_K]
            self._show_bars([(names[k], float(out[k]), False) for k in order])
            self.title.setText(f"Class probabilities at t = {t}:")
            self.text.setText(f"Most likely: <b>{_escape(names[int(order[0])])}</b> (p = {float(out[order[0]]):.3f})")
        elif kind == "answer":
            self._answer(t, out, model.metadata.get("trained_on", "task"))
        else:
            self._values(t, out, kind)

    def _show_bars(self, rows: list[tuple[str, float, bool]]) -> None:
        self.bars.rows = rows
        self.bars.setVisible(bool(rows))
        self.bars.update()

    def _next_token(self, t: int, out: np.ndarray, labels: list[str] | None) -> None:
        labels = labels or [str(k) for k in range(len(out))]
        tokens = self.document.tokens
        actual = tokens[t + 1] if t + 1 < len(tokens) else None
        top = [int(k) for k in np.argsort(-out)[:TOP_K]]
        if actual in labels and labels.index(actual) not in top:
            top.append(labels.index(actual))  # the highlighted token is always among the bars
        self._show_bars([(token_text(labels[k]), float(out[k]), labels[k] == actual) for k in top])
        seen = token_text(tokens[t]) if t < len(tokens) else ""
        vocab = self.document.model.vocabulary if self.document.model is not None else None
        unit = "word" if vocab is not None and not vocab.is_characters else "character"
        self.title.setText(f"After reading <code>{_escape(seen)}</code> at t = {t}, the next {unit} is:")
        if actual is None:
            self.text.setText("End of the input: type more to see whether the model was right.")
        elif actual in labels:
            p = float(out[labels.index(actual)])
            rank = int((out > out[labels.index(actual)]).sum()) + 1
            self.text.setText(
                f"Actual next: <code>{_escape(token_text(actual))}</code> (p = {p:.3f}, rank {rank}), the green bar."
                + self._held_change(t, out, labels.index(actual))
            )
        else:
            self.text.setText(
                f"Actual next: <code>{_escape(token_text(actual))}</code>, which the model cannot predict."
            )

    def _held_change(self, t: int, out: np.ndarray, k: int) -> str:
        """With units held: the actual next token (output ``k``)'s probability and loss at step
        ``t`` against the unheld run (one step of its readout: scrubbing stays cheap)."""
        document = self.document
        plain = document.plain_traces
        if not document.interventions or not plain or plain is document.traces or document.model is None:
            return ""
        before = float(document.model.readout(document.top_output_at(t, plain)[None, :])[0][k])
        after = float(out[k])
        tiny = np.finfo(np.float64).tiny  # as analysis/effects.py: a probability of 0 is ~708 nats
        loss = math.log(max(before, tiny)) - math.log(max(after, tiny))
        return (
            f"<br>Held units: p {before:.3f} → {after:.3f} (Δp <b>{after - before:+.3f}</b>), "
            f"Δ loss <b>{loss:+.3f}</b> nats against the unheld run."
        )

    def _answer(self, t: int, out: np.ndarray, task: str) -> None:
        """The model's answer against its task's (the adding problem: the sum, at the last step)."""
        self._show_bars([])
        answers, mask = task_answers(self.document.model, self.document.X)
        what = "sum" if task == "adding" else "answer"
        shown = ", ".join(f"{v:.4f}" for v in out[:4])
        if mask[t]:
            truth = answers[t][: len(out)]
            err = float(np.abs(out - truth).max())
            self.title.setText(f"At t = {t}, where the {task} task reads the answer:")
            true_text = ", ".join(f"{v:.4f}" for v in truth[:4])
            self.text.setText(f"answer <b>{shown}</b><br>true {what} <b>{true_text}</b>, error {err:.4f}")
        else:
            scored = np.flatnonzero(mask)
            when = f"at t = {int(scored[-1])}" if scored.size else "at no step of this input"
            self.title.setText(f"At t = {t}, the output so far (the {task} task reads it {when}):")
            self.text.setText(f"output <b>{shown}</b>")
        self.plot.show_position(t)

    def _values(self, t: int, out: np.ndarray, kind: str) -> None:
        self._show_bars([])
        shown = ", ".join(f"{v:.4f}" for v in out[:4])
        X = self.document.X
        if kind == "next-value":
            self.title.setText(f"At t = {t}, the predicted next value:")
            if t + 1 < len(X):
                truth = X[t + 1][: len(out)]
                err = float(np.abs(out - truth).max())
                true_text = ", ".join(f"{v:.4f}" for v in truth[:4])
                self.text.setText(
                    f"predicted <b>{shown}</b><br>true next (t = {t + 1}): <b>{true_text}</b>, error {err:.4f}"
                )
            else:
                self.text.setText(f"predicted <b>{shown}</b><br>(no next value in the input)")
        else:
            self.title.setText(f"Readout at t = {t}:")
            self.text.setText(f"output <b>{shown}</b>")
        self.plot.show_position(t)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
