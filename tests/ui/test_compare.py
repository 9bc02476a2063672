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
