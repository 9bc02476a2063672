"""The cell diagram in the centre of the window: the diagram package's view of the playback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..document import ExplorerDocument

if TYPE_CHECKING:
    from ..diagram import DiagramView


def make_diagram_view(document: ExplorerDocument) -> DiagramView:
    """A ``DiagramView`` following the document's playback (it subscribes to the playback itself)."""
    from ..diagram import DiagramView  # the diagram package loads with the first view, not with this module

    return DiagramView(document.playback)
