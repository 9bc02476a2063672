"""The cell diagram in the centre of the window: the diagram package's view of the playback, with
the units held in the layer on show hatched, and a right-click menu to hold or release a unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint

from ..document import ExplorerDocument
from ..engine.interventions import for_layer

if TYPE_CHECKING:
    from ..diagram import DiagramView


def make_diagram_view(
    document: ExplorerDocument, *, synchronous: bool = False, computes_gradients: bool = True
) -> DiagramView:
    """A ``DiagramView`` following the document's playback (it subscribes to the playback itself),
    its held units and its backward mode (``synchronous``: its gradients computed on the caller's
    thread every time, for export, which draws with no event loop; ``computes_gradients`` False:
    a second view of a document whose first computes them, which shows the document's)."""
    from ..diagram import DiagramView  # the diagram package loads with the first view, not with this module
    from .hold_menu import unit_menu

    view = DiagramView(document.playback, scales=lambda: document.scales)

    def show_held(*_: object) -> None:
        view.set_held(for_layer(document.interventions, *document.layer))

    def open_menu(node: str, unit: int, screen_pos: QPoint) -> None:
        view.unit_menu = unit_menu(document, node, unit, view)  # kept: tests pick its actions
        view.unit_menu.popup(screen_pos)

    signals = (document.events.interventions, document.events.layer, document.events.model)
    for signal in signals:
        signal.connect(show_held)

    def forget(*_: object) -> None:  # the document outlives views: stop it calling a deleted one
        for signal in signals:
            signal.disconnect(show_held)

    view.destroyed.connect(forget)
    view.unit_menu_requested.connect(open_menu)
    show_held()
    from .backward_flow import BackwardFlow, follow_node_gradients

    if computes_gradients:
        view.backward_flow = BackwardFlow(document, view, synchronous=synchronous)  # the backward mode (View → Diagram)
    else:
        follow_node_gradients(document, view)
    return view
