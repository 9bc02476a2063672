"""``loss@T`` of a Model: scored against what the model answers to — its training task's own loss
when it names one, otherwise the next character of a text input."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.engine.targets import LossTarget, NodeTarget, OutputTarget, TargetError
from lstm_explorer.engine.train import new_network
from lstm_explorer.models.gradients import default_target, model_gradients, resolve_target
from lstm_explorer.models.model import model_from_tensors, random_model
from lstm_explorer.tasks import AddingTask, RememberTask


def model(kind: str, task: str, trained_on: str | None, vocabulary: str | None = None, inputs: int = 2):
    outputs = len(vocabulary) if vocabulary else 1
    tensors = new_network("lstm", inputs, 3, outputs, seed=0).tensors
    metadata = {"cell": "lstm", "task": task}
    if trained_on:
        metadata["trained_on"] = trained_on
    if vocabulary:
        metadata["vocabulary"] = vocabulary
    return model_from_tensors(kind, dict(tensors), metadata)


def test_the_adding_loss_is_the_squared_error_of_the_sum_at_the_last_step():
    m = model("adding", "numeric", "adding")
    X, sums = AddingTask(length=30).sequences(np.random.default_rng(0), 1)
    g = model_gradients(m, X[0], "loss@-1")
    prediction = m.readout(m.top_outputs(m.run(X[0])))[-1, 0]
    assert g.value == pytest.approx((prediction - sums[0]) ** 2, rel=1e-12)
    assert g.x[:, 1].any()  # the markers matter
    with pytest.raises(TargetError, match="loss@5: the adding task scores only step 29"):
        resolve_target(m, "loss@5", X[0])


def test_a_numeric_model_without_a_task_has_no_loss():
    with pytest.raises(TargetError, match="names no task to score it; use out"):
        resolve_target(model("mine", "numeric", None), "loss@0", np.zeros((4, 2)))


def test_a_text_model_without_a_task_is_scored_on_the_next_character():
    vocab = "abc"
    m = model("mine", "text", None, vocab, inputs=3)
    tokens = [0, 2, 1, 1]
    target = resolve_target(m, "loss@1", m.encode_tokens(tokens), tokens)
    assert target == LossTarget(1, answer=1)
    with pytest.raises(TargetError, match="loss@3: the next-character loss scores only steps 0, 1, 2"):
        resolve_target(m, "loss@3", m.encode_tokens(tokens), tokens)
    with pytest.raises(TargetError, match="give the input as text"):
        resolve_target(m, "loss@1", m.encode_tokens(tokens))


def test_the_remember_loss_asks_for_the_first_symbol_at_the_question_mark():
    task = RememberTask()
    m = model("remember", "text", "remember", task.vocabulary, inputs=len(task.vocabulary))
    text = "cxa?"
    tokens = m.tokens(text)
    assert resolve_target(m, "loss@3", m.encode_text(text), tokens) == LossTarget(3, answer=task.vocabulary.index("c"))
    with pytest.raises(TargetError, match="the remember task scores only step 3"):
        resolve_target(m, "loss@1", m.encode_text(text), tokens)


def test_a_task_whose_characters_the_model_does_not_read_is_not_used():
    """Token ids mean the task's characters only if the vocabularies agree; otherwise the next one."""
    m = model("renamed", "text", "remember", "abc?", inputs=4)
    tokens = m.tokens("ab?c")
    assert resolve_target(m, "loss@0", m.encode_text("ab?c"), tokens) == LossTarget(0, answer=1)


def test_the_default_target_is_the_loss_where_scored_else_the_prediction_else_a_unit():
    m = model("adding", "numeric", "adding")
    X, _ = AddingTask(length=30).sequences(np.random.default_rng(1), 1)
    assert default_target(m, X[0], 29, 0) == resolve_target(m, "loss@29", X[0])
    assert default_target(m, X[0], 5, 0) == OutputTarget(0, 5)
    task = RememberTask()
    text = model("remember", "text", "remember", task.vocabulary, inputs=len(task.vocabulary))
    X_text = text.encode_text("cxa?")
    likely = int(np.argmax(text.readout(text.top_outputs(text.run(X_text)))[1]))
    assert default_target(text, X_text, 1, 0, text.tokens("cxa?")) == OutputTarget(likely, 1)
    bare = random_model("gru", input_size=2, hidden_size=3)
    assert default_target(bare, np.zeros((4, 2)), 2, 1) == NodeTarget("h", 1, 2)
