"""``lstm-explorer train``: train a small network on a built-in task and save it as a bundle."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from pathlib import Path

from ..cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    from ..engine.cells import CELL_KINDS
    from ..tasks import TASKS

    train = sub.add_parser(
        "train",
        help="train a small network on a built-in task (brackets, remember, sine, adding, temporal-order)",
        description="Train a network with backpropagation through time (NumPy, Adam, gradient clipping) "
        "on a task generated in code, and save it as a .safetensors bundle that any MODEL argument accepts. "
        "Progress and the loss go to stderr.",
    )
    train.add_argument("task", metavar="TASK", choices=tuple(TASKS), help=f"one of {', '.join(TASKS)}")
    train.add_argument("--cell", default="lstm", choices=CELL_KINDS, help="cell kind (default lstm)")
    train.add_argument("--hidden", type=int, default=16, help="hidden size (default 16)")
    train.add_argument("--layers", type=int, default=1, help="stacked layers (default 1)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--steps", type=int, help="training batches (default: per task, e.g. 2000 for brackets)")
    train.add_argument("--lr", type=float, help="Adam learning rate (default: per task)")
    train.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (default 1.0)")
    train.add_argument("--batch", type=int, default=32, help="sequences per batch (default 32)")
    train.add_argument("--out", required=True, help="output file, .safetensors")
    train.set_defaults(handler=run_train)


def _bar(step: int, steps: int, loss: float, started: float) -> str:
    width = 30
    done = int(width * step / steps)
    elapsed = time.perf_counter() - started
    eta = elapsed / step * (steps - step)
    return f"\r[{'#' * done}{'.' * (width - done)}] {step}/{steps} loss {loss:.4f} ({elapsed:.0f} s, {eta:.0f} s left)"


def run_train(args: argparse.Namespace) -> int:
    from ..models.training import DEFAULT_STEPS, save_trained, train_task

    out = Path(args.out)
    if out.suffix.lower() != ".safetensors":
        raise CliError(f"{out.name}: a trained model is saved as .safetensors")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    for flag, value in (("--hidden", args.hidden), ("--layers", args.layers), ("--batch", args.batch)):
        if value < 1:
            raise CliError(f"{flag} must be at least 1")
    if args.steps is not None and args.steps < 1:
        raise CliError("--steps must be at least 1")
    if args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        raise CliError("--lr must be positive and finite")
    if not (math.isfinite(args.clip) and args.clip > 0):
        raise CliError("--clip must be positive and finite (it limits the gradient norm)")
    steps = args.steps or DEFAULT_STEPS[args.task]
    _require_training_memory(args)
    started = time.perf_counter()
    tty = sys.stderr.isatty()
    every = max(1, steps // 100)
    average: list[float] = []

    def progress(step: int, loss: float) -> bool:
        average.append(loss)
        if step % every == 0 or step == steps:
            shown = sum(average[-every:]) / len(average[-every:])
            line = _bar(step, steps, shown, started)
            if tty:
                print(line, end="", file=sys.stderr, flush=True)
            elif step % (every * 10) == 0 or step == steps:
                print(line.lstrip("\r"), file=sys.stderr, flush=True)
        return True

    try:
        trained = train_task(
            args.task,
            cell=args.cell,
            hidden=args.hidden,
            layers=args.layers,
            seed=args.seed,
            steps=steps,
            lr=args.lr,
            clip=args.clip,
            batch_size=args.batch,
            progress=progress,
        )
    except (FloatingPointError, ValueError) as exc:
        raise CliError(str(exc)) from None
    finally:
        if tty:
            print(file=sys.stderr)
    try:
        save_trained(trained, out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
    except Exception as exc:  # safetensors reports a failed write as SafetensorError, not OSError
        if type(exc).__name__ != "SafetensorError":
            raise
        raise CliError(f"{out}: cannot write ({_io_problem(str(exc))})") from None
    result = trained.result
    print(
        f"trained {args.cell} (hidden {args.hidden}) on {args.task}: {result.steps} steps in {result.seconds:.1f} s, "
        f"final loss {result.final_loss:.4f}; wrote {out}",
        file=sys.stderr,
    )
    return 0


def _io_problem(message: str) -> str:
    """``… I/O error: No space left on device (os error 28)`` → the system's words for errno 28."""
    found = re.search(r"os error (\d+)", message)
    if found:
        return os.strerror(int(found[1]))
    return " ".join(message.split())


def _require_training_memory(args: argparse.Namespace) -> None:
    """Refuse a batch (or hidden size) whose forward and backward caches cannot fit, before training."""
    import numpy as np

    from ..models.safe_read import require_memory
    from ..tasks import make_task

    task = make_task(args.task)
    longest = max(task.batch(np.random.default_rng(0), 1).targets.shape[1], getattr(task, "max_delay", 0) + 2)
    # Each step keeps every node of the cell (at most ~16 vectors of H, plus the input) for the
    # backward pass, and the backward pass as much again: float64, per layer and sequence.
    per_step = 16 * args.hidden + 2 * task.input_size
    # Weights, gradients and Adam's two moments: 4 copies of at most 4 gates × (4H, in + H + 2).
    width = max(task.input_size, args.hidden)
    weights = 4 * 8 * args.layers * 4 * args.hidden * (width + args.hidden + 2)
    try:
        require_memory(weights, f"training a hidden size of {args.hidden}")
    except ValueError as exc:
        raise CliError(f"--hidden {args.hidden}: {exc}") from None
    try:
        require_memory(2 * 8 * args.batch * longest * args.layers * per_step, f"a batch of {args.batch} sequences")
    except ValueError as exc:
        raise CliError(f"--batch {args.batch}: {exc}") from None
