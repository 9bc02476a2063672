"""Peak memory of the diagram's backward mode: every node's gradient at every step (what the mode
recorded before) against the window of steps it records now (views/backward_flow.node_window).

Each way runs in a child process of its own on the same random LSTM and input; the child computes
the trace (as the window holds it), then the node gradients of the last step's h[0], and reports
its peak resident set (``ru_maxrss``, Linux) before and after the gradients, and the seconds.

    python3 benchmarks/bench_backward_memory.py [--steps 10000] [--hidden 512] [--inputs 64]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
import numpy as np
from dataclasses import replace
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.models import random_model
from lstm_explorer.views.backward_flow import field_of, node_window
from lstm_explorer.views.gradient_compute import compute_nodes, request_for

steps, hidden, inputs, windowed = (int(a) for a in sys.argv[1:5])
model = random_model("lstm", input_size=inputs, hidden_size=hidden, seed=1)
X = np.random.default_rng(0).normal(size=(steps, inputs))
document = ExplorerDocument.computed(model, X)
document.set_gradient_target(f"h[0]@{steps - 1}")
document.playback.seek(steps - 1)
document.set_backward(True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
request = replace(request_for(document), unit=None)
if windowed == 1:
    request = replace(request, node_steps=node_window(request, steps - 1))
start = time.perf_counter()
if windowed == 2:  # no node recorded: the walk's own working memory (the Gradients panel's)
    from lstm_explorer.views.gradient_compute import compute
    compute(request)
    field = None
else:
    field = field_of(compute_nodes(request))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
held = sum(a.nbytes for a in field.nodes.values()) if field else 0
print(json.dumps({"before": before, "peak": peak, "seconds": seconds, "held": held,
                  "first": field.first if field else 0, "last": field.last if field else -1}))
"""


def run(steps: int, hidden: int, inputs: int, windowed: int) -> dict[str, float]:
    command = [sys.executable, "-c", CHILD, str(steps), str(hidden), str(inputs), str(int(windowed))]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--inputs", type=int, default=64)
    args = parser.parse_args()
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[0]
    print(f"LSTM, {args.steps} steps, H = {args.hidden}, input {args.inputs}; load average {load}")
    began = time.perf_counter()
    ways = (("every step (before)", 0), ("window (now)", 1), ("no node recorded", 2))
    for label, windowed in ways:
        r = run(args.steps, args.hidden, args.inputs, windowed)
        print(
            f"  {label:20s}: trace computed {r['before'] / 1e9:.2f} GB, peak {r['peak'] / 1e9:.2f} GB "
            f"(+{(r['peak'] - r['before']) / 1e9:.2f} GB), node gradients held {r['held'] / 1e6:.0f} MB "
            f"(steps {r['first']}…{r['last']}), {r['seconds']:.2f} s"
        )
    print(f"  ({time.perf_counter() - began:.0f} s in all)")


if __name__ == "__main__":
    main()
