"""Regenerate docs/screenshots/window.png and window-dark.png: the whole window on the bundled
brackets model, part-way through a step, with its depth unit selected.

Run: QT_QPA_PLATFORM=offscreen python3 scripts/window_screenshots.py [folder]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from lstm_explorer.ui.main_window import MainWindow

STEP, PHASE, PROGRESS = 9, 2, 0.5  # the input gate and candidate, half-way


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(200):  # the first trace and the pyqtgraph panels arrive after the first paint
        app.processEvents()
        if window.playback.trace is not None and window.heatmaps.maps:
            break
    for _ in range(20):
        app.processEvents()


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(model="brackets", settings=settings)
        window.resize(1600, 1000)
        window.show()
        settle(app, window)
        window.editor.set_text("a(b)(c)((a)b)((c(a)))")
        settle(app, window)
        for theme, name in (("light", "window.png"), ("dark", "window-dark.png")):
            window.apply_theme(theme)
            window.playback.seek(STEP, PHASE, PROGRESS)
            settle(app, window)
            window.grab().save(str(folder / name))
            print(f"wrote {folder / name}")
        window.apply_theme("light")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
