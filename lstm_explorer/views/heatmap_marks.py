"""What the heatmaps mark besides values: held units (a dashed box over the steps they are held)
and the unit finder's top units for its feature (★ on the unit axis); and a heatmap cell's
right-click menu (hold, clamp, release). Part of the heatmap panel, kept apart so the panel's
tiling code stays readable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QMenu

from ..engine.interventions import for_layer
from .hold_menu import unit_menu

if TYPE_CHECKING:
    from .heatmaps import HeatmapPanel

#: The finder's strongest units (by |r|) marked per heatmap.
TOP_MARKED = 3
HELD_COLOUR = QColor("#ff2d95")


class HeatmapMarks:
    """Keeps the marks of ``panel`` in step with the document's held units and unit search."""

    def __init__(self, panel: HeatmapPanel) -> None:
        self.panel = panel
        self.held_boxes: dict[str, list[QGraphicsRectItem]] = {}
        #: node → units marked as the finder's top units (what the axis shows).
        self.top_units: dict[str, list[int]] = {}
        self._drawn: tuple[object, ...] = ()
        self.unit_menu: QMenu | None = None  # the last right-click menu (tests pick its actions)
        self._listening = False
        events = panel.document.events
        events.interventions.connect(self._on_interventions)
        events.unit_search.connect(self._on_unit_search)
        events.layer.connect(self._on_layer)
        panel.rendered.connect(self.refresh)

    def _on_interventions(self, _items: object) -> None:
        self.refresh()

    def _on_unit_search(self, _table: object) -> None:
        self.refresh()

    def _on_layer(self, _key: object) -> None:
        self.refresh()

    def open_unit_menu(self, node: str, unit: int, screen_pos: QPoint) -> QMenu:
        """Hold, clamp or release ``unit`` of ``node`` (see views/hold_menu.py)."""
        self.unit_menu = unit_menu(self.panel.document, node, unit, self.panel)
        self.unit_menu.popup(screen_pos)
        return self.unit_menu

    def _on_mouse_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.RightButton:
            return
        hit = self.panel._hit(event.scenePos())
        if hit is not None:
            event.accept()
            self.open_unit_menu(hit[0].node.name, hit[2], event.screenPos().toPoint())

    def refresh(self) -> None:
        """Redraw the marks if what they show changed (called after every re-colouring: typing
        with nothing held and no search must cost nothing here)."""
        panel, document = self.panel, self.panel.document
        if not self._listening and panel.maps:  # the plots (and their scene) exist from the first trace
            panel.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
            self._listening = True
        trace = panel.playback.trace
        held = for_layer(document.interventions, *document.layer)
        drawn = (held, document.layer, id(document.unit_search), id(panel.maps), trace.steps if held and trace else 0)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        self._held()
        self._top()

    def _held(self) -> None:
        panel, document = self.panel, self.panel.document
        plots = [m.plot for m in panel.maps.values()]
        for boxes in self.held_boxes.values():
            for box in boxes:  # from whichever plot holds it now (plots are reused by other nodes)
                for plot in plots:
                    if box in plot.items:
                        plot.removeItem(box)
                        break
        self.held_boxes = {}
        trace = panel.playback.trace
        if trace is None:
            return
        pen = QPen(HELD_COLOUR, 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        fill = QColor(HELD_COLOUR)
        fill.setAlpha(70)
        for item in for_layer(document.interventions, *document.layer):
            m = panel.maps.get(item.node)
            if m is None:
                continue
            steps = item.steps or range(trace.steps)
            stop = min(steps.stop, trace.steps)
            units = range(trace.hidden_size) if item.units is None else item.units
            for unit in units:
                box = QGraphicsRectItem(QRectF(steps.start, unit, max(stop - steps.start, 0), 1))
                box.setPen(pen)
                box.setBrush(QBrush(fill))
                box.setZValue(8)
                m.plot.addItem(box)
                self.held_boxes.setdefault(item.node, []).append(box)

    def _top(self) -> None:
        panel, document = self.panel, self.panel.document
        table: Any = document.unit_search
        trace = panel.playback.trace
        self.top_units = {}
        if trace is None:
            return
        hidden = trace.hidden_size
        layer, reverse = document.layer
        if table is not None:
            mine = (table.layer == layer) & (table.reverse == reverse)
            shown = table.subset(mine)
            for name in panel.maps:
                rows = shown.subset(shown.node == name)
                self.top_units[name] = [int(rows.unit[k]) for k in rows.order()[:TOP_MARKED]]
        for name, m in panel.maps.items():
            top = self.top_units.get(name, [])
            ends = [(u, str(u)) for u in (0, hidden - 1) if u not in top]
            ticks = sorted([*ends, *((u, f"★{u}") for u in top)])
            m.plot.getAxis("left").setTicks([[(u + 0.5, text) for u, text in ticks], []])
