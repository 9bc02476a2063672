"""Keras 3 ``config.json``: which weight group is which layer, and what each layer's settings are.

Keras names the weight groups after the layers' classes in model order (``lstm``, ``lstm_1``,
``dense``), whatever the layers are called, so config layers are matched to groups by class and
order. The config's graph is checked too: every recurrent layer must read the one below it (through
inference no-ops such as Dropout only), with no ``initial_state`` from elsewhere — a Functional
encoder–decoder read as one stack would compute something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .common import ModelFileError

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
#: Layers that change nothing at inference: a recurrent layer may read another through them.
PASS_THROUGH = ("Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise", "AlphaDropout", "Identity")
_SUFFIX = re.compile(r"^(?P<base>.*?)(?:_(?P<n>\d+))?$")


def to_snake_case(name: str) -> str:
    """Keras' own rule for a class's group name: ``SimpleRNN`` → ``simple_rnn``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def name_order(name: str) -> tuple[str, int]:
    match = _SUFFIX.match(name)
    assert match is not None
    return match["base"], int(match["n"] or 0)


@dataclass
class KerasLayer:
    """One weighted layer: its class, config (empty without config.json), group name and arrays."""

    class_name: str
    config: dict[str, Any]
    group: str
    cells: dict[bool, list[np.ndarray]] = field(default_factory=dict)  # reverse → cell vars
    arrays: list[np.ndarray] = field(default_factory=list)  # vars of a non-recurrent layer

    @property
    def name(self) -> str:
        return str(self.config.get("name") or self.group)

    @property
    def title(self) -> str:
        return f"layer {self.name} ({self.class_name})"

    @property
    def inner(self) -> dict[str, Any]:
        """The recurrent layer's own config (inside a Bidirectional wrapper, the wrapped layer's)."""
        if self.class_name == "Bidirectional":
            return self.config.get("layer", {}).get("config", {})
        return self.config

    @property
    def inner_class(self) -> str:
        if self.class_name == "Bidirectional":
            return str(self.config.get("layer", {}).get("class_name", ""))
        if self.class_name == "TimeDistributed":
            return str(self.config.get("layer", {}).get("class_name", ""))
        return self.class_name


#: Settings read from a layer's config, with the JSON type each must have when present.
_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "use_bias": (bool,),
    "reset_after": (bool,),
    "go_backwards": (bool,),
    "return_sequences": (bool,),
    "mask_zero": (bool,),
    "merge_mode": (str, type(None)),
}
_WRAPPERS = ("Bidirectional", "TimeDistributed")


def config_layers(path: Path, config: Any) -> list[dict[str, Any]]:
    """Layer configs of a Sequential or Functional model, in model order, after checking that every
    part of config.json this reader looks at has the JSON type Keras writes (a hand-edited or
    truncated config is refused in one message naming the part, never a traceback)."""
    inner = config.get("config") if isinstance(config, dict) else None
    layers = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(layers, list):
        raise ModelFileError(path, "config.json has no list of layers (config.layers): not a Keras model config")
    for k, layer in enumerate(layers):
        _check_layer(path, f"config.layers[{k}]", layer)
    return layers


def _check_layer(path: Path, where: str, layer: Any, wrapped: bool = False) -> None:
    def refuse(part: str, wanted: str) -> None:
        raise ModelFileError(path, f"config.json: {where}{part} is not {wanted}")

    if not isinstance(layer, dict):
        refuse("", "a layer (a JSON object)")
    if not isinstance(layer.get("class_name"), str):
        refuse(".class_name", "a string")
    settings = layer.get("config")
    if not isinstance(settings, dict):
        refuse(".config", "a JSON object")
    for key, types in _SETTING_TYPES.items():
        if key in settings and not isinstance(settings[key], types):
            refuse(f".config.{key}", " or ".join("null" if t is type(None) else t.__name__ for t in types))
    if layer["class_name"] in _WRAPPERS and not wrapped:
        _check_layer(path, f"{where}.config.layer", settings.get("layer"), wrapped=True)
        if settings.get("backward_layer") is not None:
            _check_layer(path, f"{where}.config.backward_layer", settings["backward_layer"], wrapped=True)
    if wrapped:
        return
    nodes = layer.get("inbound_nodes", [])
    if not isinstance(nodes, list):
        refuse(".inbound_nodes", "a list")
    for n, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue  # Keras 2's nested lists: no layer graph is read from them
        if not isinstance(node.get("kwargs", {}), dict):
            refuse(f".inbound_nodes[{n}].kwargs", "a JSON object")
        args = node.get("args", [])
        if not isinstance(args, list):
            refuse(f".inbound_nodes[{n}].args", "a list")
        if args and isinstance(args[0], dict):
            if not isinstance(args[0].get("config", {}), dict):
                refuse(f".inbound_nodes[{n}].args[0].config", "a JSON object")
            history = args[0].get("config", {}).get("keras_history")
            if history is not None and not (isinstance(history, list) and history and isinstance(history[0], str)):
                refuse(f".inbound_nodes[{n}].args[0].config.keras_history", "a list starting with a layer name")


def match_config(path: Path, groups: list[KerasLayer], configs: list[dict[str, Any]]) -> list[KerasLayer]:
    """Give each weight group its config layer: the n-th group of a class is the n-th layer of it."""
    by_base: dict[str, list[KerasLayer]] = {}
    for layer in sorted(groups, key=lambda g: name_order(g.group)):
        by_base.setdefault(name_order(layer.group)[0], []).append(layer)
    taken: dict[str, int] = {}
    ordered: list[KerasLayer] = []
    for entry in configs:
        class_name = str(entry.get("class_name", ""))
        base = to_snake_case(class_name)
        candidates = by_base.get(base, [])
        k = taken.get(base, 0)
        if k < len(candidates):
            layer = candidates[k]
            taken[base] = k + 1
            layer.class_name, layer.config = class_name, entry["config"]
            ordered.append(layer)
    left = [g.group for base, items in by_base.items() for g in items[taken.get(base, 0) :]]
    if left:
        raise ModelFileError(path, f"weight groups {', '.join(left)} match no layer of config.json")
    return ordered


def check_recurrent(path: Path, layer: KerasLayer) -> str | None:
    """Refuse settings the engine cannot compute; the cell kind the activation implies (or None)."""
    cfg = layer.inner
    cls = layer.inner_class
    backward = layer.config.get("backward_layer") if layer.class_name == "Bidirectional" else None
    if isinstance(backward, dict):
        settings = ("activation", "recurrent_activation", "use_bias", "reset_after", "units")
        other = backward.get("config", {})
        differ = [s for s in settings if other.get(s) != cfg.get(s)]
        if differ or backward.get("class_name") != cls:
            raise ModelFileError(
                path, f"{layer.title}: backward_layer differs from the forward layer ({', '.join(differ) or 'class'})"
            )
    if cls not in RECURRENT:
        raise ModelFileError(path, f"{layer.title}: wraps {cls or 'an unknown layer'}, not LSTM, GRU or SimpleRNN")
    activation = cfg.get("activation", "tanh")
    recurrent = cfg.get("recurrent_activation", "sigmoid")
    if cls == "SimpleRNN":
        if activation not in ("tanh", "relu"):
            raise ModelFileError(path, f"{layer.title}: activation={activation!r} is not supported (tanh or relu)")
        return "rnn-relu" if activation == "relu" else "rnn"
    if activation != "tanh":
        raise ModelFileError(
            path, f"{layer.title}: activation={activation!r} is not supported (the engine computes tanh)"
        )
    if recurrent != "sigmoid":
        raise ModelFileError(
            path, f"{layer.title}: recurrent_activation={recurrent!r} is not supported (the engine computes sigmoid)"
        )
    return None


def _sources(path: Path, configs: list[dict[str, Any]]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Each layer's input layer (None for inputs) and class, from a Functional config's
    ``inbound_nodes`` or, in a Sequential config, the order of the layers."""
    sources: dict[str, str | None] = {}
    classes: dict[str, str] = {}
    functional = any("inbound_nodes" in entry for entry in configs)
    previous: str | None = None
    for entry in configs:
        name = str(entry["config"].get("name"))
        classes[name] = str(entry.get("class_name", ""))
        if not functional:
            sources[name], previous = previous, name
            continue
        nodes = entry.get("inbound_nodes") or []
        if len(nodes) > 1:
            raise ModelFileError(
                path, f"layer {name} ({classes[name]}) is called {len(nodes)} times; not a plain stack"
            )
        if not nodes:
            sources[name] = None
            continue
        node = nodes[0] if isinstance(nodes[0], dict) else {}
        kwargs = node.get("kwargs") or {}
        if kwargs.get("initial_state"):
            raise ModelFileError(
                path,
                f"layer {name} ({classes[name]}): initial_state from another layer is not supported "
                "(the engine starts every layer from zero states)",
            )
        args = node.get("args") or []
        history = args[0].get("config", {}).get("keras_history") if args and isinstance(args[0], dict) else None
        sources[name] = str(history[0]) if history else None
    return sources, classes


def check_graph(
    path: Path, configs: list[dict[str, Any]], before: list[KerasLayer], stack: list[KerasLayer], head: list[KerasLayer]
) -> str | None:
    """Refuse a config whose recurrent layers are not one chain from the input; the problem with
    the head (if any) is returned, to be reported as "readout not recognised"."""
    sources, classes = _sources(path, configs)

    def below(name: str) -> str | None:
        """The nearest layer ``name`` reads that changes the numbers."""
        source = sources.get(name)
        while source is not None and classes.get(source) in PASS_THROUGH:
            source = sources.get(source)
        return source

    expected = before[-1].name if before else None
    for layer in stack:
        source = below(layer.name)
        reads_input = source is None or classes.get(source) == "InputLayer"
        if (expected is None and not reads_input) or (expected is not None and source != expected):
            what = f"layer {source} ({classes.get(source, '?')})" if source else "the model's input"
            if source is not None and classes.get(source) not in (
                *RECURRENT,
                "Bidirectional",
                "InputLayer",
                "Embedding",
            ):
                raise ModelFileError(path, f"{layer.title} reads {what}, which the engine does not compute")
            wanted = f"layer {expected}" if expected else "the model's input"
            raise ModelFileError(
                path,
                f"{layer.title} reads {what}, not {wanted}: the app shows one chain of recurrent layers "
                "(several recurrent paths, such as an encoder and a decoder, are not supported in Keras files)",
            )
        expected = layer.name
    if head and below(head[0].name) != expected:
        return f"readout not recognised: {head[0].title} does not read the top recurrent layer {expected}"
    return None
