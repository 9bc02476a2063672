"""The document's gradient target and backward mode: the diagram and the Gradients panel both read
them, so they live here, one event each; the mode pins the target's step while the position moves."""

from __future__ import annotations

import numpy as np

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.models import random_model


def document_of(steps: int = 8, bidirectional: bool = False) -> ExplorerDocument:
    model = random_model("lstm", input_size=2, hidden_size=3, bidirectional=bidirectional, seed=4)
    X = np.random.default_rng(0).normal(size=(steps, 2))
    return ExplorerDocument.computed(model, X)


def test_the_mode_pins_the_target_at_the_position_and_says_so():
    document = document_of()
    seen: list[object] = []
    document.events.backward.connect(seen.append)
    document.playback.seek(6)
    document.set_backward(True)
    assert document.backward and document.backward_step == 6 and seen == [True]
    document.playback.seek(2)  # stepping back keeps the pin
    assert document.backward_step == 6
    document.set_backward(True)  # asked again here: pinned here
    assert document.backward_step == 2 and seen == [True, True]
    document.set_backward(True)  # nothing changed: nothing said
    document.set_backward(False)
    assert not document.backward and seen == [True, True, False]


def test_the_gradient_target_is_a_field_with_its_event():
    document = document_of()
    seen: list[str] = []
    document.events.gradient_target.connect(seen.append)
    document.set_gradient_target(" c[1]@3 ")
    document.set_gradient_target("c[1]@3")
    assert document.gradient_target == "c[1]@3" and seen == ["c[1]@3"]
    copy = document.snapshot()
    assert copy.gradient_target == "c[1]@3"


def test_a_new_input_pins_where_it_moves_the_position_and_held_units_keep_the_pin():
    document = document_of()
    document.playback.seek(5)
    document.set_backward(True)
    X = np.concatenate([document.X, np.random.default_rng(1).normal(size=(2, 2))])  # two steps typed
    document.apply_update(document.require_session().update(X), [str(k) for k in range(10)])
    assert document.backward_step == document.playback.t == 9  # the newest step
    document.playback.seek(3)
    document.set_backward(True)
    document.playback.seek(1)
    document.hold((Intervention("c", (0,), 0.0),))  # the same input, a unit held
    assert document.backward_step == 3 and document.playback.t == 1


def test_the_other_direction_pins_the_same_moment():
    document = document_of(bidirectional=True)
    document.playback.seek(6)
    document.set_backward(True)
    document.set_layer((0, True))
    assert document.backward_step == 1  # time step 6 is the backward direction's row 1
    copy = document.snapshot()
    assert copy.backward and copy.backward_step == 1
