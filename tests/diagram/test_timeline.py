"""The order things happen in within a step: a pure function of (phase, progress)."""

from __future__ import annotations

from lstm_explorer.diagram.timeline import Status, levels, moment
from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.playback import PlaybackState


def _at(phase: int, progress: float) -> PlaybackState:
    return PlaybackState(t=0, phase=phase, progress=progress, phases=5, steps=3)


def test_cell_update_computes_the_products_before_their_sum() -> None:
    graph = cell_graph("lstm")
    lv = levels(graph)
    assert lv["fc"] == lv["ig"] == 0 and lv["c"] == 1
    early = moment(graph, _at(3, 0.1))
    assert early.status["fc"] == Status.RECEIVING and early.status["c"] == Status.PENDING
    assert 0.0 < early.travelling[("f", "fc")] < 1.0
    assert ("fc", "c") not in early.travelling
    late = moment(graph, _at(3, 0.7))
    assert late.status["fc"] == Status.DONE
    assert late.status["c"] in (Status.RECEIVING, Status.COMPUTING)


def test_a_node_lights_up_then_shows_its_output() -> None:
    graph = cell_graph("lstm")
    seen = [moment(graph, _at(1, p / 20)).status["f"] for p in range(21)]
    order = list(dict.fromkeys(seen))
    assert order == [Status.RECEIVING, Status.COMPUTING, Status.DONE]


def test_at_a_phase_end_earlier_phases_are_done_and_later_ones_pending() -> None:
    graph = cell_graph("lstm")
    for phase in range(5):
        now = moment(graph, _at(phase, 1.0))
        for node in graph.nodes:
            expected = Status.DONE if node.phase <= phase else Status.PENDING
            assert now.status[node.name] == expected, (phase, node.name)
        assert now.travelling == {}


def test_inputs_are_shown_from_the_first_moment_of_a_step() -> None:
    now = moment(cell_graph("gru"), PlaybackState(t=1, phase=0, progress=0.0, phases=4, steps=3))
    assert now.status["x"] == now.status["h_prev"] == Status.DONE
    assert now.status["xh"] == Status.PENDING
