"""``lstm-explorer models`` and ``lstm-explorer train``, and bundled names with text in ``trace``."""

import numpy as np

from lstm_explorer.cli import main
from lstm_explorer.models import load_model_file
from lstm_explorer.models.bundled import bundled_names


def test_models_lists_every_bundle_with_a_description(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == [
        "brackets",
        "remember",
        "remember-rnn",
        "sine",
        "adding",
        "adding-rnn",
    ]
    assert all(len(line.split(None, 1)[1]) > 20 for line in lines)
    assert "(default)" in lines[0]


def test_train_writes_a_bundle_that_trace_reads(tmp_path, capsys):
    out = tmp_path / "tiny.safetensors"
    args = ["train", "brackets", "--cell", "gru", "--hidden", "4", "--steps", "20", "--batch", "4", "--seed", "3"]
    assert main([*args, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "20/20 loss" in err and "wrote" in err
    model = load_model_file(out)
    assert model.kind == "gru" and model.hidden_size == 4 and model.vocabulary == "()abc" and model.presets
    assert model.metadata["trained_on"] == "brackets"
    trace_out = tmp_path / "t.npz"
    assert main(["trace", str(out), "--input", "(a(b))", "--out", str(trace_out)]) == 0
    x = np.load(trace_out)["x"]
    assert x.shape == (6, 5) and x[0].tolist() == [1, 0, 0, 0, 0]


def test_train_refuses_bad_arguments(tmp_path, capsys):
    assert main(["train", "sine", "--out", str(tmp_path / "m.npz")]) == 2
    assert "m.npz: a trained model is saved as .safetensors" in capsys.readouterr().err
    assert main(["train", "sine", "--hidden", "0", "--out", str(tmp_path / "m.safetensors")]) == 2
    assert "--hidden must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "m.safetensors").exists()


def test_trace_a_bundled_model_with_text(tmp_path):
    assert "brackets" in bundled_names()
    out = tmp_path / "t.npz"
    assert main(["trace", "brackets", "--input", "((a)b)", "--out", str(out)]) == 0
    assert np.load(out)["h"].shape[0] == 6


def test_unknown_character_is_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "t.npz"
    assert main(["trace", "brackets", "--input", "(aZ)", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "step 2: 'Z' is not in the vocabulary" in err  # steps count from t = 0, as in the window
    assert not out.exists()


def test_numeric_bundle_reads_numbers(tmp_path):
    out = tmp_path / "t.npz"
    assert main(["trace", "sine", "--input", "0.1; 0.3; 0.5", "--out", str(out)]) == 0
    assert np.load(out)["x"].ravel().tolist() == [0.1, 0.3, 0.5]
