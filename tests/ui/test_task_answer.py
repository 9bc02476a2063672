"""Predictions for a model trained on a task it answers at its own steps (the adding problem): its
answer against the true sum at the last step, not against the next input."""

import numpy as np
import pytest

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.views.predictions import PredictionsPanel
from lstm_explorer.views.readout import readout_kind


@pytest.mark.parametrize(("name", "kind"), [("adding", "answer"), ("adding-rnn", "answer"), ("sine", "next-value")])
def test_the_readout_kind_comes_from_the_task(name, kind):
    assert readout_kind(load_bundled(name)) == kind


def test_the_adding_model_is_scored_against_the_sum_at_the_last_step(qtbot):
    X = np.zeros((100, 2))
    X[:, 0] = np.linspace(0.0, 1.0, 100)
    X[[3, 30], 1] = 1.0
    document = ExplorerDocument.computed(load_bundled("adding"), X)
    panel = PredictionsPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    document.playback.seek(99)
    answer = float(document.model.readout(document.top_output_at(99)[None, :])[0, 0])
    true_sum = X[3, 0] + X[30, 0]
    text = panel.text.plain_text()
    assert f"answer {answer:.4f}" in text
    assert f"true sum {true_sum:.4f}" in text and f"error {abs(answer - true_sum):.4f}" in text
    document.playback.seek(50)
    assert "reads it at t = 99" in panel.title.plain_text()
    assert "true" not in panel.text.plain_text()
