"""Train a network on a built-in task and save it as a bundle: what ``lstm-explorer train`` and
scripts/train_bundled_models.py both run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine.train import Network, Progress, TrainResult, new_network, train
from ..tasks import make_task
from .bundle import bundle_metadata, write_bundle
from .model import Model, model_from_tensors

#: Learning rates that train each task reliably (Adam, batch 32).
DEFAULT_LR = {"brackets": 1e-2, "remember": 5e-3, "sine": 5e-3}
DEFAULT_STEPS = {"brackets": 2000, "remember": 3000, "sine": 2000}


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


def save_trained(trained: Trained, path: str | Path) -> Path:
    return write_bundle(path, trained.network.tensors, trained.metadata)
