"""The first-run tour: offered once on a first launch (the settings remember it), Next / Back /
Skip through the phases of one step, and Help → Guided tour shows it again."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lstm_explorer.ui.main_window import MainWindow
from lstm_explorer.ui.tour import SHOWN_KEY


def tour_window(qtbot, settings):
    window = MainWindow(settings=settings, tour=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_first_launch_walks_through_the_phases_of_one_step(qtbot, settings):
    window = tour_window(qtbot, settings)
    panel = window.tour.panel
    qtbot.waitUntil(panel.isVisible)
    assert window.model.name == "brackets"  # the bundled model
    assert preferences_shown(settings)
    phases = window.playback.phases
    assert panel.count.text() == f"1 of {phases + 2}"
    assert panel.title.text() == "One step of the LSTM, at t = 3"
    assert not panel.back_button.isEnabled()
    assert window.walkthrough_action.isChecked()  # the diagram explains each phase meanwhile
    seen = []
    for k in range(phases):
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
        seen.append(panel.title.text())
        state = window.playback.state
        assert (state.t, state.phase, state.progress) == (3, k, 1.0)
        assert window.diagram.diagram.explanation.title.startswith(f"t = 3 · phase {k + 1} of {phases}")
    assert seen[1] == "Phase 2 of 5: Forget gate"
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert window.playback.state.phase == phases - 2
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.title.text() == "Your turn" and panel.next_button.text() == "Done"
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible() and not window.walkthrough_action.isChecked()


def preferences_shown(settings):
    value = settings.value(SHOWN_KEY)
    return value is True or str(value).lower() == "true"


def test_the_tour_is_shown_once_and_again_from_help(qtbot, settings):
    first = tour_window(qtbot, settings)
    qtbot.waitUntil(first.tour.panel.isVisible)
    qtbot.mouseClick(first.tour.panel.skip_button, Qt.MouseButton.LeftButton)
    assert not first.tour.panel.isVisible()
    first.close()
    again = tour_window(qtbot, settings)
    qtbot.waitUntil(lambda: again.playback.trace is not None)
    QApplication.processEvents()
    assert not again.tour.panel.isVisible()
    help_menu = next(a.menu() for a in again.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "Guided &tour").trigger()
    assert again.tour.panel.isVisible() and again.tour.panel.count.text().startswith("1 of")


def test_windows_without_the_tour_never_show_it(window):
    """The test windows (and scripts) pass no ``tour``: nothing moves their playback."""
    assert not window.tour.panel.isVisible() and not window.tour.active
