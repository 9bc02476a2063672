"""Settings the engine cannot compute are refused naming the setting and the layer; heads that a
file cannot describe completely are reported, never shown as predictions."""

import os

import numpy as np
import pytest

from lstm_explorer.models import ModelFileError, load_model_file


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("h5py")
    return pytest.importorskip("keras")


def save(keras, path, *stack, tokens=False):
    inp = keras.Input((None,) if tokens else (None, 3))
    x = inp
    for layer in stack:
        x = layer(x)
    keras.Model(inp, x).save(path)
    return path


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("LSTM(4, activation='relu')", r"layer lstm\w* \(LSTM\): activation='relu' is not supported"),
        ("GRU(4, recurrent_activation='hard_sigmoid')", r"\(GRU\): recurrent_activation='hard_sigmoid'"),
        ("SimpleRNN(4, activation='sigmoid')", r"\(SimpleRNN\): activation='sigmoid' is not supported"),
        ("Bidirectional(LSTM(4), merge_mode=None)", r"\(Bidirectional\): merge_mode=None is not supported"),
    ],
)
def test_keras_settings_the_engine_cannot_compute(keras, tmp_path, layer, message):
    L = keras.layers
    built = eval(layer, {"LSTM": L.LSTM, "GRU": L.GRU, "SimpleRNN": L.SimpleRNN, "Bidirectional": L.Bidirectional})
    inp = keras.Input((None, 3))
    out = built(inp)
    keras.Model(inp, out[0] if isinstance(out, list) else out).save(tmp_path / "m.keras")
    with pytest.raises(ModelFileError, match=message):
        load_model_file(tmp_path / "m.keras")


def test_keras_heads_that_are_not_one_linear_layer(keras, tmp_path):
    L = keras.layers
    seq = {"return_sequences": True}
    mlp = save(keras, tmp_path / "mlp.keras", L.LSTM(4, **seq), L.Dense(8, activation="relu"), L.Dense(2))
    model = load_model_file(mlp)
    assert model.readout_keys is None and model.readout_problem.startswith("readout not recognised")
    relu = save(keras, tmp_path / "relu.keras", L.LSTM(4, **seq), L.Dense(2, activation="relu"))
    assert "activation='relu'" in load_model_file(relu).readout_problem


def test_keras_weights_file_whose_merge_mode_cannot_be_told(keras, tmp_path):
    L = keras.layers
    inp = keras.Input((None, 3))
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="ave")(inp)
    keras.Model(inp, L.LSTM(2)(x)).save_weights(tmp_path / "b.weights.h5")
    with pytest.raises(ModelFileError, match="merges its directions by sum, mul or ave"):
        load_model_file(tmp_path / "b.weights.h5")


def test_keras_relu_weights_file_opens_with_a_named_assumption(keras, tmp_path):
    L = keras.layers
    inp = keras.Input((None, 3))
    keras.Model(inp, L.SimpleRNN(4, activation="relu")(inp)).save_weights(tmp_path / "r.weights.h5")
    model = load_model_file(tmp_path / "r.weights.h5")
    assert model.kind == "rnn" and any("--cell rnn-relu" in a.change for a in model.assumptions)
    assert load_model_file(tmp_path / "r.weights.h5", cell="rnn-relu").kind == "rnn-relu"


def test_torch_mlp_head_is_not_recognised(tmp_path):
    torch = pytest.importorskip("torch")
    state = {f"rnn.{k}": v for k, v in torch.nn.GRU(3, 4).state_dict().items()}
    head = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    state |= {f"head.{k}": v for k, v in head.state_dict().items()}
    torch.save(state, tmp_path / "mlp.pt")
    model = load_model_file(tmp_path / "mlp.pt")
    assert model.readout_keys is None
    assert model.readout_problem == (
        "readout not recognised: head.0.weight (4→8) feeds head.2.weight (8→2), "
        "and the file does not record the activation between them"
    )


def test_torchscript_is_refused_without_running_it(tmp_path):
    torch = pytest.importorskip("torch")
    torch.jit.save(torch.jit.script(torch.nn.LSTM(3, 4)), tmp_path / "ts.pt")
    with pytest.raises(ModelFileError) as info:
        load_model_file(tmp_path / "ts.pt")
    first, *code = str(info.value).split("\n")
    assert first.startswith("ts.pt: refused: the file is a TorchScript program") and "torch.jit.load" in code[0]
    assert len(code) == 2 and "\x1b" not in str(info.value)


def onnx_lstm(tmp_path, name="l.onnx", *, op="LSTM", gates=4, peephole=False, reverse=False, **attrs):
    """A one-node ONNX graph written with onnx.helper, weights as initializers."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    H, n_in, D = 4, 3, 1
    inits = {
        "W": rng.normal(size=(D, gates * H, n_in)).astype(np.float32),
        "R": rng.normal(size=(D, gates * H, H)).astype(np.float32) * 0.5,
        "B": rng.normal(size=(D, 2 * gates * H)).astype(np.float32),
    }
    inputs = ["X", "W", "R", "B"]
    if peephole:
        inits["P"] = rng.normal(size=(D, 3 * H)).astype(np.float32)
        inputs += ["", "", "", "P"]
    node = helper.make_node(
        op, inputs, ["Y"], hidden_size=H, direction="reverse" if reverse else "forward", name="cell", **attrs
    )
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 1, n_in])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.save(model, tmp_path / name)
    return tmp_path / name


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"clip": 3.0}, r"node cell \(LSTM\): clip=3.0 is not supported"),
        ({"input_forget": 1}, r"node cell \(LSTM\): input_forget=1 is not supported"),
        (
            {"activations": ["Sigmoid", "Relu", "Tanh"]},
            r"node cell \(LSTM\): activations=\['sigmoid', 'relu', 'tanh'\]",
        ),
    ],
)
def test_onnx_settings_the_engine_cannot_compute(tmp_path, attrs, message):
    with pytest.raises(ModelFileError, match=message):
        load_model_file(onnx_lstm(tmp_path, **attrs))


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("peephole", {"peephole": True}),
        ("gru-classic", {"op": "GRU", "gates": 3, "linear_before_reset": 0}),
        ("gru", {"op": "GRU", "gates": 3, "linear_before_reset": 1}),
        ("lstm", {"reverse": True}),
    ],
)
def test_onnx_nodes_equal_onnxruntime(tmp_path, kind, options):
    ort = pytest.importorskip("onnxruntime")
    path = onnx_lstm(tmp_path, **options)
    X = np.random.default_rng(4).normal(size=(6, 1, 3)).astype(np.float32)
    session = ort.InferenceSession(str(path))
    (Y,) = session.run(None, {"X": X})  # (T, D, B, H), in time order for either direction
    model = load_model_file(path)
    assert model.kind == kind
    h = model.run(X[:, 0].astype(np.float64))[(0, False)]["h"]
    expected = Y[:, 0, 0]
    if options.get("reverse"):
        expected = expected[::-1]  # the engine keeps the order the cell read the steps
    assert np.abs(h - expected).max() <= 1e-5  # onnxruntime computes in float32


def test_keras_graphs_that_are_not_one_chain(keras, tmp_path):
    L = keras.layers
    a, b = keras.Input((None, 4)), keras.Input((None, 4))
    _, h, c = L.LSTM(4, return_state=True)(a)
    decoder = L.LSTM(4, return_sequences=True)(b, initial_state=[h, c])
    keras.Model([a, b], L.Dense(2)(decoder)).save(tmp_path / "seq2seq.keras")
    with pytest.raises(ModelFileError, match=r"\(LSTM\): initial_state from another layer is not supported"):
        load_model_file(tmp_path / "seq2seq.keras")
    # Same widths, so the shapes would chain: only the graph tells that the second reads another input.
    keras.Model([a, b], [L.LSTM(4)(a), L.LSTM(4)(b)]).save(tmp_path / "two.keras")
    with pytest.raises(ModelFileError, match=r"reads layer input_layer\w* \(InputLayer\), not layer lstm"):
        load_model_file(tmp_path / "two.keras")
    between = L.LSTM(3)(L.Activation("relu")(L.LSTM(4, return_sequences=True)(a)))
    keras.Model(a, between).save(tmp_path / "act.keras")
    with pytest.raises(ModelFileError, match=r"reads layer activation\w* \(Activation\), which the engine does not"):
        load_model_file(tmp_path / "act.keras")
    dropout = L.LSTM(3)(L.Dropout(0.5)(L.LSTM(4, return_sequences=True)(a)))  # a no-op at inference
    keras.Model(a, dropout).save(tmp_path / "dropout.keras")
    assert load_model_file(tmp_path / "dropout.keras").network.hidden_sizes == (4, 3)


def test_keras_bidirectional_with_its_own_backward_layer_and_masked_embedding(keras, tmp_path):
    L = keras.layers
    inp = keras.Input((None, 3))
    backward = L.LSTM(4, return_sequences=True, go_backwards=True, activation="relu")
    keras.Model(inp, L.Bidirectional(L.LSTM(4, return_sequences=True), backward_layer=backward)(inp)).save(
        tmp_path / "bw.keras"
    )
    with pytest.raises(
        ModelFileError, match=r"\(Bidirectional\): backward_layer differs from the forward layer \(activation\)"
    ):
        load_model_file(tmp_path / "bw.keras")
    ids = keras.Input((None,))
    keras.Model(ids, L.LSTM(3)(L.Embedding(5, 2, mask_zero=True)(ids))).save(tmp_path / "mask.keras")
    (assumption,) = load_model_file(tmp_path / "mask.keras").assumptions
    assert assumption.setting == "mask_zero" and "token id is 0" in assumption.why
