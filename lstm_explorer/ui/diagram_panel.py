"""The cell diagram in the centre of the window: the diagram package's view of the playback."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..playback import Playback


def make_diagram_view(playback: Playback) -> QWidget:
    """A ``DiagramView`` following ``playback`` (it subscribes to the playback itself)."""
    from ..diagram import DiagramView

    return DiagramView(playback)
