"""The document's gradient fields (a part of :class:`~lstm_explorer.document.ExplorerDocument`,
kept here by responsibility): what the gradient views take the gradient of, the diagram's
backward mode and the step its target is pinned at — which set the playback's walk, back in time
from the pin — and the node gradients the mode shows, for every view that shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .playback import FORWARD, Playback, Walk

if TYPE_CHECKING:
    from .document import DocumentEvents
    from .gradient_field import GradientField


class GradientFields:
    """Mixed into the document, whose ``events`` and ``playback`` it uses."""

    events: DocumentEvents
    playback: Playback

    def _init_gradient_fields(self) -> None:
        #: What the gradient views take the gradient of, as written (``c[3]@40``, ``loss@-1``,
        #: ``h[2]`` at the position); "" for the model's default: its prediction at the position.
        self.gradient_target = ""
        self._backward = False
        self._backward_step = 0
        #: ∂target/∂node of the shown cell while the backward mode is on (None: none yet, or the
        #: mode is off); ``node_gradients_note`` says why there is none ("computing …").
        self.node_gradients: GradientField | None = None
        self.node_gradients_note = ""

    @property
    def backward(self) -> bool:
        """Whether the diagram shows gradients flowing backward, the target pinned at
        :attr:`backward_step` (trace order; a new input pins it where the position moves), play
        walking back from there to step 0 (the playback's walk follows both). :meth:`set_backward`
        announces it; assigning announces nothing (a snapshot being exported)."""
        return self._backward

    @backward.setter
    def backward(self, on: bool) -> None:
        self._backward = bool(on)
        self._sync_walk()

    @property
    def backward_step(self) -> int:
        return self._backward_step

    @backward_step.setter
    def backward_step(self, step: int) -> None:
        self._backward_step = int(step)
        self._sync_walk()

    def _sync_walk(self) -> None:
        self.playback.set_walk(Walk(True, self._backward_step) if self._backward else FORWARD)

    def set_gradient_target(self, text: str) -> None:
        """Take gradients of ``text`` (the engine's syntax; "" the model's default). Checked by
        whoever computes them, which says what is wrong with it."""
        text = text.strip()
        if text != self.gradient_target:
            self.gradient_target = text
            self.events.gradient_target.emit(text)

    def set_backward(self, on: bool, step: int | None = None) -> None:
        """Show gradients flowing backward on the diagram (True), pinning the target at ``step``
        (None: the position), or values flowing forward (False)."""
        on = bool(on)
        step = self.playback.t if step is None else int(step)
        if on == self.backward and (not on or self.backward_step == step):
            return
        if on:
            self.backward_step = step
        self.backward = on
        self.events.backward.emit(on)

    def set_node_gradients(self, field: GradientField | None, note: str = "") -> None:
        """The node gradients of what the document shows (None: none; ``note`` says why)."""
        if (field, note) != (self.node_gradients, self.node_gradients_note):
            self.node_gradients, self.node_gradients_note = field, note
            self.events.node_gradients.emit(field)
