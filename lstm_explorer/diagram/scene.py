"""The cell diagram as a QGraphicsScene: built from the cell graph, drawn from (trace, state).

:meth:`DiagramScene.show_state` sets every item from the trace and the playback state alone, so a
frame does not depend on the frames before it: scrubbing, playback and offscreen export draw the
same picture for the same position.

Two modes draw the same items. Forward (the default) shows each node's value and walks the
phases in order; backward (:meth:`DiagramScene.set_backward`) shows |∂target/∂node| from a
:class:`.backward.GradientField` on a log colour scale and walks the phases in reverse, the
gradient travelling back along the wires (:func:`.timeline.backward_moment`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QImage, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHelpEvent,
    QToolTip,
)

from ..engine.graph import CellGraph
from ..engine.interventions import Intervention
from ..engine.trace import Trace
from ..playback import PlaybackState
from ..scales import ColourScales, Scale, initial_scales, scales_of
from . import describe as describing
from .backward import GradientField
from .geometry import centred_fit
from .held import held_units_at
from .layout import Route
from .scene_items import SceneItems
from .strip_item import StripItem, strip_image, strip_images
from .strip_numbers import MAGNITUDE_FORMATS, VALUE_FORMATS
from .theme import Theme, theme_named
from .timeline import Status, StepMoment, backward_moment, consumers, levels, moment
from .walkthrough import apply_walkthrough

__all__ = ["DiagramScene", "centred_fit"]


class DiagramScene(SceneItems):
    """One cell variant's drawing. ``unit_clicked(unit)`` fires when a hidden unit's cell is clicked;
    ``unit_menu_requested(node, unit, screen_pos)`` when a cell is right-clicked."""

    def __init__(self, graph: CellGraph, theme: str = "light", parent: QObject | None = None) -> None:
        super().__init__(graph, theme, parent)
        self._levels = levels(graph)
        # Backward, a node's gradient comes back along the wires it feeds, and the states' along
        # their exits too (from the step after, from the layer above and the readout).
        self._readers = consumers(graph)
        for i, e in enumerate(self.layout.exits):
            self._readers[e.node] = (*self._readers[e.node], f"exit:{i}")
        self._trace: Trace | None = None
        self._state = PlaybackState(phases=len(graph.phases))
        self._image_cache: dict[str, QImage] = {}
        self._image_cache_t = -1
        self._held: tuple[Intervention, ...] = ()
        self._build()

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
    def backward(self) -> bool:
        """Whether the diagram shows gradients flowing backward (else values flowing forward)."""
        return self._backward

    @property
    def gradient_field(self) -> GradientField | None:
        return self._field

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
        self.value_legend.set_scales(scales.legend(self.strips))
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

    def set_backward(self, on: bool, *, redraw: bool = True) -> None:
        """Show gradients flowing backward (True) or values flowing forward (False)."""
        if bool(on) != self._backward:
            self._backward = bool(on)
            self._image_cache.clear()
            self._image_cache_t = -1
            self._show_legend()
            self._update_scene_rect()
        if redraw:
            self.show_state(self._state)

    def set_gradient_field(self, field: GradientField | None, note: str = "", *, redraw: bool = True) -> None:
        """The gradients the backward mode draws (None: none yet; ``note`` says why, e.g.
        "computing ∂ loss@99 …"). Their nodes must be this cell's."""
        if field is not None and any(name not in field.nodes for name in self.strips):
            missing = sorted(name for name in self.strips if name not in field.nodes)
            raise ValueError(f"the gradient field lacks the nodes {missing} of the {self.graph.kind} diagram")
        self._field, self._field_note = field, note
        self.gradient_legend.set_field(field, note)
        self._image_cache.clear()
        self._image_cache_t = -1
        if redraw:
            self.show_state(self._state)

    def moment(self, state: PlaybackState | None = None) -> StepMoment:
        """What is happening inside the step at ``state`` (the shown one if None), in this mode."""
        state = self._state if state is None else state
        if self._backward:
            return backward_moment(self.graph, state, self._levels, self._readers)
        return moment(self.graph, state, self._levels)

    # -- drawing a frame -------------------------------------------------------------------------
    def show_state(self, state: PlaybackState) -> None:
        """Set every item for this position; the picture depends only on (trace, state, settings)."""
        self._state = state
        trace = self._trace
        steps = trace.steps if trace is not None else 0
        t = min(max(state.t, 0), steps - 1) if steps else -1
        now = self.moment(state)
        if self._backward and (self._field is None or not self._field.reaches(t)):
            t = -1  # no gradient to show at this step: the strips wait, dashed
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
        # Backward, each gradient comes back from its wire's far end and all arrive together.
        reach: dict[str, float] = {}
        for source, target in now.travelling:
            reach[source] = max(reach.get(source, 0.0), self.routes[(source, target)].length)
        for key, packet in self.packets.items():
            fraction = now.travelling.get(key)
            if fraction is None or t < 0:
                packet.setVisible(False)
                continue
            route = self.routes[key]
            self._fill_strip(packet, key[0], t, hidden)
            packet.set_selection(selected)
            distance = (1.0 - fraction) * route.length if self._backward else fraction * reach[key[0]]
            self._place_packet(packet, route, distance)
            packet.setVisible(True)
        apply_walkthrough(self, state)

    def _colour_step(self, t: int) -> None:
        """Colour every strip's vector at step ``t`` (once per step; one pass per colour map)."""
        if self._trace is None or self._image_cache_t == t:
            return
        self._image_cache.clear()
        self._image_cache_t = t
        if self._backward:
            field = self._field
            if field is not None and field.reaches(t):
                names = list(self.strips)
                vectors = [field.magnitudes(name, t) for name in names]
                self._image_cache.update(zip(names, strip_images(vectors, field.colours), strict=True))
            return
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
        field = self._field if self._backward else None
        if self._backward and (field is None or not field.reaches(t)):
            if strip.image is not None:
                strip.set_vector(None, None, 0)
            return
        values = field.magnitudes(name, t) if field is not None else self._trace[name][t]
        image = self._image_cache.get(name)
        if image is None:
            image = strip_image(values, field.colours if field is not None else self._scales[name].colours)
            self._image_cache[name] = image
        if strip.image is not image:
            width = self.graph[name].width
            formats = MAGNITUDE_FORMATS if field is not None else VALUE_FORMATS
            strip.set_vector(values, image, hidden if width in ("h", "hx") else 0, formats)

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
        """Tooltip text for an item: name, formula, shape and a summary of the numbers at step t."""
        return describing.describe(self, item)

    def tooltip_at(self, scene_pos: QPointF) -> str:
        return describing.tooltip_at(self, scene_pos)

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
        return describing.item_node(self.itemAt(scene_pos, QTransform()))
