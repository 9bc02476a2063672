"""What a gradient is taken of: one number the network computes, named by the user.

Written forms (:func:`parse_target`):

* ``NODE[UNIT]@T`` — unit ``UNIT`` of node ``NODE`` (``c``, ``h``, ``f``, ``xh`` …) of the chosen
  layer and direction at step ``T`` of its trace (for a reverse direction, the order the cell read
  the steps);
* ``out[K]@T`` — output ``K`` of the readout at time step ``T``: a probability for a model that
  reads text (softmax), the value for a numeric model; ``logit[K]@T`` is the pre-softmax value;
* ``loss@T`` — the readout's loss at time step ``T`` against what the model should answer there.

A negative ``T`` counts from the end (``-1`` is the last step). Parsing checks the form only;
:func:`lstm_explorer.engine.gradients.gradients` checks the target against the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_FORM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<unit>[+-]?\d+)\])?@(?P<step>[+-]?\d+)$")
#: Names that address the readout rather than a node of the cell.
READOUT_NAMES = ("out", "logit", "loss")


class TargetError(ValueError):
    """A target that is malformed or does not exist in the network: a one-line message."""


@dataclass(frozen=True)
class NodeTarget:
    """Unit ``unit`` of node ``node`` at step ``step`` (of that layer's trace order).

    ``layer``/``reverse`` None: the layer and direction the gradients are taken for. A target on a
    layer above flows down through the layers in between.
    """

    node: str
    unit: int
    step: int
    layer: int | None = None
    reverse: bool | None = None

    def __str__(self) -> str:
        return f"{self.node}[{self.unit}]@{self.step}"


@dataclass(frozen=True)
class OutputTarget:
    """Output ``index`` of the readout at time step ``step``: softmax probability (text) or value;
    with ``logit`` True the pre-activation W·h + b."""

    index: int
    step: int
    logit: bool = False

    def __str__(self) -> str:
        return f"{'logit' if self.logit else 'out'}[{self.index}]@{self.step}"


@dataclass(frozen=True)
class LossTarget:
    """The readout's loss at time step ``step``: cross-entropy −log p[answer] for a softmax readout
    (``answer`` a token id), squared error Σ (ŷ − answer)² otherwise (``answer`` a vector).

    ``answer`` None: not resolved yet (the model layer knows the true next token or the task's
    target; see :mod:`lstm_explorer.models.gradients`)."""

    step: int
    answer: int | np.ndarray | None = None

    def __str__(self) -> str:
        return f"loss@{self.step}"


Target = NodeTarget | OutputTarget | LossTarget


def parse_target(text: str) -> Target:
    """``c[12]@40``, ``h[3]@-1``, ``out[2]@7``, ``logit[0]@-1``, ``loss@-1``; TargetError otherwise."""
    match = _FORM.match(text.strip())
    if not match:
        raise TargetError(
            f"target {text!r} is not of the form NODE[UNIT]@STEP, out[K]@STEP or loss@STEP (e.g. c[3]@-1)"
        )
    name, step = match["name"], int(match["step"])
    unit = None if match["unit"] is None else int(match["unit"])
    if name == "loss":
        if unit is not None:
            raise TargetError(f"target {text!r}: loss has no index; write loss@{step}")
        return LossTarget(step)
    if unit is None:
        raise TargetError(f"target {text!r}: say which unit, e.g. {name}[0]@{step}")
    if unit < 0:
        raise TargetError(f"target {text!r}: units are numbered from 0")
    if name in ("out", "logit"):
        return OutputTarget(unit, step, logit=name == "logit")
    return NodeTarget(name, unit, step)


def resolve_step(step: int, steps: int, what: str) -> int:
    """``step`` as an index into ``steps`` steps (negative counts from the end)."""
    index = step + steps if step < 0 else step
    if not 0 <= index < steps:
        raise TargetError(f"{what}: step {step} is out of range; the sequence has {steps} steps (0..{steps - 1})")
    return index
