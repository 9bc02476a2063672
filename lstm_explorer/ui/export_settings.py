"""What the Export dialog remembers between openings, in the window's QSettings (``export/…``):
format, view, size, frame rate, frames per step, phases, caption and transparency. The step range
and the still's position are not remembered: they belong to what the window shows now."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

GROUP = "export"


@dataclass(frozen=True)
class RememberedExport:
    format: str = "mp4"
    view: str = "diagram"
    width: int = 1280
    height: int = 720
    fps: int = 30
    frames_per_step: int = 30
    phases: bool = True
    caption: bool = True
    transparent: bool = False


def load(settings: QSettings | None) -> RememberedExport:
    """The remembered choices; a missing or unreadable value keeps its default."""
    defaults = RememberedExport()
    if settings is None:
        return defaults
    values: dict[str, object] = {}
    for spec in fields(RememberedExport):
        default = getattr(defaults, spec.name)
        raw = settings.value(f"{GROUP}/{spec.name}")
        if raw is None:
            continue
        values[spec.name] = _parse(raw, default)
    return RememberedExport(**values)  # type: ignore[arg-type]


def _parse(raw: object, default: object) -> object:
    """QSettings' INI files give strings back: read them as the default's type."""
    text = str(raw).strip().lower()
    if isinstance(default, bool):
        return text in ("true", "1", "yes") if text in ("true", "1", "yes", "false", "0", "no") else default
    if isinstance(default, int):
        try:
            return int(float(text))
        except ValueError:
            return default
    return str(raw)


def save(settings: QSettings | None, remembered: RememberedExport) -> None:
    if settings is None:
        return
    for spec in fields(RememberedExport):
        settings.setValue(f"{GROUP}/{spec.name}", getattr(remembered, spec.name))
