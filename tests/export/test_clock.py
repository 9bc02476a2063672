"""The frame clock: frame index → playback position, deterministic and exact."""

from __future__ import annotations

import itertools

import pytest

from lstm_explorer.export import FrameClock
from lstm_explorer.playback import state_at_clock


@pytest.mark.parametrize(("frames_per_step", "phases"), [(1, 5), (4, 5), (5, 5), (7, 3), (30, 5)])
def test_each_step_ends_complete_and_the_clock_only_moves_forward(frames_per_step, phases):
    clock = FrameClock(2, 6, frames_per_step, phases, steps=10)
    assert clock.total == 4 * frames_per_step
    states = list(clock)
    assert len(states) == clock.total
    clocks = [s.clock for s in states]
    assert all(a < b for a, b in itertools.pairwise(clocks))
    for t in range(2, 6):
        last = states[(t - 2) * frames_per_step + frames_per_step - 1]
        assert (last.t, last.step_complete, last.steps) == (t, True, 10)
    # Inside a step a frame is the position Playback.seek_clock gives for its clock value (which
    # computes in floating point; the frame clock in integers, so a boundary may round either way).
    for s in states:
        if not s.step_complete:
            r = state_at_clock(s.clock, 10, phases)
            assert r.t == s.t and abs((r.phase + r.progress) - (s.phase + s.progress)) < 1e-9


def test_phases_off_holds_the_completed_step():
    clock = FrameClock(0, 3, 4, 5, animate_phases=False, selected=(2,), steps=3)
    assert [(s.t, s.phase, s.progress, s.selected) for s in clock][:5] == [(0, 4, 1.0, (2,))] * 4 + [(1, 4, 1.0, (2,))]


def test_bad_clocks_are_refused():
    with pytest.raises(ValueError, match="empty step range"):
        FrameClock(3, 3, 1, 5)
    with pytest.raises(ValueError, match="at least 1"):
        FrameClock(0, 3, 0, 5)
    with pytest.raises(IndexError):
        FrameClock(0, 3, 2, 5).state(6)
