"""Files written by the real frameworks at test time equal what the frameworks compute.

Keras 3 (torch backend, float64), PyTorch (float64) and torch.onnx.export + onnxruntime. Where the
framework computes in float32 (Keras SimpleRNN, GRU(reset_after=False) and Dense on the torch backend;
onnxruntime) the float64 reference is a recomputation from the file's own weights, and the framework's
float32 output is checked too, to float32 accuracy. See framework_cases.py for every case.
"""

import os
from dataclasses import replace

import numpy as np
import pytest

from .framework_cases import Case, engine_outputs, keras_cases, max_delta, onnx_cases, torch_cases

FLOAT64 = 1e-12
FLOAT32 = 1e-6


def check(cases: list[Case]) -> None:
    worst = {case.name: max_delta(case) for case in cases}
    assert max(worst.values()) <= FLOAT64, {name: f"{d:.1e}" for name, d in worst.items() if d > FLOAT64}
    for case in cases:
        if case.float32:
            assert max_delta(case, case.float32) <= FLOAT32, case.name


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("h5py")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("these cases run Keras on the torch backend")
    return {case.name: case for case in keras_cases(tmp_path_factory.mktemp("keras"))}


@pytest.fixture(scope="module")
def torch_files(tmp_path_factory):
    pytest.importorskip("torch")
    return {case.name: case for case in torch_cases(tmp_path_factory.mktemp("torch"))}


@pytest.fixture(scope="module")
def onnx_files(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")  # torch.onnx.export(dynamo=True) needs it
    return {case.name: case for case in onnx_cases(tmp_path_factory.mktemp("onnx"))}


def test_keras_files_equal_keras(keras_files):
    check(list(keras_files.values()))


def test_torch_files_equal_pytorch(torch_files):
    check(list(torch_files.values()))


def test_onnx_files_equal_pytorch_and_onnxruntime(onnx_files):
    check(list(onnx_files.values()))


def test_keras_layers_are_matched_by_class_and_order_not_name(keras_files):
    import json
    import zipfile

    case = keras_files["keras-renamed-relu-stack"]
    config = json.loads(zipfile.ZipFile(case.file).read("config.json"))
    names = [layer["config"]["name"] for layer in config["config"]["layers"][1:]]
    assert names != ["simple_rnn", "simple_rnn_1"]  # the weight groups' names: matching by name fails
    model, _ = engine_outputs(case)
    assert model.kind == "rnn-relu" and not model.assumptions


def test_keras_settings_are_read_from_the_config(keras_files):
    model, _ = engine_outputs(keras_files["keras-bidirectional-sum"])
    assert model.network.merge_modes == ("sum", "sum") and model.network.output_size(0) == 4
    model, _ = engine_outputs(keras_files["keras-go-backwards"])
    assert model.network.backwards == (True, False)
    model, _ = engine_outputs(keras_files["keras-widths-16-8-dense"])
    assert model.network.hidden_sizes == (16, 8) and model.readout_keys == ("fc.weight", "fc.bias")
    model, _ = engine_outputs(keras_files["keras-gru-classic"])
    assert model.kind == "gru-classic" and "config.json" in model.cell_source


def test_keras_weights_file_says_what_it_assumed(keras_files):
    model, _ = engine_outputs(keras_files["keras-lstm-weights-h5"])
    assumed = {a.setting: a for a in model.assumptions}
    assert set(assumed) == {"activations", "go_backwards"} and ".keras" in assumed["go_backwards"].change


def test_torch_rnn_state_dict_assumes_tanh_and_names_the_flag(torch_files):
    from lstm_explorer.models import load_model_file

    case = torch_files["torch-rnn-relu --cell rnn-relu"]
    model = load_model_file(case.file)
    (assumption,) = model.assumptions
    assert (
        model.kind == "rnn" and "--cell rnn-relu" in assumption.message() and assumption.alternatives == ("rnn-relu",)
    )
    assert max_delta(replace(case, load={})) > 1e-3  # what opening it as tanh shows: hence the notice


def test_cell_state_dicts_are_one_layer(torch_files):
    model, _ = engine_outputs(torch_files["torch LSTMCell state_dict"])
    assert model.module == "encoder.cell" and model.network.num_layers == 1 and "single cell" in model.notes[0]


def test_tied_weights_keep_the_embedding(torch_files):
    for name in ("tied word model .pt", "tied word model save_model .safetensors"):
        model, _ = engine_outputs(torch_files[name])
        assert model.embedding_key == "encoder.weight" and model.tied_weights, name
        assert model.readout_keys is not None and model.output_size == 10


def test_several_modules_are_listed_never_silently_the_first(torch_files):
    from lstm_explorer.models import ModuleChoiceError, load_model_file

    case = torch_files["encoder+decoder --module decoder"]
    with pytest.raises(ModuleChoiceError, match=r"2 recurrent modules \(encoder, decoder\).*--module") as info:
        load_model_file(case.file)
    assert info.value.modules == ["encoder", "decoder"]
    with pytest.raises(ModuleChoiceError, match="no recurrent module 'middle'"):
        load_model_file(case.file, module="middle")
    model = load_model_file(case.file, module="decoder")
    assert model.kind == "gru" and model.modules == ["encoder", "decoder"]


def test_onnx_gate_orders_and_directions(onnx_files):
    model, got = engine_outputs(onnx_files["onnx LSTM 2 layers bidirectional"])
    assert model.kind == "lstm" and model.network.bidirectional and model.network.num_layers == 2
    model, _ = engine_outputs(onnx_files["onnx RNN relu (legacy exporter)"])
    assert model.kind == "rnn-relu" and not model.assumptions
    assert np.isfinite(got["out1"]).all()


def test_recurrent_modules_lists_what_a_chooser_offers(torch_files, onnx_files):
    from lstm_explorer.models.model import recurrent_modules

    assert recurrent_modules(torch_files["encoder+decoder --module decoder"].file) == ["encoder", "decoder"]
    assert len(recurrent_modules(onnx_files["onnx LSTM 2 layers bidirectional"].file)) == 1  # two nodes, one stack
