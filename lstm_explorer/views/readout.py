"""What a model's readout means, so the Predictions panel shows it as what it is (Qt-free).

* ``next-token``: a text model whose outputs are its vocabulary: the next character's probabilities.
* ``next-value``: a numeric model whose outputs predict the next input step (one value per input).
* ``classes``: outputs that are classes (metadata ``classes``, a JSON list of names): probabilities.
* ``answer``: a numeric model trained here on a task it answers at the task's own steps, not by
  predicting the next input (the adding problem: the sum, read at the last step): the output
  against the task's answer where the task scores it (:func:`task_answers`).
* ``values``: any other outputs: the raw numbers at each step.

A model's metadata ``readout`` may name the kind; otherwise it is inferred from the sizes.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

import numpy as np

ReadoutKind = Literal["none", "next-token", "next-value", "classes", "answer", "values"]
KINDS: tuple[ReadoutKind, ...] = ("none", "next-token", "next-value", "classes", "answer", "values")


def readout_kind(model: Any) -> ReadoutKind:
    if not model.has_readout:
        return "none"
    declared = model.metadata.get("readout")
    if declared in KINDS:
        return declared
    if class_names(model) is not None:
        return "classes"
    if model.task == "numeric" and _answers_its_task(str(model.metadata.get("trained_on", ""))):
        return "answer"
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


@cache
def _answers_its_task(task_name: str) -> bool:
    """Whether the built-in numeric task ``task_name`` scores answers of its own rather than the
    next input: probed with its loss targets on a ramp, where a next-value task's answer at each
    scored step t is the input at t + 1 (the sine task), and the adding task scores its last step,
    which has no next input."""
    from ..tasks import TASKS, make_task

    if task_name not in TASKS:
        return False
    task = make_task(task_name)
    if task.kind != "numeric":
        return False
    ramp = np.arange(1.0, 1.0 + 24 * task.input_size).reshape(24, task.input_size)
    answers, mask = task.loss_targets(ramp)
    steps = np.flatnonzero(mask)
    if steps.size == 0:
        return False
    if steps[-1] == len(ramp) - 1:
        return True
    return not np.array_equal(
        np.asarray(answers)[steps].reshape(len(steps), -1), ramp[steps + 1][:, : task.output_size]
    )


def task_answers(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(answers (T, out), mask (T,) of the steps the model's task scores) for the input ``X``."""
    from ..models.gradients import loss_targets

    answers, mask, _scorer = loss_targets(model, X, None)
    return np.asarray(answers, dtype=np.float64).reshape(len(mask), -1), np.asarray(mask, dtype=bool)
