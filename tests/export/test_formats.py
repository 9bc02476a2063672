"""Every export format, written through the one export function and read back."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from lstm_explorer.export import ExportOptions, FrameClock, export, export_frames
from lstm_explorer.export.frames import rgba_array
from lstm_explorer.tracefile import read_trace_csv

SIZE = (160, 90)


def options(out, **kw) -> ExportOptions:
    kw.setdefault("size", SIZE)
    kw.setdefault("fps", 10)
    kw.setdefault("frames_per_step", 3)
    return ExportOptions(out=str(out), **kw)


def read_video(path) -> np.ndarray:
    return iio.imread(path, plugin="FFMPEG", index=None)


def read_video_rgba(path) -> np.ndarray:
    """Frames with alpha: libvpx's own decoder reads VP9's alpha plane (ffmpeg's built-in one drops it)."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgba", bpp=4, input_params=["-c:v", "libvpx-vp9"])
    meta = next(reader)
    w, h = meta["size"]
    return np.array([np.frombuffer(f, np.uint8).reshape(h, w, 4) for f in reader])


def check_cells(frame: np.ndarray, source, t: int, tolerance: int) -> None:
    """The pixel at the centre of each drawn unit of f, g, h and c has the colour map's colour."""
    for name in ("f", "g", "c", "h"):
        row = list(source.trace).index(name)
        for unit in range(source.trace.hidden_size):
            x, y = source.cell_centre(row, unit)
            got = frame[y, x, :3].astype(int)
            want = source.expected_rgb(name, t, unit)
            assert np.abs(got - want).max() <= tolerance, (name, unit, got, want)


def distinct_frames(frames: np.ndarray) -> int:
    return len({f.tobytes() for f in frames})


def test_mp4_frames_count_size_change_and_colours(strips, tmp_path):
    out = tmp_path / "walk.mp4"
    result = export_frames(strips.trace, options(out, steps=(1, 4)), source=strips)
    assert result.frames == 3 * 3 and out.exists()
    meta = iio.immeta(out, plugin="FFMPEG")
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p") and meta["fps"] == 10
    frames = read_video(out)
    assert frames.shape == (9, 90, 160, 3)
    assert distinct_frames(frames) == 9
    # Browsers and slide software: the index (moov) before the data (mdat), so playback starts at once.
    data = out.read_bytes()
    assert data[4:8] == b"ftyp" and 0 < data.find(b"moov") < data.find(b"mdat")
    # The last frame of each step shows it complete, in a lossy (yuv420p) video.
    for k, t in ((2, 1), (5, 2), (8, 3)):
        check_cells(frames[k], strips, t, tolerance=14)


def test_webm_opaque_and_transparent(strips, trace, tmp_path):
    from tests.export.conftest import StripSource

    opaque = tmp_path / "walk.webm"
    export_frames(trace, options(opaque, steps=(0, 2)), source=strips)
    frames = read_video(opaque)
    assert frames.shape == (6, 90, 160, 3) and distinct_frames(frames) > 1
    check_cells(frames[-1], strips, 1, tolerance=16)
    assert iio.immeta(opaque, plugin="FFMPEG")["codec"] == "vp9"

    clear = tmp_path / "overlay.webm"
    see_through = StripSource(trace, SIZE, transparent=True)
    export_frames(trace, options(clear, steps=(0, 2), transparent=True), source=see_through)
    frames = read_video_rgba(clear)
    assert frames.shape == (6, 90, 160, 4)
    alpha = frames[-1, :, :, 3]
    x, y = see_through.cell_centre(0, 0)
    assert alpha[y, x] > 240  # a drawn cell is opaque …
    assert alpha[86, 150] < 16  # … the background is not


def test_gif_loops_with_exact_count_timing_and_colours(strips, tmp_path):
    out = tmp_path / "walk.gif"
    export_frames(strips.trace, options(out, fps=30, frames_per_step=4), source=strips)
    with Image.open(out) as gif:
        assert gif.n_frames == strips.trace.steps * 4
        assert gif.size == SIZE and gif.info.get("loop") == 0
        durations, frames = [], []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
            frames.append(np.asarray(gif.convert("RGB")))
    # 30 fps in centiseconds: 3, 3, 4, … adding up exactly (20 frames = 2/3 s → 660 or 670 ms).
    assert set(durations) <= {30, 40} and abs(sum(durations) - 20 * 1000 / 30) <= 10
    assert distinct_frames(np.array(frames)) == 20
    for k in range(3, 20, 4):
        check_cells(frames[k], strips, k // 4, tolerance=8)


def test_png_folder_holds_every_frame_exactly(strips, tmp_path):
    out = tmp_path / "frames"
    export_frames(strips.trace, options(str(out) + "/", steps=(2, 5), frames_per_step=2), source=strips)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"frame_{k:05d}.png" for k in range(6)]
    frames = [np.asarray(Image.open(out / n).convert("RGB")) for n in names]
    assert frames[0].shape == (90, 160, 3) and distinct_frames(np.array(frames)) == 6
    for k in (1, 3, 5):
        check_cells(frames[k], strips, 2 + k // 2, tolerance=0)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_exported_frames_equal_the_view_at_the_same_positions(strips, trace, tmp_path):
    out = tmp_path / "frames"
    export_frames(trace, options(f"{out}/", steps=(0, 2), frames_per_step=5), source=strips)
    clock = FrameClock(0, 2, 5, len(trace.graph.phases), steps=trace.steps)
    for k in range(clock.total):
        exported = np.asarray(Image.open(out / f"frame_{k:05d}.png").convert("RGBA"))
        shown = rgba_array(strips.render(clock.state(k)))
        assert np.array_equal(exported[..., :3], shown[..., :3]), k


def test_single_png_shows_the_last_step_of_the_range(strips, tmp_path):
    out = tmp_path / "still.png"
    result = export_frames(strips.trace, options(out, steps=(0, 3)), source=strips)
    assert result.frames == 1
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (90, 160, 3)
    check_cells(image, strips, 2, tolerance=0)


def test_transparent_png_keeps_alpha(trace, qapp, tmp_path):
    from tests.export.conftest import StripSource

    source = StripSource(trace, SIZE, transparent=True)
    out = tmp_path / "overlay.png"
    export_frames(trace, options(out, transparent=True), source=source)
    image = np.asarray(Image.open(out))
    assert image.shape == (90, 160, 4)
    x, y = source.cell_centre(0, 0)
    assert image[y, x, 3] == 255 and image[86, 150, 3] == 0


def test_svg_is_xml_with_text_kept_as_text(strips, tmp_path):
    out = tmp_path / "cell.svg"
    export_frames(strips.trace, options(out, steps=(3, 4)), source=strips)
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    texts = ["".join(e.itertext()).strip() for e in root.iter() if e.tag.endswith("text")]
    assert "t = 3" in texts
    # The colour of h[0] at step 3 appears as a fill.
    want = "#{:02x}{:02x}{:02x}".format(*strips.expected_rgb("h", 3, 0))
    fills = {e.get("fill", "").lower() for e in root.iter()}
    assert want in fills


def test_pdf_is_a_pdf_that_renders(strips, tmp_path):
    out = tmp_path / "cell.pdf"
    export_frames(strips.trace, options(out, steps=(4, 5)), source=strips)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    assert b"/Type /Page" in data or b"/Type/Page" in data
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed: checked the PDF's structure only")
    subprocess.run(["pdftoppm", "-png", "-r", "96", "-singlefile", str(out), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB"))
    assert abs(page.shape[0] - 90) <= 1 and abs(page.shape[1] - 160) <= 1  # pdftoppm rounds 67.5 pt up
    check_cells(page, strips, 4, tolerance=3)


@pytest.mark.parametrize("suffix", [".csv", ".npz", ".json"])
def test_trace_formats_hold_the_trace_of_the_range(document, trace, tmp_path, suffix):
    out = tmp_path / f"trace{suffix}"
    export(document, options(out, steps=(1, 4), meta={"model": "test"}))
    if suffix == ".csv":
        back = read_trace_csv(out)
    elif suffix == ".npz":
        back = dict(np.load(out, allow_pickle=False))
    else:
        document = json.loads(out.read_text())
        assert document["steps"] == 3 and document["meta"]["steps"] == [1, 4]
        back = {k: np.array(v) for k, v in document["nodes"].items()}
    assert set(back) == set(trace)
    for name in trace:
        assert np.array_equal(back[name], trace[name][1:4]), name


def test_gif_palette_covers_colours_that_appear_late(trace, qapp, tmp_path):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor

    from tests.export.conftest import StripSource

    class LateRed(StripSource):
        def paint(self, painter, target, state):
            super().paint(painter, target, state)
            if state.t == self.trace.steps - 1:
                painter.fillRect(QRectF(120, 60, 30, 20), QColor(230, 20, 200))

    out = tmp_path / "late.gif"
    export_frames(trace, options(out, frames_per_step=1), source=LateRed(trace, SIZE))
    with Image.open(out) as gif:
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB")).astype(int)
    assert np.abs(last[70, 135] - [230, 20, 200]).max() <= 8
