"""Writing a trace to .npz, .csv or .json (one array per node name, shape (T, width))."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path
from .engine.trace import Trace

TRACE_FORMATS = (".npz", ".csv", ".json")


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
    readout = {name: np.asarray(value, dtype=np.float64) for name, value in (readout or {}).items()}
    for name, value in readout.items():
        if name in trace or value.ndim != 2 or value.shape[0] != trace.steps:
            raise ValueError(f"readout {name!r} has shape {value.shape}; expected ({trace.steps}, outputs)")

    def document() -> dict[str, object]:
        nodes = {name: trace[name].tolist() for name in trace}
        result: dict[str, object] = {"cell": trace.graph.kind, "steps": trace.steps, "meta": meta or {}, "nodes": nodes}
        if readout:
            result["readout"] = {name: value.tolist() for name, value in readout.items()}
        return result

    arrays = {name: np.asarray(trace[name]) for name in trace} | readout
    return write_arrays(arrays, path, json_document=document)


def write_arrays(
    arrays: Mapping[str, np.ndarray],
    path: str | Path,
    *,
    scalars: Mapping[str, float] | None = None,
    json_document: Callable[[], Mapping[str, object]],
) -> Path:
    """Per-step arrays (each (T, width)) and scalars, written atomically in the extension's format.

    * ``.npz``: one array per name, and each scalar as a 0-d array.
    * ``.csv``: one row per step: ``t``, ``name[k]`` for every array and unit, then each scalar
      as a column repeating its value (full float64 precision).
    * ``.json``: what ``json_document()`` returns (the caller puts the arrays where its format says;
      called only for .json, as lists of floats are large).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRACE_FORMATS:
        raise ValueError(f"unknown trace format {path.suffix or '(none)'!r}; use {', '.join(TRACE_FORMATS)}")
    scalars = scalars or {}
    with atomic_path(path) as temp:
        if suffix == ".npz":
            with open(temp, "wb") as handle:
                # Float arrays only, so no allow_pickle=False: numpy < 2.1 would store it as an array.
                named: dict[str, Any] = {
                    **arrays,
                    **{name: np.asarray(value, dtype=np.float64) for name, value in scalars.items()},
                }
                np.savez(handle, **named)
        elif suffix == ".csv":
            steps = next(iter(arrays.values())).shape[0]
            columns = [np.arange(steps)[:, None], *arrays.values()]
            columns += [np.full((steps, 1), value, dtype=np.float64) for value in scalars.values()]
            table = np.concatenate(columns, axis=1)
            header = ["t"] + [f"{name}[{k}]" for name, a in arrays.items() for k in range(a.shape[1])] + list(scalars)
            with open(temp, "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                for row in table:
                    writer.writerow([str(int(row[0]))] + [repr(float(v)) for v in row[1:]])
        else:
            temp.write_text(json.dumps(json_document()))
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
