"""The diagram's backward mode in the window: Ctrl+B (or the Gradients panel's button) shows the
gradient of the target pinned at the current step; walking on (→) shows earlier steps' gradients,
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
    for _ in range(11):  # → walks on, back in time; the target stays where it was pinned
        press(qtbot, window, Qt.Key.Key_Right)
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


def test_space_plays_back_in_time_from_the_pinned_step_and_the_buttons_walk_the_same_way(qtbot, window):
    assert window.open_model("adding")
    document, flow, transport = window.document, window.diagram.backward_flow, window.transport
    document.playback.seek(6)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # pinned at 6
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    expected = model_gradients(document.model, document.X, "out[0]@6", traces=document.traces, nodes=True).nodes
    top = max(np.abs(a[:7]).max() for a in expected.values())
    assert "gradient travels back" in transport.play_button.toolTip()
    transport.set_speed(8.0)
    seen: list[int] = []
    document.playback.position_changed.connect(lambda state: seen.append(state.t))
    press(qtbot, window, Qt.Key.Key_Space)  # at the pin, complete: play starts its walk over
    qtbot.waitUntil(lambda: not window.player.playing, timeout=20000)
    assert seen[0] == 6 and seen[-1] == 0 and seen == sorted(seen, reverse=True)
    assert set(seen) == set(range(7))
    label = transport.position_label.text()
    assert label.startswith("t = 0 /") and label.endswith("phase 5/5: ← Concatenate")
    np.testing.assert_array_equal(shown(window, "c"), log_sequential(np.abs(expected["c"][0]), top))
    transport.start_button.click()  # Home: the pinned step, where the gradient starts
    assert document.playback.t == 6
    transport.forward_button.click()  # the next step of the walk: one further back in time
    assert document.playback.t == 5
    np.testing.assert_array_equal(shown(window, "h"), log_sequential(np.abs(expected["h"][5]), top))
    transport.phase_forward_button.click()  # step 5's last phase done: step 4's first
    assert (document.playback.t, document.playback.state.phase) == (4, 0)
    assert transport.position_label.text().endswith("phase 1/5: ← Output")
    transport.back_button.click()
    assert document.playback.t == 5
    transport.end_button.click()
    assert document.playback.t == 0
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # forward again: as it was
    assert transport.forward_button.toolTip() == "One time step forward (→)"
    transport.forward_button.click()
    assert document.playback.t == 1
    seen.clear()
    document.playback.seek(97)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.player.playing, timeout=20000)
    assert seen[-1] == 99 and seen[1:] == sorted(seen[1:])


def test_a_long_input_records_the_steps_around_the_position_and_says_so(qtbot, window):
    """Every node at every step is the trace's size again: past the budget the mode records the
    steps around the position, the legend says which, and walking out of them asks again."""
    assert window.open_model("adding")
    document, flow = window.document, window.diagram.backward_flow
    per_step = 8 * sum(document.trace[name].shape[1] for name in document.trace.graph.names)
    flow.budget = 20 * per_step  # room for 20 steps of the 100
    document.playback.seek(99)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    field = flow.field
    assert field.limited and (field.first, field.last) == (80, 99)
    legend = window.diagram.diagram.legend.texts()
    assert legend[0].startswith("|∂ loss@99") and legend[-1] == "recorded at steps 80…99 only (memory)"
    expected = model_gradients(document.model, document.X, "loss@99", traces=document.traces, nodes=True).nodes
    top = max(np.abs(a).max() for a in expected.values())
    assert field.top == top  # the colour scale is that of every step, recorded or not
    np.testing.assert_array_equal(shown(window, "c"), log_sequential(np.abs(expected["c"][99]), top))
    document.playback.seek(80)
    assert shown(window, "c") is not None
    press(qtbot, window, Qt.Key.Key_Right)  # step 79: outside, so those around it are recorded
    qtbot.waitUntil(lambda: flow.field is not field and flow.field is not None, timeout=20000)
    assert flow.field.first <= 79 <= flow.field.last and flow.field.last - flow.field.first == 19
    np.testing.assert_array_equal(shown(window, "c"), log_sequential(np.abs(expected["c"][79]), top))
    assert document.node_gradients is flow.field


def test_the_equations_and_the_presentation_caption_follow_the_backward_walk(qtbot, window):
    """The Equations panel shows ∂J/∂node for the selected unit at the step, the rows of the phase
    walked highlighted; the presentation caption names the phase walked and the target."""
    assert window.open_model("adding")
    document, flow = window.document, window.diagram.backward_flow
    window.equations_dock.show()
    window.equations_dock.raise_()
    qtbot.waitUntil(window.equations.isVisible)
    document.playback.select(3)
    document.playback.seek(99)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: flow.field is not None, timeout=20000)
    expected = model_gradients(document.model, document.X, "loss@99", traces=document.traces, nodes=True).nodes
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_Right)  # t = 95
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # t = 94, first phase walked
    assert (document.playback.t, document.playback.state.phase) == (94, 0)
    text = window.equations.plain_text()
    assert f"∂J/∂Ct[3] = {expected['c'][94, 3]:.3e}".replace("-", "−") in text.splitlines()  # (t: a subscript)
    for name in ("f", "o", "h"):
        assert f"{expected[name][94, 3]:.3e}".replace("-", "−") in text, name
    assert f"{np.linalg.norm(expected['x'][94]):.3e}".replace("-", "−") in text  # ‖∂J/∂x_t‖
    header = window.equations.header.text()
    assert "Backward, phase 1: ← Output" in header and "loss@99" in header
    html = window.equations.browser.toHtml()
    marked = [row for row in html.split("<tr>")[1:] if window.equations.theme.highlight in row]
    assert len(marked) == 3 and "∂J/∂o" in marked[0] and "tanh" in marked[1]  # the output phase: o, tanh(C), h
    document.playback.seek(99)
    window.presentation.enter()
    caption = window.presentation.caption.text()
    assert "t = 99" in caption and "phase 5 of 5: ← Concatenate" in caption and "∂ loss@99 flowing back" in caption
    window.presentation.leave()
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # forward: the equations again
    assert "σ(" in window.equations.plain_text() and "∂J" not in window.equations.plain_text()


def test_the_playback_menu_names_the_moves_of_the_backward_walk(qtbot, window):
    assert window.open_model("adding")
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Playback"]
    names = lambda: {a.shortcut().toString(): a.text() for a in menu.actions() if a.shortcut().toString()}  # noqa: E731
    assert names()["Right"] == "Step forward" and names()["Home"] == "Jump to start"
    window.document.playback.seek(40)
    window.backward_action.trigger()
    assert names()["Right"] == "Step back in time (t − 1)" and names()["Home"] == "Jump to the pinned step"
    (right,) = [a for a in menu.actions() if a.shortcut().toString() == "Right"]
    right.trigger()
    assert window.document.playback.t == 39
    window.backward_action.trigger()
    assert names()["Right"] == "Step forward" and names()["End"] == "Jump to end"
