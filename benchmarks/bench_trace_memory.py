"""Peak memory of ``lstm-explorer trace --out t.json`` (or .csv) against the trace's own size.

Runs the command in a child process on random input and reads the child's peak resident set
(``ru_maxrss``, Linux). Budget (DESIGN.md): writing a trace needs about the trace's own size, not a
multiple. Issue 14 measured 13.4 GB for a 1.2 GB trace (100 000 steps, H = 128) before the writer
streamed.

    python3 benchmarks/bench_trace_memory.py [--steps 100000] [--hidden 128] [--format json]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

INPUTS = 8


def trace_bytes(steps: int, hidden: int) -> int:
    from lstm_explorer.engine.cells import cell_graph

    graph = cell_graph("lstm")
    return 8 * steps * sum(graph.width(name, INPUTS, hidden) for name in graph.names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--format", choices=("json", "csv", "npz"), default="json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "x.npy"
        np.save(inputs, np.random.default_rng(0).normal(size=(args.steps, INPUTS)))
        out = Path(folder) / f"t.{args.format}"
        command = [sys.executable, "-m", "lstm_explorer", "trace", "lstm", "--hidden", str(args.hidden)]
        command += ["--input-file", str(inputs), "--out", str(out)]
        subprocess.run(command, check=True)
        written = out.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    size = trace_bytes(args.steps, args.hidden)
    print(
        f"{args.steps} steps, H = {args.hidden}, .{args.format}: trace {size / 1e9:.2f} GB, "
        f"file {written / 1e9:.2f} GB, peak {peak / 1e9:.2f} GB = {peak / size:.2f}× the trace"
    )


if __name__ == "__main__":
    main()
