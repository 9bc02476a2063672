"""Export: what the window shows, as video, GIF, PNG frames, SVG/PDF stills, or the trace as data.

One function, :func:`export`, serves both the Export dialog and ``lstm-explorer export``.
Importing this package needs no display; the views are imported when a frame is first drawn.
"""

from .export import (
    ANIMATIONS,
    DESCRIPTIONS,
    FOLDER,
    FORMATS,
    STILLS,
    TRACES,
    VIEWS,
    ExportCancelled,
    ExportError,
    ExportOptions,
    ExportResult,
    detect_format,
    export,
    parse_steps,
)
from .frames import FrameClock, FrameSource

__all__ = [
    "ANIMATIONS",
    "DESCRIPTIONS",
    "FOLDER",
    "FORMATS",
    "STILLS",
    "TRACES",
    "VIEWS",
    "ExportCancelled",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "FrameClock",
    "FrameSource",
    "detect_format",
    "export",
    "parse_steps",
]
