"""Reading weight files into PyTorch-named NumPy arrays, without ever running code from a file.

Every reader returns ``(tensors, metadata)``: tensor name → float64 array, and a dict of strings
(cell kind, vocabulary, task, description) when the file carries them.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: Name of the metadata entry in an .npz file: a JSON string stored as a 0-d unicode array.
NPZ_METADATA_KEY = "__metadata__"

Tensors = dict[str, np.ndarray]
Metadata = dict[str, str]


class ModelFileError(ValueError):
    """A weight file cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{Path(path).name}: {problem}")
        self.path = Path(path)
        self.problem = problem


def read_npz(path: Path) -> tuple[Tensors, Metadata]:
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
        raise ModelFileError(path, f"not a readable .npz archive ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(path, f"not a readable .npz archive ({exc})") from None
    return tensors, metadata


def read_safetensors(path: Path) -> tuple[Tensors, Metadata]:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            metadata = dict(handle.metadata() or {})
            tensors = {name: np.asarray(handle.get_tensor(name), dtype=np.float64) for name in handle.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(path, f"not a readable safetensors file ({exc})") from None
    return tensors, metadata


def read_torch(path: Path) -> tuple[Tensors, Metadata]:
    try:
        import torch
    except ImportError:
        raise ModelFileError(
            path,
            "reading PyTorch files needs torch: pip install 'lstm-explorer[torch]' "
            "(or save the state_dict with safetensors, which needs no torch)",
        ) from None
    try:
        # weights_only: torch's restricted unpickler, which refuses anything but tensors and containers.
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types (UnpicklingError, RuntimeError, EOFError …)
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "weights_only" in str(exc) or "Unsupported global" in str(exc):
            raise ModelFileError(
                path,
                "refused: the file holds Python objects, not only tensors, and unpickling them could run code; "
                f"save model.state_dict() instead ({text})",
            ) from None
        raise ModelFileError(path, f"not a readable PyTorch file ({text})") from None
    if isinstance(state, torch.nn.Module):  # pragma: no cover - weights_only never returns a Module
        state = state.state_dict()
    if not isinstance(state, dict):
        raise ModelFileError(path, f"holds a {type(state).__name__}, expected a state_dict (a dict of tensors)")
    for key in ("state_dict", "model_state_dict", "model"):  # common checkpoint layouts
        if isinstance(state.get(key), dict):
            state = state[key]
            break
    tensors = {
        str(name): value.detach().to(torch.float64).numpy()
        for name, value in state.items()
        if isinstance(value, torch.Tensor) and value.is_floating_point()
    }
    return tensors, {}


def read_keras_weights(path: Path) -> tuple[Tensors, Metadata]:
    from .keras import read_keras_weights as read

    return read(path)


def read_keras_archive(path: Path) -> tuple[Tensors, Metadata]:
    from .keras import read_keras_archive as read

    return read(path)


READERS: dict[str, Callable[[Path], tuple[Tensors, Metadata]]] = {
    ".npz": read_npz,
    ".safetensors": read_safetensors,
    ".pt": read_torch,
    ".pth": read_torch,
    ".weights.h5": read_keras_weights,
    ".h5": read_keras_weights,
    ".keras": read_keras_archive,
}


def read_weights(path: str | Path) -> tuple[Tensors, Metadata]:
    """Read a weights file chosen by its extension."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(path, "no such file")
    if path.is_dir():
        raise ModelFileError(path, "is a folder, not a weights file")
    suffixes = "".join(path.suffixes[-2:]).lower()
    reader = READERS.get(suffixes) or READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ModelFileError(path, f"unknown format {path.suffix or '(no extension)'!r}; known: {known}")
    tensors, metadata = reader(path)
    if not tensors:
        raise ModelFileError(path, "holds no tensors")
    return tensors, metadata


def write_npz(path: str | Path, tensors: Tensors, metadata: Metadata | None = None) -> None:
    arrays: dict[str, np.ndarray] = dict(tensors)
    if metadata:
        arrays[NPZ_METADATA_KEY] = np.array(json.dumps(metadata))
    np.savez(path, **arrays)  # type: ignore[arg-type]
