"""The Equations panel in the diagram's backward mode: for the selected unit, the gradient of the
target J with respect to every node of the step, as the diagram colours them
(``∂J/∂C_t[3] = 1.234e−02``), read from the document's node gradients; the rows of the phase the
backward walk is in are highlighted (the walk takes the cell's phases in reverse)."""

from __future__ import annotations

import numpy as np

from ..engine.graph import CellGraph, Node
from ..gradient_field import GradientField
from ..playback import PlaybackState
from .common import label_html, node_label


def walked_phase(graph: CellGraph, state: PlaybackState) -> int:
    """The cell's phase the backward walk is in at ``state`` (its phase p walks P − 1 − p)."""
    return len(graph.phases) - 1 - min(max(state.phase, 0), len(graph.phases) - 1)


def gradient_number(value: float) -> str:
    """Gradients span decades: three significant digits in scientific form, a true minus sign."""
    return f"{value:.3e}".replace("-", "−")


def _label(node: Node) -> str:
    label = label_html(node_label(node))
    return f"({label})" if " " in node_label(node) else label


def header_html(field: GradientField | None, note: str, graph: CellGraph, state: PlaybackState) -> str:
    """The second line of the panel's header: the phase walked, and what J is."""
    phase = graph.phases[walked_phase(graph, state)]
    line = f"<i>Backward, phase {state.phase + 1}: ← {label_html(phase.title)}</i>"
    if field is None:
        return f"{line} — {note or 'no gradients yet'}"
    line += f" — J = <code>{field.target}</code>, flowing back from step {field.anchor}"
    return f"{line} · {note}" if note else line


def rows_html(
    field: GradientField | None, note: str, graph: CellGraph, state: PlaybackState, unit: int, mark: str
) -> str:
    """The rows at ``state``'s step: ∂J/∂node[unit] for every node as wide as the hidden state, and
    ‖∂J/∂x_t‖ for the step's input, the phase walked marked with ``mark``; or one line saying why
    there are none."""
    t = state.t
    if field is None:
        return f"<tr><td><i>{note or 'no gradients yet'}</i></td></tr>"
    if t > field.anchor:
        return (
            f"<tr><td><i>No gradient reaches step {t}: it comes after the target's step {field.anchor}.</i></td></tr>"
        )
    if not field.reaches(t):
        return f"<tr><td><i>Step {t} is not recorded ({note}); it is asked for when you move there.</i></td></tr>"
    walked = {n.name for n in graph.nodes if n.phase == walked_phase(graph, state)}
    lines = []
    for node in graph.nodes:
        values = field.values(node.name, t) if node.name in field.nodes else None
        if values is None:
            continue
        if node.kind == "input" and node.width == "x":
            text = f"‖∂J/∂{_label(node)}‖ = <b>{gradient_number(float(np.linalg.norm(values)))}</b>"
        elif node.width == "h" and unit < len(values):
            text = f"∂J/∂{_label(node)}[{unit}] = <b>{gradient_number(float(values[unit]))}</b>"
        else:
            continue
        style = f" style='background:{mark};'" if node.name in walked else ""
        lines.append(f"<tr><td{style}>{text}</td></tr>")
    return "".join(lines)
