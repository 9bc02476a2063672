"""File → Export… in the main window: the dialog opens on what the window shows and writes it."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt

from lstm_explorer.models import random_model
from lstm_explorer.ui.export_dialog import ExportDialog
from lstm_explorer.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    model = random_model("lstm", input_size=3, hidden_size=6, seed=2)
    window = MainWindow(model=model, settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.editor.set_text("0.1, 0.2, 0.3\n-1, 0, 1\n0.5, 0.5, 0.5\n1, -1, 0")
    qtbot.waitUntil(lambda: window.playback.steps == 4, timeout=10000)
    return window


def open_dialog(qtbot, window) -> ExportDialog:
    window.export_action.trigger()
    dialogs = window.findChildren(ExportDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitExposed(dialog)
    return dialog


def test_export_action_opens_the_dialog_and_writes_an_mp4(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window)
    assert dialog.trace is window.playback.trace
    dialog.form.set_path(str(tmp_path / "walk.mp4"))
    dialog.form.size_combo.setCurrentIndex(dialog.form.size_combo.findData("640x360"))
    dialog.form.frames_spin.setValue(3)
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    frames = iio.imread(tmp_path / "walk.mp4", plugin="FFMPEG", index=None)
    assert frames.shape == (12, 360, 640, 3)
    assert len({f.tobytes() for f in frames}) > 6
    assert "Exported" in window.statusBar().currentMessage()


def test_dashboard_is_drawn_by_the_panels_and_the_window_never_moves(qtbot, window, tmp_path):
    window.playback.seek(1, 0, 0.5)
    before = window.playback.state
    moves = []
    window.playback.position_changed.connect(moves.append)
    dialog = open_dialog(qtbot, window)
    dialog.form.view_combo.setCurrentIndex(dialog.form.view_combo.findData("dashboard"))
    dialog.form.set_path(f"{tmp_path}/frames/")
    dialog.form.size_combo.setCurrentIndex(dialog.form.size_combo.findData("640x360"))
    dialog.form.frames_spin.setValue(1)
    dialog.form.phases_check.setChecked(False)
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert len(names) == 4
    frames = [np.asarray(Image.open(tmp_path / "frames" / n).convert("RGB")) for n in names]
    assert frames[0].shape == (360, 640, 3) and len({f.tobytes() for f in frames}) == 4
    assert window.playback.state == before and moves == []  # a snapshot of the document moved, not the window


def test_chain_view_export_follows_the_step(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window)
    dialog.form.view_combo.setCurrentIndex(dialog.form.view_combo.findData("chain"))
    dialog.form.set_path(str(tmp_path / "chain.gif"))
    dialog.form.size_combo.setCurrentIndex(dialog.form.size_combo.findData("640x360"))
    dialog.form.frames_spin.setValue(2)
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    with Image.open(tmp_path / "chain.gif") as gif:
        assert gif.n_frames == 8 and gif.size == (640, 360)
        gif.seek(1)
        first = np.asarray(gif.convert("RGB"))
        gif.seek(7)
        last = np.asarray(gif.convert("RGB"))
    assert not np.array_equal(first, last)  # the highlighted module moved from step 0 to step 3


def test_exported_diagram_frames_are_what_the_window_scene_shows(qtbot, window, tmp_path):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from lstm_explorer.export import FrameClock
    from lstm_explorer.export.frames import rgba_array

    dialog = open_dialog(qtbot, window)
    dialog.form.set_path(f"{tmp_path}/frames/")
    dialog.form.set_size(320, 180)
    dialog.form.caption_check.setChecked(False)  # the frames alone, to compare with the window's scene
    dialog.form.first_spin.setValue(1)
    dialog.form.last_spin.setValue(2)
    dialog.form.frames_spin.setValue(3)
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    trace, selected = window.playback.trace, window.playback.selected
    clock = FrameClock(1, 3, 3, len(trace.graph.phases), selected=selected, steps=trace.steps)
    scene = window.diagram.diagram  # the scene the window's diagram view shows
    for k in (1, 5):
        state = clock.state(k)
        window.playback.seek(state.t, state.phase, state.progress)
        assert scene.state == state
        image = QImage(320, 180, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(scene.theme.background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, 320, 180), scene.sceneRect())
        painter.end()
        exported = np.asarray(Image.open(tmp_path / "frames" / f"frame_{k:05d}.png").convert("RGB"))
        assert np.array_equal(exported, rgba_array(image)[..., :3]), k


def test_the_diagram_export_draws_the_windows_zoom(qtbot, window, tmp_path):
    window.diagram.zoom(3.0)
    forget = window.diagram.diagram.item_for_node("f")
    window.diagram.centerOn(forget)  # zoom centres on the pointer: a known place instead
    region = window.diagram.visible_region()
    assert region is not None
    dialog = open_dialog(qtbot, window)
    assert dialog.form.zoom_check.isChecked() and dialog.form.zoom_check.isVisible()
    dialog.form.set_format("png")
    dialog.form.set_path(str(tmp_path / "zoomed.png"))
    dialog.form.set_size(640, 360)
    assert dialog.options().region == region
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(ExportDialog))  # closed and deleted
    dialog = open_dialog(qtbot, window)
    dialog.form.zoom_check.setChecked(False)
    dialog.form.set_path(str(tmp_path / "whole.png"))
    assert dialog.options().region is None and dialog.options().size == (640, 360)  # remembered
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    zoomed, whole = (np.asarray(Image.open(tmp_path / n).convert("RGB")) for n in ("zoomed.png", "whole.png"))
    assert zoomed.shape == whole.shape == (360, 640, 3)
    # Zoomed in on the forget gate, its yellow box covers several times the pixels.
    yellow = np.array(forget.fill_colour().getRgb()[:3])
    assert (zoomed == yellow).all(axis=2).sum() > 2 * (whole == yellow).all(axis=2).sum() > 0
