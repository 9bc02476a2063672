"""Gradients through time for one target against one forward trace, measured side by side.

Prints, for each cell kind asked (default lstm, gru, rnn), X = 64, H = 128, T = 1000, float64,
the best of N runs:
  trace      - the engine's fast path computing every node of the cell over T steps
  gradients  - d c[0]@T-1 / d (x, h, c) at every step: the forward trace plus the backward walk
  backward   - the backward walk alone, from a trace already computed (what a panel that holds
               the document's trace pays)
  nodes      - the same walk recording d target / d node for every node of the cell at every
               step (what the diagram's backward mode asks for)
and the ratios gradients / trace, backward / trace and nodes / backward.
Budget (DESIGN.md): 1 000 steps at H = 128 well under a second.

Run: python benchmarks/bench_gradients.py [--repeats N] [--cells lstm gru rnn] [--hidden 128] [--steps 1000]
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import best_of

from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.engine.gradients import gradients
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.targets import NodeTarget
from lstm_explorer.threads import limit_blas_threads

X_SIZE = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn"])
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    limit_blas_threads(1)  # as lstm-explorer runs
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    H, T = args.hidden, args.steps
    print(f"X={X_SIZE}, H={H}, T={T}, float64, best of {args.repeats}; load average {' '.join(load)}")
    print(
        f"{'cell':6} {'trace':>9} {'gradients':>10} {'backward':>9} {'nodes':>9} "
        f"{'grad/trace':>11} {'back/trace':>11} {'nodes/back':>11}"
    )
    X = np.random.default_rng(0).normal(size=(T, X_SIZE))
    for kind in args.cells:
        net = RecurrentNetwork.from_tensors(init_weights(cell_graph(kind), X_SIZE, H, seed=1), kind)
        node = "c" if "c" in net.graph.state_names else "h"
        target = NodeTarget(node, 0, T - 1)
        traces = net.run(X)
        trace = best_of(lambda net=net: net.run(X), args.repeats)
        full = best_of(lambda net=net, target=target: gradients(net, X, target), args.repeats)
        backward = best_of(
            lambda net=net, target=target, traces=traces: gradients(net, X, target, traces=traces), args.repeats
        )
        nodes = best_of(
            lambda net=net, target=target, traces=traces: gradients(net, X, target, traces=traces, nodes=True),
            args.repeats,
        )
        print(
            f"{kind:6} {trace * 1e3:7.1f}ms {full * 1e3:8.1f}ms {backward * 1e3:7.1f}ms {nodes * 1e3:7.1f}ms "
            f"{full / trace:10.1f}x {backward / trace:10.1f}x {nodes / backward:10.2f}x"
        )


if __name__ == "__main__":
    main()
