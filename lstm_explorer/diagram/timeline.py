"""What is happening inside one step at a given position: a pure function of the playback state.

A phase's progress in [0, 1] is split evenly among its levels (a node's level is how many nodes of
the same phase it waits for: the cell update computes f ⊙ C and i ⊙ C̃ before their sum). Within a
level's slice the input vectors first travel along the wires (:data:`TRAVEL`), the node then lights
up while it computes (:data:`COMPUTE`), and for the rest of the slice it shows its output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..engine.graph import CellGraph
from ..playback import PlaybackState

TRAVEL = 0.6
COMPUTE = 0.25


class Status(Enum):
    PENDING = "pending"  # not reached yet in this step: no value to show
    RECEIVING = "receiving"  # its inputs are on their way along the wires
    COMPUTING = "computing"  # lit up
    DONE = "done"  # shows its output


@dataclass(frozen=True)
class StepMoment:
    """Node statuses and, for wires under way, how far along the vector has travelled (0..1)."""

    status: dict[str, Status]
    travelling: dict[tuple[str, str], float]
    phase: int


def levels(graph: CellGraph) -> dict[str, int]:
    """Per node: the depth of its chain of same-phase inputs (0 = needs nothing from its own phase)."""
    level: dict[str, int] = {}
    for node in graph.nodes:
        same_phase = [level[s] + 1 for s in node.inputs if graph[s].phase == node.phase]
        level[node.name] = max(same_phase, default=0)
    return level


def moment(graph: CellGraph, state: PlaybackState, node_levels: dict[str, int] | None = None) -> StepMoment:
    node_levels = node_levels if node_levels is not None else levels(graph)
    phase, progress = state.phase, min(max(state.progress, 0.0), 1.0)
    in_phase = [n for n in graph.nodes if n.phase == phase]
    count = max((node_levels[n.name] for n in in_phase), default=0) + 1
    status: dict[str, Status] = {}
    travelling: dict[tuple[str, str], float] = {}
    for node in graph.nodes:
        if node.phase < phase:
            status[node.name] = Status.DONE
            continue
        if node.phase > phase:
            status[node.name] = Status.PENDING
            continue
        start = node_levels[node.name] / count
        local = (progress - start) * count  # progress within this node's slice; may be <0 or >1
        if progress >= 1.0 or local >= TRAVEL + COMPUTE:
            status[node.name] = Status.DONE
        elif local >= TRAVEL:
            status[node.name] = Status.COMPUTING
        elif local >= 0.0 and node.inputs:
            status[node.name] = Status.RECEIVING
            for source in node.inputs:
                travelling[(source, node.name)] = local / TRAVEL
        elif local >= 0.0:
            status[node.name] = Status.DONE  # an input of the step: given, it simply appears
        else:
            status[node.name] = Status.PENDING
    return StepMoment(status, travelling, phase)
