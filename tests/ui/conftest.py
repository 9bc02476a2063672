"""GUI test fixtures: every window gets its own settings file under tmp, never the user's."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from lstm_explorer.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def private_settings_path(tmp_path_factory):
    """Anything that still asks for default QSettings writes under tmp, not into ~/.config."""
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder))


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """A window on a desktop-sized area: the offscreen screen is 800×800, which would give every
    test the laptop arrangement (tests of that arrangement size their own screen)."""

    def make(model=None, settings_=None, size=(1600, 1000)):
        settings_ = settings_ if settings_ is not None else settings
        first_start = not settings_.contains("window_state")
        window = MainWindow(model=model, settings=settings_)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if size is not None and first_start:
            QApplication.processEvents()  # the first start's own fitting runs first
            window.resize(*size)
            window.reset_layout()
            QApplication.processEvents()
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
