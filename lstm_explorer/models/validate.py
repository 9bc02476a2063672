"""What a model's tensors must be before anything uses them: real numbers (integers are converted),
every dimension at least 1, finite, and sizes that fit together. Every refusal names the tensor.

Two entry points, each one line in the code that reads or builds a model:

* :func:`validate_tensors` after a file is read (before the network is assembled from it), so that
  a hidden size of 0 or a 0-D weight is a message instead of a ZeroDivisionError or IndexError;
* :func:`validate_model` when a :class:`~lstm_explorer.models.model.Model` is made, for the tensors
  outside the recurrent layers (embedding and readout), which the engine's own checks do not see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .common import ModelFileError


class _ModelParts(Protocol):
    """What :func:`validate_model` reads of a Model (not imported: model.py imports this module)."""

    @property
    def network(self) -> Any: ...

    @property
    def extras(self) -> Mapping[str, np.ndarray]: ...

    @property
    def embedding_key(self) -> str | None: ...

    @property
    def readout_keys(self) -> tuple[str, str | None] | None: ...


#: A recurrent layer's tensor, whatever the module prefix: ``lstm.weight_hh_l0_reverse`` …
_RECURRENT = re.compile(r"(?:^|\.)(?:weight|bias)_[a-z]+_l\d+(?:_reverse)?$")

#: NumPy dtype kinds that are not real numbers, as a person would name them.
_NOT_REAL = {
    "c": "complex numbers (the imaginary part would be lost)",
    "M": "dates (datetime64)",
    "m": "time spans (timedelta64)",
    "O": "Python objects",
    "U": "text",
    "S": "bytes",
    "V": "raw records",
}


def dtype_problem(dtype: np.dtype) -> str | None:
    """Why values of ``dtype`` cannot be weights, or None (booleans, integers, floats)."""
    return _NOT_REAL.get(np.dtype(dtype).kind)


def check_dtype(path: str | Path, name: str, dtype: np.dtype | str) -> None:
    """Refuse a tensor whose values are not real numbers, naming it (before any conversion)."""
    kind = np.dtype(dtype).kind
    if kind == "O":
        raise _file_error(path, f"tensor {name} holds pickled Python objects, which are refused (they could run code)")
    problem = dtype_problem(np.dtype(dtype))
    if problem is not None:
        raise _file_error(path, f"tensor {name} holds {problem}, not real numbers")


def shape_problem(name: str, shape: tuple[int, ...]) -> str | None:
    if any(d < 1 for d in shape):
        return f"tensor {name} has shape {tuple(shape)}: every dimension must be at least 1"
    if _RECURRENT.search(name) and len(shape) not in (1, 2):
        return f"tensor {name} has shape {tuple(shape)}: a recurrent layer's weights are vectors or matrices"
    return None


def validate_tensors(path: str | Path, tensors: Mapping[str, np.ndarray]) -> None:
    """Shapes and dtypes of every tensor read from ``path``; raises ModelFileError naming one."""
    for name, value in tensors.items():
        array = np.asarray(value)
        check_dtype(path, name, array.dtype)
        problem = shape_problem(name, array.shape)
        if problem is not None:
            raise _file_error(path, problem)


def finite_problem(name: str, value: np.ndarray) -> str | None:
    array = np.asarray(value)
    problem = dtype_problem(array.dtype) or (None if array.size else "no values")
    if problem is not None:
        return f"tensor {name} holds {problem}"
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        where = ", ".join(str(int(i)) for i in bad[0])
        return f"tensor {name} contains {array[tuple(bad[0])]} at [{where}]: values must be finite"
    return None


def validate_model(model: _ModelParts) -> None:
    """The embedding and readout of ``model`` (the engine checks the recurrent layers itself).

    Raises ValueError (its callers wrap it with the file's name) naming the tensor.
    """
    net = model.network
    if net.input_size < 1 or net.hidden_size < 1:
        raise ValueError(f"input size {net.input_size} and hidden size {net.hidden_size} must be at least 1")
    keys = [model.embedding_key, *(model.readout_keys or ())]
    for key in keys:
        if key is None:
            continue
        value = model.extras[key]
        problem = shape_problem(key, np.shape(value)) or finite_problem(key, value)
        if problem is not None:
            raise ValueError(problem)


def _file_error(path: str | Path, problem: str) -> Exception:
    return ModelFileError(path, problem)
