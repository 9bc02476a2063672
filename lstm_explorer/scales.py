"""One colour scale per quantity, read by the diagram and the heatmaps alike. Qt-free.

Bounded nodes keep the range their op guarantees (engine/ops.py): gates (σ, 1 − a gate) are drawn
0…1 on the sequential map, signed values (tanh and products of values in [−1, 1]) ±1 on the
diverging map. Unbounded nodes (the cell state, ReLU outputs, linear layers, the input) are drawn
on ±vmax, a "nice" number (1, 2, 5, 10, 20, 50 …) at or above the largest |value| their quantity
takes anywhere in the trace.

Which nodes show the same quantity, and so share one scale, follows from the graph:

* a recurrent input is the node it repeats one step later (C_{t−1} and C_t, h_{t−1} and h_t);
* the operands of a sum whose result is unbounded are that quantity too: f⊙C_{t−1} and i⊙C̃_t are
  both added into C_t, so the whole cell-state line reads on one scale and shows how much each
  term contributes (i⊙C̃_t is bounded, but drawn on ±1 beside a ±20 cell state it would look
  as large as the state);
* a gate times a value is the value's quantity (r ⊙ (W_hn h + b_hn));
* a concatenation is the quantity of its one unbounded part ([h_{t−1}, x_t] with x_t); with two
  (a ReLU RNN's h_{t−1} and x_t) it is a quantity of its own.

So an LSTM has four scales (gate 0…1, value ±1, input ±v, cell state ±v) and a GRU five.

The maxima are kept incrementally (:class:`ScaleTracker`): for each unbounded quantity, the running
maximum of |value| up to every step. An update from step k reads only steps k… (typing one
character: one step), so a keystroke's cost does not grow with the sequence length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from . import colormaps
from .engine.graph import CellGraph
from .engine.trace import Trace

#: The legend's names for the bounded ranges and for unbounded quantities by declared role.
GATE, VALUE = "gate", "value"
ROLE_QUANTITY = {"cell_state": "cell state", "hidden": "hidden state", "input": "input"}


def nice_vmax(value: float) -> float:
    """The colour-scale end for unbounded values: 1, 2, 5, 10, 20, 50 … at or above ``value``."""
    if not value > 1.0 or not math.isfinite(value):
        return 1.0
    exp = math.floor(math.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10**exp >= value:
            return m * 10**exp
    return 10.0 ** (exp + 1)


def _number(v: float) -> str:
    return f"{v:g}"


@dataclass(frozen=True)
class Scale:
    """How one quantity's values become colours: ``map_name`` over [low, high]."""

    quantity: str
    map_name: colormaps.MapName
    vmax: float = 1.0

    @property
    def low(self) -> float:
        return 0.0 if self.map_name == "sequential" else -self.vmax

    @property
    def high(self) -> float:
        return 1.0 if self.map_name == "sequential" else self.vmax

    @property
    def range_text(self) -> str:
        """``0…1`` or ``±20``."""
        if self.map_name == "sequential":
            return f"{_number(self.low)}…{_number(self.high)}"
        return f"±{_number(self.vmax)}"

    @property
    def text(self) -> str:
        """The legend's caption: ``gate 0…1``, ``value ±1``, ``cell state ±20``."""
        return f"{self.quantity} {self.range_text}"

    def end_labels(self) -> tuple[str, ...]:
        """The numbers written under a legend bar, left to right."""
        if self.map_name == "sequential":
            return (_number(self.low), _number(self.high))
        return (f"−{_number(self.vmax)}", "0", f"+{_number(self.vmax)}")

    def colours(self, values: object) -> np.ndarray:
        """RGBA uint8 of shape ``values.shape + (4,)``."""
        if self.map_name == "sequential":
            return colormaps.sequential(values)
        return colormaps.diverging(values, self.vmax)


@dataclass(frozen=True)
class ColourScales:
    """The scale of every node of one trace (what the views colour with)."""

    by_node: Mapping[str, Scale]
    #: The distinct scales in legend order: gate, value, then the unbounded quantities.
    order: tuple[str, ...]

    def __getitem__(self, name: str) -> Scale:
        return self.by_node[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_node

    def legend(self, names: Iterable[str] | None = None) -> tuple[Scale, ...]:
        """The distinct scales of ``names`` (every node if None), in legend order."""
        wanted = {self.by_node[n].quantity for n in (self.by_node if names is None else names)}
        scales = {s.quantity: s for s in self.by_node.values()}
        return tuple(scales[q] for q in self.order if q in wanted)


def quantities(graph: CellGraph) -> dict[str, str]:
    """Node name → the quantity it shows (``gate``, ``value``, or an unbounded quantity's name)."""
    parent = {n.name: n.name for n in graph.nodes}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    unbounded = {n.name for n in graph.nodes if graph.value_range(n.name) == "unbounded"}
    for prev, new in graph.recurrent:
        if new in unbounded:
            join(prev, new)
    for node in graph.nodes:
        if node.name not in unbounded:
            continue
        if node.op == "add":
            for source in node.inputs:
                join(source, node.name)
        elif node.op == "mul":
            for source in node.inputs:
                if graph.value_range(source) != "gate":
                    join(source, node.name)
        elif node.kind == "concat":
            parts = [source for source in node.inputs if source in unbounded]
            if len(parts) == 1:  # two unbounded parts are two quantities: the whole is its own
                join(parts[0], node.name)
    members: dict[str, list[str]] = {}
    for node in graph.nodes:
        if root(node.name) != node.name or node.name in unbounded:
            members.setdefault(root(node.name), []).append(node.name)
    names: dict[str, str] = {}
    for group in members.values():
        named = [ROLE_QUANTITY[graph[n].role] for n in group if graph[n].role in ROLE_QUANTITY]
        quantity = named[0] if named else _plain(graph[group[-1]].label)
        names.update((n, quantity) for n in group)
    for node in graph.nodes:
        if node.name not in names:
            names[node.name] = GATE if graph.value_range(node.name) == "gate" else VALUE
    return names


def _plain(label: str) -> str:
    """A graph label without its TeX braces: ``pre-activation of h̃_t``."""
    return label.replace("_{t-1}", "_t−1").replace("{", "").replace("}", "")


class ScaleTracker:
    """Keeps the colour scales of the trace on show, updated from the first changed step."""

    def __init__(self, graph: CellGraph) -> None:
        self.graph = graph
        self.quantity = quantities(graph)
        self._groups: dict[str, tuple[str, ...]] = {}
        for node in graph.nodes:
            q = self.quantity[node.name]
            if q not in (GATE, VALUE):
                self._groups[q] = (*self._groups.get(q, ()), node.name)
        # Per quantity: the running maximum of |value| over steps 0..t, at every t (grown by doubling).
        self._running = {q: np.zeros(0) for q in self._groups}
        self._steps = 0
        #: Values read by the last :meth:`update` (a work count for tests and benchmarks).
        self.scanned = 0

    def update(self, trace: Trace, changed_from: int = 0) -> ColourScales:
        """The scales of ``trace``, whose steps before ``changed_from`` equal the previous trace's."""
        if trace.graph is not self.graph and trace.graph != self.graph:
            raise ValueError(f"a {trace.graph.kind} trace cannot use the scales of a {self.graph.kind} cell")
        T = trace.steps
        k = max(0, min(int(changed_from), self._steps, T))
        self.scanned = 0
        for q, names in self._groups.items():
            running = self._running[q]
            if len(running) < T:
                grown = np.zeros(max(T, 2 * len(running)))
                grown[:k] = running[:k]
                self._running[q] = running = grown
            if k < T:
                step_max = np.zeros(T - k)
                for name in names:
                    fresh = trace[name][k:T]  # (T − k, width)
                    self.scanned += fresh.size
                    if fresh.size:  # fmax/fmin: NaN ignored, no |x| temporary
                        np.fmax(step_max, np.fmax.reduce(fresh, axis=1), out=step_max)
                        np.fmax(step_max, -np.fmin.reduce(fresh, axis=1), out=step_max)
                if k > 0:
                    step_max[0] = max(step_max[0], running[k - 1])
                running[k:T] = np.fmax.accumulate(step_max)
        self._steps = T
        return self.scales()

    def scales(self) -> ColourScales:
        T = self._steps
        vmax = {q: nice_vmax(float(self._running[q][T - 1])) if T else 1.0 for q in self._groups}
        return scales_with(self.graph, self.quantity, vmax)


def scales_with(graph: CellGraph, quantity: Mapping[str, str], vmax: Mapping[str, float]) -> ColourScales:
    """Scales from each node's quantity and each unbounded quantity's vmax."""
    by_node: dict[str, Scale] = {}
    for node in graph.nodes:
        q = quantity[node.name]
        if q == GATE:
            by_node[node.name] = Scale(GATE, "sequential")
        elif q == VALUE:
            by_node[node.name] = Scale(VALUE, "diverging")
        else:
            by_node[node.name] = Scale(q, "diverging", vmax.get(q, 1.0))
    order = [GATE, VALUE]
    order += [q for q in dict.fromkeys(quantity[n.name] for n in graph.nodes) if q not in (GATE, VALUE)]
    return ColourScales(by_node, tuple(order))


def initial_scales(graph: CellGraph) -> ColourScales:
    """The scales before any value is known: every unbounded quantity ±1."""
    return scales_with(graph, quantities(graph), {})


def scales_of(trace: Trace) -> ColourScales:
    """The scales of a whole trace, computed from scratch (reads every value once)."""
    return ScaleTracker(trace.graph).update(trace, 0)
