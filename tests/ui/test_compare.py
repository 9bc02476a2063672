"""View → Compare with…: a second model on the same input and position, both gradient curves on
one plot; closing the window ends the comparison."""

import numpy as np

from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.ui.compare import start_comparison


def test_a_second_model_follows_the_first_and_joins_the_gradient_plot(window, qtbot):
    assert window.open_model("adding")
    window.gradients_dock.show()
    window.gradients_dock.raise_()
    document = window.document
    compare = start_comparison(window, "adding-rnn")
    assert compare is not None
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


def test_a_model_that_cannot_read_the_input_changes_nothing(window):
    assert window.open_model("adding")
    assert start_comparison(window, "brackets") is None
    assert "brackets reads text and adding reads numbers" in window.statusBar().currentMessage()
    assert window.gradients.companion is None
