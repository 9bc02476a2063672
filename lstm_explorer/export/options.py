"""What an export is asked to do: the formats, the options, their checks, and the result."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Output formats by extension; a folder (a path ending in a slash, or an existing directory)
#: means a PNG sequence.
FORMATS: dict[str, str] = {
    ".mp4": "mp4",
    ".webm": "webm",
    ".gif": "gif",
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
    ".csv": "csv",
    ".npz": "npz",
    ".json": "json",
}
FOLDER = "png-frames"
ANIMATIONS = ("mp4", "webm", "gif", FOLDER)
STILLS = ("png", "svg", "pdf")
TRACES = ("csv", "npz", "json")
DESCRIPTIONS = {
    "mp4": "MP4 video (H.264)",
    "webm": "WebM video (VP9, optional alpha)",
    "gif": "GIF animation",
    FOLDER: "PNG frames in a folder",
    "png": "PNG image of one step",
    "svg": "SVG drawing of one step",
    "pdf": "PDF drawing of one step",
    "csv": "trace as CSV",
    "npz": "trace as NumPy .npz",
    "json": "trace as JSON",
}

MIN_SIDE, MAX_SIDE = 16, 7680


@dataclass(frozen=True)
class SizePreset:
    name: str
    size: tuple[int, int]
    fps: float | None = None  # None: a still-friendly size that keeps the chosen frame rate

    @property
    def label(self) -> str:
        w, h = self.size
        rate = f" at {self.fps:g} frames/s" if self.fps else ""
        return f"{self.name} ({w} × {h}{rate})"


#: Sizes for slides and phones: ``--preset NAME`` and the dialog's size list.
PRESETS: dict[str, SizePreset] = {
    p.name: p
    for p in (
        SizePreset("1080p60", (1920, 1080), 60.0),
        SizePreset("720p30", (1280, 720), 30.0),
        SizePreset("square", (1080, 1080)),
        SizePreset("9:16", (1080, 1920)),
    )
}
MAX_FPS = 120.0
MAX_GIF_FPS = 50.0  # browsers slow GIF frames shorter than 2 centiseconds down to 10

#: The resolution of a QImage (and so of the frames): fonts sized in points scale by it, so vector
#: drawings use it too and keep text and boxes in the proportions of the frames.
SCREEN_DPI = 96

Progress = Callable[[int, int], bool | None]


class ExportError(Exception):
    """A user error (bad option, unwritable folder, full disk …): one line that says what and where."""


class ExportCancelled(ExportError):  # noqa: N818 - a cancel, not a failure
    """The progress callback asked to stop; nothing was written."""

    def __init__(self, message: str = "export cancelled; nothing was written") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class ExportOptions:
    """What to export. ``out`` may be a string so that a trailing slash (a folder) survives."""

    out: str | Path
    #: A registered view (see :mod:`.registry`): diagram, chain, dashboard or a single panel.
    view: str = "diagram"
    size: tuple[int, int] = (1280, 720)
    fps: float = 30.0
    #: Steps ``start``..``stop − 1``; None: the whole sequence. Stills show the range's last step,
    #: complete, unless ``still_at`` says where.
    steps: tuple[int, int] | None = None
    frames_per_step: int = 30
    phases: bool = True
    transparent: bool = False
    theme: str = "light"
    selected: tuple[int, ...] = ()
    #: The diagram's walk-through (dims what is not computing, explains the phase).
    walkthrough: bool = False
    #: The input tokens, for views that label steps (the chain).
    tokens: tuple[str, ...] = ()
    #: The format's name (see FORMATS); None: chosen from ``out``.
    format: str | None = None
    meta: dict[str, object] = field(default_factory=dict)
    #: A caption band under the view: model, ``t = N``, the input token and the phase.
    caption: bool = True
    #: A still's position (t, phase, progress): the window passes what it shows.
    still_at: tuple[int, int, float] | None = None
    #: The diagram's region in scene coordinates (x, y, width, height), e.g. the window's zoom;
    #: None: the whole cell.
    region: tuple[float, float, float, float] | None = None
    #: False: refuse to replace an existing file or folder (``--no-clobber``).
    overwrite: bool = True


@dataclass
class ExportResult:
    path: Path
    format: str
    frames: int
    seconds: float
    render_seconds: float = 0.0
    encode_seconds: float = 0.0

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else float("inf")


# -- choosing ----------------------------------------------------------------------------------------


def is_folder_target(out: str | Path) -> bool:
    text = str(out)
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def would_replace(out: str | Path) -> Path | None:
    """The existing file, or folder of earlier frames, that exporting to ``out`` would replace."""
    target = Path(os.path.normpath(os.path.expanduser(str(out))))
    if target.is_dir():
        return target if any(target.iterdir()) else None
    return target if target.exists() else None


def check_overwrite(options: ExportOptions) -> None:
    """With ``overwrite=False`` (``--no-clobber``), refuse to replace an existing file or folder."""
    existing = None if options.overwrite else would_replace(options.out)
    if existing is not None:
        raise ExportError(f"{existing} already exists; nothing was written (not replacing it)")


def detect_format(out: str | Path) -> str:
    """The format an output path asks for, by extension; a folder means PNG frames."""
    if is_folder_target(out):
        return FOLDER
    suffix = Path(str(out)).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    known = ", ".join(FORMATS)
    what = f"unknown extension {suffix!r}" if suffix else "no extension"
    raise ExportError(f"{out}: {what}; use {known}, or a folder (ending in /) for PNG frames")


def parse_steps(text: str | None, total: int) -> tuple[int, int]:
    """``A:B`` (B exclusive, either end optional, negatives count from the end) or ``A`` (one step)."""
    if text is None or not text.strip():
        return 0, total
    text = text.strip()
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            start = int(a) if a.strip() else 0
            stop = int(b) if b.strip() else total
        else:
            start = int(text)
            stop = start + 1 if start >= 0 else total + start + 1
    except ValueError:
        raise ExportError(f"steps {text!r}: expected A:B (e.g. 0:10), A: or :B, or one step number") from None
    start = start + total if start < 0 else start
    stop = stop + total if stop < 0 else stop
    return start, stop


def check_steps(steps: tuple[int, int], total: int) -> tuple[int, int]:
    start, stop = steps
    if total <= 0:
        raise ExportError("the sequence is empty: there is nothing to export")
    if start >= stop or start >= total or stop <= 0:
        last = f"0 to {total - 1}" if total > 1 else "0"
        raise ExportError(f"step range {start}:{stop} is empty; the sequence has {total} steps, numbered {last}")
    return max(start, 0), min(stop, total)


def check_options(options: ExportOptions, fmt: str) -> None:
    w, h = options.size
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise ExportError(f"size {w}×{h}: each side must be between {MIN_SIDE} and {MAX_SIDE} pixels")
    if fmt in ("mp4", "webm") and (w % 2 or h % 2):
        raise ExportError(
            f"size {w}×{h}: {fmt.upper()} video needs an even width and height (try {w - w % 2}×{h - h % 2})"
        )
    if fmt in ANIMATIONS:
        if not 1 <= options.fps <= MAX_FPS:
            raise ExportError(f"fps {options.fps:g}: choose between 1 and {MAX_FPS:g}")
        if fmt == "gif" and options.fps > MAX_GIF_FPS:
            raise ExportError(f"fps {options.fps:g}: GIF plays at most {MAX_GIF_FPS:g} frames/s; use --fps 50 or less")
        if options.frames_per_step < 1:
            raise ExportError(f"frames per step {options.frames_per_step}: at least 1")
    if options.transparent and fmt in ("mp4", "gif"):
        other = "H.264 has no alpha channel" if fmt == "mp4" else "GIF has no partial transparency"
        raise ExportError(f"--transparent: {other}; export to .webm, .png or a folder of PNG frames")
