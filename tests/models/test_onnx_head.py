"""The embedding and readout of ONNX files: nn.Embedding → recurrent stack → nn.Linear written by
torch.onnx.export (both exporters), computed equal to PyTorch in float64 on the file's weights and to
onnxruntime in float32; graphs whose head the app cannot compute are opened without a readout and
say why (hand-built with onnx.helper)."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.models import load_model_file

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
T = 7


class Tagger(torch.nn.Module):
    """Embedding → recurrent layers → Linear (→ softmax / log-softmax), as a person writes it."""

    def __init__(self, kind, layers, bidirectional, batch_first, final):
        super().__init__()
        self.embedding = torch.nn.Embedding(11, 3)
        self.rnn = kind(3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
        self.fc = torch.nn.Linear(8 if bidirectional else 4, 11)
        self.final = final

    def forward(self, ids):
        logits = self.fc(self.rnn(self.embedding(ids))[0])
        if self.final == "softmax":
            return torch.softmax(logits, -1)
        return torch.log_softmax(logits, -1) if self.final == "log_softmax" else logits


CASES = [
    # kind, layers, bidirectional, batch_first, final, dynamo
    (torch.nn.LSTM, 1, False, False, "softmax", False),
    (torch.nn.LSTM, 2, True, False, "none", False),
    (torch.nn.LSTM, 1, True, True, "log_softmax", True),
    (torch.nn.GRU, 2, False, True, "softmax", False),
    (torch.nn.GRU, 1, True, False, "none", True),
    (torch.nn.RNN, 1, False, False, "none", False),  # the dynamo exporter unrolls nn.RNN
]


@pytest.mark.parametrize(
    ("kind", "layers", "bidirectional", "batch_first", "final", "dynamo"),
    CASES,
    ids=[
        f"{c[0].__name__}-{c[1]}{'-bi' if c[2] else ''}{'-bf' if c[3] else ''}-{c[4]}-{'dynamo' if c[5] else 'legacy'}"
        for c in CASES
    ],
)
def test_exported_taggers_give_pytorchs_logits(tmp_path, kind, layers, bidirectional, batch_first, final, dynamo):
    if dynamo:
        pytest.importorskip("onnxscript")
    torch.manual_seed(3)
    module = Tagger(kind, layers, bidirectional, batch_first, final).eval()
    ids = torch.randint(0, 11, (1, T) if batch_first else (T, 1))
    path = tmp_path / "tagger.onnx"
    torch.onnx.export(module, (ids,), str(path), dynamo=dynamo)
    model = load_model_file(path)
    assert "embedding.weight" in model.extras and model.has_readout, model.readout_problem
    steps = ids.reshape(-1).tolist()
    logits = model.logits(model.top_outputs(model.run(model.encode_tokens(steps))))
    exact = module.double()  # the file's float32 weights, computed in float64 by PyTorch
    with torch.no_grad():
        expected = exact.fc(exact.rnn(exact.embedding(ids))[0]).reshape(T, -1).numpy()
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-12)
    onnxruntime = pytest.importorskip("onnxruntime")
    session = onnxruntime.InferenceSession(str(path))
    (runtime,) = session.run(None, {session.get_inputs()[0].name: ids.numpy()})
    shown = logits
    if final != "none":
        shifted = logits - logits.max(-1, keepdims=True)
        shown = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))  # log-softmax
        shown = shown if final == "log_softmax" else np.exp(shown)
    np.testing.assert_allclose(shown, runtime.reshape(T, -1), atol=2e-5)


# -- hand-built graphs ---------------------------------------------------------------------------


def lstm_graph(tmp_path, head, *, directions=1, hidden=2, features=3, outputs=None):
    """An ONNX LSTM reading X (seq, 1, features) whose Y (or Y_h) goes through ``head`` nodes."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.normal(size=(directions, 4 * hidden, features)), "W"),
        numpy_helper.from_array(rng.normal(size=(directions, 4 * hidden, hidden)), "R"),
    ]
    direction = "bidirectional" if directions == 2 else "forward"
    nodes = [helper.make_node("LSTM", ["X", "W", "R"], ["Y", "Y_h"], hidden_size=hidden, direction=direction)]
    extra_inits, extra_nodes = head(rng, directions * hidden)
    inits += [numpy_helper.from_array(np.asarray(v), k) for k, v in extra_inits.items()]
    nodes += extra_nodes
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [None, 1, features])],
        [helper.make_tensor_value_info(name, TensorProto.DOUBLE, None) for name in (outputs or ["out"])],
        inits,
    )
    path = tmp_path / "hand.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return load_model_file(path), inits


def squeeze_then(*ops):
    def head(rng, width):
        from onnx import helper

        inits = {"axes": np.array([1]), "Wfc": rng.normal(size=(width, 5)), "bfc": rng.normal(size=5)}
        nodes = [
            helper.make_node("Squeeze", ["Y", "axes"], ["y"]),
            helper.make_node("MatMul", ["y", "Wfc"], ["m"]),
            helper.make_node("Add", ["m", "bfc"], ["lin"]),
        ]
        last = "lin"
        for k, op in enumerate(ops):
            nodes.append(helper.make_node(op, [last], [f"o{k}"]))
            last = f"o{k}"
        nodes.append(helper.make_node("Identity", [last], ["out"]))
        return inits, nodes

    return head


def test_a_hand_built_matmul_add_softmax_head_is_read_exactly(tmp_path):
    model, _ = lstm_graph(tmp_path, squeeze_then("Softmax"))
    assert model.has_readout
    from onnx import numpy_helper

    graph = onnx.load(str(tmp_path / "hand.onnx")).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    X = np.random.default_rng(1).normal(size=(5, 3))
    h = model.top_outputs(model.run(X))
    np.testing.assert_allclose(model.logits(h), h @ weights["Wfc"] + weights["bfc"], rtol=0, atol=1e-13)


@pytest.mark.parametrize(("ops", "named"), [(("Tanh",), "Tanh"), (("Relu", "Softmax"), "Relu")])
def test_a_nonlinearity_after_the_linear_layer_leaves_the_readout_unread_and_says_so(tmp_path, ops, named):
    model, _ = lstm_graph(tmp_path, squeeze_then(*ops))
    assert not model.has_readout
    assert named in model.readout_problem and model.readout_problem.startswith("readout not recognised")


def test_a_transpose_that_interleaves_the_directions_is_not_taken_for_a_concatenation(tmp_path):
    def interleaved(rng, width):
        from onnx import helper

        inits = {"shape": np.array([0, 0, -1]), "Wfc": rng.normal(size=(width, 5))}
        nodes = [
            helper.make_node("Transpose", ["Y"], ["yt"], perm=[0, 2, 3, 1]),  # (seq, 1, H, 2): h0 fwd, h0 bwd …
            helper.make_node("Reshape", ["yt", "shape"], ["y"]),
            helper.make_node("MatMul", ["y", "Wfc"], ["out"]),
        ]
        return inits, nodes

    model, _ = lstm_graph(tmp_path, interleaved, directions=2)
    assert not model.has_readout
    assert "mix the directions" in model.readout_problem


def test_the_concatenating_transpose_and_reshape_is_read(tmp_path):
    def concatenated(rng, width):
        from onnx import helper

        inits = {"shape": np.array([0, 0, -1]), "Wfc": rng.normal(size=(width, 5))}
        nodes = [
            helper.make_node("Transpose", ["Y"], ["yt"], perm=[0, 2, 1, 3]),  # (seq, 1, 2, H)
            helper.make_node("Reshape", ["yt", "shape"], ["y"]),
            helper.make_node("MatMul", ["y", "Wfc"], ["out"]),
        ]
        return inits, nodes

    model, _ = lstm_graph(tmp_path, concatenated, directions=2)
    assert model.has_readout, model.readout_problem
    assert "fc.bias" not in model.extras


def test_a_head_on_the_last_state_only_is_read_with_a_note(tmp_path):
    def last_state(rng, width):
        from onnx import helper

        inits = {"axes": np.array([0]), "Wfc": rng.normal(size=(width, 5))}
        nodes = [
            helper.make_node("Squeeze", ["Y_h", "axes"], ["h"]),
            helper.make_node("MatMul", ["h", "Wfc"], ["out"]),
        ]
        return inits, nodes

    model, _ = lstm_graph(tmp_path, last_state)
    assert model.has_readout
    assert any("only the last step" in note for note in model.notes)
