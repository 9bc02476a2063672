"""What a model's readout means, so the Predictions panel shows it as what it is (Qt-free).

* ``next-token``: a text model whose outputs are its vocabulary: the next character's probabilities.
* ``next-value``: a numeric model whose outputs predict the next input step (one value per input).
* ``classes``: outputs that are classes (metadata ``classes``, a JSON list of names): probabilities.
* ``values``: any other outputs: the raw numbers at each step (a regression such as the adding
  problem's sum, read at the step its task defines).

A model's metadata ``readout`` may name the kind; otherwise it is inferred from the sizes.
"""

from __future__ import annotations

import json
from typing import Any, Literal

ReadoutKind = Literal["none", "next-token", "next-value", "classes", "values"]
KINDS: tuple[ReadoutKind, ...] = ("none", "next-token", "next-value", "classes", "values")


def readout_kind(model: Any) -> ReadoutKind:
    if not model.has_readout:
        return "none"
    declared = model.metadata.get("readout")
    if declared in KINDS:
        return declared
    if class_names(model) is not None:
        return "classes"
    if model.task == "text" and model.output_labels is not None:
        return "next-token"
    if model.task == "numeric" and model.output_size is not None and model.output_size <= model.input_size:
        return "next-value"
    return "values"


def class_names(model: Any) -> list[str] | None:
    """The names in metadata ``classes`` when they match the readout's size."""
    raw = model.metadata.get("classes")
    try:
        names = json.loads(raw) if raw else None
    except ValueError:
        return None
    if isinstance(names, list) and len(names) == model.output_size:
        return [str(n) for n in names]
    return None
