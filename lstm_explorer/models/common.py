"""What every file reader shares: the error it raises and what it found in a file.

Readers turn a file into PyTorch-named float64 tensors plus string metadata, and say what the file
could not tell (an :class:`Assumption`) so that the CLI and the window can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

Tensors = dict[str, np.ndarray]
Metadata = dict[str, str]

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """The first line of a library's message, without terminal escape codes or control characters."""
    first = next((line for line in str(text).splitlines() if line.strip()), "")
    return _ESCAPES.sub("", first).strip()


class ModelFileError(ValueError):
    """A weight file cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{Path(path).name}: {problem}")
        self.path = Path(path)
        self.problem = problem


class ModuleChoiceError(ModelFileError):
    """The file holds several recurrent modules and none was chosen (or the one chosen is absent)."""

    def __init__(self, path: str | Path, problem: str, modules: list[str]) -> None:
        super().__init__(path, problem)
        self.modules = modules


@dataclass(frozen=True)
class Assumption:
    """Something that changes the numbers but that the file does not record.

    ``setting`` is what was assumed about (``cell``), ``assumed`` the value used (``rnn``),
    ``why`` says why the file cannot tell, ``change`` how to choose otherwise (a CLI flag such as
    ``--cell rnn-relu``, or what to save instead) and ``alternatives`` the other values (for a
    one-click change in the window: each is a valid ``cell`` argument when ``setting == "cell"``).
    """

    setting: str
    assumed: str
    why: str
    change: str
    alternatives: tuple[str, ...] = ()

    def message(self) -> str:
        return f"assumed {self.setting} {self.assumed}: {self.why}; {self.change}"


@dataclass
class FileContents:
    """One file as read: tensors in PyTorch names, metadata, and what the reader learnt about them."""

    tensors: Tensors
    metadata: Metadata = field(default_factory=dict)
    #: The format in words, for ``info`` (``Keras 3 .keras archive``, ``PyTorch state_dict`` …).
    source: str = ""
    #: How the cell kind was decided, when the reader decided it (``config.json: SimpleRNN(activation='relu')``).
    cell_source: str = ""
    assumptions: list[Assumption] = field(default_factory=list)
    #: Why the readout was not taken, when the file has a head that cannot be computed exactly.
    readout_problem: str | None = None
    #: Metadata that holds for one recurrent module only (its cell kind …), by module name.
    module_metadata: dict[str, Metadata] = field(default_factory=dict)
    #: Other facts worth showing (``Embedding(mask_zero=True) …``).
    notes: list[str] = field(default_factory=list)
