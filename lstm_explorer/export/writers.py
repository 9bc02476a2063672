"""One writer per file format. A writer receives frames as (H, W, 4) uint8 arrays in B, G, R, A
byte order (Qt's native 32-bit layout, so a QImage's pixels go to the encoder without a copy) and
writes them to a path it is given; the export function chooses that path (a temporary file or
folder next to the target) and renames it on success.

* MP4: H.264 (libx264) through the ffmpeg binary imageio-ffmpeg ships, yuv420p, moov atom first.
* WebM: VP9 (libvpx-vp9); yuva420p when the frames are transparent.
* GIF: :mod:`.gif`.
* PNG: one file per frame into a folder, or a single frame.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image

from .options import ExportError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class EncoderError(ExportError):
    """The encoder failed (its message says what it printed): an export error like any other, so the
    command line reports it in one line and the dialog in its message box."""


class Writer(ABC):
    """Frames in, one output out. ``finish`` completes it; ``abort`` stops and leaves no promise."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, *, transparent: bool = False) -> None:
        self.path = Path(path)
        self.size = size
        self.fps = fps
        self.transparent = transparent
        self.frames = 0

    @abstractmethod
    def write(self, frame: np.ndarray) -> None:
        """Add one (H, W, 4) uint8 B, G, R, A frame."""

    def finish(self) -> None:  # noqa: B027 - most writers have nothing left to do
        """Complete the output; raises if it could not be completed."""

    def abort(self) -> None:  # noqa: B027
        """Stop without completing (the caller removes the temporary output)."""

    def _check(self, frame: np.ndarray) -> None:
        w, h = self.size
        if frame.shape != (h, w, 4) or frame.dtype != np.uint8:
            raise ValueError(f"frame of shape {frame.shape} {frame.dtype}; expected ({h}, {w}, 4) uint8")


# -- video through ffmpeg ------------------------------------------------------------------------


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class FfmpegWriter(Writer):
    """Raw frames piped into the ffmpeg binary from imageio-ffmpeg; ffmpeg encodes in its own
    process, so encoding runs on another core while the next frame renders."""

    #: Encoder arguments after ``-i -``; subclasses set them.
    container = ""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, *, transparent: bool = False) -> None:
        super().__init__(path, size, fps, transparent=transparent)
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"video needs an even width and height, not {w}×{h}")
        from fractions import Fraction

        rate = str(Fraction(fps).limit_denominator(1001))
        command = [
            ffmpeg_exe(),
            "-y",
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgra" if transparent else "bgr0",
            "-s",
            f"{w}x{h}",
            "-r",
            rate,
            "-i",
            "-",
            "-an",
            *self.encoder_arguments(),
            "-f",
            self.container,
            str(self.path),
        ]
        # stderr to a file, not a pipe: a chatty ffmpeg can never block on a full pipe.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish/abort
        # Its own session: a Ctrl+C at the terminal reaches only this process, which stops the
        # export at a safe point and then ends ffmpeg itself (ffmpeg dying first would read as a failure).
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            bufsize=0,
            start_new_session=True,
        )
        _widen_pipe(self._process.stdin)

    def encoder_arguments(self) -> list[str]:
        raise NotImplementedError

    def _messages(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else ""

    def _failed(self, returncode: int | None) -> Exception:
        message = self._messages()
        if "No space left on device" in message:
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))
        if "Permission denied" in message:
            return OSError(errno.EACCES, os.strerror(errno.EACCES), str(self.path))
        return EncoderError(f"ffmpeg failed (exit code {returncode}): {message or 'no message'}")

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        stdin = self._process.stdin
        assert stdin is not None
        data = frame.data if frame.flags.c_contiguous else frame.tobytes()
        try:
            stdin.write(data)
        except (BrokenPipeError, ValueError):
            self._process.wait()
            raise self._failed(self._process.returncode) from None
        self.frames += 1

    def finish(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
        code = self._process.wait()
        try:
            if code != 0:
                raise self._failed(code)
        finally:
            self._log.close()

    def abort(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        stdin = self._process.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        self._process.wait()
        self._log.close()


def _widen_pipe(pipe: object) -> None:
    """A 1 MiB pipe instead of 64 KiB: a 720p frame (3.7 MB) crosses in 4 writes, not 57, which
    saves both processes system time (measured ≈ 5 % more frames/s). Linux only; harmless elsewhere."""
    module = fcntl
    set_size = getattr(module, "F_SETPIPE_SZ", None)
    fileno = getattr(pipe, "fileno", None)
    if module is None or set_size is None or fileno is None:
        return
    with contextlib.suppress(OSError):
        module.fcntl(fileno(), set_size, 1 << 20)


class Mp4Writer(FfmpegWriter):
    """H.264 in MP4, yuv420p: plays in browsers, PowerPoint, Keynote and Impress.

    ``ultrafast``: on the two-core reference machine the renderer needs one core, and only this
    preset keeps x264 above 100 frames/s at 720p on the other (measured: ultrafast ≈ 190, superfast
    ≈ 150, veryfast ≈ 105 frames/s with both cores free). Flat diagram colours compress well
    anyway (about 2 kB a frame at CRF 20); the stream is constrained-baseline, which every
    player decodes. ``+faststart`` puts the index first so browsers can start playing at once.
    """

    container = "mp4"

    def encoder_arguments(self) -> list[str]:
        return [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "20",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ]


class WebmWriter(FfmpegWriter):
    """VP9 in WebM; with alpha (yuva420p) when transparent, for overlays in slides and pages."""

    container = "webm"

    def encoder_arguments(self) -> list[str]:
        return [
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-row-mt",
            "1",
            "-crf",
            "30",
            "-b:v",
            "0",
            "-pix_fmt",
            "yuva420p" if self.transparent else "yuv420p",
            *(["-auto-alt-ref", "0"] if self.transparent else []),
        ]


def pil_image(frame: np.ndarray, *, transparent: bool) -> Image.Image:
    """A Pillow image reading the B, G, R, A frame in place (no copy)."""
    h, w = frame.shape[:2]
    data = np.ascontiguousarray(frame)
    if transparent:
        return Image.frombuffer("RGBA", (w, h), data, "raw", "BGRA", 0, 1)
    return Image.frombuffer("RGB", (w, h), data, "raw", "BGRX", 0, 1)


def save_png(frame: np.ndarray, path: Path, *, transparent: bool, compress_level: int = 6) -> None:
    image = pil_image(frame, transparent=transparent)
    with open(path, "wb") as handle:
        image.save(handle, "PNG", compress_level=compress_level)
        handle.flush()
        os.fsync(handle.fileno())


class PngWriter(Writer):
    """A single frame as one PNG (the still a slide or a paper uses)."""

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        if self.frames:
            raise ValueError("a PNG holds one frame; export to a folder for a sequence")
        save_png(frame, self.path, transparent=self.transparent)
        self.frames = 1


class PngFolderWriter(Writer):
    """``frame_00000.png``, ``frame_00001.png`` … into a folder (the caller's temporary folder)."""

    def __init__(
        self, path: Path, size: tuple[int, int], fps: float, *, transparent: bool = False, total: int = 0
    ) -> None:
        super().__init__(path, size, fps, transparent=transparent)
        self.digits = max(5, len(str(max(total - 1, 0))))

    def name(self, index: int) -> str:
        return f"frame_{index:0{self.digits}d}.png"

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        # Level 1: PNG sequences feed editors and are re-encoded; speed matters more than size.
        save_png(frame, self.path / self.name(self.frames), transparent=self.transparent, compress_level=1)
        self.frames += 1
