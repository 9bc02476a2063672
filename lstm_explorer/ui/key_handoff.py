"""Who has the keys: the input editor while you type, playback the rest of the time.

* **A pause hands them back.** :data:`PAUSE_MS` after the last keystroke or click in the editor,
  Space, the arrows, Home and End drive playback again. A character typed after that goes into
  the editor at its cursor (and the editor has the keys again), so a pause to think costs nothing.
* **Esc hands them back at once**, and so does Enter in a text model whose vocabulary has no
  newline.
* **A key the model cannot read is a playback key.** In a text model whose vocabulary has no
  space, Space is play / pause even while typing: a space could only be refused.

So a person who types and then presses Space sees playback start.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from .sequence_editor import SequenceEditor

#: Quiet time in the editor after which the keys go back to playback (ms).
PAUSE_MS = 1500
#: Keys that drive playback (the Playback menu's shortcuts).
PLAYBACK_KEYS = {Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End}
_EDITING_KEYS = {Qt.Key.Key_Backspace, Qt.Key.Key_Delete}
HANDED_BACK = "Space and the arrow keys play again; type to go on editing."


class KeyHandoff(QObject):
    """Watches the editor's key and mouse events (an event filter) for the rules above, and the
    keys that reach the window unused (:meth:`resume_typing`)."""

    def __init__(self, editor: SequenceEditor, window: QMainWindow) -> None:
        super().__init__(window)
        self.editor = editor
        self.window = window
        self.timer = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self.timer.timeout.connect(self.hand_back)
        self._resending = False
        editor.edit.installEventFilter(self)
        editor.edit.viewport().installEventFilter(self)
        window.installEventFilter(self)  # keys that reach the window unused: see resume_typing

    def _cannot_read(self, text: str) -> bool:
        """True when the open model reads text and ``text`` is not in its vocabulary."""
        editor = self.editor
        if not editor.text_mode:
            return False
        if editor.word_mode and not text.strip():
            return False  # words are read between spaces and newlines: they are part of the input
        return text not in editor.model.vocabulary

    def hand_back(self) -> None:
        """Playback has the keys from now on (the editor keeps its text and its cursor)."""
        self.timer.stop()
        edit = self.editor.edit
        if edit.hasFocus():
            edit.clearFocus()
            self.window.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.window.statusBar().showMessage(HANDED_BACK, 5000)

    def resume_typing(self, event: QKeyEvent) -> bool:
        """A key no one used while playback has the keys: a character (or Backspace, Delete) goes to
        the editor as if it had kept the focus. True if it was taken."""
        edit = self.editor.edit
        typed = (bool(event.text()) and event.text().isprintable()) or Qt.Key(event.key()) in _EDITING_KEYS
        if not typed or Qt.Key(event.key()) in PLAYBACK_KEYS or not edit.isVisible() or edit.hasFocus():
            return False
        if self._resending:
            # The editor did not take the copy, so it came back up to the window: sending it again
            # would loop until the stack runs out (a key sent to a window that is not active).
            return False
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
        self._resending = True
        try:
            QApplication.sendEvent(edit, copy)
        finally:
            self._resending = False
        return True

    # Qt override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window:
            return kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self.resume_typing(event)
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self.timer.start()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(event, QKeyEvent):
            key = Qt.Key(event.key())
            if key == Qt.Key.Key_Space and self._cannot_read(" "):
                if self.editor.edit_pending:
                    self.editor.flush()  # play what was just typed, not the sequence before it
                # Not accepted as the editor's own: the window's Space shortcut (play / pause) fires.
                event.ignore()
                return True
            if kind == QEvent.Type.KeyPress:
                enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._cannot_read("\n")
                if key == Qt.Key.Key_Escape or enter:
                    self.hand_back()
                    return True
                self.timer.start()
        return super().eventFilter(watched, event)
