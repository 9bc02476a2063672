"""Presentation mode: F11 gives the screen to the diagram with a caption line; the playback keys
keep working; Esc or F11 brings every panel back where it was."""

from PySide6.QtCore import Qt


def visible_docks(window):
    return {dock.objectName() for dock in window.docks if dock.isVisible()}


def test_f11_presents_the_diagram_and_esc_brings_the_panels_back(qtbot, window):
    window.key_handoff.hand_back()
    docks = visible_docks(window)
    area = window.diagram.viewport().width() * window.diagram.viewport().height()
    window.playback.seek(2, 1, 1.0)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presentation.active
    assert visible_docks(window) == set()
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    qtbot.waitUntil(lambda: window.diagram.viewport().width() * window.diagram.viewport().height() > 1.5 * area)
    caption = window.presentation.caption.text()
    assert caption.startswith("brackets  ·  t = 2  ·  input ")
    assert "phase 2 of 5: Forget gate" in caption
    assert window.presentation.caption.font().pixelSize() >= 0.03 * window.screen().geometry().height() - 1
    # The playback keys still work, and the caption follows.
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.playback.t == 3 and "t = 3" in window.presentation.caption.text()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.keyClick(window, Qt.Key.Key_Space)
    # Zoom keys too.
    fitted = window.diagram.transform().m11()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.diagram.transform().m11() > fitted
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presentation.active
    assert visible_docks(window) == docks
    assert (
        window.menuBar().isVisible() and window.statusBar().isVisible() and not window.presentation.caption.isVisible()
    )


def test_f11_leaves_too_and_a_closed_panel_stays_closed(qtbot, window):
    window.key_handoff.hand_back()
    window.chain_dock.hide()
    docks = visible_docks(window)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presentation.active
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not window.presentation.active
    assert visible_docks(window) == docks and "chainDock" not in docks
