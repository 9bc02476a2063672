"""The readout at every step of a computed input, in the order a layer's trace reads the steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .engine.trace import Trace

if TYPE_CHECKING:
    from .models.model import Model

Key = tuple[int, bool]  # (layer, reverse)


def readout_arrays(model: Model, traces: dict[Key, Trace], key: Key) -> dict[str, np.ndarray]:
    """``logits`` (T, outputs) and, for text models, ``probs`` (their softmax) at every step, as the
    rows of layer ``key``'s trace are ordered: flipped when the top layer hands its outputs on in
    the other order than ``key`` read the steps (a backward direction, a go_backwards layer)."""
    if not model.has_readout:
        return {}
    net = model.network
    top = model.top_outputs(traces)
    arrays = {"logits": model.logits(top)}
    if model.task == "text":
        arrays["probs"] = model.readout(top)
    flip = net.step_order_reversed(net.num_layers - 1) != net.step_order_reversed(*key)
    return {name: value[::-1] if flip else value for name, value in arrays.items()}
