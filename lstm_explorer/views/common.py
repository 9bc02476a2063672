"""Small helpers shared by the panels: which nodes to show, how to write their names."""

from __future__ import annotations

import re

from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPaintEvent, QPalette, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ..engine.graph import CellGraph, Node

#: Heatmap order by declared role: gates and candidates (in graph order), then the state.
_ROLE_ORDER = {"gate": 0, "candidate": 0, "cell_state": 1, "hidden": 2}

#: One colour per node name in plots (Okabe–Ito, colour-blind safe).
NODE_COLOURS = {
    "f": "#E69F00",
    "i": "#56B4E9",
    "g": "#009E73",
    "o": "#CC79A7",
    "c": "#D55E00",
    "h": "#0072B2",
    "r": "#E69F00",
    "z": "#56B4E9",
    "n": "#009E73",
    "tanh_c": "#999999",
}


def display_nodes(graph: CellGraph) -> list[Node]:
    """The nodes worth a heatmap, by the roles the graph declares: the gates and candidates, then
    the cell state and the hidden output (an LSTM's f, i, g, o, c, h; a GRU's r, z, n, h)."""
    chosen = [n for n in graph.nodes if n.role in _ROLE_ORDER]
    return sorted(chosen, key=lambda n: (_ROLE_ORDER[n.role], graph.names.index(n.name)))


def node_colour(name: str) -> str:
    return NODE_COLOURS.get(name, "#444444")


_SUB = re.compile(r"_\{([^}]*)\}|_([A-Za-z0-9]+)")


def label_html(label: str) -> str:
    """``h_{t-1}`` → ``h<sub>t−1</sub>``; ``C̃_t`` → ``C̃<sub>t</sub>``."""

    def sub(match: re.Match[str]) -> str:
        text = match.group(1) if match.group(1) is not None else match.group(2)
        return f"<sub>{text.replace('-', '−')}</sub>"

    escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SUB.sub(sub, escaped)


def label_plain(label: str) -> str:
    """``h_{t-1}`` → ``h_t−1`` without braces, for places that cannot show HTML."""
    return label.replace("_{t-1}", "_t−1").replace("{", "").replace("}", "")


def token_text(ch: str) -> str:
    """A character as shown on a timeline cell: visible stand-ins for blanks."""
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(ch, ch)


def pin_size(label: QLabel, widest: str) -> None:
    """Give a label whose text changes on every step a fixed size, as wide as ``widest``.

    A label with a fixed width *and* height does not ask its parents to lay out again when its text
    changes (Qt's updateGeometry stops there): one keystroke then relayouts no dock, nor the window.
    """
    metrics = label.fontMetrics()
    margins = label.contentsMargins()
    label.setFixedSize(
        metrics.horizontalAdvance(widest) + 8 + margins.left() + margins.right(),
        metrics.height() + 2 + margins.top() + margins.bottom(),
    )
    label.setAutoFillBackground(True)  # opaque: a new text repaints the label, not the dock under it


class RichTextBox(QWidget):
    """Rich text (QLabel's subset of HTML) in a box ``lines`` high whose width follows the layout.

    For text that changes on every step: a word-wrapped QLabel asks its dock and the window to lay
    out again on each ``setText``; this box only repaints itself.
    """

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 6)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)  # opaque: a new text repaints the box, not the dock under it

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._doc.setHtml(text)
            self.update()

    def plain_text(self) -> str:
        return self._doc.toPlainText()

    # Qt override
    def paintEvent(self, event: QPaintEvent) -> None:
        box = self.contentsRect()
        self._doc.setDefaultFont(self.font())
        self._doc.setTextWidth(box.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.Text, palette.color(QPalette.ColorRole.WindowText))
        context.palette = palette
        painter = QPainter(self)
        painter.setClipRect(box)
        painter.translate(box.topLeft())
        self._doc.documentLayout().draw(painter, context)
        painter.end()


def node_label(node: Node) -> str:
    """The name a node goes by in equations: its formula's left side (``i_t`` for 1 − f_t) or its label."""
    if " = " in node.formula:
        return node.formula.split(" = ")[0]
    return node.label
