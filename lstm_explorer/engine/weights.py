"""Weights in PyTorch's names and layouts.

A whole model is a flat mapping of tensor names (``weight_ih_l0``, ``bias_hh_l1_reverse`` …) to
arrays, exactly what ``nn.LSTM.state_dict()`` holds. One layer in one direction is a
:class:`LayerWeights`: the same tensors with the ``_l{k}[_reverse]`` suffix removed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .graph import CellGraph

MATRICES = ("weight_ih", "weight_hh")
BIASES = ("bias_ih", "bias_hh")


class WeightsError(ValueError):
    """A weight tensor is missing or has the wrong shape."""


def suffix(layer: int, reverse: bool = False) -> str:
    return f"_l{layer}" + ("_reverse" if reverse else "")


def family_shapes(graph: CellGraph, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor family one layer of ``graph`` reads, from its layers' terms.

    Matrices and biases stack one block of rows per slot (``len(slots)·H`` rows); a matrix has as
    many columns as the node it multiplies is wide; diagonal terms (peepholes) are vectors (H,).
    """
    rows = len(graph.slots) * hidden_size
    shapes: dict[str, tuple[int, ...]] = {}
    for node in graph.layers:
        for term in node.terms:
            if not term.diagonal:
                shapes.setdefault(term.weight, (rows, graph.width(term.source, input_size, hidden_size)))
        for bias in node.biases:
            shapes.setdefault(bias, (rows,))
    for name in graph.vectors:
        shapes[name] = (hidden_size,)
    return shapes


def _sized_by(graph: CellGraph) -> tuple[str, str]:
    """(matrix family, what its size says): a matrix read from an H-wide node gives H as its
    column count; a cell with none (minGRU reads only x_t) gives it by its row count, len(slots)·H."""
    for node in graph.layers:
        for term in node.terms:
            if not term.diagonal and graph[term.source].width == "h":
                return term.weight, "columns"
    first = next(t for n in graph.layers for t in n.terms if not t.diagonal)
    return first.weight, "rows"


def hidden_size_of(graph: CellGraph, tensors: Mapping[str, np.ndarray], *, where: str = "") -> int:
    """H of one layer's tensors (suffix removed), read from the family that determines it."""
    family, by = _sized_by(graph)
    if family not in tensors:
        raise WeightsError(f"missing tensor {family}{where}")
    shape = np.shape(tensors[family])
    if not shape:
        raise WeightsError(f"tensor {family}{where} is a single number, expected a matrix")
    if by == "columns":
        return int(shape[-1])  # a wrong shape otherwise is reported when the shapes are checked
    if shape[0] % len(graph.slots):
        raise WeightsError(
            f"tensor {family}{where} has {shape[0]} rows, not a multiple of {len(graph.slots)} for a {graph.kind}"
        )
    return int(shape[0]) // len(graph.slots)


@dataclass(frozen=True)
class LayerWeights:
    """The tensors of one layer and direction, validated against the graph, as float64."""

    graph: CellGraph
    tensors: dict[str, np.ndarray]
    input_size: int
    hidden_size: int

    @classmethod
    def from_tensors(cls, graph: CellGraph, tensors: dict[str, np.ndarray], *, where: str = "") -> LayerWeights:
        hidden_size = hidden_size_of(graph, tensors, where=where)
        if "weight_ih" not in tensors:
            raise WeightsError(f"missing tensor weight_ih{where}")
        input_size = int(np.shape(tensors["weight_ih"])[-1])
        expected = family_shapes(graph, input_size, hidden_size)
        clean: dict[str, np.ndarray] = {}
        for name, shape in expected.items():
            if name not in tensors:
                if name in BIASES:  # PyTorch's bias=False: zero biases compute the same thing
                    clean[name] = np.zeros(shape)
                    continue
                raise WeightsError(f"missing tensor {name}{where}")
            value = np.asarray(tensors[name], dtype=np.float64)
            if value.shape != shape:
                raise WeightsError(
                    f"tensor {name}{where} has shape {value.shape}, expected {shape} "
                    f"for a {graph.kind} with input size {input_size} and hidden size {hidden_size}"
                )
            if not np.all(np.isfinite(value)):
                raise WeightsError(f"tensor {name}{where} contains NaN or infinity")
            clean[name] = value
        return cls(graph, clean, input_size, hidden_size)

    def block(self, family: str, slot: int) -> np.ndarray:
        """Rows of gate ``slot`` in a stacked family: (H, in) for matrices, (H,) for biases."""
        H = self.hidden_size
        return self.tensors[family][slot * H : (slot + 1) * H]


def init_weights(
    graph: CellGraph,
    input_size: int,
    hidden_size: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Seeded random weights as PyTorch initialises them: every tensor U(−1/√H, 1/√H)."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / math.sqrt(hidden_size)
    directions = (False, True) if bidirectional else (False,)
    tensors: dict[str, np.ndarray] = {}
    for layer in range(num_layers):
        layer_in = input_size if layer == 0 else hidden_size * len(directions)
        for reverse in directions:
            for name, shape in family_shapes(graph, layer_in, hidden_size).items():
                tensors[name + suffix(layer, reverse)] = rng.uniform(-bound, bound, size=shape)
    return tensors
