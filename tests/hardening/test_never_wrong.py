"""Class 5 of issue 14 (CLI and engine side): input that used to be read as something else is
refused with the place it went wrong — empty fields, a clip that switched clipping off, values
that are not real numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_explorer.engine.train import new_network, train
from lstm_explorer.sequence import InputError, parse_numeric
from lstm_explorer.tasks import make_task


@pytest.mark.parametrize(
    ("text", "step", "column", "what"),
    [
        ("1,2,,3", 0, 5, "nothing before this comma"),  # steps count from t = 0, as everywhere
        (",1,2,3", 0, 1, "nothing before this comma"),
        ("1,2,3,", 0, 7, "nothing after the last comma"),
        ("1,2,3,4\n5, ,6,7", 1, 4, "nothing before this comma"),
        ("1,2,3,4;5,6,,7", 1, 5, "nothing before this comma"),
    ],
)
def test_an_empty_field_is_an_error_naming_line_and_column(text, step, column, what):
    with pytest.raises(InputError) as caught:
        parse_numeric(text)
    error = caught.value
    assert (error.step, error.column) == (step, column)
    assert str(error) == f"step {step}, column {column}: empty value: {what}"
    assert error.offset is not None and text[error.offset : error.offset + 1] in (",", "")


@pytest.mark.parametrize("text", ["1, 2, 3", "1 2 3", "1 ,2 , 3", " 1,2,3 ", "1\t2\t3"])
def test_separators_with_spaces_are_still_fine(text):
    assert parse_numeric(text).tolist() == [[1.0, 2.0, 3.0]]


@pytest.mark.parametrize("clip", [-1.0, 0.0, math.nan, math.inf])
def test_training_refuses_a_clip_that_would_switch_clipping_off(clip):
    task = make_task("sine")
    net = new_network("lstm", task.input_size, 4, task.output_size)
    before = {k: v.copy() for k, v in net.tensors.items()}
    with pytest.raises(ValueError, match=r"clip .*: the gradient norm limit must be positive and finite"):
        train(net, task, steps=2, clip=clip)
    assert all(np.array_equal(before[k], net.tensors[k]) for k in before)  # nothing trained


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"batch_size": 0}, "batch size 0"), ({"lr": math.nan}, "learning rate nan"), ({"steps": 0}, "steps 0")],
)
def test_training_refuses_other_arguments_that_train_nothing(kw, message):
    task = make_task("sine")
    net = new_network("lstm", task.input_size, 4, task.output_size)
    with pytest.raises(ValueError, match=message):
        train(net, task, **{"steps": 2, **kw})
