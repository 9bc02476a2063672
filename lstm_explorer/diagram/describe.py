"""What hovering the diagram says: a node's name, formula, shape and the numbers at step t — the
values it computed, or in the backward mode ∂target/∂node."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem

from ..engine.graph import Node
from .items import NodeItem, WireItem
from .strip_item import StripItem
from .timeline import Status

if TYPE_CHECKING:
    from .scene import DiagramScene

TOOLTIP_VALUES = 6


def describe(scene: DiagramScene, item: QGraphicsItem | None) -> str:
    """Tooltip text for an item: name, formula, shape and a summary of the numbers at step t."""
    name = item_node(item)
    if name is None:
        return ""
    node = scene.graph[name]
    lines = [f"{name}: {node.label}"]
    if isinstance(item, WireItem) and item.route.target and item.route.target != name:
        lines[0] = f"{name} → {item.route.target}: {node.label}"
    lines.append(node.formula or default_formula(node))
    trace = scene.trace
    if trace is None or not trace.steps:
        lines.append("no sequence yet")
        return "\n".join(lines)
    t = min(max(scene.state.t, 0), trace.steps - 1)
    status = scene.moment().status[name]
    field = scene.gradient_field
    if scene.backward:
        if field is None or name not in field.nodes:
            return "\n".join([*lines, "gradients: computing…"])
        if not field.reaches(t):
            return "\n".join([*lines, f"∂ {field.target} / ∂ {name}: none reaches t = {t} (after the target's step)"])
        values = field.nodes[name][t]
        note = "" if status == Status.DONE else " (not reached yet at this phase)"
        lines.append(f"∂ {field.target} / ∂ {name}, shape ({len(values)},) at t = {t}{note}")
        lines.append(_summary(values, "{:+.3e}"))
        norm = float(np.linalg.norm(values))
        lines.append(f"‖·‖ {norm:.3e}   max |·| {np.abs(values).max():.3e}")
        return "\n".join(lines)
    values = trace[name][t]
    note = "" if status == Status.DONE else " (not yet computed at this phase)"
    lines.append(f"shape ({len(values)},) at t = {t}{note}")
    lines.append(_summary(values, "{:+.4f}"))
    lines.append(f"min {values.min():+.4f}   max {values.max():+.4f}   mean {values.mean():+.4f}")
    return "\n".join(lines)


def _summary(values: np.ndarray, number: str) -> str:
    first = ", ".join(number.format(v) for v in values[:TOOLTIP_VALUES])
    more = ", …" if len(values) > TOOLTIP_VALUES else ""
    return f"values [{first}{more}]"


def tooltip_at(scene: DiagramScene, scene_pos: QPointF) -> str:
    for item in scene.items(scene_pos):
        text = describe(scene, item)
        if text and item.isVisible():
            if isinstance(item, StripItem) and item.values is not None:
                text += "\n" + cell_line(item, item.mapFromScene(scene_pos).x(), scene.backward)
            return text
    return ""


def cell_line(strip: StripItem, local_x: float, magnitude: bool = False) -> str:
    """The number under the pointer: ``unit 3 = +0.1234`` (or ``x[1]`` in the input part of [h, x]);
    a gradient's magnitude in the backward mode."""
    index = strip.index_at(local_x)
    assert index is not None and strip.values is not None
    value = strip.values[index]
    text = f"|∂| = {value:.4e}" if magnitude else f"= {value:+.6f}"
    if index < strip.hidden_units:
        return f"unit {index} {text}"
    return f"x[{index - strip.hidden_units}] {text}"


def item_node(item: QGraphicsItem | None) -> str | None:
    if isinstance(item, NodeItem):
        return item.node_name
    if isinstance(item, StripItem):
        return item.owner
    if isinstance(item, WireItem):
        return item.route.source
    return None


def default_formula(node: Node) -> str:
    if node.kind == "input":
        return f"{node.label}: input of this step"
    if node.kind == "concat":
        return f"{node.label}: concatenation"
    return node.label
