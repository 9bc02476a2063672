"""A MODEL argument as the CLI and the window take it: a cell kind, a bundled name or a file."""

from __future__ import annotations

from pathlib import Path

from ..engine.cells import CELL_KINDS
from .bundled import bundled_names, load_bundled
from .model import Model, load_model_file, random_model
from .vocabulary import Vocabulary


def is_variant_name(spec: str) -> bool:
    return spec in CELL_KINDS


def resolve_model(
    spec: str,
    *,
    cell: str | None = None,
    input_size: int = 8,
    hidden_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
    module: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> Model:
    """A cell variant name (random weights), a bundled model's name, or a weights file."""
    if is_variant_name(spec):
        model = random_model(
            cell or spec,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            seed=seed,
        )
    else:
        path = Path(spec)
        if spec in bundled_names() and not path.exists():
            model = load_bundled(spec)
        elif not path.exists() and not path.suffix:
            raise ValueError(
                f"unknown model {spec!r}: not a cell kind ({', '.join(CELL_KINDS)}), "
                f"not a bundled model ({', '.join(bundled_names())}) and no such file"
            )
        else:
            return load_model_file(path, cell=cell, module=module, vocabulary=vocabulary)
    if module is not None:
        raise ValueError(f"--module {module}: {model.name} has one recurrent module; --module is for files")
    return model.with_vocabulary(vocabulary) if vocabulary is not None else model
