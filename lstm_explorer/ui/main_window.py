"""The main window: the cell diagram in the centre, panels in docks, menus, and the status bar.

Every panel reads the one :class:`~lstm_explorer.playback.Playback`; the window only feeds it
traces (from the incremental :class:`~lstm_explorer.session.Session`) and never tells a panel
what another one did.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..engine.cells import CELL_KINDS, cell_graph
from ..playback import Playback, PlaybackState
from ..session import Session, Update
from .common import pin_size
from .compute import Recompute
from .diagram_panel import make_diagram_view
from .equations import EquationsPanel
from .heatmaps import HeatmapPanel
from .predictions import PredictionsPanel
from .sequence_editor import DEBOUNCE_MS, SequenceEditor
from .strips import ChainView
from .theme import DEFAULT_THEME, THEMES, apply_palette, theme
from .transport import DEFAULT_SPEED, Player, TransportBar
from .unit_plot import UnitPlot

APP_NAME = "LSTM Explorer"
MODEL_FILTER = "Models (*.safetensors *.npz *.pt *.pth *.keras *.h5);;All files (*)"
MODEL_SUFFIXES = (".safetensors", ".npz", ".pt", ".pth", ".keras", ".h5")
MAX_RECENT = 8
#: An update that took less than this (s) lets the next keystroke skip the debounce pause.
CHEAP_UPDATE_SECONDS = 0.012
#: Refuse sequences whose traces would need more memory than this (bytes).
MAX_TRACE_BYTES = 3e9

ABOUT_TEXT = f"""<h3>{APP_NAME} {__version__}</h3>
<p>Watch a recurrent network think, gate by gate: the LSTM cell drawn the classic way, every vector
on its wire, computed live by an engine that gives the same numbers as PyTorch.</p>
<p>Cells: LSTM, peephole LSTM, coupled-gate LSTM, GRU (PyTorch and Cho et al. forms), plain RNN.</p>"""

SHORTCUTS = (
    ("Space", "Play / pause"),
    ("Esc", "Leave the input editor (its keys go back to playback)"),
    ("→ / ←", "One time step forward / back"),
    ("Shift+→ / Shift+←", "One phase forward / back"),
    ("Home / End", "Jump to the first / last step"),
    ("Ctrl+O", "Open a model file"),
    ("Ctrl+E", "Export"),
    ("Ctrl+Q", "Quit"),
    ("F1", "This list"),
    ("Click a heatmap cell", "Jump to that step and select the unit (Ctrl+click: add a unit)"),
    ("Click a token or a chain module", "Jump to that step"),
)


def default_settings() -> QSettings:
    return QSettings("LSTM Explorer", "LSTM Explorer")


class MainWindow(QMainWindow):
    """The explorer. ``model``: a Model, a bundled name or a file path (None: the last one used,
    else the bundled default). ``settings``: where preferences live (tests pass a temporary file).
    ``open_later``: open the model after the event loop starts, so the window shows sooner."""

    def __init__(
        self,
        model: Any = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        open_later: bool = False,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else default_settings()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")
        self.resize(1600, 1000)
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.playback = Playback()
        self.player = Player(self.playback, self)
        self.model: Any = None
        self.model_spec = ""
        self.session: Session | None = None
        self.recompute: Recompute | None = None
        self.tokens: list[str] = []
        self.X: np.ndarray | None = None
        self.key: tuple[int, bool] = (0, False)
        self.theme_name = str(self.settings.value("theme", DEFAULT_THEME))
        if self.theme_name not in THEMES:
            self.theme_name = DEFAULT_THEME

        self._build_central()
        self._build_panels()
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()
        self.playback.position_changed.connect(self._on_position_changed)
        self.playback.trace_changed.connect(lambda _trace: self._update_status())
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(1000)
        self._save_timer.timeout.connect(self._save_input)

        self.apply_theme(self.theme_name)
        self.transport.set_speed(float(self.settings.value("speed", DEFAULT_SPEED)))  # type: ignore[arg-type]
        self.transport.loop.setChecked(_bool(self.settings.value("loop", False)))
        self._restore_layout()
        self._open_after_paint: list[Any] = []
        if open_later:
            # Start-up: paint the window first, then load and compute the model (≈0.1–0.2 s).
            self._open_after_paint.append(model)
        else:
            self._open_initial(model)

    # -- building ----------------------------------------------------------------------------
    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = QWidget()
        self.banner.setObjectName("banner")
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 6, 6)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("bannerText")
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.banner.hide)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(close)
        self.banner.hide()
        self.diagram = make_diagram_view(self.playback)
        self.diagram.setObjectName("diagram")
        self.diagram.setMinimumSize(360, 260)
        layout.addWidget(self.banner)
        layout.addWidget(self.diagram, 1)
        self.setCentralWidget(central)

    def _open_export(self) -> None:
        from ..export.dialog import open_export_dialog  # imported when used: 35 ms off start-up

        open_export_dialog(self)

    def _leave_editor(self) -> None:
        self.editor.edit.clearFocus()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_panels(self) -> None:
        L, R, B = (
            Qt.DockWidgetArea.LeftDockWidgetArea,
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.setCorner(Qt.Corner.BottomLeftCorner, B)
        self.setCorner(Qt.Corner.BottomRightCorner, B)
        self.editor = SequenceEditor()
        self.editor.sequence_changed.connect(self._on_sequence)
        self.editor.input_invalid.connect(lambda message: self.statusBar().showMessage(message, 8000))
        # Esc in the editor hands the arrow keys and Space back to playback.
        leave = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.editor.edit, context=Qt.ShortcutContext.WidgetShortcut)
        leave.activated.connect(self._leave_editor)
        self.equations = EquationsPanel(self.playback)
        self.predictions = PredictionsPanel(self.playback)
        self.heatmaps = HeatmapPanel(self.playback)
        self.transport = TransportBar(self.playback, self.player)
        self.chain = ChainView(self.playback)
        self.unit_plot = UnitPlot(self.playback)
        self.input_dock = self._dock("Input sequence", "inputDock", self.editor, L)
        self.equations_dock = self._dock("Equations", "equationsDock", self.equations, L)
        self.predictions_dock = self._dock("Predictions", "predictionsDock", self.predictions, B)
        self.heatmaps_dock = self._dock("Gate heatmaps", "heatmapsDock", self.heatmaps, R)
        self.transport_dock = self._dock("Transport", "transportDock", self.transport, B)
        self.chain_dock = self._dock("Unrolled chain", "chainDock", self.chain, B)
        self.unit_plot_dock = self._dock("Unit plot", "unitPlotDock", self.unit_plot, B)
        self.splitDockWidget(self.transport_dock, self.chain_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.chain_dock, self.unit_plot_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.unit_plot_dock, self.predictions_dock, Qt.Orientation.Horizontal)
        self.docks = [
            self.input_dock,
            self.equations_dock,
            self.predictions_dock,
            self.heatmaps_dock,
            self.chain_dock,
            self.unit_plot_dock,
            self.transport_dock,
        ]
        self._default_state = self.saveState()

    def _default_sizes(self) -> None:
        """Dock sizes for a first start (or View → Reset layout), once the window has its size."""
        width, height = self.width(), self.height()
        self.resizeDocks(
            [self.input_dock, self.heatmaps_dock], [int(width * 0.25), int(width * 0.27)], Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [self.input_dock, self.equations_dock], [int(height * 0.22), int(height * 0.5)], Qt.Orientation.Vertical
        )
        self.resizeDocks([self.transport_dock, self.chain_dock], [90, int(height * 0.24)], Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.chain_dock, self.unit_plot_dock, self.predictions_dock],
            [int(width * 0.38), int(width * 0.4), int(width * 0.22)],
            Qt.Orientation.Horizontal,
        )

    def _build_toolbar(self) -> None:
        bar = QToolBar("Model")
        bar.setObjectName("modelToolbar")
        bar.setMovable(False)
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("layerCombo")
        self.layer_combo.setToolTip("Which layer of a stacked network to show")
        self.layer_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.direction_combo = QComboBox()
        self.direction_combo.setObjectName("directionCombo")
        self.direction_combo.setToolTip("Which direction of a bidirectional network to show")
        self.direction_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar.addWidget(self.model_label)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(QLabel(" Layer "))
        bar.addWidget(self.layer_combo)
        bar.addWidget(QLabel("  Direction "))
        bar.addWidget(self.direction_combo)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_chosen)
        self.direction_combo.currentIndexChanged.connect(self._on_layer_chosen)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.model_toolbar = bar

    def _action(self, text: str, slot: Any, shortcut: Any = None, menu: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if slot is not None:
            action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(
            "&Open model…", self.choose_model_file, QKeySequence.StandardKey.Open, file_menu
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.bundled_menu = file_menu.addMenu("&Bundled models")
        self.bundled_menu.aboutToShow.connect(self._fill_bundled_menu)
        random_menu = file_menu.addMenu("New random &model")
        for kind in CELL_KINDS:
            self._action(cell_graph(kind).title, lambda _=False, k=kind: self.open_model(k), None, random_menu)
        file_menu.addSeparator()
        # File → Export…: the dialog in lstm_explorer/export, for what this window shows.
        self.export_action = self._action("&Export…", self._open_export, "Ctrl+E", file_menu)
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, file_menu)

        play_menu = bar.addMenu("&Playback")
        self.play_action = self._action("Play / pause", self.player.toggle, "Space", play_menu)
        self._action("Step forward", lambda: self.playback.step(1), "Right", play_menu)
        self._action("Step back", lambda: self.playback.step(-1), "Left", play_menu)
        self._action("Phase forward", lambda: self.playback.step_phase(1), "Shift+Right", play_menu)
        self._action("Phase back", lambda: self.playback.step_phase(-1), "Shift+Left", play_menu)
        self._action("Jump to start", self.playback.to_start, "Home", play_menu)
        self._action("Jump to end", self.playback.to_end, "End", play_menu)
        play_menu.addSeparator()
        self.cancel_action = self._action("Cancel computation", self._cancel_compute, None, play_menu)
        self.cancel_action.setEnabled(False)

        view_menu = bar.addMenu("&View")
        panels = view_menu.addMenu("&Panels")
        for dock in self.docks:
            panels.addAction(dock.toggleViewAction())
        self._action("Reset layout", self.reset_layout, None, view_menu)
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in THEMES:
            action = self._action(name.capitalize(), lambda _=False, n=name: self.apply_theme(n), None, theme_menu)
            action.setCheckable(True)
            group.addAction(action)
            self.theme_actions[name] = action
        self.walkthrough_action = self._action(
            "Explain each &phase on the diagram", self._on_walkthrough, None, view_menu
        )
        self.walkthrough_action.setCheckable(True)
        self._action("Fit diagram", self._fit_diagram, "Ctrl+0", view_menu)

        help_menu = bar.addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", help_menu)
        self.about_action = self._action(f"&About {APP_NAME}", self.show_about, None, help_menu)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.status_model = QLabel()
        self.status_kind = QLabel()
        self.status_sizes = QLabel()
        self.status_position = QLabel()
        self.status_position.setObjectName("statusPosition")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("computing %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_compute)
        self.progress.hide()
        self.cancel_button.hide()
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        for label in (self.status_model, self.status_kind, self.status_sizes, self.status_position):
            label.setContentsMargins(8, 0, 8, 0)
            status.addPermanentWidget(label)
        pin_size(self.status_position, "t = 100000 / 100000")  # its text changes on every step

    # -- models ------------------------------------------------------------------------------
    def _open_initial(self, model: Any) -> None:
        """The model asked for; else the last one used; else the bundled default; else a random LSTM.
        When the one asked for cannot be opened, the message stays up over the fallback."""
        if model is not None and self.open_model(model):
            return
        keep = model is not None
        last = self.settings.value("last_model")
        if model is None and isinstance(last, str) and last and self.open_model(last, quiet=True):
            return
        from ..models.bundled import DEFAULT_MODEL

        if self.open_model(DEFAULT_MODEL, quiet=True, keep_banner=keep):
            return
        self.open_model("lstm", keep_banner=keep)

    def _load(self, spec: Any) -> tuple[Any, str]:
        """A Model for a Model, bundled name, cell kind or path; raises with a message for the user."""
        from ..models import resolve_model
        from ..models.model import Model

        if isinstance(spec, Model):
            return spec, spec.name
        text = str(spec)
        if text in CELL_KINDS:
            from ..models import random_model

            return random_model(text, input_size=8, hidden_size=32, seed=0), text
        path = Path(text)
        if path.suffix.lower() in MODEL_SUFFIXES or path.exists():
            return resolve_model(str(path)), str(path.resolve())
        return resolve_model(text), text

    def open_model(self, spec: Any, *, quiet: bool = False, text: str | None = None, keep_banner: bool = False) -> bool:
        """Open a model; on failure show why and keep the current one. True if it opened."""
        from ..engine.weights import WeightsError
        from ..models import ModelFileError

        try:
            model, key = self._load(spec)
        except Exception as exc:  # a file from anywhere: any failure is the file's, reported as such
            if not quiet:
                name = Path(str(spec)).name if not hasattr(spec, "name") else spec.name
                problem = str(exc)
                if not isinstance(exc, ModelFileError | WeightsError | ValueError | OSError):
                    problem = f"{type(exc).__name__}: {problem}"  # unexpected: say what kind
                if problem.startswith(f"{name}: "):
                    problem = problem[len(name) + 2 :]
                self.show_error(f"Could not open <b>{_escape(name)}</b>: {_escape(problem)}")
            return False
        self._save_input()
        self.player.pause()
        if self.recompute is not None:
            self.recompute.cancel(silent=True)
            self._on_compute_stopped("")
        self.model, self.model_spec = model, key
        self.session = Session(model.network)
        self.recompute = Recompute(self.session, self)
        self.recompute.updated.connect(self._on_updated)
        self.recompute.started.connect(self._on_compute_started)
        self.recompute.progress.connect(self._on_compute_progress)
        self.recompute.stopped.connect(self._on_compute_stopped)
        self.recompute.failed.connect(lambda message: self.show_error(_escape(message)))
        self.X, self.tokens = None, []
        self.playback.set_trace(None)
        self.playback.select(())
        self._fill_layer_combos()
        if not keep_banner:
            self.banner.hide()
        self.model_label.setText(f"<b>{_escape(model.name)}</b> — {_escape(model.description)}")
        self.setWindowTitle(f"{model.name} — {APP_NAME}")
        self.equations.set_weights(model.network.layer(*self.key))
        self.settings.setValue("last_model", key)
        if key not in CELL_KINDS:
            self._remember_recent(key)
        saved = self.settings.value(f"input/{key}")
        if text is None and isinstance(saved, str) and saved:
            text = saved
        self._first_selection = True
        self.editor.set_model(model, text)
        self._update_status()
        return True

    def choose_model_file(self) -> None:
        start = str(self.settings.value("last_folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open a model", start, MODEL_FILTER)
        if path:
            self.settings.setValue("last_folder", str(Path(path).parent))
            self.open_model(path)

    def _remember_recent(self, key: str) -> None:
        recent = [r for r in _list(self.settings.value("recent_models")) if r != key]
        self.settings.setValue("recent_models", [key, *recent][:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = _list(self.settings.value("recent_models"))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for key in recent:
            self._action(
                Path(key).name if "/" in key else key, lambda _=False, k=key: self.open_model(k), None, self.recent_menu
            ).setToolTip(key)

    def _fill_bundled_menu(self) -> None:
        from ..models.bundled import list_bundled

        self.bundled_menu.clear()
        bundled = list_bundled()
        if not bundled:
            self.bundled_menu.addAction("(none installed)").setEnabled(False)
        for name, description in bundled:
            action = self._action(name, lambda _=False, n=name: self.open_model(n), None, self.bundled_menu)
            action.setToolTip(description)
            action.setStatusTip(description)

    def _fill_layer_combos(self) -> None:
        net = self.model.network
        for combo in (self.layer_combo, self.direction_combo):
            combo.blockSignals(True)
            combo.clear()
        for k in range(net.num_layers):
            self.layer_combo.addItem(f"{k + 1} of {net.num_layers}", k)
        self.direction_combo.addItem("forward", False)
        if net.bidirectional:
            self.direction_combo.addItem("backward", True)
        self.layer_combo.setEnabled(net.num_layers > 1)
        self.direction_combo.setEnabled(net.bidirectional)
        for combo in (self.layer_combo, self.direction_combo):
            combo.blockSignals(False)
        self.key = (0, False)

    def _on_layer_chosen(self, _index: int = 0) -> None:
        layer = self.layer_combo.currentData()
        reverse = self.direction_combo.currentData()
        if layer is None or reverse is None or self.model is None:
            return
        key = (int(layer), bool(reverse))
        if key == self.key:
            return
        flip = key[1] != self.key[1]
        self.key = key
        self.equations.set_weights(self.model.network.layer(*key))
        if self.session is not None and self.session.traces:
            t = self.playback.t
            if flip:
                t = self.playback.steps - 1 - t  # the same moment in the other direction's order
            self._show(0, t)

    # -- input and recompute -----------------------------------------------------------------
    def _on_sequence(self, X: np.ndarray, tokens: list[str], text: str) -> None:
        if self.recompute is None or self.model is None:
            return
        net = self.model.network
        nodes = len(net.graph.nodes) + 2
        need = len(X) * nodes * net.hidden_size * 8 * net.num_layers * len(net.directions)
        if need > MAX_TRACE_BYTES:
            self.show_error(
                f"{len(X)} steps of this model would need {need / 1e9:.1f} GB to record every gate; "
                "shorten the sequence."
            )
            return
        began = time.perf_counter()
        self.recompute.submit(X, (tokens, text))
        # Cheap updates (typing at the end) follow each key at once; costly ones wait for a pause.
        elapsed = time.perf_counter() - began
        cheap = elapsed < CHEAP_UPDATE_SECONDS and not self.recompute.busy
        self.editor.set_debounce(0 if cheap else DEBOUNCE_MS)
        self._save_timer.start()

    def _on_updated(self, update: Update, tag: Any) -> None:
        tokens, _text = tag if tag is not None else (self.tokens, "")
        appended = 0 < len(self.tokens) <= update.first_changed
        self.tokens = list(tokens)
        self.X = self.session.X if self.session is not None else None
        steps = len(self.tokens)
        # Show the first step the edit changed; after typing at the end, the newest step.
        t = steps - 1 if appended else min(update.first_changed, steps - 1)
        if self.key[1]:
            t = steps - 1 - t  # a backward direction reads the sequence from its end
        self._show(update.first_changed, t)
        if self._first_selection:
            self._first_selection = False
            self._select_interesting_unit()

    def _show(self, changed_from: int, t: int) -> None:
        """Give the playback the trace of the chosen layer and direction, at its step ``t``."""
        if self.session is None or self.key not in self.session.traces:
            return
        trace = self.session.traces[self.key]
        reverse = self.key[1]
        shown_tokens = self.tokens[::-1] if reverse else self.tokens
        if reverse or (self.key[0] > 0 and self.model.network.bidirectional):
            changed_from = 0
        self.transport.strip.set_tokens(shown_tokens)
        self.chain.set_tokens(shown_tokens)
        self.equations.tokens = shown_tokens
        self.predictions.set_source(self.model, self._top_output_at, self.X, self.tokens, reverse)
        self.playback.set_trace(trace, t=max(t, 0), changed_from=changed_from)

    def _top_output_at(self, t: int) -> np.ndarray:
        """The top layer's output at time step ``t`` (directions joined, as the readout reads it)."""
        assert self.session is not None and self.model is not None
        net, traces = self.model.network, self.session.traces
        top = net.num_layers - 1
        parts = [traces[(top, False)]["h"][t]]
        if net.bidirectional:
            backward = traces[(top, True)]["h"]
            parts.append(backward[len(backward) - 1 - t])
        return np.concatenate(parts)

    def _select_interesting_unit(self) -> None:
        """Start with the units the model's author points at (brackets: its depth counter), else the
        unit whose state moves the most over the input, so the plot says something."""
        trace = self.playback.trace
        if trace is None or self.playback.selected:
            return
        featured = self.model.featured_units if self.key == (0, False) else []
        if featured:
            self.playback.select(featured)
            return
        values = trace["c"] if "c" in trace else trace["h"]
        self.playback.select(int(np.argmax(np.ptp(values, axis=0))) if len(values) > 1 else 0)

    def _on_compute_started(self) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_action.setEnabled(True)
        self.statusBar().showMessage("Computing the sequence in the background…")

    def _on_compute_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _on_compute_stopped(self, why: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.cancel_action.setEnabled(False)
        if why == "cancelled":
            self.statusBar().showMessage("Computation cancelled: the views still show the previous sequence.", 8000)
        elif not why:
            self.statusBar().clearMessage()

    def _cancel_compute(self) -> None:
        if self.recompute is not None:
            self.recompute.cancel()

    # -- position and status -----------------------------------------------------------------
    def _on_position_changed(self, state: PlaybackState) -> None:
        self.status_position.setText(f"t = {state.t} / {max(state.steps - 1, 0)}" if state.steps else "t = – / –")

    def _update_status(self) -> None:
        model = self.model
        if model is None:
            return
        net = model.network
        self.status_model.setText(model.name)
        self.status_kind.setText(net.graph.title)
        sizes = f"input {net.input_size} · hidden {net.hidden_size}"
        if net.num_layers > 1:
            sizes += f" · {net.num_layers} layers"
        if net.bidirectional:
            sizes += " · bidirectional"
        self.status_sizes.setText(sizes)
        self._on_position_changed(self.playback.state)

    def show_error(self, html: str) -> None:
        """A problem the user caused (a bad file, a sequence too long): shown on a banner, non-modal."""
        t = theme(self.theme_name)
        self.banner.setStyleSheet(f"#banner {{ background: {t.error}; }} #bannerText {{ color: white; }}")
        self.banner_label.setText(html)
        self.banner.show()
        plain = QLabel(html).text()
        self.statusBar().showMessage(_strip_tags(plain), 10000)

    # -- theme, layout and settings ----------------------------------------------------------
    def apply_theme(self, name: str) -> None:
        self.theme_name = name if name in THEMES else DEFAULT_THEME
        t = theme(self.theme_name)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, self.theme_name)
        for panel in (self.heatmaps, self.unit_plot, self.equations, self.predictions):
            panel.set_theme(t)
        self.chain.set_theme(t)
        self.transport.strip.set_theme(t)
        self.transport.set_icon_colour(t.text)
        self.editor.set_error_colour(t.error)
        set_theme = getattr(self.diagram, "set_theme", None)
        if set_theme is not None:
            set_theme(self.theme_name)
        if self.theme_name in getattr(self, "theme_actions", {}):
            self.theme_actions[self.theme_name].setChecked(True)
        self.settings.setValue("theme", self.theme_name)

    def _on_walkthrough(self, on: bool) -> None:
        set_walkthrough = getattr(self.diagram, "set_walkthrough", None)
        if set_walkthrough is not None:
            set_walkthrough(on)

    def _fit_diagram(self) -> None:
        fit = getattr(self.diagram, "fit", None)
        if fit is not None:
            fit()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks:
            dock.show()
        self._default_sizes()

    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        else:
            QTimer.singleShot(0, self._default_sizes)
        nodes = self.settings.value("unit_plot_nodes")
        if nodes:
            self.unit_plot.set_nodes(_list(nodes))

    def _save_input(self) -> None:
        if self.model_spec:
            self.settings.setValue(f"input/{self.model_spec}", self.editor.text()[:200_000])

    def save_settings(self) -> None:
        self._save_input()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("theme", self.theme_name)
        self.settings.setValue("speed", self.player.speed)
        self.settings.setValue("loop", self.player.loop)
        self.settings.setValue("unit_plot_nodes", self.unit_plot.nodes)
        self.settings.sync()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._open_after_paint:
            model = self._open_after_paint.pop()
            QTimer.singleShot(0, lambda: self._open_initial(model))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.player.pause()
        if self.recompute is not None:
            self.recompute.cancel(silent=True)
        self.save_settings()
        super().closeEvent(event)

    # -- keys and drops ----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """The transport keys, for when a shortcut did not fire (the editor keeps its own keys)."""
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Space:
            self.player.toggle()
        elif key == Qt.Key.Key_Right:
            self.playback.step_phase(1) if shift else self.playback.step(1)
        elif key == Qt.Key.Key_Left:
            self.playback.step_phase(-1) if shift else self.playback.step(-1)
        elif key == Qt.Key.Key_Home:
            self.playback.to_start()
        elif key == Qt.Key.Key_End:
            self.playback.to_end()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_model(path)

    # -- help --------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(dialog)
        text = QTextBrowser()
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        text.setHtml(
            f"<table cellpadding='4'>{rows}</table><p>When the input editor has the focus, the arrow keys and "
            "Space edit the text; press Esc (or Tab) to hand them back to playback.</p>"
        )
        layout.addWidget(text)
        close = QPushButton("Close")
        close.clicked.connect(dialog.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        dialog.resize(520, 420)
        dialog.setModal(False)
        dialog.show()
        self.shortcuts_dialog = dialog

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", ABOUT_TEXT)


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
