"""Training a recurrent network in NumPy: BPTT (from :mod:`.backward`), Adam, gradient clipping.

A trainable model is a flat dict of PyTorch-named tensors, the same names a bundle file holds:

* ``rnn.weight_ih_l0`` …  the recurrent layers (``rnn.`` prefix), as ``nn.LSTM``/``nn.GRU`` name them;
* ``fc.weight`` (out, H·D), ``fc.bias`` (out,)  a linear readout after the top layer;
* ``embedding.weight`` (V, in)  optional: token ids are looked up in it; without it they are one-hot.

The loss is softmax cross-entropy over token ids (text tasks) or mean squared error (numeric
tasks), averaged over the steps where the task's mask is non-zero.

A task is anything with ``kind`` (``"text"`` or ``"numeric"``), ``input_size``, ``output_size`` and
``batch(rng, batch_size) -> Batch``; :mod:`lstm_explorer.tasks` defines the built-in ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .backward import NetworkCache, Tensors, network_backward, network_forward
from .cells import cell_graph
from .graph import CellGraph
from .weights import init_weights

RNN_PREFIX = "rnn."
READOUT_WEIGHT = "fc.weight"
READOUT_BIAS = "fc.bias"
EMBEDDING = "embedding.weight"

#: ``progress(step, loss)``: return False to stop training early (a GUI's cancel button).
Progress = Callable[[int, float], bool]


@dataclass
class Batch:
    """One batch: inputs are token ids (B, T) for text tasks or values (B, T, in) for numeric ones."""

    inputs: np.ndarray
    targets: np.ndarray  # (B, T) token ids, or (B, T, out) values
    mask: np.ndarray  # (B, T): weight of each step in the loss


class Task(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def input_size(self) -> int: ...

    @property
    def output_size(self) -> int: ...

    def batch(self, rng: np.random.Generator, batch_size: int) -> Batch: ...


@dataclass
class Network:
    """A trainable network: the cell kind, its shape, and the tensors (see the module docstring)."""

    kind: str
    tensors: Tensors
    num_layers: int = 1
    bidirectional: bool = False

    @property
    def graph(self) -> CellGraph:
        return cell_graph(self.kind)

    @property
    def recurrent(self) -> Tensors:
        """The recurrent tensors without the ``rnn.`` prefix (``weight_ih_l0`` …)."""
        n = len(RNN_PREFIX)
        return {k[n:]: v for k, v in self.tensors.items() if k.startswith(RNN_PREFIX)}

    @property
    def has_embedding(self) -> bool:
        return EMBEDDING in self.tensors


def new_network(
    kind: str,
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    vocab_size: int | None = None,
    seed: int = 0,
    forget_bias: float = 1.0,
) -> Network:
    """Initialised as PyTorch does (uniform ±1/√H), except the forget gate's bias (``forget_bias``
    added to ``bias_ih``; 1.0 is the usual choice, so that cells remember by default).

    ``vocab_size`` adds an embedding of size (vocab_size, input_size); without it, text input is one-hot.
    """
    graph = cell_graph(kind)
    rng = np.random.default_rng(seed)
    tensors = {
        RNN_PREFIX + k: v
        for k, v in init_weights(
            graph,
            input_size,
            hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            seed=int(rng.integers(2**31)),
        ).items()
    }
    if "f" in graph.slots and forget_bias:
        slot = graph.slots.index("f")
        for name in tensors:
            if name.startswith(RNN_PREFIX + "bias_ih_l"):
                tensors[name][slot * hidden_size : (slot + 1) * hidden_size] += forget_bias
    features = hidden_size * (2 if bidirectional else 1)
    bound = 1.0 / math.sqrt(features)
    tensors[READOUT_WEIGHT] = rng.uniform(-bound, bound, size=(output_size, features))
    tensors[READOUT_BIAS] = rng.uniform(-bound, bound, size=(output_size,))
    if vocab_size is not None:
        tensors[EMBEDDING] = rng.normal(size=(vocab_size, input_size))
    return Network(kind, tensors, num_layers, bidirectional)


def network_inputs(net: Network, inputs: np.ndarray, input_size: int) -> np.ndarray:
    """What the first layer reads: token ids (B, T) through the embedding or one-hot; values as they are."""
    if inputs.ndim == 3:
        return np.asarray(inputs, dtype=np.float64)
    if net.has_embedding:
        return net.tensors[EMBEDDING][inputs]
    return np.eye(input_size)[inputs]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Forward:
    X: np.ndarray  # (B, T, in)
    cache: NetworkCache
    prediction: np.ndarray  # (B, T, out): probabilities (text) or values (numeric)


def forward(net: Network, kind: str, inputs: np.ndarray, input_size: int) -> Forward:
    X = network_inputs(net, inputs, input_size)
    cache = network_forward(net.graph, net.recurrent, X, net.num_layers, net.bidirectional)
    out = cache.output @ net.tensors[READOUT_WEIGHT].T + net.tensors[READOUT_BIAS]
    return Forward(X, cache, softmax(out) if kind == "text" else out)


def loss_and_gradients(net: Network, kind: str, batch: Batch, input_size: int) -> tuple[float, Tensors]:
    """The masked mean loss and d loss / d every tensor, by backpropagation through time."""
    fw = forward(net, kind, batch.inputs, input_size)
    mask = np.asarray(batch.mask, dtype=np.float64)
    total = mask.sum()
    if total <= 0:
        raise ValueError("the batch's mask is all zeros")
    if kind == "text":
        B, T = batch.targets.shape
        picked = fw.prediction[np.arange(B)[:, None], np.arange(T)[None, :], batch.targets]
        loss = float(-(mask * np.log(np.maximum(picked, 1e-300))).sum() / total)
        d_out = fw.prediction.copy()
        d_out[np.arange(B)[:, None], np.arange(T)[None, :], batch.targets] -= 1.0
    else:
        diff = fw.prediction - batch.targets
        loss = float((mask[..., None] * diff * diff).sum() / total)
        d_out = 2.0 * diff
    d_out *= (mask / total)[..., None]  # (B, T, out)
    grads: Tensors = {
        READOUT_WEIGHT: np.einsum("bto,btf->of", d_out, fw.cache.output),
        READOUT_BIAS: d_out.sum(axis=(0, 1)),
    }
    d_top = d_out @ net.tensors[READOUT_WEIGHT]
    rnn_grads, dX = network_backward(net.graph, net.recurrent, fw.cache, d_top, net.num_layers, net.bidirectional)
    grads.update({RNN_PREFIX + k: v for k, v in rnn_grads.items()})
    if net.has_embedding:
        d_embed = np.zeros_like(net.tensors[EMBEDDING])
        np.add.at(d_embed, batch.inputs, dX)
        grads[EMBEDDING] = d_embed
    return loss, grads


def clip_gradients(grads: Mapping[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most ``max_norm``; return the norm."""
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    if max_norm > 0 and norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for g in grads.values():
            g *= scale
    return norm


@dataclass
class Adam:
    lr: float = 1e-2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    step_count: int = 0
    m: Tensors = field(default_factory=dict)
    v: Tensors = field(default_factory=dict)

    def step(self, params: Tensors, grads: Mapping[str, np.ndarray], lr: float | None = None) -> None:
        self.step_count += 1
        lr = self.lr if lr is None else lr
        c1 = 1.0 - self.beta1**self.step_count
        c2 = 1.0 - self.beta2**self.step_count
        for name, g in grads.items():
            m = self.m.setdefault(name, np.zeros_like(g))
            v = self.v.setdefault(name, np.zeros_like(g))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            params[name] -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


@dataclass
class TrainResult:
    steps: int
    losses: list[float]
    seconds: float
    cancelled: bool = False

    @property
    def final_loss(self) -> float:
        """Mean of the last 50 batches' losses (one batch is noisy)."""
        tail = self.losses[-50:]
        return float(np.mean(tail)) if tail else float("nan")


def check_training_arguments(*, steps: int, lr: float, clip: float, batch_size: int) -> None:
    """Refuse values that would train nothing or silently train something else (ValueError).

    A clip of 0, a negative one or NaN used to turn clipping off without a word.
    """
    if steps < 1:
        raise ValueError(f"steps {steps}: must be at least 1")
    if batch_size < 1:
        raise ValueError(f"batch size {batch_size}: must be at least 1")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate {lr}: must be positive and finite")
    if not (math.isfinite(clip) and clip > 0):
        raise ValueError(f"clip {clip}: the gradient norm limit must be positive and finite")


def train(
    net: Network,
    task: Task,
    *,
    steps: int = 2000,
    lr: float = 1e-2,
    clip: float = 1.0,
    batch_size: int = 32,
    seed: int = 0,
    progress: Progress | None = None,
    decay: bool = True,
) -> TrainResult:
    """Train ``net`` in place on batches drawn from ``task`` with Adam and global-norm clipping.

    ``decay`` lowers the learning rate along a cosine to 5% of ``lr`` by the last step.
    ``progress(step, loss)`` is called after every step; returning False stops (cancelled=True).
    Deterministic for a given seed.
    """
    check_training_arguments(steps=steps, lr=lr, clip=clip, batch_size=batch_size)
    rng = np.random.default_rng(seed)
    adam = Adam(lr)
    losses: list[float] = []
    start = time.perf_counter()
    cancelled = False
    for step in range(1, steps + 1):
        batch = task.batch(rng, batch_size)
        loss, grads = loss_and_gradients(net, task.kind, batch, task.input_size)
        if not math.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss} at step {step}; try a smaller learning rate")
        clip_gradients(grads, clip)
        rate = lr * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * (step - 1) / steps))) if decay else lr
        adam.step(net.tensors, grads, rate)
        losses.append(loss)
        if progress is not None and progress(step, loss) is False:
            cancelled = True
            break
    return TrainResult(len(losses), losses, time.perf_counter() - start, cancelled)


@dataclass
class GradientCheck:
    entries: int
    max_abs_error: float
    #: max |analytic − numeric| / max(|analytic| + |numeric|, floor): the floor keeps the round-off
    #: of central differences (~1e-10) on near-zero gradients from reading as a large relative error.
    max_rel_error: float


def gradient_check(
    net: Network,
    kind: str,
    batch: Batch,
    input_size: int,
    *,
    eps: float = 1e-6,
    floor: float = 1e-4,
    per_tensor: int | None = None,
    seed: int = 0,
) -> GradientCheck:
    """Compare BPTT's gradients with central finite differences, entry by entry.

    ``per_tensor`` limits the check to that many random entries of each tensor (all by default).
    """
    _, grads = loss_and_gradients(net, kind, batch, input_size)
    rng = np.random.default_rng(seed)
    entries, worst_abs, worst_rel = 0, 0.0, 0.0
    for name, value in net.tensors.items():
        flat = np.arange(value.size)
        if per_tensor is not None and per_tensor < value.size:
            flat = rng.choice(value.size, size=per_tensor, replace=False)
        for k in flat:
            index = np.unravel_index(int(k), value.shape)
            old = value[index]
            value[index] = old + eps
            plus, _ = loss_and_gradients(net, kind, batch, input_size)
            value[index] = old - eps
            minus, _ = loss_and_gradients(net, kind, batch, input_size)
            value[index] = old
            numeric = (plus - minus) / (2 * eps)
            analytic = float(grads[name][index])
            error = abs(numeric - analytic)
            worst_abs = max(worst_abs, error)
            worst_rel = max(worst_rel, error / max(abs(numeric) + abs(analytic), floor))
            entries += 1
    return GradientCheck(entries, worst_abs, worst_rel)
