"""The main window: assembly. It makes the document and the panels that show it, puts the panels in
docks, and wires menus, keys, the input editor and the background recompute to the document.

Panels subscribe to the document (and its playback) themselves; the window never tells a panel
what another one did, and no panel reads the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QPaintEvent,
)
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMenu, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..views.chain import ChainView
from ..views.diagram_panel import make_diagram_view
from ..views.equations import EquationsPanel
from ..views.heatmaps import HeatmapPanel
from ..views.predictions import PredictionsPanel
from ..views.stale import StaleVeil
from ..views.theme import DEFAULT_THEME, THEMES, apply_palette, theme
from ..views.unit_plot import UnitPlot
from . import opening, preferences, screen_fit
from .app_icon import app_icon
from .banner import Banner, escape
from .compute import Recompute
from .help import APP_NAME, shortcuts_dialog
from .input_flow import InputFlow
from .key_handoff import KeyHandoff
from .menus import build_menus
from .model_bar import ModelBar
from .model_files import ModelFiles
from .model_loader import ModelLoader
from .presentation import Presentation
from .random_model import ask_random_model
from .sequence_editor import DEBOUNCE_MS, SequenceEditor
from .sessions import SessionActions, is_session_path
from .status import StatusBar
from .tour import Tour
from .transport import DEFAULT_SPEED, Player, TransportBar, key_move
from .unit_docks import add_unit_docks

L, R, B = (
    Qt.DockWidgetArea.LeftDockWidgetArea,
    Qt.DockWidgetArea.RightDockWidgetArea,
    Qt.DockWidgetArea.BottomDockWidgetArea,
)


class MainWindow(QMainWindow):
    """The explorer. ``model``: a Model, a bundled name or a file path (None: the last one used,
    else the bundled default). ``settings``: where preferences live (tests pass a temporary file).
    ``open_later``: open the model after the first paint (shown sooner); ``tour``: the first-run tour."""

    theme_changed = Signal(str)  # the theme's name, after the window's own panels took it

    # Made by build_menus:
    open_action: QAction
    export_action: QAction
    quit_action: QAction
    play_action: QAction
    cancel_action: QAction
    walkthrough_action: QAction
    shortcuts_action: QAction
    about_action: QAction
    theme_actions: dict[str, QAction]
    recent_menu: QMenu
    bundled_menu: QMenu

    def __init__(
        self,
        model: Any = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        open_later: bool = False,
        tour: bool = False,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else preferences.default_settings()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setObjectName("mainWindow")
        self.resize(1600, 1000)
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.document = ExplorerDocument()
        self.playback = self.document.playback
        self.player = Player(self.playback, self)
        self.input_flow = InputFlow(self.document, self)
        self.model_loader = ModelLoader(self)
        self.sessions = SessionActions(self)
        name = str(self.settings.value("theme", DEFAULT_THEME))
        self.theme_name = name if name in THEMES else DEFAULT_THEME

        self._build_central()
        self._build_panels()
        self.model_bar = ModelBar(self.document)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.model_bar)
        self.status = StatusBar(self.document, self._cancel_compute)
        self.setStatusBar(self.status)
        self.model_files = ModelFiles(self)  # File → Open, the notice, vocabularies, module chooser, Model info
        build_menus(self)
        self._save_timer = QTimer(self, singleShot=True, interval=1000)
        self._save_timer.timeout.connect(self._save_input)
        self.status.watch(self.input_flow, self.model_loader)
        self.status.busy_changed.connect(self.cancel_action.setEnabled)
        self.input_flow.failed.connect(self._on_compute_failed)
        self.input_flow.cheap.connect(lambda cheap: self.editor.set_debounce(0 if cheap else DEBOUNCE_MS))
        self.model_loader.loaded.connect(lambda model, key, _, session: self._show_model(model, key, session=session))
        self.model_loader.failed.connect(self.show_error)

        self.apply_theme(self.theme_name)
        self.transport.set_speed(float(self.settings.value("speed", DEFAULT_SPEED)))  # type: ignore[arg-type]
        self.transport.loop.setChecked(preferences.as_bool(self.settings.value("loop", False)))
        self._restore_layout()
        self._open_after_paint: list[Any] = [model] if open_later else []
        if not open_later:
            self.model_files.open_initial(model)
        if tour:
            self.tour.offer_first_run()

    @property
    def model(self) -> Any:
        return self.document.model

    @property
    def recompute(self) -> Recompute | None:
        return self.input_flow.recompute

    # -- building ----------------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner()
        self.diagram = make_diagram_view(self.document)
        self.diagram.setObjectName("diagram")
        self.diagram.setMinimumSize(360, 260)
        self.presentation = Presentation(self)  # F11; its caption line shows only then
        self.tour = Tour(self, self.settings)  # its panel shows only during the tour
        layout.addWidget(self.banner)
        layout.addWidget(self.tour.panel)
        layout.addWidget(self.presentation.caption)
        layout.addWidget(self.diagram, 1)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        features = QDockWidget.DockWidgetFeature
        dock.setFeatures(features.DockWidgetMovable | features.DockWidgetFloatable | features.DockWidgetClosable)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        return dock

    def _build_panels(self) -> None:
        document = self.document
        self.setCorner(Qt.Corner.BottomLeftCorner, B)
        self.setCorner(Qt.Corner.BottomRightCorner, B)
        self.editor = SequenceEditor()
        self.editor.sequence_changed.connect(self._on_sequence)
        self.editor.input_invalid.connect(self._on_input_invalid)
        self.key_handoff = KeyHandoff(self.editor, self)  # the editor has the keys only while you type
        self.equations = EquationsPanel(document)
        self.predictions = PredictionsPanel(document)
        self.heatmaps = HeatmapPanel(document)
        self.transport = TransportBar(document, self.player)
        self.chain = ChainView(document)
        self.unit_plot = UnitPlot(document)
        self.docks: list[QDockWidget] = []
        self.input_dock = self._dock("Input sequence", "inputDock", self.editor, L)
        self.equations_dock = self._dock("Equations", "equationsDock", self.equations, L)
        self.heatmaps_dock = self._dock("Gate heatmaps", "heatmapsDock", self.heatmaps, R)
        self.transport_dock = self._dock("Transport", "transportDock", self.transport, B)
        self.chain_dock = self._dock("Unrolled chain", "chainDock", self.chain, B)
        self.unit_plot_dock = self._dock("Unit plot", "unitPlotDock", self.unit_plot, B)
        self.predictions_dock = self._dock("Predictions", "predictionsDock", screen_fit.scrollable(self.predictions), B)
        for panel in (self.diagram, self.equations, self.predictions, self.heatmaps, self.chain, self.unit_plot):
            StaleVeil(document, panel)
        self.beside_heatmaps: list[QDockWidget] = []  # docks that share the heatmaps' tab group
        self.tall_docks: list[QDockWidget] = []  # beside the heatmaps when those are a tall column
        self.unit_docks = add_unit_docks(self)
        self.splitDockWidget(self.transport_dock, self.chain_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.chain_dock, self.unit_plot_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.unit_plot_dock, self.predictions_dock, Qt.Orientation.Horizontal)
        self._default_state = self.saveState()

    # -- models ------------------------------------------------------------------------------
    def open_model(
        self, spec: Any, *, quiet: bool = False, text: str | None = None, keep_banner: bool = False, session: Any = None
    ) -> bool:
        """Open a model or a session now (``session``: one prepared for the model's network); on
        failure show why and keep the current one. True if it opened."""
        if is_session_path(spec):
            return self.sessions.open(spec)
        try:
            model, key = opening.load_model(self.model_files.request_for(spec))
        except opening.OpenError as exc:
            if exc.modules:
                self.model_files.ask_module(exc)
            elif not quiet:
                self.show_error(str(exc))
            return False
        self._show_model(model, key, text, keep_banner, session)
        return True

    def open_in_background(self, spec: Any) -> None:
        """Open a file a person chose (menu, drop, recent) off the GUI thread; the model on screen
        stays until the new one is ready, and Cancel in the status bar forgets it."""
        if is_session_path(spec):
            self.sessions.open_in_background(spec)
        else:
            self.model_loader.load(self.model_files.request_for(spec))

    def _show_model(
        self, model: Any, key: str, text: str | None = None, keep_banner: bool = False, session: Any = None
    ) -> None:
        self._save_input()
        self.player.pause()
        model = self.model_files.with_remembered_vocabulary(model, key)
        self.document.set_model(model, key, session)  # a session prepared for the same network is used
        if not keep_banner:
            self.banner.hide()
        self.setWindowTitle(f"{model.name} — {APP_NAME}")
        self.settings.setValue("last_model", key)
        opening.remember_recent(self.settings, key)
        self.editor.set_model(model, text if text is not None else preferences.saved_input(self.settings, key))

    def new_random_model(self, kind: str) -> None:
        """Random weights of ``kind`` on the same task: the input (and vocabulary) stay."""
        text = self.editor.text()
        self.random_dialog = ask_random_model(self, kind, self.model, lambda model: self.open_model(model, text=text))

    def _open_export(self) -> None:
        """File → Export…: the dialog for what the document shows now; it draws every view from a
        snapshot of the document, so the window never moves."""
        from .export_dialog import ExportDialog  # imported when used: 35 ms off start-up

        document = self.document
        if document.trace is None or document.trace.steps == 0:
            self.statusBar().showMessage("There is nothing to export yet: enter a sequence first.", 8000)
            return
        folder = self.settings.value("export/folder")
        dialog = ExportDialog(
            document,
            self,
            theme=self.theme_name,
            folder=folder if isinstance(folder, str) and Path(folder).is_dir() else None,
            walkthrough=self.walkthrough_action.isChecked(),
            settings=self.settings,
            region=self.diagram.visible_region(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(self._on_exported)
        dialog.open()
        self.export_dialog = dialog

    def _on_exported(self, result: Any) -> None:
        self.settings.setValue("export/folder", str(result.path.parent))
        self.statusBar().showMessage(f"Exported {result.path}", 8000)

    # -- input and recompute -----------------------------------------------------------------
    def _on_input_invalid(self, message: str) -> None:
        self.document.set_input_problem(message)
        self.statusBar().showMessage(message, 8000)

    def _on_sequence(self, X: np.ndarray, tokens: list[str], text: str) -> None:
        self.input_flow.submit(X, tokens, text)
        self._save_timer.start()

    def _on_compute_failed(self, message: str) -> None:
        self.document.set_input_problem(message)
        self.show_error(escape(message))

    def _cancel_compute(self) -> None:
        self.model_loader.cancel()
        self.input_flow.cancel()

    def show_error(self, html: str) -> None:
        """A problem the user caused (a bad file, a sequence too long): shown on a banner, non-modal."""
        self.statusBar().showMessage(self.banner.show_message(html, theme(self.theme_name).error), 10000)

    # -- theme, layout and settings ----------------------------------------------------------
    def apply_theme(self, name: str) -> None:
        self.theme_name = name if name in THEMES else DEFAULT_THEME
        t = theme(self.theme_name)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, self.theme_name)
        for panel in (
            self.heatmaps,
            self.unit_plot,
            self.equations,
            self.predictions,
            self.chain,
            self.transport.strip,
        ):
            panel.set_theme(t)
        self.unit_docks.units.set_theme(t)
        self.transport.set_icon_colour(t.text)
        self.editor.set_error_colour(t.error)
        self.diagram.set_theme(self.theme_name)
        if self.theme_name in getattr(self, "theme_actions", {}):
            self.theme_actions[self.theme_name].setChecked(True)
        self.settings.setValue("theme", self.theme_name)
        self.theme_changed.emit(self.theme_name)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks:
            dock.show()
        screen_fit.arrange_docks(self)

    def _restore_layout(self) -> None:
        if not preferences.restore_window(self.settings, self):
            screen_fit.fit_first_launch(self)  # a first start: the screen's size, docks once it has it
        else:
            screen_fit.keep_on_screen_when_framed(self)  # saved on a larger screen?
        nodes = self.settings.value("unit_plot_nodes")
        if nodes:
            self.unit_plot.set_nodes(preferences.as_list(nodes))

    def _save_input(self) -> None:
        preferences.save_input(self.settings, self.document.model_key, self.editor.text())

    def save_settings(self) -> None:
        self._save_input()
        preferences.save_window(
            self.settings,
            self,
            theme=self.theme_name,
            speed=self.player.speed,
            loop=self.player.loop,
            unit_plot_nodes=self.unit_plot.nodes,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._open_after_paint:
            model = self._open_after_paint.pop()
            QTimer.singleShot(0, lambda: self.model_files.open_initial(model))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.player.pause()
        self.input_flow.cancel(silent=True)
        self.save_settings()
        super().closeEvent(event)

    # -- keys, drops and help ----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """The transport keys, for when a shortcut did not fire (the editor keeps its own keys)."""
        move = key_move(self.player, self.playback, event)
        if move is not None:
            move()
            event.accept()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.acceptProposedAction() if opening.dropped_path(event) is not None else event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = opening.dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_in_background(path)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = shortcuts_dialog(self)
        self.shortcuts_dialog.show()
