"""Running the unit finder (analysis/units.py) on a worker thread, with progress and Cancel, and
the Units table's model: the finder's columns, sortable."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from ..analysis.units import UnitTable, find_units
from ..engine.trace import Trace
from ..session import CancelledError

Key = tuple[int, bool]
Index = QModelIndex | QPersistentModelIndex


class FinderJob(QObject):
    """One search at a time; ``finished(table)``, ``progress(done, total)``, ``stopped(why)`` —
    "" when done, "cancelled", or a failure's message — arrive on the GUI thread."""

    progress = Signal(int, int)
    finished = Signal(object)
    stopped = Signal(str)
    _done = Signal(int, object)
    _progress = Signal(int, int, int)
    _failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = 0
        self._stop: threading.Event | None = None
        self._done.connect(self._on_done)
        self._progress.connect(self._on_progress)
        self._failed.connect(self._on_failed)

    @property
    def busy(self) -> bool:
        return self._stop is not None

    def start(self, traces: Mapping[Key, Trace], feature: np.ndarray, spec: str) -> None:
        """Correlate every unit of ``traces`` with ``feature`` on a worker thread."""
        self.cancel()
        self._job += 1
        job, stop = self._job, threading.Event()
        self._stop = stop
        traces = dict(traces)

        def work() -> None:
            try:
                table = find_units(
                    traces,
                    feature,
                    spec=spec,
                    progress=lambda done, total: self._progress.emit(job, done, total),
                    cancelled=stop.is_set,
                )
            except CancelledError:
                self._failed.emit(job, "cancelled")
            except ValueError as exc:
                self._failed.emit(job, str(exc))
            except Exception:  # a bug: reported like any other on the GUI thread
                self._failed.emit(job, "failed")
                sys.excepthook(*sys.exc_info())
            else:
                self._done.emit(job, table)

        threading.Thread(target=work, name=f"unit-finder-{job}", daemon=True).start()

    def cancel(self) -> None:
        """Stop the search; ``stopped("cancelled")`` follows at once (a late result is dropped)."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None
            self._job += 1  # whatever the worker still sends is for an older job
            self.stopped.emit("cancelled")

    def _on_progress(self, job: int, done: int, total: int) -> None:
        if job == self._job:
            self.progress.emit(done, total)

    def _on_done(self, job: int, table: UnitTable) -> None:
        if job == self._job:
            self._stop = None
            self.stopped.emit("")
            self.finished.emit(table)

    def _on_failed(self, job: int, why: str) -> None:
        if job == self._job:
            self._stop = None
            self.stopped.emit(why)


#: (header, UnitTable attribute) per column.
COLUMNS = (
    ("node", "node"),
    ("layer", "layer"),
    ("direction", "reverse"),
    ("unit", "unit"),
    ("r", "r"),
    ("mean", "mean"),
    ("min", "min"),
    ("max", "max"),
    ("left sat.", "left_saturated"),
    ("right sat.", "right_saturated"),
)


class UnitTableModel(QAbstractTableModel):
    """The finder's rows (strongest |r| first until a header is clicked), read from its arrays."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: UnitTable | None = None
        self.rows = np.zeros(0, dtype=np.intp)  # display row → table row

    def set_table(self, table: UnitTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = table.order() if table is not None else np.zeros(0, dtype=np.intp)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        k = int(self.rows[index.row()])
        name = COLUMNS[index.column()][1]
        value = getattr(self.table, name)[k]
        if name == "reverse":
            return "backward" if value else "forward"
        if name in ("node",):
            return str(value)
        if name in ("layer", "unit"):
            return int(value)
        return (
            "" if np.isnan(value) else f"{float(value):+.3f}" if name in ("r", "mean", "min", "max") else f"{value:.3f}"
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By a column; r by its size |r| (the strongest either way first when descending); blanks last."""
        if self.table is None:
            return
        if not 0 <= column < len(COLUMNS):  # no sort column: strongest |r| first again
            self.layoutAboutToBeChanged.emit()
            self.rows = self.table.order()
            self.layoutChanged.emit()
            return
        name = COLUMNS[column][1]
        values = getattr(self.table, name)
        if name == "r":
            values = np.abs(values)
        descending = order == Qt.SortOrder.DescendingOrder
        if values.dtype == object:
            keys = np.array([str(v) for v in values])
            rows = np.argsort(keys, kind="stable")
            rows = rows[::-1] if descending else rows
        else:
            numbers = values.astype(np.float64)
            blank = np.isnan(numbers)
            numbers = np.where(blank, 0.0, -numbers if descending else numbers)
            rows = np.lexsort((numbers, blank))  # blanks last, then by value
        self.layoutAboutToBeChanged.emit()
        self.rows = rows
        self.layoutChanged.emit()

    def row_unit(self, row: int) -> tuple[Key, str, int]:
        """((layer, reverse), node, unit) of a displayed row."""
        assert self.table is not None
        k = int(self.rows[row])
        return (int(self.table.layer[k]), bool(self.table.reverse[k])), str(self.table.node[k]), int(self.table.unit[k])
