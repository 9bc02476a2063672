"""The unit finder against an independent computation: traces from the node-by-node reference
evaluator, put in time order by hand, and NumPy's corrcoef for every unit of every node and layer."""

import csv

import numpy as np
import pytest

from lstm_explorer.analysis import CSV_COLUMNS, feature_values, find_units, gate_nodes
from lstm_explorer.analysis.units import unit_nodes
from lstm_explorer.cli import main
from lstm_explorer.engine import cell_graph, evaluate_reference, init_weights
from lstm_explorer.engine.interventions import Intervention
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.models import resolve_model
from lstm_explorer.session import CancelledError
from lstm_explorer.tasks import BracketsTask


def reference_traces(network, X):
    """Every layer and direction by the reference evaluator, each trace in time order."""
    traces, inputs = {}, X
    for k in range(network.num_layers):
        outputs = []
        for reverse in network.directions:
            trace = evaluate_reference(network.layer(k, reverse), inputs[::-1] if reverse else inputs)
            in_time_order = {name: (trace[name][::-1] if reverse else trace[name]) for name in trace}
            traces[(k, reverse)] = in_time_order
            outputs.append(in_time_order["h"])
        inputs = np.concatenate(outputs, axis=1)
    return traces


def independent_r(network, X, feature):
    """{(layer, reverse, node, unit): r} by np.corrcoef, one unit at a time."""
    result = {}
    for (k, reverse), trace in reference_traces(network, X).items():
        for node in network.graph.nodes:
            if node.kind not in ("layer", "pointwise"):
                continue
            for unit in range(trace[node.name].shape[1]):
                column = trace[node.name][:, unit]
                if np.ptp(column) > 0:
                    result[(k, reverse, node.name, unit)] = np.corrcoef(column, feature)[0, 1]
    return result


def long_brackets_text(steps=4000, seed=11):
    return BracketsTask().sequence(np.random.default_rng(seed), steps)[0]


@pytest.mark.parametrize("pattern", [r"\([abc]*\)", r"a+", r"\)\)"])
def test_on_a_trained_character_model_the_top_unit_is_the_best_correlated_of_all(pattern):
    model = resolve_model("brackets")
    text = long_brackets_text()
    X = model.encode_text(text)
    feature = feature_values(f"regex:{pattern}", list(text))
    table = find_units(model.network.run(X), feature, spec=f"regex:{pattern}")
    truth = independent_r(model.network, X, feature)
    best = max(truth, key=lambda key: abs(truth[key]))
    top = table.top(1)[0]
    assert (top.layer, top.reverse, top.node, top.unit) == best
    assert abs(top.r - truth[best]) <= 1e-10
    assert len(table) == sum(1 for _ in truth)
    for row in table.rows():
        assert abs(row.r - truth[(row.layer, row.reverse, row.node, row.unit)]) <= 1e-10


def test_reverse_directions_and_upper_layers_are_correlated_in_time_order():
    kind = "gru"
    network = RecurrentNetwork.from_tensors(
        init_weights(cell_graph(kind), 3, 6, num_layers=2, bidirectional=True, seed=3), kind
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    feature = np.cumsum(rng.normal(size=300))  # a slow drift: r is far from 0 for many units
    table = find_units(network.run(X), feature, chunk=64)
    truth = independent_r(network, X, feature)
    assert len(table) == len(truth) == 2 * 2 * 6 * len(unit_nodes(network.graph))  # layers × directions × H
    for row in table.rows():
        assert abs(row.r - truth[(row.layer, row.reverse, row.node, row.unit)]) <= 1e-10


def test_statistics_and_saturation_of_gates():
    model = resolve_model("remember")
    text = "a" + "xyzab" * 60 + "?"
    traces = model.network.run(model.encode_text(text))
    feature = feature_values("token:a", list(text))
    table = find_units(traces, feature, chunk=100)
    gates = set(gate_nodes(model.network.graph))
    assert gates == {"i", "f", "o"}
    for row in table.rows():
        values = traces[(row.layer, row.reverse)][row.node][:, row.unit]
        assert row.mean == pytest.approx(values.mean(), abs=1e-13)
        assert (row.min, row.max) == (values.min(), values.max())
        if row.node in gates:
            assert row.left_saturated == np.mean(values < 0.1) and row.right_saturated == np.mean(values > 0.9)
        else:
            assert row.left_saturated is None and row.right_saturated is None


def test_progress_cancel_and_held_units():
    model = resolve_model("brackets")
    text = long_brackets_text(1000)
    X = model.encode_text(text)
    feature = feature_values("depth", list(text))
    calls = []
    traces = model.network.run(X, interventions=[Intervention("c", (12,), 0.0)])
    table = find_units(traces, feature, progress=lambda done, total: calls.append((done, total)), chunk=100)
    assert calls[-1] == (2000, 2000) and len(calls) == 20
    held = next(row for row in table.rows() if row.node == "c" and row.unit == 12)
    assert np.isnan(held.r) and held.min == held.max == 0.0  # r is undefined for a constant unit
    undefined = np.isnan(table.r[table.order()])
    assert undefined[-1] and not undefined[0] and np.all(np.diff(undefined.astype(int)) >= 0)  # last
    with pytest.raises(CancelledError):
        find_units(traces, feature, cancelled=lambda: True)


def test_units_cli_prints_the_top_and_writes_every_row(tmp_path, capsys):
    text = long_brackets_text(2000)
    (tmp_path / "in.txt").write_text(text + "\n")
    out = tmp_path / "units.csv"
    args = ["units", "brackets", "--text-file", str(tmp_path / "in.txt"), "--feature", "depth", "--top", "3"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    rows = list(csv.DictReader(out.open()))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 9 * 16
    assert len(printed) == 2 + 3 and printed[2].split()[0] == f"{rows[0]['node']}[{rows[0]['unit']}]"
    assert {row["direction"] for row in rows} == {"forward"} and {row["layer"] for row in rows} == {"0"}
    assert all(row["left_saturated"] == "" for row in rows if row["node"] not in ("i", "f", "o"))
    assert all(row["left_saturated"] != "" for row in rows if row["node"] in ("i", "f", "o"))
    strengths = [abs(float(row["r"])) for row in rows]
    assert strengths == sorted(strengths, reverse=True)
    assert main([*args, "--node", "c", "--set", "c[12]=0"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("16 units, strongest |r| first") and "c[12]" not in " ".join(printed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "aaaa", "--feature", "depth"], "undefined"),
        (["--input", "a(b)", "--feature", "regex:(("], "invalid regular expression"),
        (["--input", "a(b)", "--feature", "csv:{tmp}/three.csv"], "3 numbers, but the input has 4 steps"),
        (["--input", "a(b)", "--feature", "depth", "--set", "c[99]=0"], "unit 99 of c out of range"),
        (["--input", "a(q)", "--feature", "depth"], "step 2: 'q' is not in the vocabulary"),
        (["--input", "a(b)", "--feature", "depth", "--node", "zz"], "--node zz: unknown node"),
        (["--input", "a(b)", "--feature", "depth", "--out", "{tmp}/u.txt"], "name it FILE.csv"),
    ],
)
def test_units_cli_errors_are_one_line_exit_2(tmp_path, capsys, args, message):
    (tmp_path / "three.csv").write_text("1\n2\n3\n")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["units", "brackets", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_on_a_two_layer_model_trained_here_the_top_unit_is_the_best_of_every_node_and_layer():
    from lstm_explorer.models.training import train_task

    model = train_task("brackets", layers=2, hidden=8, steps=60, batch_size=8, seed=3).model("brackets-2")
    assert model.network.num_layers == 2
    text = long_brackets_text(1500, seed=5)
    X = model.encode_text(text)
    traces = model.network.run(X)
    for pattern in (r"\([abc]*\)", r"[abc]{2,}", r"\(\("):
        feature = feature_values(f"regex:{pattern}", list(text))
        table = find_units(traces, feature)
        truth = independent_r(model.network, X, feature)
        best = max(truth, key=lambda key: abs(truth[key]))
        top = table.top(1)[0]
        assert (top.layer, top.reverse, top.node, top.unit) == best, pattern
        assert max(abs(row.r - truth[(row.layer, row.reverse, row.node, row.unit)]) for row in table.rows()) <= 1e-10
