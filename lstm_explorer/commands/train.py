"""``lstm-explorer train``: train a small network on a built-in task and save it as a bundle."""

from __future__ import annotations

import argparse
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
    if args.lr is not None and not args.lr > 0:
        raise CliError("--lr must be positive")
    steps = args.steps or DEFAULT_STEPS[args.task]
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
    except FloatingPointError as exc:
        raise CliError(str(exc)) from None
    finally:
        if tty:
            print(file=sys.stderr)
    try:
        save_trained(trained, out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
    result = trained.result
    print(
        f"trained {args.cell} (hidden {args.hidden}) on {args.task}: {result.steps} steps in {result.seconds:.1f} s, "
        f"final loss {result.final_loss:.4f}; wrote {out}",
        file=sys.stderr,
    )
    return 0
