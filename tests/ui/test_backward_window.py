"""The diagram's backward mode in the window: Ctrl+B (or the Gradients panel's button) shows the
gradient of the target pinned at the current step; stepping back shows earlier steps' gradients,
computed off the GUI thread when slow; Ctrl+B again brings the values back."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lstm_explorer.colormaps import log_sequential
from lstm_explorer.models.gradients import model_gradients


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.activateWindow()
    window.diagram.setFocus()
    qtbot.waitUntil(window.diagram.hasFocus)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def shown(window, name):
    return window.diagram.diagram.strip_colours(name)


def test_ctrl_b_shows_the_gradients_and_stepping_back_follows_them(qtbot, window):
    assert window.open_model("adding")
    document, flow = window.document, window.diagram.backward_flow
    document.playback.seek(99)  # the adding task is scored at its last step: the target is loss@99
    forward_c = shown(window, "c")
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert document.backward and document.backward_step == 99
    assert window.backward_action.isChecked() and window.gradients.backward_button.isChecked()
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    field = flow.field
    assert (field.target, field.anchor) == ("loss@99", 99)
    expected = model_gradients(document.model, document.X, "loss@99", traces=document.traces, nodes=True).nodes
    top = max(np.abs(a).max() for a in expected.values())
    np.testing.assert_array_equal(shown(window, "c"), log_sequential(np.abs(expected["c"][99]), top))
    assert not np.array_equal(shown(window, "c"), forward_c)
    assert "∂ loss@99" in window.diagram.diagram.legend.texts()[0]
    for _ in range(11):  # ← steps back in time; the target stays where it was pinned
        press(qtbot, window, Qt.Key.Key_Left)
    assert document.playback.t == 88 and flow.field is field
    np.testing.assert_array_equal(shown(window, "c"), log_sequential(np.abs(expected["c"][88]), top))
    np.testing.assert_array_equal(shown(window, "h"), log_sequential(np.abs(expected["h"][88]), top))
    assert window.transport.position_label.text().endswith("phase 5/5: ← Concatenate")  # walked backward
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not document.backward and not window.diagram.diagram.backward
    values = window.diagram.diagram.scales["c"].colours(document.trace["c"][88])
    np.testing.assert_array_equal(shown(window, "c"), values)


def test_a_slow_computation_runs_off_the_gui_thread(qtbot, window):
    assert window.open_model("adding")
    document, flow = window.document, window.diagram.backward_flow
    flow.runner.seconds_per_step = 1.0  # every request looks slow: it goes to the thread
    document.playback.seek(60)
    window.gradients.backward_button.click()  # the panel's button: the same document field
    assert document.backward and window.backward_action.isChecked()
    assert flow.runner.busy and flow.field is None  # the click returned before the gradients were computed
    assert window.diagram.diagram.legend.texts() == ["computing ∂ out[0]@60 / ∂ node …"]
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    assert flow.field.anchor == 60 and shown(window, "f") is not None


def test_the_pin_moves_with_ctrl_shift_b_and_a_written_target_is_followed(qtbot, window):
    assert window.open_model("adding")
    document, flow = window.document, window.diagram.backward_flow
    document.playback.seek(99)
    window.backward_action.trigger()
    qtbot.waitUntil(lambda: flow.field is not None and flow.field.anchor == 99, timeout=20000)
    document.playback.seek(50)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert document.backward and document.backward_step == 50
    qtbot.waitUntil(lambda: flow.field is not None and flow.field.anchor == 50, timeout=20000)
    assert flow.field.target == "out[0]@50"
    window.gradients_dock.show()
    panel = window.gradients
    panel.target_edit.setText("c[3]")
    panel.target_edit.editingFinished.emit()
    assert document.gradient_target == "c[3]"
    qtbot.waitUntil(lambda: flow.field is not None and flow.field.target == "c[3]@50", timeout=20000)
    qtbot.waitUntil(lambda: panel.result is not None and str(panel.result.request.target) == "c[3]@50", timeout=20000)
    document.playback.seek(40)  # pinned: the panel keeps its target too
    assert str(panel.result.request.target) == "c[3]@50"
