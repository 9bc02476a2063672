"""Keras 3 weights (``.weights.h5``, and ``.keras`` archives holding one) as PyTorch-named tensors.

Needs h5py (the ``keras`` extra), imported only when such a file is opened. Nothing in the file is
executed: HDF5 datasets are read as arrays, and a ``.keras`` archive's ``config.json`` is parsed as
JSON only.

Layout read (what ``model.save_weights("m.weights.h5")`` and ``model.save("m.keras")`` write)::

    layers/<name>/cell/vars/0   kernel            (in, g·U)
    layers/<name>/cell/vars/1   recurrent_kernel  (U, g·U)
    layers/<name>/cell/vars/2   bias              (g·U,), or (2, 3U) for a GRU with reset_after
    layers/<name>/forward_layer/cell/vars/{0,1,2}, …/backward_layer/…   a Bidirectional wrapper
    layers/<name>/vars/0 (V, E)                       an Embedding   → embedding.weight
    layers/<name>/vars/0 (in, out), vars/1 (out,)     a Dense readout → fc.weight (transposed), fc.bias

g = 4 is an LSTM (gates i, f, c, o in Keras, the same order as PyTorch's i, f, g, o), g = 3 a GRU
(Keras z, r, h; rows reordered to PyTorch's r, z, n), g = 1 a SimpleRNN. A GRU with a (2, 3U) bias
(``reset_after=True``, the Keras default) is PyTorch's GRU; a (3U,) bias (``reset_after=False``)
applies the reset gate before the matmul: the ``gru-classic`` cell. Recurrent layers are stacked in
the order of their names' numeric suffixes (``lstm``, ``lstm_1``, …), or ``config.json``'s order in
a ``.keras`` archive. The cell's activations must be Keras' defaults (tanh, sigmoid); a
``.keras`` config that says otherwise is refused (``SimpleRNN(activation="relu")`` is read as rnn-relu).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .files import Metadata, ModelFileError, Tensors

_GATES = {4: "lstm", 3: "gru", 1: "rnn"}
_SUFFIX = re.compile(r"^(?P<base>.*?)(?:_(?P<n>\d+))?$")


def _h5py(path: Path) -> Any:
    try:
        import h5py
    except ImportError:
        raise ModelFileError(path, "reading Keras files needs h5py: pip install 'lstm-explorer[keras]'") from None
    return h5py


def _vars(group: Any) -> list[np.ndarray]:
    """The datasets 0, 1, 2 … of a ``vars`` group, in index order."""
    keys = sorted(group.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30)
    return [np.asarray(group[k][()], dtype=np.float64) for k in keys]


def _name_order(name: str) -> tuple[str, int]:
    match = _SUFFIX.match(name)
    assert match is not None
    return match["base"], int(match["n"] or 0)


def _config_layers(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Layer configs of a Sequential or Functional model, in order, flattened one level."""
    inner = config.get("config", {})
    layers = inner.get("layers", []) if isinstance(inner, dict) else []
    return [layer for layer in layers if isinstance(layer, dict)]


def _check_activations(path: Path, layer_config: dict[str, Any]) -> str | None:
    """The cell kind a layer's config implies, or None; refuses activations the engine lacks."""
    class_name = layer_config.get("class_name", "")
    cfg = layer_config.get("config", {})
    if class_name == "Bidirectional":
        return _check_activations(path, cfg.get("layer", {}))
    if class_name not in ("LSTM", "GRU", "SimpleRNN"):
        return None
    activation = cfg.get("activation", "tanh")
    recurrent = cfg.get("recurrent_activation", "sigmoid")
    name = cfg.get("name", class_name)
    if class_name == "SimpleRNN":
        if activation not in ("tanh", "relu"):
            raise ModelFileError(path, f"layer {name}: activation {activation!r} is not supported (tanh or relu)")
        return "rnn-relu" if activation == "relu" else "rnn"
    if activation != "tanh" or recurrent != "sigmoid":
        raise ModelFileError(
            path,
            f"layer {name}: activations {activation!r}/{recurrent!r} are not supported; "
            "the engine computes tanh/sigmoid (the Keras defaults)",
        )
    return None


def _recurrent_to_torch(
    path: Path, where: str, kernel: np.ndarray, rec: np.ndarray, bias: np.ndarray
) -> tuple[str, Tensors]:
    """One Keras cell's (kernel, recurrent_kernel, bias) as (kind, PyTorch tensors without suffix)."""
    if kernel.ndim != 2 or rec.ndim != 2 or rec.shape[1] % max(rec.shape[0], 1):
        raise ModelFileError(path, f"{where}: kernel {kernel.shape} and recurrent kernel {rec.shape} do not fit a cell")
    units = rec.shape[0]
    gates = rec.shape[1] // units
    if gates not in _GATES or kernel.shape[1] != rec.shape[1]:
        raise ModelFileError(path, f"{where}: recurrent kernel {rec.shape} is not an LSTM, GRU or SimpleRNN cell")
    kind = _GATES[gates]
    if kind == "gru":
        # Keras column blocks z, r, h → PyTorch row blocks r, z, n.
        def reorder(m: np.ndarray) -> np.ndarray:
            z, r, h = np.split(m, 3, axis=-1)
            return np.concatenate([r, z, h], axis=-1)

        if bias.shape == (2, 3 * units):
            b_ih, b_hh = reorder(bias[0]), reorder(bias[1])
        elif bias.shape == (3 * units,):
            kind = "gru-classic"
            b_ih, b_hh = reorder(bias), np.zeros(3 * units)
        else:
            raise ModelFileError(
                path, f"{where}: GRU bias has shape {bias.shape}, expected (2, {3 * units}) or ({3 * units},)"
            )
        return kind, {
            "weight_ih": reorder(kernel).T.copy(),
            "weight_hh": reorder(rec).T.copy(),
            "bias_ih": b_ih,
            "bias_hh": b_hh,
        }
    if bias.shape != (gates * units,):
        raise ModelFileError(path, f"{where}: bias has shape {bias.shape}, expected ({gates * units},)")
    # LSTM: Keras i, f, c, o is PyTorch's i, f, g, o; one bias, so bias_hh is zero.
    return kind, {
        "weight_ih": kernel.T.copy(),
        "weight_hh": rec.T.copy(),
        "bias_ih": bias.copy(),
        "bias_hh": np.zeros(gates * units),
    }


def _read_h5(
    path: Path, source: Any, config_order: list[str], config_kinds: dict[str, str]
) -> tuple[Tensors, Metadata]:
    h5py = _h5py(path)
    try:
        handle = h5py.File(source, "r")
    except OSError as exc:
        raise ModelFileError(path, f"not a readable HDF5 file ({exc})") from None
    with handle:
        if "layers" not in handle:
            if "model_weights" in handle or "layer_names" in handle.attrs:
                raise ModelFileError(
                    path,
                    "is a Keras 2 (legacy) HDF5 file; save it again with Keras 3 (model.save_weights('m.weights.h5'))",
                )
            raise ModelFileError(path, "has no 'layers' group: not a Keras 3 weights file")
        layers = handle["layers"]
        recurrent: list[tuple[str, dict[bool, tuple[str, Tensors]]]] = []
        dense: list[tuple[str, list[np.ndarray]]] = []
        for name in layers:
            group = layers[name]
            cells: dict[bool, tuple[str, Tensors]] = {}
            for reverse, sub in ((False, "cell"), (False, "forward_layer/cell"), (True, "backward_layer/cell")):
                if f"{sub}/vars" in group:
                    arrays = _vars(group[f"{sub}/vars"])
                    if len(arrays) != 3:
                        raise ModelFileError(path, f"layer {name}: expected 3 cell variables, found {len(arrays)}")
                    cells[reverse] = _recurrent_to_torch(path, f"layer {name}", *arrays)
            if cells:
                recurrent.append((name, cells))
            elif "vars" in group and len(group["vars"]):
                dense.append((name, _vars(group["vars"])))
    if not recurrent:
        raise ModelFileError(path, "holds no LSTM, GRU or SimpleRNN layer")
    if config_order:
        recurrent.sort(key=lambda item: config_order.index(item[0]) if item[0] in config_order else len(config_order))
    else:
        recurrent.sort(key=lambda item: _name_order(item[0]))
    tensors: Tensors = {}
    kinds = set()
    for k, (name, cells) in enumerate(recurrent):
        for reverse, (kind, layer) in cells.items():
            kind = config_kinds.get(name, kind) if kind == "rnn" else kind
            kinds.add(kind)
            end = f"_l{k}" + ("_reverse" if reverse else "")
            tensors.update({f"rnn.{family}{end}": value for family, value in layer.items()})
    if len(kinds) != 1:
        raise ModelFileError(path, f"mixes cell kinds {sorted(kinds)}; the engine shows one kind per model")
    units = tensors["rnn.weight_hh_l0"].shape[1]
    features = units * (2 if "rnn.weight_hh_l0_reverse" in tensors else 1)
    input_size = tensors["rnn.weight_ih_l0"].shape[1]
    top = recurrent[-1][0]
    for name, arrays in dense:
        if (
            len(arrays) == 1
            and arrays[0].ndim == 2
            and arrays[0].shape[1] == input_size
            and "embedding.weight" not in tensors
        ):
            tensors["embedding.weight"] = arrays[0]
        elif (
            len(arrays) in (1, 2)
            and arrays[0].ndim == 2
            and arrays[0].shape[0] == features
            and "fc.weight" not in tensors
        ):
            if (
                config_order
                and top in config_order
                and name in config_order
                and config_order.index(name) < config_order.index(top)
            ):
                continue
            tensors["fc.weight"] = arrays[0].T.copy()
            if len(arrays) == 2 and arrays[1].shape == (arrays[0].shape[1],):
                tensors["fc.bias"] = arrays[1]
    metadata: Metadata = {"cell": kinds.pop(), "source": "keras"}
    return tensors, metadata


def read_keras_weights(path: Path) -> tuple[Tensors, Metadata]:
    """A ``.weights.h5`` file."""
    return _read_h5(path, str(path), [], {})


def read_keras_archive(path: Path) -> tuple[Tensors, Metadata]:
    """A ``.keras`` archive: ``config.json`` (read as JSON) and ``model.weights.h5``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "model.weights.h5" not in names:
                raise ModelFileError(path, "the .keras archive has no model.weights.h5")
            weights = archive.read("model.weights.h5")
            config = json.loads(archive.read("config.json")) if "config.json" in names else {}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(path, f"not a readable .keras archive ({exc})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(path, f"config.json is not valid JSON ({exc})") from None
    layers = _config_layers(config) if isinstance(config, dict) else []
    order: list[str] = []
    kinds: dict[str, str] = {}
    for layer in layers:
        name = layer.get("config", {}).get("name")
        if not isinstance(name, str):
            continue
        order.append(name)
        kind = _check_activations(path, layer)
        if kind:
            kinds[name] = kind
    return _read_h5(path, io.BytesIO(weights), order, kinds)
