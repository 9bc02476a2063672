"""What the held units change in a text model's predictions, for the views that say so (the
predictions panel per step, the status bar over the run): one :class:`PredictionEffect` per pair
of runs, computed when first asked for and kept until the traces change."""

from __future__ import annotations

from typing import Any

from ..analysis.effects import PredictionEffect, prediction_effect
from ..document import ExplorerDocument

#: (model, held traces, unheld traces) → effect: the last pair asked about (references, not ids,
#: so a recycled id never matches).
_last: tuple[Any, Any, Any, PredictionEffect | None] | None = None


def token_ids(document: ExplorerDocument) -> list[int] | None:
    """The input's token ids (None when a token has none: a numeric model, an unknown word)."""
    vocab = document.model.vocabulary if document.model is not None else None
    if vocab is None:
        return None
    ids = [vocab.id_of(token) for token in document.tokens]
    return None if any(k is None for k in ids) else [int(k) for k in ids if k is not None]


def held_effect(document: ExplorerDocument) -> PredictionEffect | None:
    """The held run against the unheld one, or None (nothing held; not a text model with a readout;
    fewer than two steps)."""
    global _last
    model = document.model
    if model is None or not document.interventions or not model.has_readout or model.task != "text":
        return None
    if not document.plain_traces or document.plain_traces is document.traces or document.steps < 2:
        return None
    if _last is not None and _last[0] is model and _last[1] is document.traces and _last[2] is document.plain_traces:
        return _last[3]
    ids = token_ids(document)
    effect = None if ids is None else prediction_effect(model, document.plain_traces, document.traces, ids)
    _last = (model, document.traces, document.plain_traces, effect)
    return effect
