"""The Gradients panel as an exportable view: a fresh panel that computes each frame's gradients
on the spot (export draws frames with no event loop, so nothing may wait for a worker thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .panel_views import finish, panel_theme, replay
from .views import OwnWidgetFrames

if TYPE_CHECKING:
    from ..document import ExplorerDocument
    from .frames import FrameSource
    from .options import ExportOptions


def gradients_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    from ..views.gradients_panel import GradientsPanel
    from ..views.theme import make_palette

    panel = GradientsPanel(document)
    panel.set_synchronous(True)
    panel.setPalette(make_palette(options.theme))
    source = OwnWidgetFrames(panel, document.playback, options.size, transparent=options.transparent)
    replay(document, [panel], panel_theme(options))
    finish([panel])
    return source
