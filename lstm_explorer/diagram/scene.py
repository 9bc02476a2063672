"""The cell diagram as a QGraphicsScene: built from the cell graph, drawn from (trace, state).

:meth:`DiagramScene.show_state` sets every item from the trace and the playback state alone, so a
frame does not depend on the frames before it: scrubbing, playback and offscreen export draw the
same picture for the same position.
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHelpEvent,
    QToolTip,
)

from ..engine.graph import CellGraph, Node
from ..engine.interventions import Intervention
from ..engine.trace import Trace
from ..playback import PlaybackState
from ..scales import ColourScales, Scale, initial_scales, scales_of
from .held import HeldMarks, held_units_at
from .items import (
    MAX_STRIP_LENGTH,
    PACKET_LENGTH,
    ExplanationItem,
    FrameItem,
    LabelItem,
    NodeItem,
    StripItem,
    WireItem,
    readable,
    strip_image,
    strip_images,
)
from .layout import COL, DOT_RADIUS, INPUT_LEAD, Layout, NodeShape, Route, build_layout
from .legend import LegendItem
from .theme import Theme, theme_named
from .timeline import Status, levels, moment

ItemT = TypeVar("ItemT", bound=QGraphicsItem)
DIMMED = 0.22
LAYER_LABEL_ROOM = 22.0
PANEL_HEIGHT = 62.0
LEGEND_GAP = 14.0
TOOLTIP_VALUES = 6


class DiagramScene(QGraphicsScene):
    """One cell variant's drawing. ``unit_clicked(unit)`` fires when a hidden unit's cell is clicked;
    ``unit_menu_requested(node, unit, screen_pos)`` when a cell is right-clicked."""

    unit_clicked = Signal(int)
    unit_menu_requested = Signal(str, int, QPoint)

    def __init__(self, graph: CellGraph, theme: str = "light", parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Items move every frame: a spatial index would be rebuilt constantly for nothing.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.graph = graph
        self.layout: Layout = build_layout(graph)
        self._levels = levels(graph)
        self._theme = theme_named(theme)
        self._trace: Trace | None = None
        self._state = PlaybackState(phases=len(graph.phases))
        self._walkthrough = False
        self._scales: ColourScales = initial_scales(graph)
        self._image_cache: dict[str, QImage] = {}
        self._image_cache_t = -1
        self._held: tuple[Intervention, ...] = ()
        self._build()

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
        self.fork_items = [self._add(_fork_dot(p, theme)) for p in layout.forks]

        self.strips: dict[str, StripItem] = {}
        for name, (a, b) in layout.strip_segments.items():
            if graph[name].kind == "layer":
                a = _advance(a, b, LAYER_LABEL_ROOM)  # keep the gate's name (f_t …) readable above its box
            length = min(MAX_STRIP_LENGTH, 0.8 * math.dist(a, b))
            strip = StripItem(name, length, theme, self.unit_clicked.emit)
            strip.setPos((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            strip.setRotation(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])))
            self.strips[name] = self._add(strip)
        self.held_marks = {name: HeldMarks(strip, theme) for name, strip in self.strips.items()}
        self.packets: dict[tuple[str, str], StripItem] = {}
        for route in layout.routes:
            packet = StripItem(route.source, min(PACKET_LENGTH, 0.6 * route.length), theme, self.unit_clicked.emit)
            packet.setZValue(4)
            packet.travelling = True
            packet.setVisible(False)
            self.packets[(route.source, route.target)] = self._add(packet)

        # The legend sits in the band above the frame, left of h_t's upward exit: room the drawing
        # has anyway, so the picture stays wide (16:9 exports) instead of growing a bottom row.
        self.legend = self._add(LegendItem(theme, self._scales.legend(self.strips)))
        fx, fy, fw, fh = layout.frame
        _, by, _, bh = layout.bounds
        up_x = max((e.route.points[-1][0] for e in layout.exits if e.route.points[-1][1] < fy), default=fx + fw)
        legend = self.legend.boundingRect()
        self.legend.setPos(up_x - LEGEND_GAP - legend.width(), fy - legend.height() - 6)
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
        rect = rect.united(self.legend.sceneBoundingRect())
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

    # -- inputs --------------------------------------------------------------------------------
    @property
    def trace(self) -> Trace | None:
        return self._trace

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def theme(self) -> Theme:
        return self._theme

    @property
    def walkthrough(self) -> bool:
        return self._walkthrough

    @property
    def scales(self) -> ColourScales:
        """The colour scale of every node (the document's, shared with the heatmaps)."""
        return self._scales

    def set_trace(self, trace: Trace | None, *, redraw: bool = True, scales: ColourScales | None = None) -> None:
        """Draw ``trace`` from now on, coloured with ``scales`` (the document's; None: worked out
        from the whole trace, which reads every value). ``redraw=False``: leave the items as they
        are until the next :meth:`show_state` (a caller about to show a new position draws once)."""
        if trace is not None and trace.graph.kind != self.graph.kind:
            raise ValueError(f"a {trace.graph.kind} trace cannot be drawn on the {self.graph.kind} diagram")
        if scales is None or any(name not in scales for name in self.strips):
            scales = scales_of(trace) if trace is not None else initial_scales(self.graph)
        self._scales = scales
        self.legend.set_scales(scales.legend(self.strips))
        self._trace = trace
        self._image_cache.clear()
        self._image_cache_t = -1
        if redraw:
            self.show_state(self._state)

    def set_theme(self, name: str) -> None:
        theme = theme_named(name)
        if theme is not self._theme:
            self._theme = theme
            self._build()
            self.show_state(self._state)

    def set_held(self, interventions: tuple[Intervention, ...]) -> None:
        """Hatch the units these interventions hold (those of the layer and direction on show)."""
        self._held = tuple(interventions)
        self.show_state(self._state)

    def set_walkthrough(self, on: bool) -> None:
        self._walkthrough = bool(on)
        self._update_scene_rect()
        self.show_state(self._state)

    # -- drawing a frame -------------------------------------------------------------------------
    def show_state(self, state: PlaybackState) -> None:
        """Set every item for this position; the picture depends only on (trace, state, settings)."""
        self._state = state
        trace = self._trace
        steps = trace.steps if trace is not None else 0
        t = min(max(state.t, 0), steps - 1) if steps else -1
        now = moment(self.graph, state, self._levels)
        hidden = trace.hidden_size if trace is not None else 0
        selected = tuple(u for u in state.selected if u < hidden)

        for name, item in self.node_items.items():
            item.set_status(now.status[name])
        if t >= 0:
            self._colour_step(t)
        for name, strip in self.strips.items():
            shown = t >= 0 and now.status[name] == Status.DONE
            self._fill_strip(strip, name, t if shown else -1, hidden)
            strip.set_selection(selected)
            self.held_marks[name].set_units(held_units_at(self._held, name, t) if shown else ())
        # Copies of one vector leave together and part at the fork: each moves the same distance,
        # set by the longest of its wires, and waits at its target if it arrives early.
        reach: dict[str, float] = {}
        for source, target in now.travelling:
            reach[source] = max(reach.get(source, 0.0), self.wire_items[(source, target)].route.length)
        for (source, target), packet in self.packets.items():
            fraction = now.travelling.get((source, target))
            if fraction is None or t < 0:
                packet.setVisible(False)
                continue
            self._fill_strip(packet, source, t, hidden)
            packet.set_selection(selected)
            self._place_packet(packet, self.wire_items[(source, target)].route, fraction * reach[source])
            packet.setVisible(True)
        self._apply_walkthrough(state)

    def _colour_step(self, t: int) -> None:
        """Colour every strip's vector at step ``t`` (once per step; one pass per colour map)."""
        if self._trace is None or self._image_cache_t == t:
            return
        self._image_cache.clear()
        self._image_cache_t = t
        groups: dict[Scale, list[str]] = {}
        for name in self.strips:
            groups.setdefault(self._scales[name], []).append(name)
        for scale, names in groups.items():
            vectors = [self._trace[name][t] for name in names]
            self._image_cache.update(zip(names, strip_images(vectors, scale.colours), strict=True))

    def _fill_strip(self, strip: StripItem, name: str, t: int, hidden: int) -> None:
        if t < 0 or self._trace is None:
            if strip.image is not None:
                strip.set_vector(None, None, 0)
            return
        if self._image_cache_t != t:
            self._image_cache.clear()
            self._image_cache_t = t
        values = self._trace[name][t]
        image = self._image_cache.get(name)
        if image is None:
            image = strip_image(values, self._scales[name].colours)
            self._image_cache[name] = image
        if strip.image is not image:
            width = self.graph[name].width
            strip.set_vector(values, image, hidden if width in ("h", "hx") else 0)

    @staticmethod
    def _place_packet(packet: StripItem, route: Route, distance: float) -> None:
        """Centre the travelling vector ``distance`` along the wire (counted from where its centre
        starts, one half-packet in; it stops one half-packet before the end), turned along its leg."""
        length = route.length
        half = min(packet.length / 2, length / 2)
        along = min(half + distance, length - half) / length if length else 0.0
        (x, y), angle = route.point_at(along)
        packet.setPos(x, y)
        packet.setRotation(angle)

    def _apply_walkthrough(self, state: PlaybackState) -> None:
        self.explanation.setVisible(self._walkthrough)
        phase = min(max(state.phase, 0), len(self.graph.phases) - 1)
        if self._walkthrough:
            info = self.graph.phases[phase]
            self.explanation.set_text(
                f"t = {state.t} · phase {phase + 1} of {len(self.graph.phases)}: {readable(info.title)}",
                readable(info.explanation),
            )
        active = {n.name for n in self.graph.nodes if n.phase == phase}
        feeding = {s for n in self.graph.nodes if n.phase == phase for s in n.inputs}
        lit = 1.0
        for name, item in self.node_items.items():
            item.setOpacity(lit if not self._walkthrough or name in active else DIMMED)
        for (_, target), wire in self.wire_items.items():
            wire.setOpacity(lit if not self._walkthrough or target in active else DIMMED)
        for name, strip in self.strips.items():
            on = name in active or name in feeding
            strip.setOpacity(lit if not self._walkthrough or on else DIMMED)
        for name, label in self.labels.items():
            label.setOpacity(lit if not self._walkthrough or name in active or name in feeding else DIMMED)
        others: list[QGraphicsItem] = [*self.exit_wires, *self.fork_items, *self.input_wires]
        for other in others:
            other.setOpacity(lit if not self._walkthrough else DIMMED)

    # -- reading what is shown -------------------------------------------------------------------
    def strip_colours(self, name: str) -> np.ndarray | None:
        """The RGBA cells of a node's strip as drawn now (None while it shows no vector)."""
        image = self.strips[name].image
        if image is None:
            return None
        converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
        buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=converted.width() * 4)
        return buffer.reshape(converted.width(), 4).copy()

    def describe(self, item: QGraphicsItem | None) -> str:
        """Tooltip text for an item: name, formula, shape and a summary of the values at step t."""
        name = _item_node(item)
        if name is None:
            return ""
        node = self.graph[name]
        lines = [f"{name}: {node.label}"]
        if isinstance(item, WireItem) and item.route.target and item.route.target != name:
            lines[0] = f"{name} → {item.route.target}: {node.label}"
        lines.append(node.formula or _default_formula(node))
        trace = self._trace
        if trace is None or not trace.steps:
            lines.append("no sequence yet")
            return "\n".join(lines)
        t = min(max(self._state.t, 0), trace.steps - 1)
        values = trace[name][t]
        status = moment(self.graph, self._state, self._levels).status[name]
        note = "" if status == Status.DONE else " (not yet computed at this phase)"
        lines.append(f"shape ({len(values)},) at t = {t}{note}")
        first = ", ".join(f"{v:+.4f}" for v in values[:TOOLTIP_VALUES])
        more = ", …" if len(values) > TOOLTIP_VALUES else ""
        lines.append(f"values [{first}{more}]")
        lines.append(f"min {values.min():+.4f}   max {values.max():+.4f}   mean {values.mean():+.4f}")
        return "\n".join(lines)

    def tooltip_at(self, scene_pos: QPointF) -> str:
        for item in self.items(scene_pos):
            text = self.describe(item)
            if text and item.isVisible():
                if isinstance(item, StripItem) and item.values is not None:
                    text += "\n" + _cell_line(item, item.mapFromScene(scene_pos).x())
                return text
        return ""

    # Qt override
    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        text = self.tooltip_at(event.scenePos())
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
            event.accept()
        else:
            QToolTip.hideText()
            event.ignore()

    # Qt override
    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """Right-click on a strip's cell: ask for that unit's menu (hold, clamp, release)."""
        for item in self.items(event.scenePos()):
            if isinstance(item, StripItem) and item.isVisible() and item.values is not None:
                index = item.index_at(item.mapFromScene(event.scenePos()).x())
                if index is not None:
                    event.accept()
                    self.unit_menu_requested.emit(item.owner, index, event.screenPos())
                    return
        event.ignore()

    def item_for_node(self, name: str) -> QGraphicsItem:
        """The shape drawn for a node (its strip, for inputs, which have no shape)."""
        return self.node_items.get(name) or self.strips[name]

    def node_at(self, scene_pos: QPointF) -> str | None:
        """The node whose shape, strip or outgoing wire is topmost at a scene point."""
        return _item_node(self.itemAt(scene_pos, QTransform()))


def _advance(a: tuple[float, float], b: tuple[float, float], by: float) -> tuple[float, float]:
    """``a`` moved ``by`` towards ``b`` (at most half-way)."""
    d = math.dist(a, b)
    f = min(by / d, 0.5) if d else 0.0
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def centred_fit(source: QRectF, target: QRectF) -> QRectF:
    """The largest rectangle of ``source``'s proportions inside ``target``, centred in it."""
    scale = min(target.width() / source.width(), target.height() / source.height())
    w, h = source.width() * scale, source.height() * scale
    return QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)


def _cell_line(strip: StripItem, local_x: float) -> str:
    """The value under the pointer: ``unit 3 = +0.1234`` (or ``x[1]`` in the input part of [h, x])."""
    index = strip.index_at(local_x)
    assert index is not None and strip.values is not None
    value = strip.values[index]
    if index < strip.hidden_units:
        return f"unit {index} = {value:+.6f}"
    return f"x[{index - strip.hidden_units}] = {value:+.6f}"


def _item_node(item: QGraphicsItem | None) -> str | None:
    if isinstance(item, NodeItem):
        return item.node_name
    if isinstance(item, StripItem):
        return item.owner
    if isinstance(item, WireItem):
        return item.route.source
    return None


def _default_formula(node: Node) -> str:
    if node.kind == "input":
        return f"{node.label}: input of this step"
    if node.kind == "concat":
        return f"{node.label}: concatenation"
    return node.label


def _fork_dot(p: tuple[float, float], theme: Theme) -> NodeItem:
    shape = NodeShape("", p, (2 * DOT_RADIUS, 2 * DOT_RADIUS), "dot")
    dot = NodeItem(shape, "copy", theme)  # no op: draws no symbol
    dot.setAcceptHoverEvents(False)
    return dot
