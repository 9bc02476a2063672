"""A recurrent network of one or more layers, each in one or two directions, in PyTorch layout.

Layer k > 0 reads layer k−1's output. With PyTorch that is both directions' hidden states
concatenated, forward first; a Keras ``Bidirectional`` layer may instead merge them by ``sum``,
``mul`` or ``ave`` (``merge_modes``), and a unidirectional Keras layer with ``go_backwards=True``
reads its input last step first and hands on its outputs in the order it computed them
(``backwards``). Layers may differ in hidden size (Keras ``LSTM(16)`` then ``LSTM(8)``).

A reverse-direction trace is kept in the order the cell processed the steps: its step 0 read the
last input. :meth:`RecurrentNetwork.outputs` turns traces into what the layer above reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .cells import CELL_KINDS, cell_graph
from .evaluate import CompiledCell
from .graph import CellGraph
from .interventions import Intervention, InterventionError, check_interventions, for_layer
from .trace import Trace
from .weights import LayerWeights, WeightsError, family_shapes, suffix

_LAYER_KEY = re.compile(r"^(?P<family>[a-z_]+?)_l(?P<layer>\d+)(?P<reverse>_reverse)?$")

#: Rows per hidden unit of ``weight_hh`` for each PyTorch-shaped family of cells.
_GATES_TO_KIND = {1: "rnn", 3: "gru", 4: "lstm"}

#: How a bidirectional layer joins its two directions (Keras ``Bidirectional(merge_mode=…)``).
MERGE_MODES = ("concat", "sum", "mul", "ave")


def infer_kind(tensors: Mapping[str, np.ndarray]) -> str:
    """LSTM, GRU or RNN from the shape of ``weight_hh_l0``; peephole from its ``weight_ci`` tensors.

    Coupled-gate LSTMs have GRU-shaped tensors and cannot be told apart: name them explicitly.
    """
    if "weight_hr_l0" in tensors:  # whatever the kind: ignoring it would compute something else
        raise WeightsError("tensor weight_hr_l0: LSTMs with projections (proj_size) are not supported")
    if "weight_hh_l0" not in tensors:
        without = [k for k in CELL_KINDS if "weight_hh" not in family_shapes(cell_graph(k), 1, 1)]
        hint = f" (cells without it: {', '.join(without)}; name the kind with --cell)" if without else ""
        raise WeightsError(f"missing tensor weight_hh_l0: not a recurrent layer in PyTorch layout{hint}")
    shape = np.shape(tensors["weight_hh_l0"])
    if len(shape) != 2 or shape[1] == 0 or shape[0] % shape[1] or shape[0] // shape[1] not in _GATES_TO_KIND:
        raise WeightsError(
            f"tensor weight_hh_l0 has shape {tuple(shape)}; expected (H, H), (3H, H) or (4H, H) for an RNN, GRU or LSTM"
        )
    kind = _GATES_TO_KIND[shape[0] // shape[1]]
    if kind == "lstm" and "weight_ci_l0" in tensors:
        return "peephole"
    return kind


def merge_directions(mode: str, forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Both directions' hidden states in time order, (T, H) each, joined as ``mode`` says."""
    if mode == "concat":
        return np.concatenate([forward, backward], axis=1)
    if mode == "sum":
        return forward + backward
    if mode == "mul":
        return forward * backward
    if mode == "ave":
        return (forward + backward) / 2  # Keras: (y + y_rev) / 2
    raise WeightsError(f"merge mode {mode!r} is not one of {', '.join(MERGE_MODES)}")


@dataclass
class RecurrentNetwork:
    graph: CellGraph
    tensors: dict[str, np.ndarray]
    num_layers: int
    bidirectional: bool
    input_size: int
    #: Layer 0's hidden size; :attr:`hidden_sizes` has every layer's.
    hidden_size: int
    _layers: dict[tuple[int, bool], LayerWeights] = field(default_factory=dict, repr=False)
    #: Per layer: how its two directions are joined (``concat`` for unidirectional layers too).
    merge_modes: tuple[str, ...] = ()
    #: Per layer: True for a unidirectional layer that reads its input last step first (Keras go_backwards).
    backwards: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        self.merge_modes = tuple(self.merge_modes) or ("concat",) * self.num_layers
        self.backwards = tuple(self.backwards) or (False,) * self.num_layers

    @classmethod
    def from_tensors(
        cls,
        tensors: Mapping[str, np.ndarray],
        kind: str | None = None,
        *,
        merge_modes: Sequence[str] | None = None,
        backwards: Sequence[bool] | None = None,
    ) -> RecurrentNetwork:
        """Validate PyTorch-named tensors (``weight_ih_l0`` …) for cell ``kind`` (inferred if None)."""
        if "weight_hr_l0" in tensors:  # whatever the kind: ignoring it would compute something else
            raise WeightsError("tensor weight_hr_l0: LSTMs with projections (proj_size) are not supported")
        graph = cell_graph(kind or infer_kind(tensors))
        groups: dict[tuple[int, bool], dict[str, np.ndarray]] = {}
        for name, value in tensors.items():
            match = _LAYER_KEY.match(name)
            if match:
                key = (int(match["layer"]), bool(match["reverse"]))
                groups.setdefault(key, {})[match["family"]] = np.asarray(value)
        if not groups:
            raise WeightsError("no tensors named like weight_ih_l0 were found")
        num_layers = max(k for k, _ in groups) + 1
        bidirectional = any(r for _, r in groups)
        directions = (False, True) if bidirectional else (False,)
        modes = tuple(merge_modes or ("concat",) * num_layers)
        going_back = tuple(backwards or (False,) * num_layers)
        if len(modes) != num_layers or len(going_back) != num_layers:
            raise WeightsError(f"merge modes and directions are given for {len(modes)} layers, not {num_layers}")
        for k, mode in enumerate(modes):
            if mode not in MERGE_MODES:
                raise WeightsError(f"layer {k}: merge mode {mode!r} is not one of {', '.join(MERGE_MODES)}")
        if bidirectional and any(going_back):
            raise WeightsError("a layer that reads backwards inside a bidirectional network is not supported")
        built: dict[tuple[int, bool], LayerWeights] = {}
        expected_in: int | None = None  # layer 0: whatever its forward direction reads
        for k in range(num_layers):
            for reverse in directions:
                end = suffix(k, reverse)
                weights = LayerWeights.from_tensors(graph, groups.get((k, reverse), {}), where=end)
                if reverse and weights.hidden_size != built[(k, False)].hidden_size:
                    raise WeightsError(
                        f"tensor weight_hh{end} has hidden size {weights.hidden_size}, "
                        f"but the forward direction of layer {k} has {built[(k, False)].hidden_size}"
                    )
                if expected_in is not None and weights.input_size != expected_in:
                    raise WeightsError(
                        f"tensor weight_ih{end} has {weights.input_size} columns, expected {expected_in}"
                    )
                expected_in = weights.input_size
                built[(k, reverse)] = weights
            H = built[(k, False)].hidden_size
            expected_in = H * (len(directions) if modes[k] == "concat" else 1)
        full = {n + suffix(k, r): v for (k, r), w in built.items() for n, v in w.tensors.items()}
        first = built[(0, False)]
        return cls(
            graph, full, num_layers, bidirectional, first.input_size, first.hidden_size, built, modes, going_back
        )

    @property
    def kind(self) -> str:
        return self.graph.kind

    @property
    def directions(self) -> tuple[bool, ...]:
        return (False, True) if self.bidirectional else (False,)

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(self._layers[(k, False)].hidden_size for k in range(self.num_layers))

    def output_size(self, k: int) -> int:
        """Width of what layer ``k`` hands on: H·directions when concatenated, else H."""
        H = self._layers[(k, False)].hidden_size
        return H * len(self.directions) if self.merge_modes[k] == "concat" else H

    def prefix_stable(self, k: int, reverse: bool = False) -> bool:
        """Whether step t of layer ``k`` in this direction depends only on inputs 0..t: nothing on
        the way there reads the sequence backwards."""
        if reverse or self.backwards[k]:
            return False
        return k == 0 or not (self.bidirectional or any(self.backwards[:k]))

    def step_order_reversed(self, k: int, reverse: bool = False) -> bool:
        """Whether step 0 of this layer and direction's trace read the last input step.

        A reverse direction reads its layer's input backwards; a go_backwards layer does too and
        hands its outputs on in that order, so each one below flips the order again.
        """
        return reverse != (sum(self.backwards[: k + 1]) % 2 == 1)

    def layer(self, k: int, reverse: bool = False) -> LayerWeights:
        if (k, reverse) not in self._layers:
            where = f"layer {k}" + (" reverse" if reverse else "")
            raise ValueError(
                f"the network has no {where} (layers: {self.num_layers}, bidirectional: {self.bidirectional})"
            )
        return self._layers[(k, reverse)]

    def layer_input(self, X: np.ndarray, k: int, traces: Mapping[tuple[int, bool], Trace]) -> np.ndarray:
        """What layer ``k`` reads, in the order it is handed on: the input, or layer k−1's outputs."""
        if k == 0:
            return np.asarray(X, dtype=np.float64)
        return self.outputs(traces, k - 1)

    def merge_outputs(self, k: int, forward_h: np.ndarray, reverse_h: np.ndarray | None = None) -> np.ndarray:
        """Layer ``k``'s output from its directions' hidden states, each in the order computed.

        Forward states are handed on as computed (for a go_backwards layer that is last step
        first, as Keras does); reverse states are put back in time order, then merged.
        """
        if not self.bidirectional:
            return forward_h
        if reverse_h is None:
            raise ValueError(f"layer {k} is bidirectional: both directions' states are needed")
        return merge_directions(self.merge_modes[k], forward_h, reverse_h[::-1])

    def outputs(self, traces: Mapping[tuple[int, bool], Trace], k: int) -> np.ndarray:
        """Layer ``k``'s output as the layer above (or the readout) reads it: (T, output_size(k))."""
        h = self.graph.hidden_output
        reverse_h = traces[(k, True)][h] if self.bidirectional else None
        return self.merge_outputs(k, traces[(k, False)][h], reverse_h)

    def check_interventions(self, interventions: Sequence[Intervention], steps: int | None = None) -> None:
        """Raise InterventionError unless every intervention names a layer, direction, node, units
        and steps (of a ``steps``-long input) that exist."""
        for item in interventions:
            if (item.layer, item.reverse) not in self._layers:
                where = f"layer {item.layer}" + (" reverse" if item.reverse else "")
                raise InterventionError(
                    f"the network has no {where} (layers: {self.num_layers}, bidirectional: {self.bidirectional})"
                )
            weights = self._layers[(item.layer, item.reverse)]
            check_interventions([item], self.graph, weights.input_size, weights.hidden_size, steps)

    def run(
        self, X: np.ndarray, *, upto: int | None = None, interventions: Sequence[Intervention] = ()
    ) -> dict[tuple[int, bool], Trace]:
        """Traces of every layer and direction up to layer ``upto`` (all layers by default), with
        ``interventions`` held (each in its own layer and direction; layers above read the result)."""
        last = self.num_layers - 1 if upto is None else upto
        self.layer(last)  # validates the index
        self.check_interventions(interventions)  # steps past the end apply to none (a shorter input)
        traces: dict[tuple[int, bool], Trace] = {}
        for k in range(last + 1):
            inputs = self.layer_input(X, k, traces)
            for reverse in self.directions:
                seq = inputs[::-1] if reverse or self.backwards[k] else inputs
                cell = CompiledCell(self._layers[(k, reverse)])
                traces[(k, reverse)] = cell.run(seq, interventions=for_layer(interventions, k, reverse))
        return traces

    def trace(
        self, X: np.ndarray, layer: int = 0, reverse: bool = False, *, interventions: Sequence[Intervention] = ()
    ) -> Trace:
        """The trace of one layer and direction (the layers below it are computed as needed)."""
        self.layer(layer, reverse)
        return self.run(X, upto=layer, interventions=interventions)[(layer, reverse)]
