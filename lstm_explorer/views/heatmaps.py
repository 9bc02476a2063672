"""Gate heatmaps: one time × unit image per node (f, i, g, o, c, h — or the variant's own nodes).

Each image is cut into tiles of :data:`TILE` steps or more (:func:`tile_steps`: at most
:data:`MAX_TILES` a map), coloured with the diagram's colour maps. An edit at step k re-colours
only the tiles from k on; a position change only moves the cursor line
(never ``setImage``). Re-colouring that would take long (a fresh 10 000-step trace at H=512) runs
in slices between events, nearest the cursor first, so the window never stalls.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.graph import CellGraph, Node
from ..engine.trace import Trace
from ..playback import PlaybackState
from ..scales import Scale, scales_of
from .common import display_nodes, label_html
from .heatmap_items import TILE, ScaleBar, TimeCursor, fit_units, tile_item, tile_steps, view_end
from .heatmap_marks import HeatmapMarks
from .theme import Theme, theme

if TYPE_CHECKING:
    import pyqtgraph as pg

#: Time spent colouring tiles per turn of the event loop (s).
SLICE_SECONDS = 0.008
#: Up to this many dirty tiles (one per node: typing) are coloured at once; more wait for the
#: next turns of the event loop, so a fresh long trace never holds the window up.
SYNC_TILES = 8


@dataclass
class _NodeMap:
    node: Node
    plot: pg.PlotItem
    cursor: TimeCursor
    bar: ScaleBar = field(init=False)
    tiles: list[pg.ImageItem] = field(default_factory=list)
    buffers: list[np.ndarray] = field(default_factory=list)  # each tile's RGBA, (H, TILE, 4)
    valid: list[int] = field(default_factory=list)  # columns of each buffer that are up to date
    rects: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    selection_lines: list[pg.InfiniteLine] = field(default_factory=list)
    #: The document's scale for this node (shared with the diagram), as the tiles were coloured.
    scale: Scale | None = None

    def colour(self, values: np.ndarray) -> np.ndarray:
        assert self.scale is not None
        return self.scale.colours(values)


HOVER_HINT = "Hover over a heatmap to read a value; click to jump there and select the unit."


class HeatmapPanel(QWidget):
    """Time × unit images for the cell's nodes, linked in time, with a cursor at t."""

    rendered = Signal()  # every tile is up to date

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.theme: Theme = theme("light")
        self.info = QLabel(HOVER_HINT)
        self.info.setObjectName("heatmapInfo")
        self.info.setWordWrap(True)
        # pyqtgraph (≈0.15 s to import) and its view are made with the first trace, so the window
        # paints before either: at start-up the model is opened after the first paint.
        self._view: pg.GraphicsLayoutWidget | None = None
        self._placeholder: QWidget | None = QWidget()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.info)
        self._layout.addWidget(self._placeholder, 1)
        self.maps: dict[str, _NodeMap] = {}
        self._structure: tuple[object, ...] = ()
        self._steps = 0
        self._tile = TILE  # steps per tile, for the trace shown (tile_steps)
        self._dirty: set[tuple[str, int]] = set()
        self._t = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._render_some)
        document.events.model.connect(self._on_model)
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        playback.selection_changed.connect(self._on_selection_changed)
        self.marks = HeatmapMarks(self)  # held units, the unit finder's top units, the right-click menu

    # -- building ----------------------------------------------------------------------------
    @property
    def view(self) -> pg.GraphicsLayoutWidget:
        """The pyqtgraph layout holding the plots (made on first use)."""
        if self._view is None:
            import pyqtgraph as pg

            view = pg.GraphicsLayoutWidget()
            view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            view.ci.layout.setSpacing(2)
            view.setBackground(self.theme.plot_background)
            view.scene().sigMouseMoved.connect(self._on_mouse_moved)
            view.viewport().installEventFilter(self)  # the readout clears when the pointer leaves
            view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
            if self._placeholder is not None:
                self._layout.replaceWidget(self._placeholder, view)
                self._placeholder.deleteLater()
                self._placeholder = None
            view.show()  # made after the panel was shown: not shown with it
            self._view = view
        return self._view

    def _build(self, graph: CellGraph, hidden: int) -> None:
        """A plot per node worth a heatmap. Plots already there are relabelled and kept (making
        one costs ~8 ms of the GUI thread: opening a model froze the window 50 ms for six);
        missing ones are made, extra ones removed; every tile goes."""
        self._drop_tiles()
        kept = list(self.maps.values())
        nodes = display_nodes(graph)
        if len(kept) != len(nodes):  # rows would be left empty or squeezed: all made again
            self.view.clear()
            kept = []
        self.maps = {}  # a new dict: the marks see new plots and draw again
        for row, node in enumerate(nodes):
            scale = self._scale_of(node.name)
            if row < len(kept):
                m = kept[row]
                m.bar.set_map(scale.map_name, scale.low, scale.high)
            else:
                m = self._new_map(row, node, hidden)
                m.bar = ScaleBar(scale.map_name, scale.low, scale.high, self.theme)
                self.view.addItem(m.bar, row=row, col=1)
            m.node, m.scale = node, scale
            m.plot.setLabel("left", label_html(node.label))
            last = row == len(nodes) - 1
            m.plot.showAxis("bottom", last)
            if last:
                m.plot.setLabel("bottom", "time step t")
            fit_units(m.plot, m.cursor, hidden)
            m.plot.show()
            m.bar.show()
            self.maps[node.name] = m
        self._apply_theme_to_plots()

    def _new_map(self, row: int, node: Node, hidden: int) -> _NodeMap:
        plot = self.view.addPlot(row=row, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.getAxis("left").setWidth(46)
        if row > 0:
            plot.setXLink(self.view.getItem(0, 0))
        cursor = TimeCursor(hidden, self.theme.cursor)
        plot.addItem(cursor)
        return _NodeMap(node, plot, cursor)

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self._apply_theme_to_plots()

    def _apply_theme_to_plots(self) -> None:
        if self._view is None:
            return  # made with the theme, later
        import pyqtgraph as pg

        self._view.setBackground(self.theme.plot_background)
        fg = pg.mkPen(self.theme.plot_foreground)
        for m in self.maps.values():
            for axis in ("left", "bottom"):
                ax = m.plot.getAxis(axis)
                ax.setPen(fg)
                ax.setTextPen(fg)
            m.bar.set_theme(self.theme)
            m.cursor.set_colour(self.theme.cursor)

    # -- trace -------------------------------------------------------------------------------
    def _on_trace_changed(self, trace: Trace | None) -> None:
        if trace is None:  # nothing to show: the plots wait, hidden, for the next model's trace
            self._drop_tiles()
            for m in self.maps.values():
                m.plot.hide()
                m.bar.hide()
            self._structure = ()
            return
        structure = (trace.graph.kind, trace.hidden_size)
        changed_from = self.playback.changed_from
        if structure != self._structure:
            self._build(trace.graph, trace.hidden_size)
            self._structure = structure
            changed_from = 0
        old_steps, T = self._steps, trace.steps
        self._steps = T
        changed_from = min(changed_from, old_steps)
        tile = tile_steps(T, self._tile)
        if tile != self._tile:  # cut into tiles of another width: every tile is made again
            self._tile = tile
            self._drop_tiles()
            changed_from = 0
        tiles = (T + tile - 1) // tile
        for m in self.maps.values():
            for item in m.tiles[tiles:]:
                m.plot.removeItem(item)
            del m.tiles[tiles:], m.buffers[tiles:], m.valid[tiles:]
            for k in list(m.rects):
                if k >= tiles:
                    del m.rects[k]
            # Columns from changed_from on are stale.
            for k in range(changed_from // tile, len(m.valid)):
                m.valid[k] = min(m.valid[k], max(changed_from - k * tile, 0))
            scale = self._scale_of(m.node.name)
            if scale != m.scale:  # the quantity's range grew or shrank: every tile is recoloured
                m.scale = scale
                m.valid = [0] * len(m.valid)
                m.bar.set_range(scale.low, scale.high)
                self._dirty.update((m.node.name, k) for k in range(tiles))
            self._dirty.update((m.node.name, k) for k in range(changed_from // tile, tiles))
        self._dirty = {(n, k) for n, k in self._dirty if k < tiles}
        # The time axis grows in chunks (see view_end), so typing does not rescale every plot.
        end = view_end(T)
        if self.maps:
            vb = next(iter(self.maps.values())).plot.vb
            (x0, x1), _ = vb.viewRange()
            whole = old_steps == 0 or (x0 <= 0.5 and x1 >= old_steps - 0.5)
            if whole and (x1 < T or x1 > 1.5 * end or x0 != 0):
                for m in self.maps.values():
                    m.plot.vb.setLimits(xMax=end)
                    m.plot.setXRange(0, end, padding=0)
            elif not whole:
                for m in self.maps.values():
                    m.plot.vb.setLimits(xMax=max(end, x1))
        if len(self._dirty) <= SYNC_TILES:
            self._render_some()
        else:
            self._timer.start(0)

    def _drop_tiles(self) -> None:
        for m in self.maps.values():
            for item in m.tiles:
                m.plot.removeItem(item)
            m.tiles, m.buffers, m.valid, m.rects = [], [], [], {}
        self._dirty.clear()

    def _scale_of(self, name: str) -> Scale:
        """The document's colour scale for a node (the one the diagram uses too)."""
        scales = self.document.scales
        if scales is None or name not in scales:
            trace = self.playback.trace
            assert trace is not None
            scales = scales_of(trace)  # a playback given a trace without the document's scales
        return scales[name]

    def _render_some(self) -> None:
        """Colour dirty tiles for up to SLICE_SECONDS, nearest the cursor first; then come back."""
        trace = self.playback.trace
        if trace is None:
            return
        began = time.perf_counter()
        tile = self._tile
        here = self.playback.t // tile
        order = sorted(self._dirty, key=lambda d: (abs(d[1] - here), d[1], d[0]))
        for name, k in order:
            m = self.maps.get(name)
            self._dirty.discard((name, k))
            if m is None:
                continue
            t0, t1 = k * tile, min((k + 1) * tile, trace.steps)
            if t1 <= t0:
                continue
            while len(m.tiles) <= k:
                item = tile_item()
                m.plot.addItem(item)
                m.tiles.append(item)
                m.buffers.append(np.zeros((trace.hidden_size, tile, 4), dtype=np.uint8))
                m.valid.append(0)
            item, buffer = m.tiles[k], m.buffers[k]
            # Only the columns from the first changed step on are coloured again.
            c0 = min(m.valid[k], t1 - t0)
            buffer[:, c0 : t1 - t0] = m.colour(trace[name][t0 + c0 : t1].T)  # (H, steps, 4)
            m.valid[k] = t1 - t0
            item.setImage(buffer[:, : t1 - t0], autoLevels=False)
            rect = (t0, 0, t1 - t0, trace.hidden_size)
            if m.rects.get(k) != rect:
                item.setRect(*rect)
                m.rects[k] = rect
            if time.perf_counter() - began > SLICE_SECONDS:
                break
        if self._dirty:
            self._timer.start(0)
        else:
            self.rendered.emit()

    def render_all(self) -> None:
        """Colour every dirty tile now (export draws the panel once, complete)."""
        while self._dirty:
            self._render_some()
        self._timer.stop()

    @property
    def pending(self) -> int:
        """Tiles still to colour."""
        return len(self._dirty)

    # -- position and selection --------------------------------------------------------------
    def _on_position_changed(self, state: PlaybackState) -> None:
        if state.t == self._t:
            return
        self._t = state.t
        for m in self.maps.values():
            m.cursor.set_value(state.t + 0.5)

    def _on_selection_changed(self, selected: tuple[int, ...]) -> None:
        if not self.maps:
            return
        import pyqtgraph as pg

        for m in self.maps.values():
            while len(m.selection_lines) < len(selected):
                line = pg.InfiniteLine(
                    angle=0, movable=False, pen=pg.mkPen("#ffffff", width=1.5, style=Qt.PenStyle.DashLine)
                )
                line.setZValue(9)
                m.plot.addItem(line)
                m.selection_lines.append(line)
            for k, line in enumerate(m.selection_lines):
                if k < len(selected):
                    line.setValue(selected[k] + 0.5)
                    line.show()
                else:
                    line.hide()

    # -- mouse -------------------------------------------------------------------------------
    def _hit(self, scene_pos: QPointF) -> tuple[_NodeMap, int, int] | None:
        trace = self.playback.trace
        if trace is None:
            return None
        for m in self.maps.values():
            if m.plot.vb.sceneBoundingRect().contains(scene_pos):
                p = m.plot.vb.mapSceneToView(scene_pos)
                t, unit = math.floor(p.x()), math.floor(p.y())
                if 0 <= t < trace.steps and 0 <= unit < trace.hidden_size:
                    return m, t, unit
        return None

    def _on_model(self, _model: object) -> None:
        self.info.setText(HOVER_HINT)  # a value read off the previous model means nothing now

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Leave:
            self.info.setText(HOVER_HINT)
        return False

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        hit = self._hit(scene_pos)
        trace = self.playback.trace
        if hit is None or trace is None:
            self.info.setText(HOVER_HINT)  # off the images: no stale value
            return
        m, t, unit = hit
        value = trace[m.node.name][t, unit]
        self.info.setText(
            f"<b>{label_html(m.node.label)}</b> &nbsp; t = {t} &nbsp; unit {unit} &nbsp; value {value:+.4f}"
        )

    def _on_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        hit = self._hit(event.scenePos())  # type: ignore[attr-defined]
        if hit is None:
            return
        _, t, unit = hit
        event.accept()  # type: ignore[attr-defined]
        self.playback.seek(t)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:  # type: ignore[attr-defined]
            selected = list(self.playback.selected)
            if unit in selected:
                selected.remove(unit)
            else:
                selected.append(unit)
            self.playback.select(tuple(selected))
        else:
            self.playback.select(unit)

    def pixel_of(self, name: str, t: int, unit: int) -> QPoint:
        """Where the cell (t, unit) of node ``name``'s heatmap is on screen, in ``self.view`` coordinates."""
        m = self.maps[name]
        scene = m.plot.vb.mapViewToScene(QPointF(t + 0.5, unit + 0.5))
        return self.view.mapFromScene(scene)
