"""Reading files that may never end or may explode, without hanging or running out of memory.

Before a reader opens a file: it must be a regular file (a FIFO would block forever, ``/dev/zero``
never ends, a folder is not a file), readable, and what it declares must fit: every array's
declared size within what the file holds, and the whole model within a memory budget, checked
from headers alone (``.npy`` headers inside an ``.npz``, the JSON header of a ``.safetensors``,
HDF5 dataset shapes) before anything is allocated. Value types are checked here too, by name,
because the readers convert everything to float64 (complex numbers would lose their imaginary
part, dates would become numbers).

Every refusal is a ModelFileError naming the file.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .common import ModelFileError
from .validate import check_dtype, validate_tensors

__all__ = ["check_weights_file", "validate_tensors"]

#: Most memory a model's tensors (as float64) may take, whatever the machine has free.
MODEL_BYTES_CAP = 4 << 30
#: Largest safetensors header (the safetensors library's own limit) and npz metadata entry.
MAX_HEADER_BYTES = 100 << 20
MAX_METADATA_BYTES = 1 << 20
FLOAT64_BYTES = 8

#: safetensors dtype names → item size in bytes (what the readers can convert to float64).
_SAFETENSORS_SIZES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}


def human_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError  # pragma: no cover


def available_memory() -> int:
    """Bytes of memory free for use now (Linux: MemAvailable), or 8 GB when unknown."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def memory_budget() -> int:
    """Bytes one piece of work (a model, a trace, a batch) may allocate: half of what is free."""
    return available_memory() // 2


def require_memory(nbytes: float, what: str) -> None:
    """Refuse work estimated at ``nbytes`` before allocating it (ValueError, one line)."""
    budget = memory_budget()
    if nbytes > budget:
        raise ValueError(
            f"{what} would need about {human_bytes(nbytes)} of memory; "
            f"{human_bytes(budget)} is the most this machine can spare"
        )


def _fail(path: str | Path, problem: str) -> Exception:
    return ModelFileError(path, problem)


def os_problem(exc: OSError) -> str:
    """An OSError as what it is (permission, symbolic-link loop …), without the path it repeats."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "a loop of symbolic links"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    return exc.strerror or str(exc)


def check_regular_file(path: str | Path) -> os.stat_result:
    """The file's status if it is a regular, readable file; otherwise ModelFileError saying what it is."""
    path = Path(path)
    try:
        status = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise _fail(path, f"a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise _fail(path, os_problem(exc)) from None
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise _fail(path, "is a folder, not a file")
    if stat.S_ISFIFO(mode):
        raise _fail(path, "is a named pipe (FIFO), not a file; reading it could wait forever")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise _fail(path, "is a device, not a file")
    if stat.S_ISSOCK(mode):
        raise _fail(path, "is a socket, not a file")
    if not stat.S_ISREG(mode):
        raise _fail(path, "is not a regular file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise _fail(path, os_problem(exc)) from None
    return status


def _elements(shape: Iterable[int]) -> int:
    return math.prod(int(d) for d in shape)  # Python ints: 10**12 elements do not overflow


def _check_total(path: Path, total_bytes: int) -> None:
    budget = min(MODEL_BYTES_CAP, memory_budget())
    if total_bytes > budget:
        raise _fail(
            path,
            f"its tensors would take {human_bytes(total_bytes)} of memory as float64, "
            f"more than the {human_bytes(budget)} allowed; refused before reading",
        )


def _npy_header(handle: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    from numpy.lib import format as npy

    version = npy.read_magic(handle)
    if version == (1, 0):
        shape, _fortran, dtype = npy.read_array_header_1_0(handle)
    else:
        shape, _fortran, dtype = npy.read_array_header_2_0(handle)
    return tuple(shape), np.dtype(dtype)


def check_npz(path: Path) -> None:
    """Every member's declared shape and type, from its header, against its size and the budget."""
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                name = info.filename[: -len(".npy")]
                with archive.open(info) as member:
                    shape, dtype = _npy_header(member)
                    if name == "__metadata__":
                        _check_npz_metadata(path, shape, dtype, info.file_size, member)
                        continue
                check_dtype(path, name, dtype)
                declared = _elements(shape) * dtype.itemsize
                if declared > info.file_size:
                    raise _fail(
                        path,
                        f"tensor {name} declares shape {shape} ({human_bytes(declared)}) but the archive holds "
                        f"{human_bytes(info.file_size)} for it: the file is damaged",
                    )
                total += _elements(shape) * FLOAT64_BYTES
                _check_total(path, total)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise _fail(path, f"not a readable .npz archive ({exc})") from None


def _check_npz_metadata(path: Path, shape: tuple[int, ...], dtype: np.dtype, size: int, member: IO[bytes]) -> None:
    example = 'a JSON object such as {"cell": "lstm"}'
    if dtype.kind != "U" or shape != () or size > MAX_METADATA_BYTES:
        raise _fail(path, f"__metadata__ must be one string holding {example}")
    text = str(np.frombuffer(member.read(), dtype=dtype, count=1)[0])
    try:
        value = json.loads(text)
    except ValueError:
        raise _fail(path, f"__metadata__ is not valid JSON; expected {example}") from None
    if not isinstance(value, dict):
        raise _fail(path, f"__metadata__ is a JSON {type(value).__name__}; expected {example}")


def check_safetensors(path: Path, size: int) -> None:
    """The header's length, tensors, types and offsets against the file's size and the budget."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise _fail(path, f"only {size} bytes: too short to be a safetensors file")
        length = int.from_bytes(head, "little")
        if length > size - 8 or length > MAX_HEADER_BYTES:
            raise _fail(path, f"its header declares {length} bytes but the file has {size}: not a safetensors file")
        raw = handle.read(length)
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _fail(path, "its header is not JSON: not a safetensors file") from None
    if not isinstance(header, dict):
        raise _fail(path, "its header is not a JSON object: not a safetensors file")
    data_bytes = size - 8 - length
    total = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
            raise _fail(path, f"tensor {name}: its header entry lacks dtype, shape or data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in _SAFETENSORS_SIZES:
            kind = "complex numbers" if str(dtype).startswith("C") else f"values of type {dtype}"
            raise _fail(path, f"tensor {name} holds {kind}, not real numbers the engine reads")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise _fail(path, f"tensor {name}: shape {shape!r} is not a list of sizes")
        begin, end = [*offsets, 0, 0][:2] if isinstance(offsets, list) else (0, -1)
        declared = _elements(shape) * _SAFETENSORS_SIZES[dtype]
        if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= data_bytes):
            raise _fail(path, f"tensor {name}: its data lies outside the file (offsets {offsets}, {data_bytes} bytes)")
        if end - begin != declared:
            raise _fail(
                path, f"tensor {name}: shape {tuple(shape)} needs {declared} bytes, the file gives {end - begin}"
            )
        total += _elements(shape) * FLOAT64_BYTES
        _check_total(path, total)


def check_h5(path: Path, source: Any) -> None:
    """HDF5 datasets' shapes and types (read from metadata, no data) against the budget."""
    try:
        import h5py
    except ImportError:
        return  # the reader says which extra to install
    total = 0
    problems: list[str] = []

    def visit(name: str, item: Any) -> None:
        nonlocal total
        if not isinstance(item, h5py.Dataset) or problems:
            return
        if "/vars/" in f"/{name}":  # the weights the reader reads (optimizer state may be anything)
            try:
                check_dtype(path, name, item.dtype)
            except ValueError as exc:
                problems.append(str(exc).split(": ", 1)[-1])
                return
        total += _elements(item.shape or ()) * FLOAT64_BYTES
        if total > min(MODEL_BYTES_CAP, memory_budget()):
            problems.append("")

    try:
        with h5py.File(source, "r") as handle:
            handle.visititems(visit)
    except OSError as exc:
        raise _fail(path, f"not a readable HDF5 file ({exc})") from None
    if problems and problems[0]:
        raise _fail(path, problems[0])
    _check_total(path, total)


def check_keras_archive(path: Path) -> None:
    """A .keras zip: its members' declared sizes, then the weights inside it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            for name in ("model.weights.h5", "config.json"):
                if name in infos:
                    _check_total(path, infos[name].file_size)
            if "model.weights.h5" in infos:
                check_h5(path, io.BytesIO(archive.read("model.weights.h5")))
    except (zipfile.BadZipFile, EOFError, OSError):
        return  # the reader reports an unreadable archive in its own words


def check_torch(path: Path, size: int) -> None:
    """Bytes that are neither a zip (torch.save since 1.6), a pickle nor a tar are no PyTorch file."""
    if size == 0:
        raise _fail(path, "is empty: not a PyTorch file")
    _check_total(path, size)  # tensors are stored uncompressed: the file's size bounds them
    with open(path, "rb") as handle:
        head = handle.read(512)
    is_zip = head.startswith(b"PK\x03\x04")
    is_pickle = len(head) > 1 and head[0] == 0x80 and 2 <= head[1] <= 5
    is_tar = head[257:262] == b"ustar"
    if not (is_zip or is_pickle or is_tar):
        raise _fail(path, "not a PyTorch file (torch.save writes a zip archive or a pickle; this is neither)")


def check_weights_file(path: str | Path) -> None:
    """Everything that can be checked before a weights reader touches ``path`` (see the module doc)."""
    path = Path(path)
    size = check_regular_file(path).st_size
    name = path.name.lower()
    if name.endswith(".npz"):
        check_npz(path)
    elif name.endswith(".safetensors"):
        check_safetensors(path, size)
    elif name.endswith((".pt", ".pth", ".bin", ".ckpt")):  # what the PyTorch reader opens
        check_torch(path, size)
    elif name.endswith(".onnx"):
        _check_total(path, size)  # the ONNX reader holds the whole file in memory
    elif name.endswith(".h5"):
        check_h5(path, str(path))
    elif name.endswith(".keras"):
        check_keras_archive(path)
