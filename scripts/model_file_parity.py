"""Print the table of model files written by the real frameworks: case, file, result, max |Δ|.

Writes every case of tests/models/framework_cases.py into a temporary folder (Keras 3 on the torch
backend, PyTorch, torch.onnx.export), opens each as the app does and prints the largest difference
from the framework's own numbers (float64 reference) and, where the framework computes in float32,
from its float32 output; then the files that are refused or opened with a named assumption.

    PYTHONPATH=$PWD python3 scripts/model_file_parity.py
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_explorer.models import ModelFileError, load_model_file
from tests.models.framework_cases import keras_cases, max_delta, onnx_cases, torch_cases


def flagged_and_refused(folder: Path) -> list[tuple[str, str, str]]:
    """(case, file, what happens) for files that open with an assumption or are refused."""
    import keras
    import torch

    rows = []
    torch.save(torch.nn.RNN(3, 4, nonlinearity="relu").state_dict(), folder / "relu-rnn.pt")
    torch.save(torch.nn.LSTM(3, 4), folder / "whole-module.pt")
    torch.jit.save(torch.jit.script(torch.nn.LSTM(3, 4)), folder / "torchscript.pt")
    state = {f"encoder.{k}": v for k, v in torch.nn.LSTM(3, 4).state_dict().items()}
    torch.save(state | {f"decoder.{k}": v for k, v in torch.nn.GRU(3, 4).state_dict().items()}, folder / "pair.pt")
    L = keras.layers
    inp = keras.Input((None, 3))
    keras.Model(inp, L.SimpleRNN(4, activation="relu")(inp)).save_weights(folder / "relu.weights.h5")
    keras.Model(inp, L.LSTM(4, activation="relu")(inp)).save(folder / "relu-lstm.keras")
    keras.Model(inp, L.Dense(2)(L.Dense(8, activation="relu")(L.LSTM(4, return_sequences=True)(inp)))).save(
        folder / "mlp-head.keras"
    )
    for name in (
        "relu-rnn.pt",
        "relu.weights.h5",
        "whole-module.pt",
        "torchscript.pt",
        "pair.pt",
        "relu-lstm.keras",
        "mlp-head.keras",
    ):
        try:
            model = load_model_file(folder / name)
        except ModelFileError as exc:
            rows.append((name, "refused", str(exc).split("\n")[0]))
            continue
        said = [a.message() for a in model.assumptions] + ([model.readout_problem] if model.readout_problem else [])
        rows.append((name, "opens, flagged", "; ".join(said) or "nothing assumed"))
    return rows


def main() -> int:
    warnings.filterwarnings("ignore")
    folder = Path(tempfile.mkdtemp())
    print(f"{'case':42} {'file':44} {'result':7} {'max |Δ| f64':>12} {'vs float32':>11}  reference")
    for build in (keras_cases, torch_cases, onnx_cases):
        with contextlib.redirect_stdout(io.StringIO()):  # torch.onnx.export reports its progress there
            cases = build(folder)
        for case in cases:
            delta = max_delta(case)
            loose = f"{max_delta(case, case.float32):.1e}" if case.float32 else ""
            result = "equal" if delta <= 1e-12 else "DIFFERS"
            print(f"{case.name:42} {case.file.name:44} {result:7} {delta:12.1e} {loose:>11}  {case.reference}")
    print()
    for name, result, detail in flagged_and_refused(folder):
        print(f"{name:20} {result:15} {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
