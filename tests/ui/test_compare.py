"""View → Compare with…: a second model on the same input and position, both gradient curves on
one plot; closing the window ends the comparison."""

import numpy as np

from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.ui.compare import compare_with


def test_a_second_model_follows_the_first_and_joins_the_gradient_plot(window, qtbot):
    assert window.open_model("adding")
    window.gradients_dock.show()
    window.gradients_dock.raise_()
    document = window.document
    compare_with(window, "adding-rnn")  # opened on a worker thread, like File → Open
    qtbot.waitUntil(lambda: getattr(window, "compare_window", None) is not None, timeout=10000)
    compare = window.compare_window
    companion = compare.companion
    np.testing.assert_array_equal(companion.X, document.X)
    document.playback.seek(70, 1, 0.5)  # mid-step: the RNN (fewer phases) is at the same fraction
    assert companion.playback.t == 70
    state, other = document.playback.state, companion.playback.state
    assert abs((state.phase + state.progress) / state.phases - (other.phase + other.progress) / other.phases) < 1e-9
    panel = window.gradients
    panel.compute_now()
    expected = model_gradients(companion.model, companion.X, "out[0]@70", traces=companion.traces).norms()["h"]
    shown = np.nan_to_num(np.asarray(panel.curves["companion_h"].yData), nan=0.0)
    np.testing.assert_allclose(shown, expected[70::-1], rtol=1e-12)
    compare.close()
    assert panel.companion is None and "companion_h" not in panel.curves
    document.playback.seek(20)  # the closed comparison no longer follows
    assert companion.playback.t == 70


def test_a_model_that_cannot_read_the_input_changes_nothing(window, qtbot):
    assert window.open_model("adding")
    compare_with(window, "brackets")
    qtbot.waitUntil(lambda: "brackets reads text and adding reads numbers" in window.statusBar().currentMessage())
    assert getattr(window, "compare_window", None) is None
    assert window.gradients.companion is None


def test_a_file_that_cannot_be_opened_is_named_on_the_banner(window, qtbot, tmp_path):
    assert window.open_model("adding")
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    compare_with(window, str(tmp_path / "broken.npz"))
    qtbot.waitUntil(lambda: "broken.npz" in window.banner.label.text(), timeout=10000)
    assert getattr(window, "compare_window", None) is None and window.document.model.name == "adding"


def test_a_long_input_is_computed_off_the_gui_thread_and_then_followed(window, qtbot):
    assert window.open_model("adding")
    X = np.random.default_rng(3).uniform(0, 1, size=(30_000, 2))
    window.document.apply_update(window.document.require_session().update(X), [f"{a:.2f}" for a, _ in X])
    compare_with(window, "adding-rnn")
    qtbot.waitUntil(lambda: getattr(window, "compare_window", None) is not None, timeout=10000)
    compare = window.compare_window
    assert compare.recompute.busy  # 30 000 steps: on the worker, the window answering meanwhile
    qtbot.waitUntil(lambda: bool(compare.companion.traces) and not compare.recompute.busy, timeout=60000)
    np.testing.assert_array_equal(compare.companion.X, X)
    window.document.playback.seek(29_000)
    assert compare.companion.playback.t == 29_000
    compare.close()


def test_the_second_diagram_follows_the_backward_mode_with_the_same_target_and_pin(window, qtbot):
    """Ctrl+B shows both diagrams backward, the same target on each model, pinned at the same
    step; walking back, the LSTM's cell line keeps its gradient where the RNN's hidden path
    has lost it."""
    from PySide6.QtCore import Qt

    from lstm_explorer.colormaps import log_sequential

    assert window.open_model("adding")
    document = window.document
    compare_with(window, "adding-rnn")
    qtbot.waitUntil(lambda: getattr(window, "compare_window", None) is not None, timeout=10000)
    compare = window.compare_window
    companion, (first, second) = compare.companion, compare.diagrams
    qtbot.waitUntil(lambda: bool(companion.traces), timeout=20000)
    document.playback.seek(99)
    window.activateWindow()  # the comparison opened in front: back to the main window, as a person clicks it
    qtbot.waitUntil(window.isActiveWindow)
    window.diagram.setFocus()
    qtbot.keyClick(window.diagram, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert document.backward and companion.backward and companion.backward_step == 99
    flows = (window.diagram.backward_flow, second.backward_flow)  # the first diagram shows the window's
    qtbot.waitUntil(lambda: all(flow.field is not None for flow in flows), timeout=20000)
    assert first.backward_flow is None and first.diagram.gradient_field is flows[0].field
    assert second.diagram.backward and second.backward_flow.field.target == "loss@99"
    document.playback.seek(60)  # 39 steps back in time: the position is followed
    assert companion.playback.t == 60
    rnn = model_gradients(companion.model, companion.X, "loss@99", traces=companion.traces, nodes=True).nodes
    lstm = model_gradients(document.model, document.X, "loss@99", traces=document.traces, nodes=True).nodes
    rnn_top = max(np.abs(a).max() for a in rnn.values())
    lstm_top = max(np.abs(a).max() for a in lstm.values())
    np.testing.assert_array_equal(second.diagram.strip_colours("h"), log_sequential(np.abs(rnn["h"][60]), rnn_top))
    np.testing.assert_array_equal(first.diagram.strip_colours("c"), log_sequential(np.abs(lstm["c"][60]), lstm_top))
    # What a person sees: the RNN's hidden path has faded far more than the LSTM's cell line.
    assert np.abs(rnn["h"][60]).max() / rnn_top < 1e-3 * np.abs(lstm["c"][60]).max() / lstm_top
    window.document.set_gradient_target("h[0]")  # a written target goes to both
    assert companion.gradient_target == "h[0]"
    qtbot.waitUntil(lambda: second.backward_flow.field is not None and second.backward_flow.field.target == "h[0]@99")
    window.backward_action.trigger()  # (View → Diagram → Backward) off
    assert not companion.backward and not second.diagram.backward


def test_the_comparison_follows_the_windows_theme(window, qtbot):
    assert window.open_model("adding")
    compare_with(window, "adding-rnn")
    qtbot.waitUntil(lambda: getattr(window, "compare_window", None) is not None, timeout=10000)
    compare = window.compare_window

    def backgrounds(views):
        return {view.diagram.backgroundBrush().color().name() for view in views}  # the scenes'

    window.theme_actions["dark"].trigger()
    assert backgrounds(compare.diagrams) == backgrounds([window.diagram])  # the window's dark background
    assert window.gradients.theme.name == "dark"  # and the Gradients panel, through the same signal
    window.theme_actions["light"].trigger()
    assert backgrounds(compare.diagrams) == backgrounds([window.diagram])
    compare.close()
    window.theme_actions["dark"].trigger()  # the closed comparison is no longer followed
