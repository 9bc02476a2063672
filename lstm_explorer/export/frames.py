"""The frame clock and the frame sources: which position each exported frame shows, and the views
that draw it offscreen.

A frame is a pure function of the playback position (``PlaybackState``); the clock maps a frame
index to that position deterministically (no real-time timer), so an export shows exactly what the
window shows at the same positions, whatever the machine's speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from ..engine.trace import Trace
from ..playback import FORWARD, PlaybackState, Walk
from .options import ExportError, ExportOptions, check_steps


@dataclass(frozen=True)
class FrameClock:
    """Frame index → playback position, for steps ``start``..``stop − 1``.

    The steps follow ``walk``: forward from ``start``, or backward (the diagram's backward mode)
    from the walk's pinned step, or ``stop − 1`` if that comes first, down to ``start``. Each step
    gets ``frames_per_step`` frames. With phases on, frame ``j`` of step ``t`` sits at
    clock ``t + (j + 1) / frames_per_step``: the walk-through advances evenly through the cell's
    phases and the step's last frame shows it complete (so with one frame per step every frame is
    a completed step). With phases off every frame shows the completed step (a hold).
    """

    start: int
    stop: int
    frames_per_step: int
    phases: int
    animate_phases: bool = True
    selected: tuple[int, ...] = ()
    steps: int = 0  # the whole sequence's length, as Playback reports it
    walk: Walk = FORWARD

    def __post_init__(self) -> None:
        if self.frames_per_step < 1:
            raise ValueError("frames per step must be at least 1")
        if self.phases < 1:
            raise ValueError("a cell has at least one phase")
        if not 0 <= self.start < self.stop:
            raise ValueError(f"empty step range {self.start}:{self.stop}")
        if self.walk.backward and self.walk.start < self.start:
            raise ValueError(f"the walk's step {self.walk.start} comes before the steps {self.start}:{self.stop}")

    @property
    def first(self) -> int:
        """The step the first frame shows."""
        return min(self.walk.start, self.stop - 1) if self.walk.backward else self.start

    @property
    def total(self) -> int:
        visited = self.first - self.start + 1 if self.walk.backward else self.stop - self.start
        return visited * self.frames_per_step

    def state(self, index: int) -> PlaybackState:
        """The position frame ``index`` shows (exact integer arithmetic, no rounding drift)."""
        if not 0 <= index < self.total:
            raise IndexError(f"frame {index} outside 0..{self.total - 1}")
        k, j = divmod(index, self.frames_per_step)
        t = self.first - k if self.walk.backward else self.start + k
        P, N = self.phases, self.frames_per_step
        if self.animate_phases:
            numerator = (j + 1) * P  # position within the step, in units of 1/N phases
            phase = min(numerator // N, P - 1)
            progress = min((numerator - phase * N) / N, 1.0)
        else:
            phase, progress = P - 1, 1.0
        steps = self.steps or self.stop
        return PlaybackState(t, phase, progress, self.selected, P, steps)

    def clock(self, index: int) -> float:
        return self.state(index).clock

    def __iter__(self) -> Iterator[PlaybackState]:
        return (self.state(k) for k in range(self.total))


def still_state(trace: Trace, t: int, selected: tuple[int, ...] = ()) -> PlaybackState:
    """Step ``t`` complete: what a still (PNG, SVG, PDF) shows."""
    phases = len(trace.graph.phases)
    return PlaybackState(t, phases - 1, 1.0, selected, phases, trace.steps)


def still_position(trace: Trace, options: ExportOptions) -> PlaybackState:
    """Where a still is: ``options.still_at`` (the window passes what it shows), else the range's
    last step, complete."""
    if options.still_at is None:
        _, stop = check_steps(options.steps or (0, trace.steps), trace.steps)
        return still_state(trace, stop - 1, options.selected)
    t, phase, progress = options.still_at
    phases = len(trace.graph.phases)
    if not 0 <= t < trace.steps:
        raise ExportError(f"step {t} does not exist; the sequence has {trace.steps} steps, numbered from 0")
    if not 0 <= phase < phases:
        raise ExportError(f"phase {phase} does not exist; the cell has {phases} phases, numbered from 0")
    return PlaybackState(t, phase, min(max(float(progress), 0.0), 1.0), options.selected, phases, trace.steps)


@runtime_checkable
class FrameSource(Protocol):
    """A view rendered offscreen: one QImage per playback position, and a vector drawing."""

    size: tuple[int, int]

    def render(self, state: PlaybackState) -> QImage:
        """The frame at ``state`` (the caller may keep it; sources must not paint into it again)."""
        ...

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        """Draw the frame at ``state`` into ``target`` with any painter (SVG, PDF: kept as vectors)."""
        ...

    def close(self) -> None: ...


# -- QImage → NumPy without copies -----------------------------------------------------------------

#: 32-bit formats whose bytes are B, G, R, A in memory on little-endian machines.
_BGRA_FORMATS = (
    QImage.Format.Format_RGB32,
    QImage.Format.Format_ARGB32,
    QImage.Format.Format_ARGB32_Premultiplied,
)


def normalize_image(image: QImage, *, transparent: bool) -> QImage:
    """The frame in a 32-bit B, G, R, A layout the writers read; straight alpha when transparent.

    Opaque frames in Qt's native formats pass through untouched (no copy); a premultiplied frame
    is only converted when its alpha matters.
    """
    fmt = image.format()
    if transparent:
        if fmt != QImage.Format.Format_ARGB32:
            image = image.convertToFormat(QImage.Format.Format_ARGB32)
    elif fmt not in _BGRA_FORMATS:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    return image


def bgra_view(image: QImage) -> np.ndarray:
    """A read-only (H, W, 4) uint8 view of a 32-bit QImage's pixels, B, G, R, A per pixel.

    The view shares the image's memory and does not keep ``image`` alive (PySide's memoryview
    holds no reference to it): keep ``image`` referenced for as long as the array is used.
    """
    if image.format() not in _BGRA_FORMATS:
        raise ValueError(f"not a 32-bit BGRA image: {image.format()}")
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    flat = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * stride)
    return flat.reshape(h, stride)[:, : w * 4].reshape(h, w, 4)


def rgba_array(image: QImage) -> np.ndarray:
    """An (H, W, 4) uint8 copy in R, G, B, A order (straight alpha), for tests and previews."""
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w, stride = converted.height(), converted.width(), converted.bytesPerLine()
    flat = np.frombuffer(converted.constBits(), dtype=np.uint8, count=h * stride)
    return flat.reshape(h, stride)[:, : w * 4].reshape(h, w, 4).copy()


# -- sources for the views ---------------------------------------------------------------------------

SourceFactory = Callable[[Trace, tuple[int, int], str, bool], FrameSource]


def with_selection(state: PlaybackState, selected: tuple[int, ...]) -> PlaybackState:
    return replace(state, selected=selected)
