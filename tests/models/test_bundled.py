"""The bundled models load, carry their presets, and do what scripts/train_bundled_models.py
reported (evaluated here, never trained: the files are the ones shipped)."""

import json

import numpy as np
import pytest

from lstm_explorer.models.bundled import DEFAULT_MODEL, bundled_names, list_bundled, load_bundled
from lstm_explorer.models.measure import brackets_cross_entropy, depth_correlation, recall_accuracy, sine_error


def test_every_bundle_is_listed_and_loads():
    assert bundled_names() == ["brackets", "remember", "remember-rnn", "sine"]
    assert DEFAULT_MODEL in bundled_names()
    for name, description in list_bundled():
        model = load_bundled(name)
        assert model.name == name and model.description == description and model.has_readout
        assert model.presets, name
        if model.task == "text":
            for preset in model.presets:
                model.encode_text(preset)  # every preset is valid input
            assert model.output_labels == list(model.vocabulary)
        else:
            assert model.vocabulary is None and model.output_size == 1
        assert json.loads(model.metadata["training"])["measured"]


def test_load_bundled_returns_independent_copies():
    a, b = load_bundled("sine"), load_bundled("sine")
    a.network.tensors["weight_hh_l0"][0, 0] += 1.0
    assert a.network.tensors["weight_hh_l0"][0, 0] != b.network.tensors["weight_hh_l0"][0, 0]


def test_brackets_counts_the_depth_and_predicts_near_the_optimum():
    model = load_bundled("brackets")
    stored = json.loads(model.metadata["training"])["measured"]
    unit, r = depth_correlation(model, sequences=40)
    assert unit == stored["depth_unit"] and abs(r) >= 0.9
    ce, best, blind = brackets_cross_entropy(model, sequences=40)
    assert ce - best < 0.01 < blind - ce


def test_lstm_remembers_what_the_rnn_forgets():
    lstm = recall_accuracy(load_bundled("remember"), (2, 20, 50), trials=40)
    rnn = recall_accuracy(load_bundled("remember-rnn"), (2, 20, 50), trials=40)
    assert min(lstm.values()) >= 0.95
    assert all(rnn[d] <= lstm[d] - 0.25 for d in (20, 50)), (lstm, rnn)


def test_sine_predicts_the_next_value():
    rmse, naive = sine_error(load_bundled("sine"), waves=30)
    assert rmse < 0.05 and rmse < 0.2 * naive


def test_remember_readout_on_a_preset():
    model = load_bundled("remember")
    text = model.presets[2]
    probs = model.readout(model.top_outputs(model.run(model.encode_text(text))))
    assert model.vocabulary[int(np.argmax(probs[-1]))] == text[0]


@pytest.mark.parametrize("name", ["brackets", "remember", "sine"])
def test_bundles_are_plain_pytorch_state_dicts(name):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    from lstm_explorer.models.bundled import bundled_path

    model = load_bundled(name)
    module = torch.nn.Module()
    module.rnn = torch.nn.LSTM(model.input_size, model.hidden_size, batch_first=True).double()
    module.fc = torch.nn.Linear(model.hidden_size, model.output_size).double()
    module.load_state_dict(load_file(bundled_path(name)))
    text = model.presets[0]
    X = model.encode_text(text) if model.has_vocabulary else np.array([[float(v)] for v in text.split(";")])
    with torch.no_grad():
        out, _ = module.rnn(torch.tensor(X)[None])
        values = module.fc(out)[0]
        expected = (torch.softmax(values, dim=-1) if model.task == "text" else values).numpy()
    assert np.abs(model.readout(model.top_outputs(model.run(X))) - expected).max() <= 1e-12
