"""A hand-edited or truncated Keras config.json: every part of a Functional config replaced by a value
of each JSON type ends in a model or in one ModelFileError naming the file, never another exception.

The config is written here in the shape Keras 3 saves (Input → Embedding → Bidirectional(LSTM) →
Dropout → Bidirectional(LSTM) → Dense, with ``inbound_nodes`` and ``keras_history``)."""

from __future__ import annotations

import copy
import zipfile

import numpy as np
import pytest

from lstm_explorer.models import ModelFileError, load_model_file
from tests.models.test_keras import cell_arrays, keras_archive, write_cell

h5py = pytest.importorskip("h5py")


def layer(class_name, name, source, **settings):
    nodes = []
    if source is not None:
        history = {"class_name": "__keras_tensor__", "config": {"keras_history": [source, 0, 0]}}
        nodes = [{"args": [history], "kwargs": {}}]
    return {"class_name": class_name, "config": {"name": name, **settings}, "name": name, "inbound_nodes": nodes}


def lstm(name, **settings):
    return {"class_name": "LSTM", "config": {"name": name, "return_sequences": True, "use_bias": True, **settings}}


FUNCTIONAL = {
    "class_name": "Functional",
    "config": {
        "name": "model",
        "layers": [
            layer("InputLayer", "input_layer", None),
            layer("Embedding", "embedding", "input_layer", mask_zero=False),
            layer(
                "Bidirectional",
                "bidirectional",
                "embedding",
                merge_mode="concat",
                layer=lstm("forward_lstm"),
                backward_layer=lstm("backward_lstm", go_backwards=True),
            ),
            layer("Dropout", "dropout", "bidirectional"),
            layer("Bidirectional", "bidirectional_1", "dropout", merge_mode="sum", layer=lstm("lstm")),
            layer("Dense", "dense", "bidirectional_1", activation="linear"),
        ],
    },
}


def weights(h5):
    rng = np.random.default_rng(0)
    h5.create_dataset("layers/embedding/vars/0", data=rng.normal(size=(10, 4)))
    write_cell(h5, "layers/bidirectional/forward_layer", cell_arrays(rng, 4, 3, 4))
    write_cell(h5, "layers/bidirectional/backward_layer", cell_arrays(rng, 4, 3, 4))
    write_cell(h5, "layers/bidirectional_1/forward_layer", cell_arrays(rng, 6, 3, 4))
    write_cell(h5, "layers/bidirectional_1/backward_layer", cell_arrays(rng, 6, 3, 4))
    h5.create_dataset("layers/dense/vars/0", data=rng.normal(size=(3, 10)))
    h5.create_dataset("layers/dense/vars/1", data=rng.normal(size=10))


def parts(value, where=()):
    """Every place in the JSON tree (dict keys and list indices), parents first."""
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from parts(item, (*where, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from parts(item, (*where, k))


def replaced(config, where, value):
    edited = copy.deepcopy(config)
    parent = edited
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    return edited


PLACES = [where for where in parts(FUNCTIONAL) if where]
WRONG_TYPES = [None, 7, "x", [], {}, [None], True]


def test_the_functional_config_written_here_opens(tmp_path):
    keras_archive(tmp_path / "m.keras", FUNCTIONAL, weights)
    model = load_model_file(tmp_path / "m.keras")
    assert model.kind == "lstm" and model.network.num_layers == 2 and model.network.bidirectional


@pytest.mark.parametrize("where", PLACES, ids=lambda where: ".".join(map(str, where)))
def test_any_part_of_any_type_opens_or_is_one_refusal(tmp_path, where):
    outcomes = set()
    for k, value in enumerate(WRONG_TYPES):
        path = tmp_path / f"m{k}.keras"
        keras_archive(path, replaced(FUNCTIONAL, where, value), weights)
        try:
            load_model_file(path)
            outcomes.add("opened")
        except ModelFileError as refusal:
            assert str(refusal).startswith(f"{path.name}: ") and "\n" not in str(refusal)
            outcomes.add("refused")
    assert outcomes


def test_a_config_without_layers_names_what_is_missing(tmp_path):
    keras_archive(tmp_path / "m.keras", {"class_name": "Functional", "config": {"layers": 5}}, weights)
    with pytest.raises(ModelFileError, match=r"^m\.keras: config\.json has no list of layers"):
        load_model_file(tmp_path / "m.keras")


def test_a_mistyped_setting_is_named_by_its_place(tmp_path):
    config = replaced(FUNCTIONAL, ("config", "layers", 2, "config", "backward_layer", "config", "go_backwards"), "yes")
    keras_archive(tmp_path / "m.keras", config, weights)
    place = r"config\.layers\[2\]\.config\.backward_layer\.config\.go_backwards"
    with pytest.raises(ModelFileError, match=rf"^m\.keras: config\.json: {place} is not bool$"):
        load_model_file(tmp_path / "m.keras")


def test_an_archive_without_weights_says_so_once(tmp_path):
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ModelFileError) as caught:
        load_model_file(tmp_path / "m.keras")
    assert str(caught.value) == "m.keras: the .keras archive has no model.weights.h5"


@pytest.mark.parametrize("defect", ["nan", "complex", "strings"])
def test_a_bad_weight_is_named_as_keras_names_it(tmp_path, defect):
    path = tmp_path / "m.weights.h5"
    name = "layers/bidirectional_1/forward_layer/cell/vars/0"
    with h5py.File(path, "w") as h5:
        weights(h5)
        values = h5[name][()]
        del h5[name]
        if defect == "nan":
            values[2, 1] = np.nan
        else:
            values = values + 1j if defect == "complex" else values.astype("S8")
        h5.create_dataset(name, data=values)
    with pytest.raises(ModelFileError, match=rf"^m\.weights\.h5: tensor {name} "):
        load_model_file(path)
