"""What the window remembers between runs (QSettings): theme, speed, loop, layout, the last model
and the input typed for each model, the vocabulary and module chosen for each model file, the
plotted nodes and the recent files."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

#: Inputs longer than this are not remembered (settings files stay small).
MAX_SAVED_INPUT = 200_000


def default_settings() -> QSettings:
    return QSettings("LSTM Explorer", "LSTM Explorer")


def as_list(value: Any) -> list[str]:
    """A settings value that should be a list of strings (QSettings returns a str for one item)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def saved_input(settings: QSettings, model_key: str) -> str | None:
    saved = settings.value(f"input/{model_key}")
    return saved if isinstance(saved, str) and saved else None


def save_input(settings: QSettings, model_key: str, text: str) -> None:
    if model_key:
        settings.setValue(f"input/{model_key}", text[:MAX_SAVED_INPUT])


def saved_choice(settings: QSettings, what: str, model_key: str) -> str | None:
    """What was chosen for a model file: ``what`` is ``vocabulary`` (a file's path) or ``module``."""
    saved = settings.value(f"{what}/{model_key}")
    return saved if isinstance(saved, str) and saved else None


def save_choice(settings: QSettings, what: str, model_key: str, value: str | None) -> None:
    if model_key and value:
        settings.setValue(f"{what}/{model_key}", value)
    elif model_key:
        settings.remove(f"{what}/{model_key}")


def restore_window(settings: QSettings, window: QMainWindow) -> bool:
    """Put the window's geometry and docks back as they were; False on a first start."""
    geometry, state = settings.value("geometry"), settings.value("window_state")
    if isinstance(geometry, QByteArray | bytes):
        window.restoreGeometry(QByteArray(geometry))
    if isinstance(state, QByteArray | bytes):
        return window.restoreState(QByteArray(state))
    return False


def save_window(settings: QSettings, window: QMainWindow, **values: Any) -> None:
    """Remember the window's geometry and docks and the ``values`` given (theme, speed …)."""
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("window_state", window.saveState())
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()
