"""The application icon (lstm_explorer/resources/icons/): the scalable SVG, and the PNG for
platforms without the SVG image plugin."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from ..assets import icon_path


def app_icon() -> QIcon:
    icon = QIcon()
    for suffix in (".svg", ".png"):
        path = icon_path(suffix)
        if path.is_file():
            icon.addFile(str(path))
    return icon
