"""``lstm-explorer gradients`` run as a user would: the files hold what the engine computes, in
every format and step order, and every bad target is one line on stderr with exit code 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.engine.targets import NodeTarget, OutputTarget
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.models.model import random_model
from lstm_explorer.tracefile import read_trace_csv

NUMBERS = "0.5 -1; 2 0.25; -0.3 0.7; 1 1"
RANDOM = ["--hidden", "3", "--input-size", "2", "--seed", "4"]


def run(*args: str) -> int:
    return main(list(args))


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".json"])
def test_every_format_holds_the_engine_numbers(tmp_path, suffix):
    out = tmp_path / f"g{suffix}"
    assert run("gradients", "lstm", *RANDOM, "--input", NUMBERS, "--target", "c[1]@-2", "--out", str(out)) == 0
    model = random_model("lstm", input_size=2, hidden_size=3, seed=4)
    X = np.array([[0.5, -1], [2, 0.25], [-0.3, 0.7], [1, 1]])
    expected = model_gradients(model, X, NodeTarget("c", 1, -2))
    if suffix == ".npz":
        data = np.load(out, allow_pickle=False)
        back = {name: data[name] for name in data.files}
        value = float(back.pop("target"))
    elif suffix == ".csv":
        back = read_trace_csv(out)
        column = back.pop("target")
        assert column.shape == (4, 1) and np.all(column == column[0])  # the value, on every row
        value = float(column[0, 0])
    else:
        document = json.loads(out.read_text())
        assert document["meta"]["target"] == "c[1]@-2" and document["steps"] == 4
        value = document["target"]
        back = {name: np.array(document[name]) for name in ("grad_x", "grad_h", "grad_c")}
    assert value == expected.value
    assert set(back) == {"grad_x", "grad_h", "grad_c"}
    for name, array in expected.arrays().items():
        assert np.array_equal(back[name], array), name
    assert back["grad_x"].shape == (4, 2) and back["grad_c"].shape == (4, 3)
    assert not back["grad_c"][3].any() and back["grad_c"][2, 1] == 1.0


def test_reverse_rows_are_in_the_order_of_trace_reverse(tmp_path):
    common = ["gru", *RANDOM, "--layers", "2", "--bidirectional", "--input", NUMBERS, "--reverse"]
    assert run("gradients", *common, "--target", "h[0]@1", "--out", str(tmp_path / "g.npz")) == 0
    assert run("trace", *common, "--out", str(tmp_path / "t.npz")) == 0
    grads, trace = np.load(tmp_path / "g.npz"), np.load(tmp_path / "t.npz")
    assert "grad_c" not in grads.files and grads["target"] == trace["h"][1, 0]
    # Row k is the step the reverse cell read k-th: the target at its step 1 depends on rows 0, 1 only.
    assert grads["grad_x"][:2].any() and not grads["grad_x"][2:].any()
    assert grads["grad_h"][1, 0] == 1.0 and not grads["grad_h"][2:].any()


def test_text_loss_is_scored_against_the_next_character(tmp_path):
    out = tmp_path / "g.npz"
    assert run("gradients", "brackets", "--input", "(a(b)c)", "--target", "loss@2", "--out", str(out)) == 0
    model = load_bundled("brackets")
    probabilities = model.readout(model.top_outputs(model.run(model.encode_text("(a(b)c)"))))
    next_char = model.vocabulary.index("b")
    assert float(np.load(out)["target"]) == pytest.approx(-np.log(probabilities[2, next_char]), rel=1e-12)


def test_a_readout_output_on_a_numeric_model(tmp_path):
    out = tmp_path / "g.json"
    assert run("gradients", "sine", "--input", "0.1; 0.3; 0.5; 0.6", "--target", "out[0]@-1", "--out", str(out)) == 0
    model = load_bundled("sine")
    X = np.array([[0.1], [0.3], [0.5], [0.6]])
    assert json.loads(out.read_text())["target"] == model_gradients(model, X, OutputTarget(0, -1)).value


@pytest.mark.parametrize(
    "args, message",
    [
        (["brackets", "--target", "q[0]@1"], "q[0]@1: the lstm cell has no node 'q'"),
        (["brackets", "--target", "c[16]@1"], "c[16]@1: node c has 16 units (0..15)"),
        (["brackets", "--target", "c[0]@7"], "c[0]@7: step 7 is out of range; the sequence has 7 steps (0..6)"),
        (["brackets", "--target", "c[0]@-8"], "step -8 is out of range"),
        (["brackets", "--target", "out[5]@1"], "out[5]@1: the readout has 5 outputs (0..4)"),
        (["brackets", "--target", "loss@-1"], "loss@-1: the brackets task scores only steps 0..5"),
        (["brackets", "--target", "c[1]"], "target 'c[1]' is not of the form NODE[UNIT]@STEP"),
        (["brackets", "--target", "loss[0]@1"], "loss has no index"),
        (["brackets", "--target", "c[0]@1", "--layer", "1"], "--layer 1: the network has no layer 1"),
        (["brackets", "--target", "c[0]@1", "--reverse"], "the network has no layer 0 reverse"),
        (["lstm", "--target", "out[0]@1"], "out[0]@1: the model has no readout layer"),
        (["lstm", "--target", "loss@1"], "loss@1: the model has no readout layer"),
    ],
)
def test_bad_targets_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "g.npz"
    model, *rest = args
    text = "(a(b)c)" if model == "brackets" else "1 2 3 4 5 6 7 8; 1 2 3 4 5 6 7 8"
    assert run("gradients", model, "--input", text, *rest, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_a_task_loss_only_where_the_task_scores(tmp_path, capsys):
    out = tmp_path / "g.npz"
    assert run("gradients", "remember", "--input", "bxyz?", "--target", "loss@2", "--out", str(out)) == 2
    assert "loss@2: the remember task scores only step 4" in capsys.readouterr().err
    assert run("gradients", "remember", "--input", "bxyz?", "--target", "loss@4", "--out", str(out)) == 0
    model = load_bundled("remember")
    p = model.readout(model.top_outputs(model.run(model.encode_text("bxyz?"))))[4]
    assert float(np.load(out)["target"]) == pytest.approx(-np.log(p[model.vocabulary.index("b")]), rel=1e-12)


def test_unknown_output_format(tmp_path, capsys):
    assert run("gradients", "brackets", "--input", "()", "--target", "c[0]@1", "--out", str(tmp_path / "g.txt")) == 2
    assert "unknown output format '.txt'" in capsys.readouterr().err


def test_train_adding_then_take_the_gradient_of_its_loss(tmp_path, capsys):
    model = tmp_path / "adding.safetensors"
    assert run("train", "adding", "--hidden", "4", "--steps", "3", "--batch", "2", "--out", str(model)) == 0
    sequence = "0.5 1; 0.1 0; 0.2 0; 0.3 0; 0.4 0; 0.6 0; 0.7 0; 0.8 0; 0.9 0; 0.1 0; 0.25 1; 0.3 0"
    out = tmp_path / "g.npz"
    assert run("gradients", str(model), "--input", sequence, "--target", "loss@-1", "--out", str(out)) == 0
    data = np.load(out)
    assert data["grad_x"].shape == (12, 2) and data["grad_c"].shape == (12, 4)
    assert run("gradients", str(model), "--input", sequence, "--target", "loss@3", "--out", str(out)) == 2
    assert "loss@3: the adding task scores only step 11" in capsys.readouterr().err


def test_interventions_change_the_gradients_as_they_change_the_network(tmp_path):
    held, free = tmp_path / "held.json", tmp_path / "free.json"
    common = ["gradients", "lstm", *RANDOM, "--input", NUMBERS, "--target", "h[0]@-1"]
    assert run(*common, "--set", "c[*]=0@1:2", "--out", str(held)) == 0
    assert run(*common, "--out", str(free)) == 0
    with_clamp, without = json.loads(held.read_text()), json.loads(free.read_text())
    assert with_clamp["meta"]["interventions"] == ["c[*]=0.0@1:2"] and "interventions" not in without["meta"]
    # c held at step 1 cuts the carousel: c_0 reaches the target only through h_0 = o_0 ⊙ tanh(c_0).
    trace = random_model("lstm", input_size=2, hidden_size=3, seed=4).network.trace(
        np.array([[0.5, -1], [2, 0.25], [-0.3, 0.7], [1, 1]])
    )
    through_h = np.array(with_clamp["grad_h"][0]) * trace["o"][0] * (1 - np.tanh(trace["c"][0]) ** 2)
    assert np.allclose(with_clamp["grad_c"][0], through_h, rtol=1e-12, atol=0)
    assert not np.allclose(
        without["grad_c"][0], np.array(without["grad_h"][0]) * trace["o"][0] * (1 - np.tanh(trace["c"][0]) ** 2)
    )


def test_token_ids_give_the_loss_its_answers(tmp_path):
    out = tmp_path / "g.npz"
    model = load_bundled("brackets")
    ids = " ".join(str(model.vocabulary.index(ch)) for ch in "(a(b)c)")
    assert run("gradients", "brackets", "--tokens", ids, "--target", "loss@2", "--out", str(out)) == 0
    by_text = tmp_path / "t.npz"
    assert run("gradients", "brackets", "--input", "(a(b)c)", "--target", "loss@2", "--out", str(by_text)) == 0
    assert np.load(out)["target"] == np.load(by_text)["target"]


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".json"])
def test_nodes_writes_every_node_gradient_as_the_engine_records_it(tmp_path, suffix):
    out = tmp_path / f"g{suffix}"
    args = ("gradients", "lstm", *RANDOM, "--input", NUMBERS, "--target", "h[2]@-1", "--out", str(out))
    assert run(*args, "--nodes") == 0
    model = random_model("lstm", input_size=2, hidden_size=3, seed=4)
    X = np.array([[0.5, -1], [2, 0.25], [-0.3, 0.7], [1, 1]])
    expected = model_gradients(model, X, NodeTarget("h", 2, -1), nodes=True)
    if suffix == ".npz":
        data = np.load(out, allow_pickle=False)
        back = {name: data[name] for name in data.files}
    elif suffix == ".csv":
        back = read_trace_csv(out)
    else:
        document = json.loads(out.read_text())
        back = {name: np.array(value) for name, value in document.items() if name.startswith(("node_", "grad_"))}
    names = {f"node_{name}" for name in model.network.graph.names}
    assert names <= set(back) and {"grad_x", "grad_h", "grad_c"} <= set(back)
    for name, array in expected.nodes.items():
        assert back[f"node_{name}"].shape == (4, array.shape[1]) and np.array_equal(back[f"node_{name}"], array), name
    # h_3[2] = o_3[2] · tanh(c_3[2]): of o at the last step only unit 2 matters
    assert back["node_o"][3, 2] != 0 and not back["node_o"][3, :2].any()


def test_without_nodes_no_node_arrays_are_written(tmp_path):
    out = tmp_path / "g.npz"
    assert run("gradients", "lstm", *RANDOM, "--input", NUMBERS, "--target", "h[2]@-1", "--out", str(out)) == 0
    assert not [name for name in np.load(out).files if name.startswith("node_")]
