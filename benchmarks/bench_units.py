"""The unit finder over a 2-layer, 512-unit LSTM and 10 000 steps, and what interventions cost.

Prints:
  traces    - computing every node of both layers (the engine's fast path), for scale
  finder    - find_units over every unit of every node of both layers (2 × 9 nodes × 512 units)
  corrcoef  - NumPy's corrcoef doing only the r column of the same table, one node at a time
              (a side-by-side yardstick for the finder, which also computes mean/min/max/saturation)
  clamps    - fast-path time per step at H = 32 and 512 with no clamp, with c[3]=0 at every step,
              and with three clamps on different step ranges (six stretches with different op lists),
              as ratios to the run without clamps (runs interleaved, best round kept: the cost is a
              few in-place copies per step, smaller than the noise of a shared machine)

Run: python benchmarks/bench_units.py [--steps 10000] [--hidden 512] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from timing import best_of

from lstm_explorer.analysis import find_units
from lstm_explorer.analysis.units import unit_nodes
from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.engine.evaluate import CompiledCell
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.threads import limit_blas_threads


def finder(steps: int, hidden: int, repeats: int) -> None:
    graph = cell_graph("lstm")
    network = RecurrentNetwork.from_tensors(init_weights(graph, 64, hidden, num_layers=2, seed=0), "lstm")
    rng = np.random.default_rng(0)
    X = np.eye(64)[rng.integers(0, 64, size=steps)]  # one-hot characters
    feature = np.cumsum(rng.choice([-1.0, 1.0], size=steps))
    start = time.perf_counter()
    traces = network.run(X)
    traced = time.perf_counter() - start
    units = sum(traces[key][name].shape[1] for key in traces for name in unit_nodes(graph))
    seconds = best_of(lambda: find_units(traces, feature, spec="walk"), repeats, warm_up=False)

    def corrcoef_only() -> None:
        for key in traces:
            for name in unit_nodes(graph):
                np.corrcoef(traces[key][name], feature, rowvar=False)

    yardstick = best_of(corrcoef_only, repeats, warm_up=False)
    print(f"2-layer LSTM, H={hidden}, T={steps}: {units} units")
    print(f"  traces    {traced:7.2f} s")
    print(f"  finder    {seconds:7.2f} s   (best of {repeats})")
    print(f"  corrcoef  {yardstick:7.2f} s   r only (finder / corrcoef = {seconds / yardstick:.2f})")


def clamp_overhead(hidden: int, rounds: int, steps: int = 500) -> None:
    graph = cell_graph("lstm")
    network = RecurrentNetwork.from_tensors(init_weights(graph, 64, hidden, seed=1), "lstm")
    cell = CompiledCell(network.layer(0))
    X = np.random.default_rng(1).normal(size=(steps, 64))
    plans = {
        "none": [],
        "c[3]=0 every step": [Intervention("c", (3,), 0.0)],
        "3 clamps, 6 stretches": [
            Intervention("c", (3,), 0.0, range(25, 225)),
            Intervention("f", None, 1.0, range(125, 375)),
            Intervention("h", (0, 5, 9), 0.5, range(300, 475)),
        ],
    }
    # Interleaved (one run of each plan per round, best round kept): load changes hit all alike.
    times = dict.fromkeys(plans, float("inf"))
    for _ in range(rounds):
        for name, plan in plans.items():
            start = time.perf_counter()
            cell.run(X, interventions=plan)
            times[name] = min(times[name], time.perf_counter() - start)
    base = times["none"]
    print(f"fast path, H={hidden}, T={steps}, best of {rounds} interleaved rounds:")
    for name, seconds in times.items():
        print(f"  {name:24s} {seconds / steps * 1e6:7.1f} µs/step   ×{seconds / base:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    limit_blas_threads(1)  # as the app runs
    print(f"load average: {os.getloadavg()[0]:.2f}")
    finder(args.steps, args.hidden, args.repeats)
    for hidden, rounds in ((32, 20 * args.repeats), (512, 4 * args.repeats)):
        clamp_overhead(hidden, rounds)


if __name__ == "__main__":
    main()
