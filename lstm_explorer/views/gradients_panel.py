"""Gradients: how much the target at the current step depends on every earlier step.

The target is, by default, the model's prediction at the playback position (its loss where the
model is scored, else its top output; the selected unit's h for a model with no readout); a
target written in the engine's syntax (``c[3]@40``, ``out[0]@-1``, ``loss@99``; without ``@STEP``
it follows the position) replaces it. Shown: ‖∂target/∂x_k‖ as a strip under the input tokens, and
‖∂target/∂h_k‖, ‖∂target/∂c_k‖ against the lag T − k on a log scale; for the selected unit u, the
cell state's own path (∂c_T[u]/∂c_k[u] through the forget gates alone, their running product)
against the full derivative; for a plain RNN, σ_max(W_hh) and what it implies.

Computed by :mod:`.gradient_worker`: on the GUI thread when the last computations took under a
frame, else on a worker thread (newest request wins). A second document (View → Compare with…)
adds its curves to the same plot, dashed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.targets import TargetError
from ..playback import PlaybackState
from .common import RichTextBox
from .gradient_compute import GradientRequest, GradientResult, request_for
from .gradient_strip import InputGradientStrip
from .gradient_worker import GradientRunner
from .theme import Theme, theme

if TYPE_CHECKING:
    import pyqtgraph as pg

#: Curve colours (Okabe–Ito): h blue, c vermilion, the unit's full derivative and its own path.
COLOURS = {"h": "#0072B2", "c": "#D55E00", "unit_full": "#009E73", "unit_path": "#CC79A7"}
#: Below this a value is drawn as missing: log10 of zero has no place on the axis.
FLOOR = 1e-300


def positive(values: np.ndarray) -> np.ndarray:
    """|values| with zeros (and anything under FLOOR) as NaN, for a log axis."""
    out = np.abs(np.asarray(values, dtype=np.float64))
    out[out < FLOOR] = np.nan
    return out


def sigma_note(sigma: float) -> str:
    """One line on what σ_max(W_hh) says about vanishing (Pascanu, Mikolov & Bengio 2013)."""
    if sigma < 1.0:
        return (
            f"σ<sub>max</sub>(W<sub>hh</sub>) = {sigma:.3g} &lt; 1: each step multiplies the gradient by "
            "at most that, so it vanishes at least as fast as σ<sub>max</sub><sup>lag</sup> (Pascanu et al. 2013)."
        )
    return (
        f"σ<sub>max</sub>(W<sub>hh</sub>) = {sigma:.3g} ≥ 1: vanishing is not guaranteed (Pascanu et al. 2013), "
        "but not ruled out either: the factors diag(1 − h²)·W<sub>hh</sub> can still shrink it."
    )


class GradientsPanel(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.theme: Theme = theme("light")
        self.runner = GradientRunner(self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.result: GradientResult | None = None
        #: The second model's document and its runner (View → Compare with…), or None.
        self.companion: ExplorerDocument | None = None
        self.companion_runner: GradientRunner | None = None
        self.companion_result: GradientResult | None = None

        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("gradientsTarget")
        self.target_edit.setPlaceholderText("the prediction at t (e.g. c[3]@40, out[0]@-1, loss@-1)")
        self.target_edit.setClearButtonEnabled(True)
        self.target_edit.setText(document.gradient_target)
        self.target_edit.editingFinished.connect(lambda: document.set_gradient_target(self.target_edit.text()))
        self.backward_button = QPushButton("Backward on the diagram")
        self.backward_button.setObjectName("gradientsBackward")
        self.backward_button.setCheckable(True)
        self.backward_button.setChecked(document.backward)
        self.backward_button.setToolTip("Show |∂target/∂node| flowing backward through the cell (Ctrl+B)")
        self.backward_button.toggled.connect(document.set_backward)
        self.target_error = QLabel()
        self.target_error.setObjectName("gradientsTargetError")
        self.summary = RichTextBox(4)  # four lines: at a laptop's column width the unit's sentence wraps twice
        self.summary.setObjectName("gradientsSummary")
        self.strip = InputGradientStrip()
        self.plot_widget: pg.PlotWidget | None = None
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._labels: dict[str, str] = {}  # key → the legend text its curve was made with
        top = QHBoxLayout()
        top.addWidget(QLabel("Target:"))
        top.addWidget(self.target_edit, 1)
        top.addWidget(self.target_error)
        top.addWidget(self.backward_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("‖∂target/∂x<sub>k</sub>‖ for every input (log colour scale, six decades):"))
        layout.addWidget(self.strip)
        self._plot_slot = QWidget()
        layout.addWidget(self._plot_slot, 1)
        self._layout = layout
        self._stale = False
        self._t = -1
        self._epoch = 0  # counts the traces shown: results for an older one are dropped
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        playback.selection_changed.connect(lambda _selected: self.refresh())
        document.events.gradient_target.connect(self._on_gradient_target)
        document.events.backward.connect(self._on_backward)

    # -- theme and plot -------------------------------------------------------------------------
    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self.strip.theme = t
        self.strip.update()
        self.target_error.setStyleSheet(f"color: {t.error};")
        if self.plot_widget is not None:
            import pyqtgraph as pg

            self.plot_widget.setBackground(t.plot_background)
            item = self.plot_widget.getPlotItem()
            for axis in ("left", "bottom"):
                item.getAxis(axis).setPen(pg.mkPen(t.plot_foreground))
                item.getAxis(axis).setTextPen(pg.mkPen(t.plot_foreground))
            self.legend.setLabelTextColor(t.plot_foreground)
            for _, label in self.legend.items:  # existing labels take the colour when their text is set
                label.setText(label.text)

    def _make_plot(self) -> None:
        import pyqtgraph as pg

        widget = pg.PlotWidget()
        widget.setObjectName("gradientsPlot")
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        item = widget.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLogMode(x=False, y=True)
        item.setLabel("bottom", "lag T − k (steps back from the target)")
        item.setLabel("left", "‖∂target/∂state<sub>k</sub>‖")
        self.legend = item.addLegend(offset=(-8, 8), labelTextSize="8pt")
        self.legend.setLabelTextColor(self.theme.plot_foreground)
        self._layout.replaceWidget(self._plot_slot, widget)
        self._plot_slot.deleteLater()
        self.plot_widget = widget
        widget.show()
        self.set_theme(self.theme)

    def _curve(self, key: str, label: str, colour: str, dashed: bool = False) -> pg.PlotDataItem:
        import pyqtgraph as pg

        curve = self.curves.get(key)
        if curve is not None and self._labels.get(key) != label:  # another unit or model: a new legend entry
            self._drop_curves({k for k in self.curves if k != key})
            curve = None
        if curve is None:
            assert self.plot_widget is not None
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            pen = pg.mkPen(colour, width=2 if not dashed else 1.5, style=style)
            curve = self.plot_widget.getPlotItem().plot(pen=pen, name=label, connect="finite")
            self.curves[key] = curve
            self._labels[key] = label
        return curve

    def _drop_curves(self, keep: set[str]) -> None:
        for key in [k for k in self.curves if k not in keep]:
            curve = self.curves.pop(key)
            self._labels.pop(key, None)
            assert self.plot_widget is not None
            self.plot_widget.getPlotItem().removeItem(curve)
            self.legend.removeItem(curve)

    # -- following the document ---------------------------------------------------------------------
    def _on_trace_changed(self, _trace: object) -> None:
        self._epoch += 1
        self.refresh()

    def _on_position_changed(self, state: PlaybackState) -> None:
        if state.t != self._t and not self.document.backward:  # backward, the target stays pinned
            self.refresh()

    def _on_backward(self, on: bool) -> None:
        with QSignalBlocker(self.backward_button):
            self.backward_button.setChecked(on)
        self.refresh()

    def _on_gradient_target(self, text: str) -> None:
        if self.target_edit.text().strip() != text:
            self.target_edit.setText(text)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def set_synchronous(self, synchronous: bool) -> None:
        """Compute in the caller's thread on every change (export: frames are drawn with no event loop)."""
        self.runner.synchronous = synchronous
        if self.companion_runner is not None:
            self.companion_runner.synchronous = synchronous

    def on_screen(self) -> bool:
        """Shown and not behind another tab (a dock's hidden tab stays "visible", moved off screen);
        a panel drawn for export (never on screen) counts as shown."""
        if not self.isVisible():
            return False
        return self.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen) or not self.visibleRegion().isEmpty()

    def refresh(self) -> None:
        """Ask for the gradients of what the document shows now (a hidden panel waits until shown:
        :meth:`showEvent`, or its dock's tab brought forward)."""
        if not self.on_screen():
            self._stale = True
            return
        self._stale = False
        self._t = self.playback.t
        try:
            request = replace(request_for(self.document), epoch=self._epoch)
        except TargetError as exc:
            self._on_failed(str(exc))
            return
        self.runner.submit(request)
        self._refresh_companion()

    def compute_now(self) -> GradientResult | None:
        """Compute for the current position on this thread and show it (export, scripts)."""
        self._t = self.playback.t
        try:
            request = replace(request_for(self.document), epoch=self._epoch)
        except TargetError as exc:
            self._on_failed(str(exc))
            return None
        result = self.runner.run_now(request)
        if self.companion is not None and self.companion_runner is not None:
            companion_request = self._companion_request()
            if companion_request is not None:
                self.companion_runner.run_now(companion_request)
        return result

    def _on_failed(self, message: str) -> None:
        if message == "no input yet":
            self.target_error.setText("")
            return
        self.target_error.setText(message)
        self.target_error.setToolTip(message)

    def _on_result(self, result: GradientResult) -> None:
        document = self.document
        if result.request.epoch != self._epoch:
            return  # computed for an input or layer no longer shown
        self.target_error.setText("")
        self.result = result
        if self.plot_widget is None:
            self._make_plot()
        request = result.request
        norms = result.norms
        anchor = request.anchor
        self.strip.show_values(document.shown_tokens, norms["x"], anchor)
        keep = set()
        for role, label in (("h", "‖∂target/∂h<sub>k</sub>‖"), ("c", "‖∂target/∂c<sub>k</sub>‖")):
            if role in norms:
                self._curve(role, label, COLOURS[role]).setData(*self._lagged(result, norms[role]))
                keep.add(role)
        if result.unit_full is not None and result.unit_path is not None and request.unit is not None:
            state = "c" if request.model.network.graph.cell_state is not None else "h"
            u = request.unit
            full_label = f"∂{state}<sub>T</sub>[{u}]/∂{state}<sub>k</sub>[{u}], every path"
            path_label = f"the same along {state}'s own line (∏ {'f' if state == 'c' else 'z'})"
            self._curve("unit_full", full_label, COLOURS["unit_full"]).setData(*self._lagged(result, result.unit_full))
            self._curve("unit_path", path_label, COLOURS["unit_path"], dashed=True).setData(
                *self._lagged(result, result.unit_path)
            )
            keep |= {"unit_full", "unit_path"}
        keep |= self._draw_companion()
        self._drop_curves(keep)
        # Lags run from 0 to the target's distance from the first step; at t = 0 there is one point,
        # which pyqtgraph would centre in an arbitrary ±0.5 window.
        lags, _ = result.by_lag(norms["x"])
        plot = self.plot_widget
        assert plot is not None  # made above on the first result
        plot.setXRange(0, max(1, int(np.max(lags))), padding=0.02)
        self.summary.setText(self._describe(result))

    @staticmethod
    def _lagged(result: GradientResult, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lags, by_lag = result.by_lag(values)
        return lags, positive(by_lag)

    def _describe(self, result: GradientResult) -> str:
        request = result.request
        if self.document.backward:
            where = f"t = {request.anchor}, pinned while the diagram shows it backward"
        elif request.anchor == self.playback.t:
            where = f"t = {request.anchor}"
        else:
            where = f"t = {request.anchor} (computing t = {self.playback.t}…)"
        text = (
            f"<b>{request.target}</b> = {result.gradients.value:.4g} of <b>{request.model.name}</b>, at {where}; "
            f"{result.seconds * 1000:.0f} ms."
        )
        if result.sigma_max is not None:
            text += "<br>" + sigma_note(result.sigma_max)
        elif result.unit_path is not None and request.unit is not None:
            text += (
                f"<br>Unit {request.unit}: the dashed line is its state's own path alone; where it meets the "
                "solid line the state carries the gradient by itself."
            )
        return text

    # -- a second model (View → Compare with…) --------------------------------------------------------
    def set_companion(self, document: ExplorerDocument | None) -> None:
        """Draw a second document's ‖∂target/∂h_k‖ (and c) on the same plot, dashed; None ends it."""
        if self.companion_runner is not None:
            self.companion_runner.finished.disconnect(self._on_companion_result)
            self.companion_runner.deleteLater()
        self.companion, self.companion_runner, self.companion_result = document, None, None
        if document is not None:
            self.companion_runner = GradientRunner(self)
            self.companion_runner.synchronous = self.runner.synchronous
            self.companion_runner.finished.connect(self._on_companion_result)
            self.refresh()
        elif self.result is not None:
            self._on_result(self.result)

    def _companion_request(self) -> GradientRequest | None:
        assert self.companion is not None
        try:
            return request_for(self.companion, self.document.gradient_target)
        except TargetError:
            return None

    def _refresh_companion(self) -> None:
        if self.companion is None or self.companion_runner is None:
            return
        request = self._companion_request()
        if request is not None:
            self.companion_runner.submit(request)

    def _on_companion_result(self, result: GradientResult) -> None:
        self.companion_result = result
        if self.result is not None:
            self._on_result(self.result)

    def _draw_companion(self) -> set[str]:
        result = self.companion_result
        if self.companion is None or result is None:
            return set()
        name = result.request.model.name
        keys = set()
        for role in ("h", "c"):
            if role in result.norms:
                key = f"companion_{role}"
                label = f"{name}: ‖∂target/∂{role}<sub>k</sub>‖"
                self._curve(key, label, COLOURS[role], dashed=True).setData(*self._lagged(result, result.norms[role]))
                keys.add(key)
        return keys
