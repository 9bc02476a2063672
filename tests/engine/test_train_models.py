"""Training a Model further (what the window can offer): a copy is trained, the original stays."""

import numpy as np
import pytest

from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.training import continue_training, network_from_model, train_task


def test_network_from_model_round_trips_the_numbers():
    model = load_bundled("sine")
    net = network_from_model(model)
    assert np.array_equal(net.tensors["fc.weight"], model.extras["fc.weight"])
    assert np.array_equal(net.tensors["rnn.weight_hh_l0"], model.network.tensors["weight_hh_l0"])


def test_continue_training_leaves_the_original_alone():
    model = load_bundled("sine")
    before = model.network.tensors["weight_hh_l0"].copy()
    trained, result = continue_training(model, "sine", steps=3, batch_size=4)
    assert result.steps == 3 and np.array_equal(model.network.tensors["weight_hh_l0"], before)
    assert not np.array_equal(trained.network.tensors["weight_hh_l0"], before)
    with pytest.raises(ValueError, match="sine reads 1 inputs; the brackets task gives 5"):
        continue_training(model, "brackets", steps=1)


def test_train_task_builds_a_text_model():
    trained = train_task("remember", cell="coupled", hidden=3, steps=2, batch_size=2)
    model = trained.model("tiny")
    assert model.kind == "coupled" and model.vocabulary == "abcdxyz?" and model.task == "text"
    assert model.readout(model.top_outputs(model.run(model.encode_text("ab?")))).shape == (3, 8)
