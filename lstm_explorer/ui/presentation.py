"""Presentation mode (F11): the cell diagram fills the screen under a caption line in large type —
model, ``t = N``, the input token and the phase — for a lecture hall or a screen recording.

The docks, toolbar, menu bar and status bar are hidden and come back as they were when Esc or F11
leaves; the playback keys (Space, arrows, Home, End) and zoom keys keep working throughout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget

from ..document import ExplorerDocument
from ..playback import PlaybackState
from ..views.common import token_text

if TYPE_CHECKING:
    from .main_window import MainWindow

#: The caption's text height as a share of the screen's height (3%: legible at the back of a room).
CAPTION_SHARE = 0.03


def caption_text(document: ExplorerDocument, state: PlaybackState) -> str:
    """``brackets · t = 3 · input '(' · phase 2 of 5: Forget gate``; in the diagram's backward
    mode the phase walked (the cell's in reverse) and the gradient's target:
    ``adding · t = 88 · x = 0.4, 0 · phase 1 of 5: ← Output · ∂ loss@99 flowing back``."""
    trace, model = document.trace, document.model
    if trace is None or model is None or not trace.steps:
        return model.name if model is not None else ""
    t = min(max(state.t, 0), trace.steps - 1)
    tokens = document.shown_tokens
    phase = min(max(state.phase, 0), len(trace.graph.phases) - 1)
    parts = [model.name, f"t = {t}"]
    if t < len(tokens):
        parts.append(f"input {token_text(tokens[t])}")
    count = len(trace.graph.phases)
    if not document.backward:
        parts.append(f"phase {phase + 1} of {count}: {trace.graph.phases[phase].title}")
        return "  ·  ".join(parts)
    parts.append(f"phase {phase + 1} of {count}: ← {trace.graph.phases[count - 1 - phase].title}")
    field = document.node_gradients
    if field is not None:
        parts.append(f"∂ {field.target} flowing back")
    return "  ·  ".join(parts)


class PresentationCaption(QLabel):
    """The caption line over the diagram; it follows the document's playback position."""

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("presentationCaption")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMargin(8)
        document.playback.position_changed.connect(self._on_position)
        document.events.backward.connect(lambda _on: self._on_position(document.playback.state))
        document.events.node_gradients.connect(lambda _field: self._on_position(document.playback.state))
        self.hide()

    def set_text_height(self, pixels: int) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(pixels, 12))
        self.setFont(font)

    def _on_position(self, state: PlaybackState) -> None:
        if self.isVisible():
            self.setText(caption_text(self.document, state))

    def refresh(self) -> None:
        self.setText(caption_text(self.document, self.document.playback.state))


class Presentation(QObject):
    """Enters and leaves presentation mode for ``window`` (View → Presentation mode, F11)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.caption = PresentationCaption(window.document)
        self.active = False
        self._layout = QByteArray()
        self._window_state = Qt.WindowState.WindowNoState
        self._hidden: list[QWidget] = []
        # Esc leaves; only while presenting (the input editor, hidden then, has its own Esc).
        self.leave_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self.leave_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_shortcut.activated.connect(self.leave)
        self.leave_shortcut.setEnabled(False)

    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        if self.active:
            return
        window = self.window
        self.active = True
        self._layout = window.saveState()
        self._window_state = window.windowState()
        window.key_handoff.hand_back()  # playback has the keys
        bars: list[QWidget] = [window.menuBar(), window.statusBar(), window.model_bar, window.banner]
        self._hidden = [w for w in [*window.docks, *bars] if w.isVisible()]
        for widget in self._hidden:
            widget.hide()
        screen = window.screen()
        height = screen.geometry().height() if screen is not None else window.height()
        self.caption.set_text_height(round(height * CAPTION_SHARE))
        self.caption.refresh()
        self.caption.show()
        self.leave_shortcut.setEnabled(True)
        window.showFullScreen()
        window.diagram.fit()
        window.setFocus(Qt.FocusReason.OtherFocusReason)

    def leave(self) -> None:
        if not self.active:
            return
        window = self.window
        self.active = False
        self.leave_shortcut.setEnabled(False)
        self.caption.hide()
        for widget in self._hidden:
            widget.show()
        window.restoreState(self._layout)
        window.setWindowState(self._window_state)
        window.diagram.fit()
