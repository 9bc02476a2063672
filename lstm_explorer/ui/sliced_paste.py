"""A plain-text editor that pastes long text in slices.

Qt lays out pasted text in one call: 100 000 lines (700 000 characters) took 1.4 s, during which
the window was frozen. Inserted 10 000 lines at a time, each slice takes ~50 ms and the event loop
runs between slices. The paste stays one undo step (the slices join one edit block), and the
editor is read-only until the last slice is in, so nothing is typed into the middle of it.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

#: Pasted text longer than this (characters) goes in slices of about this size, cut after a newline.
SLICE_CHARS = 60_000


class SlicedPasteEdit(QPlainTextEdit):
    paste_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rest = ""
        self._cursor: QTextCursor | None = None
        self._was_read_only = False

    @property
    def pasting(self) -> bool:
        return self._cursor is not None

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = source.text() if source.hasText() else ""
        if len(text) <= SLICE_CHARS or self.pasting:
            super().insertFromMimeData(source)
            return
        self._cursor = self.textCursor()
        self._was_read_only = self.isReadOnly()
        self.setReadOnly(True)
        self._rest = text
        self._insert_slice(first=True)

    def _insert_slice(self, first: bool = False) -> None:
        cursor = self._cursor
        if cursor is None:
            return
        cut = self._rest.find("\n", SLICE_CHARS)
        cut = len(self._rest) if cut < 0 else cut + 1
        piece, self._rest = self._rest[:cut], self._rest[cut:]
        if first:
            cursor.beginEditBlock()  # replaces the selection, like an ordinary paste
        else:
            cursor.joinPreviousEditBlock()  # one undo step for the whole paste
        cursor.insertText(piece)
        cursor.endEditBlock()
        if self._rest:
            QTimer.singleShot(0, self._insert_slice)
            return
        self._cursor = None
        self.setReadOnly(self._was_read_only)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self.paste_finished.emit()
