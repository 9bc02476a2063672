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


def answer_replace(qtbot, button) -> list[str]:
    """Answer the dialog's "Replace?" question with ``button`` once it is up; returns its text."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)  # not up yet
            return
        asked.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, answer)
    return asked


def test_an_existing_file_is_replaced_only_when_the_person_says_yes(qtbot, document, strips_view, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    out = tmp_path / "cell.png"
    out.write_bytes(b"my earlier slide")
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.show()
    dialog.form.set_path(str(out))
    asked = answer_replace(qtbot, QMessageBox.StandardButton.No)
    assert dialog.run_export() is None
    assert asked and "“cell.png” already exists" in asked[0]
    assert out.read_bytes() == b"my earlier slide" and dialog.isVisible()
    assert "Not exported" in dialog.summary.text()

    asked = answer_replace(qtbot, QMessageBox.StandardButton.Yes)
    result = dialog.run_export()
    assert asked and result is not None
    with Image.open(out) as image:
        assert image.size == (160, 90)


def test_a_new_file_is_written_without_a_question(qtbot, document, strips_view, tmp_path):
    from PySide6.QtWidgets import QApplication

    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_path(str(tmp_path / "new.png"))
    assert dialog.run_export() is not None
    assert QApplication.activeModalWidget() is None and (tmp_path / "new.png").exists()


def test_the_dialog_remembers_its_choices_across_openings(qtbot, document, strips_view, tmp_path):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = ExportDialog(document, folder=tmp_path, settings=settings)
    qtbot.addWidget(first)
    form = first.form
    form.set_format("gif")
    form.view_combo.setCurrentIndex(form.view_combo.findData("chain"))
    form.size_combo.setCurrentIndex(form.size_combo.findData("preset:square"))
    form.fps_spin.setValue(12)
    form.frames_spin.setValue(4)
    form.phases_check.setChecked(False)
    form.caption_check.setChecked(False)
    first.reject()

    again = ExportDialog(document, folder=tmp_path, settings=QSettings(settings.fileName(), settings.format()))
    qtbot.addWidget(again)
    form = again.form
    assert form.format == "gif" and form.path_edit.text().endswith(".gif")
    assert form.view_combo.currentData() == "chain"
    assert (form.width_spin.value(), form.height_spin.value()) == (1080, 1080)
    assert form.size_combo.currentText().startswith("square")
    assert (form.fps_spin.value(), form.frames_spin.value()) == (12, 4)
    assert not form.phases_check.isChecked() and not form.caption_check.isChecked()
    options = again.options()
    assert options.size == (1080, 1080) and options.caption is False and options.view == "chain"


def test_a_preset_sets_size_and_frame_rate(qtbot, document, strips_view, tmp_path):
    fresh = ExportDialog(document, folder=tmp_path)
    qtbot.addWidget(fresh)
    assert fresh.form.size_combo.currentText() == "1280 × 720" and fresh.options().size == (1280, 720)
    dialog = make_dialog(qtbot, document, tmp_path)
    form = dialog.form
    form.size_combo.setCurrentIndex(form.size_combo.findData("preset:1080p60"))
    assert dialog.options().size == (1920, 1080) and dialog.options().fps == 60
    form.size_combo.setCurrentIndex(form.size_combo.findData("preset:9:16"))
    assert dialog.options().size == (1080, 1920) and dialog.options().fps == 60
    assert form.size_combo.currentText().startswith("9:16")
    form.width_spin.setValue(1000)
    assert form.size_combo.currentText() == "Custom"


def test_a_still_shows_the_step_and_phase_on_screen(qtbot, document, strips_view, trace, tmp_path):
    document.playback.seek(2, 1, 0.5)
    dialog = make_dialog(qtbot, document, tmp_path)
    dialog.form.set_format("png")
    options = dialog.options()
    assert options.still_at == (2, 1, 0.5) and options.steps == (2, 3)
    assert dialog.form.still_step_spin.text() == "t = 2"
    state = dialog.preview_state()
    assert state is not None and (state.t, state.phase, state.progress) == (2, 1, 0.5)
    dialog.form.still_step_spin.setValue(4)  # another step: shown complete in the chosen phase
    assert dialog.options().still_at == (4, 1, 1.0)
    assert dialog.summary.text().startswith("One picture at t = 4, phase 2/")
