"""The exportable views: each name maps to a factory that, given a document, the options (size,
theme, transparency …), returns a :class:`FrameSource` drawing that view offscreen.

``diagram``, ``chain``, ``dashboard`` and the single panels are registered here; a panel added later
registers itself with :func:`register_view`. The window's Export dialog and ``lstm-explorer export``
both go through :func:`view_source`, so they draw the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from .options import ExportError, ExportOptions

if TYPE_CHECKING:
    from ..document import ExplorerDocument
    from .frames import FrameSource

ViewFactory = Callable[["ExplorerDocument", ExportOptions], "FrameSource"]


@dataclass(frozen=True)
class ExportView:
    name: str
    label: str
    factory: ViewFactory
    #: Vector stills (SVG, PDF) keep text as text only for views drawn by a graphics scene.
    vector: bool = False
    #: Its animations walk back in time (the source's ``walk`` says from which step).
    walks_back: bool = False


_VIEWS: dict[str, ExportView] = {}


def register_view(
    name: str, label: str, factory: ViewFactory, *, vector: bool = False, walks_back: bool = False
) -> None:
    _VIEWS[name] = ExportView(name, label, factory, vector, walks_back)


def unregister_view(name: str) -> None:
    _VIEWS.pop(name, None)


def views() -> tuple[ExportView, ...]:
    _register_builtin()
    return tuple(_VIEWS.values())


def view_names() -> tuple[str, ...]:
    return tuple(view.name for view in views())


def view_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    """The frame source for ``options.view``, drawing a snapshot of ``document`` (the document's
    own position never moves)."""
    _register_builtin()
    view = _VIEWS.get(options.view)
    if view is None:
        raise ExportError(f"unknown view {options.view!r}; choose one of {', '.join(_VIEWS)}")
    if document.trace is None:
        raise ExportError("there is nothing to export yet: enter a sequence first")
    from PySide6.QtWidgets import QApplication  # with the views: this module loads for --help too

    if QApplication.instance() is None:  # Qt aborts the process when text is measured without one
        raise ExportError("drawing a view needs a QApplication: create one first (the command line does)")
    if not options.caption:
        return view.factory(document.snapshot(), options)
    from .captions import captioned

    return captioned(view.factory, document.snapshot(), options)


_builtin_registered = False


def _register_builtin() -> None:
    """Register the built-in views once (a view registered earlier, e.g. by a test, comes first)."""
    global _builtin_registered
    if _builtin_registered:
        return
    _builtin_registered = True
    # The Qt views load with the first frame, not with this module: the CLI imports it for --help.
    from . import panel_views
    from . import views as qt_views
    from .backward_view import diagram_backward_source
    from .gradients_view import gradients_source

    earlier = dict(_VIEWS)  # listed after the built-ins; a built-in's name registered earlier wins
    _VIEWS.clear()
    register_view("diagram", "Cell diagram", qt_views.diagram_source, vector=True)
    register_view(
        "diagram-backward", "Cell diagram, backward (gradients)", diagram_backward_source, vector=True, walks_back=True
    )
    register_view("chain", "Unrolled chain", panel_views.chain_source)
    register_view("dashboard", "Dashboard (every panel)", panel_views.dashboard_source)
    register_view("units", "Units (finder table, saturation scatter)", panel_views.units_source)
    for name, label in panel_views.PANELS.items():
        register_view(name, label, partial(panel_views.panel_source, name))
    register_view("gradients", "Gradients through time", gradients_source)
    _VIEWS.update(earlier)
