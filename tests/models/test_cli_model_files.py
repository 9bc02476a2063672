"""The CLI with your own model files and tokens: --vocab, --tokens, --module, token ids in
--input-file, the notice line for an assumption, `info`, and the readout in `trace`."""

import json

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.engine.train import softmax
from lstm_explorer.models import load_model_file
from lstm_explorer.models.bundle import write_bundle
from lstm_explorer.tracefile import read_trace_csv

WORDS = ["<unk>", "the", "cat", "sat", "on", "mat"]


@pytest.fixture
def word_model(tmp_path):
    """A state_dict with an embedding and a readout but no vocabulary, and a .txt vocabulary for it."""
    rng = np.random.default_rng(0)
    tensors = {f"rnn.{k}": v for k, v in init_weights(cell_graph("gru"), 3, 4, seed=1).items()}
    tensors |= {"embedding.weight": rng.normal(size=(6, 3)), "fc.weight": rng.normal(size=(6, 4))}
    tensors["fc.bias"] = rng.normal(size=6)
    write_bundle(tmp_path / "words.safetensors", tensors, {"cell": "gru"})
    (tmp_path / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    return tmp_path / "words.safetensors", tmp_path / "vocab.txt"


def one_line_error(capsys, *args):
    assert main(list(args)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lstm-explorer: error: ")
    return err


def test_words_through_vocab_equal_the_same_ids_through_tokens(tmp_path, word_model, capsys):
    model_file, vocab = word_model
    words, ids = tmp_path / "w.npz", tmp_path / "i.npz"
    assert (
        main(["trace", str(model_file), "--vocab", str(vocab), "--input", "the cat sat on a mat", "--out", str(words)])
        == 0
    )
    assert main(["trace", str(model_file), "--tokens", "1 2 3 4 0 5", "--out", str(ids)]) == 0
    a, b = np.load(words), np.load(ids)
    assert np.array_equal(a["h"], b["h"]) and np.array_equal(a["logits"], b["logits"])
    model = load_model_file(model_file)
    expected = model.logits(model.top_outputs(model.run(model.embedding[[1, 2, 3, 4, 0, 5]])))
    assert np.abs(a["logits"] - expected).max() == 0 and np.allclose(a["probs"], softmax(expected))
    np.save(tmp_path / "ids.npy", np.array([1, 2, 3, 4, 0, 5]))
    assert main(["trace", str(model_file), "--input-file", str(tmp_path / "ids.npy"), "--out", str(ids)]) == 0
    assert np.array_equal(np.load(ids)["logits"], a["logits"])


def test_text_without_a_vocabulary_says_what_to_give(word_model, tmp_path, capsys):
    model_file, _ = word_model
    err = one_line_error(capsys, "trace", str(model_file), "--input", "the cat", "--out", str(tmp_path / "t.npz"))
    assert "has no vocabulary; give --vocab FILE" in err and "--tokens" in err


def test_bad_tokens_and_vocabularies_are_one_line(word_model, tmp_path, capsys):
    model_file, _ = word_model
    out = str(tmp_path / "t.npz")
    assert "step 1: token id 9 is outside 0..5" in one_line_error(
        capsys, "trace", str(model_file), "--tokens", "1 9", "--out", out
    )
    (tmp_path / "small.json").write_text(json.dumps(WORDS[:4]))
    err = one_line_error(
        capsys, "trace", str(model_file), "--vocab", str(tmp_path / "small.json"), "--tokens", "1", "--out", out
    )
    assert "vocabulary has 4 tokens but the embedding has 6 rows" in err
    (tmp_path / "dup.json").write_text(json.dumps(["a", "a"]))
    assert "appears twice" in one_line_error(capsys, "info", str(model_file), "--vocab", str(tmp_path / "dup.json"))
    err = one_line_error(capsys, "trace", "lstm", "--tokens", "1 2", "--out", out)
    assert "reads numbers, not tokens" in err


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_trace_writes_logits_and_probs_in_every_format(word_model, tmp_path, suffix):
    model_file, vocab = word_model
    common = [str(model_file), "--vocab", str(vocab), "--input", "the cat", "--out"]
    assert main(["trace", *common, str(tmp_path / "t.npz")]) == 0
    assert main(["trace", *common, str(tmp_path / f"t{suffix}")]) == 0
    reference = np.load(tmp_path / "t.npz")
    if suffix == ".csv":
        back = read_trace_csv(tmp_path / "t.csv")
    else:
        back = {k: np.array(v) for k, v in json.loads((tmp_path / "t.json").read_text())["readout"].items()}
    for name in ("logits", "probs"):
        assert back[name].shape == (2, 6) and np.array_equal(back[name], reference[name])


def test_assumption_is_one_stderr_line_naming_the_flag(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.RNN(2, 3).state_dict(), tmp_path / "rnn.pt")
    assert main(["trace", str(tmp_path / "rnn.pt"), "--input", "1 2; 3 4", "--out", str(tmp_path / "t.npz")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert notes == [
        "lstm-explorer: note: rnn.pt: assumed cell rnn: the file does not record an nn.RNN's nonlinearity "
        "(tanh or relu); give --cell rnn-relu if it was built with nonlinearity='relu'"
    ]
    assert (
        main(
            [
                "trace",
                str(tmp_path / "rnn.pt"),
                "--cell",
                "rnn-relu",
                "--input",
                "1 2",
                "--out",
                str(tmp_path / "t.npz"),
            ]
        )
        == 0
    )
    assert "note:" not in capsys.readouterr().err


def test_module_choice_on_the_command_line(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    state = {f"encoder.{k}": v for k, v in torch.nn.LSTM(2, 3).state_dict().items()}
    state |= {f"decoder.{k}": v for k, v in torch.nn.GRU(2, 3).state_dict().items()}
    torch.save(state, tmp_path / "pair.pt")
    err = one_line_error(capsys, "info", str(tmp_path / "pair.pt"))
    assert "holds 2 recurrent modules (encoder, decoder); choose one with --module NAME" in err
    assert main(["info", str(tmp_path / "pair.pt"), "--module", "decoder"]) == 0
    out = capsys.readouterr().out
    assert "decoder (also in the file: encoder" in out and "gru" in out


def test_info_describes_what_was_found_and_assumed(word_model, capsys):
    model_file, vocab = word_model
    assert main(["info", str(model_file), "--vocab", str(vocab)]) == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines() if line.strip())
    assert rows["cell"].startswith("gru — GRU (PyTorch form), from the file's metadata")
    assert rows["layers"].startswith("1 (one direction); hidden sizes 4; input 3")
    assert rows["embedding"] == "embedding.weight (6×3)"
    assert rows["readout"] == "fc.weight (6×4) + fc.bias: softmax over the vocabulary"
    assert rows["vocabulary"].startswith("6 tokens from vocab.txt (words split on whitespace, unknown words → <unk>)")
    assert rows["assumed"] == "nothing"


@pytest.mark.parametrize("layout", [{"go_backwards": "[true]"}, {}])
def test_trace_readout_rows_follow_the_trace_steps(tmp_path, layout):
    rng = np.random.default_rng(3)
    tensors = {f"rnn.{k}": v for k, v in init_weights(cell_graph("lstm"), 2, 3, seed=2).items()}
    tensors |= {"fc.weight": rng.normal(size=(2, 3)), "fc.bias": rng.normal(size=2)}
    write_bundle(tmp_path / "m.safetensors", tensors, {"cell": "lstm", **layout})
    out = tmp_path / "t.npz"
    assert main(["trace", str(tmp_path / "m.safetensors"), "--input", "1 0; 0 1; 2 2; -1 0", "--out", str(out)]) == 0
    data = np.load(out)
    # Row t of the logits is the readout of row t of h, whichever order the layer read the steps in.
    assert np.abs(data["logits"] - (data["h"] @ tensors["fc.weight"].T + tensors["fc.bias"])).max() <= 1e-15
    assert np.array_equal(data["x"][0], [-1, 0] if layout else [1, 0])
