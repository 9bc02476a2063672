"""Regenerate docs/screenshots/diagram-backward.png: the diagram's backward mode on the bundled
`adding` LSTM (above) and `adding-rnn` (below), both on adding's first preset, showing
|∂ loss@99 / ∂ node| at step 49, fifty steps before the answer. Drawn by the registered
``diagram-backward`` export view, the one File → Export… and ``lstm-explorer export`` use.

Run: QT_QPA_PLATFORM=offscreen python3 scripts/backward_screenshot.py [folder]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QApplication

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.export import ExportOptions, export
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.sequence import parse_numeric

STEP, TARGET = 49, "loss@99"


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    QApplication.instance() or QApplication(sys.argv[:1])
    X = parse_numeric(load_bundled("adding").presets[0], 2)
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("adding", "adding-rnn"):
            document = ExplorerDocument.computed(load_bundled(name), X)
            document.set_gradient_target(TARGET)
            out = Path(tmp) / f"{name}.png"
            export(document, ExportOptions(out=out, view="diagram-backward", steps=(STEP, STEP + 1)))
            with Image.open(out) as image:
                parts.append(np.asarray(image.convert("RGB")))
    path = folder / "diagram-backward.png"
    Image.fromarray(np.concatenate(parts, axis=0)).save(path)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
