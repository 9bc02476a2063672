"""A random model of another cell kind keeps what the open model reads and writes."""

import numpy as np

from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.variants import random_like


def test_a_gru_on_brackets_reads_the_same_text_and_predicts_the_same_characters():
    brackets = load_bundled("brackets")
    gru = random_like(brackets, "gru", hidden_size=8, num_layers=2, seed=3)
    assert gru.kind == "gru" and gru.network.hidden_size == 8 and gru.network.num_layers == 2
    assert gru.vocabulary == brackets.vocabulary and gru.presets == brackets.presets
    assert gru.output_labels == brackets.output_labels
    X = gru.encode_text("(a(b)c)")
    probs = gru.readout(gru.top_outputs(gru.run(X)))
    assert probs.shape == (7, len(brackets.vocabulary)) and np.allclose(probs.sum(axis=1), 1.0)
    again = random_like(brackets, "gru", hidden_size=8, num_layers=2, seed=3)
    np.testing.assert_array_equal(again.network.tensors["weight_hh_l1"], gru.network.tensors["weight_hh_l1"])


def test_a_numeric_model_keeps_its_input_size():
    sine = load_bundled("sine")
    rnn = random_like(sine, "rnn", hidden_size=5, num_layers=1)
    assert rnn.input_size == sine.input_size and not rnn.has_vocabulary
    assert rnn.output_size == sine.output_size
