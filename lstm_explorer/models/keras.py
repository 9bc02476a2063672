"""Keras 3 weights (``.weights.h5``, and ``.keras`` archives holding one) as PyTorch-named tensors.

Needs h5py (the ``keras`` extra), imported only when such a file is opened. Nothing in the file is
executed: HDF5 datasets are read as arrays, and a ``.keras`` archive's ``config.json`` is parsed as
JSON only.

Layout read (what ``model.save_weights("m.weights.h5")`` and ``model.save("m.keras")`` write)::

    layers/<group>/cell/vars/0   kernel            (in, g·U)
    layers/<group>/cell/vars/1   recurrent_kernel  (U, g·U)
    layers/<group>/cell/vars/2   bias  (g·U,), or (2, 3U) for a GRU with reset_after; absent: use_bias=False
    layers/<group>/forward_layer/cell/vars/…, …/backward_layer/…   a Bidirectional wrapper
    layers/<group>/vars/0 (V, E)                    an Embedding   → embedding.weight
    layers/<group>/vars/0 (in, out), vars/1 (out,)  a Dense readout → fc.weight (transposed), fc.bias
    layers/<group>/layer/vars/…                     TimeDistributed(Dense), read as the Dense

g = 4 is an LSTM (gates i, f, c, o in Keras, the same order as PyTorch's i, f, g, o), g = 3 a GRU
(Keras z, r, h; rows reordered to PyTorch's r, z, n), g = 1 a SimpleRNN.

Keras names the groups after the layers' classes in model order (``lstm``, ``lstm_1``, ``dense``),
whatever the layers' own names, so config layers are matched to groups **by class and order**, never
by name. ``config.json`` then says everything that changes the numbers (activation,
recurrent_activation, go_backwards, use_bias, reset_after, Bidirectional merge_mode); settings the
engine cannot compute are refused naming the setting and the layer. A ``.weights.h5`` has no
config: it opens with Keras' defaults, each recorded as an :class:`Assumption`.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .common import Assumption, FileContents, ModelFileError, Tensors
from .keras_config import KerasLayer, check_graph, check_recurrent, config_layers, match_config, name_order
from .validate import check_dtype, finite_problem

_GATES = {4: "lstm", 3: "gru", 1: "rnn"}
_OPEN_KERAS = "open the .keras file (model.save('m.keras')), whose config records it"


def _h5py(path: Path) -> Any:
    try:
        # Imported here, not at module level: only Keras files need h5py, and it is an optional extra.
        import h5py
    except ImportError:
        raise ModelFileError(path, "reading Keras files needs h5py: pip install 'lstm-explorer[keras]'") from None
    return h5py


def _vars(path: Path, group: Any) -> list[np.ndarray]:
    """The datasets 0, 1, 2 … of a ``vars`` group, in index order, as float64. Each is checked here,
    where its Keras name (``layers/lstm/cell/vars/0``) is still known: later checks see only the
    PyTorch names the arrays are given (``weight_ih_l0``), which a Keras user never wrote."""
    keys = sorted(group.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30)
    arrays = []
    for key in keys:
        dataset = group[key]
        name = dataset.name.lstrip("/")
        check_dtype(path, name, dataset.dtype)
        array = np.asarray(dataset[()], dtype=np.float64)
        problem = finite_problem(name, array)
        if problem is not None:
            raise ModelFileError(path, problem)
        arrays.append(array)
    return arrays


def _read_groups(path: Path, source: Any) -> list[KerasLayer]:
    h5py = _h5py(path)
    try:
        handle = h5py.File(source, "r")
    except OSError as exc:
        raise ModelFileError(path, f"not a readable HDF5 file ({exc})") from None
    layers: list[KerasLayer] = []
    with handle:
        if "layers" not in handle:
            if "model_weights" in handle or "layer_names" in handle.attrs:
                raise ModelFileError(
                    path,
                    "is a Keras 2 (legacy) HDF5 file; save it again with Keras 3 (model.save_weights('m.weights.h5'))",
                )
            raise ModelFileError(path, "has no 'layers' group: not a Keras 3 weights file")
        for name in handle["layers"]:
            group = handle["layers"][name]
            layer = KerasLayer("", {}, name)
            for reverse, sub in ((False, "cell"), (False, "forward_layer/cell"), (True, "backward_layer/cell")):
                if f"{sub}/vars" in group:
                    layer.cells[reverse] = _vars(path, group[f"{sub}/vars"])
            if not layer.cells:
                for sub in ("vars", "layer/vars"):
                    if sub in group and len(group[sub]):
                        layer.arrays = _vars(path, group[sub])
                        break
            if layer.cells or layer.arrays:
                layers.append(layer)
    return layers


def _guess_classes(groups: list[KerasLayer]) -> list[KerasLayer]:
    """Without a config: classes from the group names and arrays, recurrent layers in name order."""
    for layer in groups:
        base = name_order(layer.group)[0]
        if layer.cells:
            layer.class_name = "Bidirectional" if True in layer.cells else {"lstm": "LSTM", "gru": "GRU"}.get(base, "")
            if not layer.class_name:
                layer.class_name = "SimpleRNN" if base == "simple_rnn" else base
        elif len(layer.arrays) == 1 and layer.arrays[0].ndim == 2 and base == "embedding":
            layer.class_name = "Embedding"
        else:
            layer.class_name = "Dense"
    rank = {"Embedding": 0, "Dense": 2}
    return sorted(groups, key=lambda g: (rank.get(g.class_name, 1), name_order(g.group)))


def _cell_to_torch(
    path: Path, layer: KerasLayer, arrays: list[np.ndarray], reset_after: bool | None
) -> tuple[str, Tensors]:
    """One Keras cell's (kernel, recurrent_kernel[, bias]) as (kind, PyTorch tensors without suffix)."""
    if len(arrays) not in (2, 3):
        raise ModelFileError(path, f"{layer.title}: expected 2 or 3 cell variables, found {len(arrays)}")
    kernel, rec = arrays[0], arrays[1]
    bias = arrays[2] if len(arrays) == 3 else None
    if kernel.ndim != 2 or rec.ndim != 2 or rec.shape[0] == 0 or rec.shape[1] % rec.shape[0]:
        raise ModelFileError(
            path, f"{layer.title}: kernel {kernel.shape} and recurrent kernel {rec.shape} do not fit a cell"
        )
    units = rec.shape[0]
    gates = rec.shape[1] // units
    if gates not in _GATES or kernel.shape[1] != rec.shape[1]:
        raise ModelFileError(path, f"{layer.title}: recurrent kernel {rec.shape} is not an LSTM, GRU or SimpleRNN cell")
    kind = _GATES[gates]
    rows = gates * units
    if kind == "gru":
        # Keras column blocks z, r, h → PyTorch row blocks r, z, n.
        def reorder(m: np.ndarray) -> np.ndarray:
            z, r, h = np.split(m, 3, axis=-1)
            return np.concatenate([r, z, h], axis=-1)

        tensors = {"weight_ih": reorder(kernel).T.copy(), "weight_hh": reorder(rec).T.copy()}
        if bias is not None and reset_after is not None and bias.shape != ((2, rows) if reset_after else (rows,)):
            raise ModelFileError(path, f"{layer.title}: reset_after={reset_after} but the bias has shape {bias.shape}")
        if bias is not None and bias.shape == (2, rows):
            tensors.update(bias_ih=reorder(bias[0]), bias_hh=reorder(bias[1]))
            reset_after = True if reset_after is None else reset_after
        elif bias is not None and bias.shape == (rows,):
            tensors.update(bias_ih=reorder(bias), bias_hh=np.zeros(rows))
            reset_after = False if reset_after is None else reset_after
        elif bias is not None:
            raise ModelFileError(
                path, f"{layer.title}: GRU bias has shape {bias.shape}, expected (2, {rows}) or ({rows},)"
            )
        if reset_after is None:
            reset_after = True
        return ("gru" if reset_after else "gru-classic"), tensors
    tensors = {"weight_ih": kernel.T.copy(), "weight_hh": rec.T.copy()}
    if bias is not None:
        if bias.shape != (rows,):
            raise ModelFileError(path, f"{layer.title}: bias has shape {bias.shape}, expected ({rows},)")
        # LSTM: Keras i, f, c, o is PyTorch's i, f, g, o; one bias, so bias_hh is zero.
        tensors.update(bias_ih=bias.copy(), bias_hh=np.zeros(rows))
    return kind, tensors


def _assumptions_without_config(layers: list[KerasLayer]) -> list[Assumption]:
    found: list[Assumption] = []
    recurrent = [layer for layer in layers if layer.cells]
    if any(
        _GATES.get(lay.cells[False][1].shape[1] // max(lay.cells[False][1].shape[0], 1)) == "rnn" for lay in recurrent
    ):
        found.append(
            Assumption(
                "cell",
                "rnn",
                "a .weights.h5 does not record a SimpleRNN's activation (tanh or relu)",
                "give --cell rnn-relu if it was built with activation='relu', or " + _OPEN_KERAS,
                ("rnn-relu",),
            )
        )
    elif recurrent:
        found.append(
            Assumption(
                "activations",
                "tanh/sigmoid",
                "a .weights.h5 does not record activation and recurrent_activation (Keras' defaults assumed)",
                _OPEN_KERAS,
            )
        )
    if any(
        len(lay.cells[False]) == 2 and lay.cells[False][1].shape[1] == 3 * lay.cells[False][1].shape[0]
        for lay in recurrent
    ):
        found.append(
            Assumption(
                "cell",
                "gru",
                "a GRU without bias does not show whether reset_after is True (Keras' default) or False",
                "give --cell gru-classic if it was built with reset_after=False, or " + _OPEN_KERAS,
                ("gru-classic",),
            )
        )
    if any(len(lay.cells) == 1 for lay in recurrent):
        found.append(Assumption("go_backwards", "False", "a .weights.h5 does not record go_backwards", _OPEN_KERAS))
    if any(len(lay.cells) == 2 for lay in recurrent):
        found.append(
            Assumption(
                "merge_mode", "concat", "a .weights.h5 does not record a Bidirectional layer's merge_mode", _OPEN_KERAS
            )
        )
    return found


def _read(path: Path, source: Any, configs: list[dict[str, Any]] | None, label: str) -> FileContents:
    groups = _read_groups(path, source)
    layers = match_config(path, groups, configs) if configs is not None else _guess_classes(groups)
    recurrent_at = [k for k, layer in enumerate(layers) if layer.cells]
    if not recurrent_at:
        raise ModelFileError(path, "holds no LSTM, GRU or SimpleRNN layer")
    first, top = recurrent_at[0], recurrent_at[-1]
    for layer in layers[first : top + 1]:
        if not layer.cells:
            raise ModelFileError(
                path, f"{layer.title} sits between recurrent layers; the engine shows a plain stack of recurrent layers"
            )
    tensors: Tensors = {}
    kinds: dict[str, str] = {}
    merge_modes: list[str] = []
    backwards: list[bool] = []
    notes: list[str] = []
    for k, layer in enumerate(layers[first : top + 1]):
        named_kind = check_recurrent(path, layer) if configs is not None else None
        cfg = layer.inner
        if configs is not None and not cfg.get("use_bias", True) and any(len(a) == 3 for a in layer.cells.values()):
            raise ModelFileError(path, f"{layer.title}: use_bias=False but the file holds a bias")
        reset_after = cfg.get("reset_after") if configs is not None else None
        if layer.class_name == "Bidirectional":
            mode = layer.config.get("merge_mode", "concat")
            if mode not in ("concat", "sum", "mul", "ave"):
                raise ModelFileError(
                    path, f"{layer.title}: merge_mode={mode!r} is not supported (concat, sum, mul, ave)"
                )
            merge_modes.append(mode)
            backwards.append(False)
        else:
            merge_modes.append("concat")
            backwards.append(bool(cfg.get("go_backwards", False)))
        for reverse, arrays in layer.cells.items():
            kind, cell = _cell_to_torch(path, layer, arrays, reset_after)
            if named_kind is not None:
                kind = named_kind
            kinds[layer.title] = kind
            end = f"_l{k}" + ("_reverse" if reverse else "")
            tensors.update({f"rnn.{family}{end}": value for family, value in cell.items()})
    if len(set(kinds.values())) != 1:
        shown = ", ".join(f"{title}: {kind}" for title, kind in kinds.items())
        raise ModelFileError(path, f"mixes cell kinds ({shown}); the engine shows one kind per model")
    if configs is None:
        _check_concat_widths(path, layers[first : top + 1])
    directions = {len(layer.cells) for layer in layers[first : top + 1]}
    if len(directions) != 1:
        raise ModelFileError(
            path, "mixes bidirectional and one-way recurrent layers; the engine shows one or the other"
        )
    if any(backwards) and 2 in directions:
        raise ModelFileError(path, "a go_backwards layer in a bidirectional stack is not supported")
    contents = FileContents(tensors, source=label)
    _before(path, layers[:first], tensors, contents)
    if configs is not None:
        contents.readout_problem = check_graph(
            path, configs, layers[:first], layers[first : top + 1], layers[top + 1 :]
        )
    if contents.readout_problem is None:
        _head(path, layers[top + 1 :], configs is not None, contents)
    top_cfg = layers[top].inner
    if configs is not None and top_cfg.get("return_sequences") is False and "fc.weight" in tensors:
        notes.append("the model's top layer returns only its last step; the readout is shown at every step")
    kind = next(iter(kinds.values()))
    contents.metadata = {
        "cell": kind,
        "source": "keras",
        "merge_modes": json.dumps(merge_modes),
        "go_backwards": json.dumps(backwards),
    }
    if configs is not None:
        described = ", ".join(
            f"Bidirectional({layer.inner_class})" if layer.class_name == "Bidirectional" else layer.class_name
            for layer in layers[first : top + 1]
        )
        contents.cell_source = f"config.json: {described}"
        if kind in ("rnn", "rnn-relu"):
            contents.cell_source += f" (activation={'relu' if kind == 'rnn-relu' else 'tanh'})"
    else:
        contents.cell_source = "weight shapes (a .weights.h5 has no config)"
        contents.assumptions = _assumptions_without_config(layers[first : top + 1])
    contents.notes += notes
    return contents


def _check_concat_widths(path: Path, stack: list[KerasLayer]) -> None:
    """Without a config, a Bidirectional layer is assumed to concatenate; a layer above that reads
    only H values shows it merged otherwise (sum, mul or ave: the file cannot say which)."""
    for below, above in itertools.pairwise(stack):
        units = below.cells[False][1].shape[0]
        reads = above.cells[False][0].shape[0]
        if len(below.cells) == 2 and reads == units:
            raise ModelFileError(
                path,
                f"layer {below.group} merges its directions by sum, mul or ave (layer {above.group} reads {units} "
                f"values), and a .weights.h5 does not say which; " + _OPEN_KERAS,
            )


def _before(path: Path, layers: list[KerasLayer], tensors: Tensors, contents: FileContents) -> None:
    """Layers before the recurrent stack: at most an Embedding."""
    for layer in layers:
        if layer.class_name != "Embedding" or len(layer.arrays) != 1 or layer.arrays[0].ndim != 2:
            raise ModelFileError(
                path, f"{layer.title} before the recurrent layers is not supported (only an Embedding)"
            )
        if "embedding.weight" in tensors:
            raise ModelFileError(path, f"{layer.title}: a second Embedding before the recurrent layers")
        tensors["embedding.weight"] = layer.arrays[0]
        if layer.config.get("mask_zero"):
            contents.assumptions.append(
                Assumption(
                    "mask_zero",
                    "off",
                    f"{layer.title} has mask_zero=True: Keras carries the state over steps whose token id is 0, "
                    "the engine computes every step",
                    "the numbers equal Keras' for inputs without token 0",
                )
            )


def _head(path: Path, layers: list[KerasLayer], has_config: bool, contents: FileContents) -> None:
    """Layers after the recurrent stack: one Dense (or TimeDistributed(Dense)) is the readout."""
    if not layers:
        return
    names = ", ".join(layer.title for layer in layers)
    if len(layers) > 1:
        contents.readout_problem = (
            f"readout not recognised: {names} follow the recurrent layers; the app computes one linear readout"
        )
        return
    layer = layers[0]
    dense = layer.config.get("layer", {}).get("config", {}) if layer.class_name == "TimeDistributed" else layer.config
    if layer.inner_class != "Dense" or len(layer.arrays) not in (1, 2) or layer.arrays[0].ndim != 2:
        contents.readout_problem = f"readout not recognised: {layer.title} is not a Dense layer"
        return
    activation = dense.get("activation", "linear")
    if activation not in ("linear", "softmax"):
        contents.readout_problem = (
            f"readout not recognised: {layer.title} has activation={activation!r} (linear or softmax are computed)"
        )
        return
    contents.tensors["fc.weight"] = layer.arrays[0].T.copy()
    if len(layer.arrays) == 2:
        contents.tensors["fc.bias"] = layer.arrays[1]
    if not has_config:
        contents.assumptions.append(
            Assumption(
                "readout activation",
                "linear or softmax",
                f"a .weights.h5 does not record the activation of {layer.group}",
                _OPEN_KERAS,
            )
        )


def read_keras_weights(path: Path) -> FileContents:
    """A ``.weights.h5`` file."""
    return _read(path, str(path), None, "Keras 3 .weights.h5 (no config)")


def read_keras_archive(path: Path) -> FileContents:
    """A ``.keras`` archive: ``config.json`` (read as JSON) and ``model.weights.h5``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            weights = archive.read("model.weights.h5") if "model.weights.h5" in names else None
            config_text = archive.read("config.json") if "config.json" in names else None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(path, f"not a readable .keras archive ({exc})") from None
    if weights is None:
        raise ModelFileError(path, "the .keras archive has no model.weights.h5")
    try:
        config = json.loads(config_text) if config_text is not None else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(path, f"config.json is not valid JSON ({exc})") from None
    if config is None:
        return _read(path, io.BytesIO(weights), None, "Keras 3 .keras archive without config.json")
    return _read(path, io.BytesIO(weights), config_layers(path, config), "Keras 3 .keras archive")
