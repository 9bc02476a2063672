"""Panels added after the window's own: the Gradients dock (tabbed with the gate heatmaps),
View → Diagram → Backward (gradients) and View → Compare with…. Kept out of main_window.py, which
only assembles the core panels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from ..views.gradients_panel import GradientsPanel
from ..views.stale import StaleVeil
from ..views.theme import THEMES
from . import screen_fit

if TYPE_CHECKING:
    from .main_window import MainWindow


def add_extra_panels(window: MainWindow, view_menu: QMenu, panels_menu: QMenu) -> None:
    """The Gradients dock (closed at first; listed under View → Panels, following the theme) and
    View → Compare with…."""
    document = window.document
    panel = GradientsPanel(document)
    window.gradients = panel  # type: ignore[attr-defined]
    dock = window._dock("Gradients", "gradientsDock", panel, Qt.DockWidgetArea.RightDockWidgetArea)
    window.gradients_dock = dock  # type: ignore[attr-defined]
    window.tall_docks.append(dock)  # its curves need height: screen_fit.arrange_docks places it
    # Closed until asked for (View → Panels → Gradients; a saved layout reopens it): the default
    # layout stays the window's own, and Reset layout, which shows window.docks, leaves it closed.
    window.docks.remove(dock)
    dock.hide()
    StaleVeil(document, panel)
    dock.visibilityChanged.connect(_catch_up(panel))  # its tab brought forward
    shown = dock.toggleViewAction()
    shown.triggered.connect(lambda checked: screen_fit.bring_forward(window, dock) if checked else None)
    panels_menu.addAction(shown)
    window.theme_changed.connect(lambda name: panel.set_theme(THEMES[name]))
    add_backward_actions(window, view_menu)
    compare = QAction("&Compare with…", window)
    compare.triggered.connect(lambda: _compare(window))
    view_menu.addAction(compare)
    window.compare_action = compare  # type: ignore[attr-defined]


def add_backward_actions(window: MainWindow, view_menu: QMenu) -> None:
    """View → Diagram: Backward (gradients), Ctrl+B, and Pin the target at this step, Ctrl+Shift+B.
    Both go through the document, which the diagram and the Gradients panel follow."""
    document = window.document
    menu = view_menu.addMenu("&Diagram")
    backward = QAction("&Backward (gradients)", window)
    backward.setCheckable(True)
    backward.setChecked(document.backward)
    backward.setShortcut(QKeySequence("Ctrl+B"))
    backward.setToolTip("Gradients of the target flowing backward through the cell, the target pinned at this step")
    backward.toggled.connect(document.set_backward)
    pin = QAction("&Pin the gradient target at this step", window)
    pin.setShortcut(QKeySequence("Ctrl+Shift+B"))
    pin.triggered.connect(lambda: document.set_backward(True))
    menu.addActions([backward, pin])
    window.addActions([backward, pin])  # shortcuts with the menu bar hidden too (presentation mode)

    moves = _playback_moves(window)

    def on_backward(on: bool) -> None:
        with QSignalBlocker(backward):
            backward.setChecked(on)
        for action, (forward_text, backward_text) in moves:  # the moves walk back in time now
            action.setText(backward_text if on else forward_text)

    document.events.backward.connect(on_backward)
    window.destroyed.connect(lambda *_: document.events.backward.disconnect(on_backward))
    window.backward_action = backward  # type: ignore[attr-defined]
    window.pin_backward_action = pin  # type: ignore[attr-defined]


#: The Playback menu's moves by shortcut: their names forward, and in the backward mode, where
#: they walk from the pinned step back to step 0 (the playback's walk).
_MOVE_NAMES = {
    "Right": "Step back in time (t − 1)",
    "Left": "Step toward the pinned step (t + 1)",
    "Shift+Right": "Phase further back",
    "Shift+Left": "Phase toward the pinned step",
    "Home": "Jump to the pinned step",
    "End": "Jump to step 0",
}


def _playback_moves(window: MainWindow) -> list[tuple[QAction, tuple[str, str]]]:
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&Playback"]
    moves = []
    for menu in menus:
        for action in menu.actions() if isinstance(menu, QMenu) else ():
            name = _MOVE_NAMES.get(action.shortcut().toString())
            if name is not None:
                moves.append((action, (action.text(), name)))
    return moves


def _catch_up(panel: GradientsPanel) -> Callable[[bool], None]:
    def on_visibility(visible: bool) -> None:
        if visible:
            panel.refresh()

    return on_visibility


def _compare(window: MainWindow) -> None:
    from .compare import ask_compare

    ask_compare(window)
