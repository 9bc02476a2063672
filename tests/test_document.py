"""The explorer document: one Qt-free object holding what the window shows, one event per field."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.models import random_model


def record(document: ExplorerDocument) -> list[str]:
    seen: list[str] = []
    for name in document.events.FIELDS:
        getattr(document.events, name).connect(lambda *_args, n=name: seen.append(n))
    document.playback.trace_changed.connect(lambda _trace: seen.append("playback.trace"))
    document.playback.position_changed.connect(lambda _state: seen.append("playback.position"))
    return seen


def test_importing_the_document_loads_no_qt():
    code = "import sys, lstm_explorer.document; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_new_traces_announce_input_then_traces_then_the_position():
    model = random_model("lstm", input_size=2, hidden_size=3)
    document = ExplorerDocument()
    document.set_model(model)
    seen = record(document)
    X = np.random.default_rng(0).normal(size=(6, 2))
    document.apply_update(document.require_session().update(X), [str(k) for k in range(6)])
    assert seen == ["input", "traces", "playback.trace", "playback.position"]
    assert document.trace is document.traces[(0, False)] and document.playback.steps == 6
    np.testing.assert_array_equal(document.trace["h"], model.network.trace(X)["h"])


def test_typing_at_the_end_shows_the_newest_step_and_an_edit_shows_the_first_changed():
    X = np.arange(7.0)[:, None]
    document = ExplorerDocument.computed(random_model("gru", input_size=1, hidden_size=2), X[:5], list("abcde"))
    session = document.require_session()
    document.apply_update(session.update(X), list("abcdefg"))
    assert document.playback.t == 6 and document.playback.state.step_complete
    X2 = X.copy()
    X2[3] = -1.0
    document.apply_update(session.update(X2), list("abcXefg"))
    assert document.playback.t == 3 and document.playback.changed_from == 3


def test_a_model_resets_every_field_and_says_so():
    document = ExplorerDocument.computed(random_model("lstm", input_size=2, hidden_size=3), np.ones((4, 2)))
    document.playback.select(1)
    seen = record(document)
    other = random_model("rnn", input_size=3, hidden_size=5, num_layers=2)
    document.set_model(other, "rnn")
    assert seen[:2] == ["playback.trace", "playback.position"]
    assert seen[2:] == ["model", "layer", "input", "input_problem", "traces"]
    assert document.model is other and document.model_key == "rnn"
    assert document.trace is None and document.tokens == [] and document.X.shape == (0, 3)
    assert document.playback.selected == () and document.interventions == ()


def test_the_backward_direction_shows_the_same_moment_with_reversed_tokens():
    model = random_model("lstm", input_size=2, hidden_size=3, bidirectional=True)
    X = np.random.default_rng(1).normal(size=(5, 2))
    document = ExplorerDocument.computed(model, X, list("abcde"))
    document.playback.seek(1)
    seen = record(document)
    document.set_layer((0, True))
    assert seen[0] == "layer" and "traces" in seen
    assert document.playback.t == 3  # step 1 in time order is step 3 of the backward reading
    assert document.shown_tokens == list("edcba") and document.to_shown_order(1) == 3
    assert document.trace is document.traces[(0, True)]
    np.testing.assert_array_equal(document.top_output_at(1)[3:], document.traces[(0, True)]["h"][3])


def test_a_snapshot_moves_on_its_own():
    document = ExplorerDocument.computed(random_model("lstm", input_size=1, hidden_size=2), np.ones((6, 1)))
    document.playback.seek(2, 1, 0.5)
    copy = document.snapshot()
    assert copy.playback.state == document.playback.state and copy.trace is document.trace
    copy.playback.seek(5)
    assert document.playback.t == 2 and copy.playback.t == 5


def test_the_featured_units_are_selected_first():
    from lstm_explorer.models.bundled import load_bundled

    model = load_bundled("brackets")
    document = ExplorerDocument.computed(model, model.encode_text("(a(b)c)"), list("(a(b)c)"))
    assert document.playback.selected == tuple(model.featured_units) == (12,)
