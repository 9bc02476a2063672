"""One BLAS thread for the engine.

The engine's products are matrix-vector sized (4H × H at most, one per step): a second OpenBLAS
thread barely speeds them up, and its busy-waiting takes a core from everything else — the GUI
thread while a long sequence computes on a worker, or the encoder during an export (measured on the
2-core machine: T=1000, H=512 took 0.37 s with one thread, 0.88 s with two, and the longest GUI
stall grew past 100 ms).
"""

from __future__ import annotations


def limit_blas_threads(count: int = 1) -> None:
    """Limit the BLAS library NumPy uses to ``count`` threads, for the rest of the process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=count, user_api="blas")
