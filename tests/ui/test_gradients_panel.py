"""The Gradients panel: it follows the position off the GUI thread, shows exactly what
models/gradients.py computes, and a bad target changes nothing but the message beside it."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.gradients import direct_path, largest_singular_value
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.views.gradients_panel import GradientsPanel


def adding_input(steps: int = 100, marks: tuple[int, int] = (4, 30)) -> np.ndarray:
    """(steps, 2): values from U[0, 1] and the two markers of the adding problem."""
    X = np.zeros((steps, 2))
    X[:, 0] = np.random.default_rng(7).uniform(0, 1, steps)
    X[list(marks), 1] = 1.0
    return X


@pytest.fixture
def make_panel(qtbot):
    made: list[GradientsPanel] = []

    def make(name: str = "adding", X: np.ndarray | None = None) -> GradientsPanel:
        document = ExplorerDocument.computed(load_bundled(name), adding_input() if X is None else X)
        panel = GradientsPanel(document)
        panel.resize(700, 600)
        panel.show()
        qtbot.waitExposed(panel)
        made.append(panel)
        return panel

    yield make
    for panel in made:  # deleted now, not whenever the garbage collector gets to the panel's cycle
        panel.runner.wait()
        panel.close()
        panel.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def shown_at_lag(panel: GradientsPanel, key: str) -> np.ndarray:
    """The curve's y values with NaN (zeros, not drawable on a log axis) back to 0."""
    return np.nan_to_num(np.asarray(panel.curves[key].yData), nan=0.0)


def test_the_plot_follows_the_position_off_the_gui_thread(qtbot, make_panel):
    panel = make_panel()
    panel.runner.seconds_per_step = 1.0  # every request looks slow: each one goes to the thread
    panel.document.playback.seek(20)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.request.anchor == 20, timeout=10000)
    assert len(panel.curves["h"].yData) == 21  # lags 0..20
    panel.runner.seconds_per_step = 1.0  # (the runner learnt the real, smaller rate)
    panel.document.playback.seek(80)
    assert panel.runner.busy  # seeking returned before the gradients were computed
    qtbot.waitUntil(lambda: panel.curves["h"].yData is not None and len(panel.curves["h"].yData) == 81, timeout=10000)
    assert "out[0]@80" in panel.summary.plain_text()


def test_the_numbers_shown_are_model_gradients(qtbot, make_panel):
    panel = make_panel()
    document = panel.document
    document.playback.select((3,))
    document.playback.seek(99)  # the adding task scores its last step: the default target is its loss
    result = panel.compute_now()
    assert result is not None and str(result.request.target) == "loss@99"
    expected = model_gradients(document.model, document.X, "loss@99", traces=document.traces).norms()
    np.testing.assert_allclose(shown_at_lag(panel, "h"), expected["h"][::-1], rtol=1e-12)
    np.testing.assert_allclose(shown_at_lag(panel, "c"), expected["c"][::-1], rtol=1e-12)
    np.testing.assert_allclose(panel.strip.values, expected["x"], rtol=1e-12)
    # The selected unit: its own line (the running product of forget gates) against every path.
    own = model_gradients(document.model, document.X, "c[3]@99", traces=document.traces).states["c"][:, 3]
    np.testing.assert_allclose(
        shown_at_lag(panel, "unit_full"), np.abs(own[::-1]), rtol=1e-12
    )  # magnitudes: a log axis
    path = direct_path(document.trace, 3, 99)
    np.testing.assert_allclose(shown_at_lag(panel, "unit_path"), path[::-1], rtol=1e-12)
    assert path[98] == pytest.approx(document.trace["f"][99, 3])


def test_a_written_target_follows_the_position_and_a_bad_one_changes_nothing(qtbot, make_panel):
    panel = make_panel()
    panel.document.playback.seek(40)
    qtbot.keyClicks(panel.target_edit, "h[2]")
    panel.target_edit.editingFinished.emit()
    result = panel.compute_now()
    assert result is not None and str(result.request.target) == "h[2]@40"
    before = shown_at_lag(panel, "h").copy()
    panel.target_edit.setText("q[0]@3")
    panel.target_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: "no node 'q'" in panel.target_error.text(), timeout=10000)
    panel.runner.wait()
    assert panel.result is result
    np.testing.assert_array_equal(shown_at_lag(panel, "h"), before)
    panel.target_edit.setText("")
    panel.target_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.target_error.text() == "", timeout=10000)


def test_a_plain_rnn_shows_its_largest_singular_value(qtbot, make_panel):
    panel = make_panel("adding-rnn")
    panel.document.playback.seek(50)
    result = panel.compute_now()
    sigma = largest_singular_value(panel.document.model.network)
    assert result is not None and result.sigma_max == pytest.approx(sigma)
    assert f"σmax(Whh) = {sigma:.3g}" in panel.summary.plain_text()
    assert "unit_path" not in panel.curves  # a plain RNN has no path that skips W_hh


def test_the_window_has_a_gradients_dock(window, qtbot):
    window.open_model("adding")
    window.gradients_dock.show()
    window.gradients_dock.raise_()
    qtbot.waitUntil(lambda: window.gradients.result is not None, timeout=10000)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    panels = next(a.menu() for a in view.actions() if a.text() == "&Panels")
    assert "Gradients" in [a.text() for a in panels.actions()]
    assert "&Compare with…" in [a.text() for a in view.actions()]


def test_the_legend_names_the_selected_unit(qtbot, make_panel):
    panel = make_panel()
    panel.document.playback.select((3,))
    panel.compute_now()
    panel.document.playback.select((5,))
    panel.compute_now()
    labels = [label.text for _, label in panel.legend.items]
    assert any("[5]" in text for text in labels) and not any("[3]" in text for text in labels)


def test_behind_the_heatmaps_tab_the_panel_computes_nothing_until_brought_forward(window, qtbot):
    window.open_model("adding")
    panel = window.gradients
    window.gradients_dock.show()
    window.tabifyDockWidget(window.heatmaps_dock, window.gradients_dock)
    window.heatmaps_dock.raise_()
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty() and not window.heatmaps.visibleRegion().isEmpty())
    before = panel.result  # (the first layout may have shown it for a moment)
    window.playback.seek(30)
    assert panel.result is before  # its tab is behind the heatmaps': no work done
    window.gradients_dock.raise_()
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.request.anchor == 30, timeout=10000)


@pytest.mark.parametrize("size", [(2560, 1440), (1920, 1080), (1366, 768)])
def test_view_panels_gradients_opens_it_in_front_where_its_curves_have_height(window, qtbot, size):
    """Beside the heatmaps when they have a tall column (a large screen); on a laptop or a 1080p
    screen the heatmaps are a short bottom tab, so the panel gets its own column beside the diagram."""
    window.resize(*size)
    window.reset_layout()  # the layout for this size
    assert window.gradients_dock.isHidden()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    panels = next(a.menu() for a in view.actions() if a.text() == "&Panels")
    next(a for a in panels.actions() if a.text() == "Gradients").trigger()
    qtbot.waitUntil(lambda: not window.gradients.visibleRegion().isEmpty())
    assert not window.gradients_dock.isFloating()
    beside = window.tabifiedDockWidgets(window.gradients_dock)
    assert (window.heatmaps_dock in beside) == (size == (2560, 1440))
    assert window.gradients.height() >= 0.4 * window.height()
