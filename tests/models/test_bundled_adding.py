"""The adding-problem pair, as shipped: trained identically, the LSTM solves the task and the
plain RNN does not, and the gradients show why (evaluated here, never trained)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstm_explorer.models.bundled import bundled_path, load_bundled
from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.models.measure import adding_error
from lstm_explorer.sequence import parse_numeric
from lstm_explorer.tasks import AddingTask


def test_the_pair_was_trained_identically():
    lstm, rnn = (json.loads(load_bundled(n).metadata["training"]) for n in ("adding", "adding-rnn"))
    for key in ("steps", "seed", "lr", "clip", "batch_size"):
        assert lstm[key] == rnn[key], key
    assert load_bundled("adding").kind == "lstm" and load_bundled("adding-rnn").kind == "rnn"
    assert load_bundled("adding").hidden_size == load_bundled("adding-rnn").hidden_size


def test_on_fresh_sequences_the_lstm_solves_the_task_and_the_rnn_does_not():
    """Fresh: another seed than the training script measured with. The RNN's error is that of
    always answering the mean sum (1/6)."""
    lstm_mse, lstm_solved = adding_error(load_bundled("adding"), sequences=300, seed=2026)
    rnn_mse, rnn_solved = adding_error(load_bundled("adding-rnn"), sequences=300, seed=2026)
    assert lstm_mse <= 0.01 and lstm_solved >= 0.8
    assert rnn_mse > 0.1 and rnn_solved < 0.2


@pytest.mark.parametrize("name", ["adding", "adding-rnn"])
def test_the_stored_figures_are_those_of_the_file(name):
    measured = json.loads(load_bundled(name).metadata["training"])["measured"]
    mse, solved = adding_error(load_bundled(name), sequences=measured["trials"])
    assert measured["mse"] == round(mse, 6) and measured["solved"] == round(solved, 4)


def test_the_lstm_passes_the_marked_values_to_the_answer_and_the_rnn_has_lost_them():
    """∂(answer)/∂(value at step k): about 1 where a marker is, about 0 elsewhere, for the LSTM;
    for the RNN the first marked value's gradient has vanished (below 1e-9)."""
    X, _ = AddingTask().sequences(np.random.default_rng(3), 10)
    for x in X:
        first, second = np.flatnonzero(x[:, 1])
        lstm = model_gradients(load_bundled("adding"), x, "out[0]@-1").x[:, 0]
        assert 0.6 < lstm[first] < 1.4 and 0.6 < lstm[second] < 1.4
        assert np.abs(np.delete(lstm, [first, second])).max() < 0.1
        rnn = model_gradients(load_bundled("adding-rnn"), x, "out[0]@-1").x[:, 0]
        assert abs(rnn[first]) < 1e-9


@pytest.mark.parametrize("name, module", [("adding", "LSTM"), ("adding-rnn", "RNN")])
def test_the_files_are_plain_pytorch_state_dicts(name, module):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    model = load_bundled(name)
    net = torch.nn.Module()
    net.rnn = getattr(torch.nn, module)(2, model.hidden_size, batch_first=True).double()
    net.fc = torch.nn.Linear(model.hidden_size, 1).double()
    net.load_state_dict(load_file(bundled_path(name)))
    X = parse_numeric(model.presets[0], 2)
    with torch.no_grad():
        answer = net.fc(net.rnn(torch.tensor(X)[None])[0])[0, -1, 0].item()
    assert answer == pytest.approx(model.readout(model.top_outputs(model.run(X)))[-1, 0], abs=1e-12)
    if name == "adding":
        assert abs(answer - float(np.sum(X[:, 0] * X[:, 1]))) < 0.04  # the sum, read out at the last step
