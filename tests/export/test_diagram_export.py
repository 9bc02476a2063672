"""Exports of the real cell diagram: the frames are the diagram's own, the colours are the trace's."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QRectF

from lstm_explorer.cli import main
from lstm_explorer.colormaps import colormap_for
from lstm_explorer.diagram.render import DiagramRenderer
from lstm_explorer.diagram.theme import theme_named
from lstm_explorer.export import ExportOptions, FrameClock, export
from lstm_explorer.export.frames import rgba_array


def to_pixels(scene, point: QPointF, size: tuple[int, int]) -> tuple[int, int]:
    """Scene → image coordinates, as ``scene.render(..., KeepAspectRatio)`` maps them (centred)."""
    source: QRectF = scene.sceneRect()
    w, h = size
    scale = min(w / source.width(), h / source.height())
    dx, dy = (w - source.width() * scale) / 2, (h - source.height() * scale) / 2
    return int(dx + (point.x() - source.left()) * scale), int(dy + (point.y() - source.top()) * scale)


def unit_pixels(scene, name: str, size: tuple[int, int]) -> list[tuple[int, int]]:
    strip = scene.strips[name]
    cell = strip.length / strip.count
    return [
        to_pixels(scene, strip.mapToScene(QPointF(-strip.length / 2 + (k + 0.5) * cell, 0)), size)
        for k in range(strip.count)
    ]


def test_exported_frames_are_the_diagram_at_each_position(qapp, document, trace, tmp_path):
    size = (320, 180)
    out = tmp_path / "frames"
    export(document, ExportOptions(out=f"{out}/", size=size, steps=(1, 3), frames_per_step=4, caption=False))
    clock = FrameClock(1, 3, 4, len(trace.graph.phases), steps=trace.steps)
    window_renderer = DiagramRenderer(trace.graph, size, "light")
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == clock.total == 8
    frames = []
    for k, name in enumerate(names):
        exported = np.asarray(Image.open(out / name).convert("RGB"))
        shown = rgba_array(window_renderer.render(trace, clock.state(k)))[..., :3]
        assert np.array_equal(exported, shown), name
        frames.append(exported.tobytes())
    assert len(set(frames)) == 8  # the walk-through moves in every frame


def test_video_frames_carry_the_trace_colours(qapp, document, trace, tmp_path):
    size = (640, 360)
    out = tmp_path / "steps.mp4"
    export(document, ExportOptions(out=str(out), size=size, frames_per_step=1, phases=False, fps=5, caption=False))
    frames = iio.imread(out, plugin="FFMPEG", index=None)
    assert frames.shape == (trace.steps, 360, 640, 3)
    renderer = DiagramRenderer(trace.graph, size, "light")
    for t in range(trace.steps):
        renderer.render(trace, FrameClock(t, t + 1, 1, len(trace.graph.phases), False).state(0))
        for name in ("f", "g", "c", "h"):
            want = colormap_for(trace.graph[name])(trace[name][t])[:, :3].astype(int)
            for unit, (x, y) in enumerate(unit_pixels(renderer.scene, name, size)):
                got = frames[t, y, x].astype(int)
                assert np.abs(got - want[unit]).max() <= 24, (t, name, unit, got, want[unit])


def test_svg_keeps_yellow_layers_pink_pointwise_and_text(qapp, document, trace, tmp_path):
    out = tmp_path / "cell.svg"
    export(document, ExportOptions(out=str(out), size=(640, 360)))
    root = ET.parse(out).getroot()
    theme = theme_named("light")
    fills = [e.get("fill", "").lower() for e in root.iter()]
    layers = [n for n in trace.graph.nodes if n.kind == "layer"]
    pointwise = [n for n in trace.graph.nodes if n.kind == "pointwise"]
    assert fills.count(theme.layer_fill.name()) >= len(layers) == 4
    assert fills.count(theme.pointwise_fill.name()) >= len(pointwise) == 5
    texts = {"".join(e.itertext()).strip() for e in root.iter() if e.tag.endswith("text")}
    assert {"σ", "tanh", "×", "+"} <= texts


def test_pdf_of_the_diagram_shows_the_forget_gate_box(qapp, document, trace, tmp_path):
    size = (640, 360)
    out = tmp_path / "cell.pdf"
    export(document, ExportOptions(out=str(out), size=size))
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed: checked the PDF's structure only")
    subprocess.run(["pdftoppm", "-png", "-r", "96", "-singlefile", str(out), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB")).astype(int)
    renderer = DiagramRenderer(trace.graph, size, "light")
    item = renderer.scene.item_for_node("f")
    x, y = to_pixels(renderer.scene, item.mapToScene(item.boundingRect().center() + QPointF(0, 8)), size)
    yellow = np.array([int(c) for c in theme_named("light").layer_fill.getRgb()[:3]])
    assert np.abs(page[y, x] - yellow).max() <= 6, page[y, x]


def test_cli_exports_a_gif_with_a_progress_bar(qapp, tmp_path, capsys):
    out = tmp_path / "walk.gif"
    args = ["export", "lstm", "--hidden", "4", "--input-size", "2", "--input", "1 2; 3 4; 5 6"]
    assert main([*args, "--out", str(out), "--size", "160x90", "--frames-per-step", "2", "--steps", "1:"]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 4 and gif.size == (160, 90)
    err = capsys.readouterr().err
    assert "100%  4/4 frames" in err and f"wrote 4 frames to {out}" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "x.avi"], "unknown extension '.avi'"),
        (["--out", "x.gif", "--steps", "2:2"], "step range 2:2 is empty; the sequence has 3 steps"),
        (["--out", "x.gif", "--steps", "a"], "--steps 'a': expected A:B"),
        (["--out", "x.mp4", "--size", "161x90"], "even width and height"),
        (["--out", "x.mp4", "--transparent"], "H.264 has no alpha"),
        (["--out", "nowhere/x.gif"], "the folder does not exist"),
        (["--out", "x.gif", "--select", "9"], "unit 9 does not exist"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(qapp, tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    args = ["export", "lstm", "--hidden", "4", "--input-size", "2", "--input", "1 2; 3 4; 5 6", "--size", "160x90"]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lstm-explorer: error:") and message in err and "\n" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_cli_exports_the_trace_without_drawing(tmp_path):
    out = tmp_path / "trace.npz"
    assert main(["export", "gru", "--hidden", "3", "--input-size", "2", "--input", "1 2; 3 4", "--out", str(out)]) == 0
    assert np.load(out)["h"].shape == (2, 3)


@pytest.mark.parametrize("view", ["chain", "dashboard"])
def test_cli_exports_the_chain_and_the_dashboard(qapp, tmp_path, view):
    out = tmp_path / f"{view}.png"
    args = ["export", "brackets", "--input", "(a(b))", "--view", view, "--size", "640x360"]
    assert main([*args, "--out", str(out)]) == 0
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (360, 640, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 20  # a drawing, not a blank page
    if view == "chain":  # the current step (the last, 5) is the highlighted module: the theme's yellow
        from lstm_explorer.views.theme import THEMES

        yellow = np.array([int(THEMES["light"].highlight[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(image.astype(int) - yellow).max(axis=2) <= 2).sum() > 500
