"""Saved sessions (.lstmx): a document written and read back is the same moment; every bad field is
one line naming it; the four ways of naming a model."""

import json
import shutil

import numpy as np
import pytest

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.models import load_bundled, random_model
from lstm_explorer.models.bundle import write_bundle
from lstm_explorer.session_file import (
    SESSION_FORMAT,
    THEME_NAMES,
    SessionError,
    read_session,
    session_data,
    session_document,
    write_session,
)
from lstm_explorer.session_model import bundle_bytes

#: The four required keys, as the README describes them.
MINIMAL = {"model": "brackets", "input": "(a(b)c)", "t": 3, "selected": [12]}


def brackets_document(text="(a(b)c)((a))", t=3, phase=2, selected=(12, 3)):
    model = load_bundled("brackets")
    document = ExplorerDocument.computed(model, model.encode_text(text), list(text), text=text)
    document.playback.seek(t, phase)
    document.playback.select(selected)
    return document


def save_and_read(document, path, **options):
    write_session(path, session_data(document, path.parent, **options))
    return read_session(path)


def assert_same_moment(a, b):
    assert b.model.name == a.model.name
    assert b.text == a.text and b.tokens == a.tokens
    assert b.layer == a.layer
    assert b.playback.state == a.playback.state
    for key, trace in a.traces.items():
        for node in trace:
            np.testing.assert_array_equal(b.traces[key][node], trace[node])


def test_the_gradient_target_and_the_backward_pin_round_trip(tmp_path):
    document = brackets_document(t=9)
    document.set_gradient_target("c[12]@-1")
    document.set_backward(True, 9)
    document.playback.seek(4)  # walked back from the pin
    opened = save_and_read(document, tmp_path / "s.lstmx")
    assert (opened.gradient_target, opened.backward_pin) == ("c[12]@-1", 9)
    shown = session_document(opened)
    assert (shown.gradient_target, shown.backward, shown.backward_step) == ("c[12]@-1", True, 9)
    assert shown.playback.t == 4
    document.set_backward(False)
    assert "backward_pin" not in session_data(document, tmp_path)


def test_bundled_text_model_round_trips(tmp_path):
    document = brackets_document()
    opened = save_and_read(document, tmp_path / "s.lstmx", theme="dark", layout=b"\x00state\xff")
    assert (opened.t, opened.phase, opened.selected) == (3, 2, (12, 3))
    assert (opened.theme, opened.layout) == ("dark", b"\x00state\xff")
    assert opened.model_key == "brackets"
    assert_same_moment(document, session_document(opened))
    data = json.loads((tmp_path / "s.lstmx").read_text())
    assert data["format"] == SESSION_FORMAT
    assert data["model"] == {"bundled": "brackets"}
    assert data["input"] == "(a(b)c)((a))"


def test_seeded_random_weights_are_named_not_embedded(tmp_path):
    model = random_model("gru", input_size=3, hidden_size=5, num_layers=2, bidirectional=True, seed=7)
    X = np.random.default_rng(0).normal(size=(6, 3))
    document = ExplorerDocument.computed(model, X)
    document.model_key = "gru"
    document.set_layer((1, True))
    document.playback.seek(4, 1)
    document.playback.select((2, 4))
    opened = save_and_read(document, tmp_path / "r.lstmx")
    data = json.loads((tmp_path / "r.lstmx").read_text())
    assert data["model"] == {
        "cell": "gru",
        "input_size": 3,
        "hidden_size": 5,
        "layers": 2,
        "bidirectional": True,
        "seed": 7,
    }
    assert data["direction"] == "backward" and data["layer"] == 1
    assert data["input"] == X.tolist()  # numbers at full precision when no text was typed
    assert_same_moment(document, session_document(opened))


def test_random_weights_made_in_the_window_are_named_by_their_seed(tmp_path):
    model = random_model("rnn", input_size=3, hidden_size=6, num_layers=2, seed=11)  # File → New random model
    document = ExplorerDocument.computed(model, np.ones((4, 3)))
    data = session_data(document, tmp_path)
    assert data["model"] == {
        "cell": "rnn",
        "input_size": 3,
        "hidden_size": 6,
        "layers": 2,
        "bidirectional": False,
        "seed": 11,
    }


def test_weights_changed_after_seeding_are_embedded(tmp_path):
    model = random_model("lstm", input_size=2, hidden_size=4, seed=1)
    model.network.tensors["weight_hh_l0"][0, 0] += 0.5  # no longer what seed 1 gives
    document = ExplorerDocument.computed(model, np.ones((5, 2)))
    document.model_key = "lstm"
    opened = save_and_read(document, tmp_path / "e.lstmx")
    assert "embedded" in json.loads((tmp_path / "e.lstmx").read_text())["model"]
    assert opened.model.network.tensors["weight_hh_l0"][0, 0] == model.network.tensors["weight_hh_l0"][0, 0]
    assert_same_moment(document, session_document(opened))


def test_embedded_weights_keep_the_readout_and_vocabulary(tmp_path):
    document = brackets_document()
    opened = save_and_read(document, tmp_path / "w.lstmx", embed=True)
    data = json.loads((tmp_path / "w.lstmx").read_text())
    assert set(data["model"]) == {"embedded", "name"}
    assert opened.model.vocabulary == document.model.vocabulary
    h = document.trace["h"]
    np.testing.assert_array_equal(opened.model.readout(h), document.model.readout(h))
    assert_same_moment(document, session_document(opened))


def test_a_weights_file_beside_the_session_is_found_after_both_move(tmp_path):
    model = load_bundled("sine")
    folder = tmp_path / "project"
    (folder / "weights").mkdir(parents=True)
    weights = folder / "weights" / "mine.safetensors"
    write_bundle(weights, {f"rnn.{k}": v for k, v in model.network.tensors.items()}, dict(model.metadata))
    document = ExplorerDocument.computed(model, np.sin(np.arange(9.0))[:, None])
    document.model_key = str(weights.resolve())
    write_session(folder / "s.lstmx", session_data(document, folder))
    assert json.loads((folder / "s.lstmx").read_text())["model"]["file"] == "weights/mine.safetensors"
    moved = shutil.move(str(folder), str(tmp_path / "elsewhere"))
    opened = read_session(f"{moved}/s.lstmx")
    assert opened.model_key == str((tmp_path / "elsewhere" / "weights" / "mine.safetensors").resolve())
    np.testing.assert_array_equal(session_document(opened).trace["h"], document.trace["h"])


def test_a_vocabulary_gives_random_weights_text_input(tmp_path):
    path = tmp_path / "v.lstmx"
    path.write_text(
        json.dumps(
            {
                "model": {"cell": "lstm", "input_size": 4, "hidden_size": 3},
                "vocabulary": "abcd",
                "input": "abba",
                "t": 1,
                "selected": [],
            }
        )
    )
    opened = read_session(path)
    assert opened.tokens == list("abba")
    np.testing.assert_array_equal(opened.X, np.eye(4)[[0, 1, 1, 0]])


def test_phase_by_name_and_held_units_round_trip(tmp_path):
    path = tmp_path / "p.lstmx"
    path.write_text(json.dumps({**MINIMAL, "phase": "Output", "interventions": ["c[12]=0", "f[3]=1@2:4"]}))
    opened = read_session(path)
    titles = [p.title for p in opened.model.network.graph.phases]
    assert opened.phase == titles.index("Output")
    document = session_document(opened)
    # The views show the run with the units held: c[12] is 0 at every step, f[3] is 1 at steps 2 and 3.
    np.testing.assert_array_equal(document.trace["c"][:, 12], 0.0)
    np.testing.assert_array_equal(document.trace["f"][2:4, 3], 1.0)
    assert document.trace["f"][1, 3] != 1.0
    plain = session_document(read_session(write_minimal(tmp_path)))
    assert (document.trace["h"] != plain.trace["h"]).any()
    assert session_data(document, tmp_path)["interventions"] == ["c[12]=0.0", "f[3]=1.0@2:4"]
    again = save_and_read(document, tmp_path / "again.lstmx")
    np.testing.assert_array_equal(session_document(again).trace["h"], document.trace["h"])


def write_minimal(folder):
    path = folder / "minimal.lstmx"
    path.write_text(json.dumps(MINIMAL))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t": 7}, "t: 7 is out of range; the input has 7 steps (t = 0 to 6)"),
        ({"t": "3"}, 't: expected a whole number (the time step, from 0), got "3"'),
        ({"t": True}, "t: expected a whole number"),
        ({"selected": [16]}, "selected: unit 16 is out of range; the layer has 16 units (0 to 15)"),
        ({"selected": 12}, "selected: expected a list of unit numbers"),
        ({"model": "nonesuch"}, "model: 'nonesuch' is not a bundled model, a cell kind, or a file"),
        ({"model": {"bundled": "nonesuch"}}, "model: unknown bundled model 'nonesuch'"),
        ({"model": {"cell": "lstm", "hidden_size": 0}}, "model.hidden_size: must be at least 1"),
        ({"model": {"cell": "lsmt"}}, "model.cell: unknown cell kind 'lsmt'"),
        ({"model": {"bundled": "sine", "cell": "gru"}}, "model: give exactly one of"),
        ({"model": {"embedded": "not base64!"}}, "model.embedded: not valid base64"),
        ({"model": {"embedded": "AAAA"}}, "model.embedded: not a safetensors bundle"),
        ({"format": "lstm-explorer-session/2"}, "format: version '2' is not one this LSTM Explorer reads"),
        ({"format": "something-else/1"}, "format: 'something-else/1' is not an LSTM Explorer session"),
        ({"input": "(aZ)"}, "input: step 2: 'Z' is not in the vocabulary"),
        ({"input": [[1.0]]}, "input: brackets reads text; give the input as a string"),
        ({"layer": 1}, "layer: 1 is out of range; the model has 1 layer(s)"),
        ({"direction": "backward"}, "direction: 'backward', but the model is not bidirectional"),
        ({"direction": "up"}, "direction: expected 'forward' or 'backward'"),
        ({"phase": 9}, "phase: 9 is out of range; the cell has 5 phases"),
        ({"phase": "Dance"}, "phase: 'Dance' is not a phase of this cell"),
        ({"theme": "neon"}, "theme: unknown theme 'neon'"),
        ({"layout": "%%%"}, "layout: not valid base64"),
        ({"interventions": [3]}, "interventions: expected a list of strings"),
        ({"interventions": ["c[12]"]}, "interventions: 'c[12]': expected"),
        ({"interventions": ["q[1]=0"]}, "interventions: 'q[1]=0': "),
        ({"interventions": ["c[40]=0"]}, "interventions: 'c[40]=0': "),
        ({"vocabulary": "ab"}, "vocabulary: the vocabulary has 2 characters but the model reads"),
        ({"tt": 3}, "unknown key 'tt'"),
        ({"gradient_target": "c[3@4"}, "gradient_target: target 'c[3@4' is not of the form"),
        ({"gradient_target": 5}, "gradient_target: expected a target such as loss@-1"),
        ({"backward_pin": 7}, "backward_pin: 7 is out of range; the input has 7 steps"),
        ({"backward_pin": "end"}, "backward_pin: expected a whole number"),
    ],
)
def test_bad_fields_are_one_line_naming_the_field(tmp_path, change, message):
    path = tmp_path / "bad.lstmx"
    path.write_text(json.dumps({**MINIMAL, **change}))
    with pytest.raises(SessionError) as caught:
        read_session(path)
    text = str(caught.value)
    assert text.startswith(f"bad.lstmx: {message}")
    assert "\n" not in text


@pytest.mark.parametrize("missing", ["model", "input", "t", "selected"])
def test_each_required_key_is_named_when_missing(tmp_path, missing):
    path = tmp_path / "bad.lstmx"
    path.write_text(json.dumps({k: v for k, v in MINIMAL.items() if k != missing}))
    with pytest.raises(SessionError, match=f"^bad.lstmx: {missing}: required"):
        read_session(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"model": "brackets",', "not a session file (invalid JSON at line 1, column 22"),
        (b"\xff\xfe\x00", "not a session file (not UTF-8 text)"),
        (b"[1, 2]", "session: expected a JSON object"),
    ],
)
def test_files_that_are_not_sessions(tmp_path, content, message):
    path = tmp_path / "x.lstmx"
    path.write_bytes(content)
    with pytest.raises(SessionError) as caught:
        read_session(path)
    assert str(caught.value).startswith(f"x.lstmx: {message}")
    with pytest.raises(SessionError, match="no such file"):
        read_session(tmp_path / "missing.lstmx")


def test_only_the_required_keys_give_the_defaults(tmp_path):
    path = tmp_path / "min.lstmx"
    path.write_text(json.dumps(MINIMAL))
    opened = read_session(path)
    assert opened.layer == (0, False) and opened.phase is None
    assert opened.theme is None and opened.layout is None and opened.interventions == ()
    document = session_document(opened)
    state = document.playback.state
    assert (state.t, state.selected, state.step_complete) == (3, (12,), True)


def test_writing_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "s.lstmx"
    path.write_text("old")
    write_session(path, session_data(brackets_document(), tmp_path))
    assert json.loads(path.read_text())["t"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["s.lstmx"]


def test_embedded_bytes_are_our_bundle_format(tmp_path):
    from lstm_explorer.models.files import read_weights

    model = load_bundled("brackets")
    path = tmp_path / "copy.safetensors"
    path.write_bytes(bundle_bytes(model))
    tensors, metadata = read_weights(path)
    assert metadata["format"] == "lstm-explorer-bundle/1" and metadata["cell"] == "lstm"
    assert {"rnn.weight_ih_l0", "rnn.weight_hh_l0", "fc.weight", "fc.bias"} <= set(tensors)
    assert ("embedding.weight" in tensors) == (model.embedding is not None)


def test_session_themes_are_the_windows_themes():
    from lstm_explorer.views.theme import THEMES

    assert tuple(THEMES) == THEME_NAMES
