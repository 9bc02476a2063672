"""Export: what the window shows, as video, GIF, PNG frames, SVG/PDF stills, or the trace as data.

One function, :func:`export`, serves both the Export dialog and ``lstm-explorer export``.
Importing this package needs no display; the views are imported when a frame is first drawn.
"""

from .export import export, export_frames
from .frames import FrameClock, FrameSource
from .options import (
    ANIMATIONS,
    DESCRIPTIONS,
    FOLDER,
    FORMATS,
    STILLS,
    TRACES,
    ExportCancelled,
    ExportError,
    ExportOptions,
    ExportResult,
    detect_format,
    parse_steps,
)
from .registry import register_view, view_names

__all__ = [
    "ANIMATIONS",
    "DESCRIPTIONS",
    "FOLDER",
    "FORMATS",
    "STILLS",
    "TRACES",
    "ExportCancelled",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "FrameClock",
    "FrameSource",
    "detect_format",
    "export",
    "export_frames",
    "parse_steps",
    "register_view",
    "view_names",
]
