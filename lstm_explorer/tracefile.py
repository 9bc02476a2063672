"""Writing a trace to .npz, .csv or .json (one array per name, shape (T, width)).

The writers take named (T, width) arrays in sections (the cell's ``nodes``, and the ``readout``'s
logits and probabilities beside them) and stream the text formats a block of rows at a time:
memory stays near the trace's own size instead of holding a second copy as a table or as Python
lists (a 100 000-step JSON trace at H = 128 took 13.7 GB for a 1.2 GB trace when it was built in
one piece; streamed, 1.5 GB).
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .atomic import atomic_path
from .engine.trace import Trace
from .interrupt import checkpoint

TRACE_FORMATS = (".npz", ".csv", ".json")

#: Rows formatted at a time: enough to amortise the per-call cost. As Python floats and text a row
#: takes ~7 times its NumPy size: 256 rows at H = 128 (1 552 values, 3 MB as float64) take ~20 MB.
BLOCK_ROWS = 256

Arrays = Mapping[str, np.ndarray]
#: ``progress(done, total)``, called between blocks; it stops the write by raising (the atomic
#: write then removes the partial file), e.g. the export's ExportCancelled.
WriteProgress = Callable[[int, int], object]


def csv_header(arrays: Arrays) -> list[str]:
    return ["t"] + [f"{name}[{k}]" for name in arrays for k in range(arrays[name].shape[1])]


def write_trace(
    trace: Trace,
    path: str | Path,
    *,
    meta: dict[str, object] | None = None,
    readout: dict[str, np.ndarray] | None = None,
    progress: WriteProgress | None = None,
) -> Path:
    """Write atomically; the format follows the extension; ``progress`` hears of every block.

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
    sections: dict[str, Arrays] = {"nodes": trace}
    if readout:
        sections["readout"] = readout
    return write_sections(sections, path, cell=trace.graph.kind, steps=trace.steps, meta=meta, progress=progress)


def write_sections(
    sections: Mapping[str, Arrays],
    path: str | Path,
    *,
    cell: str,
    steps: int,
    meta: dict[str, object] | None = None,
    progress: WriteProgress | None = None,
) -> Path:
    """Named (steps, width) arrays by section, in order: sections are JSON objects; .npz and .csv
    hold every array of every section side by side."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRACE_FORMATS:
        raise ValueError(f"unknown trace format {path.suffix or '(none)'!r}; use {', '.join(TRACE_FORMATS)}")
    flat = {name: arrays[name] for arrays in sections.values() for name in arrays}
    counter = _Counter(progress, steps * (1 if suffix == ".csv" else len(flat)))  # rows, or rows × arrays
    with atomic_path(path) as temp:
        if suffix == ".npz":
            with open(temp, "wb") as handle:
                _write_npz(handle, flat, counter, steps)
        elif suffix == ".csv":
            with open(temp, "w", newline="") as handle:
                _write_csv(handle, flat, steps, counter=counter)
        else:
            with open(temp, "w") as handle:
                _write_json(handle, sections, {"cell": cell, "steps": steps, "meta": meta or {}}, counter)
    return path


class _Counter:
    """Rows written so far, out of ``total``, told to ``progress`` between blocks."""

    def __init__(self, progress: WriteProgress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def _blocks(steps: int, counter: _Counter | None = None) -> Iterator[tuple[int, int]]:
    for start in range(0, steps, BLOCK_ROWS):
        checkpoint()  # a safe point for Ctrl+C: the atomic write removes the partial file
        stop = min(start + BLOCK_ROWS, steps)
        yield start, stop
        if counter is not None:
            counter.add(stop - start)


def _write_npz(handle: Any, arrays: Arrays, counter: _Counter, steps: int) -> None:
    """What ``np.savez`` writes (one uncompressed ``name.npy`` member per array), one member at a
    time so that progress is heard between members (uncompressed: writing is the disk's speed)."""
    with zipfile.ZipFile(handle, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, value in arrays.items():
            checkpoint()
            array = np.asarray(value)
            with archive.open(f"{name}.npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
            counter.add(steps)


def write_arrays(
    arrays: Arrays,
    path: str | Path,
    *,
    scalars: Mapping[str, float] | None = None,
    json_document: Callable[[], Mapping[str, object]],
) -> Path:
    """Per-step arrays (each (T, width)) and scalars, written atomically in the extension's format.

    * ``.npz``: one array per name, and each scalar as a 0-d array.
    * ``.csv``: one row per step: ``t``, ``name[k]`` for every array and unit, then each scalar as a
      column repeating its value (full float64 precision).
    * ``.json``: what ``json_document()`` returns (the caller puts the arrays where its format says;
      called only for .json, as lists of floats are large).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRACE_FORMATS:
        raise ValueError(f"unknown trace format {path.suffix or '(none)'!r}; use {', '.join(TRACE_FORMATS)}")
    scalars = scalars or {}
    steps = next(iter(arrays.values())).shape[0] if arrays else 0
    with atomic_path(path) as temp:
        if suffix == ".npz":
            with open(temp, "wb") as handle:
                named: dict[str, Any] = {**arrays, **{k: np.asarray(v, dtype=np.float64) for k, v in scalars.items()}}
                np.savez(handle, **named)
        elif suffix == ".csv":
            columns = {
                **arrays,
                **{name: np.full((steps, 1), value, dtype=np.float64) for name, value in scalars.items()},
            }
            with open(temp, "w", newline="") as handle:
                _write_csv(handle, columns, steps, header=csv_header(arrays) + list(scalars))
        else:
            temp.write_text(json.dumps(json_document()))
    return path


def _write_csv(
    handle: TextIO, arrays: Arrays, steps: int, header: list[str] | None = None, counter: _Counter | None = None
) -> None:
    csv.writer(handle).writerow(header or csv_header(arrays))
    for start, stop in _blocks(steps, counter):
        # (rows, total width) for this block only; repr gives the shortest text that reads back exactly.
        block = np.concatenate([np.asarray(arrays[name][start:stop], dtype=np.float64) for name in arrays], axis=1)
        lines = [
            f"{t}," + ",".join(map(repr, row)) + "\r\n"  # csv.writer's line ending
            for t, row in zip(range(start, stop), block.tolist(), strict=True)
        ]
        handle.write("".join(lines))


def _write_json(
    handle: TextIO, sections: Mapping[str, Arrays], head: dict[str, object], counter: _Counter | None = None
) -> None:
    """The same text ``json.dumps`` gives for the whole document, written a block of rows at a time."""
    handle.write(json.dumps(head)[:-1])  # without the closing brace
    for section, arrays in sections.items():
        handle.write(f", {json.dumps(section)}: {{")
        for index, name in enumerate(arrays):
            handle.write(("" if index == 0 else ", ") + json.dumps(name) + ": [")
            array = arrays[name]
            for start, stop in _blocks(len(array), counter):
                rows = json.dumps(np.asarray(array[start:stop]).tolist())[1:-1]  # without the list's brackets
                handle.write(("" if start == 0 else ", ") + rows)
            handle.write("]")
        handle.write("}")
    handle.write("}")


def read_trace_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Read a trace CSV back into node name → (T, width) arrays."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    columns: dict[str, list[int]] = {}
    for index, label in enumerate(header[1:], start=1):
        columns.setdefault(label.split("[")[0], []).append(index)
    return {name: body[:, idx] for name, idx in columns.items()}
