"""Frames per second of the animated cell diagram rendered offscreen at 1280×720.

Each frame is a new position (the clock advances by a sixtieth of a phase-second), so strips are
re-coloured when the step changes and travelling vectors move every frame: the work a video export
or a playing window does. Budget (DESIGN.md): ≥ 60 fps at every hidden size.

    python3 benchmarks/bench_diagram.py [--frames 300] [--kind lstm] [--theme light]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from lstm_explorer.diagram.render import DiagramRenderer
from lstm_explorer.models.model import random_model
from lstm_explorer.playback import state_at_clock

BUDGET_FPS = 60.0


def measure(kind: str, hidden: int, frames: int, theme: str, size: tuple[int, int]) -> float:
    model = random_model(kind, input_size=32, hidden_size=hidden, seed=0)
    X = np.random.default_rng(0).normal(size=(40, 32))
    trace = model.network.trace(X)
    phases = len(trace.graph.phases)
    renderer = DiagramRenderer(trace.graph, size, theme)
    # Playing at 3 phases per second, shown at 60 frames per second.
    clocks = [k * 3.0 / 60.0 / phases for k in range(frames)]
    renderer.render(trace, state_at_clock(0.0, trace.steps, phases, (3,)))  # warm caches and fonts
    start = time.perf_counter()
    for clock in clocks:
        renderer.render(trace, state_at_clock(clock, trace.steps, phases, (3,)))
    return frames / (time.perf_counter() - start)


def measure_view(kind: str, hidden: int, frames: int, theme: str, size: tuple[int, int]) -> float:
    """The same animation in the widget: playback.advance, then a synchronous viewport repaint."""
    from PySide6.QtWidgets import QApplication

    from lstm_explorer.diagram import DiagramView
    from lstm_explorer.playback import Playback

    app = QApplication.instance() or QApplication([])
    model = random_model(kind, input_size=32, hidden_size=hidden, seed=0)
    trace = model.network.trace(np.random.default_rng(0).normal(size=(40, 32)))
    playback = Playback()
    playback.set_trace(trace, t=0)
    playback.seek(0, 0, 0.0)
    playback.select(3)
    view = DiagramView(playback)
    view.set_theme(theme)
    view.resize(*size)
    view.show()
    app.processEvents()
    view.viewport().repaint()
    start = time.perf_counter()
    for _ in range(frames):
        playback.advance(3.0 / 60.0)
        view.viewport().repaint()
    elapsed = time.perf_counter() - start
    view.close()
    view.deleteLater()
    app.processEvents()
    return frames / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--kind", default="lstm")
    parser.add_argument("--theme", default="light")
    args = parser.parse_args()
    size = (1280, 720)
    platform = os.environ["QT_QPA_PLATFORM"]
    print(f"cell diagram, {args.kind}, {size[0]}×{size[1]}, platform {platform}, {args.frames} frames per size")
    for label, how in (("offscreen renderer (export)", measure), ("window view (DiagramView repaint)", measure_view)):
        print(f" {label}")
        for hidden in (32, 128, 512):
            fps = how(args.kind, hidden, args.frames, args.theme, size)
            verdict = "ok" if fps >= BUDGET_FPS else "BELOW BUDGET"
            ratio = fps / BUDGET_FPS
            print(f"  H = {hidden:4d}: {fps:7.1f} frames/s  ({ratio:.1f}× the {BUDGET_FPS:.0f} fps budget, {verdict})")


if __name__ == "__main__":
    main()
