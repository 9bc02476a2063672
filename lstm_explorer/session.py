"""Incremental recompute: the traces of every layer and direction for the input being edited.

Typing appends or changes a few steps; recomputing the whole sequence on every keystroke would cost
O(T) per key. A :class:`Session` keeps the traces of the current input in growable buffers and,
given a new input, recomputes only from the first step that changed: the prefix's state is read
from the buffers and the cell continues from there (``CompiledCell.run(X[k:], state_at_k)``).

Exactness: the result equals a full :meth:`RecurrentNetwork.run` bit for bit, by construction: the
engine computes the input projection of step t in the fixed-shape block of steps that contains t
(``evaluate.PROJECTION_BLOCK``), and a continued run passes its starting step as ``offset``, so every
row goes through the same BLAS kernel with the same operands whichever run computes it.

What is incremental: every layer of a one-directional stack (layer k+1 reads layer k's outputs,
which change from the same step). A bidirectional network's reverse directions read the sequence
from its end, so any edit changes all of their steps: they, and every layer above the first, are
recomputed in full; only layer 0's forward direction is incremental there.

Buffers are shared: a trace returned by :meth:`Session.update` with ``in_place=True`` is a view that
the next in-place update may overwrite. The app shows one input at a time, so that is what it uses
on the GUI thread; work done on another thread passes ``in_place=False`` and gets fresh buffers.

No Qt here: the window runs long recomputes on a worker thread with ``progress`` and ``cancelled``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .engine.evaluate import CompiledCell
from .engine.graph import CellGraph
from .engine.interventions import Intervention, clamp_rows, for_layer
from .engine.network import RecurrentNetwork
from .engine.trace import Trace

Key = tuple[int, bool]  # (layer, reverse)

#: Most steps computed between two progress reports / cancellation checks.
CHUNK = 512
#: Longest a chunk should take (s): chunks shrink to this from the measured speed, so Cancel is
#: heard within ~50 ms also at H = 512 and beyond, where 512 steps take half a second.
CHUNK_SECONDS = 0.05


def headroom(steps: int) -> int:
    """Spare rows in new buffers, so that typing after a long paste does not copy them at once."""
    return max(256, steps // 8)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays start at the same address with the same layout (views of one buffer)."""
    return (
        a.dtype == b.dtype
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


class CancelledError(Exception):
    """The caller's ``cancelled()`` returned True; the session is unchanged."""


def _held_inputs(trace: Trace, held: Sequence[Intervention]) -> Trace:
    """``trace`` with held ``h_prev``/``c_prev`` units shown as the cell read them: the store keeps
    one buffer for ``h`` and ``h_prev`` (shifted by a row), which holds the unheld value."""
    inputs = [item for item in held if item.node in dict(trace.graph.recurrent)]
    if not inputs:
        return trace
    arrays = dict(trace)
    for name in {item.node for item in inputs}:
        arrays[name] = clamp_rows(trace[name], [item for item in inputs if item.node == name])
    return Trace(trace.graph, arrays)


class _Store:
    """Growable buffers for one layer and direction: node name → (capacity, width).

    A recurrent pair (``h_prev`` → ``h``) shares one buffer with one extra leading row holding the
    initial state: ``h = buf[1:T+1]`` and ``h_prev = buf[0:T]``, so neither is copied.
    """

    def __init__(self, graph: CellGraph, input_size: int, hidden_size: int, capacity: int) -> None:
        self.graph = graph
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.capacity = capacity
        self.steps = 0
        self.prev_of = {new: prev for prev, new in graph.recurrent}
        self.new_of = {prev: new for prev, new in graph.recurrent}
        self.buffers: dict[str, np.ndarray] = {}
        for name in graph.names:
            if name in self.new_of:
                continue
            width = graph.width(name, input_size, hidden_size)
            extra = 1 if name in self.prev_of else 0
            self.buffers[name] = np.zeros((capacity + extra, width))

    def copy_prefix(self, steps: int, capacity: int) -> _Store:
        """A new store holding this one's first ``steps`` steps, room for ``capacity``."""
        other = _Store(self.graph, self.input_size, self.hidden_size, capacity)
        for name, buf in self.buffers.items():
            rows = steps + (1 if name in self.prev_of else 0)
            other.buffers[name][:rows] = buf[:rows]
        other.steps = steps
        return other

    def state_at(self, k: int) -> dict[str, np.ndarray]:
        """The recurrent state entering step ``k`` (keyed ``h_prev``/``c_prev``)."""
        return {prev: self.buffers[new][k].copy() for prev, new in self.graph.recurrent}

    def write(self, k: int, chunk: Trace) -> None:
        n = chunk.steps
        for name, buf in self.buffers.items():
            if name in self.prev_of:
                buf[1 + k : 1 + k + n] = chunk[name]
            else:
                buf[k : k + n] = chunk[name]

    def array(self, name: str, steps: int) -> np.ndarray:
        if name in self.new_of:
            return self.buffers[self.new_of[name]][0:steps]
        if name in self.prev_of:
            return self.buffers[name][1 : steps + 1]
        return self.buffers[name][:steps]

    def trace(self, steps: int) -> Trace:
        return Trace(self.graph, {name: self.array(name, steps) for name in self.graph.names})

    def h(self, start: int, stop: int) -> np.ndarray:
        return self.buffers[self.graph.hidden_output][1 + start : 1 + stop]


@dataclass
class Update:
    """What one update did: the traces now shown and the first step whose values changed (the
    input's or the held units'; in time order)."""

    traces: dict[Key, Trace]
    first_changed: int
    computed_steps: int
    seconds: float = 0.0
    _stores: dict[Key, _Store] = field(default_factory=dict, repr=False)
    _X: np.ndarray | None = field(default=None, repr=False)
    _interventions: tuple[Intervention, ...] = field(default=(), repr=False)


class Session:
    """The current input and the traces of every layer and direction for it."""

    def __init__(self, network: RecurrentNetwork) -> None:
        self.network = network
        self._cells = {
            (k, r): CompiledCell(network.layer(k, r)) for k in range(network.num_layers) for r in network.directions
        }
        self._X = np.zeros((0, network.input_size))
        self._stores: dict[Key, _Store] = {}
        self.traces: dict[Key, Trace] = {}
        self._first_change_memo: tuple[np.ndarray, np.ndarray, int] | None = None
        #: Units held at a value (see engine/interventions.py); change them through :meth:`compute`.
        self.interventions: tuple[Intervention, ...] = ()
        #: Measured cost of one step of the whole network, to decide what may run on the GUI thread.
        # Python overhead grows with the graph (~H/64 µs), the products with H² (~1.5 ns per H², fitted
        # at H = 512 and 1024: a 40-step input of a 1024-unit model is no GUI-thread work).
        H = network.hidden_size
        per_layer = max(2e-6 * (1 + H / 64), 1.5e-9 * H * H)
        self.seconds_per_step = per_layer * network.num_layers * len(network.directions)

    @property
    def X(self) -> np.ndarray:
        return self._X

    @property
    def steps(self) -> int:
        return int(self._X.shape[0])

    def first_change(self, X: np.ndarray) -> int:
        """The first step where ``X`` differs from the current input (its length if none does)."""
        memo = self._first_change_memo
        if memo is not None and memo[0] is X and memo[1] is self._X:
            return memo[2]  # asked again for the same pair (estimate, then compute)
        k = self._first_change(X)
        self._first_change_memo = (X, self._X, k)
        return k

    def _first_change(self, X: np.ndarray) -> int:
        old = self._X
        n = min(len(old), len(X))
        if n == 0:
            return 0
        if _same_memory(old, X):
            return n  # the editor's input grew in place: the first n rows are the very same memory
        differs = np.any(old[:n] != X[:n], axis=1)
        hit = int(np.argmax(differs))
        return hit if differs[hit] else n

    def _start(self, key: Key, k: int, interventions: Sequence[Intervention] | None = None) -> int:
        layer, reverse = key
        if not self.network.prefix_stable(layer, reverse):  # a step there depends on later inputs
            return 0
        held = self.first_affected(interventions, key) if interventions is not None else None
        return k if held is None else min(k, held)

    def first_affected(self, interventions: Sequence[Intervention], key: Key | None = None) -> int | None:
        """The first step whose values change when the held units become ``interventions``
        (None: no step changes), in layer and direction ``key`` or, by default, anywhere.

        A change in layer k changes layer k from its first step on and every layer above it from
        the same step (they read its outputs); layers below do not change. Steps of a reverse
        direction run backwards in time, so a change there is taken to affect everything."""
        changed = set(self.interventions) ^ set(interventions)
        if key is not None:
            changed = {item for item in changed if item.layer < key[0] or item.covers(*key)}
        steps = [0 if item.reverse else item.first_step for item in changed]
        return min(steps) if steps else None

    def steps_to_compute(self, X: np.ndarray, interventions: Sequence[Intervention] | None = None) -> int:
        """How many cell steps an update to ``X`` (and to ``interventions``, if given) costs, summed
        over layers and directions."""
        T = len(X)
        k = self.first_change(X)
        held = None if interventions is None else self.first_affected(interventions)
        if k == T and self.steps == T and held is None:
            return 0
        return sum(T - self._start(key, k, interventions) for key in self._cells)

    def estimate_seconds(self, X: np.ndarray, interventions: Sequence[Intervention] | None = None) -> float:
        return self.steps_to_compute(X, interventions) * self.seconds_per_step / max(len(self._cells), 1)

    def compute(
        self,
        X: np.ndarray,
        *,
        in_place: bool = True,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        interventions: Sequence[Intervention] | None = None,
    ) -> Update:
        """Traces for ``X`` with ``interventions`` held (None: keep the current ones), recomputed
        from the first step that changes (:meth:`first_change`, :meth:`first_affected`). Does not
        change the session unless ``in_place`` (then call nothing else: :meth:`apply` is implied)."""
        began = time.perf_counter()
        if X.dtype != np.float64 or not X.flags.c_contiguous:
            X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.network.input_size:
            raise ValueError(f"input has shape {X.shape}, expected (T, {self.network.input_size})")
        T = len(X)
        held = tuple(self.interventions if interventions is None else interventions)
        self.network.check_interventions(held)  # steps past the input's end are allowed: typing may reach them
        k = self.first_change(X)
        total = self.steps_to_compute(X, held)
        done = 0
        net = self.network
        stores: dict[Key, _Store] = {}
        for layer in range(net.num_layers):
            for reverse in net.directions:
                key = (layer, reverse)
                start = self._start(key, k, held)
                own = for_layer(held, layer, reverse)
                old = self._stores.get(key)
                if old is not None and in_place and old.capacity >= T:
                    store = old
                elif old is not None and start > 0:
                    grow = T + headroom(T) if not in_place else max(T, 2 * old.capacity)
                    store = old.copy_prefix(start, grow)
                else:
                    weights = self._cells[key].weights
                    store = _Store(net.graph, weights.input_size, weights.hidden_size, T + headroom(T))
                stores[key] = store
                if start >= T and self.steps == T:
                    continue
                inputs = self._layer_input(X, layer, stores, T)
                seq = inputs[::-1] if reverse or net.backwards[layer] else inputs
                position = start
                chunk_steps = max(1, min(CHUNK, int(CHUNK_SECONDS / max(self.seconds_per_step, 1e-9))))
                while position < T:
                    if cancelled is not None and cancelled():
                        raise CancelledError()
                    stop = min(position + chunk_steps, T)
                    chunk_began = time.perf_counter()
                    state = store.state_at(position)
                    chunk = self._cells[key].run(seq[position:stop], state, offset=position, interventions=own)
                    store.write(position, chunk)
                    per_step = (time.perf_counter() - chunk_began) / (stop - position)
                    chunk_steps = max(1, min(CHUNK, int(CHUNK_SECONDS / max(per_step, 1e-9))))
                    done += stop - position
                    position = stop
                    if progress is not None:
                        progress(done, total)
                store.steps = T
        traces = {key: _held_inputs(store.trace(T), for_layer(held, *key)) for key, store in stores.items()}
        seconds = time.perf_counter() - began
        affected = self.first_affected(held)
        first = k if affected is None else min(k, affected)  # where the input or the held units change
        # A read-only input is kept as it is: its owner never changes it (the editor's GrowingRows);
        # copying a 100 000-step input on every keystroke took 50-100 ms of fresh pages.
        kept = X if not X.flags.writeable else X.copy()
        update = Update(traces, first, total, seconds, stores, kept, held)
        if in_place:
            self.apply(update)
        return update

    def _layer_input(self, X: np.ndarray, layer: int, stores: dict[Key, _Store], T: int) -> np.ndarray:
        if layer == 0:
            return X
        reverse_h = stores[(layer - 1, True)].h(0, T) if self.network.bidirectional else None
        return self.network.merge_outputs(layer - 1, stores[(layer - 1, False)].h(0, T), reverse_h)

    def apply(self, update: Update) -> None:
        """Make a computed update the current one (on the thread that owns the session)."""
        assert update._X is not None
        self._X = update._X
        self._stores = update._stores
        self.interventions = update._interventions
        self.traces = update.traces
        if update.computed_steps >= 64:
            per_step = update.seconds / max(update.computed_steps / max(len(self._cells), 1), 1)
            self.seconds_per_step = 0.5 * self.seconds_per_step + 0.5 * per_step

    def update(self, X: np.ndarray) -> Update:
        """Recompute for ``X`` on this thread, reusing the buffers."""
        return self.compute(X, in_place=True)

    def outputs(self, layer: int | None = None) -> np.ndarray:
        """Layer ``layer``'s (default: the top's) hidden states in time order, directions joined."""
        last = self.network.num_layers - 1 if layer is None else layer
        return self.network.outputs(self.traces, last)
