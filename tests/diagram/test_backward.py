"""The diagram's backward mode: the phases walked in reverse, each strip coloured by the
magnitude of the recorded gradient on a log scale, nothing after the target's step."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.colormaps import log_sequential
from lstm_explorer.diagram.backward import GradientField
from lstm_explorer.diagram.scene import DiagramScene
from lstm_explorer.diagram.timeline import Status, backward_moment, consumers, levels
from lstm_explorer.engine.cells import CELL_KINDS, cell_graph
from lstm_explorer.engine.gradients import gradients
from lstm_explorer.engine.targets import NodeTarget
from lstm_explorer.models.model import random_model
from lstm_explorer.playback import PlaybackState

from .conftest import state


def field_for(kind: str = "lstm", steps: int = 6, anchor: int = 4, hidden: int = 6):
    model = random_model(kind, input_size=4, hidden_size=hidden, seed=1)
    X = np.random.default_rng(2).normal(size=(steps, 4))
    trace = model.network.trace(X)
    grads = gradients(model.network, X, NodeTarget(trace.graph.hidden_output, 1, anchor), nodes=True)
    return trace, GradientField.of(f"h[1]@{anchor}", anchor, grads.nodes)


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_a_node_shows_its_gradient_only_after_everything_it_feeds(kind):
    """Walking backward, a node's gradient is complete when it is shown: every node that reads it
    was walked before (so its strip never shows a partial sum)."""
    graph = cell_graph(kind)
    readers, node_levels = consumers(graph), levels(graph)
    P = len(graph.phases)
    for phase in range(P):
        for progress in np.linspace(0.0, 1.0, 41):
            now = backward_moment(graph, PlaybackState(0, phase, float(progress), (), P, 1), node_levels)
            for name, status in now.status.items():
                if status in (Status.COMPUTING, Status.DONE):
                    assert all(now.status[r] == Status.DONE for r in readers[name]), (kind, name, phase, progress)


def test_the_backward_walk_starts_at_h_and_ends_at_the_inputs():
    graph = cell_graph("lstm")
    P = len(graph.phases)
    first = backward_moment(graph, PlaybackState(0, 0, 0.05, (), P, 1))
    assert first.phase == P - 1  # the playback's first phase walks the cell's last
    assert first.status["h"] == Status.DONE  # read by nothing inside the cell: its gradient arrives whole
    assert first.status["o"] == Status.PENDING and first.status["xh"] == Status.PENDING
    middle = backward_moment(graph, PlaybackState(0, 0, 0.6, (), P, 1))
    assert middle.status["o"] == Status.RECEIVING and ("o", "h") in middle.travelling
    last = backward_moment(graph, PlaybackState(0, P - 1, 1.0, (), P, 1))
    assert all(status == Status.DONE for status in last.status.values())


def test_strips_show_the_gradient_magnitude_on_the_log_scale(qapp):
    trace, field = field_for()
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.set_gradient_field(field)
    scene.set_backward(True)
    scene.show_state(state(trace, 2))
    for name in ("c", "f", "h", "xh", "h_prev", "c_prev"):
        expected = log_sequential(np.abs(field.nodes[name][2]), field.top)
        np.testing.assert_array_equal(scene.strip_colours(name), expected, err_msg=name)
    assert field.top == max(np.abs(a[:5]).max() for a in field.nodes.values())
    assert scene.legend is scene.gradient_legend and scene.legend.texts()[0] == "|∂ h[1]@4 / ∂ node| (log scale)"
    assert not scene.value_legend.isVisible()


def test_after_the_target_nothing_flows_and_forward_mode_comes_back(qapp):
    trace, field = field_for()
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.set_gradient_field(field)
    scene.set_backward(True)
    scene.show_state(state(trace, 5))  # after the target's step 4
    assert all(scene.strip_colours(name) is None for name in scene.strips)
    scene.set_backward(False)
    values = scene.strip_colours("c")
    assert values is not None
    np.testing.assert_array_equal(values, scene.scales["c"].colours(trace["c"][5]))
    assert scene.legend is scene.value_legend


def test_gradients_travel_back_along_the_exits_and_the_wires(qapp):
    trace, field = field_for()
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.set_gradient_field(field)
    scene.set_backward(True)
    P = len(trace.graph.phases)
    # Walking the Output phase backward: o's gradient comes back from h along the wire o → h.
    scene.show_state(PlaybackState(3, 0, 0.55, (), P, trace.steps))
    packet = scene.packets[("o", "h")]
    assert packet.isVisible()
    np.testing.assert_array_equal(
        scene.strip_colours("h"), log_sequential(np.abs(field.nodes["h"][3]), field.top)
    )  # h is walked already
    start = packet.pos()
    scene.show_state(PlaybackState(3, 0, 0.62, (), P, trace.steps))
    end = packet.pos()
    o_x = scene.layout.nodes["o"].center[0]
    assert abs(end.x() - o_x) < abs(start.x() - o_x)  # moving towards o, against the arrow
    # The cell state's gradient comes in along its exit (from the step after).
    scene.show_state(PlaybackState(3, 1, 0.1, (), P, trace.steps))
    exits = [key for key in scene.packets if key[0] == "c" and key[1].startswith("exit:")]
    assert exits and all(scene.packets[key].isVisible() for key in exits)


def test_the_tooltip_gives_the_gradient(qapp):
    trace, field = field_for()
    scene = DiagramScene(trace.graph)
    scene.set_trace(trace)
    scene.set_gradient_field(field)
    scene.set_backward(True)
    scene.show_state(state(trace, 3))
    text = scene.describe(scene.strips["f"])
    assert "∂ h[1]@4 / ∂ f" in text and f"{field.nodes['f'][3][0]:+.3e}" in text
    scene.set_gradient_field(None, "computing")
    assert scene.describe(scene.strips["f"]).endswith("gradients: computing…")
    assert all(scene.strip_colours(name) is None for name in scene.strips)


def test_a_field_must_cover_the_diagram(qapp):
    trace, field = field_for()
    scene = DiagramScene(trace.graph)
    with pytest.raises(ValueError, match="lacks the nodes"):
        scene.set_gradient_field(GradientField.of("h[1]@4", 4, {"h": field.nodes["h"]}))
