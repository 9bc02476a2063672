"""One BLAS thread for the GUI process.

The engine's products are matrix-vector sized (4H × H at most, one per step): a second OpenBLAS
thread does not speed them up, and its busy-waiting takes a core from the GUI thread while a long
sequence computes on the worker (measured on the 2-core machine: T=1000, H=512 took 0.37 s with
one thread, 0.88 s with two, and the longest GUI stall grew past 100 ms). Found through the
library NumPy has loaded; a no-op when it cannot be found.
"""

from __future__ import annotations

import ctypes


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return []


def limit_blas_threads(count: int = 1) -> bool:
    """Set the OpenBLAS thread count NumPy uses; True if it was found and set."""
    import numpy  # noqa: F401  (loads the BLAS library)

    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in (
            "scipy_openblas_set_num_threads64_",
            "openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads",
            "openblas_set_num_threads",
        ):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(count))
                return True
    return False
