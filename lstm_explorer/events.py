"""Qt-free events: a minimal synchronous signal, and a group of them named after a model's fields.

The document and the playback emit these; views connect handlers named ``_on_<field>`` (as napari
does), and nothing here knows about Qt, so the document can be built and tested without a display.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Signal:
    """``connect(fn)``, ``disconnect(fn)``, ``emit(*args)``: slots run at once, in connection order."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        if slot not in self._slots:
            self._slots.append(slot)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        if slot in self._slots:
            self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)

    @property
    def connections(self) -> int:
        return len(self._slots)


class EventGroup:
    """One :class:`Signal` per name in ``FIELDS``: ``group.model.connect(view._on_model)``."""

    FIELDS: tuple[str, ...] = ()

    def __init__(self) -> None:
        for name in self.FIELDS:
            setattr(self, name, Signal())

    def __getattr__(self, name: str) -> Signal:  # for type checkers: the fields are Signals
        raise AttributeError(f"{type(self).__name__} has no event {name!r}; events: {', '.join(self.FIELDS)}")
