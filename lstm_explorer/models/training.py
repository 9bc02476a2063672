"""Train a network on a built-in task and save it as a bundle: what ``lstm-explorer train`` and
scripts/train_bundled_models.py both run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.train import (
    EMBEDDING,
    READOUT_BIAS,
    READOUT_WEIGHT,
    RNN_PREFIX,
    Network,
    Progress,
    TrainResult,
    new_network,
    train,
)
from ..tasks import make_task
from .bundle import bundle_metadata, write_bundle
from .model import Model, model_from_tensors

#: Learning rates that train each task reliably (Adam, batch 32).
DEFAULT_LR = {"brackets": 1e-2, "remember": 5e-3, "sine": 5e-3, "adding": 1e-2, "temporal-order": 1e-2}
DEFAULT_STEPS = {"brackets": 2000, "remember": 3000, "sine": 2000, "adding": 6000, "temporal-order": 7000}


@dataclass
class Trained:
    network: Network
    result: TrainResult
    metadata: dict[str, str]

    def model(self, name: str) -> Model:
        return model_from_tensors(name, dict(self.network.tensors), dict(self.metadata))


def train_task(
    task_name: str,
    *,
    cell: str = "lstm",
    hidden: int = 16,
    layers: int = 1,
    seed: int = 0,
    steps: int | None = None,
    lr: float | None = None,
    clip: float = 1.0,
    batch_size: int = 32,
    progress: Progress | None = None,
    description: str | None = None,
) -> Trained:
    task = make_task(task_name)
    steps = steps or DEFAULT_STEPS[task_name]
    lr = lr or DEFAULT_LR[task_name]
    net = new_network(cell, task.input_size, hidden, task.output_size, num_layers=layers, seed=seed)
    result = train(net, task, steps=steps, lr=lr, clip=clip, batch_size=batch_size, seed=seed, progress=progress)
    metadata = bundle_metadata(
        cell=cell,
        task=task.kind,
        description=description or f"{task.description} ({cell}, hidden {hidden})",
        vocabulary=task.vocabulary,
        presets=task.presets(),
        extra={
            "trained_on": task_name,
            "training": {
                "steps": result.steps,
                "seed": seed,
                "lr": lr,
                "clip": clip,
                "batch_size": batch_size,
                "final_loss": round(result.final_loss, 6),
                "seconds": round(result.seconds, 1),
                "cancelled": result.cancelled,
            },
        },
    )
    return Trained(net, result, metadata)


def network_from_model(model: Model) -> Network:
    """A trainable copy of a model that has a readout (its embedding, if any, is trained too)."""
    if model.readout_keys is None:
        raise ValueError(f"{model.name} has no readout layer to train")
    net = model.network
    if len(set(net.hidden_sizes)) > 1 or set(net.merge_modes) != {"concat"} or any(net.backwards):
        raise ValueError(
            f"{model.name}: the trainer trains stacks of one width whose directions are concatenated; "
            "this model has layers of different widths, merged directions or a go_backwards layer"
        )
    weight_key, bias_key = model.readout_keys
    tensors = {RNN_PREFIX + k: v.copy() for k, v in model.network.tensors.items()}
    tensors[READOUT_WEIGHT] = model.extras[weight_key].copy()
    out = tensors[READOUT_WEIGHT].shape[0]
    tensors[READOUT_BIAS] = model.extras[bias_key].copy() if bias_key else np.zeros(out)
    if model.embedding is not None:
        tensors[EMBEDDING] = model.embedding.copy()
    return Network(model.kind, tensors, net.num_layers, net.bidirectional)


def continue_training(
    model: Model,
    task_name: str,
    *,
    steps: int | None = None,
    lr: float | None = None,
    clip: float = 1.0,
    batch_size: int = 32,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[Model, TrainResult]:
    """Train a copy of ``model`` further on a task whose input and output it fits; ``model`` is unchanged."""
    task = make_task(task_name)
    if model.input_size != task.input_size and model.embedding is None:
        raise ValueError(f"{model.name} reads {model.input_size} inputs; the {task_name} task gives {task.input_size}")
    if model.output_size != task.output_size:
        raise ValueError(f"{model.name} has {model.output_size} outputs; the {task_name} task needs {task.output_size}")
    net = network_from_model(model)
    result = train(
        net,
        task,
        steps=steps or DEFAULT_STEPS[task_name],
        lr=lr or DEFAULT_LR[task_name],
        clip=clip,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )
    return model_from_tensors(model.name, dict(net.tensors), dict(model.metadata)), result


def save_trained(trained: Trained, path: str | Path) -> Path:
    return write_bundle(path, trained.network.tensors, trained.metadata)
