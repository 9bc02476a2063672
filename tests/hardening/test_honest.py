"""Class 8 of issue 14: messages say what happened (not a PyTorch file, permission denied, a loop
of symbolic links) and name the file; writes keep a replaced file's mode, write through symbolic
links, and give new files (trained bundles too) the ordinary mode."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from lstm_explorer.atomic import atomic_path, default_mode
from lstm_explorer.cli import main
from lstm_explorer.models import ModelFileError, load_model_file, safe_read


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("name", ["model.pt", "model.pth", "model.bin", "model.ckpt"])
@pytest.mark.parametrize(
    "content", [os.urandom(64), b"hello, this is text", b"\x80\x09junk"], ids=["random", "text", "bad protocol"]
)
def test_bytes_that_are_no_pickle_or_zip_are_not_a_pytorch_file(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(b"\x00" + content)  # never a zip ("PK") or a pickle (0x80) by accident
    with pytest.raises(ModelFileError) as caught:
        load_model_file(path)
    assert str(caught.value).startswith(f"{name}: not a PyTorch file (torch.save writes a zip")


@pytest.mark.parametrize("name", ["m.safetensors", "m.npz", "m.pt", "m.weights.h5", "m.keras"])
def test_an_unreadable_file_says_permission_denied(tmp_path, monkeypatch, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 whatever")

    def refuse(file, *args, **kwargs):  # tests may run as root, whom chmod does not stop
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))

    monkeypatch.setattr(safe_read, "open", refuse, raising=False)
    with pytest.raises(ModelFileError) as caught:
        load_model_file(path)
    assert str(caught.value) == f"{name}: permission denied"


def test_a_loop_of_symbolic_links_is_called_that(tmp_path):
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    (tmp_path / "b.npz").symlink_to(tmp_path / "a.npz")
    with pytest.raises(ModelFileError, match=r"^a\.npz: a loop of symbolic links$"):
        load_model_file(tmp_path / "a.npz")


def test_a_dangling_symbolic_link_says_where_it_points(tmp_path):
    (tmp_path / "m.npz").symlink_to(tmp_path / "gone.npz")
    with pytest.raises(ModelFileError, match=r"^m\.npz: a symbolic link to .*gone\.npz, which does not exist$"):
        load_model_file(tmp_path / "m.npz")


BAD_FILES = {
    "empty.npz": b"",
    "garbage.npz": b"not a zip at all",
    "empty.safetensors": b"",
    "short.safetensors": b"\x05\x00\x00\x00\x00\x00\x00\x00{}",
    "garbage.keras": b"not a zip",
    "garbage.weights.h5": b"not hdf5",
    "empty.pt": b"",
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_every_refusal_names_the_file_on_one_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(ModelFileError) as caught:
        load_model_file(path)
    assert str(caught.value).startswith(f"{name}: ") and "\n" not in str(caught.value)


@pytest.mark.parametrize("old_mode", [0o600, 0o640, 0o604])
@pytest.mark.parametrize("suffix", [".json", ".csv", ".npz", ".gif"])
def test_replacing_a_file_keeps_its_mode(tmp_path, old_mode, suffix):
    target = tmp_path / f"out{suffix}"
    target.write_bytes(b"old")
    target.chmod(old_mode)
    command = "export" if suffix == ".gif" else "trace"
    extra = ["--frames-per-step", "1", "--size", "64x36"] if suffix == ".gif" else []
    assert main([command, "lstm", "--input", "1 2 3 4 5 6 7 8", *extra, "--out", str(target)]) == 0
    assert target.read_bytes() != b"old" and mode(target) == old_mode


def test_a_new_file_gets_the_ordinary_mode(tmp_path):
    with atomic_path(tmp_path / "new.txt") as temp:
        temp.write_text("x")
    assert mode(tmp_path / "new.txt") == default_mode()


def test_a_trained_bundle_gets_the_ordinary_mode(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["train", "sine", "--steps", "2", "--hidden", "4", "--out", str(out)]) == 0
    assert mode(out) == default_mode()  # safetensors itself writes 0600


@pytest.mark.parametrize("suffix", [".csv", ".gif"])
def test_exporting_onto_a_symbolic_link_writes_through_to_its_target(tmp_path, suffix):
    real = tmp_path / "real" / f"walk{suffix}"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    extra = ["--frames-per-step", "1", "--size", "64x36"]
    assert main(["export", "lstm", "--input", "1 2 3 4 5 6 7 8", *extra, "--out", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old" and mode(real) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == [real.name]


def test_writing_onto_a_loop_of_symbolic_links_is_refused_as_such(tmp_path, capsys):
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    assert main(["trace", "lstm", "--input", "1 2 3 4 5 6 7 8", "--out", str(tmp_path / "a.csv")]) == 2
    assert capsys.readouterr().err.strip().endswith("a loop of symbolic links)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
    assert (tmp_path / "a.csv").is_symlink()


def test_trace_input_in_a_numpy_file_of_integers_is_read_as_numbers(tmp_path, capsys):
    np.save(tmp_path / "ints.npy", np.arange(16, dtype=np.int16).reshape(2, 8))
    assert main(["trace", "lstm", "--input-file", str(tmp_path / "ints.npy"), "--out", str(tmp_path / "t.npz")]) == 0
    with np.load(tmp_path / "t.npz") as trace:
        assert trace["x"].tolist() == np.arange(16.0).reshape(2, 8).tolist()
