"""PyTorch files (``.pt``, ``.pth``, ``.bin``, Lightning ``.ckpt``) read with ``torch.load(weights_only=True)``.

Nothing in the file runs: TorchScript archives and whole pickled modules are recognised from the
archive's listing and the pickle's referenced globals (read without unpickling) and refused.
Checkpoints that keep plain Python objects next to the weights (Lightning's ``hyper_parameters``)
are loaded with each such class replaced by an inert stand-in that stores nothing and calls nothing.
"""

from __future__ import annotations

import importlib
import re
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from .common import FileContents, ModelFileError, clean_text
from .validate import check_dtype

#: Where common checkpoint layouts keep the state_dict (Lightning: ``state_dict``).
_CHECKPOINT_KEYS = ("state_dict", "model_state_dict", "model", "module", "net")

PICKLE_LOADER = "torch.load(PATH, weights_only=False)"
TORCHSCRIPT_LOADER = "torch.jit.load(PATH)"


def _refusal(what: str, loader: str = PICKLE_LOADER) -> str:
    """One line saying what was refused, then the two lines of code that save a state_dict."""
    return (
        f"refused: {what}, and loading it could run code; open a state_dict instead, saved with:\n"
        f"    model = {loader}  # only for a file you trust: it runs code\n"
        "    torch.save(model.state_dict(), 'weights.pt')"
    )


def _torchscript(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.endswith("constants.pkl") or "/code/" in n for n in names)


class _Inert:
    """Stands in for a class a checkpoint names but that a weights reader never needs.

    Creating one gives an empty OrderedDict: the only object besides tensors that torch's
    restricted unpickler lets a pickle fill both by item (a dict subclass such as Lightning's
    AttributeDict) and by attribute state. Nothing of the named class is imported or called.
    """

    def __new__(cls, *args: object, **kwargs: object) -> Any:
        return OrderedDict()


def _stand_ins(names: list[str]) -> list[type]:
    stand_ins = []
    for full in names:
        module, _, name = full.rpartition(".")
        stand_ins.append(type(name, (_Inert,), {"__module__": module, "__qualname__": name}))
    return stand_ins


def _numpy_reconstructor(name: str) -> Any:
    """NumPy's own constructors of arrays, scalars and dtypes (checkpoints keep metrics as NumPy
    values), which build data and nothing else; None for any other name."""
    module, _, attr = name.rpartition(".")
    if module == "numpy" and attr in ("ndarray", "dtype"):
        return getattr(np, attr)
    if module == "numpy.dtypes" and attr.endswith("DType"):
        return getattr(np.dtypes, attr, None)
    if module in ("numpy.core.multiarray", "numpy._core.multiarray") and attr in ("_reconstruct", "scalar"):
        # numpy 2 keeps it in numpy._core; numpy 1 in numpy.core (both names appear in pickles)
        multiarray = importlib.import_module(
            "numpy._core.multiarray" if hasattr(np, "_core") else "numpy.core.multiarray"
        )
        return getattr(multiarray, attr)
    return None


def _load(torch: Any, path: Path) -> Any:
    """torch.load(weights_only=True), with inert stand-ins for plain classes a checkpoint names."""
    try:
        unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
    except Exception:
        unsafe = []
    if any(g.startswith("torch.nn.") or g.startswith("torch.jit") for g in unsafe):
        raise ModelFileError(path, _refusal("the file is a whole pickled module (torch.save(model)), not a state_dict"))
    # Only classes (by convention capitalised) get a stand-in; a function such as posix.system makes
    # torch refuse the file, which is what the user should hear about it.
    numpy_data = {g: obj for g in unsafe if (obj := _numpy_reconstructor(g)) is not None}
    classes = [g for g in unsafe if g not in numpy_data and g.rpartition(".")[2][:1].isupper()]
    calls = [g for g in unsafe if g not in classes and g not in numpy_data]
    if calls:
        raise ModelFileError(
            path, _refusal(f"the file holds Python objects ({', '.join(calls[:3])}), not only tensors")
        )
    allowed: list[Any] = [*_stand_ins(classes), *((obj, name) for name, obj in numpy_data.items())]
    if "numpy.dtype" in numpy_data:  # unpickling a dtype fills an instance of its DType class
        allowed += [cls for name, cls in vars(np.dtypes).items() if name.endswith("DType") and isinstance(cls, type)]
    with torch.serialization.safe_globals(allowed):
        # weights_only: torch's restricted unpickler, which refuses anything but tensors, containers
        # and the inert stand-ins above.
        return torch.load(str(path), map_location="cpu", weights_only=True)


def _find_state_dict(state: Any) -> dict | None:
    if not isinstance(state, dict):
        return None
    for key in _CHECKPOINT_KEYS:
        if isinstance(state.get(key), dict):
            return state[key]
    return state


def read_torch(path: Path) -> FileContents:
    try:
        # Imported here, not at module level: torch takes seconds to import and only these files need it.
        import torch
    except ImportError:
        raise ModelFileError(
            path,
            "reading PyTorch files needs torch: pip install 'lstm-explorer[torch]' "
            "(or save the state_dict with safetensors, which needs no torch)",
        ) from None
    if _torchscript(path):
        raise ModelFileError(
            path, _refusal("the file is a TorchScript program (torch.jit.save), not a state_dict", TORCHSCRIPT_LOADER)
        )
    try:
        state = _load(torch, path)
    except ModelFileError:
        raise
    except Exception as exc:
        message = str(exc)
        if "Unsupported global" in message:
            culprit = re.search(r"Unsupported global: GLOBAL ([\w.]+)", message)
            named = f" ({culprit[1]})" if culprit else ""
            raise ModelFileError(path, _refusal(f"the file holds Python objects{named}, not only tensors")) from None
        # torch's weights_only errors put the reason on the line after "WeightsUnpickler error:".
        detail = message.split("WeightsUnpickler error:", 1)[-1]
        text = clean_text(detail) or type(exc).__name__
        raise ModelFileError(path, f"not a readable PyTorch file ({text[:200]})") from None
    if isinstance(state, torch.jit.ScriptModule | torch.nn.Module):  # pragma: no cover - weights_only returns neither
        raise ModelFileError(path, _refusal("the file is a whole module, not a state_dict"))
    found = _find_state_dict(state)
    if found is None:
        raise ModelFileError(path, f"holds a {type(state).__name__}, expected a state_dict (a dict of tensors)")
    arrays = {str(name): _as_array(torch, path, str(name), value) for name, value in found.items()}
    tensors = {name: array for name, array in arrays.items() if array is not None}
    source = "PyTorch checkpoint" if found is not state else "PyTorch state_dict"
    return FileContents(tensors, {}, source=f"{source} ({path.suffix})")


def _as_array(torch: Any, path: Path, name: str, value: Any) -> np.ndarray | None:
    """A tensor of the state_dict as a NumPy array (None for entries that are not tensors: step
    counters, hyper-parameters). Tensors that cannot be read as real numbers are refused by name
    rather than dropped, so a weight never goes missing without saying why."""
    if not isinstance(value, torch.Tensor):
        return None
    if value.is_quantized:
        raise ModelFileError(path, f"tensor {name} is quantized ({value.dtype}); save the float model's state_dict")
    if value.layout != torch.strided:
        raise ModelFileError(path, f"tensor {name} is {value.layout} (not dense); save it with .to_dense()")
    if value.is_complex():
        check_dtype(path, name, np.dtype(np.complex128))  # refuses, naming the tensor
    if value.is_meta:
        raise ModelFileError(path, f"tensor {name} has no values (a meta tensor)")
    if value.is_floating_point():
        # float16 / bfloat16 → float64 is exact: every such value is a float64 value.
        return value.detach().to(torch.float64).numpy()
    return value.detach().numpy()  # integers and booleans: converted where they are used as weights
