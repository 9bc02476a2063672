"""Turning what a person types into an input sequence, with errors that point at the place."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

#: Longest sequence accepted from text; longer input is refused rather than freezing the app.
MAX_STEPS = 100_000

_STEP_SPLIT = re.compile(r"[;\n]")
_VALUE = re.compile(r"[^\s,]+")


@dataclass
class InputError(ValueError):
    """Bad input, with the step where it was found (counted t = 0, 1, … as everywhere in the app)
    and the 1-based column of the value in that step's text, when known."""

    message: str
    step: int | None = None
    column: int | None = None
    offset: int | None = None  # 0-based character offset into the whole text

    def __str__(self) -> str:
        where = ""
        if self.step is not None:
            where = f"step {self.step}" + (f", column {self.column}" if self.column is not None else "") + ": "
        return where + self.message


def parse_numeric(text: str, width: int | None = None) -> np.ndarray:
    """Parse steps separated by ``;`` or newlines, values by commas or spaces, into (T, width).

    Blank steps are skipped. Every step must have ``width`` values (or the first step's count).
    """
    fast = _parse_well_formed(text, width)
    if fast is not None:
        return fast
    rows: list[list[float]] = []
    start = 0
    for piece in _STEP_SPLIT.split(text):
        piece_start = start
        start += len(piece) + 1
        if not piece.strip():
            continue
        step = len(rows)  # t of this step
        if step >= MAX_STEPS:
            raise InputError(f"more than {MAX_STEPS} steps; split the sequence", step)
        _refuse_empty_fields(piece, step, piece_start)
        row = []
        for match in _VALUE.finditer(piece):
            token = match.group()
            column = match.start() + 1
            try:
                value = float(token)
            except ValueError:
                raise InputError(f"{token!r} is not a number", step, column, piece_start + match.start()) from None
            if not math.isfinite(value):
                raise InputError(
                    f"{token} is not allowed: values must be finite", step, column, piece_start + match.start()
                )
            row.append(value)
        expected = width if width is not None else (len(rows[0]) if rows else len(row))
        if len(row) != expected:
            raise InputError(f"{len(row)} values, expected {expected}", step, None, piece_start)
        rows.append(row)
    if not rows:
        raise InputError("the sequence is empty")
    return np.array(rows, dtype=np.float64)


#: A comma-separated field holding nothing: at a step's start, between two commas, or at its end.
_EMPTY_FIELD = re.compile(r"(?:^|[;\n])[ \t\r\f\v]*,|,[ \t\r\f\v]*(?:,|[;\n]|$)")


def _parse_well_formed(text: str, width: int | None) -> np.ndarray | None:
    """The same array as the careful parse below for input without a mistake, ~10 times faster
    (100 000 lines in ~0.1 s: the splitting and the float conversion run in C); None for anything
    else, which the careful parse then reads to say what is wrong and where."""
    if _EMPTY_FIELD.search(text):
        return None
    spaced = text.replace(",", " ")
    pieces = [piece for piece in _STEP_SPLIT.split(spaced) if piece and not piece.isspace()]
    if not pieces or len(pieces) > MAX_STEPS:
        return None
    counts = np.fromiter((len(piece.split()) for piece in pieces), dtype=np.int64, count=len(pieces))
    expected = width if width is not None else int(counts[0])
    if expected == 0 or np.any(counts != expected):
        return None
    try:
        values = list(map(float, spaced.replace(";", " ").split()))  # float() of each token, as the careful parse does
    except ValueError:
        return None
    X = np.array(values, dtype=np.float64).reshape(len(pieces), expected)
    return X if np.isfinite(X).all() else None


def _refuse_empty_fields(piece: str, step: int, piece_start: int) -> None:
    """``1,2,,3`` is an error, not three values: a comma-separated field holding nothing."""
    if "," not in piece:
        return
    position = 0
    fields = piece.split(",")
    for index, field in enumerate(fields):
        if not field.strip():
            column = position + len(field) + 1  # the comma that ends the empty field, or the line's end
            what = "after the last comma" if index == len(fields) - 1 else "before this comma"
            raise InputError(f"empty value: nothing {what}", step, column, piece_start + column - 1)
        position += len(field) + 1


def check_array(X: np.ndarray, width: int | None = None, *, source: str = "input") -> np.ndarray:
    """Validate an array of steps loaded from a file: 2-D (a 1-D array is one value per step)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise InputError(f"{source} has shape {X.shape}; expected (steps, values)")
    if X.shape[0] == 0:
        raise InputError(f"{source} is empty")
    if X.shape[0] > MAX_STEPS:
        raise InputError(f"{source} has {X.shape[0]} steps, more than {MAX_STEPS}")
    if width is not None and X.shape[1] != width:
        raise InputError(f"{source} has {X.shape[1]} values per step, expected {width}")
    bad = np.argwhere(~np.isfinite(X))
    if bad.size:
        t, k = bad[0]
        raise InputError(f"value {X[t, k]} is not finite", int(t), int(k) + 1)
    return X
