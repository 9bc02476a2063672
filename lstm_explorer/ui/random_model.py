"""File → New random model → a cell kind: random weights of that kind on the same task — the
input, vocabulary and readout of the open model stay, so cell kinds can be compared on the same
sentence. A small dialog asks for the hidden size, the number of layers and the seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QWidget

from ..engine.cells import cell_graph

if TYPE_CHECKING:
    from ..models.model import Model


class RandomModelDialog(QDialog):
    def __init__(self, kind: str, hidden: int, layers: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(f"New random {cell_graph(kind).title}")
        self.hidden_spin = _spin(1, 4096, hidden, "Units per layer (hidden size)")
        self.layers_spin = _spin(1, 8, layers, "Stacked layers")
        self.seed_spin = _spin(0, 2**31 - 1, 0, "The same seed gives the same weights")
        form = QFormLayout(self)
        form.addRow(QLabel("Random weights; the input, vocabulary and readout size stay as they are."))
        form.addRow("Hidden size", self.hidden_spin)
        form.addRow("Layers", self.layers_spin)
        form.addRow("Seed", self.seed_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def ask_random_model(
    parent: QWidget, kind: str, current: Model | None, open_model: Callable[[Model], object]
) -> QDialog:
    """Open the dialog (window-modal, no nested event loop); on OK, ``open_model`` the new model."""
    from ..models import random_model  # the model code loads when a model is made
    from ..models.variants import random_like

    hidden = current.network.hidden_size if current is not None else 32
    layers = current.network.num_layers if current is not None else 1
    dialog = RandomModelDialog(kind, hidden, layers, parent)

    def make() -> None:
        hidden, layers, seed = dialog.hidden_spin.value(), dialog.layers_spin.value(), dialog.seed_spin.value()
        if current is None:
            open_model(random_model(kind, input_size=8, hidden_size=hidden, num_layers=layers, seed=seed))
        else:
            open_model(random_like(current, kind, hidden_size=hidden, num_layers=layers, seed=seed))

    dialog.accepted.connect(make)
    dialog.open()
    return dialog


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(min(max(value, low), high))
    spin.setToolTip(tip)
    return spin
