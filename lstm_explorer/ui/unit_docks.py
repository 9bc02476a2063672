"""The docks for finding and changing what a unit does: the Units panel (the unit finder, the
saturation scatter) and the Interventions list, tabbed with the heatmaps on the right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from ..views.interventions_panel import InterventionsPanel
from ..views.units_panel import UnitsPanel

if TYPE_CHECKING:
    from .main_window import MainWindow


@dataclass
class UnitDocks:
    units: UnitsPanel
    interventions: InterventionsPanel
    units_dock: QDockWidget
    interventions_dock: QDockWidget


def add_unit_docks(window: MainWindow) -> UnitDocks:
    """Make the Units and Interventions panels and dock them as tabs beside the heatmaps."""
    units = UnitsPanel(window.document)
    interventions = InterventionsPanel(window.document)
    area = Qt.DockWidgetArea.RightDockWidgetArea
    units_dock = window._dock("Units", "unitsDock", units, area)
    interventions_dock = window._dock("Interventions", "interventionsDock", interventions, area)
    window.tabifyDockWidget(window.heatmaps_dock, units_dock)
    window.tabifyDockWidget(units_dock, interventions_dock)
    window.beside_heatmaps += [units_dock, interventions_dock]
    window.heatmaps_dock.raise_()
    return UnitDocks(units, interventions, units_dock, interventions_dock)
