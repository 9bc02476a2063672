"""The ``model`` entry of a saved session: how a session names its model, and the model it names.

Four forms (see the README's session table):

* ``"brackets"`` or ``{"bundled": "brackets"}`` — a bundled model;
* ``{"cell": "gru", "input_size": 8, "hidden_size": 32, "layers": 1, "bidirectional": false,
  "seed": 0}`` — seeded random weights (a bare ``"gru"`` takes the window's sizes below);
* ``"weights.safetensors"`` or ``{"file": "…", "cell": "coupled"}`` — a weights file, a relative
  path read from the session file's folder;
* ``{"embedded": "<base64>", "name": "…"}`` — the weights themselves: our safetensors bundle
  (:mod:`lstm_explorer.models.bundle`), base64-encoded.

Qt-free. Errors are :class:`SessionError` with one line naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine.cells import CELL_KINDS

if TYPE_CHECKING:
    from .models.model import Model

# The model code is imported where it is used: the window imports this module before its first
# paint, and loads models after it.

#: The sizes of the random models the window opens (File → New random model); a bare cell kind
#: in a session means these.
RANDOM_DEFAULTS = {"input_size": 8, "hidden_size": 32, "layers": 1, "bidirectional": False, "seed": 0}
_RANDOM_KEYS = ("cell", *RANDOM_DEFAULTS)


class SessionError(ValueError):
    """A session file that cannot be used: one line saying which field and what is wrong."""


def expect_type(value: Any, kind: Any, field: str, what: str) -> Any:
    """``value`` if it is a ``kind`` (a type or a union); else a :class:`SessionError` naming ``field``."""
    # bool is an int in Python: a count given as true/false is still the wrong type.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SessionError(f"{field}: expected {what}, got {json.dumps(value)[:60]}")
    return value


# -- reading ---------------------------------------------------------------------------------------


def load_model_entry(entry: Any, folder: Path) -> tuple[Model, str]:
    """(Model, the key the window remembers it by) for a session's ``model`` entry."""
    if isinstance(entry, str):
        entry = _expand_string(entry)
    expect_type(entry, dict, "model", "a name, a file path or an object (see the README)")
    forms = [key for key in ("bundled", "cell", "file", "embedded") if key in entry]
    if not forms or (len(forms) > 1 and forms != ["cell", "file"]):
        raise SessionError("model: give exactly one of 'bundled', 'cell' (random weights), 'file' or 'embedded'")
    try:
        if "embedded" in entry:
            return _load_embedded(entry)
        if "file" in entry:
            return _load_file(entry, folder)
        if "bundled" in entry:
            return _load_bundled(entry)
        return _load_random(entry)
    except SessionError:
        raise
    except ValueError as exc:  # the models' errors (a bad file, shapes, a vocabulary) are ValueErrors
        raise SessionError(f"model: {exc}") from None


def _expand_string(spec: str) -> dict[str, Any]:
    """A bare string, as the command line's MODEL takes it: a cell kind, a bundled name or a path."""
    from .models.bundled import bundled_names

    if spec in CELL_KINDS:
        return {"cell": spec}
    if spec in bundled_names():
        return {"bundled": spec}
    return {"file": spec}


def _check_keys(entry: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise SessionError(f"model: unknown key {unknown[0]!r} (this form takes {', '.join(allowed)})")


def _load_bundled(entry: dict[str, Any]) -> tuple[Model, str]:
    from .models.bundled import bundled_names, load_bundled

    _check_keys(entry, ("bundled",))
    name = expect_type(entry["bundled"], str, "model.bundled", "a bundled model's name")
    if name not in bundled_names():
        raise SessionError(f"model: unknown bundled model {name!r} (bundled: {', '.join(bundled_names())})")
    return load_bundled(name), name


def _load_random(entry: dict[str, Any]) -> tuple[Model, str]:
    from .models.model import random_model

    _check_keys(entry, _RANDOM_KEYS)
    kind = expect_type(entry["cell"], str, "model.cell", "a cell kind")
    if kind not in CELL_KINDS:
        raise SessionError(f"model.cell: unknown cell kind {kind!r} (known: {', '.join(CELL_KINDS)})")
    sizes = {**RANDOM_DEFAULTS, **{k: v for k, v in entry.items() if k != "cell"}}
    for key in ("input_size", "hidden_size", "layers"):
        if expect_type(sizes[key], int, f"model.{key}", "a whole number") < 1:
            raise SessionError(f"model.{key}: must be at least 1, not {sizes[key]}")
    if sizes["hidden_size"] > 4096 or sizes["input_size"] > 65536 or sizes["layers"] > 64:
        raise SessionError("model: random weights this large are refused (hidden ≤ 4096, input ≤ 65536, layers ≤ 64)")
    expect_type(sizes["bidirectional"], bool, "model.bidirectional", "true or false")
    expect_type(sizes["seed"], int, "model.seed", "a whole number")
    model = random_model(
        kind,
        input_size=sizes["input_size"],
        hidden_size=sizes["hidden_size"],
        num_layers=sizes["layers"],
        bidirectional=sizes["bidirectional"],
        seed=sizes["seed"],
    )
    return model, kind


def _load_file(entry: dict[str, Any], folder: Path) -> tuple[Model, str]:
    from .models.model import load_model_file

    _check_keys(entry, ("file", "cell", "module"))
    name = expect_type(entry["file"], str, "model.file", "a path")
    module = entry.get("module")
    if module is not None:
        expect_type(module, str, "model.module", "the name of a recurrent module in the file")
    cell = entry.get("cell")
    if cell is not None and (expect_type(cell, str, "model.cell", "a cell kind") not in CELL_KINDS):
        raise SessionError(f"model.cell: unknown cell kind {cell!r} (known: {', '.join(CELL_KINDS)})")
    path = Path(os.path.expanduser(name))
    path = path if path.is_absolute() else folder / path
    if not path.is_file():
        raise SessionError(f"model: {name!r} is not a bundled model, a cell kind, or a file ({path} does not exist)")
    return load_model_file(path, cell=cell, module=module), str(path.resolve())


def _load_embedded(entry: dict[str, Any]) -> tuple[Model, str]:
    from .models.model import model_from_tensors

    _check_keys(entry, ("embedded", "name"))
    text = expect_type(entry["embedded"], str, "model.embedded", "base64 text")
    name = expect_type(entry.get("name", "embedded model"), str, "model.name", "text")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SessionError(f"model.embedded: not valid base64 ({exc})") from None
    tensors, metadata = read_bundle_bytes(data)
    return model_from_tensors(name, tensors, metadata), name


def read_bundle_bytes(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Tensors and metadata of a safetensors file held in memory (never runs code from it)."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    problem = "model.embedded: not a safetensors bundle"
    if len(data) < 8:
        raise SessionError(f"{problem} (only {len(data)} bytes)")
    (header_size,) = struct.unpack("<Q", data[:8])  # safetensors: u64 header length, then JSON
    if header_size > len(data) - 8:
        raise SessionError(f"{problem} (truncated: the header says {header_size} bytes)")
    try:
        header = json.loads(data[8 : 8 + header_size])
        tensors = {name: np.asarray(value, dtype=np.float64) for name, value in load(data).items()}
    except (ValueError, SafetensorError) as exc:
        raise SessionError(f"{problem} ({exc})") from None
    metadata = header.get("__metadata__") or {} if isinstance(header, dict) else {}
    return tensors, {str(k): str(v) for k, v in metadata.items()}


# -- writing ---------------------------------------------------------------------------------------


def model_entry(model: Model, key: str, folder: Path, *, embed: bool = False) -> str | dict[str, Any]:
    """How a session names ``model`` (opened as ``key``); its weights when ``embed`` or when it
    cannot be named any other way (a model built in code, random weights that do not reproduce)."""
    from .models.bundled import bundled_names

    if not embed:
        if key in bundled_names() and model.name == key:
            return {"bundled": key}
        # Random weights opened by name or made by File → New random model (regenerated to check).
        if key in CELL_KINDS or model.metadata.get("description") == "random weights":
            seeded = _random_entry(model)
            if seeded is not None:
                return seeded
        path = Path(key)
        if path.is_absolute() and path.is_file():
            entry: dict[str, Any] = {"file": _relative_if_inside(path, folder), "cell": model.kind}
            if len(model.modules) > 1 and model.module:
                entry["module"] = model.module  # the file holds several: the one shown
            return entry
    return {"embedded": base64.b64encode(bundle_bytes(model)).decode("ascii"), "name": model.name}


def _relative_if_inside(path: Path, folder: Path) -> str:
    """A path relative to the session's folder when the file is in it (the two move together)."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _random_entry(model: Model) -> dict[str, Any] | None:
    """The seeded description of random weights, checked by regenerating them (None: they differ)."""
    from .models.model import random_model

    net = model.network
    match = model.name.rsplit("seed ", 1)
    seed = int(match[1].rstrip(")")) if len(match) == 2 and match[1].rstrip(")").lstrip("-").isdigit() else 0
    entry = {
        "cell": net.kind,
        "input_size": net.input_size,
        "hidden_size": net.hidden_size,
        "layers": net.num_layers,
        "bidirectional": net.bidirectional,
        "seed": seed,
    }
    again = random_model(
        net.kind,
        input_size=net.input_size,
        hidden_size=net.hidden_size,
        num_layers=net.num_layers,
        bidirectional=net.bidirectional,
        seed=seed,
    )
    same = again.network.tensors.keys() == net.tensors.keys() and all(
        np.array_equal(again.network.tensors[name], value) for name, value in net.tensors.items()
    )
    return entry if same and not model.extras else None


def bundle_bytes(model: Model) -> bytes:
    """``model`` in our bundle format (:mod:`lstm_explorer.models.bundle`), in memory."""
    from safetensors.numpy import save

    from .models.bundle import BUNDLE_FORMAT

    tensors = {f"rnn.{name}": value for name, value in model.network.tensors.items()}
    if model.embedding_key is not None:
        tensors["embedding.weight"] = model.extras[model.embedding_key]
    if model.readout_keys is not None:
        weight, bias = model.readout_keys
        tensors["fc.weight"] = model.extras[weight]
        if bias is not None:
            tensors["fc.bias"] = model.extras[bias]
    metadata = {str(k): v for k, v in model.metadata.items() if isinstance(v, str)}
    metadata.update(format=BUNDLE_FORMAT, cell=model.kind)
    if model.vocabulary is not None:
        metadata.update(model.vocabulary.to_metadata())
    arrays = {name: np.ascontiguousarray(value, dtype=np.float64) for name, value in tensors.items()}
    return save(arrays, metadata=metadata)
