"""The readout over the whole input, for models that predict numbers: the predicted next value
against the true one at every step (or the raw output for other regressions), with a cursor at t.
Made with the first numeric model (pyqtgraph loads late); hidden for text models."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..document import ExplorerDocument
from .readout import readout_kind, task_answers
from .theme import Theme, theme

if TYPE_CHECKING:
    import pyqtgraph as pg

PREDICTED, TRUE = "#0072B2", "#D55E00"  # Okabe–Ito blue and vermilion: colour-blind safe


class PredictionPlot(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.theme: Theme = theme("light")
        self.widget: pg.PlotWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._active = False
        self._drawn: tuple[object, ...] = ()
        self.setMinimumHeight(120)
        self.hide()
        document.events.traces.connect(self._on_traces)

    def set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            self.setVisible(active)
            if active:
                self._redraw()

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        if self.widget is not None:
            self.widget.setBackground(t.plot_background)

    def _on_traces(self, _changed_from: int) -> None:
        self._drawn = ()
        if self._active:
            self._redraw()

    def _make(self) -> pg.PlotWidget:
        import pyqtgraph as pg

        widget = pg.PlotWidget()
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        widget.setBackground(self.theme.plot_background)
        item = widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("bottom", "time step t")
        self.legend = item.addLegend(offset=(6, 6), labelTextSize="8pt")
        self.predicted = item.plot(pen=pg.mkPen(PREDICTED, width=2), name="predicted next")
        self.true = item.plot(pen=pg.mkPen(TRUE, width=2, style=Qt.PenStyle.DashLine), name="true next")
        self.time_cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(self.theme.cursor, width=2))
        item.addItem(self.time_cursor)
        self._layout.addWidget(widget)
        self.widget = widget
        return widget

    def _redraw(self) -> None:
        document, model = self.document, self.document.model
        if model is None or not document.traces or document.steps == 0:
            return
        key = (id(document.traces), document.steps, model.name)
        if key == self._drawn:
            return
        self._drawn = key
        if self.widget is None:
            self._make()
        steps = np.arange(document.steps)
        outputs = model.readout(np.stack([document.top_output_at(t) for t in range(document.steps)]))[:, 0]
        kind = readout_kind(model)
        names = ("output", "true answer") if kind == "answer" else ("predicted next", "true next")
        for item, name in zip((self.predicted, self.true), names, strict=True):
            label = self.legend.getLabel(item)
            if label is not None and label.text != name:
                label.setText(name)
        if kind == "next-value":
            self.predicted.setData(steps, outputs)  # the prediction made at t is for step t + 1
            self.true.setData(steps[:-1], document.X[1:, 0])
        elif kind == "answer":  # the task's answer where it scores (adding: the sum, at the last step)
            answers, mask = task_answers(model, document.X)
            self.predicted.setData(steps, outputs)
            self.true.setData(steps[mask], answers[mask, 0], symbol="o", symbolSize=7)
        else:
            self.predicted.setData(steps, outputs)
            self.true.setData([], [])

    def show_position(self, t: int) -> None:
        if self.widget is not None:
            self.time_cursor.setValue(t)
