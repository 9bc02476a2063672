"""A trace: every node's value at every time step of one run of a cell."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .graph import CellGraph


class Trace(Mapping[str, np.ndarray]):
    """Node name → array of shape (T, width). Read-only views of the engine's buffers."""

    def __init__(self, graph: CellGraph, arrays: dict[str, np.ndarray]) -> None:
        missing = set(graph.names) - set(arrays)
        if missing:
            raise ValueError(f"trace lacks nodes {sorted(missing)}")
        lengths = {a.shape[0] for a in arrays.values()}
        if len(lengths) != 1:
            raise ValueError(f"trace arrays disagree on the number of steps: {sorted(lengths)}")
        self.graph = graph
        self._arrays = {name: arrays[name] for name in graph.names}
        for array in self._arrays.values():
            array.flags.writeable = False

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    @property
    def steps(self) -> int:
        return int(self._arrays[self.graph.step_input].shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self._arrays[self.graph.hidden_output].shape[1])

    @property
    def input_size(self) -> int:
        return int(self._arrays[self.graph.step_input].shape[1])

    def at(self, t: int) -> dict[str, np.ndarray]:
        """Every node's vector at step ``t``."""
        return {name: array[t] for name, array in self._arrays.items()}

    def final_state(self) -> dict[str, np.ndarray]:
        """The recurrent state after the last step, keyed by the previous-step node names."""
        return {prev: self._arrays[new][-1].copy() for prev, new in self.graph.recurrent}

    def slice(self, start: int, stop: int) -> Trace:
        return Trace(self.graph, {n: a[start:stop] for n, a in self._arrays.items()})

    @staticmethod
    def concatenate(first: Trace, second: Trace) -> Trace:
        """Steps of ``first`` followed by those of ``second`` (a prefix and its continuation)."""
        return Trace(first.graph, {n: np.concatenate([first[n], second[n]]) for n in first.graph.names})
