"""Bad weight files: each refused with a ModelFileError naming the file and the problem, and a
pickle that would run code is refused without running it."""

import sys

import numpy as np
import pytest

from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.models import ModelFileError, load_model_file
from lstm_explorer.models.bundle import bundle_metadata, write_bundle
from lstm_explorer.models.files import write_npz


def lstm_tensors():
    return {f"lstm.{k}": v for k, v in init_weights(cell_graph("lstm"), 2, 3, num_layers=2).items()}


class RunsCode:
    """Unpickling this would call os.system and create a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_pickle_that_would_run_code_is_refused_without_running(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"weight_ih_l0": torch.zeros(4, 1), "payload": RunsCode(marker)}, path)
    assert not marker.exists()
    with pytest.raises(ModelFileError) as info:
        load_model_file(path)
    assert not marker.exists()
    assert "evil.pt" in str(info.value) and "refused" in str(info.value)


def test_pt_without_torch_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch → ImportError
    with pytest.raises(ModelFileError, match=r"model\.pt: .*needs torch.*lstm-explorer\[torch\]"):
        load_model_file(path)


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".pt"])
def test_truncated_files(tmp_path, suffix):
    if suffix == ".pt":
        torch = pytest.importorskip("torch")
        full = tmp_path / f"full{suffix}"
        torch.save({k: torch.tensor(v) for k, v in lstm_tensors().items()}, full)
    elif suffix == ".npz":
        full = tmp_path / f"full{suffix}"
        write_npz(full, lstm_tensors())
    else:
        full = write_bundle(
            tmp_path / f"full{suffix}", lstm_tensors(), bundle_metadata(cell="lstm", task="numeric", description="x")
        )
    data = full.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ModelFileError) as info:
        load_model_file(cut)
    assert str(info.value).startswith(f"cut{suffix}: ")


def test_wrong_shape_names_the_tensor(tmp_path):
    tensors = lstm_tensors()
    tensors["lstm.weight_ih_l1"] = np.zeros((12, 5))
    write_npz(tmp_path / "w.npz", tensors)
    with pytest.raises(ModelFileError, match=r"w\.npz: tensor weight_ih_l1 has 5 columns, expected 3"):
        load_model_file(tmp_path / "w.npz")


def test_missing_key_names_the_tensor(tmp_path):
    tensors = lstm_tensors()
    del tensors["lstm.weight_hh_l1"]
    write_npz(tmp_path / "w.npz", tensors)
    with pytest.raises(ModelFileError, match=r"w\.npz: missing tensor weight_hh_l1"):
        load_model_file(tmp_path / "w.npz")


def test_no_recurrent_layer(tmp_path):
    write_npz(tmp_path / "w.npz", {"fc.weight": np.zeros((2, 2))})
    with pytest.raises(ModelFileError, match=r"w\.npz: no recurrent layer found"):
        load_model_file(tmp_path / "w.npz")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("weights", "unknown format"),
        ("weights.tflite", "unknown format"),
        ("weights.bin", "not a PyTorch file"),  # zero bytes: neither a zip nor a pickle (issue 14)
        ("model.onnx", "not a readable ONNX file"),
    ],
)
def test_unknown_or_unreadable_format(tmp_path, name, problem):
    if name.endswith(".bin"):
        pytest.importorskip("torch")
    if name.endswith(".onnx"):
        pytest.importorskip("onnx")
    (tmp_path / name).write_bytes(b"\0" * 16)
    with pytest.raises(ModelFileError, match=f"{name}: {problem}") as info:
        load_model_file(tmp_path / name)
    assert "\n" not in str(info.value)


def test_not_a_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_model_file(tmp_path / "nope.safetensors")
    with pytest.raises(ModelFileError, match="is a folder"):
        load_model_file(tmp_path)


def test_garbage_with_a_known_extension(tmp_path):
    for name in ("g.safetensors", "g.npz", "g.weights.h5", "g.keras"):
        (tmp_path / name).write_bytes(b"this is not a weights file at all" * 4)
        with pytest.raises(ModelFileError) as info:
            load_model_file(tmp_path / name)
        assert str(info.value).startswith(f"{name}: ")


def test_nan_weights_are_refused(tmp_path):
    tensors = lstm_tensors()
    tensors["lstm.bias_hh_l0"][3] = np.nan
    write_npz(tmp_path / "w.npz", tensors)
    with pytest.raises(ModelFileError, match="bias_hh_l0 contains NaN"):
        load_model_file(tmp_path / "w.npz")


def test_vocabulary_that_does_not_fit_the_input(tmp_path):
    meta = bundle_metadata(cell="lstm", task="text", description="x", vocabulary="abcdefg")
    path = write_bundle(tmp_path / "m.safetensors", lstm_tensors(), meta)
    with pytest.raises(ModelFileError, match="vocabulary has 7 characters but the model reads 2 inputs"):
        load_model_file(path)
