"""What is happening inside one step at a given position: a pure function of the playback state.

A phase's progress in [0, 1] is split evenly among its levels (a node's level is how many nodes of
the same phase it waits for: the cell update computes f ⊙ C and i ⊙ C̃ before their sum). Within a
level's slice the input vectors first travel along the wires (:data:`TRAVEL`), the node then lights
up while it computes (:data:`COMPUTE`), and for the rest of the slice it shows its output.

The backward walk (:func:`backward_moment`) is the same clock run the other way: the phases in
reverse order, each phase's levels from the last to the first, and a node's slice begins with the
gradient travelling back to it along the wires it feeds (from its consumers), after which the node
lights up and then shows ∂target/∂node. A node's gradient is complete when its slice comes: every
node that reads it lies in a later phase or a higher level of its own, so has been walked already.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def consumers(graph: CellGraph) -> dict[str, tuple[str, ...]]:
    """Per node: the nodes that read it (the wires it feeds), in graph order."""
    readers: dict[str, tuple[str, ...]] = {n.name: () for n in graph.nodes}
    for node in graph.nodes:
        for source in node.inputs:
            readers[source] = (*readers[source], node.name)
    return readers


def backward_moment(
    graph: CellGraph,
    state: PlaybackState,
    node_levels: Mapping[str, int] | None = None,
    readers: Mapping[str, tuple[str, ...]] | None = None,
) -> StepMoment:
    """The backward walk at this position: the playback's phase ``p`` walks the cell's phase
    P − 1 − p. ``readers``: per node, the wires its gradient comes back along (its consumers, and
    any exits the caller names, such as h_t's); ``travelling`` keys are (node, reader) and the
    fraction is how far the gradient has come back from the reader (0) to the node (1)."""
    node_levels = node_levels if node_levels is not None else levels(graph)
    readers = readers if readers is not None else consumers(graph)
    walked = len(graph.phases) - 1 - state.phase
    progress = min(max(state.progress, 0.0), 1.0)
    in_phase = [n for n in graph.nodes if n.phase == walked]
    deepest = max((node_levels[n.name] for n in in_phase), default=0)
    count = deepest + 1
    status: dict[str, Status] = {}
    travelling: dict[tuple[str, str], float] = {}
    for node in graph.nodes:
        if node.phase != walked:
            status[node.name] = Status.DONE if node.phase > walked else Status.PENDING
            continue
        start = (deepest - node_levels[node.name]) / count  # the last level is walked first
        local = (progress - start) * count
        if progress >= 1.0 or local >= TRAVEL + COMPUTE:
            status[node.name] = Status.DONE
        elif local >= TRAVEL:
            status[node.name] = Status.COMPUTING
        elif local >= 0.0 and readers[node.name]:
            status[node.name] = Status.RECEIVING
            for reader in readers[node.name]:
                travelling[(node.name, reader)] = local / TRAVEL
        elif local >= 0.0:
            status[node.name] = Status.DONE  # read by nothing: no gradient flows into it
        else:
            status[node.name] = Status.PENDING
    return StepMoment(status, travelling, walked)
