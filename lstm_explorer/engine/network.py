"""A recurrent network of one or more layers, each in one or two directions, in PyTorch layout.

Layer k > 0 reads layer k−1's hidden states (both directions concatenated, forward first, as
PyTorch does). A reverse-direction trace is kept in the order the cell processed the steps:
its step 0 read the last input. :meth:`RecurrentNetwork.outputs` turns traces back into time order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .cells import cell_graph
from .evaluate import CompiledCell
from .graph import CellGraph
from .interventions import Intervention, InterventionError, check_interventions, for_layer
from .trace import Trace
from .weights import LayerWeights, WeightsError, suffix

_LAYER_KEY = re.compile(r"^(?P<family>[a-z_]+?)_l(?P<layer>\d+)(?P<reverse>_reverse)?$")

#: Rows per hidden unit of ``weight_hh`` for each PyTorch-shaped family of cells.
_GATES_TO_KIND = {1: "rnn", 3: "gru", 4: "lstm"}


def infer_kind(tensors: Mapping[str, np.ndarray]) -> str:
    """LSTM, GRU or RNN from the shape of ``weight_hh_l0``; peephole from its ``weight_ci`` tensors.

    Coupled-gate LSTMs have GRU-shaped tensors and cannot be told apart: name them explicitly.
    """
    if "weight_hh_l0" not in tensors:
        raise WeightsError("missing tensor weight_hh_l0: not a recurrent layer in PyTorch layout")
    shape = np.shape(tensors["weight_hh_l0"])
    if len(shape) != 2 or shape[0] % shape[1] or shape[0] // shape[1] not in _GATES_TO_KIND:
        raise WeightsError(
            f"tensor weight_hh_l0 has shape {tuple(shape)}; expected (H, H), (3H, H) or (4H, H) for an RNN, GRU or LSTM"
        )
    kind = _GATES_TO_KIND[shape[0] // shape[1]]
    if kind == "lstm" and "weight_ci_l0" in tensors:
        return "peephole"
    return kind


@dataclass
class RecurrentNetwork:
    graph: CellGraph
    tensors: dict[str, np.ndarray]
    num_layers: int
    bidirectional: bool
    input_size: int
    hidden_size: int
    _layers: dict[tuple[int, bool], LayerWeights] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tensors(cls, tensors: Mapping[str, np.ndarray], kind: str | None = None) -> RecurrentNetwork:
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
        built: dict[tuple[int, bool], LayerWeights] = {}
        for k in range(num_layers):
            for reverse in directions:
                end = suffix(k, reverse)
                weights = LayerWeights.from_tensors(graph, groups.get((k, reverse), {}), where=end)
                if built:
                    first = built[(0, False)]
                    if weights.hidden_size != first.hidden_size:
                        raise WeightsError(
                            f"tensor weight_hh{end} has hidden size {weights.hidden_size}, "
                            f"but layer 0 has {first.hidden_size}"
                        )
                    expected_in = first.input_size if k == 0 else first.hidden_size * len(directions)
                    if weights.input_size != expected_in:
                        raise WeightsError(
                            f"tensor weight_ih{end} has {weights.input_size} columns, expected {expected_in}"
                        )
                built[(k, reverse)] = weights
        full = {n + suffix(k, r): v for (k, r), w in built.items() for n, v in w.tensors.items()}
        first = built[(0, False)]
        return cls(graph, full, num_layers, bidirectional, first.input_size, first.hidden_size, built)

    @property
    def kind(self) -> str:
        return self.graph.kind

    @property
    def directions(self) -> tuple[bool, ...]:
        return (False, True) if self.bidirectional else (False,)

    def layer(self, k: int, reverse: bool = False) -> LayerWeights:
        if (k, reverse) not in self._layers:
            where = f"layer {k}" + (" reverse" if reverse else "")
            raise ValueError(
                f"the network has no {where} (layers: {self.num_layers}, bidirectional: {self.bidirectional})"
            )
        return self._layers[(k, reverse)]

    def layer_input(self, X: np.ndarray, k: int, traces: Mapping[tuple[int, bool], Trace]) -> np.ndarray:
        """What layer ``k`` reads, in time order: the input, or layer k−1's outputs."""
        if k == 0:
            return np.asarray(X, dtype=np.float64)
        return self.outputs(traces, k - 1)

    def outputs(self, traces: Mapping[tuple[int, bool], Trace], k: int) -> np.ndarray:
        """Layer ``k``'s hidden states in time order, directions concatenated: (T, H·directions)."""
        h = self.graph.hidden_output
        parts = [traces[(k, False)][h]]
        if self.bidirectional:
            parts.append(traces[(k, True)][h][::-1])
        return np.concatenate(parts, axis=1)

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
                seq = inputs[::-1] if reverse else inputs
                cell = CompiledCell(self._layers[(k, reverse)])
                traces[(k, reverse)] = cell.run(seq, interventions=for_layer(interventions, k, reverse))
        return traces

    def trace(
        self, X: np.ndarray, layer: int = 0, reverse: bool = False, *, interventions: Sequence[Intervention] = ()
    ) -> Trace:
        """The trace of one layer and direction (the layers below it are computed as needed)."""
        self.layer(layer, reverse)
        return self.run(X, upto=layer, interventions=interventions)[(layer, reverse)]
