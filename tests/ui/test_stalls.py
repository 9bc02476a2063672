"""The window's long-work cases (issue 14, class 6) do their heavy part without the GUI thread
copying, formatting or drawing what it need not: a keystroke at the end of a long text copies no
input, ..."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor


def idle(window) -> bool:
    return not window.editor.edit_pending and not window.recompute.busy


def test_a_keystroke_at_the_end_of_a_long_text_copies_no_input(qtbot, make_window):
    window = make_window("brackets")
    text = ("(a(b)c)" * 3000)[:20_000]
    window.editor.set_text(text)
    qtbot.waitUntil(lambda: window.playback.steps == 20_000 and idle(window), timeout=30000)
    before = window.document.X
    edit = window.editor.edit
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(edit, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.playback.steps == 20_001 and idle(window), timeout=30000)
    after = window.document.X
    # The new input is the old one's memory plus a row, and the session keeps it as it is.
    assert np.shares_memory(before, after) and np.shares_memory(window.document.session.X, after)
    np.testing.assert_array_equal(after, window.model.encode_text(text + "a"))
    np.testing.assert_array_equal(before, window.model.encode_text(text))  # the shown input before, intact
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_B)  # retyped after a deletion: a new buffer, the old rows untouched
    qtbot.waitUntil(lambda: window.document.text == text + "b" and idle(window), timeout=30000)
    np.testing.assert_array_equal(window.document.X, window.model.encode_text(text + "b"))
    np.testing.assert_array_equal(after, window.model.encode_text(text + "a"))
    full = window.model.run(window.document.X)[(0, False)]
    np.testing.assert_array_equal(window.document.trace["h"], full["h"])
