"""The selected units' values over time, for the nodes the user ticks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.graph import CellGraph
from ..engine.trace import Trace
from ..playback import PlaybackState
from .common import display_nodes, label_plain, node_colour
from .heatmaps import view_end
from .theme import Theme, theme

if TYPE_CHECKING:
    import pyqtgraph as pg


def default_nodes(graph: CellGraph) -> tuple[str, ...]:
    """Plotted until the user picks: the state the cell carries (h, and C for the LSTM family)."""
    return graph.state_names


_DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)


class UnitPlot(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.theme: Theme = theme("light")
        # pyqtgraph (≈0.15 s to import) and the plot are made with the first trace, so the window
        # paints before either: at start-up the model is opened after the first paint.
        self.plot_widget: pg.PlotWidget | None = None
        self._placeholder: QWidget | None = QWidget()
        self.hint = QLabel()
        self.hint.setObjectName("unitPlotHint")
        self.node_row = QHBoxLayout()
        self.node_row.setSpacing(8)
        self.checks: dict[str, QCheckBox] = {}
        self._preferred: list[str] = []  # the user's choice of nodes; none yet: default_nodes
        self._stale = False
        top = QHBoxLayout()
        top.addWidget(QLabel("Plot:"))
        top.addLayout(self.node_row)
        top.addStretch(1)
        top.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._placeholder, 1)
        self._layout = layout
        self.curves: dict[tuple[str, int], pg.PlotDataItem] = {}
        self._graph_kind = ""
        self._steps = 0
        self._t = -1
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        playback.selection_changed.connect(lambda _sel: self._redraw())

    def _make_plot(self) -> None:
        import pyqtgraph as pg

        plot_widget = pg.PlotWidget()
        self.plot_widget = plot_widget
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # No grid: pyqtgraph draws it inside the axes' pictures, replayed on every repaint (≈2 ms).
        self.zero_line = pg.InfiniteLine(pos=0, angle=0, movable=False, pen=pg.mkPen("#888888", width=1))
        self.plot.addItem(self.zero_line)
        self.plot.setLabel("bottom", "time step t")
        self.plot.setClipToView(True)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextSize="8pt")
        self.time_cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(self.theme.cursor, width=2))
        self.plot.addItem(self.time_cursor)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        if self._placeholder is not None:
            self._layout.replaceWidget(self._placeholder, self.plot_widget)
            self._placeholder.deleteLater()
            self._placeholder = None
        plot_widget.show()  # made after the panel was shown: not shown with it
        self._apply_theme()

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self._apply_theme()
        self._redraw()

    def _apply_theme(self) -> None:
        if self.plot_widget is None:
            return  # made with the theme, later
        import pyqtgraph as pg

        t = self.theme
        self.plot_widget.setBackground(t.plot_background)
        fg = pg.mkPen(t.plot_foreground)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(fg)
            self.plot.getAxis(axis).setTextPen(fg)
        self.time_cursor.setPen(pg.mkPen(t.cursor, width=2))
        self.legend.setLabelTextColor(t.plot_foreground)
        for _, label in self.legend.items:  # existing labels take the colour only when their text is set
            label.setText(label.text)

    @property
    def nodes(self) -> list[str]:
        return [name for name, box in self.checks.items() if box.isChecked()]

    def set_nodes(self, names: list[str]) -> None:
        """Tick these nodes (kept as the preference for cells shown later)."""
        self._preferred = list(names)
        for name, box in self.checks.items():
            box.blockSignals(True)
            box.setChecked(name in names)
            box.blockSignals(False)
        self._redraw()

    def _rebuild_checks(self, trace: Trace) -> None:
        for box in self.checks.values():
            self.node_row.removeWidget(box)
            box.deleteLater()
        self.checks = {}
        for node in display_nodes(trace.graph):
            box = QCheckBox(label_plain(node.label))
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            wanted = (
                self._preferred
                if any(n.name in self._preferred for n in display_nodes(trace.graph))
                else default_nodes(trace.graph)
            )
            box.setChecked(node.name in wanted)
            box.setStyleSheet(f"QCheckBox {{ color: {node_colour(node.name)}; font-weight: bold; }}")
            box.toggled.connect(self._on_toggled)
            self.node_row.addWidget(box)
            self.checks[node.name] = box

    def _on_toggled(self, _on: bool) -> None:
        self._preferred = self.nodes
        self._redraw()

    def _on_trace_changed(self, trace: Trace | None) -> None:
        if trace is not None and self.plot_widget is None:
            self._make_plot()
        if trace is not None and trace.graph.kind != self._graph_kind:
            self._graph_kind = trace.graph.kind
            self._rebuild_checks(trace)
        old = self._steps
        self._steps = trace.steps if trace is not None else 0
        self._redraw()
        if trace is not None:
            (x0, x1), _ = self.plot.vb.viewRange()
            end = view_end(trace.steps)
            whole = old == 0 or (x0 <= 0.5 and x1 >= old - 1.5)
            if whole and (x1 < trace.steps - 1 or x1 > 1.5 * end or old == 0):
                self.plot.setXRange(0, end, padding=0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._redraw()

    def _redraw(self) -> None:
        if not self.isVisible() and self.checks:
            self._stale = True  # a closed panel does no work; it catches up when shown
            return
        self._stale = False
        trace = self.playback.trace
        if self.plot_widget is None:
            return  # no trace shown yet
        wanted: list[tuple[str, int]] = []
        if trace is not None:
            wanted = [(n, u) for u in self.playback.selected for n in self.nodes if n in trace]
        for key in list(self.curves):
            if key not in wanted:
                item = self.curves.pop(key)
                self.plot.removeItem(item)
                self.legend.removeItem(item)
        if trace is None:
            return
        for k, (name, unit) in enumerate(wanted):
            values = trace[name][:, unit]
            item = self.curves.get((name, unit))
            if item is None:
                import pyqtgraph as pg

                style = _DASHES[self.playback.selected.index(unit) % len(_DASHES)]
                # A cosmetic 1 px pen (the raster fast path: 1.5 px costs 5x more); peak downsampling
                # to about one point pair per pixel keeps a 10 000-step curve as cheap as a short one.
                pen = pg.mkPen(node_colour(name), width=1, style=style)
                label = f"{label_plain(trace.graph[name].label)}[{unit}]"
                item = self.plot.plot(values, pen=pen, name=label, autoDownsampleFactor=1.0, skipFiniteCheck=True)
                item.setZValue(k)
                self.curves[(name, unit)] = item
            else:
                item.setData(values)
        if not self.playback.selected:
            self.hint.setText("Click a unit on a heatmap to plot it")
        else:
            units = ", ".join(str(u) for u in self.playback.selected)
            self.hint.setText(f"unit{'s' if len(self.playback.selected) > 1 else ''} {units}")

    def _on_position_changed(self, state: PlaybackState) -> None:
        if state.t != self._t and self.plot_widget is not None:
            self._t = state.t
            self.time_cursor.setValue(state.t)

    def _on_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        if not self.plot.vb.sceneBoundingRect().contains(pos):
            return
        x = self.plot.vb.mapSceneToView(pos).x()
        if math.isfinite(x):
            self.playback.seek(round(x))
