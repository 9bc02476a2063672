"""Playback: the one position every view shows. No Qt — views subscribe to its signals.

A position is (t, phase, progress): time step ``t`` in [0, T), ``phase`` in [0, P) (the cell
graph's walk-through phases), and ``progress`` in [0, 1] within the phase. A step is complete at
(t, P − 1, 1.0); that is where :meth:`Playback.seek` lands by default. A position maps to one
number, ``clock = t + (phase + progress) / P``, so that animation, scrubbing and export can all be
driven by a single value (a frame is a pure function of the clock).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .engine.trace import Trace
from .events import Signal


@dataclass(frozen=True)
class PlaybackState:
    """A pure value: everything a view needs besides the trace to draw one frame."""

    t: int = 0
    phase: int = 0
    progress: float = 1.0
    selected: tuple[int, ...] = ()
    phases: int = 1
    steps: int = 0

    @property
    def clock(self) -> float:
        return self.t + (self.phase + self.progress) / self.phases

    @property
    def step_complete(self) -> bool:
        return self.phase == self.phases - 1 and self.progress >= 1.0


def state_at_clock(clock: float, steps: int, phases: int, selected: tuple[int, ...] = ()) -> PlaybackState:
    """The position at a clock value (clamped to the sequence), for timers and frame clocks."""
    if steps <= 0:
        return PlaybackState(0, phases - 1, 1.0, selected, phases, 0)
    clock = min(max(clock, 0.0), float(steps))
    t = min(int(clock), steps - 1)
    within = (clock - t) * phases  # in [0, phases]
    phase = min(int(within), phases - 1)
    progress = min(within - phase, 1.0)
    return PlaybackState(t, phase, progress, selected, phases, steps)


class Playback:
    """Holds the trace being shown and the position in it. Nothing else holds "where are we"."""

    def __init__(self) -> None:
        self.trace_changed = Signal()  # (trace)
        self.position_changed = Signal()  # (PlaybackState)
        self.selection_changed = Signal()  # (tuple of selected units)
        self._trace: Trace | None = None
        self._state = PlaybackState()
        #: The first step of the current trace that differs from the previous one (0: all new).
        #: Set by :meth:`set_trace` before it emits, so views can redraw only what changed.
        self.changed_from = 0

    # -- reading -----------------------------------------------------------------------------
    @property
    def trace(self) -> Trace | None:
        return self._trace

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def t(self) -> int:
        return self._state.t

    @property
    def steps(self) -> int:
        return self._trace.steps if self._trace is not None else 0

    @property
    def phases(self) -> int:
        return len(self._trace.graph.phases) if self._trace is not None else 1

    @property
    def selected(self) -> tuple[int, ...]:
        return self._state.selected

    # -- changing ----------------------------------------------------------------------------
    def set_trace(self, trace: Trace | None, *, t: int | None = None, changed_from: int = 0) -> None:
        """Show a new trace; keep the step (clamped) unless ``t`` is given, keep valid selections.

        ``changed_from``: steps before it equal the previous trace's (an incremental recompute).
        Emits ``trace_changed`` and then always ``position_changed`` (even when the position is the
        same), so a view may take the trace on the first and draw once, on the second.
        """
        self._trace = trace
        self.changed_from = max(int(changed_from), 0)
        steps = self.steps
        hidden = trace.hidden_size if trace is not None else 0
        selected = tuple(u for u in self._state.selected if u < hidden)
        target = self._state.t if t is None else t
        target = min(max(target, 0), max(steps - 1, 0))
        self._state = PlaybackState(target, self.phases - 1, 1.0, selected, self.phases, steps)
        self.trace_changed.emit(trace)
        self.position_changed.emit(self._state)

    def _move(self, state: PlaybackState) -> None:
        if state != self._state:
            self._state = state
            self.position_changed.emit(state)

    def seek(self, t: int, phase: int | None = None, progress: float = 1.0) -> None:
        """Jump to step ``t`` (clamped); by default to the end of its last phase (step complete)."""
        steps, phases = self.steps, self.phases
        t = min(max(int(t), 0), max(steps - 1, 0))
        phase = phases - 1 if phase is None else min(max(int(phase), 0), phases - 1)
        progress = min(max(float(progress), 0.0), 1.0)
        self._move(replace(self._state, t=t, phase=phase, progress=progress, phases=phases, steps=steps))

    def seek_clock(self, clock: float) -> None:
        self._move(state_at_clock(clock, self.steps, self.phases, self._state.selected))

    def step(self, delta: int) -> None:
        """Move by whole time steps, landing on the completed step."""
        self.seek(self._state.t + delta)

    def step_phase(self, delta: int) -> None:
        """Move by one walk-through phase, across step boundaries (each phase shown complete)."""
        s = self._state
        index = s.t * s.phases + s.phase + delta
        if s.progress < 1.0 and delta > 0:
            index -= 1  # a phase under way: first show it complete
        index = min(max(index, 0), max(self.steps * s.phases - 1, 0))
        self.seek(index // s.phases, index % s.phases, 1.0)

    def to_start(self) -> None:
        self.seek(0)

    def to_end(self) -> None:
        self.seek(self.steps - 1)

    def advance(self, phases: float) -> bool:
        """Move forward by a (fractional) number of phases; False once the end was reached."""
        s = self._state
        clock = s.clock + phases / s.phases  # a completed step t sits at clock t + 1: step t + 1 begins
        if clock >= self.steps:
            self.seek(self.steps - 1)
            return False
        self.seek_clock(clock)
        return True

    def select(self, units: tuple[int, ...] | list[int] | int) -> None:
        """Select unit(s) everywhere; an empty tuple clears the selection."""
        if isinstance(units, int):
            units = (units,)
        hidden = self._trace.hidden_size if self._trace is not None else 0
        chosen = tuple(dict.fromkeys(int(u) for u in units if 0 <= int(u) < hidden))
        if chosen != self._state.selected:
            self._state = replace(self._state, selected=chosen)
            self.selection_changed.emit(chosen)
            self.position_changed.emit(self._state)
