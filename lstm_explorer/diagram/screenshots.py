"""Regenerate the README's diagram pictures: ``python3 -m lstm_explorer.diagram.screenshots [folder]``.

One picture per cell kind at a completed step (random weights, a fixed random input, unit 2
selected), plus the LSTM mid-animation in the dark theme with the walk-through on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from ..engine.cells import CELL_KINDS
from ..engine.trace import Trace
from ..models.model import random_model
from ..playback import PlaybackState
from .render import DiagramRenderer

SIZE = (1280, 720)


def _trace(kind: str) -> Trace:
    model = random_model(kind, input_size=8, hidden_size=16, seed=3)
    return model.network.trace(np.random.default_rng(7).normal(size=(6, 8)))


def write_screenshots(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CELL_KINDS:
        trace = _trace(kind)
        phases = len(trace.graph.phases)
        image = DiagramRenderer(trace.graph, SIZE).render(trace, PlaybackState(3, phases - 1, 1.0, (2,), phases, 6))
        path = folder / f"diagram-{kind}.png"
        image.save(str(path))
        written.append(path)
    trace = _trace("lstm")
    renderer = DiagramRenderer(trace.graph, SIZE, "dark", walkthrough=True)
    path = folder / "diagram-lstm-walkthrough-dark.png"
    renderer.render(trace, PlaybackState(3, 2, 0.2, (2,), 5, 6)).save(str(path))
    written.append(path)
    return written


if __name__ == "__main__":
    for written in write_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(written)
