"""Opening models: what a spec names (a Model, a bundled name, a cell kind or a file), the error a
user reads when it cannot be opened, and the Open recent and Bundled models menus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMenu

from ..engine.cells import CELL_KINDS
from .banner import escape
from .preferences import as_list

MODEL_FILTER = "Models (*.safetensors *.npz *.pt *.pth *.ckpt *.bin *.keras *.h5 *.onnx);;All files (*)"
MODEL_SUFFIXES = (".safetensors", ".npz", ".pt", ".pth", ".ckpt", ".bin", ".keras", ".h5", ".onnx")
MAX_RECENT = 8


@dataclass(frozen=True)
class OpenRequest:
    """A model file with what a person chose for it: the cell kind (instead of an assumed one),
    the recurrent module (of a file that holds several) and a vocabulary file."""

    path: str
    cell: str | None = None
    module: str | None = None
    vocabulary: str | None = None


class OpenError(Exception):
    """A model that cannot be opened; the message is HTML for the banner. ``modules``: the file
    holds several recurrent modules and ``request`` named none of them (ask which one)."""

    def __init__(self, html: str, *, modules: list[str] | None = None, request: OpenRequest | None = None) -> None:
        super().__init__(html)
        self.modules = list(modules or [])
        self.request = request


def load_model(spec: Any) -> tuple[Any, str]:
    """(Model, settings key) for a Model, a (Model, key) pair, bundled name, cell kind, path or
    :class:`OpenRequest`; raises :class:`OpenError`."""
    # Imported when a model is opened: the window paints before the model code loads.
    from ..models import random_model, read_vocabulary_file, resolve_model
    from ..models.model import Model

    if isinstance(spec, Model):
        return spec, spec.name
    if isinstance(spec, tuple):  # (Model, key): loaded elsewhere (a session file) and remembered by key
        return spec
    request = spec if isinstance(spec, OpenRequest) else OpenRequest(str(spec))
    text = request.path
    try:
        if text in CELL_KINDS and request == OpenRequest(text):
            return random_model(text, input_size=8, hidden_size=32, seed=0), text
        vocabulary = read_vocabulary_file(request.vocabulary) if request.vocabulary else None
        path = Path(text)
        is_file = path.suffix.lower() in MODEL_SUFFIXES or path.exists()
        model = resolve_model(text, cell=request.cell, module=request.module, vocabulary=vocabulary)
        return model, str(path.resolve()) if is_file else text
    except Exception as exc:  # a file from anywhere: any failure is the file's, reported as such
        raise _open_error(text, exc, request) from exc


def _open_error(text: str, exc: Exception, request: OpenRequest) -> OpenError:
    from ..engine.weights import WeightsError
    from ..models import ModelFileError, ModuleChoiceError, VocabularyError

    name = Path(text).name
    problem = str(exc)
    if not isinstance(exc, ModelFileError | WeightsError | VocabularyError | ValueError | OSError):
        problem = f"{type(exc).__name__}: {problem}"  # unexpected: say what kind
    if problem.startswith(f"{name}: "):
        problem = problem[len(name) + 2 :]
    modules = exc.modules if isinstance(exc, ModuleChoiceError) else None
    return OpenError(f"Could not open <b>{escape(name)}</b>: {escape(problem)}", modules=modules, request=request)


def remember_recent(settings: QSettings, key: str) -> None:
    if key in CELL_KINDS:
        return
    recent = [r for r in as_list(settings.value("recent_models")) if r != key]
    settings.setValue("recent_models", [key, *recent][:MAX_RECENT])


def fill_recent_menu(menu: QMenu, settings: QSettings, open_model: Callable[[str], object]) -> None:
    menu.clear()
    recent = as_list(settings.value("recent_models"))
    if not recent:
        menu.addAction("(none yet)").setEnabled(False)
    for key in recent:
        action = QAction(Path(key).name if "/" in key else key, menu)
        action.setToolTip(key)
        action.triggered.connect(lambda _=False, k=key: open_model(k))
        menu.addAction(action)


def fill_bundled_menu(menu: QMenu, open_model: Callable[[str], object]) -> None:
    from ..models.bundled import list_bundled  # reads the resources folder: only when asked

    menu.clear()
    bundled = list_bundled()
    if not bundled:
        menu.addAction("(none installed)").setEnabled(False)
    for name, description in bundled:
        action = QAction(name, menu)
        action.setToolTip(description)
        action.setStatusTip(description)
        action.triggered.connect(lambda _=False, n=name: open_model(n))
        menu.addAction(action)


def dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None
