"""Models: weight files, bundled demos, and what a model needs to read its input."""

from .bundled import DEFAULT_MODEL, list_bundled, load_bundled
from .common import Assumption, ModelFileError, ModuleChoiceError
from .files import read_weights
from .model import Model, load_model_file, random_model
from .resolve import resolve_model
from .vocabulary import Vocabulary, VocabularyError, read_vocabulary_file

__all__ = [
    "DEFAULT_MODEL",
    "Assumption",
    "Model",
    "ModelFileError",
    "ModuleChoiceError",
    "Vocabulary",
    "VocabularyError",
    "list_bundled",
    "load_bundled",
    "load_model_file",
    "random_model",
    "read_vocabulary_file",
    "read_weights",
    "resolve_model",
]
