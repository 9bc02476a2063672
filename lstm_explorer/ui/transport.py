"""Transport: play/pause, step by time step or phase, jump, scrub, speed and loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..playback import Playback, PlaybackState
from ..views.common import pin_size
from ..views.strips import TokenStrip

#: Speeds offered, in time steps per second.
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0)
DEFAULT_SPEED = 1.0


def key_move(player: Player, playback: Playback, event: QKeyEvent) -> Callable[[], object] | None:
    """What a transport key does (Space, ←/→ a step, Shift+←/→ a phase, Home, End), or None."""
    shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    moves = {
        Qt.Key.Key_Space: player.toggle,
        Qt.Key.Key_Right: (lambda: playback.step_phase(1)) if shift else (lambda: playback.step(1)),
        Qt.Key.Key_Left: (lambda: playback.step_phase(-1)) if shift else (lambda: playback.step(-1)),
        Qt.Key.Key_Home: playback.to_start,
        Qt.Key.Key_End: playback.to_end,
    }
    return moves.get(Qt.Key(event.key()))


#: The buttons' tips, start to end, forward and in the diagram's backward mode (the same keys).
FORWARD_TIPS = (
    "Jump to the start (Home)",
    "One time step back (←)",
    "One phase back (Shift+←)",
    "Play / pause (Space)",
    "One phase forward (Shift+→)",
    "One time step forward (→)",
    "Jump to the end (End)",
)
BACKWARD_TIPS = (
    "Jump to the pinned step, where the gradient starts (Home)",
    "One time step back toward the pinned step: t + 1 (←)",
    "One phase back toward the pinned step (Shift+←)",
    "Play / pause: the gradient travels back from the pinned step to step 0 (Space)",
    "One phase further back in time (Shift+→)",
    "One time step further back in time: t − 1 (→)",
    "Jump to step 0, where the gradient arrives last (End)",
)


class Player(QObject):
    """Plays in real time at ``speed`` time steps per second, every phase shown, optionally looping.

    The clock is the diagram's :class:`FlowAnimator` (which speaks phases per second); this adds
    the user's units and the loop.
    """

    playing_changed = Signal(bool)

    def __init__(self, playback: Playback, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from ..diagram import FlowAnimator

        self.playback = playback
        self.animator = FlowAnimator(playback, parent=self)
        self.animator.playing_changed.connect(self.playing_changed.emit)
        self.animator.finished.connect(self._on_finished)
        self.loop = False
        self._speed = DEFAULT_SPEED
        playback.trace_changed.connect(lambda _trace: self._apply_speed())
        self._apply_speed()

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, steps_per_second: float) -> None:
        self._speed = float(steps_per_second)
        self._apply_speed()

    def _apply_speed(self) -> None:
        self.animator.set_speed(self._speed * self.playback.phases)

    @property
    def playing(self) -> bool:
        return self.animator.is_playing

    def play(self) -> None:
        """Play from here along the playback's walk; at its very end (where typing leaves the
        position), or backward past the pinned step, start over."""
        if self.playback.steps > 1 and self.playback.play_starts_over:
            self.playback.restart_walk()
        self._apply_speed()
        self.animator.play()

    def pause(self) -> None:
        self.animator.pause()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _on_finished(self) -> None:
        if self.loop and self.playback.steps > 1:
            self.playback.restart_walk()
            self.animator.play()


class TransportBar(QWidget):
    """The token timeline above a row of controls."""

    def __init__(self, document: ExplorerDocument, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.player = player
        self.strip = TokenStrip(document)
        self._icon_colour = "#333333"

        def button(icon: str, tip: str) -> QToolButton:
            b = QToolButton()
            b.setProperty("glyph", icon)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setIconSize(QSize(20, 20))
            return b

        self.start_button = button("start", "")
        self.back_button = button("back", "")
        self.phase_back_button = button("phase_back", "")
        self.play_button = button("play", "")
        self.phase_forward_button = button("phase_forward", "")
        self.forward_button = button("forward", "")
        self.end_button = button("end", "")
        self._buttons = [
            self.start_button,
            self.back_button,
            self.phase_back_button,
            self.play_button,
            self.phase_forward_button,
            self.forward_button,
            self.end_button,
        ]
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip("Scrub through time")
        self.slider.setObjectName("timeSlider")
        self.slider.setAutoFillBackground(True)  # opaque: moving it repaints the slider, not the dock
        self.position_label = QLabel()
        self.position_label.setObjectName("positionLabel")
        pin_size(self.position_label, "t = 100000 / 100000  ·  phase 5/5: Input gate and candidate")
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip("Playback speed in time steps per second")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g} steps/s", s)
        self.loop = QCheckBox("Loop")
        self.loop.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        controls = QHBoxLayout()
        controls.setSpacing(2)
        for b in self._buttons:
            controls.addWidget(b)
        controls.addSpacing(6)
        controls.addWidget(self.slider, 1)
        controls.addSpacing(6)
        controls.addWidget(self.position_label)
        controls.addWidget(self.speed)
        controls.addWidget(self.loop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self.strip)
        layout.addLayout(controls)

        self.start_button.clicked.connect(playback.to_start)
        self.end_button.clicked.connect(playback.to_end)
        self.back_button.clicked.connect(lambda: playback.step(-1))
        self.forward_button.clicked.connect(lambda: playback.step(1))
        self.phase_back_button.clicked.connect(lambda: playback.step_phase(-1))
        self.phase_forward_button.clicked.connect(lambda: playback.step_phase(1))
        self.play_button.clicked.connect(player.toggle)
        self.slider.valueChanged.connect(self._on_slider)
        self.speed.currentIndexChanged.connect(self._on_speed)
        self.loop.toggled.connect(self._on_loop)
        player.playing_changed.connect(self._on_playing)
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        document.events.backward.connect(self._on_backward)
        self._on_backward(document.backward)
        self.set_speed(DEFAULT_SPEED)
        self.set_icon_colour(self._icon_colour)

    def set_icon_colour(self, colour: str) -> None:
        """Draw the transport icons in the theme's text colour."""
        self._icon_colour = colour
        for b in self._buttons:
            glyph = str(b.property("glyph"))
            if b is self.play_button and self.player.playing:
                glyph = "pause"
            b.setIcon(transport_icon(glyph, colour))

    def set_speed(self, speed: float) -> None:
        index = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - speed))
        self.speed.setCurrentIndex(index)
        self.player.speed = SPEEDS[index]

    def _on_backward(self, on: bool) -> None:
        """Backward, the controls walk from the pinned step back to step 0: say so on each."""
        tips = BACKWARD_TIPS if on else FORWARD_TIPS
        for b, tip in zip(self._buttons, tips, strict=True):
            b.setToolTip(tip)
        self._on_position_changed(self.playback.state)

    def _on_speed(self, index: int) -> None:
        self.player.speed = SPEEDS[index]

    def _on_loop(self, on: bool) -> None:
        self.player.loop = on

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setIcon(transport_icon("pause" if playing else "play", self._icon_colour))

    def _on_slider(self, value: int) -> None:
        if value != self.playback.t:
            self.playback.seek(value)

    def _on_trace_changed(self, trace: Trace | None) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(self.playback.steps - 1, 0))
        self.slider.setPageStep(max(self.playback.steps // 20, 1))
        self.slider.blockSignals(False)

    def _on_position_changed(self, state: PlaybackState) -> None:
        if self.slider.value() != state.t:
            self.slider.blockSignals(True)
            self.slider.setValue(state.t)
            self.slider.blockSignals(False)
        trace = self.playback.trace
        phase = trace.graph.phases[state.phase].title if trace is not None else ""
        if trace is not None and self.document.backward:  # the diagram walks the phases in reverse
            phase = "← " + trace.graph.phases[state.phases - 1 - state.phase].title
        self.position_label.setText(
            f"t = {state.t} / {max(state.steps - 1, 0)}   ·   phase {state.phase + 1}/{state.phases}: {phase}"
        )


def transport_icon(glyph: str, colour: str, size: int = 40) -> QIcon:
    """A transport icon drawn in ``colour`` (so it reads on light and dark themes alike)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    s = size / 20.0

    def triangle(x: float, w: float, right: bool, h: float = 12) -> None:
        top, bottom, mid = 10 - h / 2, 10 + h / 2, 10
        if right:
            points = [QPointF(x * s, top * s), QPointF((x + w) * s, mid * s), QPointF(x * s, bottom * s)]
        else:
            points = [QPointF((x + w) * s, top * s), QPointF(x * s, mid * s), QPointF((x + w) * s, bottom * s)]
        p.drawPolygon(QPolygonF(points))

    def bar(x: float, w: float = 2.2, h: float = 12) -> None:
        p.drawRect(QRectF(x * s, (10 - h / 2) * s, w * s, h * s))

    if glyph == "play":
        triangle(5.5, 10, True, 13)
    elif glyph == "pause":
        bar(5.5, 3, 12)
        bar(11.5, 3, 12)
    elif glyph == "start":
        bar(3.5)
        triangle(6, 5.5, False)
        triangle(11, 5.5, False)
    elif glyph == "end":
        triangle(3.5, 5.5, True)
        triangle(8.5, 5.5, True)
        bar(14.3)
    elif glyph == "back":
        triangle(3.5, 6, False)
        triangle(9.5, 6, False)
    elif glyph == "forward":
        triangle(4.5, 6, True)
        triangle(10.5, 6, True)
    elif glyph == "phase_back":
        triangle(6.5, 6, False, 9)
        bar(13, 1.6, 9)
    elif glyph == "phase_forward":
        bar(5.4, 1.6, 9)
        triangle(7.5, 6, True, 9)
    p.end()
    return QIcon(pixmap)
