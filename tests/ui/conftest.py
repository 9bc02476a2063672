"""GUI test fixtures: every window gets its own settings file under tmp, never the user's."""

import pytest
from PySide6.QtCore import QSettings

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
    def make(model=None, settings_=None):
        window = MainWindow(model=model, settings=settings_ if settings_ is not None else settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
