"""Generate PyTorch reference traces for the engine's parity tests.

Needs the torch extra (``pip install torch==2.13.0``). Writes tests/fixtures/torch_reference/:

* ``<case>.npz``: the module's state_dict (keys prefixed ``sd.``), the input ``X`` (T, in), torch's
  ``output`` (T, D·H), ``h_n`` and ``c_n`` (layers·D, H), and for every layer and direction the
  gates recorded by a step-by-step loop written with torch operations from the same weights
  (keys ``l{k}[_reverse].{node}``, in the order the cell processed the steps). The loop's h is
  checked against nn.LSTM/GRU/RNN itself before anything is saved.
* ``lstm_readout.pt``: a state_dict saved by ``torch.save`` of a model with an embedding, a
  2-layer LSTM and a linear readout, with ``lstm_readout.npz`` holding its reference outputs.

Run: python scripts/make_reference_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "torch_reference"
T = 24


def inputs(size: int, seed: int) -> np.ndarray:
    """Ordinary values, then large magnitudes that saturate every gate."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, size))
    X[T // 2 :] *= 50.0
    X[-3] = 1e4
    X[-2] = -1e4
    return X


def record_lstm(p: dict[str, torch.Tensor], sfx: str, seq: torch.Tensor) -> dict[str, np.ndarray]:
    H = p[f"weight_hh{sfx}"].shape[1]
    h = torch.zeros(H, dtype=torch.float64)
    c = torch.zeros(H, dtype=torch.float64)
    rec: dict[str, list[torch.Tensor]] = {n: [] for n in ("i", "f", "g", "o", "c", "tanh_c", "h")}
    for x in seq:
        z = p[f"weight_ih{sfx}"] @ x + p[f"bias_ih{sfx}"] + p[f"weight_hh{sfx}"] @ h + p[f"bias_hh{sfx}"]
        i, f, g, o = z.chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        tc = torch.tanh(c)
        h = o * tc
        for name, v in zip(rec, (i, f, g, o, c, tc, h), strict=True):
            rec[name].append(v)
    return {n: torch.stack(v).numpy() for n, v in rec.items()}


def record_gru(p: dict[str, torch.Tensor], sfx: str, seq: torch.Tensor) -> dict[str, np.ndarray]:
    H = p[f"weight_hh{sfx}"].shape[1]
    h = torch.zeros(H, dtype=torch.float64)
    rec: dict[str, list[torch.Tensor]] = {n: [] for n in ("r", "z", "n", "h")}
    for x in seq:
        gi = p[f"weight_ih{sfx}"] @ x + p[f"bias_ih{sfx}"]
        gh = p[f"weight_hh{sfx}"] @ h + p[f"bias_hh{sfx}"]
        ir, iz, inn = gi.chunk(3)
        hr, hz, hn = gh.chunk(3)
        r = torch.sigmoid(ir + hr)
        z = torch.sigmoid(iz + hz)
        n = torch.tanh(inn + r * hn)
        h = (1 - z) * n + z * h
        for name, v in zip(rec, (r, z, n, h), strict=True):
            rec[name].append(v)
    return {n: torch.stack(v).numpy() for n, v in rec.items()}


def record_rnn(p: dict[str, torch.Tensor], sfx: str, seq: torch.Tensor, act) -> dict[str, np.ndarray]:
    H = p[f"weight_hh{sfx}"].shape[1]
    h = torch.zeros(H, dtype=torch.float64)
    rec = []
    for x in seq:
        h = act(p[f"weight_ih{sfx}"] @ x + p[f"bias_ih{sfx}"] + p[f"weight_hh{sfx}"] @ h + p[f"bias_hh{sfx}"])
        rec.append(h)
    return {"h": torch.stack(rec).numpy()}


def make_case(name: str, module: nn.Module, in_size: int, seed: int) -> None:
    module = module.double()
    X = inputs(in_size, seed)
    with torch.no_grad():
        result = module(torch.tensor(X)[None])
        output, state = result
        h_n, c_n = state if isinstance(state, tuple) else (state, None)
        p = dict(module.state_dict())
        arrays: dict[str, np.ndarray] = {f"sd.{k}": v.numpy() for k, v in p.items()}
        arrays["X"] = X
        arrays["output"] = output[0].numpy()
        arrays["h_n"] = h_n[:, 0].numpy()
        if c_n is not None:
            arrays["c_n"] = c_n[:, 0].numpy()
        D = 2 if module.bidirectional else 1
        layer_in = torch.tensor(X)
        for k in range(module.num_layers):
            outs = []
            for reverse in (False, True)[:D]:
                sfx = f"_l{k}" + ("_reverse" if reverse else "")
                seq = layer_in.flip(0) if reverse else layer_in
                if isinstance(module, nn.LSTM):
                    rec = record_lstm(p, sfx, seq)
                elif isinstance(module, nn.GRU):
                    rec = record_gru(p, sfx, seq)
                else:
                    act = torch.relu if module.nonlinearity == "relu" else torch.tanh
                    rec = record_rnn(p, sfx, seq, act)
                for node, value in rec.items():
                    arrays[f"l{k}{'_reverse' if reverse else ''}.{node}"] = value
                h = torch.tensor(rec["h"])
                outs.append(h.flip(0) if reverse else h)
            layer_in = torch.cat(outs, dim=1)
        # The hand-written loop must reproduce the module before it may serve as a reference.
        assert torch.allclose(layer_in, output[0], atol=1e-13, rtol=0), name
    np.savez_compressed(OUT / f"{name}.npz", **arrays)
    print(f"{name}: T={T}, max |output| = {np.abs(arrays['output']).max():.3g}")


class ReadoutModel(nn.Module):
    """What a PyTorch user typically saves: embedding → 2-layer LSTM → linear readout."""

    def __init__(self, vocab: int, embed: int, hidden: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=2, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out, _ = self.lstm(self.embedding(tokens))
        return out, self.fc(out)


def make_readout_case() -> None:
    torch.manual_seed(7)
    model = ReadoutModel(vocab=6, embed=5, hidden=8).double()
    tokens = torch.tensor([[0, 1, 2, 3, 4, 5, 2, 2, 1, 0, 3, 4]])
    with torch.no_grad():
        out, logits = model(tokens)
    torch.save(model.state_dict(), OUT / "lstm_readout.pt")
    np.savez_compressed(
        OUT / "lstm_readout.npz",
        tokens=tokens[0].numpy(),
        output=out[0].numpy(),
        logits=logits[0].numpy(),
        probs=torch.softmax(logits[0], dim=-1).numpy(),
    )
    print("lstm_readout: saved state_dict and reference logits")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    cases = {
        "lstm_1layer": (nn.LSTM(5, 7, batch_first=True), 5),
        "lstm_2layer": (nn.LSTM(5, 7, num_layers=2, batch_first=True), 5),
        "lstm_bidirectional": (nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True), 4),
        "gru_1layer": (nn.GRU(5, 7, batch_first=True), 5),
        "gru_2layer": (nn.GRU(5, 7, num_layers=2, batch_first=True), 5),
        "gru_bidirectional": (nn.GRU(4, 6, bidirectional=True, batch_first=True), 4),
        "rnn_tanh_2layer": (nn.RNN(5, 7, num_layers=2, batch_first=True), 5),
        "rnn_relu_1layer": (nn.RNN(5, 7, nonlinearity="relu", batch_first=True), 5),
        "rnn_bidirectional": (nn.RNN(3, 4, bidirectional=True, batch_first=True), 3),
    }
    for seed, (name, (module, in_size)) in enumerate(cases.items()):
        make_case(name, module, in_size, seed)
    make_readout_case()


if __name__ == "__main__":
    main()
