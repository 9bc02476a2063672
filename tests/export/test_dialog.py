"""File → Export…: the dialog a person fills in, driving the same export function as the CLI."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt, QTimer

from lstm_explorer.ui.export_dialog import ExportDialog


def make_dialog(qtbot, document, tmp_path) -> ExportDialog:
    dialog = ExportDialog(document, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.form.view_combo.setCurrentIndex(dialog.form.view_combo.findData("strips"))  # a view with known pixels
    dialog.form.set_size(160, 90)
    assert dialog.form.size_combo.currentText() == "Custom"
    return dialog


def test_typing_a_path_picks_the_format_and_export_writes_it(qtbot, document, strips_view, trace, tmp_path):
    dialog = make_dialog(qtbot, document, tmp_path)
    out = tmp_path / "walk.gif"
    dialog.form.path_edit.clear()
    qtbot.keyClicks(dialog.form.path_edit, str(out))
    assert dialog.form.format == "gif"
    dialog.form.frames_spin.setValue(2)
    dialog.form.first_spin.setValue(1)
    dialog.form.last_spin.setValue(3)
    assert dialog.summary.text().startswith("6 frames (3 steps × 2)")
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    with Image.open(out) as gif:
        assert gif.n_frames == 6 and gif.size == (160, 90)
    assert dialog.last_result is not None and dialog.last_result.frames == 6
    assert dialog.result() == ExportDialog.DialogCode.Accepted


def test_choosing_a_format_changes_the_extension_and_what_applies(qtbot, document, strips_view, trace, tmp_path):
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_format("svg")
    stem = "lstm-random-seed-7"  # the default file is named after the model, "lstm (random, seed 7)"
    assert dialog.form.path_edit.text().endswith(f"{stem}.svg")
    assert not dialog.form.fps_spin.isEnabled() and dialog.form.view_combo.isEnabled()
    shown = document.playback.state  # a still is what the window shows
    assert dialog.summary.text().startswith(f"One picture at t = {shown.t}, phase {shown.phase + 1}/")
    dialog.form.set_format("png-frames")
    assert dialog.form.path_edit.text().endswith(f"{stem}/")
    assert dialog.form.fps_spin.isEnabled() and dialog.form.transparent_check.isEnabled()
    dialog.form.set_format("csv")
    assert dialog.form.path_edit.text().endswith(f"{stem}.csv") and not dialog.form.view_combo.isEnabled()


def test_a_problem_is_shown_before_export_and_export_is_disabled(qtbot, document, strips_view, trace, tmp_path):
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_format("mp4")
    dialog.form.width_spin.setValue(161)
    assert not dialog.export_button.isEnabled()
    assert "even width and height" in dialog.summary.text()
    dialog.form.width_spin.setValue(160)
    dialog.form.first_spin.setValue(4)
    dialog.form.last_spin.setValue(2)
    assert not dialog.export_button.isEnabled() and "is empty" in dialog.summary.text()


def test_the_preview_shows_the_frame_at_the_slider(qtbot, document, strips_view, trace, tmp_path):
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_format("mp4")
    dialog.form.frames_spin.setValue(5)
    dialog.preview.slider.setValue(7)  # step 1, its third frame of 5
    qtbot.waitUntil(lambda: "t = 1," in dialog.preview.label.text(), timeout=5000)
    state = dialog.preview_state()
    assert state is not None and state.t == 1 and not state.step_complete
    image = dialog.preview.picture.pixmap().toImage()
    assert not image.isNull() and image.width() <= 384
    assert np.isclose(state.clock, 1 + 3 / 5)


def test_cancel_in_the_progress_dialog_writes_nothing(qtbot, document, strips_view, trace, tmp_path):
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_path(str(tmp_path / "walk.mp4"))
    dialog.form.frames_spin.setValue(40)

    def cancel() -> None:
        assert dialog._progress is not None
        dialog._progress.cancel()

    QTimer.singleShot(0, cancel)
    assert dialog.run_export() is None
    assert "cancelled" in dialog.summary.text()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_says_why_and_the_dialog_stays(qtbot, document, strips_view, trace, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.show()
    dialog.form.set_path(str(tmp_path / "missing" / "walk.gif"))
    assert dialog.run_export() is None
    box = dialog.findChild(QMessageBox, "exportError")
    assert box is not None and box.isVisible()
    assert "the folder does not exist" in box.text() and "the folder does not exist" in dialog.summary.text()
    assert dialog.isVisible() and list(tmp_path.iterdir()) == []
    box.accept()
