"""The bundled models load, carry their presets, and do what scripts/train_bundled_models.py
reported (evaluated here, never trained: the files are the ones shipped)."""

import json

import numpy as np
import pytest

from lstm_explorer.models.bundled import DEFAULT_MODEL, bundled_names, list_bundled, load_bundled
from lstm_explorer.models.measure import brackets_cross_entropy, depth_correlation, recall_accuracy, sine_error
from lstm_explorer.tasks import RememberTask


def test_every_bundle_is_listed_and_loads():
    assert bundled_names() == ["brackets", "remember", "remember-rnn", "sine", "adding", "adding-rnn"]
    assert DEFAULT_MODEL in bundled_names()
    for name, description in list_bundled():
        model = load_bundled(name)
        assert model.name == name and model.description == description and model.has_readout
        assert model.presets, name
        if model.task == "text":
            for preset in model.presets:
                model.encode_text(preset)  # every preset is valid input
            assert model.vocabulary is not None and model.output_labels == list(model.vocabulary)
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


def test_remember_lstm_and_rnn_both_recall_at_every_delay():
    """Trained the same way (same delay curriculum over 1..50, steps, optimiser, seed), both cells
    learn the task, and neither memory fades with the delay: the training script measured 1.00 for
    both at every delay from 1 to 500 (200 trials each; chance 0.25)."""
    delays = (1, 2, 50, 100, 200)
    lstm = recall_accuracy(load_bundled("remember"), delays, trials=200)
    rnn = recall_accuracy(load_bundled("remember-rnn"), delays, trials=200)
    assert min(lstm.values()) >= 0.95 and min(rnn.values()) >= 0.95, (lstm, rnn)


@pytest.mark.parametrize("name", ["remember", "remember-rnn"])
def test_remember_carries_the_figures_measured_on_it(name):
    model = load_bundled(name)
    measured = json.loads(model.metadata["training"])["measured"]
    assert measured["recall_trials"] == 200 and measured["recall_chance"] == 0.25
    table = {int(d): a for d, a in measured["recall_by_delay"].items()}
    assert max(table) >= 200 and min(table.values()) >= 0.95
    delays = (1, 50, 200)
    assert recall_accuracy(model, delays, trials=200) == {d: table[d] for d in delays}


def test_remember_rnn_latches_in_saturated_units():
    """What its description says: during the distractors most tanh units sit at ±1 (an attractor)."""
    model = load_bundled("remember-rnn")
    task = RememberTask()
    inputs, _, _ = task.sequences(np.random.default_rng(0), 20, 50)
    saturated = []
    for row in inputs:
        h = model.run(model.encode_text("".join(task.vocabulary[k] for k in row)))[(0, False)]["h"]
        saturated.append(np.mean(np.abs(h[1:-1]) > 0.95))
    assert np.mean(saturated) >= 0.7


def test_sine_predicts_the_next_value():
    rmse, naive = sine_error(load_bundled("sine"), waves=30)
    assert rmse < 0.05 and rmse < 0.2 * naive


def test_remember_readout_on_a_preset():
    model = load_bundled("remember")
    text = model.presets[2]
    probs = model.readout(model.top_outputs(model.run(model.encode_text(text))))
    assert model.vocabulary is not None and model.vocabulary[int(np.argmax(probs[-1]))] == text[0]


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


def test_brackets_points_at_its_depth_counter():
    from lstm_explorer.models import resolve_model

    model = resolve_model("brackets")
    measured = json.loads(model.metadata["training"])["measured"]
    assert model.featured_units == [measured["depth_unit"]]
