"""The toolbar over the diagram: the model's name and description, and the Layer and Direction
pickers of a stacked or bidirectional network. It shows and sets fields of the document."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QToolBar, QWidget

from ..document import ExplorerDocument, Key
from .banner import escape


class ModelBar(QToolBar):
    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.document = document
        self.setObjectName("modelToolbar")
        self.setMovable(False)
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layer_combo = self._combo("layerCombo", "Which layer of a stacked network to show")
        self.direction_combo = self._combo("directionCombo", "Which direction of a bidirectional network to show")
        self.addWidget(self.model_label)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(spacer)
        self.addWidget(QLabel(" Layer "))
        self.addWidget(self.layer_combo)
        self.addWidget(QLabel("  Direction "))
        self.addWidget(self.direction_combo)
        document.events.model.connect(self._on_model)
        document.events.layer.connect(self._on_layer)

    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrow keys belong to playback
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self._on_chosen)
        return combo

    def _on_model(self, model: object) -> None:
        document = self.document
        if document.model is None:
            return
        self.model_label.setText(f"<b>{escape(document.model.name)}</b> — {escape(document.model.description)}")
        layers, directions = document.layer_choices()
        for combo, choices, value in (
            (self.layer_combo, layers, lambda key: key[0]),
            (self.direction_combo, directions, lambda key: key[1]),
        ):
            combo.blockSignals(True)
            combo.clear()
            for choice in choices:
                combo.addItem(choice.label, value(choice.key))
            combo.setEnabled(len(choices) > 1)
            combo.blockSignals(False)

    def _on_layer(self, key: Key) -> None:
        for combo, value in ((self.layer_combo, key[0]), (self.direction_combo, key[1])):
            index = combo.findData(value)
            if index >= 0 and index != combo.currentIndex():
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)

    def _on_chosen(self, _index: int) -> None:
        layer, reverse = self.layer_combo.currentData(), self.direction_combo.currentData()
        if layer is not None and reverse is not None and self.document.model is not None:
            self.document.set_layer((int(layer), bool(reverse)))
