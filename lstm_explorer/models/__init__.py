"""Models: weight files, bundled demos, and what a model needs to read its input."""

from .files import ModelFileError, read_weights
from .model import Model, load_model_file, random_model, resolve_model

__all__ = ["Model", "ModelFileError", "load_model_file", "random_model", "read_weights", "resolve_model"]
