"""Keras 3 weights (.weights.h5 and .keras), written here with h5py in the layout Keras 3 saves
(``layers/<name>/cell/vars/{0,1,2}``, ``layers/<name>/vars/…``), checked against the Keras
equations computed directly from the Keras arrays (kernel (in, g·U), x·W + h·U + b)."""

import io
import json
import zipfile

import numpy as np
import pytest

from lstm_explorer.models import ModelFileError, load_model_file

h5py = pytest.importorskip("h5py")
TOL = 1e-12


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def keras_lstm(X, kernel, rec, bias):
    U = rec.shape[0]
    h, c, hs = np.zeros(U), np.zeros(U), []
    for x in X:
        z = x @ kernel + h @ rec + bias
        i, f, g, o = sigmoid(z[:U]), sigmoid(z[U : 2 * U]), np.tanh(z[2 * U : 3 * U]), sigmoid(z[3 * U :])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.array(hs)


def keras_gru(X, kernel, rec, bias):
    U = rec.shape[0]
    h, hs = np.zeros(U), []
    for x in X:
        if bias.ndim == 2:  # reset_after=True
            xz = x @ kernel + bias[0]
            hz = h @ rec + bias[1]
            z = sigmoid(xz[:U] + hz[:U])
            r = sigmoid(xz[U : 2 * U] + hz[U : 2 * U])
            hh = np.tanh(xz[2 * U :] + r * hz[2 * U :])
        else:  # reset_after=False: the reset gate scales h before the matmul
            xz = x @ kernel + bias
            z = sigmoid(xz[:U] + h @ rec[:, :U])
            r = sigmoid(xz[U : 2 * U] + h @ rec[:, U : 2 * U])
            hh = np.tanh(xz[2 * U :] + (r * h) @ rec[:, 2 * U :])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.array(hs)


def keras_simple_rnn(X, kernel, rec, bias, act=np.tanh):
    h, hs = np.zeros(rec.shape[0]), []
    for x in X:
        h = act(x @ kernel + h @ rec + bias)
        hs.append(h)
    return np.array(hs)


def cell_arrays(rng, n_in, units, gates, bias_shape=None):
    return (
        rng.normal(size=(n_in, gates * units)),
        rng.normal(size=(units, gates * units)),
        rng.normal(size=bias_shape or (gates * units,)),
    )


def write_cell(h5, path, arrays):
    for k, a in enumerate(arrays):
        h5.create_dataset(f"{path}/cell/vars/{k}", data=a)


def test_lstm_stack_with_embedding_and_dense(tmp_path):
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(7, 3))
    l0 = cell_arrays(rng, 3, 4, 4)
    l1 = cell_arrays(rng, 4, 4, 4)
    dense = (rng.normal(size=(4, 7)), rng.normal(size=7))
    path = tmp_path / "m.weights.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("layers/embedding/vars/0", data=emb)
        write_cell(h5, "layers/lstm", l0)
        write_cell(h5, "layers/lstm_1", l1)
        h5.create_dataset("layers/dense/vars/0", data=dense[0])
        h5.create_dataset("layers/dense/vars/1", data=dense[1])
        h5.create_group("vars")  # the model's own (empty) variables, as Keras writes them
    model = load_model_file(path)
    assert model.kind == "lstm" and model.network.num_layers == 2 and model.task == "text"
    tokens = [0, 3, 6, 2, 2, 5, 1]
    X = model.encode_tokens(tokens)
    assert np.array_equal(X, emb[tokens])
    h = model.top_outputs(model.run(X))
    expected_h = keras_lstm(keras_lstm(emb[tokens], *l0), *l1)
    assert np.abs(h - expected_h).max() <= TOL
    logits = expected_h @ dense[0] + dense[1]
    assert np.abs(model.logits(h) - logits).max() <= TOL


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_both_reset_placements(tmp_path, reset_after):
    rng = np.random.default_rng(1)
    arrays = cell_arrays(rng, 2, 3, 3, (2, 9) if reset_after else (9,))
    path = tmp_path / "g.weights.h5"
    with h5py.File(path, "w") as h5:
        write_cell(h5, "layers/gru", arrays)
    model = load_model_file(path)
    assert model.kind == ("gru" if reset_after else "gru-classic")
    X = rng.normal(size=(8, 2)) * 2
    assert np.abs(model.top_outputs(model.run(X)) - keras_gru(X, *arrays)).max() <= TOL


def test_bidirectional_simple_rnn(tmp_path):
    rng = np.random.default_rng(2)
    fw, bw = cell_arrays(rng, 2, 3, 1), cell_arrays(rng, 2, 3, 1)
    path = tmp_path / "b.weights.h5"
    with h5py.File(path, "w") as h5:
        write_cell(h5, "layers/bidirectional/forward_layer", fw)
        write_cell(h5, "layers/bidirectional/backward_layer", bw)
    model = load_model_file(path)
    assert model.kind == "rnn" and model.network.bidirectional
    X = rng.normal(size=(6, 2))
    expected = np.concatenate([keras_simple_rnn(X, *fw), keras_simple_rnn(X[::-1], *bw)[::-1]], axis=1)
    assert np.abs(model.top_outputs(model.run(X)) - expected).max() <= TOL


def keras_archive(path, config, build):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        build(h5)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.6.0"}))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", buffer.getvalue())


def sequential(*layers):
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": list(layers)}}


def test_keras_archive_uses_config_for_order_and_activation(tmp_path):
    rng = np.random.default_rng(3)
    # Layer names differ from the weight groups' (Keras names groups by class and order): the
    # config's n-th SimpleRNN is the n-th simple_rnn group, whatever it is called.
    first, second = cell_arrays(rng, 2, 3, 1), cell_arrays(rng, 3, 3, 1)
    config = sequential(
        {"class_name": "InputLayer", "config": {"name": "input"}},
        {"class_name": "SimpleRNN", "config": {"name": "zeta", "activation": "relu"}},
        {"class_name": "SimpleRNN", "config": {"name": "simple_rnn", "activation": "relu"}},
    )

    def build(h5):
        write_cell(h5, "layers/simple_rnn", first)
        write_cell(h5, "layers/simple_rnn_1", second)

    keras_archive(tmp_path / "m.keras", config, build)
    model = load_model_file(tmp_path / "m.keras")
    assert model.kind == "rnn-relu" and model.network.num_layers == 2
    X = rng.normal(size=(5, 2))
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    expected = keras_simple_rnn(keras_simple_rnn(X, *first, act=relu), *second, act=relu)
    assert np.abs(model.top_outputs(model.run(X)) - expected).max() <= TOL


def test_keras_archive_refuses_other_activations(tmp_path):
    rng = np.random.default_rng(4)
    config = sequential(
        {"class_name": "LSTM", "config": {"name": "lstm", "recurrent_activation": "hard_sigmoid"}},
    )
    keras_archive(tmp_path / "h.keras", config, lambda h5: write_cell(h5, "layers/lstm", cell_arrays(rng, 2, 3, 4)))
    with pytest.raises(
        ModelFileError, match=r"h\.keras: layer lstm \(LSTM\): recurrent_activation='hard_sigmoid' is not supported"
    ):
        load_model_file(tmp_path / "h.keras")


def test_keras_files_without_recurrent_layers_or_legacy(tmp_path):
    with h5py.File(tmp_path / "d.weights.h5", "w") as h5:
        h5.create_dataset("layers/dense/vars/0", data=np.zeros((2, 2)))
    with pytest.raises(ModelFileError, match=r"d\.weights\.h5: holds no LSTM, GRU or SimpleRNN layer"):
        load_model_file(tmp_path / "d.weights.h5")
    with h5py.File(tmp_path / "old.h5", "w") as h5:
        h5.attrs["layer_names"] = [b"lstm"]
    with pytest.raises(ModelFileError, match=r"old\.h5: is a Keras 2 \(legacy\) HDF5 file"):
        load_model_file(tmp_path / "old.h5")
    with zipfile.ZipFile(tmp_path / "e.keras", "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ModelFileError, match=r"e\.keras: the \.keras archive has no model\.weights\.h5"):
        load_model_file(tmp_path / "e.keras")


def test_wrong_keras_shapes(tmp_path):
    rng = np.random.default_rng(5)
    kernel, rec, _ = cell_arrays(rng, 2, 3, 4)
    with h5py.File(tmp_path / "w.weights.h5", "w") as h5:
        write_cell(h5, "layers/lstm", (kernel, rec, np.zeros(5)))
    with pytest.raises(
        ModelFileError, match=r"w\.weights\.h5: layer lstm \(LSTM\): bias has shape \(5,\), expected \(12,\)"
    ):
        load_model_file(tmp_path / "w.weights.h5")
