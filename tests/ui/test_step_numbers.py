"""One convention for steps: t = 0, 1, … in the transport, the equations, the diagram's phase
caption, the status bar and the input editor's messages."""

from PySide6.QtCore import Qt


def test_every_view_names_the_same_step_the_same_way(qtbot, window):
    window.walkthrough_action.setChecked(True)
    window.playback.seek(3, 1, 0.5)
    scene = window.diagram.diagram
    qtbot.waitUntil(lambda: scene.explanation.title.startswith("t = 3 ·"))
    assert window.transport.position_label.text().startswith("t = 3 /")
    assert "Step t = 3" in window.equations.header.text()
    assert window.status.position.text().startswith("t = 3 /")
    assert "Step 4" not in scene.explanation.title


def test_a_character_outside_the_vocabulary_is_named_by_its_step(qtbot, window):
    window.editor.set_text("(ab)")
    window.editor.edit.setFocus()
    window.editor.edit.moveCursor(window.editor.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor.edit, "X")
    qtbot.waitUntil(lambda: "'X'" in window.editor.message.text())
    # "(ab)" fills t = 0..3: the X is read at t = 4.
    assert window.editor.message.text().startswith("step 4: 'X' is not in the vocabulary")
    qtbot.keyClick(window.editor.edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: window.editor.message.text() == "")
