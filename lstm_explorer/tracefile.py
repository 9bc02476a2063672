"""Writing a trace to .npz, .csv or .json (one array per node name, shape (T, width))."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path
from .engine.trace import Trace

TRACE_FORMATS = (".npz", ".csv", ".json")


def csv_header(trace: Trace) -> list[str]:
    return ["t"] + [f"{name}[{k}]" for name in trace for k in range(trace[name].shape[1])]


def write_trace(
    trace: Trace,
    path: str | Path,
    *,
    meta: dict[str, object] | None = None,
    readout: dict[str, np.ndarray] | None = None,
) -> Path:
    """Write atomically; the format follows the extension.

    * ``.npz``: one array per node name, shape (T, width), and per ``readout`` array
      (``logits``, ``probs``: (T, outputs)).
    * ``.csv``: one row per step; column ``t`` then ``node[k]`` for every node and unit, then
      ``logits[k]`` and ``probs[k]``.
    * ``.json``: ``{"cell", "steps", "meta", "nodes": {name: [[...] per step]}, "readout": {…}}``.
    """
    path = Path(path)
    readout = {name: np.asarray(value, dtype=np.float64) for name, value in (readout or {}).items()}
    for name, value in readout.items():
        if name in trace or value.ndim != 2 or value.shape[0] != trace.steps:
            raise ValueError(f"readout {name!r} has shape {value.shape}; expected ({trace.steps}, outputs)")
    suffix = path.suffix.lower()
    if suffix not in TRACE_FORMATS:
        raise ValueError(f"unknown trace format {path.suffix or '(none)'!r}; use {', '.join(TRACE_FORMATS)}")
    with atomic_path(path) as temp:
        if suffix == ".npz":
            with open(temp, "wb") as handle:
                # Float arrays only, so no allow_pickle=False: numpy < 2.1 would store it as an array.
                arrays: dict[str, Any] = {name: np.asarray(trace[name]) for name in trace} | readout
                np.savez(handle, **arrays)
        elif suffix == ".csv":
            columns = [trace[n] for n in trace] + list(readout.values())
            table = np.concatenate([np.arange(trace.steps)[:, None], *columns], axis=1)
            extra = [f"{name}[{k}]" for name, value in readout.items() for k in range(value.shape[1])]
            with open(temp, "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(csv_header(trace) + extra)
                for row in table:
                    writer.writerow([str(int(row[0]))] + [repr(float(v)) for v in row[1:]])
        else:
            document = {
                "cell": trace.graph.kind,
                "steps": trace.steps,
                "meta": meta or {},
                "nodes": {name: trace[name].tolist() for name in trace},
            }
            if readout:
                document["readout"] = {name: value.tolist() for name, value in readout.items()}
            temp.write_text(json.dumps(document))
    return path


def read_trace_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Read a trace CSV back into node name → (T, width) arrays."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    columns: dict[str, list[int]] = {}
    for index, label in enumerate(header[1:], start=1):
        columns.setdefault(label.split("[")[0], []).append(index)
    return {name: body[:, idx] for name, idx in columns.items()}
