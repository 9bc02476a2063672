"""The walk-through: the phase's explanation under the cell, and everything the phase does not
touch dimmed. Forward, a phase computes its nodes from the wires that feed them; backward, the
gradient comes back to its nodes along the wires they feed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGraphicsItem

from .items import readable

if TYPE_CHECKING:
    from ..playback import PlaybackState
    from .scene import DiagramScene

DIMMED = 0.22


def explanation(scene: DiagramScene, state: PlaybackState) -> tuple[str, str]:
    """(title, body) of the explanation panel at this position."""
    graph = scene.graph
    phases = len(graph.phases)
    shown = min(max(state.phase, 0), phases - 1)
    if not scene.backward:
        info = graph.phases[shown]
        title = f"t = {state.t} · phase {shown + 1} of {phases}: {readable(info.title)}"
        return title, readable(info.explanation)
    walked = phases - 1 - shown
    info = graph.phases[walked]
    field = scene.gradient_field
    target = field.target if field is not None else "the target"
    nodes = [n for n in graph.nodes if n.phase == walked]
    labels = ", ".join(readable(n.label) for n in nodes if n.kind != "concat" or len(nodes) == 1)
    title = f"t = {state.t} · backward, phase {shown + 1} of {phases}: {readable(info.title)}"
    body = (
        f"∂ {target} comes back to {labels} from everything they feed (on the cell-state line, through "
        "the forget gate's ×; on the hidden path, through the gates' weights), and flows on to their inputs. "
        f"Colour: |∂ {target} / ∂ node| on a log scale."
    )
    return title, body


def apply_walkthrough(scene: DiagramScene, state: PlaybackState) -> None:
    """Show the explanation and dim what the phase does not touch (or undim all when off)."""
    on = scene.walkthrough
    scene.explanation.setVisible(on)
    if on:
        scene.explanation.set_text(*explanation(scene, state))
    graph = scene.graph
    phase = scene.moment().phase  # the cell's phase being walked (forward or backward)
    active = {n.name for n in graph.nodes if n.phase == phase}
    if scene.backward:
        # Backward, the gradient reaches the phase's nodes from the nodes that read them.
        touching = {n.name for n in graph.nodes if any(s in active for s in n.inputs)}
        lit_wire = {key for key in scene.wire_items if key[0] in active}
    else:
        touching = {s for n in graph.nodes if n.phase == phase for s in n.inputs}
        lit_wire = {key for key in scene.wire_items if key[1] in active}

    def opacity(lit: bool) -> float:
        return 1.0 if not on or lit else DIMMED

    for name, item in scene.node_items.items():
        item.setOpacity(opacity(name in active))
    for key, wire in scene.wire_items.items():
        wire.setOpacity(opacity(key in lit_wire))
    for name, strip in scene.strips.items():
        strip.setOpacity(opacity(name in active or name in touching))
    for name, label in scene.labels.items():
        label.setOpacity(opacity(name in active or name in touching))
    exits_lit = scene.backward and any(e.node in active for e in scene.layout.exits)
    for exit_wire, e in zip(scene.exit_wires, scene.layout.exits, strict=True):
        exit_wire.setOpacity(opacity(exits_lit and e.node in active))
    others: list[QGraphicsItem] = [*scene.fork_items, *scene.input_wires]
    for other in others:
        other.setOpacity(opacity(False))
