"""Captions on exported frames: the model, ``t = N`` (the transport's number), the input token and the
phase, large enough to read from the back of a room, on every registered view; read back by OCR and
measured in pixels."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from lstm_explorer.colormaps import colormap_for
from lstm_explorer.document import ExplorerDocument
from lstm_explorer.export import ExportOptions, export, view_names
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.views.theme import THEMES

TEXT = "(a(b)c)"


@pytest.fixture
def brackets(qapp) -> ExplorerDocument:
    model = load_bundled("brackets")
    return ExplorerDocument.computed(model, model.encode_text(TEXT), list(TEXT), text=TEXT)


def read_rgb(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def band_rows(frame: np.ndarray, colour: str) -> int:
    """How many rows at the bottom are caption band: the band's colour at both edges."""
    rgb = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])
    rows = 0
    for row in frame[::-1]:
        if np.abs(row[2] - rgb).max() > 2 or np.abs(row[-3] - rgb).max() > 2:
            break
        rows += 1
    return rows


def ink_rows(band: np.ndarray, background: str) -> np.ndarray:
    """Rows of the band with text in them (pixels far from the background)."""
    rgb = np.array([int(background[k : k + 2], 16) for k in (1, 3, 5)])
    return np.flatnonzero((np.abs(band - rgb).max(axis=2) > 96).any(axis=1))


def ocr(image: Image.Image) -> str:
    """The text tesseract reads in one line of ``image``."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (apt-get install tesseract-ocr)")
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "7"],
        input=_png_bytes(image),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace").strip()


def _png_bytes(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_ocr_reads_the_step_token_and_phase_of_a_720p_still(brackets, tmp_path):
    out = tmp_path / "still.png"
    phases = brackets.trace.graph.phases
    export(brackets, ExportOptions(out=str(out), size=(1280, 720), still_at=(3, 1, 1.0), steps=(3, 4)))
    frame = read_rgb(out)
    assert frame.shape == (720, 1280, 3)
    band = band_rows(frame, THEMES["light"].window)
    assert band >= 0.045 * 720
    with Image.open(out) as image:
        text = ocr(image.crop((0, 720 - band, 1280, 720)).convert("L"))
    assert re.search(r"\bt = 3\b", text), text  # the transport's number, written exactly so
    assert "input" in text and "b" in text, text  # step 3 of "(a(b)c)" reads 'b'
    assert phases[1].title.split()[0] in text, text
    assert "brackets" in text, text


def test_ocr_reads_t_in_a_dark_dashboard_video_frame(brackets, tmp_path):
    out = tmp_path / "frames"
    export(
        brackets,
        ExportOptions(out=f"{out}/", view="dashboard", size=(1280, 720), steps=(4, 6), frames_per_step=1, theme="dark"),
    )
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2
    for t, name in zip((4, 5), names, strict=True):
        with Image.open(out / name) as image:
            band = band_rows(np.asarray(image.convert("RGB")).astype(int), THEMES["dark"].window)
            assert band >= 0.045 * 720
            # Tesseract reads dark text on light: invert the dark theme's band.
            text = ocr(Image.eval(image.crop((0, 720 - band, 1280, 720)).convert("L"), lambda v: 255 - v))
        assert re.search(rf"\bt = {t}\b", text), text


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_caption_text_is_at_least_three_percent_of_the_frame_height(brackets, tmp_path, theme):
    out = tmp_path / "still.png"
    export(brackets, ExportOptions(out=str(out), size=(1280, 720), theme=theme, steps=(2, 3)))
    frame = read_rgb(out)
    window = THEMES[theme].window
    band = band_rows(frame, window)
    rows = ink_rows(frame[720 - band :], window)
    assert rows.size and rows[-1] - rows[0] + 1 >= 0.03 * 720  # ascenders to descenders of one line
    # Without a caption the diagram reaches the bottom edge: no band there.
    bare = tmp_path / "bare.png"
    export(brackets, ExportOptions(out=str(bare), size=(1280, 720), theme=theme, steps=(2, 3), caption=False))
    assert band_rows(read_rgb(bare), window) == 0


@pytest.mark.parametrize("view", sorted(set(view_names()) - {"strips"}))
def test_every_registered_view_gets_a_caption_band_with_text(brackets, tmp_path, view):
    out = tmp_path / f"{view}.png"
    export(brackets, ExportOptions(out=str(out), view=view, size=(640, 360), steps=(1, 2)))
    frame = read_rgb(out)
    window = THEMES["light"].window
    band = band_rows(frame, window)
    assert 0.045 * 360 <= band <= 0.15 * 360, band
    assert ink_rows(frame[360 - band :], window).size >= 0.03 * 360


def test_a_portrait_frame_wraps_the_caption_onto_two_lines(brackets, tmp_path):
    out = tmp_path / "phone.png"
    export(brackets, ExportOptions(out=str(out), size=(1080, 1920), steps=(2, 3)))
    frame = read_rgb(out)
    window = THEMES["light"].window
    band = band_rows(frame, window)
    rows = ink_rows(frame[1920 - band :], window)
    gaps = np.flatnonzero(np.diff(rows) > 1)
    assert len(gaps) >= 1  # two runs of inked rows: two lines
    assert rows[gaps[0]] - rows[0] + 1 >= 0.03 * 1920


def test_svg_strips_are_rectangles_of_the_cell_colours_and_the_caption_is_text(brackets, tmp_path):
    out = tmp_path / "cell.svg"
    trace = brackets.trace
    export(brackets, ExportOptions(out=str(out), size=(1280, 720), still_at=(3, 4, 1.0), steps=(3, 4)))
    root = ET.parse(out).getroot()
    assert not [e for e in root.iter() if e.tag.endswith("image")]  # no stretched images to blur
    # QSvgGenerator writes a shape's fill on the group around it.
    filled = {
        e.get("fill", "").lower()
        for e in root.iter()
        if e.tag.endswith(("rect", "path")) or any(c.tag.endswith(("rect", "path")) for c in e)
    }
    for name in ("f", "c", "h"):
        colours = colormap_for(trace.graph[name])(trace[name][3])
        hexes = {"#{:02x}{:02x}{:02x}".format(*(int(v) for v in c[:3])) for c in colours}
        assert hexes <= filled, (name, hexes - filled)
    texts = ["".join(e.itertext()).strip() for e in root.iter() if e.tag.endswith("text")]
    assert "t = 3" in texts and "input ‘b’" in texts and "brackets" in texts
