"""What holding units changes in a text model's predictions: the run with interventions against
the run without, step by step and over the whole input.

The readout at step t predicts token t + 1, so a T-step input gives T − 1 scored predictions.
Loss is the cross-entropy of the actual next token, in nats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine.trace import Trace

Key = tuple[int, bool]


@dataclass(frozen=True)
class PredictionEffect:
    """Per scored step (T − 1,): the probability of the actual next token without and with the
    held units; their losses; and the run-wide means."""

    p_plain: np.ndarray
    p_held: np.ndarray

    @property
    def delta_p(self) -> np.ndarray:
        return self.p_held - self.p_plain

    @property
    def loss_plain(self) -> np.ndarray:
        return -np.log(self.p_plain)

    @property
    def loss_held(self) -> np.ndarray:
        return -np.log(self.p_held)

    @property
    def delta_loss(self) -> np.ndarray:
        """(T − 1,): how much worse (> 0) each prediction got, in nats."""
        return self.loss_held - self.loss_plain

    @property
    def mean_delta_loss(self) -> float:
        """The run-wide Δ loss, nats per token."""
        return float(np.mean(self.delta_loss)) if len(self.p_plain) else 0.0


def prediction_effect(
    model, plain: Mapping[Key, Trace], held: Mapping[Key, Trace], token_ids: Sequence[int] | np.ndarray
) -> PredictionEffect:
    """Compare the readout's predictions of the actual next tokens (``token_ids``, the input's ids)
    between the traces of the plain run and of the run with units held."""
    if not model.has_readout or model.task != "text":
        raise ValueError(f"{model.name}: prediction effects need a text model with a readout")
    ids = np.asarray(token_ids, dtype=np.intp)
    nexts = ids[1:]
    rows = np.arange(len(nexts))

    def actual(traces: Mapping[Key, Trace]) -> np.ndarray:
        probabilities = model.readout(model.top_outputs(traces))[:-1]
        # A probability that underflows to 0 would make the loss infinite: floor it at the
        # smallest normal float (a loss of about 708 nats).
        return np.maximum(probabilities[rows, nexts], np.finfo(np.float64).tiny)

    return PredictionEffect(actual(plain), actual(held))
