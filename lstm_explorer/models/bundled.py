"""The trained demo models shipped in lstm_explorer/resources/models/ (made by
scripts/train_bundled_models.py). A bundled model is named by its file's stem."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from .common import FileContents
from .files import read_weights
from .model import Model, model_from_contents

DEFAULT_MODEL = "brackets"
#: Shown first, in this order; any other bundle follows alphabetically.
_ORDER = ("brackets", "remember", "remember-rnn", "sine")


def models_folder() -> Path:
    return Path(str(resources.files("lstm_explorer") / "resources" / "models"))


def bundled_names() -> list[str]:
    folder = models_folder()
    names = sorted(p.name[: -len(".safetensors")] for p in folder.glob("*.safetensors")) if folder.is_dir() else []
    return sorted(names, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))


def bundled_path(name: str) -> Path:
    if name not in bundled_names():
        raise ValueError(f"no bundled model {name!r}; bundled: {', '.join(bundled_names()) or 'none'}")
    return models_folder() / f"{name}.safetensors"


@cache
def _read(name: str) -> tuple[dict, dict]:
    return read_weights(bundled_path(name))


def list_bundled() -> list[tuple[str, str]]:
    """(name, one-line description) of every bundled model."""
    return [(name, _read(name)[1].get("description", "")) for name in bundled_names()]


def load_bundled(name: str) -> Model:
    """A fresh Model (its own arrays) for a bundled name such as ``brackets``."""
    tensors, metadata = _read(name)
    contents = FileContents({k: v.copy() for k, v in tensors.items()}, dict(metadata), source="bundled model")
    return model_from_contents(name, contents)
