"""Engine trace speed against PyTorch and against NumPy's own matrix-vector product.

Prints, for H in {32, 128, 512}, X = 64, T = 1000, float64, best of N runs measured side by side:
  engine    - lstm_explorer's fast path, recording every node of the cell
  torch-rec - a PyTorch step-by-step loop recording the same gates (i, f, g, o, c, tanh c, h)
  nn.LSTM   - torch.nn.LSTM itself, which records nothing
  matvec    - NumPy alone doing the one recurrent (4H, H) product per step the engine must do
Budgets (DESIGN.md): ≤ 10 µs/step at H=32; engine ≤ 1.2× torch-rec; at H=512 the engine reaches
≥ 75% of NumPy's matrix-vector throughput (matvec / engine ≥ 0.75).

Run: python benchmarks/bench_engine.py [--repeats N]   (torch optional: its columns are skipped)
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import best_of

from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.threads import limit_blas_threads

X_SIZE, STEPS = 64, 1000


def per_step_us(fn, repeats: int) -> float:
    """The best of ``repeats`` runs of ``STEPS`` steps, in µs per step."""
    return best_of(fn, repeats) / STEPS * 1e6


def torch_columns(tensors: dict[str, np.ndarray], X: np.ndarray, H: int, repeats: int) -> tuple[float, float]:
    import torch

    torch.set_num_threads(1)
    p = {k: torch.tensor(v) for k, v in tensors.items()}
    x = torch.tensor(X)
    W_ih, W_hh, b = p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"] + p["bias_hh_l0"]

    def recording_loop() -> None:
        with torch.no_grad():
            px = x @ W_ih.T + b
            record = torch.empty((STEPS, 7, H), dtype=torch.float64)
            h = torch.zeros(H, dtype=torch.float64)
            c = torch.zeros(H, dtype=torch.float64)
            for t in range(STEPS):
                z = torch.addmv(px[t], W_hh, h)
                i, f, g, o = z.chunk(4)
                i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                c = f * c + i * g
                tc = torch.tanh(c)
                h = o * tc
                record[t, 0], record[t, 1], record[t, 2], record[t, 3] = i, f, g, o
                record[t, 4], record[t, 5], record[t, 6] = c, tc, h

    module = torch.nn.LSTM(X_SIZE, H).double()
    module.load_state_dict({k: torch.tensor(v) for k, v in tensors.items()})
    xb = x[:, None]

    def module_call() -> None:
        with torch.no_grad():
            module(xb)

    return per_step_us(recording_loop, repeats), per_step_us(module_call, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads for NumPy (default 1, as lstm-explorer runs; torch uses 1)",
    )
    args = parser.parse_args()
    limit_blas_threads(args.blas_threads)
    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    print(f"X={X_SIZE}, T={STEPS}, float64, best of {args.repeats}, {args.blas_threads} BLAS thread(s); µs per step")
    print(
        f"{'H':>4} {'engine':>8} {'torch-rec':>10} {'nn.LSTM':>8} {'matvec':>8} "
        f"{'engine/torch-rec':>17} {'matvec/engine':>14}"
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(STEPS, X_SIZE))
    for H in (32, 128, 512):
        tensors = init_weights(cell_graph("lstm"), X_SIZE, H, seed=0)
        net = RecurrentNetwork.from_tensors(tensors)
        engine = per_step_us(lambda net=net: net.trace(X), args.repeats)
        W = tensors["weight_hh_l0"]
        h = np.zeros(H)
        out = np.empty(4 * H)

        def matvec(W=W, h=h, out=out) -> None:
            for _ in range(STEPS):
                np.dot(W, h, out)

        mv = per_step_us(matvec, args.repeats)
        if has_torch:
            rec, mod = torch_columns(tensors, X, H, args.repeats)
            print(
                f"{H:>4} {engine:>8.1f} {rec:>10.1f} {mod:>8.1f} {mv:>8.1f} {engine / rec:>17.2f} {mv / engine:>14.2f}"
            )
        else:
            print(f"{H:>4} {engine:>8.1f} {'-':>10} {'-':>8} {mv:>8.1f} {'-':>17} {mv / engine:>14.2f}")


if __name__ == "__main__":
    main()
