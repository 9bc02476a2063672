"""The window's menus and their actions (File, Playback, View, Help) with their shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ..engine.cells import CELL_KINDS, cell_graph
from ..views.theme import THEMES
from . import opening
from .extra_panels import add_extra_panels
from .help import APP_NAME, show_about

if TYPE_CHECKING:
    from .main_window import MainWindow


def _action(window: QMainWindow, text: str, slot: Any, shortcut: Any = None, menu: Any = None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if slot is not None:
        action.triggered.connect(slot)
    if menu is not None:
        menu.addAction(action)
    return action


def _keys(*keys: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    """Shortcuts without repeats (a platform's standard key may be one of ours: Ctrl+- twice is
    an ambiguous shortcut, and neither fires)."""
    sequences: list[QKeySequence] = []
    for key in keys:
        for sequence in QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [key]:
            sequence = QKeySequence(sequence)
            if not sequence.isEmpty() and sequence not in sequences:
                sequences.append(sequence)
    return sequences


def build_menus(window: MainWindow) -> None:
    """File, Playback, View and Help; the actions others trigger are kept on the window."""
    bar, playback = window.menuBar(), window.playback
    file_menu = bar.addMenu("&File")
    window.open_action = _action(
        window, "&Open model…", window.model_files.choose_model_file, QKeySequence.StandardKey.Open, file_menu
    )
    window.recent_menu = file_menu.addMenu("Open &recent")
    window.recent_menu.aboutToShow.connect(
        lambda: opening.fill_recent_menu(window.recent_menu, window.settings, window.open_in_background)
    )
    window.bundled_menu = file_menu.addMenu("&Bundled models")
    window.bundled_menu.aboutToShow.connect(
        lambda: opening.fill_bundled_menu(window.bundled_menu, window.open_in_background)
    )
    random_menu = file_menu.addMenu("New random &model")
    for kind in CELL_KINDS:
        _action(window, cell_graph(kind).title, lambda _=False, k=kind: window.new_random_model(k), None, random_menu)
    _action(window, "&Vocabulary…", window.model_files.choose_vocabulary, None, file_menu)
    file_menu.addSeparator()
    sessions = window.sessions
    sessions.open_action = _action(window, "Open &session…", sessions.choose_and_open, "Ctrl+Shift+O", file_menu)
    sessions.save_action = _action(
        window, "&Save session…", lambda: sessions.choose_and_save(), QKeySequence.StandardKey.Save, file_menu
    )
    sessions.save_with_weights_action = _action(
        window, "Save session with the model's &weights…", lambda: sessions.choose_and_save(embed=True), None, file_menu
    )
    file_menu.addSeparator()
    window.export_action = _action(window, "&Export…", window._open_export, "Ctrl+E", file_menu)
    file_menu.addSeparator()
    window.quit_action = _action(window, "&Quit", window.close, QKeySequence.StandardKey.Quit, file_menu)

    play_menu = bar.addMenu("&Playback")
    window.play_action = _action(window, "Play / pause", window.player.toggle, "Space", play_menu)
    _action(window, "Step forward", lambda: playback.step(1), "Right", play_menu)
    _action(window, "Step back", lambda: playback.step(-1), "Left", play_menu)
    _action(window, "Phase forward", lambda: playback.step_phase(1), "Shift+Right", play_menu)
    _action(window, "Phase back", lambda: playback.step_phase(-1), "Shift+Left", play_menu)
    _action(window, "Jump to start", playback.to_start, "Home", play_menu)
    _action(window, "Jump to end", playback.to_end, "End", play_menu)
    play_menu.addSeparator()
    window.cancel_action = _action(window, "Cancel computation", window._cancel_compute, None, play_menu)
    window.cancel_action.setEnabled(False)

    view_menu = bar.addMenu("&View")
    panels = view_menu.addMenu("&Panels")
    for dock in window.docks:
        panels.addAction(dock.toggleViewAction())
    _action(window, "Reset layout", window.reset_layout, None, view_menu)
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(window)
    window.theme_actions = {}
    for name in THEMES:
        action = _action(window, name.capitalize(), lambda _=False, n=name: window.apply_theme(n), None, theme_menu)
        action.setCheckable(True)
        group.addAction(action)
        window.theme_actions[name] = action
    window.walkthrough_action = _action(window, "Explain each &phase on the diagram", None, None, view_menu)
    window.walkthrough_action.setCheckable(True)
    window.walkthrough_action.toggled.connect(window.diagram.set_walkthrough)
    zoom_in = _action(window, "Zoom &in", window.diagram.zoom_in, None, view_menu)
    zoom_in.setShortcuts(_keys("Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn))
    zoom_out = _action(window, "Zoom &out", window.diagram.zoom_out, None, view_menu)
    zoom_out.setShortcuts(_keys("Ctrl+-", QKeySequence.StandardKey.ZoomOut))
    _action(window, "Fit diagram", window.diagram.fit, "Ctrl+0", view_menu)
    add_extra_panels(window, view_menu, panels)
    view_menu.addSeparator()
    _action(window, "P&resentation mode", window.presentation.toggle, "F11", view_menu)

    help_menu = bar.addMenu("&Help")
    _action(window, "&Model…", window.model_files.show_info, None, help_menu)
    _action(window, "Guided &tour", window.tour.start, None, help_menu)
    window.shortcuts_action = _action(window, "&Keyboard shortcuts", window.show_shortcuts, "F1", help_menu)
    window.about_action = _action(window, f"&About {APP_NAME}", lambda: show_about(window), None, help_menu)
    # Shortcuts work with the menu bar hidden too (presentation mode): the window holds the actions.
    window.addActions([action for action in window.findChildren(QAction) if not action.shortcut().isEmpty()])
