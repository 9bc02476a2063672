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
