"""What holding a unit costs in the window's document (no Qt): the bundled text LSTM `brackets`
(H = 16, a readout over 5 characters) on 10 000 steps.

Prints, as ratios to one full run of the input (``Session.update`` from scratch):
  hold all steps   - c[3]=0 at every step: the held run from step 0 (the unheld run is kept)
  hold @9000:      - c[3]=0 from step 9000: recomputed from its first affected step only
  change value     - c[3] from 0 to 0.5 at every step (the unheld run does not change)
  effect           - the run-wide Δ loss (analysis/effects.py: the readout of both runs)
Best of --repeats rounds (a shared machine: quote the load average with the figures).

Run: python benchmarks/bench_held.py [--steps 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from lstm_explorer.analysis import prediction_effect
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models.bundled import load_bundled


def best(repeats: int, run) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = load_bundled("brackets")
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("(()abc"), size=args.steps))
    X = model.encode_text(text)

    def fresh() -> ExplorerDocument:
        return ExplorerDocument.computed(model, X, list(text), text=text)

    full = best(args.repeats, fresh)
    document = fresh()
    rows = []

    def hold(items: tuple[Intervention, ...], start: tuple[Intervention, ...] = ()) -> float:
        document.hold(start)
        times = []
        for _ in range(args.repeats):
            document.hold(start)
            began = time.perf_counter()
            document.hold(items)
            times.append(time.perf_counter() - began)
        return min(times)

    rows.append(("hold all steps", hold((Intervention("c", (3,), 0.0),))))
    rows.append(("hold @9000:", hold((Intervention("c", (3,), 0.0, range(args.steps - 1000, args.steps)),))))
    zero, half = (Intervention("c", (3,), 0.0),), (Intervention("c", (3,), 0.5),)
    rows.append(("change value", hold(half, zero)))
    ids = [model.vocabulary.id_of(ch) for ch in text]
    rows.append(
        ("effect", best(args.repeats, lambda: prediction_effect(model, document.plain_traces, document.traces, ids)))
    )
    print(f"brackets (LSTM H={model.network.hidden_size}), T={args.steps}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'full run':<16} {full * 1e3:8.1f} ms   1.00")
    for name, seconds in rows:
        print(f"{name:<16} {seconds * 1e3:8.1f} ms   {seconds / full:.2f}")


if __name__ == "__main__":
    main()
