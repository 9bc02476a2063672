"""Regenerate docs/screenshots/units-panel.png: the window on the bundled brackets model with the
Units panel showing the depth feature's search (table and saturation scatter) and c[12] ablated
(hatched on the diagram, listed as held, the run-wide Δ loss in the status bar).

Run: QT_QPA_PLATFORM=offscreen python3 scripts/units_screenshot.py [folder]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.ui.main_window import MainWindow

TEXT = "a(b)(c)((a)b)((c(a)))(((b)c)a)((((a))))b(c)"


def settle(app: QApplication, until, rounds: int = 2000) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        app.processEvents()
        if until():
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
        settle(app, lambda: window.playback.trace is not None and bool(window.heatmaps.maps))
        window.editor.set_text(TEXT)
        settle(app, lambda: window.playback.steps == len(TEXT))
        docks = window.unit_docks
        window.resizeDocks([docks.units_dock], [700], Qt.Orientation.Horizontal)
        docks.units_dock.raise_()
        docks.units.feature.setCurrentIndex(docks.units.feature.findData("depth"))
        docks.units.find_units()
        settle(app, lambda: window.document.unit_search is not None)
        window.document.request_interventions((Intervention("c", (12,), 0.0),))
        settle(app, lambda: bool(window.document.interventions))
        window.playback.select(12)
        window.playback.seek(16)
        settle(app, lambda: window.heatmaps.pending == 0 and "Δ loss" in window.status.held.text(), rounds=100_000)
        path = folder / "units-panel.png"
        window.grab().save(str(path))
        print(f"wrote {path}")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
