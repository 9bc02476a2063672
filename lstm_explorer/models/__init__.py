"""Models: weight files, bundled demos, and what a model needs to read its input."""

from .bundled import DEFAULT_MODEL, list_bundled, load_bundled
from .files import ModelFileError, read_weights
from .model import Model, load_model_file, random_model, resolve_model

__all__ = [
    "DEFAULT_MODEL",
    "Model",
    "ModelFileError",
    "list_bundled",
    "load_bundled",
    "load_model_file",
    "random_model",
    "read_weights",
    "resolve_model",
]
