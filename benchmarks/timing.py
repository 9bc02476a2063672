"""Timing shared by the benchmark scripts (run as ``python3 benchmarks/bench_X.py``: this folder is
then on the import path)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeats: int, *, warm_up: bool = True) -> float:
    """The fastest of ``repeats`` calls of ``fn``, in seconds: the least disturbed by a shared
    machine. ``warm_up``: one untimed call first (caches, lazily compiled cells)."""
    if warm_up:
        fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
