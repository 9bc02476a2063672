"""Interventions: hold some units of one node at a value over a range of steps.

Semantics (every forward path honours them the same way): at each step in the range, right after
the node is computed, its chosen units are replaced by the value; every node downstream in that
step and in later steps reads the replaced value. So ``c[3]=0`` also changes h_t and the next
step's C_{t−1}, and ``f[*]=1`` makes an LSTM keep its whole cell state. Clamping an input node —
``x``, or the recurrent ``h_prev``/``c_prev`` — replaces what the cell reads at those steps (the
previous step's ``h`` itself, which the layer above read, is left as it was): ``h_prev[*]=0@10``
and ``c_prev[*]=0@10`` restart the cell from a zero state at step 10. Concatenations (``xh``:
drawn, never read by a layer) are refused by name: clamp what they join.

Steps count in the layer's own order, as its trace does: for a reverse direction step 0 is the one
that read the last input. A clamped unit no longer depends on what is upstream of it, so the
backward pass gives it zero upstream derivative.

Text form (``--set``): ``[LAYER[r]:]NODE[UNITS]=VALUE[@A:B]`` — see :func:`parse_intervention`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .graph import CellGraph


class InterventionError(ValueError):
    """An intervention that cannot apply: malformed, unknown node, unit or step out of range."""


@dataclass(frozen=True)
class Intervention:
    """Units ``units`` of ``node`` (None: all) held at ``value`` at steps ``steps`` (None: all),
    in layer ``layer``, direction ``reverse``."""

    node: str
    units: tuple[int, ...] | None = None
    value: float = 0.0
    steps: range | None = None
    layer: int = 0
    reverse: bool = False

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise InterventionError(f"{self.node}: the value must be a finite number, not {self.value}")
        if self.units is not None and not self.units:
            raise InterventionError(f"{self.node}: no units chosen")
        if self.steps is not None and (self.steps.step != 1 or self.steps.start < 0 or len(self.steps) == 0):
            raise InterventionError(f"{self.node}: the steps must be a non-empty range A:B with 0 ≤ A < B")

    @property
    def first_step(self) -> int:
        """The first step whose values it changes (in the layer's own step order)."""
        return 0 if self.steps is None else self.steps.start

    def covers(self, layer: int, reverse: bool) -> bool:
        return self.layer == layer and self.reverse == reverse

    def index(self) -> slice | np.ndarray:
        """The chosen units as an index: a slice when they are contiguous (a view, not a copy)."""
        if self.units is None:
            return slice(None)
        first, last = self.units[0], self.units[-1]
        if list(self.units) == list(range(first, last + 1)):
            return slice(first, last + 1)
        return np.asarray(self.units, dtype=np.intp)

    def local_steps(self, offset: int, T: int) -> range:
        """The steps it covers in a run of ``T`` steps whose first step is ``offset``, as 0-based rows."""
        whole = range(0, offset + T) if self.steps is None else self.steps
        return range(max(whole.start, offset) - offset, min(whole.stop, offset + T) - offset)

    def describe(self) -> str:
        return format_intervention(self)


def clampable(graph: CellGraph, name: str) -> None:
    """Raise InterventionError unless ``name`` is a node of ``graph`` that can be clamped."""
    if name not in graph:
        raise InterventionError(f"unknown node {name!r}; the {graph.kind} cell has {', '.join(graph.names)}")
    node = graph[name]
    if node.kind == "concat":
        raise InterventionError(
            f"{name} is the concatenation [{', '.join(node.inputs)}], drawn but not read by any layer; "
            f"clamp {' or '.join(node.inputs)} instead"
        )


def check_interventions(
    interventions: Iterable[Intervention], graph: CellGraph, input_size: int, hidden_size: int, steps: int | None
) -> None:
    """Every intervention names a clampable node, units inside its width and steps inside the run."""
    for item in interventions:
        clampable(graph, item.node)
        width = graph.width(item.node, input_size, hidden_size)
        if item.units is not None:
            bad = [u for u in item.units if not 0 <= u < width]
            if bad:
                raise InterventionError(
                    f"unit {bad[0]} of {item.node} out of range; {item.node} has {width} units, numbered from 0"
                )
        if steps is not None and item.steps is not None and item.steps.stop > steps:
            raise InterventionError(
                f"steps {item.steps.start}:{item.steps.stop} out of range; the input has {steps} steps, numbered from 0"
            )


def for_layer(interventions: Iterable[Intervention], layer: int, reverse: bool) -> tuple[Intervention, ...]:
    return tuple(item for item in interventions if item.covers(layer, reverse))


def segments(interventions: Sequence[Intervention], offset: int, T: int) -> list[tuple[int, int, tuple[int, ...]]]:
    """Split rows 0..T−1 of a run starting at ``offset`` where the set of active interventions
    changes: [(start, stop, indices of the interventions active on those rows)]."""
    local = [item.local_steps(offset, T) for item in interventions]
    cuts = sorted({0, T} | {b for r in local for b in (r.start, r.stop) if 0 < b < T and len(r)})
    result = []
    for start, stop in itertools.pairwise(cuts):
        active = tuple(k for k, r in enumerate(local) if r.start <= start < r.stop)
        result.append((start, stop, active))
    return result


def active_at(interventions: Iterable[Intervention], t: int) -> list[Intervention]:
    """The interventions that apply at step ``t``."""
    return [item for item in interventions if item.steps is None or t in item.steps]


def clamped(name: str, value: np.ndarray, clamps: Iterable[Intervention]) -> np.ndarray:
    """``value`` of node ``name`` (a vector, or (B, H) rows of a batch) with the clamps on it applied
    (a copy when any applies)."""
    for item in clamps:
        if item.node == name:
            value = value.copy()
            value[..., item.index()] = item.value
    return value


def held_zero(name: str, gradient: np.ndarray, clamps: Iterable[Intervention]) -> np.ndarray:
    """The derivative flowing upstream from node ``name``: zero on the units held at this step."""
    for item in clamps:
        if item.node == name:
            gradient = gradient.copy()
            gradient[..., item.index()] = 0.0
    return gradient


def clamp_rows(array: np.ndarray, interventions: Iterable[Intervention], offset: int = 0) -> np.ndarray:
    """A copy of ``array`` (T, width) or (T, B, width) with every intervention applied to its rows."""
    result = np.array(array, dtype=np.float64)
    for item in interventions:
        rows = item.local_steps(offset, len(result))
        result[rows.start : rows.stop, ..., item.index()] = item.value
    return result


# --- text form ----------------------------------------------------------------------------------

_SET = re.compile(
    r"""^(?:(?P<layer>\d+)(?P<reverse>r?):)?      # optional layer, 'r' for the reverse direction
        (?P<node>[A-Za-z_]\w*)\[(?P<units>[^\]]*)\]
        =(?P<value>[^@]+)
        (?:@(?P<steps>.*))?$""",
    re.VERBOSE,
)

SET_SYNTAX = "[LAYER[r]:]NODE[UNITS]=VALUE[@A:B], e.g. c[3]=0, f[*]=1@10:20, 1:h[0,4]=0.5, 0r:o[2:6]=1"


def _integer(text: str, what: str, where: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InterventionError(f"{where}: {what} {text.strip()!r} is not a whole number") from None


def _units(text: str, where: str) -> tuple[int, ...] | None:
    text = text.strip()
    if text == "*":
        return None
    if not text:
        raise InterventionError(f"{where}: no units between the brackets; give an index, a:b, a list 3,7 or *")
    units: list[int] = []
    for part in text.split(","):
        if ":" in part:
            a, b = part.split(":", 1)
            start, stop = _integer(a, "unit", where), _integer(b, "unit", where)
            if start < 0 or stop <= start:
                raise InterventionError(f"{where}: unit range {part.strip()!r} is empty or negative")
            units.extend(range(start, stop))
        else:
            unit = _integer(part, "unit", where)
            if unit < 0:
                raise InterventionError(f"{where}: unit {unit} is negative")
            units.append(unit)
    return tuple(sorted(set(units)))


def _steps(text: str | None, total: int, where: str) -> range | None:
    """``A:B`` (either end optional), or ``A`` alone; negative numbers count from the end."""
    if text is None:
        return None
    text = text.strip()
    if ":" in text:
        a, b = text.split(":", 1)
        start = _integer(a, "step", where) if a.strip() else 0
        stop = _integer(b, "step", where) if b.strip() else total
    else:
        start = _integer(text, "step", where)
        stop = start + 1 if start != -1 else total
    start = start + total if start < 0 else start
    stop = stop + total if stop < 0 else stop
    if not 0 <= start < stop <= total:
        raise InterventionError(f"{where}: steps {text} out of range; the input has {total} steps, numbered from 0")
    return range(start, stop)


def parse_intervention(text: str, total_steps: int) -> Intervention:
    """``[LAYER[r]:]NODE[UNITS]=VALUE[@A:B]`` for a sequence of ``total_steps`` steps.

    LAYER defaults to 0, ``r`` picks the reverse direction; UNITS is an index, ``a:b`` (a to b−1),
    a list ``3,7`` (items may be ranges) or ``*``; ``@A:B`` limits it to steps A to B−1 (either end
    optional, negative numbers count from the end; ``@A`` is step A alone). Node names and unit
    counts are checked against the model by :func:`check_interventions`.
    """
    where = f"--set {text}"
    match = _SET.match(text.replace(" ", ""))
    if match is None:
        raise InterventionError(f"{where}: expected {SET_SYNTAX}")
    try:
        value = float(match["value"])
    except ValueError:
        raise InterventionError(f"{where}: value {match['value']!r} is not a number") from None
    if not math.isfinite(value):
        raise InterventionError(f"{where}: the value must be finite")
    return Intervention(
        node=match["node"],
        units=_units(match["units"], where),
        value=value,
        steps=_steps(match["steps"], total_steps, where),
        layer=int(match["layer"] or 0),
        reverse=bool(match["reverse"]),
    )


def format_intervention(item: Intervention) -> str:
    """The text form of an intervention (parses back to the same one)."""
    where = f"{item.layer}{'r' if item.reverse else ''}:" if item.layer or item.reverse else ""
    units = "*" if item.units is None else ",".join(str(u) for u in item.units)
    steps = "" if item.steps is None else f"@{item.steps.start}:{item.steps.stop}"
    return f"{where}{item.node}[{units}]={item.value!r}{steps}"


# --- the fast path's clamps ---------------------------------------------------------------------

Op = tuple[Callable[..., Any], tuple[Any, ...]]


def with_clamps(
    ops: Sequence[Op], final_at: Mapping[str, int], views: Mapping[str, np.ndarray], clamps: Sequence[Intervention]
) -> list[Op]:
    """A compiled cell's op list with one in-place copy per clamp, inserted where its node is final.

    ``final_at[name]`` is the index in ``ops`` before which node ``name`` holds its value for the
    step; ``views[name]`` is its (H,) part of the row the ops write.
    """
    inserts: dict[int, list[Op]] = {}
    for item in clamps:
        index = item.index()
        view = views[item.node]
        if isinstance(index, slice):  # contiguous units: a view, copy the value in
            dest = view[index]
            op: Op = (np.copyto, (dest, np.full(dest.size, item.value)))
        else:
            op = (view.put, (index, np.full(len(index), item.value)))
        inserts.setdefault(final_at[item.node], []).append(op)
    result: list[Op] = []
    for k, op in enumerate(ops):
        result += inserts.get(k, [])
        result.append(op)
    result += inserts.get(len(ops), [])
    return result
