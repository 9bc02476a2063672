import numpy as np

from lstm_explorer.models import random_model
from lstm_explorer.playback import Playback, state_at_clock


def make_playback(steps: int = 4) -> Playback:
    model = random_model("lstm", input_size=2, hidden_size=3)
    playback = Playback()
    playback.set_trace(model.network.trace(np.ones((steps, 2))))
    return playback


def test_new_trace_shows_first_step_complete():
    playback = make_playback()
    assert (playback.t, playback.state.phase, playback.state.progress) == (0, 4, 1.0)
    assert playback.state.step_complete


def test_advance_walks_phases_then_the_next_step_and_stops_at_the_end():
    playback = make_playback(steps=2)
    seen = []
    playback.position_changed.connect(seen.append)
    assert playback.advance(0.5)
    assert (playback.t, playback.state.phase) == (1, 0) and abs(playback.state.progress - 0.5) < 1e-12
    while playback.advance(1.0):
        pass
    assert playback.t == 1 and playback.state.step_complete
    assert len(seen) >= 5


def test_step_phase_moves_one_phase_across_steps():
    playback = make_playback()
    playback.seek(1, 0)
    playback.step_phase(-1)
    assert (playback.t, playback.state.phase) == (0, 4)
    playback.step_phase(+2)
    assert (playback.t, playback.state.phase) == (1, 1)


def test_seek_clamps_and_selection_is_validated():
    playback = make_playback()
    playback.seek(99)
    assert playback.t == 3
    chosen = []
    playback.selection_changed.connect(chosen.append)
    playback.select([2, 7, 2, 0])
    assert playback.selected == (2, 0) and chosen == [(2, 0)]


def test_clock_round_trips():
    for clock in (0.0, 0.3, 1.0, 2.71, 3.999):
        state = state_at_clock(clock, steps=4, phases=5)
        assert abs(state.clock - clock) < 1e-12


def backward_playback(steps: int = 6, pinned: int = 4) -> Playback:
    from lstm_explorer.playback import Walk

    playback = make_playback(steps)
    playback.set_walk(Walk(True, pinned))
    return playback


def test_backward_play_walks_from_the_pinned_step_down_to_step_0_every_phase_in_order():
    playback = backward_playback()
    assert playback.t == 0 and playback.walk_finished  # step 0 complete: the backward walk's end
    playback.seek(2)
    assert not playback.walk_finished
    playback.seek(5)  # after the pinned step: no gradient reaches it, so play begins at the pin
    assert playback.walk_finished
    playback.restart_walk()
    assert (playback.t, playback.state.phase, playback.state.progress) == (4, 0, 0.0)
    seen: list[tuple[int, int]] = []
    playback.position_changed.connect(lambda s: seen.append((s.t, s.phase)))
    while playback.advance(0.5):
        pass
    assert playback.t == 0 and playback.state.step_complete and playback.walk_finished
    steps = [t for t, _ in seen]
    assert steps == sorted(steps, reverse=True) and set(steps) == {4, 3, 2, 1, 0}
    for t in range(5):  # within each step, phases 0 → P − 1 (the diagram walks the cell's in reverse)
        phases = [p for s, p in seen if s == t]
        assert phases == sorted(phases) and set(phases) == set(range(5))


def test_backward_steps_and_jumps_follow_the_walk():
    playback = backward_playback()
    playback.seek(3)
    playback.step(1)  # next along the walk: one step further back in time
    assert playback.t == 2
    playback.step(-2)
    assert playback.t == 4
    playback.seek(2, 4)
    playback.step_phase(1)  # the last phase of step 2 → the first of step 1
    assert (playback.t, playback.state.phase) == (1, 0)
    playback.step_phase(-2)
    assert (playback.t, playback.state.phase) == (2, 3)
    playback.to_end()
    assert playback.t == 0
    playback.step_phase(1)  # the walk's very end: stays
    assert (playback.t, playback.state.phase) == (0, 4)
    playback.to_start()
    assert playback.t == 4 and playback.state.step_complete
    playback.step(-5)  # back past the pin is allowed (the sequence goes on), clamped to it
    assert playback.t == 5


def test_a_pin_beyond_a_shorter_sequence_walks_from_its_last_step():
    playback = backward_playback(steps=3, pinned=9)
    playback.restart_walk()
    assert playback.t == 2
