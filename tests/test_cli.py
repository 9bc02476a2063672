"""The headless CLI, run as a user would: arguments in, files and one-line errors out."""

import json
import subprocess
import sys

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.models.files import write_npz
from lstm_explorer.tracefile import read_trace_csv


def run(*args: str) -> int:
    return main(list(args))


def test_trace_random_lstm_to_npz(tmp_path):
    out = tmp_path / "t.npz"
    assert (
        run("trace", "lstm", "--hidden", "4", "--input-size", "2", "--input", "1, 2; 3 4\n5 6", "--out", str(out)) == 0
    )
    data = np.load(out)
    assert data["h"].shape == (3, 4) and data["x"].tolist() == [[1, 2], [3, 4], [5, 6]]
    assert {"x", "h_prev", "c_prev", "f", "i", "g", "o", "c", "tanh_c", "h"} <= set(data.files)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_trace_csv_and_json_hold_the_same_numbers(tmp_path, suffix):
    npz, other = tmp_path / "t.npz", tmp_path / f"t{suffix}"
    common = ["gru", "--hidden", "3", "--input-size", "2", "--input", "0.5 -1; 2 0.25", "--seed", "4"]
    assert run("trace", *common, "--out", str(npz)) == 0
    assert run("trace", *common, "--out", str(other)) == 0
    reference = np.load(npz)
    if suffix == ".csv":
        back = read_trace_csv(other)
    else:
        document = json.loads(other.read_text())
        assert document["cell"] == "gru" and document["steps"] == 2
        back = {k: np.array(v) for k, v in document["nodes"].items()}
    for name in reference.files:
        assert np.array_equal(back[name], reference[name]), name


def test_trace_input_file_npy_and_layer_selection(tmp_path):
    X = np.random.default_rng(0).normal(size=(6, 3))
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / "t.npz"
    assert (
        run(
            "trace",
            "lstm",
            "--input-size",
            "3",
            "--hidden",
            "5",
            "--layers",
            "2",
            "--bidirectional",
            "--input-file",
            str(tmp_path / "x.npy"),
            "--layer",
            "1",
            "--reverse",
            "--out",
            str(out),
        )
        == 0
    )
    data = np.load(out)
    assert data["x"].shape == (6, 10)  # layer 1 reads both directions of layer 0


def test_trace_weights_npz_matches_engine(tmp_path):
    from lstm_explorer.engine import cell_graph, init_weights
    from lstm_explorer.engine.network import RecurrentNetwork

    tensors = init_weights(cell_graph("lstm"), 2, 3, seed=9)
    write_npz(tmp_path / "w.npz", {f"lstm.{k}": v for k, v in tensors.items()})
    out = tmp_path / "t.npz"
    assert run("trace", str(tmp_path / "w.npz"), "--input", "1 2; 3 4", "--out", str(out)) == 0
    expected = RecurrentNetwork.from_tensors(tensors).trace(np.array([[1.0, 2], [3, 4]]))
    assert np.array_equal(np.load(out)["h"], expected["h"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lstm", "--input", "1 2; 3 x", "--input-size", "2"], "step 1, column 4: 'x' is not a number"),
        (["lstm", "--input", "1 2; 3 inf", "--input-size", "2"], "step 1, column 4: inf is not allowed"),
        (["lstm", "--input", " ; ", "--input-size", "2"], "the sequence is empty"),
        (["lstm", "--input", "1 2 3", "--input-size", "2"], "step 0: 3 values, expected 2"),
        (["nosuchcell", "--input", "1"], "unknown model 'nosuchcell'"),
        (["missing.npz", "--input", "1"], "missing.npz: no such file"),
        (["lstm", "--input-file", "nope.npy"], "nope.npy: no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "t.npz"
    assert run("trace", *args, "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_wrong_shapes_name_the_key(tmp_path, capsys):
    from lstm_explorer.engine import cell_graph, init_weights

    tensors = init_weights(cell_graph("lstm"), 2, 3)
    tensors["weight_hh_l0"] = tensors["weight_hh_l0"][:, :2]
    write_npz(tmp_path / "bad.npz", tensors)
    assert run("trace", str(tmp_path / "bad.npz"), "--input", "1 2", "--out", str(tmp_path / "t.npz")) == 2
    err = capsys.readouterr().err
    assert "bad.npz" in err and "weight_hh_l0" in err and "(12, 2)" in err


def test_nan_in_input_file_names_the_step(tmp_path, capsys):
    X = np.zeros((4, 8))
    X[2, 5] = np.nan
    np.save(tmp_path / "x.npy", X)
    assert run("trace", "lstm", "--input-file", str(tmp_path / "x.npy"), "--out", str(tmp_path / "t.npz")) == 2
    assert "step 2, column 6" in capsys.readouterr().err  # t = 2, the sixth value


def test_pickled_npz_is_refused(tmp_path, capsys):
    np.savez(tmp_path / "evil.npz", weight_ih_l0=np.array([object()], dtype=object))
    assert run("trace", str(tmp_path / "evil.npz"), "--input", "1", "--out", str(tmp_path / "t.npz")) == 2
    assert "pickled" in capsys.readouterr().err


def test_torch_state_dict_reproduces_torch(tmp_path, fixtures):
    pytest.importorskip("torch")
    import torch

    torch.manual_seed(1)
    module = torch.nn.LSTM(3, 5, num_layers=2).double()
    path = tmp_path / "model.pt"
    torch.save(module.state_dict(), path)
    X = np.random.default_rng(0).normal(size=(9, 3)) * 4
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / "t.npz"
    assert run("trace", str(path), "--input-file", str(tmp_path / "x.npy"), "--layer", "1", "--out", str(out)) == 0
    with torch.no_grad():
        expected, (_, c_n) = module(torch.tensor(X)[:, None])
    data = np.load(out)
    assert np.abs(data["h"] - expected[:, 0].numpy()).max() <= 1e-12
    assert np.abs(data["c"][-1] - c_n[1, 0].numpy()).max() <= 1e-12


def test_python_dash_m_entry_point_runs(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstm_explorer",
            "trace",
            "rnn",
            "--input",
            "1;2",
            "--input-size",
            "1",
            "--out",
            str(tmp_path / "t.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "t.json").read_text())["steps"] == 2


def test_written_files_get_ordinary_permissions(tmp_path):
    import os
    import stat

    out = tmp_path / "t.npz"
    assert run("trace", "rnn", "--input", "1", "--input-size", "1", "--out", str(out)) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_projected_lstm_is_refused_by_name(tmp_path, capsys):
    pytest.importorskip("torch")
    import torch

    torch.save(torch.nn.LSTM(3, 6, proj_size=2).state_dict(), tmp_path / "proj.pt")
    for cell in ([], ["--cell", "lstm"]):
        assert run("trace", str(tmp_path / "proj.pt"), *cell, "--input", "1 2 3", "--out", str(tmp_path / "t.npz")) == 2
        assert "proj_size" in capsys.readouterr().err


def test_every_command_module_registers_its_own_name(capsys):
    from lstm_explorer.cli import COMMANDS

    for name in COMMANDS:
        with pytest.raises(SystemExit) as stop:
            main([name, "--help"])
        assert stop.value.code == 0
        assert f"usage: lstm-explorer {name}" in capsys.readouterr().out
