"""Prediction effects of held units, against a direct computation of the readout."""

import numpy as np
import pytest

from lstm_explorer.analysis.effects import prediction_effect
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models import resolve_model
from lstm_explorer.tasks import BracketsTask


def test_ablating_the_depth_unit_costs_loss_and_equals_a_direct_computation():
    model = resolve_model("brackets")
    text = BracketsTask().sequence(np.random.default_rng(1), 2000)[0]
    ids = model.tokens(text)
    X = model.encode_tokens(ids)
    plain = model.network.run(X)
    held = model.network.run(X, interventions=[Intervention("c", (12,), 0.0)])
    effect = prediction_effect(model, plain, held, ids)
    assert effect.p_plain.shape == (len(text) - 1,)

    def direct(traces):
        """Cross-entropy of the next character: −log softmax(W h + b), by log-sum-exp."""
        logits = model.top_outputs(traces) @ model.extras["fc.weight"].T + model.extras["fc.bias"]
        top = logits.max(axis=1, keepdims=True)
        log_p = logits - top - np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
        return -log_p[np.arange(len(text) - 1), ids[1:]]

    assert np.max(np.abs(effect.loss_held - direct(held))) <= 1e-12
    assert np.max(np.abs(effect.loss_plain - direct(plain))) <= 1e-12
    assert effect.mean_delta_loss == pytest.approx(np.mean(direct(held) - direct(plain)), abs=1e-12)
    assert effect.mean_delta_loss > 0.2  # the model needs its depth counter
    same = prediction_effect(model, plain, plain, ids)
    assert same.mean_delta_loss == 0.0 and not same.delta_p.any()


def test_numeric_models_are_refused():
    model = resolve_model("sine")
    traces = model.network.run(np.zeros((3, model.input_size)))
    with pytest.raises(ValueError, match="text model"):
        prediction_effect(model, traces, traces, [0, 0, 0])
