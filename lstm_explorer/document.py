"""The explorer document: everything the window shows, in one Qt-free object.

The model, its input (text, tokens and the array the first layer reads), the layer and direction
on show, the traces of every layer and direction (kept up to date by an incremental
:class:`~lstm_explorer.session.Session`), the interventions, and the :class:`Playback` (position
and selection). Each field has one event in :attr:`ExplorerDocument.events`; views subscribe to
the fields they show (handlers named ``_on_<field>``) and read the document, never each other or
the window. Export renders registered views of a document, and the command line builds one from
its arguments (:meth:`ExplorerDocument.computed`), so the window, the CLI and export agree.

Event order when new traces arrive: ``input`` (if it changed), ``traces``, then the playback's
``trace_changed`` and ``position_changed``. A view that needs tokens and trace together reads both
in its playback handler: by then the document holds the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .document_gradients import GradientFields
from .engine.interventions import Intervention
from .engine.trace import Trace
from .events import EventGroup
from .playback import Playback
from .scales import ColourScales, ScaleTracker, initial_scales
from .session import Session, Update

if TYPE_CHECKING:
    from .engine.network import RecurrentNetwork
    from .engine.weights import LayerWeights
    from .models.model import Model

Key = tuple[int, bool]  # (layer, reverse)


class DocumentEvents(EventGroup):
    """``model(model)``, ``input(tokens)``, ``input_problem(message)``, ``layer(key)``,
    ``traces(changed_from)``, ``interventions(interventions)``, ``unit_search(table)``,
    ``gradient_target(text)``, ``backward(on)`` (the mode, or the step its target is pinned at),
    ``node_gradients(field)`` (what the backward mode shows, from whoever computed it); and
    ``interventions_requested(interventions)``: a view asks for other held units (whoever recomputes —
    the window's input flow — answers with :meth:`ExplorerDocument.apply_update` and
    :meth:`ExplorerDocument.set_interventions`)."""

    FIELDS = (
        "model",
        "input",
        "input_problem",
        "layer",
        "traces",
        "interventions",
        "unit_search",
        "gradient_target",
        "backward",
        "node_gradients",
        "interventions_requested",
    )


@dataclass(frozen=True)
class LayerChoice:
    """One entry of the layer and direction pickers."""

    key: Key
    label: str


class ExplorerDocument(GradientFields):
    """What the user is looking at. Build empty and :meth:`set_model`, or :meth:`computed`."""

    def __init__(self) -> None:
        self.events = DocumentEvents()
        self.playback = Playback()
        self.model: Model | None = None
        #: How the model was asked for (a path, a bundled name, a cell kind): its key in settings.
        self.model_key = ""
        self.session: Session | None = None
        self.text = ""
        self.tokens: list[str] = []
        self.X = np.zeros((0, 0))
        #: Why the input being typed is not the one shown ("" when it is): the views then show the
        #: last valid input, marked as such.
        self.input_problem = ""
        self.layer: Key = (0, False)
        self.traces: dict[Key, Trace] = {}
        #: Held units (engine.interventions.Intervention); part of a saved session. ``traces`` are
        #: computed with them held; ``plain_traces`` are the same input with none held (the same
        #: dict while none are), for the predictions' Δ against the unheld run.
        self.interventions: tuple[Intervention, ...] = ()
        self.plain_traces: dict[Key, Trace] = {}
        #: The unit finder's last result (analysis.units.UnitTable) for this input, or None.
        self.unit_search: Any = None
        self.unit_search_input: list[str] = []
        #: The colour scale of every node of the shown trace (see :mod:`.scales`): the diagram, the
        #: heatmaps and export all colour with it. Set before the playback announces a new trace.
        self.scales: ColourScales | None = None
        self.scale_tracker: ScaleTracker | None = None
        self._init_gradient_fields()

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def computed(
        cls, model: Model, X: np.ndarray, tokens: list[str] | None = None, *, text: str = "", layer: Key = (0, False)
    ) -> ExplorerDocument:
        """A document showing ``model`` on ``X`` (what the command line and tests build)."""
        document = cls()
        document.set_model(model)
        document.set_layer(layer)
        X = np.asarray(X, dtype=np.float64)
        if tokens is None:
            tokens = [", ".join(f"{v:.3g}" for v in row) for row in X]
        document.apply_update(document.require_session().update(X), tokens, text)
        document.playback.seek(0)
        document.select_featured_units()
        return document

    def snapshot(self) -> ExplorerDocument:
        """The same model, input and traces with a playback of its own, at the same position:
        export moves the copy, never the window's position. Arrays are shared, not copied."""
        other = ExplorerDocument()
        other.model, other.model_key, other.session = self.model, self.model_key, self.session
        other.text, other.tokens, other.X = self.text, list(self.tokens), self.X
        other.layer, other.traces, other.interventions = self.layer, dict(self.traces), self.interventions
        other.plain_traces, other.unit_search = dict(self.plain_traces), self.unit_search
        other.unit_search_input = self.unit_search_input
        other.scales = self.scales  # frozen: shared
        other.gradient_target, other.backward_step, other.backward = (
            self.gradient_target,
            self.backward_step,
            self.backward,
        )
        other.node_gradients, other.node_gradients_note = self.node_gradients, self.node_gradients_note
        state = self.playback.state
        other.playback.set_trace(self.trace, t=state.t)
        other.playback.select(state.selected)
        other.playback.seek(state.t, state.phase, state.progress)
        return other

    # -- changing ----------------------------------------------------------------------------
    def set_model(self, model: Model, key: str = "", session: Session | None = None) -> None:
        """Show ``model``, with no input yet; every field is reset and announced. ``session``: one
        prepared for ``model.network`` elsewhere (compiling a large model's cells takes a while)."""
        self.model, self.model_key = model, key or model.name
        self.session = session if session is not None and session.network is model.network else Session(model.network)
        self.text, self.tokens = "", []
        self.X = np.zeros((0, model.network.input_size))
        self.layer = (0, False)
        self.traces = {}
        self.interventions = ()
        self.plain_traces = {}
        self.unit_search = None
        self.input_problem = ""
        self.scale_tracker = ScaleTracker(model.network.graph)
        self.scales = initial_scales(model.network.graph)
        self.playback.set_trace(None)
        self.playback.select(())
        self.events.model.emit(model)
        self.events.layer.emit(self.layer)
        self.events.input.emit(self.tokens)
        self.events.input_problem.emit("")
        self.events.traces.emit(0)  # (no interventions or unit_search event: a new model resets them)

    def require_session(self) -> Session:
        if self.session is None:
            raise RuntimeError("no model is open")
        return self.session

    def apply_update(
        self, update: Update, tokens: list[str], text: str = "", *, plain: dict[Key, Trace] | None = None
    ) -> None:
        """Show the traces of a finished recompute for the input ``tokens`` (read as ``text``);
        ``plain``: the same input's traces with no units held (None: the update holds none).

        The position moves to the first step the edit changed, or to the newest step after typing
        at the end, in the order the shown direction reads the steps; it stays where it is when
        only the held units changed."""
        appended = 0 < len(self.tokens) <= update.first_changed
        same_input = list(tokens) == self.tokens and bool(self.traces)  # held units changed: stay put
        self.tokens, self.text = list(tokens), text
        self.X = self.require_session().X
        self.traces = update.traces
        self.plain_traces = plain if plain is not None else update.traces
        if self.unit_search is not None and list(tokens) != self.unit_search_input:
            self.set_unit_search(None)
        steps = len(self.tokens)
        t = steps - 1 if appended else min(update.first_changed, steps - 1)
        shown_t = self.playback.t if same_input else self.to_shown_order(t)
        if not same_input:
            self.backward_step = max(shown_t, 0)
        self.events.input.emit(self.tokens)
        self.set_input_problem("")
        self._show(update.first_changed, shown_t)

    def set_layer(self, key: Key) -> None:
        """Show another layer or direction; the same moment stays on screen."""
        key = (int(key[0]), bool(key[1]))
        if key == self.layer:
            return
        if self.model is not None:
            self.model.network.layer(*key)  # validates it
        was_reversed = self.reverse
        t = self.playback.t
        self.layer = key
        flip = was_reversed != self.reverse
        if flip and self.traces:
            self.backward_step = self.playback.steps - 1 - self.backward_step  # the same moment
        self.events.layer.emit(key)
        if self.traces:
            self._show(0, self.playback.steps - 1 - t if flip else t)

    def set_input_problem(self, problem: str) -> None:
        """The typed input cannot be shown (``problem`` says why), or "" once it can again."""
        if problem != self.input_problem:
            self.input_problem = problem
            self.events.input_problem.emit(problem)

    def set_interventions(self, interventions: tuple[Intervention, ...]) -> None:
        """Say which units the shown traces hold (after :meth:`apply_update` showed them)."""
        self.interventions = tuple(interventions)
        self.events.interventions.emit(self.interventions)

    def request_interventions(self, interventions: tuple[Intervention, ...]) -> None:
        """Ask for these held units. A window recomputes (off the GUI thread when long) and answers;
        with nobody listening (scripts, the command line) they are computed here, at once."""
        if self.events.interventions_requested.connections:
            self.events.interventions_requested.emit(tuple(interventions))
        else:
            self.hold(tuple(interventions))

    def hold(self, interventions: tuple[Intervention, ...]) -> None:
        """Recompute on this thread with ``interventions`` held (from their first affected step)
        and show the result, keeping the unheld run for comparison."""
        session = self.require_session()
        interventions = tuple(interventions)
        # Not in place: the current buffers stay intact, so the unheld traces stay readable.
        update = session.compute(self.X, interventions=interventions, in_place=False)
        session.apply(update)
        if not interventions:
            plain = None
        elif self.interventions:
            plain = self.plain_traces  # the same input: the unheld run has not changed
        else:
            plain = self.traces
        self.apply_update(update, self.tokens, self.text, plain=plain)
        self.set_interventions(interventions)

    def set_unit_search(self, table: Any) -> None:
        """The unit finder's result for the current input (None: none)."""
        self.unit_search = table
        self.unit_search_input = list(self.tokens) if table is not None else []
        self.events.unit_search.emit(table)

    def _show(self, changed_from: int, t: int) -> None:
        if self.layer not in self.traces:
            return
        if not self.network.prefix_stable(*self.layer):
            changed_from = 0  # a step here depends on later inputs: every step is recomputed
        trace = self.traces[self.layer]
        if self.scale_tracker is None or self.scale_tracker.graph is not trace.graph:
            self.scale_tracker = ScaleTracker(trace.graph)
            changed_from = 0
        self.scales = self.scale_tracker.update(trace, changed_from)
        self.events.traces.emit(changed_from)
        self.playback.set_trace(trace, t=max(t, 0), changed_from=changed_from)

    def select_featured_units(self) -> None:
        """Start with the units the model's author points at (brackets: its depth counter), else
        the unit whose state moves most over the input, so the unit plot says something."""
        trace = self.trace
        if trace is None or self.playback.selected or self.model is None:
            return
        featured = self.model.featured_units if self.layer == (0, False) else []
        if featured:
            self.playback.select(featured)
            return
        state = trace[trace.graph.cell_state or trace.graph.hidden_output]
        self.playback.select(int(np.argmax(np.ptp(state, axis=0))) if len(state) > 1 else 0)

    # -- reading -----------------------------------------------------------------------------
    @property
    def network(self) -> RecurrentNetwork:
        if self.model is None:
            raise RuntimeError("no model is open")
        return self.model.network

    @property
    def trace(self) -> Trace | None:
        """The trace of the layer and direction on show."""
        return self.traces.get(self.layer)

    @property
    def reverse(self) -> bool:
        """Whether the shown trace's step 0 read the last input (a backward direction, or a Keras
        go_backwards layer): its steps, tokens and positions are then numbered from the end."""
        if self.model is None:
            return self.layer[1]
        return self.network.step_order_reversed(*self.layer)

    @property
    def steps(self) -> int:
        return len(self.tokens)

    @property
    def shown_tokens(self) -> list[str]:
        """The tokens in the order the shown direction read them (a backward direction: reversed)."""
        return self.tokens[::-1] if self.reverse else self.tokens

    def to_shown_order(self, t: int) -> int:
        """A time step as the shown direction numbers it (and back: the map is its own inverse)."""
        return self.steps - 1 - t if self.reverse else t

    @property
    def layer_weights(self) -> LayerWeights | None:
        return self.model.network.layer(*self.layer) if self.model is not None else None

    def layer_choices(self) -> tuple[list[LayerChoice], list[LayerChoice]]:
        """(layers, directions) the pickers offer."""
        if self.model is None:
            return [], []
        net = self.model.network
        layers = [LayerChoice((k, False), f"{k + 1} of {net.num_layers}") for k in range(net.num_layers)]
        directions = [LayerChoice((0, False), "forward")]
        if net.bidirectional:
            directions.append(LayerChoice((0, True), "backward"))
        return layers, directions

    def top_output_at(self, t: int, traces: dict[Key, Trace] | None = None) -> np.ndarray:
        """Row ``t`` of the top layer's output as the readout reads it (directions merged by the
        network's merge mode): one step's worth, so scrubbing stays cheap. ``traces``: another run
        of the same input (``plain_traces``) instead of the shown one."""
        net = self.network
        traces = self.traces if traces is None else traces
        top, h = net.num_layers - 1, net.graph.hidden_output
        forward = traces[(top, False)][h][t : t + 1]
        reverse = None
        if net.bidirectional:
            backward = traces[(top, True)][h]
            reverse = backward[len(backward) - 1 - t : len(backward) - t]
        return net.merge_outputs(top, forward, reverse)[0]

    def readout_arrays(self) -> dict[str, np.ndarray]:
        """The readout at every step, in the shown layer's step order (see :func:`readout_arrays`)."""
        if self.model is None or not self.traces:
            return {}
        return readout_arrays(self.model, self.traces, self.layer)

    def describe_model(self) -> str:
        """``input 8 · hidden 32 · 2 layers · bidirectional`` for the status bar and captions."""
        if self.model is None:
            return ""
        net = self.model.network
        sizes = f"input {net.input_size} · hidden {net.hidden_size}"
        if net.num_layers > 1:
            sizes += f" · {net.num_layers} layers"
        if net.bidirectional:
            sizes += " · bidirectional"
        return sizes


def readout_arrays(model: Model, traces: dict[Key, Trace], key: Key) -> dict[str, np.ndarray]:
    """``logits`` (T, outputs) and, for text models, ``probs`` (their softmax) at every step, as the
    rows of layer ``key``'s trace are ordered: flipped when the top layer hands its outputs on in
    the other order than ``key`` read the steps (a backward direction, a go_backwards layer)."""
    if not model.has_readout:
        return {}
    net = model.network
    top = model.top_outputs(traces)
    arrays = {"logits": model.logits(top)}
    if model.task == "text":
        arrays["probs"] = model.readout(top)
    flip = net.step_order_reversed(net.num_layers - 1) != net.step_order_reversed(*key)
    return {name: value[::-1] if flip else value for name, value in arrays.items()}
