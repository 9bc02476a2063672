"""The project's own model file: one ``.safetensors`` with PyTorch-named tensors and metadata.

Tensors (float64), named as a PyTorch module with these attributes would name them, so that
``model.load_state_dict(safetensors.torch.load_file(path))`` works for the standard cells::

    rnn.weight_ih_l{k}[_reverse], rnn.weight_hh_l{k}…, rnn.bias_ih_l{k}…, rnn.bias_hh_l{k}…
                                      the recurrent layers (nn.LSTM / nn.GRU / nn.RNN)
    rnn.weight_ci_l{k} …             peephole vectors (peephole cells only, no PyTorch module)
    embedding.weight   (V, in)       optional nn.Embedding; without it, text is one-hot
    fc.weight (out, H·D), fc.bias (out,)   the nn.Linear readout after the top layer

Metadata (all strings; safetensors allows nothing else):

    format       "lstm-explorer-bundle/1"
    cell         lstm | gru | rnn | rnn-relu | peephole | coupled | gru-classic
    task         "text" (characters in, next-character probabilities out) or "numeric"
    vocabulary   the characters, index = token id (character models)
    vocabulary_tokens  JSON list of tokens in id order (word models; readers before it ignore it)
    merge_modes, go_backwards  JSON lists, one entry per layer (Keras Bidirectional / go_backwards)
    description  one line, shown by ``lstm-explorer models``
    presets      JSON list of example inputs, as typed in the editor
    trained_on   the training task's name (brackets, remember, sine), when trained here
    training     JSON: steps, seed, learning rate, final loss, measured figures
    featured_units  JSON list of hidden units worth watching first (brackets: the depth counter);
                 the window selects them when the model opens
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from .vocabulary import Vocabulary

BUNDLE_FORMAT = "lstm-explorer-bundle/1"


def bundle_metadata(
    *,
    cell: str,
    task: str,
    description: str,
    vocabulary: str | Sequence[str] | None = None,
    presets: list[str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> dict[str, str]:
    if task not in ("text", "numeric"):
        raise ValueError(f"task must be 'text' or 'numeric', not {task!r}")
    if task == "text" and not vocabulary:
        raise ValueError("a text model needs a vocabulary")
    if vocabulary is not None and len(set(vocabulary)) != len(vocabulary):
        raise ValueError("the vocabulary repeats a token")
    metadata = {"format": BUNDLE_FORMAT, "cell": cell, "task": task, "description": description}
    if isinstance(vocabulary, str):
        metadata["vocabulary"] = vocabulary
    elif vocabulary is not None:
        metadata.update(Vocabulary(list(vocabulary)).to_metadata())
    metadata["presets"] = json.dumps(list(presets or []))
    for key, value in (extra or {}).items():
        metadata[key] = value if isinstance(value, str) else json.dumps(value)
    return metadata


def write_bundle(path: str | Path, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str]) -> Path:
    """Write atomically: the file appears complete or not at all."""
    from safetensors.numpy import save_file  # here for start-up time: only writing a bundle needs it

    path = Path(path)
    arrays = {name: np.ascontiguousarray(value, dtype=np.float64) for name, value in tensors.items()}
    with atomic_path(path) as temp:
        save_file(arrays, str(temp), metadata=dict(metadata))
    return path
