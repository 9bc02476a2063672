"""The Units table's model: sorting by a column (r by |r|), blanks last, and back to |r| order."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from lstm_explorer.analysis import find_units
from lstm_explorer.models import random_model
from lstm_explorer.views.unit_finder import COLUMNS, UnitTableModel

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def table():
    model = random_model("lstm", input_size=2, hidden_size=5, seed=2)
    X = np.random.default_rng(0).normal(size=(40, 2))
    return find_units(model.network.run(X), X[:, 0], spec="x0")


def column(name: str) -> int:
    return [attr for _, attr in COLUMNS].index(name)


def test_sorting_by_columns_keeps_blanks_last_and_r_by_its_size(qapp):
    rows = table()
    model = UnitTableModel()
    model.set_table(rows)
    assert list(model.rows) == list(rows.order())  # strongest |r| first
    model.sort(column("r"), ASC)
    strength = np.abs(rows.r[model.rows])
    assert np.all(np.diff(strength) >= 0)
    model.sort(column("left_saturated"), DESC)
    values = rows.left_saturated[model.rows]
    gates = ~np.isnan(values)
    assert gates.sum() == 15 and gates[:15].all()  # i, f, o units first, non-gates (blank) last
    assert np.all(np.diff(values[:15]) <= 0)
    assert model.data(model.index(len(rows) - 1, column("left_saturated"))) == ""
    model.sort(column("node"), ASC)
    names = [model.data(model.index(k, 0)) for k in range(len(rows))]
    assert names == sorted(names)
    model.sort(-1, DESC)  # the header's "no sort column"
    assert list(model.rows) == list(rows.order())
