"""Class 7 of issue 14 (CLI side): a trace is written as .json or .csv a block of rows at a time,
so writing needs little beyond the trace itself (it used to take ten times the trace), and the
text is exactly what writing the whole document at once gives."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_explorer import tracefile
from lstm_explorer.models import random_model

ROOT = Path(__file__).resolve().parents[2]

#: Measures, in a fresh process, the peak memory a write adds over the computed trace (ru_maxrss
#: is the peak so far, in KiB on Linux).
MEASURE = """
import resource, sys
import numpy as np
from lstm_explorer.models import random_model
from lstm_explorer.tracefile import write_trace
trace = random_model("lstm", input_size=8, hidden_size=32).network.trace(
    np.random.default_rng(0).normal(size=(int(sys.argv[2]), 8)))
size = sum(trace[name].nbytes for name in trace)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
write_trace(trace, sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(size, after - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ elsewhere")
@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_writing_a_trace_needs_little_beyond_the_trace(tmp_path, suffix):
    out = tmp_path / f"t{suffix}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(out), "10000"], env=env, capture_output=True, text=True, check=True
    )
    trace_bytes, extra_bytes = map(int, result.stdout.split())
    assert trace_bytes == 10_000 * 400 * 8  # steps × values per step (LSTM, H = 32, 8 inputs) × 8 bytes
    # Written in one piece this took 5-10 times the trace on top of it; in blocks, a few MB.
    assert extra_bytes < trace_bytes / 4, (trace_bytes, extra_bytes)
    assert out.stat().st_size > trace_bytes


@pytest.fixture
def small_trace():
    X = np.random.default_rng(2).normal(size=(23, 3))
    X[4, 1] = 1e300  # values that need every digit of repr
    return random_model("gru", input_size=3, hidden_size=5).network.trace(X)


def test_streamed_json_is_the_document_json_dumps_gives(tmp_path, monkeypatch, small_trace):
    monkeypatch.setattr(tracefile, "BLOCK_ROWS", 4)  # several blocks per node, a short last one
    meta = {"model": "m", "steps": [0, 23]}
    tracefile.write_trace(small_trace, tmp_path / "t.json", meta=meta)
    whole = {
        "cell": "gru",
        "steps": 23,
        "meta": meta,
        "nodes": {name: small_trace[name].tolist() for name in small_trace},
    }
    assert (tmp_path / "t.json").read_text() == json.dumps(whole)


def test_streamed_csv_is_what_csv_writer_gives(tmp_path, monkeypatch, small_trace):
    monkeypatch.setattr(tracefile, "BLOCK_ROWS", 4)
    tracefile.write_trace(small_trace, tmp_path / "t.csv")
    expected = io.StringIO(newline="")
    writer = csv.writer(expected)
    writer.writerow(tracefile.csv_header(small_trace))
    for t in range(small_trace.steps):
        writer.writerow([str(t)] + [repr(float(v)) for name in small_trace for v in small_trace[name][t]])
    with open(tmp_path / "t.csv", newline="") as handle:
        assert handle.read() == expected.getvalue()
    back = tracefile.read_trace_csv(tmp_path / "t.csv")
    assert all(np.array_equal(back[name], small_trace[name]) for name in small_trace)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".npz"])
def test_the_writer_takes_any_named_arrays(tmp_path, small_trace, suffix):
    arrays = {**small_trace, "logits": np.arange(23 * 2, dtype=float).reshape(23, 2)}
    out = tracefile.write_sections({"nodes": arrays}, tmp_path / f"t{suffix}", cell="gru", steps=23)
    if suffix == ".json":
        assert json.loads(out.read_text())["nodes"]["logits"][22] == [44.0, 45.0]
    elif suffix == ".csv":
        assert tracefile.read_trace_csv(out)["logits"][22].tolist() == [44.0, 45.0]
    else:
        with np.load(out) as saved:
            assert saved["logits"][22].tolist() == [44.0, 45.0]
