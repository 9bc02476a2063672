"""Model files written by the real frameworks (Keras 3 on torch, PyTorch, torch.onnx.export), each with
what the framework itself computed, for the parity tests and scripts/model_file_parity.py.

Every case keeps the framework's outputs by name: ``out{k}`` is layer k's output as the layer above
reads it (directions merged), ``h_n`` / ``c_n`` the final states of every layer (PyTorch), ``logits``
the readout. ``reference`` says what they were computed in: the framework in float64, or — where the
framework computes in float32 (Keras SimpleRNN, GRU(reset_after=False) and Dense on the torch backend;
onnxruntime, which has no float64 LSTM/GRU/RNN) — a float64 recomputation from the file's own
weights, with the framework's float32 output kept in ``float32`` for a looser second check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

T = 7


class AttributeDict(dict):
    """What Lightning keeps its hyper-parameters in: a dict subclass (pickled by reference)."""


@dataclass
class Case:
    name: str
    file: Path
    X: np.ndarray  # (T, in) values, or (T,) token ids
    expected: dict[str, np.ndarray]
    reference: str
    load: dict = field(default_factory=dict)
    float32: dict[str, np.ndarray] = field(default_factory=dict)


def engine_outputs(case: Case):
    """The same quantities from the file as the app opens it."""
    from lstm_explorer.models import load_model_file

    model = load_model_file(case.file, **case.load)
    X = model.encode_tokens(case.X) if case.X.ndim == 1 else case.X
    traces = model.run(X)
    net = model.network
    got = {f"out{k}": net.outputs(traces, k) for k in range(net.num_layers)}
    if model.has_readout:
        got["logits"] = model.logits(model.top_outputs(traces))
    if len(set(net.hidden_sizes)) > 1:
        return model, got  # final states are compared for PyTorch files, whose layers share one width
    last = -1
    got["h_n"] = np.stack([traces[(k, r)]["h"][last] for k in range(net.num_layers) for r in net.directions])
    if "c" in traces[(0, False)]:
        got["c_n"] = np.stack([traces[(k, r)]["c"][last] for k in range(net.num_layers) for r in net.directions])
    return model, got


def max_delta(case: Case, expected: dict[str, np.ndarray] | None = None) -> float:
    _, got = engine_outputs(case)
    expected = case.expected if expected is None else expected
    return max(float(np.abs(got[name] - value).max()) for name, value in expected.items())


# --- Keras ------------------------------------------------------------------------------------


def keras_cases(folder: Path) -> list[Case]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras.config.set_floatx("float64")
    layers = keras.layers
    rng = np.random.default_rng(0)
    X = rng.normal(size=(T, 3))
    ids = rng.integers(0, 9, size=T)

    def build(name, stack, inputs, *, tokens=False, recompute=None, weights_only=False):
        keras.utils.set_random_seed(1)
        inp = keras.Input((None,), dtype="int64") if tokens else keras.Input((None, 3))
        x, outs = inp, []
        for layer in stack:
            x = layer(x)
            outs.append(x)
        model = keras.Model(inp, outs)
        for w in model.weights:  # biases too: Keras starts them at zero or one
            w.assign(rng.normal(scale=0.5, size=w.shape))
        results = model(inputs[None])
        results = results if isinstance(results, list | tuple) else [results]
        results = [np.asarray(keras.ops.convert_to_numpy(y), dtype=np.float64)[0] for y in results]
        if tokens:
            results = results[1:]  # the embedding's output is not a layer of the network
            stack = stack[1:]
        expected = {}
        for k, (layer, y) in enumerate(zip(stack, results, strict=True)):
            expected["logits" if layer.__class__.__name__ in ("Dense", "TimeDistributed") else f"out{k}"] = y
        path = folder / f"{name}.{'weights.h5' if weights_only else 'keras'}"
        model.save_weights(path) if weights_only else model.save(path)
        float32 = {}
        if recompute is not None:
            float32 = dict(expected)
            expected = recompute(model, inputs, expected)
        note = "Keras float64" if recompute is None else "float64 recomputation from the file (Keras float32)"
        return Case(name, path, inputs, expected, note, float32=float32)

    def dense_in_float64(model, inputs, expected):
        # Keras on torch computes Dense in float32: recompute it from the file's kernel and bias.
        kernel, bias = (np.asarray(keras.ops.convert_to_numpy(w), dtype=np.float64) for w in model.layers[-1].weights)
        top = expected[max(k for k in expected if k.startswith("out"))]
        z = top @ kernel + bias
        return {**expected, "logits": z}

    def simple_rnn_in_float64(model, inputs, expected):
        h, out = inputs, {}
        for k, layer in enumerate(model.layers[1:]):
            kernel, rec, bias = (np.asarray(keras.ops.convert_to_numpy(w), dtype=np.float64) for w in layer.weights)
            act = np.tanh if layer.activation.__name__ == "tanh" else (lambda v: np.maximum(v, 0.0))
            state, hs = np.zeros(rec.shape[0]), []
            for x in h:
                state = act(x @ kernel + state @ rec + bias)
                hs.append(state)
            h = out[f"out{k}"] = np.array(hs)
        return out

    def gru_classic_in_float64(model, inputs, expected):
        kernel, rec, bias = (
            np.asarray(keras.ops.convert_to_numpy(w), dtype=np.float64) for w in model.layers[1].weights
        )
        U = rec.shape[0]
        h, hs = np.zeros(U), []
        sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
        for x in inputs:
            xz = x @ kernel + bias
            z = sig(xz[:U] + h @ rec[:, :U])
            r = sig(xz[U : 2 * U] + h @ rec[:, U : 2 * U])
            hh = np.tanh(xz[2 * U :] + (r * h) @ rec[:, 2 * U :])
            h = z * h + (1 - z) * hh
            hs.append(h)
        return {"out0": np.array(hs)}

    seq = {"return_sequences": True}
    cases = [
        build("keras-lstm", [layers.LSTM(5, **seq)], X),
        build("keras-gru", [layers.GRU(5, **seq)], X),
        build("keras-gru-classic", [layers.GRU(5, reset_after=False, **seq)], X, recompute=gru_classic_in_float64),
        build(
            "keras-simple-rnn-relu", [layers.SimpleRNN(4, activation="relu", **seq)], X, recompute=simple_rnn_in_float64
        ),
        build(
            "keras-widths-16-8-dense",
            [layers.LSTM(16, **seq), layers.LSTM(8, **seq), layers.Dense(3)],
            X,
            recompute=dense_in_float64,
        ),
        build("keras-go-backwards", [layers.LSTM(5, go_backwards=True, **seq), layers.LSTM(3, **seq)], X),
        build("keras-no-bias", [layers.LSTM(5, use_bias=False, **seq), layers.LSTM(3, use_bias=False, **seq)], X),
        build("keras-gru-no-bias", [layers.GRU(4, use_bias=False, **seq)], X),
        build(
            "keras-embedding-timedistributed",
            [layers.Embedding(9, 3), layers.LSTM(5, **seq), layers.TimeDistributed(layers.Dense(9))],
            ids,
            tokens=True,
            recompute=dense_in_float64,
        ),
        build("keras-lstm-weights-h5", [layers.LSTM(5, **seq), layers.LSTM(4, **seq)], X, weights_only=True),
    ]
    for mode in ("concat", "sum", "mul", "ave"):
        stack = [
            layers.Bidirectional(layers.LSTM(4, **seq), merge_mode=mode),
            layers.Bidirectional(layers.LSTM(3, **seq), merge_mode=mode),
        ]
        cases.append(build(f"keras-bidirectional-{mode}", stack, X))
    # A model built after another in the same session: Keras numbers the layer names (simple_rnn_2 …)
    # but the weight groups restart (simple_rnn): matching by name read relu layers as tanh.
    layers.SimpleRNN(4)
    layers.SimpleRNN(4)
    cases.append(
        build(
            "keras-renamed-relu-stack",
            [layers.SimpleRNN(4, activation="relu", **seq), layers.SimpleRNN(3, activation="relu", **seq)],
            X,
            recompute=simple_rnn_in_float64,
        )
    )
    return cases


# --- PyTorch ----------------------------------------------------------------------------------


def torch_cases(folder: Path) -> list[Case]:
    import torch
    from safetensors.torch import save_file, save_model

    torch.manual_seed(0)
    X = torch.randn(T, 1, 3, dtype=torch.float64)
    x = X[:, 0].numpy()
    cases = []

    def rnn_case(name, rnn, path, saver, **load):
        rnn = rnn.double().eval()
        with torch.no_grad():
            y, state = rnn(X)
        h_n, c_n = state if isinstance(state, tuple) else (state, None)
        expected = {f"out{rnn.num_layers - 1}": y[:, 0].numpy(), "h_n": h_n[:, 0].numpy()}
        if c_n is not None:
            expected["c_n"] = c_n[:, 0].numpy()
        saver(path)
        cases.append(Case(name, path, x, expected, "PyTorch float64", load))

    lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    rnn_case("torch-lstm-2x-bi", lstm, folder / "lstm.pt", lambda p: torch.save(lstm.double().state_dict(), p))
    relu = torch.nn.RNN(3, 4, nonlinearity="relu")
    rnn_case(
        "torch-rnn-relu --cell rnn-relu",
        relu,
        folder / "relu.pt",
        lambda p: torch.save(relu.double().state_dict(), p),
        cell="rnn-relu",
    )

    for bits, dtype in (("bf16", torch.bfloat16), ("fp16", torch.float16)):
        low = torch.nn.GRU(3, 4).to(dtype)
        exact = torch.nn.GRU(3, 4).double()
        exact.load_state_dict({k: v.double() for k, v in low.state_dict().items()})  # float16/bf16 → float64 is exact
        rnn_case(
            f"torch-gru-{bits}.safetensors",
            exact,
            folder / f"{bits}.safetensors",
            lambda p, m=low: save_file(m.state_dict(), p),
        )
        rnn_case(f"torch-gru-{bits}.pt", exact, folder / f"{bits}.pt", lambda p, m=low: torch.save(m.state_dict(), p))

    ckpt_lstm = torch.nn.LSTM(3, 4).double()
    checkpoint = {
        "epoch": 3,
        "global_step": 120,
        "state_dict": {f"model.rnn.{k}": v for k, v in ckpt_lstm.state_dict().items()},
        "hyper_parameters": AttributeDict(hidden=4, lr=0.01),
        "callbacks": {"ModelCheckpoint": {"best_model_score": np.float64(0.25), "history": np.zeros(3)}},
        "optimizer_states": [{"state": {0: {"exp_avg": torch.zeros(3)}}}],
    }
    rnn_case("lightning-style.ckpt", ckpt_lstm, folder / "model.ckpt", lambda p: torch.save(checkpoint, p))
    bin_gru = torch.nn.GRU(3, 4).double()
    rnn_case("torch-gru.bin", bin_gru, folder / "pytorch_model.bin", lambda p: torch.save(bin_gru.state_dict(), p))

    class EncoderDecoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.LSTM(3, 4)
            self.decoder = torch.nn.GRU(3, 4)

    pair = EncoderDecoder().double()
    rnn_case(
        "encoder+decoder --module decoder",
        pair.decoder,
        folder / "pair.pt",
        lambda p: torch.save(pair.state_dict(), p),
        module="decoder",
    )

    for cls in (torch.nn.LSTMCell, torch.nn.GRUCell, torch.nn.RNNCell):
        cell = cls(3, 4).double()
        holder = torch.nn.Module()
        holder.cell = cell
        h, hs, cs = None, [], []
        with torch.no_grad():
            for t in range(T):
                h = cell(X[t], h)
                hs.append((h[0] if isinstance(h, tuple) else h)[0].numpy())
                if isinstance(h, tuple):
                    cs.append(h[1][0].numpy())
        path = folder / f"{cls.__name__}.pt"
        torch.save({"encoder." + k: v for k, v in holder.state_dict().items()}, path)
        expected = {"out0": np.array(hs)} | ({"c_n": cs[-1][None]} if cs else {})
        cases.append(Case(f"torch {cls.__name__} state_dict", path, x, expected, "PyTorch float64"))

    class WordModel(torch.nn.Module):
        """PyTorch's word-language-model example: decoder.weight is encoder.weight."""

        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Embedding(10, 4)
            self.rnn = torch.nn.LSTM(4, 4)
            self.decoder = torch.nn.Linear(4, 10)
            self.decoder.weight = self.encoder.weight

    word = WordModel().double().eval()
    ids = np.array([3, 1, 4, 1, 5, 9, 2])
    with torch.no_grad():
        y, _ = word.rnn(word.encoder(torch.tensor(ids)[:, None]))
        logits = word.decoder(y)[:, 0].numpy()
    expected = {"out0": y[:, 0].numpy(), "logits": logits}
    torch.save(word.state_dict(), folder / "word.pt")
    cases.append(Case("tied word model .pt", folder / "word.pt", ids, expected, "PyTorch float64"))
    save_model(word, str(folder / "word.safetensors"))
    cases.append(
        Case("tied word model save_model .safetensors", folder / "word.safetensors", ids, expected, "PyTorch float64")
    )
    return cases


# --- ONNX ---------------------------------------------------------------------------------------


def onnx_cases(folder: Path) -> list[Case]:
    import onnxruntime
    import torch

    torch.manual_seed(1)
    X32 = torch.randn(T, 1, 3)
    x = X32[:, 0].numpy().astype(np.float64)

    class Outputs(torch.nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, inputs):
            return self.rnn(inputs)[0]

    cases = []
    for name, module, dynamo in (
        ("onnx LSTM 2 layers bidirectional", torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True), True),
        ("onnx GRU", torch.nn.GRU(3, 4), True),
        ("onnx GRU (legacy exporter)", torch.nn.GRU(3, 4, num_layers=2), False),
        ("onnx RNN relu (legacy exporter)", torch.nn.RNN(3, 4, nonlinearity="relu"), False),
    ):
        module = module.eval()
        path = folder / (name.replace(" ", "-").replace("(", "").replace(")", "") + ".onnx")
        torch.onnx.export(Outputs(module), (X32,), str(path), dynamo=dynamo)
        session = onnxruntime.InferenceSession(str(path))
        (runtime,) = session.run(None, {session.get_inputs()[0].name: X32.numpy()})
        exact = module.double()  # the file's float32 weights, computed in float64 by PyTorch
        with torch.no_grad():
            y = exact(X32.double())[0][:, 0].numpy()
        top = f"out{module.num_layers - 1}"
        cases.append(
            Case(
                name,
                path,
                x,
                {top: y},
                "PyTorch float64 on the file's weights (onnxruntime: float32)",
                float32={top: runtime.reshape(T, -1).astype(np.float64)},
            )
        )
    return cases
