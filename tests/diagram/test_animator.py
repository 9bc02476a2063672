"""Play: the animator moves the playback phase by phase and says when phases and steps end."""

from __future__ import annotations

from lstm_explorer.diagram import FlowAnimator
from lstm_explorer.playback import Playback


def _playback(trace) -> Playback:
    playback = Playback()
    playback.set_trace(trace)
    playback.seek(0, 0, 0.0)
    return playback


def test_playing_reaches_the_end_of_a_step_and_says_so(qtbot, make_trace) -> None:
    trace = make_trace("lstm", steps=3)
    playback = _playback(trace)
    animator = FlowAnimator(playback, speed=60.0)
    phases: list[tuple[int, int]] = []
    animator.phase_finished.connect(lambda t, k: phases.append((t, k)))
    with qtbot.waitSignal(animator.step_finished, timeout=3000) as finished:
        animator.play()
    assert finished.args == [0]
    assert phases[:5] == [(0, k) for k in range(5)]
    animator.pause()
    assert not animator.is_playing


def test_playing_to_the_end_stops_and_plays_again_from_the_start(qtbot, make_trace) -> None:
    trace = make_trace("gru", steps=2)
    playback = _playback(trace)
    animator = FlowAnimator(playback, speed=100.0)
    steps: list[int] = []
    animator.step_finished.connect(steps.append)
    with qtbot.waitSignal(animator.finished, timeout=3000):
        animator.play()
    assert steps == [0, 1]
    assert not animator.is_playing
    assert playback.state.t == 1 and playback.state.step_complete
    animator.play()
    assert playback.state.t == 0 and playback.state.phase == 0
    animator.pause()


def test_advancing_by_phase_or_whole_step(qtbot, make_trace) -> None:
    trace = make_trace("lstm", steps=4)
    playback = _playback(trace)
    animator = FlowAnimator(playback)
    with qtbot.waitSignal(animator.phase_finished) as done:
        animator.next_phase()
    assert done.args == [0, 0]
    with qtbot.waitSignal(animator.step_finished) as step:
        animator.next_step()
    assert step.args == [0]
    assert playback.state.t == 1 and playback.state.step_complete
    animator.set_speed(4.0)
    animator.advance(0.6)  # 0.6 s at 4 phases/s: 2.4 phases into step 2
    assert (playback.state.t, playback.state.phase) == (2, 2)
    assert abs(playback.state.progress - 0.4) < 1e-9
