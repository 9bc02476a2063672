"""Another cell kind on the same task: random weights shaped like an open model's, keeping what the
model reads and writes (vocabulary, presets, embedding and readout sizes), so that cell kinds can
be compared on the same sentence."""

from __future__ import annotations

import numpy as np

from .model import Model, random_model


def random_like(model: Model, kind: str, *, hidden_size: int, num_layers: int, seed: int = 0) -> Model:
    """A ``kind`` network with random weights, reading what ``model`` reads (its input size, and
    its vocabulary through an embedding of the same shape) and, when ``model`` has a readout, with a
    random readout of the same number of outputs (so predictions are shown, untrained)."""
    net = model.network
    fresh = random_model(
        kind,
        input_size=net.input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=net.bidirectional,
        seed=seed,
    )
    rng = np.random.default_rng(seed + 1)
    extras: dict[str, np.ndarray] = {}
    embedding_key = readout_keys = None
    if model.embedding is not None:
        embedding_key = "embedding.weight"
        extras[embedding_key] = rng.normal(size=model.embedding.shape)  # as nn.Embedding initialises
    if model.output_size is not None:
        features = hidden_size * len(net.directions)
        bound = 1.0 / np.sqrt(features)  # as nn.Linear initialises
        extras["fc.weight"] = rng.uniform(-bound, bound, size=(model.output_size, features))
        extras["fc.bias"] = rng.uniform(-bound, bound, size=model.output_size)
        readout_keys = ("fc.weight", "fc.bias")
    metadata = {k: v for k, v in model.metadata.items() if k in ("vocabulary", "vocabulary_tokens", "task", "presets")}
    metadata.update(cell=kind, description=f"random weights, reading what {model.name} reads")
    name = f"{kind} (random, seed {seed}) on {model.name}'s input"
    return Model(name, fresh.network, metadata, extras, embedding_key=embedding_key, readout_keys=readout_keys)
