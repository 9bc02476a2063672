from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lstm_explorer.engine.trace import Trace
from lstm_explorer.models.model import random_model
from lstm_explorer.playback import PlaybackState

TraceFactory = Callable[..., Trace]


@pytest.fixture
def make_trace() -> TraceFactory:
    def make(kind: str = "lstm", hidden: int = 6, inputs: int = 4, steps: int = 4, seed: int = 0) -> Trace:
        model = random_model(kind, input_size=inputs, hidden_size=hidden, seed=seed)
        X = np.random.default_rng(seed).normal(size=(steps, inputs))
        return model.network.trace(X)

    return make


def state(trace: Trace, t: int, phase: int | None = None, progress: float = 1.0, selected=()) -> PlaybackState:
    phases = len(trace.graph.phases)
    phase = phases - 1 if phase is None else phase
    return PlaybackState(t, phase, progress, tuple(selected), phases, trace.steps)
