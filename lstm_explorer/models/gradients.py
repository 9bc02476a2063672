"""Gradients through time of a Model: the target named as text, the readout and the loss the
model answers to. What the ``gradients`` command runs and a Gradients panel would run.

``loss@T`` scores the readout at step T against what the model should answer there:

* a model trained here on a built-in task (metadata ``trained_on``): that task's own loss, at the
  steps it scores (``adding``: the last step, against the sum of the marked values; ``remember``:
  each ``?``, against the first symbol; ``sine``: the next value, from step 3);
* any other text model: cross-entropy against the true next character of the input;
* any other numeric model: no loss is known (use ``out[K]@T``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..engine.gradients import Gradients, Readout, Traces, gradients
from ..engine.interventions import Intervention
from ..engine.targets import (
    LossTarget,
    NodeTarget,
    OutputTarget,
    Target,
    TargetError,
    parse_target,
    resolve_step,
)
from ..tasks import TASKS, make_task, next_token_targets
from .model import Model


def readout_of(model: Model) -> Readout | None:
    """The model's readout for the gradient engine (None when it has none)."""
    if model.readout_keys is None:
        return None
    weight_key, bias_key = model.readout_keys
    weight = model.extras[weight_key]
    bias = model.extras[bias_key] if bias_key is not None else np.zeros(weight.shape[0])
    return Readout(weight, bias, softmax=model.task == "text")


def loss_targets(
    model: Model, X: np.ndarray, tokens: list[int] | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """(answers (T,) token ids or (T, out) values, mask (T,) of the scored steps, what scores them)."""
    task_name = model.metadata.get("trained_on", "")
    task = make_task(task_name) if task_name in TASKS else None
    if model.task == "text":
        if tokens is None:
            raise TargetError("loss: give the input as text or token ids, so that the true next tokens are known")
        # The task's own loss only when the model reads the task's characters (token ids agree).
        if task is not None and task.kind == "text" and task.vocabulary == model.vocabulary:
            targets, mask = task.loss_targets(np.asarray(tokens))
            return targets, mask, f"the {task_name} task"
        targets, mask = next_token_targets(np.asarray(tokens))
        return targets, mask, "the next-character loss"
    if task is not None and task.kind == "numeric" and task.input_size == model.input_size:
        targets, mask = task.loss_targets(X)
        return targets, mask, f"the {task_name} task"
    raise TargetError(f"loss: {model.name} names no task to score it; use out[K]@STEP")


def _describe_steps(steps: np.ndarray) -> str:
    """``step 99``, ``steps 3, 9``, ``steps 3..98`` or ``5 steps (3, 9, …)``."""
    shown = [str(int(s)) for s in steps]
    if len(shown) == 1:
        return f"step {shown[0]}"
    if len(shown) <= 3:
        return "steps " + ", ".join(shown)
    if int(steps[-1]) - int(steps[0]) + 1 == len(shown):
        return f"steps {shown[0]}..{shown[-1]}"
    return f"{len(shown)} steps ({shown[0]}, {shown[1]}, …)"


def resolve_target(
    model: Model, target: str | Target, X: np.ndarray, tokens: list[int] | np.ndarray | None = None
) -> Target:
    """Parse a written target and, for ``loss@T``, attach the answer the model is scored against."""
    parsed = parse_target(target) if isinstance(target, str) else target
    if not isinstance(parsed, LossTarget) or parsed.answer is not None:
        return parsed
    if not model.has_readout:
        raise TargetError(f"{parsed}: the model has no readout layer; use a node target such as h[0]@-1")
    step = resolve_step(parsed.step, int(np.shape(X)[0]), str(parsed))
    answers, mask, scorer = loss_targets(model, X, tokens)
    if not mask.any():
        raise TargetError(f"{parsed}: {scorer} scores no step of this {mask.size}-step input")
    if not mask[step]:
        raise TargetError(f"{parsed}: {scorer} scores only {_describe_steps(np.flatnonzero(mask))}")
    answer = answers[step]
    return LossTarget(parsed.step, int(answer) if model.task == "text" else np.array(answer, dtype=np.float64))


def default_target(
    model: Model,
    X: np.ndarray,
    step: int,
    unit: int,
    tokens: list[int] | np.ndarray | None = None,
    traces: Traces | None = None,
) -> Target:
    """What a Gradients view shows first at ``step`` (time order): the loss there when the model
    is scored at that step; else the readout's most likely output (text) or its first output
    (numeric); with no readout, unit ``unit`` of the hidden state. ``traces``: the forward pass,
    if the caller has it."""
    if not model.has_readout:
        return NodeTarget(model.network.graph.hidden_output, unit, step)
    try:
        return resolve_target(model, LossTarget(step), X, tokens)
    except TargetError:
        pass
    if model.task != "text":
        return OutputTarget(0, step)
    probabilities = model.readout(model.top_outputs(dict(traces) if traces else model.run(X))[step : step + 1])
    return OutputTarget(int(np.argmax(probabilities[0])), step)


def model_gradients(
    model: Model,
    X: np.ndarray,
    target: str | Target,
    *,
    layer: int = 0,
    reverse: bool = False,
    tokens: list[int] | np.ndarray | None = None,
    traces: Traces | None = None,
    interventions: Sequence[Intervention] = (),
    nodes: bool | Collection[str] = False,
    node_steps: tuple[int, int] | None = None,
) -> Gradients:
    """∂target/∂(x, h, c) at every step of one layer and direction of ``model`` on input ``X``
    (as the first layer reads it; ``tokens``: the token ids of a text input, for ``loss``), in the
    network ``interventions`` make (``traces``, if given, computed with them); ``nodes``: also
    ∂target/∂node for these nodes of the cell (True: all), at the steps ``node_steps`` (a, b) if
    given (see :func:`.gradients`)."""
    resolved = resolve_target(model, target, X, tokens)
    readout = readout_of(model)
    return gradients(
        model.network,
        X,
        resolved,
        layer=layer,
        reverse=reverse,
        readout=readout,
        traces=traces,
        interventions=interventions,
        nodes=nodes,
        node_steps=node_steps,
    )
