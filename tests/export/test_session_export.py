"""`lstm-explorer export FILE.lstmx` and `trace FILE.lstmx`: a session renders without --input, a
still at the session's step and phase, an animation over its input."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lstm_explorer.cli import main

README = Path(__file__).parents[2] / "README.md"


def readme_example() -> dict:
    """The session the README shows under "Sessions": only the four required keys."""
    section = README.read_text().split("\n## Sessions\n", 1)[1]
    return json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])


MINIMAL = readme_example()


def write(path, data):
    path.write_text(json.dumps(data))
    return str(path)


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB"))


def export(*args):
    return main(["export", *args, "--quiet"])


def test_a_hand_written_session_exports_a_still_at_its_step(qapp, tmp_path):
    assert MINIMAL == {"model": "brackets", "input": "(a(b)c)", "t": 3, "selected": [12]}
    session = write(tmp_path / "minimal.lstmx", MINIMAL)
    assert export(session, "--out", str(tmp_path / "session.png")) == 0
    common = ["brackets", "--input", "(a(b)c)", "--select", "12"]
    assert export(*common, "--steps", "3", "--out", str(tmp_path / "step3.png")) == 0
    assert export(*common, "--steps", "2", "--out", str(tmp_path / "step2.png")) == 0
    np.testing.assert_array_equal(pixels(tmp_path / "session.png"), pixels(tmp_path / "step3.png"))
    assert (pixels(tmp_path / "session.png") != pixels(tmp_path / "step2.png")).any()


def test_a_still_shows_the_sessions_phase(qapp, tmp_path):
    stills = {}
    for phase in (1, 2, 4):
        session = write(tmp_path / f"p{phase}.lstmx", {**MINIMAL, "phase": phase})
        assert export(session, "--out", str(tmp_path / f"p{phase}.png")) == 0
        stills[phase] = pixels(tmp_path / f"p{phase}.png")
    assert export(write(tmp_path / "complete.lstmx", MINIMAL), "--out", str(tmp_path / "complete.png")) == 0
    complete = pixels(tmp_path / "complete.png")
    np.testing.assert_array_equal(stills[4], complete)  # the last phase is the step complete
    assert (stills[1] != complete).any() and (stills[2] != complete).any() and (stills[1] != stills[2]).any()


def test_an_animation_covers_the_input_and_steps_still_apply(qapp, tmp_path):
    session = write(tmp_path / "s.lstmx", MINIMAL)
    assert export(session, "--frames-per-step", "2", "--out", f"{tmp_path}/all/") == 0
    assert len(list((tmp_path / "all").iterdir())) == 7 * 2
    assert export(session, "--frames-per-step", "2", "--steps", "1:3", "--out", f"{tmp_path}/part/") == 0
    assert len(list((tmp_path / "part").iterdir())) == 2 * 2


def test_the_sessions_layer_direction_and_theme_are_used(qapp, tmp_path):
    data = {
        "model": {"cell": "lstm", "input_size": 2, "hidden_size": 4, "layers": 2, "bidirectional": True, "seed": 3},
        "input": [[0.5, -1.0], [1.0, 0.25], [0.0, 2.0]],
        "layer": 1,
        "direction": "backward",
        "t": 0,
        "selected": [2],
        "theme": "dark",
    }
    session = write(tmp_path / "s.lstmx", data)
    assert export(session, "--out", str(tmp_path / "s.npz")) == 0
    common = ["lstm", "--input-size", "2", "--hidden", "4", "--layers", "2", "--bidirectional", "--seed", "3"]
    rows = "0.5 -1; 1 0.25; 0 2"
    assert export(*common, "--input", rows, "--layer", "1", "--reverse", "--out", str(tmp_path / "ref.npz")) == 0
    got, ref = np.load(tmp_path / "s.npz"), np.load(tmp_path / "ref.npz")
    np.testing.assert_array_equal(got["h"], ref["h"])
    # The theme comes from the session unless --theme is given.
    assert export(session, "--out", str(tmp_path / "dark.png")) == 0
    assert export(session, "--theme", "light", "--out", str(tmp_path / "light.png")) == 0
    assert pixels(tmp_path / "dark.png")[5, 5].sum() < pixels(tmp_path / "light.png")[5, 5].sum()


def test_trace_of_a_session_equals_trace_of_its_model_and_input(tmp_path):
    session = write(tmp_path / "s.lstmx", MINIMAL)
    assert main(["trace", session, "--out", str(tmp_path / "s.npz")]) == 0
    assert main(["trace", "brackets", "--input", "(a(b)c)", "--out", str(tmp_path / "ref.npz")]) == 0
    got, ref = np.load(tmp_path / "s.npz"), np.load(tmp_path / "ref.npz")
    assert set(got.files) == set(ref.files)
    for name in ref.files:
        np.testing.assert_array_equal(got[name], ref[name])


def test_a_session_with_held_units_exports_what_set_exports(tmp_path):
    session = write(tmp_path / "held.lstmx", {**MINIMAL, "interventions": ["c[12]=0"]})
    assert export(session, "--out", str(tmp_path / "s.npz")) == 0
    assert export("brackets", "--input", "(a(b)c)", "--set", "c[12]=0", "--out", str(tmp_path / "ref.npz")) == 0
    got, ref = np.load(tmp_path / "s.npz"), np.load(tmp_path / "ref.npz")
    np.testing.assert_array_equal(got["c"][:, 12], 0.0)
    for name in ref.files:
        np.testing.assert_array_equal(got[name], ref[name])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**MINIMAL, "t": 99}, "bad.lstmx: t: 99 is out of range; the input has 7 steps (t = 0 to 6)"),
        ({**MINIMAL, "model": "nonesuch"}, "bad.lstmx: model: 'nonesuch' is not a bundled model"),
        ("not json", "bad.lstmx: not a session file (invalid JSON"),
    ],
)
def test_a_bad_session_is_one_line_and_exit_code_2(tmp_path, capsys, data, message):
    path = tmp_path / "bad.lstmx"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    assert main(["export", str(path), "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lstm-explorer: error: {message}")
    assert err.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


def test_without_a_session_the_input_is_still_required(tmp_path, capsys):
    assert main(["trace", "lstm", "--out", str(tmp_path / "t.npz")]) == 2
    assert capsys.readouterr().err == (
        "lstm-explorer: error: the input is missing: give --input TEXT, --input-file FILE or --tokens IDS "
        "(or a session file as MODEL)\n"
    )


def test_reverse_on_a_forward_session_shows_the_same_moment(qapp, tmp_path):
    model = {"cell": "gru", "input_size": 2, "hidden_size": 4, "bidirectional": True, "seed": 5}
    rows = [[0.5, -1.0], [1.0, 0.25], [0.0, 2.0], [-0.5, 0.5]]
    session = write(tmp_path / "s.lstmx", {"model": model, "input": rows, "t": 1, "selected": [0]})
    assert export(session, "--reverse", "--out", str(tmp_path / "s.png")) == 0
    common = ["gru", "--input-size", "2", "--hidden", "4", "--bidirectional", "--seed", "5", "--select", "0"]
    text = "0.5 -1; 1 0.25; 0 2; -0.5 0.5"
    # Input step 1 is the reverse direction's step 2 (of 0..3): the same moment.
    assert export(*common, "--input", text, "--reverse", "--steps", "2", "--out", str(tmp_path / "r2.png")) == 0
    assert export(*common, "--input", text, "--reverse", "--steps", "1", "--out", str(tmp_path / "r1.png")) == 0
    np.testing.assert_array_equal(pixels(tmp_path / "s.png"), pixels(tmp_path / "r2.png"))
    assert (pixels(tmp_path / "s.png") != pixels(tmp_path / "r1.png")).any()
