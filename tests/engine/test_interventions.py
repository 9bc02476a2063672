"""Interventions: the fast path, the reference evaluator, the batched forward/backward and the CLI's
``--set`` all hold units the same way, and equal a hand-written PyTorch loop with the same clamps."""

import numpy as np
import pytest

from lstm_explorer.cli import main
from lstm_explorer.engine import CELL_KINDS, cell_graph, evaluate_reference, init_weights
from lstm_explorer.engine.backward import layer_tensors, network_backward, network_forward
from lstm_explorer.engine.evaluate import CompiledCell
from lstm_explorer.engine.interventions import (
    Intervention,
    InterventionError,
    format_intervention,
    parse_intervention,
)
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.models import resolve_model


def _computed(kind: str) -> list[str]:
    return [n.name for n in cell_graph(kind).nodes if n.kind in ("layer", "pointwise")]


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_fast_path_equals_reference_with_clamps_on_every_node(kind):
    graph = cell_graph(kind)
    network = RecurrentNetwork.from_tensors(init_weights(graph, 5, 7, seed=2), kind)
    weights = network.layer(0)
    X = np.random.default_rng(1).normal(size=(40, 5))
    plain = CompiledCell(weights).run(X)
    for name in [*_computed(kind), "x", *(prev for prev, _ in graph.recurrent)]:
        clamps = [
            Intervention(name, (0, 1), 0.3, range(5, 17)),
            Intervention(name, (3,), -0.5, range(10, 40)),
            Intervention(name, None, 0.1, range(30, 33)),
        ]
        fast = CompiledCell(weights).run(X, interventions=clamps)
        reference = evaluate_reference(weights, X, interventions=clamps)
        for node in graph.names:
            # Relative to the values: a gate held at −0.5 makes minGRU's unbounded h grow as 1.5^t.
            scale = max(1.0, float(np.max(np.abs(reference[node]))))
            assert np.max(np.abs(fast[node] - reference[node])) <= 1e-13 * scale, (name, node)
        assert np.all(fast[name][5:17, [0, 1]] == 0.3) and np.all(fast[name][30:33] == 0.1)
        assert np.all(fast[name][:5] == plain[name][:5])  # nothing changes before the first clamped step
        assert np.max(np.abs(fast["h"][5:] - plain["h"][5:])) > 1e-6  # and the rest does


def test_a_continued_run_honours_clamps_at_their_absolute_steps():
    kind = "lstm"
    network = RecurrentNetwork.from_tensors(init_weights(cell_graph(kind), 3, 6, seed=5), kind)
    cell = CompiledCell(network.layer(0))
    X = np.random.default_rng(2).normal(size=(50, 3))
    clamps = [
        Intervention("c", (2,), 0.0, range(20, 45)),
        Intervention("f", None, 1.0, range(10, 25)),
        Intervention("h_prev", (0, 4), 0.0, range(14, 18)),
        Intervention("c_prev", None, 0.5, range(16, 17)),
    ]
    whole = cell.run(X, interventions=clamps)
    head = cell.run(X[:16], interventions=clamps)
    tail = cell.run(X[16:], head.final_state(), offset=16, interventions=clamps)
    for node in whole:
        assert np.array_equal(whole[node][16:], tail[node]), node


def _torch_lstm_loop(torch, tensors, X, layers, clamps):
    """A step-by-step PyTorch LSTM; ``clamps[(layer, node)] = [(units, value, steps)]`` applied after
    each node, as the engine's interventions say."""

    def hold(layer, node, t, v):
        for units, value, steps in clamps.get((layer, node), []):
            if t in steps:
                v = v.clone()
                v[list(units)] = value
        return v

    inputs = torch.tensor(X)
    per_layer = []
    for k in range(layers):
        W_ih, W_hh = (torch.tensor(tensors[f"{n}_l{k}"]) for n in ("weight_ih", "weight_hh"))
        b = torch.tensor(tensors[f"bias_ih_l{k}"] + tensors[f"bias_hh_l{k}"])
        H = W_hh.shape[1]
        h, c = torch.zeros(H, dtype=torch.float64), torch.zeros(H, dtype=torch.float64)
        record = {name: [] for name in ("h_prev", "c_prev", "i", "f", "g", "o", "c", "h")}
        for t, x in enumerate(inputs):
            h, c = hold(k, "h_prev", t, h), hold(k, "c_prev", t, c)  # what the cell reads
            h_prev, c_prev = h, c
            pre = W_ih @ x + W_hh @ h + b
            i = hold(k, "i", t, torch.sigmoid(pre[:H]))
            f = hold(k, "f", t, torch.sigmoid(pre[H : 2 * H]))
            g = hold(k, "g", t, torch.tanh(pre[2 * H : 3 * H]))
            o_pre = pre[3 * H :]
            c = hold(k, "c", t, f * c + i * g)
            o = hold(k, "o", t, torch.sigmoid(o_pre))
            h = hold(k, "h", t, o * torch.tanh(c))
            for name, value in zip(record, (h_prev, c_prev, i, f, g, o, c, h), strict=True):
                record[name].append(value)
        per_layer.append({name: torch.stack(v).numpy() for name, v in record.items()})
        inputs = torch.stack(record["h"])
    return per_layer


def _trace_with_set(tmp_path, model_args, X, sets, layer=0):
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / f"t{layer}.npz"
    args = ["trace", *model_args, "--input-file", str(tmp_path / "x.npy"), "--layer", str(layer), "--out", str(out)]
    for text in sets:
        args += ["--set", text]
    assert main(args) == 0
    return np.load(out)


def test_trace_set_equals_a_pytorch_loop_with_the_same_clamps_lstm_and_stacked(tmp_path):
    torch = pytest.importorskip("torch")
    model_args = ["lstm", "--hidden", "6", "--input-size", "4", "--layers", "2", "--seed", "7"]
    model = resolve_model("lstm", hidden_size=6, input_size=4, num_layers=2, seed=7)
    X = np.random.default_rng(3).normal(size=(30, 4)) * 2
    sets = ["c[3]=0", "f[*]=1@10:15", "h[0,4]=0.5@-8:", "1:o[1:3]=0.25@5:20", "1:c[2]=-1", "1:h_prev[*]=0@12"]
    sets += ["c_prev[1]=0.5@3:6"]
    clamps = {
        (0, "c"): [((3,), 0.0, range(30))],
        (0, "f"): [(range(6), 1.0, range(10, 15))],
        (0, "h"): [((0, 4), 0.5, range(22, 30))],
        (1, "o"): [((1, 2), 0.25, range(5, 20))],
        (1, "c"): [((2,), -1.0, range(30))],
        (1, "h_prev"): [(range(6), 0.0, range(12, 13))],
        (0, "c_prev"): [((1,), 0.5, range(3, 6))],
    }
    expected = _torch_lstm_loop(torch, model.network.tensors, X, 2, clamps)
    for layer in (0, 1):
        got = _trace_with_set(tmp_path, model_args, X, sets, layer)
        for name, value in expected[layer].items():
            assert np.max(np.abs(got[name] - value)) <= 1e-12, (layer, name)
    unclamped = _torch_lstm_loop(torch, model.network.tensors, X, 2, {})
    assert np.max(np.abs(unclamped[1]["h"] - expected[1]["h"])) > 1e-3  # the clamps did change something


def test_trace_set_equals_a_pytorch_loop_with_the_same_clamps_gru(tmp_path):
    torch = pytest.importorskip("torch")
    model_args = ["gru", "--hidden", "5", "--input-size", "3", "--seed", "2"]
    tensors = resolve_model("gru", hidden_size=5, input_size=3, seed=2).network.tensors
    X = np.random.default_rng(4).normal(size=(25, 3))
    got = _trace_with_set(tmp_path, model_args, X, ["r[1]=0@3:12", "n[0,2]=0.7", "h[4]=-0.3@20:"])
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    W_ih, W_hh, b_ih, b_hh = (torch.tensor(tensors[f"{n}_l0"]) for n in names)
    H = 5
    h = torch.zeros(H, dtype=torch.float64)
    for t, x in enumerate(torch.tensor(X)):
        gi, gh = W_ih @ x + b_ih, W_hh @ h + b_hh
        r = torch.sigmoid(gi[:H] + gh[:H])
        if 3 <= t < 12:
            r[1] = 0.0
        z = torch.sigmoid(gi[H : 2 * H] + gh[H : 2 * H])
        n = torch.tanh(gi[2 * H :] + r * gh[2 * H :])
        n[[0, 2]] = 0.7
        h = (1 - z) * n + z * h
        if t >= 20:
            h[4] = -0.3
        for name, value in (("r", r), ("z", z), ("n", n), ("h", h)):
            assert np.max(np.abs(got[name][t] - value.numpy())) <= 1e-12, (t, name)


def test_gradients_with_clamps_match_finite_differences():
    """The batched forward honours clamps and the backward pass gives held units no upstream
    derivative: the analytic gradient of the weights and the input equals central differences."""
    kind = "lstm"
    tensors = init_weights(cell_graph(kind), 3, 4, num_layers=2, bidirectional=True, seed=9)
    graph = cell_graph(kind)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 7, 3))
    clamps = [
        Intervention("c", (1,), 0.0, range(2, 6)),
        Intervention("x", (0,), 0.5, range(1, 3)),
        Intervention("f", None, 1.0, range(4, 5), layer=0, reverse=True),
        Intervention("h", (2, 3), -0.2, None, layer=1),
        Intervention("h_prev", (0,), 0.0, range(3, 5)),
        Intervention("c_prev", None, 0.1, range(2, 3), layer=1, reverse=True),
    ]
    R = rng.normal(size=(2, 7, 8))  # loss = Σ R ⊙ top output

    def loss(t, X):
        return float(np.sum(R * network_forward(graph, t, X, 2, True, clamps).output))

    cache = network_forward(graph, tensors, X, 2, True, clamps)
    grads, dX = network_backward(graph, tensors, cache, R, 2, True)
    eps = 1e-6
    for name in ("weight_hh_l0", "weight_ih_l0_reverse", "bias_hh_l1"):
        for index in [(0, 0), (5, 2), (9, 1)] if grads[name].ndim == 2 else [(1,), (6,)]:
            up, down = dict(tensors), dict(tensors)
            up[name], down[name] = tensors[name].copy(), tensors[name].copy()
            up[name][index] += eps
            down[name][index] -= eps
            numeric = (loss(up, X) - loss(down, X)) / (2 * eps)
            assert abs(numeric - grads[name][index]) <= 1e-6 * max(1.0, abs(numeric)), (name, index)
    for index in [(0, 1, 0), (1, 2, 0), (0, 4, 1), (1, 6, 2)]:
        up, down = X.copy(), X.copy()
        up[index] += eps
        down[index] -= eps
        numeric = (loss(tensors, up) - loss(tensors, down)) / (2 * eps)
        assert abs(numeric - dX[index]) <= 1e-6 * max(1.0, abs(numeric)), index


def test_a_held_input_has_no_derivative():
    graph = cell_graph("lstm")
    tensors = init_weights(graph, 3, 4, seed=1)
    X = np.random.default_rng(8).normal(size=(2, 6, 3))
    cache = network_forward(graph, tensors, X, 1, False, [Intervention("x", (0, 2), 0.0, range(1, 4))])
    _, dX = network_backward(graph, tensors, cache, np.ones((2, 6, 4)), 1, False)
    assert np.all(dX[:, 1:4, [0, 2]] == 0.0) and np.all(dX[:, 1:4, 1] != 0.0) and np.all(dX[:, 0] != 0.0)


def test_the_batched_forward_equals_the_engine_with_clamps():
    kind = "gru"
    graph = cell_graph(kind)
    tensors = init_weights(graph, 3, 5, seed=4)
    network = RecurrentNetwork.from_tensors(tensors, kind)
    X = np.random.default_rng(6).normal(size=(20, 3))
    clamps = [Intervention("z", (0, 2), 1.0, range(3, 9)), Intervention("n_pre", (4,), 2.0, None)]
    trace = network.trace(X, interventions=clamps)
    cache = network_forward(graph, tensors, X[None], 1, False, clamps)
    for name in ("z", "n", "h"):
        assert np.max(np.abs(cache.caches[(0, False)].values[name][:, 0] - trace[name])) <= 1e-13
    assert layer_tensors(tensors, 0, False)["weight_hh"].shape == (15, 5)


@pytest.mark.parametrize(
    ("text", "node", "units", "value", "steps", "layer", "reverse"),
    [
        ("c[3]=0", "c", (3,), 0.0, None, 0, False),
        ("f[*]=1@10:20", "f", None, 1.0, range(10, 20), 0, False),
        ("1:h[0,4]=0.5", "h", (0, 4), 0.5, None, 1, False),
        ("0r:o[2:5]=-1e-3@-10:", "o", (2, 3, 4), -1e-3, range(90, 100), 0, True),
        ("g[1,3:5]=2@7", "g", (1, 3, 4), 2.0, range(7, 8), 0, False),
        ("i[0]=0.25@:5", "i", (0,), 0.25, range(0, 5), 0, False),
    ],
)
def test_parse_intervention(text, node, units, value, steps, layer, reverse):
    item = parse_intervention(text, 100)
    assert (item.node, item.units, item.value, item.steps, item.layer, item.reverse) == (
        node,
        units,
        value,
        steps,
        layer,
        reverse,
    )
    assert parse_intervention(format_intervention(item), 100) == item


@pytest.mark.parametrize(
    "text", ["c3=0", "c[3]", "c[3]=", "c[3]=abc", "c[]=0", "c[-1]=0", "c[4:2]=0", "c[3]=inf", "c[0]=0@5:5", "c[0]=0@x"]
)
def test_malformed_interventions_are_refused(text):
    with pytest.raises(InterventionError):
        parse_intervention(text, 100)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "c3=0"], "expected [LAYER[r]:]NODE[UNITS]=VALUE[@A:B]"),
        (["--set", "q[0]=0"], "unknown node 'q'"),
        (["--set", "c[9]=0"], "unit 9 of c out of range; c has 4 units"),
        (["--set", "c[0]=0@2:9"], "steps 2:9 out of range; the input has 3 steps"),
        (["--set", "1:c[0]=0"], "the network has no layer 1"),
        (["--set", "h_prev[7]=0"], "unit 7 of h_prev out of range"),
        (["--set", "xh[0]=0"], "xh is the concatenation"),
    ],
)
def test_cli_set_errors_are_one_line_exit_2(tmp_path, capsys, args, message):
    common = ["trace", "lstm", "--hidden", "4", "--input-size", "2", "--input", "1 2; 3 4; 5 6"]
    assert main([*common, *args, "--out", str(tmp_path / "t.npz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "t.npz").exists()


def test_export_set_writes_the_held_run(tmp_path):
    common = ["brackets", "--input", "((a)b)(c)", "--set", "c[12]=0@2:", "--set", "f[*]=1@5"]
    assert main(["trace", *common, "--out", str(tmp_path / "t.npz")]) == 0
    assert main(["export", *common, "--quiet", "--out", str(tmp_path / "e.npz")]) == 0
    traced, exported = np.load(tmp_path / "t.npz"), np.load(tmp_path / "e.npz")
    assert np.all(traced["c"][2:, 12] == 0.0) and np.all(traced["f"][5] == 1.0)
    for name in traced.files:
        assert np.array_equal(traced[name], exported[name]), name
