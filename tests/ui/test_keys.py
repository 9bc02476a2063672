"""Keys do what the buttons say: after typing, Space plays and the arrows step (tests as a person
types: into the editor, then the next key goes wherever the focus is)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from lstm_explorer.ui.key_handoff import HANDED_BACK


def type_at_end(qtbot, window, text):
    edit = window.editor.edit
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, text)


def press(qtbot, key):
    """A key pressed by a person: it goes to whatever has the focus now."""
    qtbot.keyClick(QApplication.focusWidget(), key)


def test_type_then_space_plays(qtbot, window):
    """brackets reads ()abc: a space could only be refused, so Space is play / pause at once."""
    before = window.editor.text()
    window.editor.set_debounce(200)  # as when typing is costly: the last key is not parsed yet
    type_at_end(qtbot, window, "(b)")
    steps = len(before) + 3
    press(qtbot, Qt.Key.Key_Space)  # at once, as a person does
    assert window.playback.steps == steps  # what was typed is what plays
    assert window.player.playing
    assert window.editor.text() == before + "(b)"
    assert window.editor.message.text() == ""  # nothing refused
    # Play at the end starts over, and the playback moves (it does not stop at once).
    qtbot.waitUntil(lambda: window.playback.state.clock > 0.2, timeout=3000)
    assert window.player.playing and window.playback.t < steps - 1
    press(qtbot, Qt.Key.Key_Space)
    assert not window.player.playing


def test_a_pause_in_typing_hands_the_keys_back_and_typing_goes_on(qtbot, make_window):
    window = make_window("sine")  # numbers: Space separates values, so it types while typing
    window.editor.set_text("0.1\n0.2")
    type_at_end(qtbot, window, " ")
    assert window.editor.text() == "0.1\n0.2 "
    qtbot.waitUntil(lambda: not window.editor.edit.hasFocus(), timeout=4000)
    assert window.statusBar().currentMessage() == HANDED_BACK
    window.playback.seek(0)
    press(qtbot, Qt.Key.Key_Right)
    assert window.playback.t == 1
    press(qtbot, Qt.Key.Key_Space)
    assert window.player.playing
    press(qtbot, Qt.Key.Key_Space)
    # A digit typed now goes on where the cursor was, and the editor has the keys again.
    press(qtbot, Qt.Key.Key_5)
    assert window.editor.text() == "0.1\n0.2 5"
    assert window.editor.edit.hasFocus()


def test_enter_and_esc_hand_the_keys_back_at_once(qtbot, window):
    text = window.editor.text()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Escape):
        type_at_end(qtbot, window, "a")
        text += "a"
        press(qtbot, key)
        assert not window.editor.edit.hasFocus()
        assert window.editor.text() == text  # no newline in a model that cannot read one
        window.playback.seek(0)
        press(qtbot, Qt.Key.Key_Right)
        assert window.playback.t == 1


def test_ctrl_plus_minus_and_zero_zoom_the_diagram(qtbot, window):
    window.key_handoff.hand_back()
    view = window.diagram
    fitted = view.transform().m11()
    for key in (Qt.Key.Key_Equal, Qt.Key.Key_Plus):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.transform().m11() - fitted * 1.25**2) < 1e-9
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.transform().m11() - fitted * 1.25) < 1e-9
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.transform().m11() - fitted) < 1e-9


def test_a_key_the_editor_does_not_take_is_not_sent_back_and_forth(qtbot, window):
    """With another window active the editor cannot take the focus; a key it ignores comes back
    up to the main window, which must not hand it to the editor again (it did, until the stack
    ran out: a RecursionError in every Qt override on the way)."""
    other = QWidget(window, Qt.WindowType.Window)
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    text = window.editor.text()
    qtbot.keyClick(window.diagram, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.text() == text
