"""The one export function behind File → Export… and ``lstm-explorer export``.

``export(document, options, progress)`` renders the chosen view of the document offscreen frame by frame (the frame
clock decides each frame's playback position), hands the frames to the writer for the output's
format, and writes atomically: into a temporary file or folder next to the target, renamed on
success. It never opens a dialog; user errors raise :class:`ExportError` with a one-line message,
and ``progress(done, total)`` returning False cancels (raising :class:`ExportCancelled`).

Rendering and encoding overlap: frames go through a short queue to a writer thread (ffmpeg itself
runs in its own process), so the next frame renders while the previous one is encoded.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..engine.trace import Trace
from ..playback import FORWARD, PlaybackState
from .encoder import Encoder
from .frames import FrameClock, FrameSource, bgra_view, normalize_image, still_position
from .options import (
    FOLDER,
    FORMATS,
    SCREEN_DPI,
    STILLS,
    TRACES,
    ExportCancelled,
    ExportError,
    ExportOptions,
    ExportResult,
    Progress,
    check_options,
    check_overwrite,
    check_steps,
    detect_format,
)
from .targets import check_folder, os_message, temporary_file, temporary_folder

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from ..document import ExplorerDocument
    from .writers import Writer


# -- the pipeline ------------------------------------------------------------------------------------


def _make_writer(
    fmt: str, path: Path, options: ExportOptions, total: int, samples: Callable[[], list[np.ndarray]]
) -> Writer:
    # Imported here, not at module level: the encoders pull in PIL and imageio-ffmpeg, which a
    # data export (CSV, NPZ, JSON) never needs.
    from . import gif, writers

    args = (path, options.size, options.fps)
    if fmt == "mp4":
        return writers.Mp4Writer(*args)
    if fmt == "webm":
        return writers.WebmWriter(*args, transparent=options.transparent)
    if fmt == "gif":
        return gif.GifWriter(*args, palette_frames=samples())
    if fmt == FOLDER:
        return writers.PngFolderWriter(*args, transparent=options.transparent, total=total)
    raise ExportError(f"{fmt} is not an animation format")


def _frame(source: FrameSource, state: PlaybackState, transparent: bool) -> tuple[QImage, np.ndarray]:
    from PySide6.QtGui import QImage

    image = normalize_image(source.render(state), transparent=transparent)
    w, h = source.size
    if image.width() != w or image.height() != h:
        raise ExportError(f"the view drew a {image.width()}×{image.height()} frame, not {w}×{h}")
    # A shallow copy: if the source paints into its image again, Qt detaches and this one stays.
    kept = QImage(image)
    return kept, bgra_view(kept)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ExportCancelled()


def _export_animation(
    trace: Trace, options: ExportOptions, fmt: str, target: Path, source: FrameSource, progress: Progress | None
) -> ExportResult:
    start, stop = check_steps(options.steps or (0, trace.steps), trace.steps)
    clock = FrameClock(
        start,
        stop,
        options.frames_per_step,
        len(trace.graph.phases),
        options.phases,
        options.selected,
        trace.steps,
        getattr(source, "walk", FORWARD),  # the diagram's backward mode walks back from its target
    )
    total = clock.total
    began = time.perf_counter()
    render_seconds = 0.0
    context = temporary_folder(target) if fmt == FOLDER else temporary_file(target)
    with context as temp:

        def samples(count: int = 6) -> list[np.ndarray]:
            """Frames spread over the animation, for formats that choose colours up front (GIF)."""
            n = min(count, total)
            picks = sorted({round(i * (total - 1) / max(n - 1, 1)) for i in range(n)})  # first and last included
            frames = []
            for k in picks:
                kept, view = _frame(source, clock.state(k), options.transparent)
                frames.append(view.copy())  # copied while ``kept`` (which owns the pixels) is alive
                del kept
                _report(progress, 0, total)  # between sample frames too (six 720p frames: ~50 ms)
            return frames

        try:
            writer = _make_writer(fmt, temp, options, total, samples)
        except ValueError as exc:
            raise ExportError(f"{target}: {exc}") from None
        except OSError as exc:
            raise ExportError(os_message(exc, target)) from None
        encoder = Encoder(writer)
        try:
            _report(progress, 0, total)
            for index in range(total):
                started = time.perf_counter()
                kept, frame = _frame(source, clock.state(index), options.transparent)
                render_seconds += time.perf_counter() - started
                encoder.put(kept, frame, functools.partial(_report, progress, index, total))
                _report(progress, index + 1, total)
            encoder.close(functools.partial(_report, progress, total, total))
        except BaseException as exc:
            encoder.stop()
            writer.abort()
            if isinstance(exc, OSError):
                raise ExportError(os_message(exc, target)) from None
            if isinstance(exc, ValueError) and not isinstance(exc, ExportError):
                raise ExportError(f"{target}: {exc}") from None
            raise
    seconds = time.perf_counter() - began
    return ExportResult(target, fmt, total, seconds, render_seconds, encoder.busy_seconds)


def _write_vector(fmt: str, path: Path, source: FrameSource, state: PlaybackState, options: ExportOptions) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRect, QRectF, QSize, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter
    from PySide6.QtSvg import QSvgGenerator

    w, h = options.size
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    title = f"LSTM Explorer: {trace_title(options)} step {state.t}"
    device: QSvgGenerator | QPdfWriter
    if fmt == "svg":
        device = QSvgGenerator()
        device.setOutputDevice(buffer)
        device.setSize(QSize(w, h))
        device.setViewBox(QRect(0, 0, w, h))
        device.setTitle(title)
        device.setDescription("Exported by LSTM Explorer")
        device.setResolution(SCREEN_DPI)
    else:
        device = QPdfWriter(buffer)
        device.setTitle(title)
        device.setCreator("LSTM Explorer")
        device.setResolution(SCREEN_DPI)  # one pixel of the view = one device unit of the page
        points = QSizeF(w * 72 / SCREEN_DPI, h * 72 / SCREEN_DPI)
        device.setPageLayout(
            QPageLayout(
                QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
    painter = QPainter()
    if not painter.begin(device):
        raise ExportError(f"{path}: could not start the {fmt.upper()} drawing")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        source.paint(painter, QRectF(0, 0, w, h), state)
    finally:
        painter.end()
    buffer.close()
    with open(path, "wb") as handle:
        handle.write(bytes(data.data()))
        handle.flush()
        os.fsync(handle.fileno())


def trace_title(options: ExportOptions) -> str:
    return str(options.meta.get("model", options.view))


def _export_still(
    trace: Trace, options: ExportOptions, fmt: str, target: Path, source: FrameSource, progress: Progress | None
) -> ExportResult:
    from .writers import PngWriter

    state = still_position(trace, options)
    began = time.perf_counter()
    _report(progress, 0, 1)
    with temporary_file(target) as temp:
        try:
            if fmt == "png":
                _kept, frame = _frame(source, state, options.transparent)
                PngWriter(temp, options.size, options.fps, transparent=options.transparent).write(frame)
            else:
                _write_vector(fmt, temp, source, state, options)
        except OSError as exc:
            raise ExportError(os_message(exc, target)) from None
        _report(progress, 1, 1)  # before the rename: a cancel here still leaves nothing
    return ExportResult(target, fmt, 1, time.perf_counter() - began)


def _export_trace(
    trace: Trace,
    options: ExportOptions,
    fmt: str,
    target: Path,
    readout: dict[str, np.ndarray] | None,
    progress: Progress | None = None,
) -> ExportResult:
    from ..tracefile import write_trace

    start, stop = check_steps(options.steps or (0, trace.steps), trace.steps)
    check_folder(target.parent)
    began = time.perf_counter()
    part = trace if (start, stop) == (0, trace.steps) else trace.slice(start, stop)
    meta = {**options.meta, "steps": [start, stop]}
    rows = {name: values[start:stop] for name, values in (readout or {}).items()}
    try:
        # Progress counts rows; a cancel raises ExportCancelled between blocks (the partial file goes).
        write_trace(part, target, meta=meta, readout=rows, progress=lambda done, total: _report(progress, done, total))
    except OSError as exc:
        raise ExportError(os_message(exc, target)) from None
    return ExportResult(target, fmt, 0, time.perf_counter() - began)


def export(document: ExplorerDocument, options: ExportOptions, progress: Progress | None = None) -> ExportResult:
    """Export what ``document`` shows as ``options`` say: the one export behind File → Export… and
    ``lstm-explorer export``. The view is drawn from a snapshot of the document, so the window's
    own position never moves. Raises :class:`ExportError` (one line) or :class:`ExportCancelled`."""
    trace = document.trace
    if trace is None or trace.steps == 0:
        raise ExportError("the sequence is empty: there is nothing to export")
    fmt = options.format or detect_format(options.out)
    if fmt in TRACES:
        return export_frames(trace, options, progress, readout=document.readout_arrays())
    from .registry import view_source  # Qt views load with the first frame, not on import

    check_options(options, fmt)
    check_steps(options.steps or (0, trace.steps), trace.steps)
    source = view_source(document, options)
    try:
        return export_frames(trace, options, progress, source=source)
    finally:
        source.close()


def export_frames(
    trace: Trace,
    options: ExportOptions,
    progress: Progress | None = None,
    *,
    source: FrameSource | None = None,
    readout: dict[str, np.ndarray] | None = None,
) -> ExportResult:
    """Write ``trace`` (data formats, with the ``readout`` arrays beside it) or the frames
    ``source`` draws, as ``options`` say.

    Raises :class:`ExportError` for user errors and :class:`ExportCancelled` when ``progress``
    returns False; in both cases nothing was written and an existing file of the same name is
    untouched.
    """
    fmt = options.format or detect_format(options.out)
    if fmt not in FORMATS.values() and fmt != FOLDER:
        raise ExportError(f"unknown format {fmt!r}")
    target = Path(os.path.normpath(os.path.expanduser(str(options.out))))
    check_options(options, fmt)
    if fmt in TRACES:
        check_overwrite(options)
        _report(progress, 0, 1)
        return _export_trace(trace, options, fmt, target, readout, progress)
    if source is None:
        raise ExportError(f"a {fmt.upper()} export needs a view to draw")
    check_steps(options.steps or (0, trace.steps), trace.steps)
    check_folder(target.parent)
    check_overwrite(options)
    try:
        if fmt in STILLS:
            return _export_still(trace, options, fmt, target, source, progress)
        return _export_animation(trace, options, fmt, target, source, progress)
    except OSError as exc:
        raise ExportError(os_message(exc, target)) from None
