"""Class 4 of issue 14: every error a user can cause in the CLI is one line on stderr and exit
code 2 — argparse's own errors included — and documented negative values are accepted."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.models import safe_read


def npy(data: object) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        np.save(tmp / "in.npy", np.asarray(data))
        return "in.npy"

    return make


def raw(name: str, content: bytes) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        (tmp / name).write_bytes(content)
        return name

    return make


def folder(name: str) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        (tmp / name).mkdir()
        return name

    return make


INPUT_FILES = {
    "zero-byte .npy": (raw("in.npy", b""), "in.npy: the file is empty, not a .npy array"),
    "string-typed .npy": (npy(["a", "b"]), "in.npy: holds text, not numbers"),
    "complex .npy": (npy([[1 + 2j] * 8]), "in.npy: holds complex numbers"),
    "datetime .npy": (npy(np.arange(8).astype("datetime64[D]")), "in.npy: holds dates"),
    "truncated .npy": (raw("in.npy", b"\x93NUMPY\x01\x00v\x00{'descr'"), "in.npy: not a numeric .npy array"),
    "non-UTF-8 .csv": (raw("in.csv", b"1,2,3,4,5,6,7,8\n\xff\xfe,1\n"), "in.csv: line 2: byte 0xff is not UTF-8"),
    "folder named x.npy": (folder("x.npy"), "x.npy: is a folder, not a file"),
    "empty field in a .csv": (raw("in.csv", b"1,2,3,4,5,6,7,8\n1,2,,3,4,5,6,7\n"), "step 1, column 5: empty value"),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI; assert exit code 2 and exactly one line on stderr; return that line."""
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err and "usage:" not in err
    return err.strip()


@pytest.mark.parametrize("case", list(INPUT_FILES))
def test_a_bad_input_file_is_one_line(tmp_path, capsys, monkeypatch, case):
    make, message = INPUT_FILES[case]
    monkeypatch.chdir(tmp_path)
    name = make(tmp_path)
    line = run(capsys, "trace", "lstm", "--input-file", name, "--out", "t.npz")
    assert message in line
    assert not (tmp_path / "t.npz").exists()


def test_an_unreadable_input_file_says_permission_denied(tmp_path, capsys, monkeypatch):
    path = tmp_path / "in.npy"
    np.save(path, np.zeros((3, 8)))

    def refuse(file, *args, **kwargs):  # tests may run as root, whom chmod does not stop
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))

    monkeypatch.setattr(safe_read, "open", refuse, raising=False)
    line = run(capsys, "trace", "lstm", "--input-file", str(path), "--out", str(tmp_path / "t.npz"))
    assert line.endswith("in.npy: permission denied")


MODEL_CASES = {
    "__metadata__ a JSON list": (
        lambda tmp: np.savez(tmp / "m.npz", __metadata__=np.array("[1, 2]"), **{"rnn.weight_hh_l0": np.ones((4, 1))}),
        ["trace", "m.npz", "--input", "1"],
        "m.npz: __metadata__ is a JSON list",
    ),
    "--cell lstm on 0-D weights": (
        lambda tmp: np.savez(tmp / "m.npz", **{"rnn.weight_ih_l0": np.array(1.0), "rnn.weight_hh_l0": np.array(1.0)}),
        ["trace", "m.npz", "--cell", "lstm", "--input", "1"],
        "m.npz: tensor rnn.weight_ih_l0 has shape ()",
    ),
    "--hidden 100000": (
        None,
        ["trace", "lstm", "--hidden", "100000", "--input", "1 2 3 4 5 6 7 8"],
        "would need about",
    ),
    "a trace that cannot fit": (
        lambda tmp: np.save(tmp / "long.npy", np.zeros((10_000, 1))),
        ["trace", "lstm", "--hidden", "2000", "--input-size", "1", "--input-file", "long.npy"],
        "a trace of 10000 steps would need about 1.9 GB",
    ),
}


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_a_model_or_size_that_cannot_be_used_is_one_line(tmp_path, capsys, monkeypatch, case):
    make, args, message = MODEL_CASES[case]
    monkeypatch.chdir(tmp_path)
    if make is not None:
        make(tmp_path)
    if case == "a trace that cannot fit":  # with 2 GB free, 2000 units' weights (256 MB) fit, the trace does not
        monkeypatch.setattr(safe_read, "available_memory", lambda: 2 << 30)
    assert message in run(capsys, *args, "--out", "t.npz")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "lstm", "--input", "1 2 3 4 5 6 7 8", "--fps", "0.001", "--out", "x.gif"], "fps 0.001: choose"),
        (["export", "lstm", "--input", "1 2 3 4 5 6 7 8"], "the following arguments are required: --out"),
        (["export", "lstm", "--input", "1", "--fps", "fast", "--out", "x.gif"], "argument --fps"),
        (["trace", "lstm", "--hidden", "many", "--input", "1", "--out", "t.npz"], "invalid int value: 'many'"),
        (["trace", "lstm", "--input", "1", "--out", "t.npz", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "nosuchtask", "--out", "m.safetensors"], "invalid choice: 'nosuchtask'"),
        (["train", "sine", "--batch", "100000000", "--out", "m.safetensors"], "--batch 100000000: a batch of"),
        (["train", "sine", "--hidden", "100000", "--out", "m.safetensors"], "--hidden 100000: training a hidden"),
        (["train", "sine", "--clip", "-1", "--out", "m.safetensors"], "--clip must be positive and finite"),
        (["train", "sine", "--clip", "nan", "--out", "m.safetensors"], "--clip must be positive and finite"),
        (["train", "sine", "--clip", "inf", "--out", "m.safetensors"], "--clip must be positive and finite"),
        (["train", "sine", "--clip", "0", "--out", "m.safetensors"], "--clip must be positive and finite"),
        (["train", "sine", "--lr", "nan", "--out", "m.safetensors"], "--lr must be positive and finite"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_option_errors_are_one_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert message in run(capsys, *args)
    assert list(tmp_path.iterdir()) == []


def test_train_onto_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    import safetensors.numpy
    from safetensors import SafetensorError

    def full(*args, **kwargs):  # what safetensors raises when the disk fills up
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr(safetensors.numpy, "save_file", full)
    out = tmp_path / "m.safetensors"
    assert main(["train", "sine", "--steps", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err  # progress lines, then the error
    assert err.splitlines()[-1] == f"lstm-explorer: error: {out}: cannot write (No space left on device)"
    assert err.count("error") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("steps", "expected"), [("-3:", (2, 5)), ("-2", (3, 4)), (":-1", (0, 4)), ("-4:-2", (1, 3))])
def test_negative_steps_are_values_not_options(tmp_path, capsys, steps, expected):
    out = tmp_path / "t.npz"
    code = main(["export", "lstm", "--input-size", "1", "--input", "1;2;3;4;5", "--steps", steps, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    with np.load(out) as trace:
        assert trace["x"][:, 0].tolist() == [float(v) for v in range(expected[0] + 1, expected[1] + 1)]


@pytest.mark.parametrize("text", ["-1,2,3,4,5,6,7,8", "-.5 -1e-3 0 1 2 3 4 5"])
def test_numeric_input_may_start_with_a_minus(tmp_path, capsys, text):
    out = tmp_path / "t.npz"
    assert main(["trace", "lstm", "--input", text, "--out", str(out)]) == 0, capsys.readouterr().err
    with np.load(out) as trace:
        assert trace["x"][0, 0] == float(text.replace(",", " ").split()[0])
