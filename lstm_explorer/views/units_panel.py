"""The Units panel: which unit tracks a feature of the input, and are the gates saturated?

A feature (depth, quotes, column, a regex, a token, a CSV file: analysis/features.py) is
correlated with every unit of every node, layer and direction on a worker thread (progress,
Cancel). The rows fill a sortable table — a click selects the unit in every view, a right-click
holds or releases it — and the gates' saturation fills a scatter of the fraction of steps each
gate unit is left-saturated (< 0.1) against right-saturated (> 0.9), one dot per gate unit,
coloured by gate, as in Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding
Recurrent Networks". Bad input is named beside the field, and nothing else changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..analysis.features import FeatureError, check_varies, feature_values
from ..analysis.units import UnitTable, gate_nodes
from ..document import ExplorerDocument
from .common import node_colour
from .hold_menu import unit_menu
from .theme import Theme, theme
from .unit_finder import FinderJob, UnitTableModel

if TYPE_CHECKING:
    import pyqtgraph as pg

#: (label, spec prefix, what the free field holds, or "" when the feature takes no argument).
FEATURES = (
    ("bracket depth", "depth", ""),
    ("inside quotes", "quotes", ""),
    ("column", "column", ""),
    ("regex", "regex", "pattern, e.g. [aeiou]"),
    ("token", "token", "token, e.g. ) or \\n"),
    ("CSV file", "csv", "file: one number per line, one line per step"),
)


class UnitsPanel(QWidget):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.theme: Theme = theme("light")
        self.feature = QComboBox()
        self.feature.setObjectName("unitsFeature")
        for label, spec, _hint in FEATURES:
            self.feature.addItem(label, spec)
        self.argument = QLineEdit()
        self.argument.setObjectName("unitsArgument")
        self.browse = QPushButton("…")
        self.browse.setToolTip("Choose a CSV file")
        self.browse.clicked.connect(self._browse)
        self.find_button = QPushButton("Find units")
        self.find_button.setObjectName("unitsFind")
        self.find_button.clicked.connect(self.find_units)
        self.argument.returnPressed.connect(self.find_units)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.message = QLabel()
        self.message.setObjectName("unitsMessage")
        self.message.setWordWrap(True)
        self.summary = QLabel("Choose a feature of the input and press Find units.")
        self.summary.setObjectName("unitsSummary")
        self.summary.setWordWrap(True)
        self.feature.currentIndexChanged.connect(self._on_feature_choice)

        self.model = UnitTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("unitsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.clicked.connect(self._on_row_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_menu)
        self.unit_menu: QMenu | None = None
        self.scatter_widget: pg.PlotWidget | None = None
        self.scatter_items: dict[str, pg.ScatterPlotItem] = {}
        self._lower = QSplitter(Qt.Orientation.Horizontal)
        self._lower.addWidget(self.table)

        choose = QHBoxLayout()
        choose.addWidget(QLabel("Feature:"))
        choose.addWidget(self.feature)
        choose.addWidget(self.argument, 1)
        choose.addWidget(self.browse)
        choose.addWidget(self.find_button)
        choose.addWidget(self.progress)
        choose.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(choose)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self._lower, 1)

        self.job = FinderJob(self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(document.set_unit_search)
        self.job.stopped.connect(self._on_stopped)
        document.events.unit_search.connect(self._on_unit_search)
        document.events.model.connect(self._on_model)
        document.events.input.connect(self._on_input)
        self._show_busy(False)
        self._on_feature_choice()

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self.message.setStyleSheet(f"color: {t.error};")
        if self.scatter_widget is not None:
            self.scatter_widget.setBackground(t.plot_background)

    # -- the feature -------------------------------------------------------------------------
    def _on_feature_choice(self, *_: object) -> None:
        hint = FEATURES[self.feature.currentIndex()][2]
        self.argument.setEnabled(bool(hint))
        self.argument.setPlaceholderText(hint)
        self.browse.setVisible(self.feature.currentData() == "csv")
        self.message.clear()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A feature: one number per step", "", "CSV or text (*.csv *.txt)")
        if path:
            self.argument.setText(path)

    def spec(self) -> str:
        """The feature as the command line's ``--feature`` writes it."""
        name = str(self.feature.currentData())
        return f"{name}:{self.argument.text()}" if FEATURES[self.feature.currentIndex()][2] else name

    def feature_values(self) -> np.ndarray:
        """The chosen feature over the input; raises FeatureError (what is wrong, for the message)."""
        document = self.document
        model = document.model
        if model is None or not document.traces or document.steps == 0:
            raise FeatureError("there is no input yet: type a sequence first")
        vocab = model.vocabulary
        tokens = document.tokens if vocab is not None else None
        joiner = " " if vocab is not None and vocab.kind == "words" else ""
        values = feature_values(self.spec(), tokens, steps=document.steps, joiner=joiner, base=Path.cwd())
        check_varies(self.spec(), values)
        return values

    # -- finding -----------------------------------------------------------------------------
    def find_units(self) -> None:
        """Check the feature (a problem is named beside the field; nothing else changes), then
        correlate every unit with it on a worker thread."""
        try:
            values = self.feature_values()
        except FeatureError as exc:
            self.message.setText(str(exc))
            return
        self.message.clear()
        self.progress.setValue(0)
        self._show_busy(True)
        self.job.start(self.document.traces, values, self.spec())

    def cancel(self) -> None:
        self.job.cancel()

    def _show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.find_button.setEnabled(not busy)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _on_stopped(self, why: str) -> None:
        self._show_busy(False)
        if why == "cancelled":
            self.summary.setText("Cancelled: the table shows the previous search, if any.")
        elif why:
            self.message.setText(why)

    def _on_input(self, _tokens: object) -> None:
        if self.job.busy:  # the traces it reads are being replaced: its answer would be stale
            self.job.cancel()

    def _on_model(self, _model: object) -> None:
        self.job.cancel()
        self._on_unit_search(None)

    # -- showing the result ------------------------------------------------------------------
    def _on_unit_search(self, table: UnitTable | None) -> None:
        self.show_search(table)

    def show_search(self, table: UnitTable | None) -> None:
        """Fill the table, the summary and the scatter with a search's rows (None: empty)."""
        self.model.set_table(table)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        self._scatter(table)
        if table is None:
            self.summary.setText("Choose a feature of the input and press Find units.")
            return
        top = table.top(1)
        best = f"; the strongest is {top[0].name} (r = {top[0].r:+.3f})" if top and not np.isnan(top[0].r) else ""
        self.summary.setText(f"{table.feature}: {len(table)} units{best}. Click a row to select it everywhere.")
        self.table.resizeColumnsToContents()

    def _scatter(self, table: UnitTable | None) -> None:
        import pyqtgraph as pg

        if self.scatter_widget is None:
            plot = pg.PlotWidget()
            plot.setObjectName("saturationScatter")
            plot.setBackground(self.theme.plot_background)
            plot.setLabel("bottom", "left-saturated (&lt; 0.1)")
            plot.setLabel("left", "right-saturated (&gt; 0.9)")
            plot.setXRange(0, 1, padding=0.04)
            plot.setYRange(0, 1, padding=0.04)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            # The diagonal x + y = 1: gates on it are always saturated one way or the other.
            plot.plot([0, 1], [1, 0], pen=pg.mkPen("#888888", style=Qt.PenStyle.DotLine))
            plot.addLegend(offset=(-10, 10))
            self.scatter_widget = plot
            self._lower.addWidget(plot)
            self._lower.setSizes([600, 320])
        for item in self.scatter_items.values():
            self.scatter_widget.removeItem(item)
        self.scatter_items = {}
        legend = self.scatter_widget.plotItem.legend
        if legend is not None:
            legend.clear()
        if table is None or self.document.model is None:
            return
        for name in gate_nodes(self.document.network.graph):
            rows = table.node == name
            if not rows.any():
                continue
            colour = node_colour(name)
            item = pg.ScatterPlotItem(
                table.left_saturated[rows],
                table.right_saturated[rows],
                size=7,
                pen=pg.mkPen("#222222", width=0.5),
                brush=pg.mkBrush(colour),
                name=f"{name} gate",
            )
            self.scatter_widget.addItem(item)
            self.scatter_items[name] = item

    # -- choosing a unit ---------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        """Show the row's layer and direction and select its unit in every view."""
        key, _node, unit = self.model.row_unit(row)
        self.document.set_layer(key)
        self.document.playback.select(unit)

    def _on_row_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.select_row(index.row())

    def open_unit_menu(self, row: int, global_pos: QPoint) -> QMenu:
        key, node, unit = self.model.row_unit(row)
        self.unit_menu = unit_menu(self.document, node, unit, self, key=key)
        self.unit_menu.popup(global_pos)
        return self.unit_menu

    def _on_table_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.open_unit_menu(index.row(), self.table.viewport().mapToGlobal(pos))

    @property
    def rows_shown(self) -> int:
        return self.model.rowCount()

    def cell_text(self, row: int, column: int) -> Any:
        return self.model.data(self.model.index(row, column))
