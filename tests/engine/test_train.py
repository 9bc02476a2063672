"""The trainer: BPTT gradients derived from the cell graph equal finite differences for every
variant; its forward pass equals the engine's; training really lowers the loss."""

import numpy as np
import pytest

from lstm_explorer.engine.cells import CELL_KINDS
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.train import (
    Adam,
    Batch,
    clip_gradients,
    forward,
    gradient_check,
    loss_and_gradients,
    new_network,
    train,
)
from lstm_explorer.tasks import make_task

CONFIGS = {
    "text, one-hot": dict(task="text", layers=1, bidirectional=False, embedding=False),
    "numeric, 2 layers, bidirectional": dict(task="numeric", layers=2, bidirectional=True, embedding=False),
    "text, embedding, 2 layers": dict(task="text", layers=2, bidirectional=False, embedding=True),
}
IN, H, V, OUT = 3, 3, 4, 2


def small_case(kind: str, task: str, layers: int, bidirectional: bool, embedding: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    out = V if task == "text" else OUT
    net = new_network(
        kind, IN, H, out, num_layers=layers, bidirectional=bidirectional, vocab_size=V if embedding else None, seed=seed
    )
    for value in net.tensors.values():  # larger weights than the default init: exercise saturation
        value *= 2.0
    B, T = 2, 5
    if task == "text":
        inputs = rng.integers(0, V if embedding else IN, size=(B, T))
        targets = rng.integers(0, out, size=(B, T))
    else:
        inputs = rng.normal(size=(B, T, IN))
        targets = rng.normal(size=(B, T, out))
    mask = (rng.random((B, T)) > 0.3).astype(float)
    mask[0, -1] = 1.0
    return net, Batch(inputs, targets, mask)


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("kind", CELL_KINDS)
def test_bptt_gradients_match_finite_differences(kind, config):
    cfg = CONFIGS[config]
    net, batch = small_case(kind, **cfg)
    _, grads = loss_and_gradients(net, cfg["task"], batch, IN)
    assert set(grads) == set(net.tensors)
    check = gradient_check(net, cfg["task"], batch, IN, per_tensor=6)
    assert check.entries == sum(min(6, v.size) for v in net.tensors.values())
    assert check.max_rel_error < 1e-5 and check.max_abs_error < 1e-8, check


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_training_forward_equals_the_engine(kind):
    net, batch = small_case(kind, "numeric", 2, True, False)
    fw = forward(net, "numeric", batch.inputs, IN)
    engine = RecurrentNetwork.from_tensors(net.recurrent, kind)
    for b in range(batch.inputs.shape[0]):
        traces = engine.run(batch.inputs[b])
        assert np.abs(engine.outputs(traces, 1) - fw.cache.output[b]).max() <= 1e-14


def test_clipping_scales_to_the_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_gradients(grads, 1.0) == pytest.approx(5.0)
    assert np.sqrt(sum((g * g).sum() for g in grads.values())) == pytest.approx(1.0)


def test_adam_first_step_moves_by_the_learning_rate():
    params = {"w": np.array([1.0, -1.0])}
    Adam(lr=0.1).step(params, {"w": np.array([0.5, -2.0])})
    assert np.allclose(params["w"], [0.9, -0.9])


def test_training_lowers_the_loss_and_is_deterministic():
    task = make_task("sine")
    results = []
    for _ in range(2):
        net = new_network("gru", 1, 6, 1, seed=3)
        result = train(net, task, steps=60, lr=0.02, batch_size=8, seed=5)
        results.append((result, net))
    (first, net1), (second, net2) = results
    assert first.losses == second.losses
    assert all(np.array_equal(net1.tensors[k], net2.tensors[k]) for k in net1.tensors)
    assert np.mean(first.losses[-10:]) < 0.5 * np.mean(first.losses[:10])


def test_progress_can_cancel():
    seen = []
    net = new_network("rnn", 5, 4, 5, seed=0)
    result = train(
        net, make_task("brackets"), steps=100, batch_size=2, progress=lambda s, loss: seen.append(s) or s < 3
    )
    assert result.cancelled and result.steps == 3 and seen == [1, 2, 3]


def test_forget_bias_starts_at_one_for_lstm_family():
    net = new_network("lstm", 2, 3, 2, seed=0, forget_bias=1.0)
    plain = new_network("lstm", 2, 3, 2, seed=0, forget_bias=0.0)
    diff = net.tensors["rnn.bias_ih_l0"] - plain.tensors["rnn.bias_ih_l0"]
    assert np.allclose(diff, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])  # slots i, f, g, o
