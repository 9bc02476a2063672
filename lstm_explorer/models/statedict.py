"""Finding the parts of a PyTorch-named state_dict: its recurrent modules, embedding and readout.

A recurrent module is every tensor under one prefix named like ``weight_ih_l0`` (``nn.LSTM``,
``nn.GRU``, ``nn.RNN``, with ``_reverse`` for the backward direction) or a cell's ``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh`` with no layer suffix (``nn.LSTMCell`` …, read as one layer).
Everything else is an "extra": among them an embedding (V, input) and a readout (out, features).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.network import RecurrentNetwork
from .common import ModuleChoiceError, Tensors

_LAYER_KEY = re.compile(r"^(?P<prefix>(?:[\w]+\.)*)(?P<name>(?:weight|bias)_[a-z]+_l\d+(?:_reverse)?)$")
_CELL_KEY = re.compile(r"^(?P<prefix>(?:[\w]+\.)*)(?P<family>weight_ih|weight_hh|bias_ih|bias_hh)$")
#: Names that mark a readout, best first, when more than one Linear fits.
_READOUT_HINTS = ("fc", "readout", "head", "decoder", "out", "linear", "classifier", "proj", "dense")


@dataclass
class RecurrentModule:
    """One recurrent module: its name (the prefix without the final dot; "" at top level) and its
    tensors with the prefix removed, in ``_l{k}`` names (a cell becomes layer 0)."""

    name: str
    tensors: Tensors
    is_cell: bool = False

    @property
    def label(self) -> str:
        return self.name or "(top level)"


def find_modules(tensors: Tensors) -> tuple[list[RecurrentModule], set[str]]:
    """The recurrent modules in file order, and the names of every tensor they use."""
    modules: dict[str, RecurrentModule] = {}
    used: set[str] = set()
    for name, value in tensors.items():
        match = _LAYER_KEY.match(name)
        if match:
            prefix = match["prefix"]
            modules.setdefault(prefix, RecurrentModule(prefix.rstrip("."), {})).tensors[match["name"]] = value
            used.add(name)
    cells: dict[str, dict[str, str]] = {}
    for name in tensors:
        match = _CELL_KEY.match(name)
        if match and match["prefix"] not in modules:
            cells.setdefault(match["prefix"], {})[match["family"]] = name
    for prefix, families in cells.items():
        if "weight_ih" in families and "weight_hh" in families:
            module = RecurrentModule(prefix.rstrip("."), {}, is_cell=True)
            for family, name in families.items():
                module.tensors[family + "_l0"] = tensors[name]
                used.add(name)
            modules[prefix] = module
    order = {prefix: min(k for k, n in enumerate(tensors) if n.startswith(prefix)) for prefix in modules}
    return [modules[p] for p in sorted(modules, key=order.__getitem__)], used


def choose_module(path: str | Path, modules: list[RecurrentModule], wanted: str | None) -> RecurrentModule:
    """The module named ``wanted``, or the only one; never silently the first of several."""
    names = [m.label for m in modules]
    if wanted is not None:
        for module in modules:
            if wanted in (module.name, module.label):
                return module
        raise ModuleChoiceError(path, f"no recurrent module {wanted!r}; the file holds {', '.join(names)}", names)
    if len(modules) > 1:
        raise ModuleChoiceError(
            path, f"holds {len(modules)} recurrent modules ({', '.join(names)}); choose one with --module NAME", names
        )
    return modules[0]


@dataclass
class Extras:
    """Where the embedding and the readout are among the extras, and why a head was not taken."""

    embedding: str | None = None
    readout: tuple[str, str | None] | None = None
    problem: str | None = None
    tied: bool = False


def find_extras(extras: Tensors, network: RecurrentNetwork) -> Extras:
    """Find the embedding and the readout among the non-recurrent tensors, by shape and name.

    A readout is an ``nn.Linear`` (out, features) reading the top layer; when its outputs feed
    another Linear (an MLP head), the activations between them are not in a state_dict, so the
    head is reported as not recognised rather than shown as predictions.
    """
    features = network.output_size(network.num_layers - 1)
    matrices = [n for n, v in extras.items() if n.endswith("weight") and np.ndim(v) == 2]

    def bias_of(name: str) -> str | None:
        bias = name[: -len("weight")] + "bias"
        if bias in extras and np.shape(extras[bias]) == (np.shape(extras[name])[0],):
            return bias
        return None

    def twin_with_bias(name: str) -> str | None:
        """A Linear sharing this matrix (tied weights: ``decoder.weight = encoder.weight``)."""
        value = extras[name]
        for other in matrices:
            same_shape = other != name and bias_of(other) and np.shape(extras[other]) == np.shape(value)
            if same_shape and np.array_equal(extras[other], value):
                return other
        return None

    found = Extras()
    embeds = [n for n in matrices if np.shape(extras[n])[1] == network.input_size and bias_of(n) is None]
    named = [n for n in embeds if "emb" in n.lower()]
    if named:
        found.embedding = named[0]
    elif len(embeds) == 1 and (np.shape(extras[embeds[0]])[1] != features or twin_with_bias(embeds[0])):
        found.embedding = embeds[0]
    found.tied = found.embedding is not None and twin_with_bias(found.embedding) is not None
    linears = [n for n in matrices if n != found.embedding and np.shape(extras[n])[1] == features]
    with_bias = [n for n in linears if bias_of(n) is not None] or linears
    if with_bias:

        def rank(name: str) -> int:
            head = name.lower().split(".")[0]
            return next((k for k, hint in enumerate(_READOUT_HINTS) if hint in head), len(_READOUT_HINTS))

        best = min(with_bias, key=rank)
        rows = np.shape(extras[best])[0]
        follower = next(
            (n for n in matrices if n not in (best, found.embedding) and np.shape(extras[n])[1] == rows), None
        )
        if follower is not None:
            found.problem = (
                f"readout not recognised: {best} ({features}→{rows}) feeds {follower} "
                f"({rows}→{np.shape(extras[follower])[0]}), and the file does not record the activation between them"
            )
            return found
        found.readout = (best, bias_of(best))
        return found
    if found.embedding is not None:
        # safetensors keeps one name of a tied pair: a bias with no weight, the embedding's rows wide.
        rows = np.shape(extras[found.embedding])[0]
        wide_enough = np.shape(extras[found.embedding])[1] == features
        for name, value in extras.items():
            orphan = name.endswith("bias") and name[: -len("bias")] + "weight" not in extras
            if wide_enough and orphan and np.shape(value) == (rows,):
                found.readout = (found.embedding, name)
                found.tied = True
                break
    return found
