"""Classes 2 and 3 of issue 14: a model is validated before anything uses it (every dimension ≥ 1,
real numbers, finite, embedding and readout included), and files are read within bounds: what is
not a regular file is refused before opening, declared sizes are checked before allocating."""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.models import ModelFileError, load_model_file, safe_read


def lstm_tensors(hidden: int = 3, inputs: int = 2) -> dict[str, np.ndarray]:
    return {f"rnn.{k}": v for k, v in init_weights(cell_graph("lstm"), inputs, hidden).items()}


def with_extras(**changes: np.ndarray) -> dict[str, np.ndarray]:
    tensors = lstm_tensors()
    tensors["embedding.weight"] = np.ones((5, 2))
    tensors["fc.weight"] = np.ones((5, 3))
    tensors["fc.bias"] = np.zeros(5)
    tensors.update(changes)
    return tensors


def save_npz(path: Path, tensors: dict[str, np.ndarray]) -> Path:
    np.savez(path, **tensors)  # type: ignore[arg-type]
    return path


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lstm-explorer: error: "), err
    return err


# -- class 2: degenerate models ------------------------------------------------------------------

H0 = {"rnn.weight_ih_l0": np.zeros((0, 2)), "rnn.weight_hh_l0": np.zeros((0, 0))}
DEGENERATE = {
    "hidden size 0": (H0, r"tensor rnn\.weight_ih_l0 has shape \(0, 2\): every dimension must be at least 1"),
    "input size 0": (
        {**lstm_tensors(), "rnn.weight_ih_l0": np.zeros((12, 0))},
        r"rnn\.weight_ih_l0 has shape \(12, 0\)",
    ),
    "0-D weights": (
        {"rnn.weight_ih_l0": np.array(1.0), "rnn.weight_hh_l0": np.array(1.0)},
        r"rnn\.weight_ih_l0 has shape \(\): a recurrent layer's weights are vectors or matrices",
    ),
    "NaN in the embedding": (
        with_extras(**{"embedding.weight": np.array([[1, 2], [3, np.nan], [0, 0], [0, 0], [0, 0]])}),
        r"tensor embedding\.weight contains nan at \[1, 1\]: values must be finite",
    ),
    "infinity in the readout": (
        with_extras(**{"fc.bias": np.array([0, 0, np.inf, 0, 0])}),
        r"tensor fc\.bias contains inf at \[2\]",
    ),
    "NaN in a recurrent weight": (
        {**lstm_tensors(), "rnn.bias_hh_l0": np.full(12, np.nan)},
        r"bias_hh_l0 contains NaN",
    ),
    "complex weights": (
        {**lstm_tensors(), "rnn.weight_hh_l0": lstm_tensors()["rnn.weight_hh_l0"] * (1 + 1j)},
        r"tensor rnn\.weight_hh_l0 holds complex numbers",
    ),
    "datetime weights": (
        {**lstm_tensors(), "rnn.bias_ih_l0": np.arange(12).astype("datetime64[D]")},
        r"tensor rnn\.bias_ih_l0 holds dates \(datetime64\)",
    ),
    "timedelta weights": (
        {**lstm_tensors(), "rnn.bias_ih_l0": np.arange(12).astype("timedelta64[s]")},
        r"tensor rnn\.bias_ih_l0 holds time spans",
    ),
    "text weights": ({**lstm_tensors(), "rnn.bias_ih_l0": np.array(["a"] * 12)}, r"rnn\.bias_ih_l0 holds text"),
    "inconsistent layers": (
        {**lstm_tensors(), "rnn.weight_ih_l1": np.ones((12, 4)), "rnn.weight_hh_l1": np.ones((12, 3))},
        r"tensor weight_ih_l1 has 4 columns, expected 3",
    ),
}


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_a_degenerate_model_is_refused_naming_the_tensor(tmp_path, case):
    tensors, message = DEGENERATE[case]
    path = save_npz(tmp_path / "m.npz", tensors)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_model_file(path)
    assert str(caught.value).startswith("m.npz: ") and "\n" not in str(caught.value)


def test_integer_weights_are_converted_and_compute_the_same(tmp_path):
    floats = {k: np.round(v * 10) for k, v in lstm_tensors().items()}
    ints = {k: v.astype(np.int32) for k, v in floats.items()}
    X = np.random.default_rng(1).normal(size=(4, 2))
    a = load_model_file(save_npz(tmp_path / "f.npz", floats)).network.trace(X)
    b = load_model_file(save_npz(tmp_path / "i.npz", ints)).network.trace(X)
    assert np.array_equal(a["h"], b["h"])


@pytest.mark.parametrize("command", ["trace", "export", "export-png"])
@pytest.mark.parametrize("cell", [None, "lstm"], ids=["no metadata", "--cell lstm"])
def test_hidden_size_zero_is_one_line_and_exit_2_in_every_command(tmp_path, capsys, command, cell):
    path = save_npz(tmp_path / "h0.npz", H0)
    out = tmp_path / ("x.png" if command == "export-png" else "x.npz")
    args = [command.split("-")[0], str(path), "--input", "1,2", "--out", str(out)]
    args += ["--cell", cell] if cell else []
    assert main(args) == 2
    assert "h0.npz: tensor rnn.weight_ih_l0 has shape (0, 2)" in one_line_error(capsys)
    assert not out.exists()


# -- class 3: bounded reading ---------------------------------------------------------------------


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: make_fifo(tmp / "x.npz"), "is a named pipe (FIFO), not a file"),
        (lambda tmp: (tmp / "x.npz").mkdir() or tmp / "x.npz", "is a folder, not a file"),
        (lambda tmp: Path("/dev/zero"), "is a device, not a file"),
        (lambda tmp: (tmp / "z.keras").symlink_to("/dev/zero") or tmp / "z.keras", "is a device, not a file"),
        (lambda tmp: (tmp / "n.pt").symlink_to("/dev/null") or tmp / "n.pt", "is a device, not a file"),
    ],
    ids=["fifo", "folder", "/dev/zero", "/dev/zero as .keras", "/dev/null as .pt"],
)
def test_what_is_not_a_regular_file_is_refused_before_opening(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(ModelFileError, match=re.escape(message)) as caught:
        load_model_file(path)  # a FIFO would block here forever if it were opened
    assert str(caught.value).startswith(f"{path.name}: ")


def npz_declaring(path: Path, shape: tuple[int, ...], payload: bytes = b"") -> Path:
    """An .npz whose one member's header declares ``shape`` but holds only ``payload``."""
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    member = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + payload
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("rnn.weight_hh_l0.npy", member)
    return path


def inflating_npz(path: Path, rows: int) -> Path:
    """A real .npz of zeros: small on disk, ``rows`` × 1024 float64 once inflated."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("rnn.weight_hh_l0.npy", "w", force_zip64=True) as member,
    ):
        np.lib.format.write_array(member, np.zeros((rows, 1024)))
    return path


def test_an_npz_declaring_a_trillion_elements_is_refused_before_allocating(tmp_path):
    path = npz_declaring(tmp_path / "huge.npz", (10**6, 10**6), b"\x00" * 64)
    with pytest.raises(ModelFileError, match=r"huge\.npz: tensor rnn\.weight_hh_l0 declares shape .* damaged"):
        load_model_file(path)


def test_an_npz_that_inflates_past_the_budget_is_refused_before_inflating(tmp_path, monkeypatch):
    path = inflating_npz(tmp_path / "bomb.npz", rows=2048)  # 16 MB of zeros in ~16 kB
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(safe_read, "MODEL_BYTES_CAP", 8 << 20)  # stands in for a 10 GB bomb on a real budget
    inflated = []
    monkeypatch.setattr(np.lib.format, "read_array", lambda *a, **k: inflated.append(1))
    with pytest.raises(ModelFileError, match=r"bomb\.npz: its tensors would take 16\.8 MB .* refused before reading"):
        load_model_file(path)
    assert inflated == []


def safetensors_file(path: Path, header: dict[str, object], data: bytes, declared: int | None = None) -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw) if declared is None else declared) + raw + data)
    return path


@pytest.mark.parametrize(
    ("header", "data", "declared", "message"),
    [
        ({}, b"", 10**15, r"its header declares 1000000000000000 bytes but the file has"),
        (
            {"w": {"dtype": "F64", "shape": [10**6, 10**6], "data_offsets": [0, 8 * 10**12]}},
            b"\x00" * 16,
            None,
            r"tensor w: its data lies outside the file",
        ),
        (
            {"w": {"dtype": "F64", "shape": [3, 3], "data_offsets": [0, 16]}},
            b"\x00" * 16,
            None,
            r"tensor w: shape \(3, 3\) needs 72 bytes, the file gives 16",
        ),
        (
            {"w": {"dtype": "C64", "shape": [2], "data_offsets": [0, 16]}},
            b"\x00" * 16,
            None,
            r"tensor w holds complex numbers",
        ),
    ],
    ids=["header longer than the file", "10^12 elements", "shape and bytes disagree", "complex"],
)
def test_a_safetensors_header_is_checked_against_the_file(tmp_path, header, data, declared, message):
    path = safetensors_file(tmp_path / "m.safetensors", header, data, declared)
    with pytest.raises(ModelFileError, match=message) as caught:
        load_model_file(path)
    assert str(caught.value).startswith("m.safetensors: ")


def test_an_h5_dataset_past_the_budget_is_refused_from_its_metadata(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "m.weights.h5"
    with h5py.File(path, "w") as handle:  # chunked and never written: a tiny file declaring 8 TB
        handle.create_dataset("layers/lstm/cell/vars/0", shape=(10**6, 10**6), dtype="f8", chunks=(16, 16))
    assert path.stat().st_size < 100_000
    with pytest.raises(ModelFileError, match=r"m\.weights\.h5: its tensors would take 8\.0 TB"):
        load_model_file(path)


def test_an_h5_dataset_of_complex_numbers_is_refused_by_name(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "m.weights.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("layers/lstm/cell/vars/0", data=np.ones((2, 4), dtype=complex))
    with pytest.raises(ModelFileError, match=r"layers/lstm/cell/vars/0 holds complex numbers"):
        load_model_file(path)
