"""Model: a state_dict saved by torch (embedding → 2-layer LSTM → linear readout) gives torch's
numbers; text is encoded through the vocabulary, with errors that point at the character."""

import json

import numpy as np
import pytest

from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.models import ModelFileError, load_model_file, resolve_model
from lstm_explorer.models.bundle import bundle_metadata, write_bundle
from lstm_explorer.models.files import write_npz
from lstm_explorer.models.model import model_from_tensors
from lstm_explorer.models.statedict import find_modules
from lstm_explorer.sequence import InputError

TOL = 1e-12


@pytest.fixture
def readout_reference(fixtures):
    pytest.importorskip("torch")
    return load_model_file(fixtures / "torch_reference" / "lstm_readout.pt"), np.load(
        fixtures / "torch_reference" / "lstm_readout.npz"
    )


def test_torch_state_dict_with_embedding_and_readout_matches_torch(readout_reference):
    model, ref = readout_reference
    assert model.kind == "lstm" and model.network.num_layers == 2
    assert model.embedding_key == "embedding.weight" and model.readout_keys == ("fc.weight", "fc.bias")
    assert model.task == "text" and model.has_readout and model.output_size == 6
    traces = model.run(model.encode_tokens(ref["tokens"]))
    h = model.top_outputs(traces)
    assert np.abs(h - ref["output"]).max() <= TOL
    assert np.abs(model.logits(h) - ref["logits"]).max() <= TOL
    assert np.abs(model.readout(h) - ref["probs"]).max() <= TOL
    # Layer 1 reads layer 0's outputs, computed by the engine.
    assert np.array_equal(traces[(1, False)]["x"], traces[(0, False)]["h"])


def test_vocabulary_given_at_load_encodes_text_through_the_embedding(readout_reference, fixtures):
    _, ref = readout_reference
    model = load_model_file(fixtures / "torch_reference" / "lstm_readout.pt", vocabulary="abcdef")
    text = "".join("abcdef"[k] for k in ref["tokens"])
    assert model.tokens(text) == ref["tokens"].tolist()
    h = model.top_outputs(model.run(model.encode_text(text)))
    assert np.abs(model.readout(h) - ref["probs"]).max() <= TOL
    assert model.output_labels == list("abcdef")
    with pytest.raises(ModelFileError, match="vocabulary has 3 characters but the embedding has 6 rows"):
        load_model_file(fixtures / "torch_reference" / "lstm_readout.pt", vocabulary="abc")


def text_model(tmp_path, *, vocabulary="ab()", with_readout=True):
    tensors = {f"rnn.{k}": v for k, v in init_weights(cell_graph("gru"), len(vocabulary), 3, seed=2).items()}
    if with_readout:
        rng = np.random.default_rng(0)
        tensors["fc.weight"] = rng.normal(size=(len(vocabulary), 3))
        tensors["fc.bias"] = rng.normal(size=len(vocabulary))
    meta = bundle_metadata(
        cell="gru", task="text", description="a test model", vocabulary=vocabulary, presets=["(a)", "ab"]
    )
    path = write_bundle(tmp_path / "m.safetensors", tensors, meta)
    return load_model_file(path)


def test_one_hot_text_encoding_and_readout(tmp_path):
    model = text_model(tmp_path)
    assert model.has_vocabulary and model.vocabulary == "ab()" and model.task == "text"
    assert model.description == "a test model" and model.presets == ["(a)", "ab"]
    X = model.encode_text("a(b)")
    assert X.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    probs = model.readout(model.top_outputs(model.run(X)))
    assert probs.shape == (4, 4) and np.allclose(probs.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("text", "offset", "char"),
    [("ab(x)", 3, "x"), ("Z", 0, "Z"), ("ab\n", 2, "\n")],
)
def test_unknown_character_names_it_and_its_offset(tmp_path, text, offset, char):
    model = text_model(tmp_path)
    with pytest.raises(InputError) as info:
        model.encode_text(text)
    assert info.value.offset == offset and info.value.step == offset  # one character per step
    assert str(info.value).startswith(f"step {offset}: {char!r} is not in the vocabulary")


def test_empty_text_is_refused(tmp_path):
    with pytest.raises(InputError, match="empty"):
        text_model(tmp_path).encode_text("")


def test_numeric_model_has_no_vocabulary_or_readout(tmp_path):
    write_npz(tmp_path / "w.npz", init_weights(cell_graph("lstm"), 2, 3))
    model = load_model_file(tmp_path / "w.npz")
    assert not model.has_vocabulary and model.task == "numeric" and not model.has_readout
    assert model.presets == [] and model.output_labels is None
    with pytest.raises(InputError, match="no vocabulary"):
        model.tokens("ab")
    with pytest.raises(ValueError, match="no readout"):
        model.readout(np.zeros((1, 3)))


@pytest.mark.parametrize("prefix", ["lstm.", "rnn.", "encoder.", "model.encoder.rnn.", ""])
def test_module_prefixes_are_recognised(prefix):
    tensors = {prefix + k: v for k, v in init_weights(cell_graph("lstm"), 2, 3).items()}
    tensors["head.weight"] = np.zeros((4, 3))
    tensors["head.bias"] = np.zeros(4)
    (module,), _used = find_modules(tensors)
    assert set(module.tensors) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    model = model_from_tensors("m", tensors)
    assert model.readout_keys == ("head.weight", "head.bias") and set(model.extras) == {"head.weight", "head.bias"}
    assert model.module == (prefix.rstrip(".") or "(top level)")


def test_readout_on_a_bidirectional_model_reads_both_directions():
    tensors = {f"lstm.{k}": v for k, v in init_weights(cell_graph("lstm"), 2, 3, bidirectional=True).items()}
    tensors["fc.weight"] = np.ones((1, 6))
    tensors["fc.bias"] = np.zeros(1)
    model = model_from_tensors("m", tensors)
    X = np.random.default_rng(0).normal(size=(5, 2))
    h = model.top_outputs(model.run(X))
    assert h.shape == (5, 6)
    assert np.allclose(model.readout(h)[:, 0], h.sum(axis=1))  # numeric: values, not probabilities


def test_resolve_model_accepts_cell_kinds_files_and_bundled_names(tmp_path):
    assert resolve_model("gru", hidden_size=3, input_size=2).kind == "gru"
    path = text_model(tmp_path).name
    assert resolve_model(str(tmp_path / path)).has_vocabulary
    assert resolve_model("brackets").name == "brackets"
    with pytest.raises(ValueError, match="not a bundled model"):
        resolve_model("no-such-model")


def test_bundle_metadata_is_strings_and_loads_in_torch(tmp_path):
    model = text_model(tmp_path)
    assert all(isinstance(v, str) for v in model.metadata.values())
    assert json.loads(model.metadata["presets"]) == ["(a)", "ab"]
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    module = torch.nn.Module()
    module.rnn = torch.nn.GRU(4, 3, batch_first=True).double()
    module.fc = torch.nn.Linear(3, 4).double()
    module.load_state_dict(load_file(tmp_path / "m.safetensors"))  # strict: every name matches
    X = model.encode_text("(ab)a")
    with torch.no_grad():
        out, _ = module.rnn(torch.tensor(X)[None])
        probs = torch.softmax(module.fc(out), dim=-1)[0].numpy()
    assert np.abs(model.readout(model.top_outputs(model.run(X))) - probs).max() <= TOL


def test_checkpoint_dicts_and_float32_state_dicts(tmp_path):
    torch = pytest.importorskip("torch")
    module = torch.nn.GRU(2, 3, num_layers=2)
    torch.save(
        {"epoch": 4, "model_state_dict": {f"encoder.{k}": v for k, v in module.state_dict().items()}},
        tmp_path / "c.pth",
    )
    model = load_model_file(tmp_path / "c.pth")
    assert model.kind == "gru" and model.network.num_layers == 2
    X = np.random.default_rng(0).normal(size=(4, 2))
    with torch.no_grad():
        expected, _ = module.double()(torch.tensor(X)[:, None])
    # float32 weights widened exactly to float64, then computed in float64 on both sides.
    assert np.abs(model.top_outputs(model.run(X)) - expected[:, 0].numpy()).max() <= TOL


def test_a_whole_pickled_module_is_refused_with_advice(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.LSTM(2, 3), tmp_path / "whole.pt")
    with pytest.raises(ModelFileError, match=r"whole\.pt: refused: the file is a whole pickled module") as info:
        load_model_file(tmp_path / "whole.pt")
    # One clean line, then the two lines of code that save a state_dict; no terminal escape codes.
    _first, *code = str(info.value).split("\n")
    assert len(code) == 2 and "torch.save(model.state_dict()" in code[1] and "\x1b" not in str(info.value)
