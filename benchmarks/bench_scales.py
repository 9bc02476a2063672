"""The colour scales' share of a keystroke: typing one more step at T = 100, 1 000 and 10 000 (H = 128).

Prints, per length, the values the tracker reads for the appended step and the time it takes, beside
recomputing the scales of the whole trace (what a non-incremental design would do per keystroke).
The tracker's work must not grow with T; its time may wobble with the machine's load.

    PYTHONPATH=$PWD python3 benchmarks/bench_scales.py
"""

from __future__ import annotations

import time

import numpy as np

from lstm_explorer.models import random_model
from lstm_explorer.scales import ScaleTracker, scales_of
from lstm_explorer.session import Session

HIDDEN, INPUTS, REPEATS = 128, 64, 50


def main() -> None:
    model = random_model("lstm", input_size=INPUTS, hidden_size=HIDDEN)
    print(f"LSTM H={HIDDEN}, X={INPUTS}; typing one step at the end ({REPEATS} repeats, median)")
    print(f"{'T':>7} {'values read':>12} {'append µs':>10} {'afresh µs':>10} {'afresh/append':>14}")
    for steps in (100, 1_000, 10_000):
        X = np.random.default_rng(0).normal(size=(steps + 1, INPUTS))
        session = Session(model.network)
        shorter = session.update(X[:steps]).traces[(0, False)]
        longer = session.update(X).traces[(0, False)]
        appended, afresh = [], []
        tracker = ScaleTracker(model.network.graph)
        tracker.update(shorter, 0)
        for _ in range(REPEATS):  # each repeat reads step T again, as the keystroke that added it
            began = time.perf_counter()
            tracker.update(longer, steps)
            appended.append(time.perf_counter() - began)
        for _ in range(max(REPEATS // 10, 3)):
            began = time.perf_counter()
            scales_of(longer)
            afresh.append(time.perf_counter() - began)
        a, f = float(np.median(appended)) * 1e6, float(np.median(afresh)) * 1e6
        print(f"{steps:>7} {tracker.scanned:>12} {a:>10.1f} {f:>10.1f} {f / a:>14.1f}")


if __name__ == "__main__":
    main()
