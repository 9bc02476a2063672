"""The unit finder: which unit of which node, layer and direction tracks a feature of the input?

For every unit of every computed node (the learned layers and pointwise operations; the inputs
``x``, ``h_prev``, ``c_prev`` and concatenations are the input and the previous step's ``h``/``c``,
not units of their own) of every layer and direction: Pearson's r with the feature, the unit's
mean, min and max over the steps and, for gates (the nodes the cell graph declares as gates), the
fraction of steps it is left-saturated (< 0.1) and right-saturated (> 0.9), as in Karpathy,
Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent Networks".

A reverse direction's trace is in the order the cell read the steps (its row j is time T−1−j):
the feature is reversed to match, rather than the (much larger) trace.

Vectorised and chunked: two passes over each node's (T, H) array, a chunk of steps at a time —
the first for sums, extremes and saturation counts, the second for the centred sums
Σ(a−ā)² and Σ(a−ā)(y−ȳ) (centring first keeps r accurate for units with a large mean and a small
spread, such as a gate near 1). Between chunks ``progress(done, total)`` is called and
``cancelled()`` asked, so the window can run it on a worker thread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..engine.graph import CellGraph
from ..engine.trace import Trace
from ..session import CancelledError
from .features import check_varies

#: Thresholds of Karpathy et al. (2015): a gate is left-saturated below, right-saturated above.
LEFT_SATURATED, RIGHT_SATURATED = 0.1, 0.9

CSV_COLUMNS = ("layer", "direction", "node", "unit", "r", "mean", "min", "max", "left_saturated", "right_saturated")

#: Steps per chunk: big enough that NumPy's per-call cost vanishes, small enough for ~10 progress
#: reports a second at 2 × 512 units.
CHUNK = 2048

Key = tuple[int, bool]


def gate_nodes(graph: CellGraph) -> tuple[str, ...]:
    """The gates of a cell, as its graph declares them (role ``gate``): values in (0, 1), such as
    the LSTM's i, f, o (the coupled LSTM's i = 1 − f too) and the GRU's r, z."""
    return graph.gates


def unit_nodes(graph: CellGraph) -> tuple[str, ...]:
    """The nodes whose units the finder ranks: every learned layer and pointwise operation."""
    return tuple(node.name for node in graph.nodes if node.kind in ("layer", "pointwise"))


@dataclass(frozen=True)
class UnitRow:
    layer: int
    reverse: bool
    node: str
    unit: int
    r: float
    mean: float
    min: float
    max: float
    left_saturated: float | None
    right_saturated: float | None

    @property
    def direction(self) -> str:
        return "backward" if self.reverse else "forward"

    @property
    def name(self) -> str:
        """``c[12]``, ``1:h[3]``, ``0r:f[5]``: as ``--set`` names it."""
        where = f"{self.layer}{'r' if self.reverse else ''}:" if self.layer or self.reverse else ""
        return f"{where}{self.node}[{self.unit}]"


@dataclass
class UnitTable:
    """One row per unit, as columns (the window's table sorts these arrays)."""

    feature: str
    layer: np.ndarray  # (N,) int
    reverse: np.ndarray  # (N,) bool
    node: np.ndarray  # (N,) str
    unit: np.ndarray  # (N,) int
    r: np.ndarray  # (N,) float; NaN where the unit is constant (r undefined)
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray
    left_saturated: np.ndarray  # (N,) float; NaN for nodes that are not gates
    right_saturated: np.ndarray

    def __len__(self) -> int:
        return len(self.r)

    def subset(self, mask: np.ndarray) -> UnitTable:
        """The rows where ``mask`` (N,) is true."""
        columns = ("layer", "reverse", "node", "unit", "r", "mean", "min", "max", "left_saturated", "right_saturated")
        return UnitTable(self.feature, **{name: getattr(self, name)[mask] for name in columns})

    def order(self) -> np.ndarray:
        """Row indices by |r|, strongest first; units with r undefined last."""
        strength = np.where(np.isnan(self.r), -1.0, np.abs(self.r))
        return np.argsort(-strength, kind="stable")

    def row(self, k: int) -> UnitRow:
        def saturation(values: np.ndarray) -> float | None:
            return None if np.isnan(values[k]) else float(values[k])

        return UnitRow(
            int(self.layer[k]),
            bool(self.reverse[k]),
            str(self.node[k]),
            int(self.unit[k]),
            float(self.r[k]),
            float(self.mean[k]),
            float(self.min[k]),
            float(self.max[k]),
            saturation(self.left_saturated),
            saturation(self.right_saturated),
        )

    def top(self, n: int) -> list[UnitRow]:
        return [self.row(int(k)) for k in self.order()[:n]]

    def rows(self) -> list[UnitRow]:
        """Every row, strongest |r| first."""
        return [self.row(int(k)) for k in self.order()]

    def csv_text(self) -> str:
        """Every row, strongest |r| first; ``r`` empty where undefined, saturation empty for non-gates."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)

        def number(value: float | None) -> str:
            return "" if value is None or np.isnan(value) else repr(float(value))

        for row in self.rows():
            writer.writerow(
                [
                    row.layer,
                    row.direction,
                    row.node,
                    row.unit,
                    number(row.r),
                    number(row.mean),
                    number(row.min),
                    number(row.max),
                    number(row.left_saturated),
                    number(row.right_saturated),
                ]
            )
        return out.getvalue()

    def write_csv(self, path: str | Path) -> Path:
        """Write :meth:`csv_text` atomically (a complete file or none)."""
        with atomic_path(path) as temp:
            temp.write_text(self.csv_text())
        return Path(path)


class _Sums:
    """Running per-unit sums of one node of one layer and direction over the chunks."""

    def __init__(self, width: int, gate: bool) -> None:
        self.total = np.zeros(width)
        self.low = np.full(width, np.inf)
        self.high = np.full(width, -np.inf)
        self.left = np.zeros(width) if gate else None
        self.right = np.zeros(width) if gate else None
        self.squares = np.zeros(width)  # Σ (a − ā)²
        self.cross = np.zeros(width)  # Σ (a − ā)(y − ȳ)

    def first_pass(self, chunk: np.ndarray) -> None:
        self.total += chunk.sum(axis=0)
        np.minimum(self.low, chunk.min(axis=0), out=self.low)
        np.maximum(self.high, chunk.max(axis=0), out=self.high)
        if self.left is not None and self.right is not None:
            self.left += np.count_nonzero(chunk < LEFT_SATURATED, axis=0)
            self.right += np.count_nonzero(chunk > RIGHT_SATURATED, axis=0)

    def second_pass(self, chunk: np.ndarray, mean: np.ndarray, y_centred: np.ndarray) -> None:
        centred = chunk - mean
        self.squares += np.einsum("tu,tu->u", centred, centred)
        self.cross += y_centred @ centred


def find_units(
    traces: Mapping[Key, Trace],
    feature: np.ndarray,
    *,
    spec: str = "feature",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk: int = CHUNK,
) -> UnitTable:
    """Correlate every unit of every layer and direction in ``traces`` with ``feature`` (T,), given
    in time order. Raises FeatureError if the feature is constant, CancelledError if ``cancelled()``."""
    y = np.asarray(feature, dtype=np.float64)
    check_varies(spec, y)
    keys = sorted(traces)
    T = len(y)
    for key in keys:
        if traces[key].steps != T:
            raise ValueError(f"layer {key[0]} has {traces[key].steps} steps, the feature {T}")
    y_centred = y - y.mean()
    y_norm = float(np.sqrt(y_centred @ y_centred))
    sums: dict[tuple[Key, str], _Sums] = {}
    for key in keys:
        graph = traces[key].graph
        gates = gate_nodes(graph)
        for name in unit_nodes(graph):
            sums[(key, name)] = _Sums(traces[key][name].shape[1], name in gates)
    total = 2 * T * len(keys)
    done = 0

    def advance(steps: int) -> None:
        nonlocal done
        done += steps
        if progress is not None:
            progress(done, total)
        if cancelled is not None and cancelled():
            raise CancelledError()

    means: dict[tuple[Key, str], np.ndarray] = {}
    for key in keys:
        trace = traces[key]
        for start in range(0, T, chunk):
            stop = min(start + chunk, T)
            for (k, name), s in sums.items():
                if k == key:
                    s.first_pass(trace[name][start:stop])
            advance(stop - start)
        for (k, name), s in sums.items():
            if k == key:
                means[(k, name)] = s.total / T
    for key in keys:
        trace = traces[key]
        # Row j of a reverse trace is time T−1−j: read the feature backwards instead of the trace.
        y_rows = y_centred[::-1] if key[1] else y_centred
        for start in range(0, T, chunk):
            stop = min(start + chunk, T)
            for (k, name), s in sums.items():
                if k == key:
                    s.second_pass(trace[name][start:stop], means[(k, name)], y_rows[start:stop])
            advance(stop - start)
    return _table(spec, sums, means, y_norm, T)


def _table(
    spec: str, sums: Mapping[tuple[Key, str], _Sums], means: Mapping[tuple[Key, str], np.ndarray], y_norm: float, T: int
) -> UnitTable:
    columns: dict[str, list[np.ndarray]] = {name: [] for name in CSV_COLUMNS if name != "direction"}
    columns["reverse"] = []
    for (key, name), s in sums.items():
        width = len(s.total)
        spread = np.sqrt(s.squares)
        with np.errstate(invalid="ignore", divide="ignore"):
            # A unit that never changes has no correlation (0/0): NaN, not ±inf or noise.
            r = np.where(spread > 0, s.cross / (spread * y_norm), np.nan)
        columns["layer"].append(np.full(width, key[0]))
        columns["reverse"].append(np.full(width, key[1]))
        columns["node"].append(np.full(width, name, dtype=object))
        columns["unit"].append(np.arange(width))
        columns["r"].append(np.clip(r, -1.0, 1.0))
        columns["mean"].append(means[(key, name)])
        columns["min"].append(s.low)
        columns["max"].append(s.high)
        nan = np.full(width, np.nan)
        columns["left_saturated"].append(nan if s.left is None else s.left / T)
        columns["right_saturated"].append(nan if s.right is None else s.right / T)
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    return UnitTable(feature=spec, **joined)
