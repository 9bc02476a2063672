"""An encoded input (T, width) that grows at its end without copying what is already there.

A keystroke at the end of a long input adds a row. Building the new input with ``np.concatenate``
copied all of it: a 100 000-step one-hot input is 25 MB, and in the window the copy landed on fresh
pages (the previous one had been given back to the system), 50–100 ms per keystroke. Here the rows
live in a buffer with spare room at its end, and every input handed out is a view of its first rows.

Rows that were ever part of a view handed out are never written again: the document, an export's
snapshot or a recompute on a worker thread may still be reading them. Only rows past all
of those are filled in place; any other change (an edit in the middle, typing after a deletion)
starts a new buffer. Qt-free.
"""

from __future__ import annotations

import numpy as np


def spare_rows(rows: int) -> int:
    """Room left after ``rows`` in a new buffer: a copy every ~rows/8 appended rows at most."""
    return max(256, rows // 8)


class GrowingRows:
    """``join(head, tail)``: ``head`` (a prefix of the last result) followed by ``tail``."""

    def __init__(self) -> None:
        self._buffer: np.ndarray | None = None
        #: Rows of the buffer that some view handed out covers (never written again).
        self._handed_out = 0

    def join(self, head: np.ndarray, tail: np.ndarray) -> np.ndarray:
        p, n = len(head), len(tail)
        buffer = self._buffer
        if (
            buffer is not None
            and p == self._handed_out
            and p + n <= len(buffer)
            and tail.dtype == buffer.dtype
            and tail.shape[1:] == buffer.shape[1:]
            and _starts_buffer(head, buffer)
        ):
            buffer[p : p + n] = tail  # rows no view covers: nobody can see them change
        else:
            buffer = self._new_buffer(p + n, np.result_type(head, tail), tail.shape[1:])
            buffer[:p] = head
            buffer[p : p + n] = tail
        return self._hand_out(buffer, p + n)

    def start(self, rows: np.ndarray) -> np.ndarray:
        """A fresh input (a whole text encoded): copied into a buffer with room to grow, so that
        the first keystroke after it copies nothing."""
        buffer = self._new_buffer(len(rows), rows.dtype, rows.shape[1:])
        buffer[: len(rows)] = rows
        return self._hand_out(buffer, len(rows))

    def _hand_out(self, buffer: np.ndarray, rows: int) -> np.ndarray:
        self._handed_out = rows
        view = buffer[:rows]
        view.flags.writeable = False  # a promise the session relies on: it keeps the view, uncopied
        return view

    def _new_buffer(self, rows: int, dtype: np.dtype, row_shape: tuple[int, ...]) -> np.ndarray:
        self._buffer = np.empty((rows + spare_rows(rows), *row_shape), dtype=dtype)
        return self._buffer


def _starts_buffer(head: np.ndarray, buffer: np.ndarray) -> bool:
    """Whether ``head`` is the buffer's first rows (a view of it, same layout), not a copy."""
    if len(head) == 0:
        return True
    return (
        head.dtype == buffer.dtype
        and head.strides == buffer.strides
        and head.__array_interface__["data"][0] == buffer.__array_interface__["data"][0]
    )
