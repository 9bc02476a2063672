"""A model the app can show: a recurrent network plus what it needs to read input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engine.cells import CELL_KINDS, cell_graph
from ..engine.network import RecurrentNetwork
from ..engine.weights import WeightsError, init_weights
from .files import Metadata, ModelFileError, Tensors, read_weights

_RECURRENT_KEY = re.compile(r"^(?P<prefix>(?:[\w]+\.)*)(?P<name>(?:weight|bias)_[a-z]+_l\d+(?:_reverse)?)$")


@dataclass
class Model:
    name: str
    network: RecurrentNetwork
    metadata: Metadata = field(default_factory=dict)
    #: Tensors that are not part of the recurrent layers (embedding, readout …), prefix kept.
    extras: Tensors = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.network.kind

    @property
    def input_size(self) -> int:
        return self.network.input_size

    @property
    def hidden_size(self) -> int:
        return self.network.hidden_size

    def describe(self) -> str:
        net = self.network
        extra = f", {net.num_layers} layers" if net.num_layers > 1 else ""
        extra += ", bidirectional" if net.bidirectional else ""
        return f"{self.name}: {net.graph.title}, input {net.input_size}, hidden {net.hidden_size}{extra}"


def split_recurrent(tensors: Tensors) -> tuple[Tensors, Tensors]:
    """Separate the recurrent layer's tensors (module prefix such as ``lstm.`` removed) from the rest."""
    recurrent: Tensors = {}
    prefixes: set[str] = set()
    for name in tensors:
        match = _RECURRENT_KEY.match(name)
        if match:
            prefixes.add(match["prefix"])
    if len(prefixes) > 1:
        # Several recurrent modules (an encoder and a decoder…): use the first in the file.
        first = next(m["prefix"] for n in tensors if (m := _RECURRENT_KEY.match(n)))
        prefixes = {first}
    prefix = prefixes.pop() if prefixes else ""
    rest: Tensors = {}
    for name, value in tensors.items():
        match = _RECURRENT_KEY.match(name)
        if match and match["prefix"] == prefix:
            recurrent[match["name"]] = value
        else:
            rest[name] = value
    return recurrent, rest


def model_from_tensors(
    name: str, tensors: Tensors, metadata: Metadata | None = None, *, cell: str | None = None
) -> Model:
    metadata = dict(metadata or {})
    recurrent, rest = split_recurrent(tensors)
    kind = cell or metadata.get("cell") or None
    network = RecurrentNetwork.from_tensors(recurrent, kind)
    return Model(name, network, metadata, rest)


def random_model(
    kind: str,
    *,
    input_size: int = 8,
    hidden_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
) -> Model:
    if input_size < 1 or hidden_size < 1 or num_layers < 1:
        raise ValueError("input size, hidden size and layer count must be at least 1")
    graph = cell_graph(kind)
    tensors = init_weights(
        graph, input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional, seed=seed
    )
    network = RecurrentNetwork.from_tensors(tensors, kind)
    return Model(f"{kind} (random, seed {seed})", network, {"cell": kind, "description": "random weights"})


def load_model_file(path: str | Path, *, cell: str | None = None) -> Model:
    path = Path(path)
    tensors, metadata = read_weights(path)
    try:
        return model_from_tensors(path.name, tensors, metadata, cell=cell)
    except (WeightsError, ValueError) as exc:
        raise ModelFileError(path, str(exc)) from None


def is_variant_name(spec: str) -> bool:
    return spec in CELL_KINDS


def resolve_model(
    spec: str,
    *,
    cell: str | None = None,
    input_size: int = 8,
    hidden_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
) -> Model:
    """A MODEL argument: a cell variant name (random weights) or a weights file."""
    if is_variant_name(spec):
        return random_model(
            cell or spec,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            seed=seed,
        )
    path = Path(spec)
    if not path.exists() and not path.suffix:
        raise ValueError(f"unknown model {spec!r}: not a cell kind ({', '.join(CELL_KINDS)}) and no such file")
    return load_model_file(path, cell=cell)


def encode_numeric(model: Model, X: np.ndarray) -> np.ndarray:
    """Numeric input as the first layer reads it (checked against the model's input size)."""
    if X.shape[1] != model.input_size:
        raise ValueError(f"input has {X.shape[1]} values per step, but the model expects {model.input_size}")
    return X
