"""Play: a timer that moves the playback along its walk at a speed given in phases per second —
forward through time, or in the diagram's backward mode from the pinned step back to step 0."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from ..playback import FORWARD, Playback, PlaybackState, Walk

FRAME_MS = 16
MAX_TICK_SECONDS = 0.1  # after a stall, resume smoothly instead of jumping ahead


def completed_phases(state: PlaybackState, walk: Walk = FORWARD) -> int:
    """How many phases of the walk are complete at this position."""
    return walk.index(state.t, state.steps) * state.phases + state.phase + (1 if state.progress >= 1.0 else 0)


class FlowAnimator(QObject):
    """Drives ``playback.advance``; says when each phase and each step has finished."""

    phase_finished = Signal(int, int)  # (t, phase)
    step_finished = Signal(int)  # t
    finished = Signal()  # reached the end of the sequence
    playing_changed = Signal(bool)

    def __init__(self, playback: Playback, speed: float = 2.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.playback = playback
        self.speed = speed
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_timeout)
        self._clock = QElapsedTimer()

    @property
    def is_playing(self) -> bool:
        return self._timer.isActive()

    def set_speed(self, phases_per_second: float) -> None:
        if phases_per_second <= 0:
            raise ValueError("speed must be positive")
        self.speed = phases_per_second

    def play(self) -> None:
        if self.is_playing or not self.playback.steps:
            return
        if self.playback.play_starts_over:
            self.playback.restart_walk()  # at the end: play again from the start
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.is_playing:
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing else self.play()

    def next_phase(self) -> None:
        self._move(lambda: self.playback.step_phase(1))

    def next_step(self) -> None:
        self._move(lambda: self.playback.step(1))

    def advance(self, seconds: float) -> bool:
        """Move by ``seconds`` of playing time; False once the end of the sequence is reached."""
        going = True

        def forward() -> None:
            nonlocal going
            going = self.playback.advance(seconds * self.speed)

        self._move(forward)
        return going

    def _move(self, change: Callable[[], None]) -> None:
        walk = self.playback.walk
        before = completed_phases(self.playback.state, walk)
        change()
        after = completed_phases(self.playback.state, walk)
        phases, steps = self.playback.phases, self.playback.steps
        for index in range(before, after):
            step, phase = divmod(index, phases)
            t = walk.t_at(step, steps)
            self.phase_finished.emit(t, phase)
            if phase == phases - 1:
                self.step_finished.emit(t)

    def _on_timeout(self) -> None:
        seconds = min(self._clock.restart() / 1000.0, MAX_TICK_SECONDS)
        try:
            going = self.advance(seconds)
        except BaseException:
            self.pause()  # an error in a view would come back on every tick: stop, report it once
            raise
        if not going:
            self.pause()
            self.finished.emit()
