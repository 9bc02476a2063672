"""The current step's equations for the selected unit, with the actual numbers substituted.

Derived from the cell graph: a learned layer's pre-activation is the sum of its terms and biases
(read from the weights at the unit's row of the node's slot); a pointwise node with a formula is
expanded through the pointwise nodes that feed it, down to named values. So every variant gets its
equations without code of its own, e.g. ``f_t[3] = σ(W_f[3]·[h_t−1, x_t] + b_f[3]) = σ(2.41) = 0.918``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..engine.evaluate import folded_preactivation
from ..engine.graph import CellGraph, Node
from ..engine.ops import OPS
from ..engine.trace import Trace
from ..engine.weights import LayerWeights
from ..playback import PlaybackState
from .common import RichTextBox, label_html, node_label
from .theme import Theme, theme


@dataclass
class Equation:
    node: str
    html: str  # the whole line
    value: float


def _num(v: float | Decimal) -> str:
    text = f"{v:.3e}" if abs(float(v)) >= 1e5 else f"{v:.3f}"  # 1.000e+308, not 309 digits
    return text.replace("-", "−")


def _preactivation_num(folded: float, fold: float) -> str:
    """The pre-activation folded / fold, written exactly even where it lies beyond float64."""
    value = folded / fold
    if math.isfinite(value) or not math.isfinite(folded):
        return _num(value)
    return _num(Decimal(folded) / Decimal(fold))  # exact: fold is a power of two


def _sub(symbol: str, index: str) -> str:
    return f"{symbol}<sub>{index}</sub>" if index else symbol


class EquationBuilder:
    """Equations of one cell graph with one layer's weights."""

    def __init__(self, graph: CellGraph, weights: LayerWeights | None) -> None:
        self.graph = graph
        self.weights = weights
        self.single_slot = len(graph.slots) == 1
        # One matrix family (minGRU reads only x_t): W_z, not W_iz; PyTorch's i/h prefix tells two apart.
        families = {t.weight for n in graph.layers for t in n.terms if not t.diagonal}
        self.single_family = len(families) == 1

    def rows(self) -> list[Node]:
        """Nodes with an equation: every learned layer and every pointwise node with a formula."""
        return [n for n in self.graph.nodes if n.kind == "layer" or (n.kind == "pointwise" and n.formula)]

    def leaf(self, name: str) -> bool:
        node = self.graph[name]
        return node.kind in ("input", "concat", "layer") or bool(node.formula)

    # -- learned layers ----------------------------------------------------------------------
    def layer_terms_html(self, node: Node, u: int) -> str:
        slot = self.graph.slots[node.slot] if node.slot < len(self.graph.slots) else ""
        gate = "" if self.single_slot else slot
        idx = f"[{u}]"
        matrix_terms = [t for t in node.terms if not t.diagonal]
        sources = {t.source for t in matrix_terms}
        concat = next(
            (
                self.graph[i]
                for i in node.inputs
                if self.graph[i].kind == "concat" and set(self.graph[i].inputs) == sources
            ),
            None,
        )
        parts: list[str] = []
        if concat is not None and len(matrix_terms) == 2 and set(node.biases) == {"bias_ih", "bias_hh"}:
            parts.append(f"{_sub('W', gate)}{idx}·{label_html(concat.label)}")
            biases = [f"{_sub('b', gate)}{idx}"]
        else:
            for term in matrix_terms:
                side = "i" if term.weight == "weight_ih" else "h" if term.weight == "weight_hh" else term.weight
                side = "" if self.single_family else side
                parts.append(f"{_sub('W', side + gate)}{idx}·{label_html(self.graph[term.source].label)}")
            biases = []
            for bias in node.biases:
                side = "i" if bias == "bias_ih" else "h" if bias == "bias_hh" else bias
                side = "" if self.single_family else side
                biases.append(f"{_sub('b', side + gate)}{idx}")
        for term in node.terms:
            if term.diagonal:
                name = term.weight.replace("weight_", "")
                parts.append(f"{_sub('w', name)}{idx} ⊙ {label_html(self.graph[term.source].label)}{idx}")
        return " + ".join(parts + biases)

    def preactivation(self, node: Node, values: dict[str, np.ndarray], u: int) -> str | None:
        """The pre-activation's number, computed the engine's way (never NaN where the trace is finite)."""
        if self.weights is None:
            return None
        return _preactivation_num(folded_preactivation(node, self.weights, values, u), OPS[node.op].fold)

    # -- pointwise expressions ---------------------------------------------------------------
    def expression(
        self, name: str, values: dict[str, np.ndarray], u: int, top: bool = False
    ) -> tuple[str, str, int, int]:
        """(symbols, numbers, their precedences) of a node's value, expanded through unnamed pointwise nodes."""
        node = self.graph[name]
        if not top and self.leaf(name):
            label = node_label(node)
            prec = 3 if " " not in label else 0
            return label_html(label), _num(float(values[name][u])), prec, 3
        form = OPS[node.op].equation
        need = form.operand_precedence
        symbols, numbers = [], []
        for sym, num, p, pn in (self.expression(s, values, u) for s in node.inputs):
            symbols.append(f"({sym})" if p < need else sym)
            numbers.append(f"({num})" if pn < need else num)
        return form.symbols.format(*symbols), form.numbers.format(*numbers), form.precedence, form.precedence

    def equation(self, node: Node, values: dict[str, np.ndarray], u: int) -> Equation:
        value = float(values[node.name][u])
        label = node_label(node)
        lhs = f"{label_html(label)}[{u}]" if " " not in label else f"({label_html(label)})[{u}]"
        if node.kind == "layer":
            form = OPS[node.op].equation
            inner = self.layer_terms_html(node, u)
            pre = self.preactivation(node, values, u)
            if not form.is_identity:
                numbers = f" = {form.numbers.format(pre)}" if pre is not None else ""
                html = f"{lhs} = {form.symbols.format(inner)}{numbers} = <b>{_num(value)}</b>"
            else:
                html = f"{lhs} = {inner} = <b>{_num(value)}</b>"
        else:
            symbols, numbers, _, _ = self.expression(node.name, values, u, top=True)
            html = f"{lhs} = {symbols} = {numbers} = <b>{_num(value)}</b>"
        return Equation(node.name, html, value)

    def equations(self, trace: Trace, t: int, u: int) -> list[Equation]:
        values = trace.at(t)
        return [self.equation(n, values, u) for n in self.rows()]


class EquationsPanel(QWidget):
    """Shows the equations of the step and phase being played, for the first selected unit."""

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.playback = playback = document.playback
        self.theme: Theme = theme("light")
        # Four lines, painted in place: a label whose text changes on every step would relayout the dock.
        self.header = RichTextBox(4)
        self.header.setObjectName("equationsHeader")
        self.browser = QTextBrowser()
        self.browser.setObjectName("equations")
        self.browser.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.browser, 1)
        self.builder: EquationBuilder | None = None
        self._weights: LayerWeights | None = None
        self._shown: tuple[object, ...] = ()
        self._stale = False
        document.events.layer.connect(self._on_layer)
        document.events.backward.connect(lambda _on: self.refresh(force=True))
        document.events.node_gradients.connect(lambda _field: self.refresh(force=True))
        playback.trace_changed.connect(self._on_trace_changed)
        playback.position_changed.connect(self._on_position_changed)
        playback.selection_changed.connect(lambda _sel: self.refresh(force=True))

    def _on_layer(self, _key: object) -> None:
        """A new model or another layer: the weights whose numbers the equations show."""
        self._weights = self.document.layer_weights
        self.builder = None
        self.refresh(force=True)

    def set_theme(self, t: Theme) -> None:
        self.theme = t
        self.refresh(force=True)

    def _on_trace_changed(self, trace: Trace | None) -> None:
        # The playback emits position_changed right after: refresh then, once.
        self._shown = ()

    def _on_position_changed(self, state: PlaybackState) -> None:
        self.refresh()

    @property
    def unit(self) -> int:
        return self.playback.selected[0] if self.playback.selected else 0

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        if not self.isVisible():
            self._stale = True  # a closed or tabbed-away panel catches up when shown
            return
        self._stale = False
        trace = self.playback.trace
        if trace is None:
            self.browser.setHtml("")
            return
        state = self.playback.state
        key = (state.t, state.phase, self.playback.selected, id(trace))
        if key == self._shown and not force:
            return
        self._shown = key
        weights = self._weights
        if weights is not None and (
            weights.graph is not trace.graph
            or weights.input_size != trace.input_size
            or weights.hidden_size != trace.hidden_size
        ):
            weights = None  # the trace of another layer is still shown: no numbers for its terms
        if self.builder is None or self.builder.graph is not trace.graph or self.builder.weights is not weights:
            self.builder = EquationBuilder(trace.graph, weights)
        t, u = state.t, self.unit
        phase = trace.graph.phases[state.phase]
        tokens = self.document.shown_tokens
        token = tokens[t] if t < len(tokens) else ""
        chosen = "" if self.playback.selected else " (click a unit on a heatmap to choose another)"
        step = f"<b>Step t = {t}</b>, input <code>{_escape(token)}</code> · <b>unit {u}</b>{chosen}<br>"
        self.header.setText(
            f"{step}<i>Phase {state.phase + 1}: {label_html(phase.title)}</i> — {label_html(phase.explanation)}"
        )
        if self.document.backward:  # the gradients flowing back, for the same unit
            self._show_gradients(trace, state, u, token, chosen)
            return
        in_phase = {n.name for n in trace.graph.nodes_in_phase(state.phase)}
        lines = []
        mark = self.theme.highlight
        for eq in self.builder.equations(trace, t, u):
            style = f" style='background:{mark};'" if eq.node in in_phase else ""
            lines.append(f"<tr><td{style}>{eq.html}</td></tr>")
        self._set_table("".join(lines))

    def _show_gradients(self, trace: Trace, state: PlaybackState, u: int, token: str, chosen: str) -> None:
        from .gradient_equations import header_html, rows_html

        document, graph = self.document, trace.graph
        field, note = document.node_gradients, document.node_gradients_note
        step = f"<b>Step t = {state.t}</b>, input <code>{_escape(token)}</code> · <b>unit {u}</b>{chosen}<br>"
        self.header.setText(step + header_html(field, note, graph, state))
        rows = rows_html(field, note, graph, state, u, self.theme.highlight)
        self._set_table(rows)

    def _set_table(self, rows: str) -> None:
        self.browser.setHtml(
            f"<div style='font-family: serif; font-size: 11pt; color: {self.theme.text};'>"
            f"<table cellspacing='0' cellpadding='3'>{rows}</table></div>"
        )

    def plain_text(self) -> str:
        return self.browser.toPlainText()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
