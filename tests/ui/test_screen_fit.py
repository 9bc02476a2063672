"""A first launch fits the screen it opens on, and the cell diagram takes the largest share.

Each screen size runs in its own process: the offscreen platform's screen is set when the
application starts (a JSON screen description), as a real laptop's or monitor's would be.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

from lstm_explorer.ui.main_window import MainWindow

PROBE = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QRectF, QSettings
from PySide6.QtWidgets import QApplication
from lstm_explorer.ui.main_window import MainWindow

app = QApplication([])
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)  # empty: a first launch
window = MainWindow(settings=settings)
window.show()
for _ in range(200):
    app.processEvents()
    if window.playback.trace is not None and window.diagram.diagram is not None:
        break
for _ in range(50):
    app.processEvents()
view = window.diagram
boxes = QRectF()
for item in view.diagram.node_items.values():
    if item.geometry.shape == "box":
        boxes = boxes.united(item.sceneBoundingRect())
on_view = view.mapFromScene(boxes).boundingRect()
status = window.statusBar()
print(json.dumps({
    "screen": app.primaryScreen().availableGeometry().getRect(),
    "frame": window.frameGeometry().getRect(),
    "boxes": [on_view.left(), on_view.right()],
    "view": [view.viewport().width(), view.viewport().height()],
    "status_bottom": status.mapTo(window, status.rect().bottomLeft()).y(),
    "window_height": window.height(),
    "docks": {d.objectName(): d.width() * d.height() for d in window.docks if d.isVisible() and d.x() >= 0},
}))
"""


def first_launch(tmp_path: Path, width: int, height: int) -> dict:
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={screen}")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "settings.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_first_launch_fits_the_screen_and_the_diagram_dominates(tmp_path, size):
    shown = first_launch(tmp_path, *size)
    x, y, w, h = shown["frame"]
    sx, sy, sw, sh = shown["screen"]
    # The whole window (frame included) is on the screen and no larger than it.
    assert sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh
    assert w >= 0.95 * sw and h >= 0.9 * sh  # and it uses the screen
    assert shown["status_bottom"] < shown["window_height"]  # the status bar is inside it
    # The four layer boxes span at least a third of the screen's width.
    left, right = shown["boxes"]
    assert right - left >= sw / 3, shown
    # The diagram has the largest area of all panels.
    view_area = shown["view"][0] * shown["view"][1]
    assert view_area > max(shown["docks"].values())


@pytest.mark.parametrize("size", [(1366, 768), (2560, 1440)])
def test_reset_layout_leaves_no_tab_bar_of_a_group_that_is_gone(qtbot, settings, size):
    """Qt leaves the tab bars of the groups restoreState made visible when the docks are grouped
    again: they were drawn over the chain. Every tab bar shown must name an open group."""
    window = MainWindow(settings=settings)  # the first start's own layout, then a reset at another size
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()
    window.resize(*size)
    QApplication.processEvents()
    window.reset_layout()
    for _ in range(3):
        QApplication.processEvents()

    def is_open(dock):
        return dock.toggleViewAction().isChecked()

    groups = set()
    for dock in filter(is_open, window.findChildren(QDockWidget)):
        groups.add(frozenset(d.windowTitle() for d in [dock, *filter(is_open, window.tabifiedDockWidgets(dock))]))
    shown = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()]
    assert shown
    for bar in shown:
        assert frozenset(bar.tabText(i) for i in range(bar.count())) in groups
