"""Opening models: what a spec names (a Model, a bundled name, a cell kind or a file), the error a
user reads when it cannot be opened, and the Open recent and Bundled models menus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMenu

from ..engine.cells import CELL_KINDS
from .banner import escape
from .preferences import as_list

MODEL_FILTER = "Models (*.safetensors *.npz *.pt *.pth *.keras *.h5);;All files (*)"
MODEL_SUFFIXES = (".safetensors", ".npz", ".pt", ".pth", ".keras", ".h5")
MAX_RECENT = 8


class OpenError(Exception):
    """A model that cannot be opened; the message is HTML for the banner."""


def load_model(spec: Any) -> tuple[Any, str]:
    """(Model, settings key) for a Model, a (Model, key) pair, bundled name, cell kind or path; raises
    :class:`OpenError`."""
    # Imported when a model is opened: the window paints before the model code loads.
    from ..engine.weights import WeightsError
    from ..models import ModelFileError, random_model, resolve_model
    from ..models.model import Model

    if isinstance(spec, Model):
        return spec, spec.name
    if isinstance(spec, tuple):  # (Model, key): loaded elsewhere (a session file) and remembered by key
        return spec
    text = str(spec)
    try:
        if text in CELL_KINDS:
            return random_model(text, input_size=8, hidden_size=32, seed=0), text
        path = Path(text)
        if path.suffix.lower() in MODEL_SUFFIXES or path.exists():
            return resolve_model(str(path)), str(path.resolve())
        return resolve_model(text), text
    except Exception as exc:  # a file from anywhere: any failure is the file's, reported as such
        name = Path(text).name
        problem = str(exc)
        if not isinstance(exc, ModelFileError | WeightsError | ValueError | OSError):
            problem = f"{type(exc).__name__}: {problem}"  # unexpected: say what kind
        if problem.startswith(f"{name}: "):
            problem = problem[len(name) + 2 :]
        raise OpenError(f"Could not open <b>{escape(name)}</b>: {escape(problem)}") from exc


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
