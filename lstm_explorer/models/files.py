"""Reading weight files into PyTorch-named NumPy arrays, without ever running code from a file.

:func:`read_file` returns a :class:`FileContents`: tensor name → float64 array, a dict of strings
(cell kind, vocabulary, task, description) when the file carries them, and what the reader had to
assume. :func:`read_weights` returns just ``(tensors, metadata)``.
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .common import FileContents, Metadata, ModelFileError, Tensors, clean_text
from .keras import read_keras_archive, read_keras_weights
from .onnxfile import read_onnx
from .safe_read import check_weights_file, validate_tensors
from .torchfile import read_torch

__all__ = ["ModelFileError", "read_file", "read_weights", "write_npz"]

#: Name of the metadata entry in an .npz file: a JSON string stored as a 0-d unicode array.
NPZ_METADATA_KEY = "__metadata__"


def read_npz(path: Path) -> FileContents:
    try:
        with np.load(path, allow_pickle=False) as archive:
            tensors = {}
            metadata: Metadata = {}
            for name in archive.files:
                if name == NPZ_METADATA_KEY:
                    metadata = {str(k): str(v) for k, v in json.loads(str(archive[name])).items()}
                    continue
                tensors[name] = np.asarray(archive[name], dtype=np.float64)
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
            raise ModelFileError(
                path, "contains pickled Python objects, which are refused (they could run code)"
            ) from None
        raise ModelFileError(path, f"not a readable .npz archive ({clean_text(str(exc))})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(path, f"not a readable .npz archive ({clean_text(str(exc))})") from None
    return FileContents(tensors, metadata, source="NumPy .npz")


def _bfloat16(path: Path, names: list[str]) -> Tensors:
    """bfloat16 tensors, which NumPy has no type for: each is the top half of a float32."""
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
        start = 8 + length
        tensors = {}
        for name in names:
            begin, end = header[name]["data_offsets"]
            handle.seek(start + begin)
            raw = np.frombuffer(handle.read(end - begin), dtype="<u2")
            widened = (raw.astype(np.uint32) << 16).view(np.float32)
            tensors[name] = widened.astype(np.float64).reshape(header[name]["shape"])
    return tensors


def read_safetensors(path: Path) -> FileContents:
    from safetensors import SafetensorError, safe_open  # here for start-up time: only these files need it

    try:
        with safe_open(str(path), framework="numpy") as handle:
            metadata = dict(handle.metadata() or {})
            tensors: Tensors = {}
            wide: list[str] = []
            for name in handle.keys():  # noqa: SIM118 - a safe_open handle is not a mapping
                dtype = handle.get_slice(name).get_dtype()
                if dtype == "BF16":
                    wide.append(name)
                elif dtype.startswith("F"):
                    tensors[name] = np.asarray(handle.get_tensor(name), dtype=np.float64)
                elif dtype in ("I64", "I32", "I16", "I8", "U8", "BOOL"):
                    continue  # counters and masks (num_batches_tracked …): not weights
                else:
                    raise ModelFileError(path, f"tensor {name} has type {dtype}, which cannot be read as numbers")
        tensors.update(_bfloat16(path, wide))
        # safetensors.torch.save_model stores one name of tied tensors and records each dropped
        # name in the metadata as dropped → kept (decoder.weight → encoder.weight): restore them.
        for dropped, kept in list(metadata.items()):
            if kept in tensors and dropped not in tensors and "." in dropped:
                tensors[dropped] = tensors[kept]
                del metadata[dropped]
    except (SafetensorError, OSError, ValueError, KeyError, struct.error) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(path, f"not a readable safetensors file ({clean_text(str(exc))})") from None
    return FileContents(tensors, metadata, source="safetensors")


READERS: dict[str, Callable[[Path], FileContents]] = {
    ".npz": read_npz,
    ".safetensors": read_safetensors,
    ".pt": read_torch,
    ".pth": read_torch,
    ".bin": read_torch,
    ".ckpt": read_torch,
    ".weights.h5": read_keras_weights,
    ".h5": read_keras_weights,
    ".keras": read_keras_archive,
    ".onnx": read_onnx,
}


def read_file(path: str | Path) -> FileContents:
    """Read a weights file chosen by its extension."""
    path = Path(path)
    check_weights_file(path)  # a regular file, declared sizes within the file and the memory budget
    if not path.exists():
        raise ModelFileError(path, "no such file")
    if path.is_dir():
        raise ModelFileError(path, "is a folder, not a weights file")
    suffixes = "".join(path.suffixes[-2:]).lower()
    reader = READERS.get(suffixes) or READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ModelFileError(path, f"unknown format {path.suffix or '(no extension)'!r}; known: {known}")
    contents = reader(path)
    if not contents.tensors:
        raise ModelFileError(path, "holds no tensors")
    validate_tensors(path, contents.tensors)  # every dimension ≥ 1, real numbers: one message naming the tensor
    return contents


def read_weights(path: str | Path) -> tuple[Tensors, Metadata]:
    """Read a weights file chosen by its extension: its tensors and metadata."""
    contents = read_file(path)
    return contents.tensors, contents.metadata


def write_npz(path: str | Path, tensors: Tensors, metadata: Metadata | None = None) -> None:
    arrays: dict[str, np.ndarray] = dict(tensors)
    if metadata:
        arrays[NPZ_METADATA_KEY] = np.array(json.dumps(metadata))
    np.savez(path, **arrays)  # type: ignore[arg-type]
