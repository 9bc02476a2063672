"""Tensors of a PyTorch file that are not floating point are read or refused by name, never dropped:
a dropped weight would surface later as "missing weight_ih_l0", which is not what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer.models import ModelFileError, load_model_file

torch = pytest.importorskip("torch")


def lstm_state(seed=0):
    torch.manual_seed(seed)
    return torch.nn.LSTM(3, 4).double().state_dict()


def test_integer_weights_are_converted_and_computed(tmp_path):
    state = {name: torch.randint(-3, 4, value.shape, dtype=torch.int32) for name, value in lstm_state().items()}
    torch.save(state, tmp_path / "int.pt")
    model = load_model_file(tmp_path / "int.pt")
    reference = torch.nn.LSTM(3, 4).double()
    reference.load_state_dict({name: value.double() for name, value in state.items()})
    X = np.random.default_rng(0).normal(size=(6, 3))
    expected = reference(torch.from_numpy(X))[0].detach().numpy()
    assert np.abs(model.top_outputs(model.run(X)) - expected).max() <= 1e-12


def test_integer_buffers_beside_the_weights_do_not_stop_the_model(tmp_path):
    state = dict(lstm_state())
    state["norm.num_batches_tracked"] = torch.tensor(12)  # what a BatchNorm beside the LSTM saves
    state["mask"] = torch.tensor([True, False, True])
    torch.save(state, tmp_path / "m.pt")
    assert load_model_file(tmp_path / "m.pt").network.hidden_size == 4


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda v: v.to(torch.complex128), "holds complex numbers"),
        (lambda v: v.to_sparse(), "is torch.sparse_coo"),
        (lambda v: torch.quantize_per_tensor(v.float(), 0.1, 0, torch.qint8), "is quantized"),
    ],
    ids=["complex", "sparse", "quantized"],
)
def test_a_weight_that_is_not_real_and_dense_is_refused_by_name(tmp_path, make, message):
    state = dict(lstm_state())
    state["weight_hh_l0"] = make(state["weight_hh_l0"])
    torch.save(state, tmp_path / "m.pt")
    with pytest.raises(ModelFileError, match=rf"^m\.pt: tensor weight_hh_l0 {message}"):
        load_model_file(tmp_path / "m.pt")
