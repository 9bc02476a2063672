"""Regenerate docs/screenshots/gradients-adding.png: the window on the bundled `adding` LSTM at
its last step, compared with `adding-rnn` on the same input, the Gradients panel showing
∂answer/∂(x, h, c) against the lag for both, and the cell state's own path for the unit that
carries the first marked value.

Run: QT_QPA_PLATFORM=offscreen python3 scripts/gradients_screenshot.py [folder]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.ui.compare import start_comparison
from lstm_explorer.ui.main_window import MainWindow


def settle(app: QApplication, rounds: int = 50) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(model="adding", settings=settings)
        window.resize(1600, 1000)
        window.show()
        settle(app)
        document = window.document
        document.playback.seek(document.steps - 1)
        # The unit whose cell state carries the answer's dependence on the first marked value.
        first_mark = int(np.flatnonzero(document.X[:, 1])[0])
        grad_c = model_gradients(document.model, document.X, "out[0]@-1", traces=document.traces).states["c"]
        document.playback.select((int(np.argmax(np.abs(grad_c[first_mark]))),))
        window.gradients_dock.show()
        window.gradients_dock.raise_()
        window.resizeDocks([window.gradients_dock], [760], Qt.Orientation.Horizontal)
        panel = window.gradients
        panel.target_edit.setText("out[0]")  # the answer at the step shown
        compare = start_comparison(window, load_bundled("adding-rnn"))
        settle(app)
        panel.compute_now()
        settle(app)
        path = folder / "gradients-adding.png"
        window.grab().save(str(path))
        print(f"wrote {path}")
        if compare is not None:
            compare.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
