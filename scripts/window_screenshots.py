"""Regenerate the README's window pictures: a first launch on the bundled brackets model (fresh
settings, so the window fits the screen as a new user's does), part-way through a step with its
depth unit selected, in the light and dark themes, and presentation mode.

Which pictures depends on the screen: on a laptop-sized screen (up to 1366 wide) window-laptop.png
and window-laptop-dark.png; on a larger one window.png, window-dark.png and presentation.png.
Run in a real X window (the pictures are the screen, window frame and all):

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python3 scripts/window_screenshots.py
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb python3 scripts/window_screenshots.py

(or with QT_QPA_PLATFORM=offscreen, which grabs the window alone).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication

from lstm_explorer.ui.main_window import MainWindow

STEP, PHASE, PROGRESS = 9, 2, 0.5  # the input gate and candidate, half-way
INPUT = "a(b)(c)((a)b)((c(a)))"
LAPTOP_WIDTH = 1366


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(200):  # the first trace and the pyqtgraph panels arrive after the first paint
        app.processEvents()
        if window.playback.trace is not None and window.heatmaps.maps:
            break
    for _ in range(30):
        app.processEvents()


def grab(window: MainWindow) -> QPixmap:
    """The screen (a real X display), else the window alone (offscreen)."""
    screen = window.screen()
    if QGuiApplication.platformName() == "xcb" and screen is not None:
        return screen.grabWindow(0)
    return window.grab()


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    screen = app.primaryScreen().geometry()
    laptop = screen.width() <= LAPTOP_WIDTH
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(model="brackets", settings=settings)  # a first launch: fits the screen
        window.show()
        settle(app, window)
        window.editor.set_text(INPUT)
        settle(app, window)
        stem = "window-laptop" if laptop else "window"
        for theme, name in (("light", f"{stem}.png"), ("dark", f"{stem}-dark.png")):
            window.apply_theme(theme)
            window.playback.seek(STEP, PHASE, PROGRESS)
            window.key_handoff.hand_back()
            settle(app, window)
            grab(window).save(str(folder / name))
            print(f"wrote {folder / name} ({screen.width()}×{screen.height()} screen)")
        window.apply_theme("light")
        if not laptop:
            window.walkthrough_action.setChecked(True)  # the phase explained under the cell
            window.presentation.enter()
            window.playback.seek(STEP, PHASE, PROGRESS)
            settle(app, window)
            grab(window).save(str(folder / "presentation.png"))
            print(f"wrote {folder / 'presentation.png'}")
            window.presentation.leave()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
