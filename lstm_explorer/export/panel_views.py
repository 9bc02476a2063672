"""Frame sources for the window's panels: each panel exported on its own, the unrolled chain, the
Units panel and the whole dashboard — fresh panels given the document's fields, drawn offscreen by
the same code that draws them in the window (see :mod:`.registry`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from .options import ExportError, ExportOptions
from .views import OwnWidgetFrames

if TYPE_CHECKING:
    from ..document import ExplorerDocument
    from ..views.theme import Theme
    from .frames import FrameSource

#: Panels exported on their own: registry name → label.
PANELS = {"heatmaps": "Gate heatmaps", "unit_plot": "Unit plot", "equations": "Equations", "predictions": "Predictions"}


def panel_theme(options: ExportOptions) -> Theme:
    from ..views.theme import THEMES

    if options.theme not in THEMES:
        raise ExportError(f"unknown theme {options.theme!r}; choose {' or '.join(THEMES)}")
    return THEMES[options.theme]


def make_panel(name: str, document: ExplorerDocument) -> QWidget:
    """A fresh panel showing ``document`` (made for one export, never on screen)."""
    from ..views.chain import ChainView
    from ..views.equations import EquationsPanel
    from ..views.heatmaps import HeatmapPanel
    from ..views.predictions import PredictionsPanel
    from ..views.strips import TokenStrip
    from ..views.unit_plot import UnitPlot

    makers: dict[str, Callable[[ExplorerDocument], QWidget]] = {
        "heatmaps": HeatmapPanel,
        "unit_plot": UnitPlot,
        "equations": EquationsPanel,
        "predictions": PredictionsPanel,
        "chain": ChainView,
        "tokens": TokenStrip,
    }
    return makers[name](document)


def replay(document: ExplorerDocument, widgets: list[QWidget], theme: Theme) -> None:
    """Give new panels the document's current fields, as the window's panels got them live."""
    for widget in widgets:
        set_theme = getattr(widget, "set_theme", None)
        if set_theme is not None:
            set_theme(theme)
    events, playback = document.events, document.playback
    state = playback.state
    events.model.emit(document.model)
    events.layer.emit(document.layer)
    events.input.emit(document.tokens)
    events.traces.emit(0)
    events.interventions.emit(document.interventions)
    playback.set_trace(document.trace, t=state.t)
    playback.select(state.selected)


#: Hints for a person with a mouse, which say nothing in a video ("Hover over a heatmap …").
HOVER_HINTS = ("heatmapInfo",)
#: Lines for the prose boxes by object name (the equations' step and phase explanation): on screen
#: the reader can resize the dock to read the rest, in a frame nobody can.
PROSE_LINES = {"equationsHeader": 5}


def _for_the_page(widget: QWidget) -> None:
    """No scroll bars (the panels scroll to the current step themselves), no hover hints, and room
    for the prose."""
    from ..views.common import RichTextBox

    for name, lines in PROSE_LINES.items():
        for box in widget.findChildren(RichTextBox, name):
            box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 6)
    for area in [widget, *widget.findChildren(QAbstractScrollArea)]:
        if isinstance(area, QAbstractScrollArea):
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    for name in HOVER_HINTS:
        for hint in widget.findChildren(QWidget, name):
            hint.hide()


def finish(widgets: list[QWidget]) -> None:
    """Draw what panels draw later on screen (heatmap tiles are coloured in time slices)."""
    for widget in widgets:
        _for_the_page(widget)
        render_all = getattr(widget, "render_all", None)
        if render_all is not None:
            render_all()


def panel_source(name: str, document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    from ..views.theme import make_palette

    widget = make_panel(name, document)
    widget.setPalette(make_palette(options.theme))
    source = OwnWidgetFrames(widget, document.playback, options.size, transparent=options.transparent)
    replay(document, [widget], panel_theme(options))
    finish([widget])
    return source


def units_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    """The Units panel: the finder's table and the saturation scatter of the document's last search."""
    from ..views.units_panel import UnitsPanel

    panel = UnitsPanel(document)
    panel.set_theme(panel_theme(options))
    source = OwnWidgetFrames(panel, document.playback, options.size, transparent=options.transparent)
    panel.show_search(document.unit_search)
    return source


def chain_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    return panel_source("chain", document, options)


def dashboard_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    """Every panel laid out as in the window, drawn by the panels themselves: no menu bar, dock
    title bars or hover text, whatever the window looks like at the time."""
    from PySide6.QtWidgets import QGridLayout, QSizePolicy

    from ..views.diagram_panel import make_diagram_view
    from ..views.theme import make_palette

    theme = panel_theme(options)
    board = QWidget()
    board.setAutoFillBackground(True)
    board.setPalette(make_palette(theme.name))  # the panels' text boxes and plots in the export's theme
    grid = QGridLayout(board)
    grid.setContentsMargins(6, 6, 6, 6)
    grid.setSpacing(6)
    diagram = make_diagram_view(document, synchronous=True)  # (in the backward mode, as the window shows it)
    getattr(diagram, "set_theme", lambda _name: None)(options.theme)
    panels = {
        name: make_panel(name, document)
        for name in ("equations", "heatmaps", "tokens", "chain", "unit_plot", "predictions")
    }
    grid.addWidget(panels["equations"], 0, 0)
    grid.addWidget(diagram, 0, 1, 1, 2)
    grid.addWidget(panels["heatmaps"], 0, 3)
    grid.addWidget(panels["tokens"], 1, 0, 1, 4)
    grid.addWidget(panels["chain"], 2, 0, 1, 2)
    grid.addWidget(panels["unit_plot"], 2, 2)
    grid.addWidget(panels["predictions"], 2, 3)
    for column, stretch in enumerate((6, 6, 4, 6)):  # the equations' prose needs the width
        grid.setColumnStretch(column, stretch)
    grid.setRowStretch(0, 5)
    grid.setRowStretch(2, 3)
    widgets = [*panels.values(), diagram]
    for widget in (diagram, panels["equations"], panels["heatmaps"], panels["chain"]):
        # The grid's proportions, not these panels' on-screen size hints, share out the frame: a
        # frame has no scroll bars or splitters to make up for a squeezed diagram.
        widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    source = OwnWidgetFrames(board, document.playback, options.size, transparent=False)
    replay(document, list(panels.values()), theme)
    fit = getattr(diagram, "fit", None)
    if fit is not None:
        fit()
    finish(widgets)
    return source
