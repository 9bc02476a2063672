"""The diagram's items, built from the cell graph's layout: frame, wires, shapes, labels, one strip
per node's output, the travelling packets, the two legends (values; gradients) and the
walk-through's panel. What they show is :class:`.scene.DiagramScene`'s business."""

from __future__ import annotations

import math
from typing import TypeVar

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from ..engine.graph import CellGraph, Node
from ..scales import ColourScales, initial_scales
from .backward import GradientField, GradientLegendItem
from .geometry import advance, centred_fit, fork_dot
from .held import HeldMarks
from .items import ExplanationItem, FrameItem, LabelItem, NodeItem, WireItem
from .layout import COL, INPUT_LEAD, Layout, Route, build_layout
from .legend import LegendItem
from .strip_item import MAX_STRIP_LENGTH, PACKET_LENGTH, StripItem
from .theme import theme_named

ItemT = TypeVar("ItemT", bound=QGraphicsItem)
LAYER_LABEL_ROOM = 22.0
LEGEND_GAP = 14.0


class SceneItems(QGraphicsScene):
    """The items of one cell variant's drawing, and the scene rectangle around them."""

    unit_clicked = Signal(int)
    unit_menu_requested = Signal(str, int, QPoint)

    def __init__(self, graph: CellGraph, theme: str = "light", parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Items move every frame: a spatial index would be rebuilt constantly for nothing.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.graph = graph
        self.layout: Layout = build_layout(graph)
        self._theme = theme_named(theme)
        self._scales: ColourScales = initial_scales(graph)
        self._walkthrough = False
        self._backward = False
        self._field: GradientField | None = None
        self._field_note = ""

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.clear()
        theme, layout, graph = self._theme, self.layout, self.graph
        self.setBackgroundBrush(theme.background)
        self.frame_item = FrameItem(layout.frame, graph.title, theme)
        self.addItem(self.frame_item)

        self.wire_items: dict[tuple[str, str], WireItem] = {}
        for route in layout.routes:
            self.wire_items[(route.source, route.target)] = self._add(WireItem(route, theme))
        self.exit_wires = [self._add(WireItem(e.route, theme)) for e in layout.exits]
        self.input_wires: list[WireItem] = []
        self.labels: dict[str, LabelItem] = {}
        for node in graph.nodes:
            if node.kind == "input":
                self._add_input(node)
        for i, e in enumerate(layout.exits):
            up = e.label_at[1] < layout.frame[1]
            label = LabelItem(e.label, theme, 13, "center" if up else "left")
            label.setPos(e.label_at[0], e.label_at[1] - (8 if up else 0))
            self.labels[f"exit:{i}"] = self._add(label)

        self.node_items: dict[str, NodeItem] = {}
        for node in graph.nodes:
            if node.kind != "input":
                shape = layout.nodes[node.name]
                self.node_items[node.name] = self._add(NodeItem(shape, node.op, theme))
                self._add_node_label(node)
        self.fork_items = [self._add(fork_dot(p, theme)) for p in layout.forks]

        self.strips: dict[str, StripItem] = {}
        for name, (a, b) in layout.strip_segments.items():
            if graph[name].kind == "layer":
                a = advance(a, b, LAYER_LABEL_ROOM)  # keep the gate's name (f_t …) readable above its box
            length = min(MAX_STRIP_LENGTH, 0.8 * math.dist(a, b))
            strip = StripItem(name, length, theme, self.unit_clicked.emit)
            strip.setPos((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            strip.setRotation(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])))
            self.strips[name] = self._add(strip)
        self.held_marks = {name: HeldMarks(strip, theme) for name, strip in self.strips.items()}
        # Vectors on their way along a wire; the exits carry them only backward (gradients arriving).
        self.routes: dict[tuple[str, str], Route] = {(r.source, r.target): r for r in layout.routes}
        self.routes.update({(e.node, f"exit:{i}"): e.route for i, e in enumerate(layout.exits)})
        self.packets: dict[tuple[str, str], StripItem] = {}
        for key, route in self.routes.items():
            packet = StripItem(route.source, min(PACKET_LENGTH, 0.6 * route.length), theme, self.unit_clicked.emit)
            packet.setZValue(4)
            packet.travelling = True
            packet.setVisible(False)
            self.packets[key] = self._add(packet)

        # The legend sits in the band above the frame, left of h_t's upward exit: room the drawing
        # has anyway, so the picture stays wide (16:9 exports) instead of growing a bottom row.
        # One legend per mode, in the same place: values, or the gradients' log scale.
        self.value_legend = self._add(LegendItem(theme, self._scales.legend(self.strips)))
        self.gradient_legend = self._add(GradientLegendItem(theme))
        self.gradient_legend.set_field(self._field, self._field_note)
        fx, fy, fw, fh = layout.frame
        _, by, _, bh = layout.bounds
        up_x = max((e.route.points[-1][0] for e in layout.exits if e.route.points[-1][1] < fy), default=fx + fw)
        for legend_item in (self.value_legend, self.gradient_legend):
            box = legend_item.boundingRect()
            legend_item.setPos(up_x - LEGEND_GAP - box.width(), fy - box.height() - 6)
        self._show_legend()
        self.explanation = self._add(ExplanationItem(fw, theme))
        self.explanation.setPos(fx, max(fy + fh, by + bh) + 8)
        self._update_scene_rect()

    def _add(self, item: ItemT) -> ItemT:
        self.addItem(item)
        return item

    def _add_input(self, node: Node) -> None:
        """Inputs are named ports: a lead-in wire from the left (or the label below, for x_t)."""
        x, y = self.layout.nodes[node.name].center
        theme = self._theme
        if node.pos[0] == 0.0:
            lead = Route(node.name, node.name, ((x - INPUT_LEAD * COL, y), (x, y)), arrow=False)
            self.input_wires.append(self._add(WireItem(lead, theme)))
            label = LabelItem(node.label, theme, 13, "right")
            label.setPos(x - INPUT_LEAD * COL - 6, y)
        else:
            label = LabelItem(node.label, theme, 13, "center")
            label.setPos(x, y + 14)
        self.labels[node.name] = self._add(label)

    def _add_node_label(self, node: Node) -> None:
        """Gate names (f_t, i_t, C̃_t, o_t, r_t, z_t, h̃_t) beside the wire that leaves the node."""
        is_name = len(node.label) <= 4  # "f_t", "C̃_t": a name; "W_in x_t + b_in" is a formula
        # State outputs (C_t, h_t) are named where they leave the cell instead.
        named_here = node.kind == "layer" or (node.kind == "pointwise" and node.name not in self.graph.state_names)
        if not (is_name and named_here):
            return
        shape = self.layout.nodes[node.name]
        (cx, cy), (w, h) = shape.center, shape.size
        label = LabelItem(node.label, self._theme, 12, "left")
        if node.kind == "layer":
            label.setPos(cx + 7, cy - h / 2 - 13)
        else:
            label.setPos(cx + w / 2 + 3, cy - h / 2 - 4)
        self.labels[node.name] = self._add(label)

    def _update_scene_rect(self) -> None:
        bx, by, bw, bh = self.layout.bounds
        rect = QRectF(bx, by, bw, bh)
        # Both legends: the picture keeps its place when the mode changes.
        rect = rect.united(self.value_legend.sceneBoundingRect()).united(self.gradient_legend.sceneBoundingRect())
        if self._walkthrough:
            rect = rect.united(self.explanation.sceneBoundingRect())
        self.setSceneRect(rect.adjusted(-8, -8, 8, 8))

    # Qt override (QGraphicsScene.render is not virtual in C++, but every Python caller gets this)
    def render(
        self,
        painter: QPainter,
        target: QRectF | QRect | None = None,
        source: QRectF | QRect | None = None,
        mode: Qt.AspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio,
    ) -> None:
        """Qt's render, but a picture kept in proportion is centred in the target, not pinned to its
        top-left corner: frames, SVG and PDF pages all show the cell in the middle."""
        target, source = QRectF(target or QRectF()), QRectF(source or QRectF())
        if target.isNull():
            device = painter.device()
            target = QRectF(0, 0, device.width(), device.height())
        if source.isNull():
            source = self.sceneRect()
        if mode == Qt.AspectRatioMode.KeepAspectRatio and source.width() > 0 and source.height() > 0:
            target = centred_fit(source, target)
            mode = Qt.AspectRatioMode.IgnoreAspectRatio
        super().render(painter, target, source, mode)

    @property
    def legend(self) -> LegendItem | GradientLegendItem:
        """The legend on show: the value scales, or the gradients' log scale in the backward mode."""
        return self.gradient_legend if self._backward else self.value_legend

    def _show_legend(self) -> None:
        self.value_legend.setVisible(not self._backward)
        self.gradient_legend.setVisible(self._backward)
