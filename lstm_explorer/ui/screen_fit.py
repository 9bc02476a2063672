"""Fitting the window to the screen it is on, with the cell diagram taking the largest share.

A first start fills the screen's available area (1366×768 laptop to 4K); a restored geometry is
pulled back inside it. Dock sizes are fractions of the window: narrow side columns and a short
bottom row, so the diagram in the centre gets what is left. Up to 1080p the heatmaps and the
unit plot share a tab group beside the chain, and the predictions one with the equations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QTabBar, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

#: Below either size (a laptop, a 1080p monitor) there is no right-hand column: the heatmaps and
#: the unit plot share a tab group beside the chain, so the diagram gets the whole middle.
SMALL_WINDOW = QSize(2400, 1200)
#: How often and how many times a first launch looks for its window frame (none offscreen).
FRAME_POLL_MS, FRAME_POLLS = 100, 30
#: Shares of the window (fractions of its width or height).
LEFT_COLUMN = 0.18  # input above equations
RIGHT_COLUMN = 0.22  # heatmaps, on large screens
SIDE_COLUMN = 0.36  # a panel opened beside the diagram (Gradients on a laptop)
BOTTOM_ROW = 0.22  # chain | unit plot | predictions (laptop: chain | tabs)
INPUT_SHARE = 0.3  # of the left column's height; the equations take the rest


def available_geometry(window: QWidget) -> QRect:
    """The usable area (without panels and docks of the desktop) of the screen the window is on."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_first_launch(window: MainWindow) -> None:
    """Fill the available area of the window's screen; once framed, pull the frame inside it and
    lay the docks out again for the size left."""
    area = available_geometry(window)
    window.setGeometry(area)
    QTimer.singleShot(0, window, lambda: arrange_docks(window))  # once the window has that size
    keep_on_screen_when_framed(window, rearrange=True, unless_resized_from=area.size())


def keep_on_screen_when_framed(
    window: MainWindow, *, rearrange: bool = False, unless_resized_from: QSize | None = None
) -> None:
    """:func:`keep_on_screen` once the window manager has framed the window (title bar, borders:
    on X11 a few hundred ms after it is shown; offscreen never, and then nothing needs doing).
    ``unless_resized_from``: the size a first launch gave; if the window manager, the user or the
    program has resized the window since, that size stands."""
    timer = QTimer(window, interval=FRAME_POLL_MS)  # parented: it goes with the window
    polls = iter(range(FRAME_POLLS))

    def check() -> None:
        framed = window.frameGeometry() != window.geometry()
        resized = unless_resized_from is not None and window.size() != unless_resized_from
        if framed or resized or next(polls, None) is None:
            timer.stop()
            timer.deleteLater()
        if resized:
            return
        if framed or window.height() > available_geometry(window).height():
            keep_on_screen(window)
            if rearrange:
                arrange_docks(window)

    timer.timeout.connect(check)
    timer.start()


def keep_on_screen(window: QMainWindow) -> None:
    """Pull the window (frame included) inside the available area: never larger, never off it."""
    if window.isFullScreen() or window.isMaximized():
        return
    area = available_geometry(window)
    frame, inner = window.frameGeometry(), window.geometry()
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    size = inner.size().boundedTo(area.size() - extra)
    if size != inner.size():
        window.resize(size)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def scrollable(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: its dock can be shorter than the panel's minimum
    (the predictions' five bars), so a laptop's bottom row or left column is not held open."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    return area


def is_small(window: QWidget) -> bool:
    return window.width() < SMALL_WINDOW.width() or window.height() < SMALL_WINDOW.height()


def _tab_beside_heatmaps(window: MainWindow, tall_column: bool) -> None:
    """The Units and Interventions panels go wherever the heatmaps go, as tabs beside them. Panels
    that need height (the Gradients curves) join them only when the heatmaps have a tall column;
    otherwise they get a column of their own on the right, beside the diagram. A closed panel stays
    closed but opens in that place (docking or tabifying would show it)."""
    for dock in (*window.beside_heatmaps, *window.tall_docks):
        closed = dock.isHidden()
        if tall_column or dock not in window.tall_docks:
            window.tabifyDockWidget(window.heatmaps_dock, dock)
        else:
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        if closed:
            dock.hide()


def bring_forward(window: MainWindow, dock: QDockWidget) -> None:
    """A panel just opened from View → Panels: its tab in front; in a column of its own, as wide
    as the diagram can spare (Qt would split the width in half, shrinking the diagram's labels)."""
    dock.raise_()
    if not window.tabifiedDockWidgets(dock) and not dock.isFloating():
        width = int(window.width() * SIDE_COLUMN)
        QTimer.singleShot(0, window, lambda: window.resizeDocks([dock], [width], Qt.Orientation.Horizontal))


def arrange_docks(window: MainWindow) -> None:
    """Dock places and sizes for this window size (a first start, or View → Reset layout)."""
    w, h = window.width(), window.height()
    window.transport_dock.setTitleBarWidget(QWidget())  # the controls say what it is: the row goes to the diagram
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    bottom = [window.chain_dock, window.unit_plot_dock, window.predictions_dock]
    if is_small(window):
        # The bottom row is as short as the chain allows: the plots share a tab group beside it,
        # and the predictions share one with the equations in the left column.
        window.tabifyDockWidget(window.unit_plot_dock, window.heatmaps_dock)
        _tab_beside_heatmaps(window, tall_column=False)
        window.tabifyDockWidget(window.equations_dock, window.predictions_dock)
        # Six heatmaps need a row of 200 px to be read; on a laptop they are a tab away.
        (window.heatmaps_dock if h * BOTTOM_ROW >= 200 else window.unit_plot_dock).raise_()
        window.equations_dock.raise_()
        window.resizeDocks([window.input_dock], [int(w * LEFT_COLUMN)], horizontal)
        window.resizeDocks(bottom[:2], [int(w * 0.45), int(w * 0.55)], horizontal)
    else:
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, window.heatmaps_dock)
        _tab_beside_heatmaps(window, tall_column=True)
        window.heatmaps_dock.raise_()
        window.splitDockWidget(window.unit_plot_dock, window.predictions_dock, horizontal)
        columns = [int(w * LEFT_COLUMN), int(w * RIGHT_COLUMN)]
        window.resizeDocks([window.input_dock, window.heatmaps_dock], columns, horizontal)
        window.resizeDocks(bottom, [int(w * 0.4), int(w * 0.4), int(w * 0.2)], horizontal)
    window.resizeDocks([window.input_dock, window.equations_dock], [int(h * INPUT_SHARE), h], vertical)
    transport = window.transport_dock.widget().sizeHint().height()
    window.resizeDocks([window.transport_dock, window.chain_dock], [transport, int(h * BOTTOM_ROW)], vertical)
    QTimer.singleShot(0, window, lambda: hide_stale_tab_bars(window))


def hide_stale_tab_bars(window: QMainWindow) -> None:
    """Hide tab bars that belong to no tab group any more. After restoreState (View → Reset
    layout) re-grouping the docks leaves Qt's tab bars for the restored groups visible, drawn over
    the chain or the token strip (seen with Qt 6.8–6.11; Qt reuses and shows them itself if needed)."""

    def is_open(dock: QDockWidget) -> bool:  # open, even when behind another tab
        return dock.toggleViewAction().isChecked()

    groups = set()
    for dock in filter(is_open, window.findChildren(QDockWidget)):
        group = [dock, *filter(is_open, window.tabifiedDockWidgets(dock))]
        groups.add(frozenset(d.windowTitle() for d in group))
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window and bar.isVisible():
            titles = frozenset(bar.tabText(i) for i in range(bar.count()))
            if titles not in groups:
                bar.hide()
