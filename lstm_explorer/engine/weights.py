"""Weights in PyTorch's names and layouts.

A whole model is a flat mapping of tensor names (``weight_ih_l0``, ``bias_hh_l1_reverse`` …) to
arrays, exactly what ``nn.LSTM.state_dict()`` holds. One layer in one direction is a
:class:`LayerWeights`: the same tensors with the ``_l{k}[_reverse]`` suffix removed.
"""

from __future__ import annotations

import math
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
    """The shape of every tensor family one layer of ``graph`` needs."""
    rows = len(graph.slots) * hidden_size
    shapes: dict[str, tuple[int, ...]] = {
        "weight_ih": (rows, input_size),
        "weight_hh": (rows, hidden_size),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
    }
    for name in graph.vectors:
        shapes[name] = (hidden_size,)
    return shapes


@dataclass(frozen=True)
class LayerWeights:
    """The tensors of one layer and direction, validated against the graph, as float64."""

    graph: CellGraph
    tensors: dict[str, np.ndarray]
    input_size: int
    hidden_size: int

    @classmethod
    def from_tensors(cls, graph: CellGraph, tensors: dict[str, np.ndarray], *, where: str = "") -> LayerWeights:
        if "weight_hh" not in tensors:
            raise WeightsError(f"missing tensor weight_hh{where}")
        if "weight_ih" not in tensors:
            raise WeightsError(f"missing tensor weight_ih{where}")
        hidden_size = int(np.shape(tensors["weight_hh"])[-1])
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
