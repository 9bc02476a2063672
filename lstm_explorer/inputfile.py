"""Reading ``--input-file``: a .npy array or a .csv text, refused by name before anything large is
allocated (not a regular file, empty, text or complex values, a shape larger than the file or the
memory this machine can spare, bytes that are not UTF-8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .models.safe_read import check_regular_file, human_bytes, memory_budget, os_problem
from .models.validate import dtype_problem
from .sequence import InputError

#: Parsed text takes several times its size in Python objects (strings, floats, lists).
_TEXT_EXPANSION = 16


def read_npy_input(path: Path) -> np.ndarray:
    """The array in a .npy file; raises ModelFileError (not a regular file) or InputError."""
    from numpy.lib import format as npy

    size = check_regular_file(path).st_size
    if size == 0:
        raise InputError(f"{path.name}: the file is empty, not a .npy array")
    try:
        with open(path, "rb") as handle:
            version = npy.read_magic(handle)
            header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, _fortran, dtype = header(handle)
        problem = dtype_problem(dtype)
        if problem is not None:
            raise InputError(f"{path.name}: holds {problem}, not numbers")
        declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if declared > size:
            raise InputError(f"{path.name}: declares shape {shape} ({human_bytes(declared)}) in {human_bytes(size)}")
        if declared > memory_budget():
            raise InputError(f"{path.name}: {human_bytes(declared)} is more than this machine can spare")
        return np.load(path, allow_pickle=False)
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    except (ValueError, EOFError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path.name}: not a numeric .npy array ({' '.join(str(exc).split())})") from None


def read_csv_input(path: Path) -> str:
    """A .csv file's text (UTF-8, carriage returns dropped); raises ModelFileError or InputError."""
    size = check_regular_file(path).st_size
    if size * _TEXT_EXPANSION > memory_budget():
        raise InputError(f"{path.name}: {human_bytes(size)} of text is more than this machine can parse")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path.name}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 text") from None
    return text.replace("\r", "")
