"""``lstm-explorer export`` flags for slides: --preset, --no-caption, --no-clobber."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image

from lstm_explorer.cli import main
from lstm_explorer.views.theme import THEMES

ARGS = ["export", "brackets", "--input", "(a(b)c)", "--quiet"]


def bottom_row_is_band(path) -> bool:
    """The bottom-left pixels have the caption band's colour (the diagram's background is white)."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    band = np.array([int(THEMES["light"].window[k : k + 2], 16) for k in (1, 3, 5)])
    return bool(np.abs(pixels[-2, :8] - band).max() <= 2)


def test_a_preset_sets_the_size_and_a_default_export_has_a_caption(qapp, tmp_path):
    out = tmp_path / "slide.png"
    assert main([*ARGS, "--preset", "square", "--steps", "2", "--out", str(out)]) == 0
    with Image.open(out) as image:
        assert image.size == (1080, 1080)
    assert bottom_row_is_band(out)
    bare = tmp_path / "bare.png"
    assert main([*ARGS, "--preset", "square", "--size", "320x180", "--no-caption", "--out", str(bare)]) == 0
    with Image.open(bare) as image:
        assert image.size == (320, 180)  # --size wins over the preset
    assert not bottom_row_is_band(bare)


def test_an_unknown_preset_is_one_line_and_exit_2(qapp, tmp_path, capsys):
    assert main([*ARGS, "--preset", "4k", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "lstm-explorer: error: --preset '4k': choose one of 1080p60, 720p30, square, 9:16"
    assert list(tmp_path.iterdir()) == []


def test_no_clobber_keeps_an_existing_file_and_the_default_replaces_it(qapp, tmp_path, capsys):
    out = tmp_path / "cell.png"
    out.write_bytes(b"an earlier slide")
    assert main([*ARGS, "--size", "320x180", "--no-clobber", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "already exists; nothing was written" in err and "\n" not in err
    assert out.read_bytes() == b"an earlier slide"
    assert main([*ARGS, "--size", "320x180", "--out", str(out)]) == 0  # no prompt: replaced atomically
    with Image.open(out) as image:
        assert image.size == (320, 180)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cell.png"]


def test_a_run_with_clamped_units_says_so_in_its_caption(qapp, tmp_path):
    out = tmp_path / "ablated.svg"
    assert main([*ARGS, "--steps", "3", "--set", "c[12]=0", "--out", str(out)]) == 0
    texts = ["".join(e.itertext()).strip() for e in ET.parse(out).getroot().iter() if e.tag.endswith("text")]
    assert "t = 3" in texts
    assert any(text.startswith("brackets, clamped c[12]=0") for text in texts), texts
