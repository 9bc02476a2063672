"""A grey veil over a panel while the typed input cannot be shown (a character outside the
vocabulary, a number that does not parse, an empty input): the panel still shows the last valid
input, and the veil says so, so nobody reads old results as the answer to new input."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ..document import ExplorerDocument

MESSAGE = "showing the last valid input"


class StaleVeil(QWidget):
    """A child of ``panel`` covering it; visible while ``document.input_problem`` is set."""

    def __init__(self, document: ExplorerDocument, panel: QWidget) -> None:
        super().__init__(panel)
        self.document = document
        self.setObjectName("staleVeil")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the panel stays usable
        panel.installEventFilter(self)
        self.setGeometry(panel.rect())
        self.hide()
        document.events.input_problem.connect(self._on_input_problem)

    def _on_input_problem(self, problem: str) -> None:
        self.setVisible(bool(problem))
        if problem:
            self.raise_()
            self.setToolTip(f"{MESSAGE}: {problem}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(128, 128, 128, 110))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(MESSAGE).adjusted(-10, -6, 10, 6)
        box.moveCenter(self.rect().center())
        painter.fillRect(box, QColor(40, 40, 40, 220))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, MESSAGE)
        painter.end()
