"""Playback: the one position every view shows. No Qt — views subscribe to its signals.

A position is (t, phase, progress): time step ``t`` in [0, T), ``phase`` in [0, P) (the cell
graph's walk-through phases), and ``progress`` in [0, 1] within the phase. A step is complete at
(t, P − 1, 1.0); that is where :meth:`Playback.seek` lands by default. A position maps to one
number, ``clock = t + (phase + progress) / P``, so that animation, scrubbing and export can all be
driven by a single value (a frame is a pure function of the clock).

The :class:`Walk` says in which order play visits the steps: forward, 0 → T − 1 (the default), or
backward from a pinned step down to 0 (the diagram's backward mode, where the document pins the
gradient's target: the gradient is watched travelling back through time). Play, the step and
phase moves, Home and End follow the walk; ``seek`` and the clock stay absolute, so scrubbing and
every view read positions the same way in both. Within a step the phases always run 0 → P − 1:
the backward diagram maps its phase p to the cell's phase P − 1 − p.
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


@dataclass(frozen=True)
class Walk:
    """The order play visits the steps in. Forward: step k of the walk is t = k. Backward: from
    ``start`` (the pinned step) down to 0, step k of the walk is t = start − k (and the steps after
    ``start`` lie before the walk begins, at negative k)."""

    backward: bool = False
    start: int = 0

    def index(self, t: int, steps: int) -> int:
        """Where step ``t`` lies along the walk (0: where it begins)."""
        return self.top(steps) - t if self.backward else t

    def t_at(self, index: int, steps: int) -> int:
        """The step at position ``index`` along the walk."""
        return self.top(steps) - index if self.backward else index

    def top(self, steps: int) -> int:
        """Backward: the step the walk begins at (the pin, within the sequence)."""
        return min(max(self.start, 0), max(steps - 1, 0))

    def length(self, steps: int) -> int:
        """How many steps the walk visits."""
        return self.top(steps) + 1 if self.backward else steps

    def clock(self, state: PlaybackState) -> float:
        """The position along the walk: its step index plus the phases done, in steps."""
        return self.index(state.t, state.steps) + (state.phase + state.progress) / state.phases


FORWARD = Walk()


class Playback:
    """Holds the trace being shown and the position in it. Nothing else holds "where are we"."""

    def __init__(self) -> None:
        self.trace_changed = Signal()  # (trace)
        self.position_changed = Signal()  # (PlaybackState)
        self.selection_changed = Signal()  # (tuple of selected units)
        self._trace: Trace | None = None
        self._state = PlaybackState()
        self._walk = FORWARD
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

    @property
    def walk(self) -> Walk:
        return self._walk

    @property
    def walk_finished(self) -> bool:
        """Whether play would have nothing left to show from here: the walk's last step is
        complete, or (backward) the position lies after the pinned step, before the walk begins."""
        s, walk, steps = self._state, self._walk, self.steps
        index = walk.index(s.t, steps)
        return index < 0 or (index >= walk.length(steps) - 1 and s.step_complete)

    @property
    def play_starts_over(self) -> bool:
        """Whether Play begins the walk again from here rather than going on: where it is
        finished, and (backward) at the pinned step complete, where pinning leaves the position,
        so that play shows the gradient leaving the target too."""
        s, walk = self._state, self._walk
        pinned = walk.backward and walk.index(s.t, self.steps) == 0 and s.step_complete
        return self.walk_finished or pinned

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

    def set_walk(self, walk: Walk) -> None:
        """Play, step and jump along ``walk`` from now on (the position stays where it is)."""
        self._walk = walk

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
        """Move by whole time steps along the walk (backward: +1 is t − 1), landing on the
        completed step."""
        self.seek(self._state.t - delta if self._walk.backward else self._state.t + delta)

    def step_phase(self, delta: int) -> None:
        """Move by one walk-through phase along the walk, across step boundaries (each phase
        shown complete)."""
        s, walk, steps = self._state, self._walk, self.steps
        index = walk.index(s.t, steps) * s.phases + s.phase + delta
        if s.progress < 1.0 and delta > 0:
            index -= 1  # a phase under way: first show it complete
        ends = (walk.index(0, steps), walk.index(max(steps - 1, 0), steps))
        index = min(max(index, min(ends) * s.phases), max(max(ends) * s.phases + s.phases - 1, 0))
        step, phase = divmod(index, s.phases)
        self.seek(walk.t_at(step, steps), phase, 1.0)

    def to_start(self) -> None:
        """The walk's first step (backward: the pinned step), complete."""
        self.seek(self._walk.t_at(0, self.steps))

    def to_end(self) -> None:
        """The walk's last step (backward: step 0), complete."""
        self.seek(self._walk.t_at(self._walk.length(self.steps) - 1, self.steps))

    def restart_walk(self) -> None:
        """The very beginning of the walk's first step (where play starts over)."""
        self.seek(self._walk.t_at(0, self.steps), 0, 0.0)

    def advance(self, phases: float) -> bool:
        """Move along the walk by a (fractional) number of phases; False once its end was reached."""
        s, walk, steps = self._state, self._walk, self.steps
        if not walk.backward:
            clock = s.clock + phases / s.phases  # a completed step t sits at clock t + 1: step t + 1 begins
            if clock >= steps:
                self.seek(steps - 1)
                return False
            self.seek_clock(clock)
            return True
        length = walk.length(steps)
        along = max(walk.clock(s), 0.0) + phases / s.phases
        if along >= length:
            self.seek(walk.t_at(length - 1, steps))
            return False
        forward = state_at_clock(along, length, s.phases, s.selected)  # the walk's k-th step as step k
        self._move(replace(forward, t=walk.t_at(forward.t, steps), steps=steps))
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
