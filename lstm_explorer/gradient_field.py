"""The gradient of one target with respect to every node of the cell, at the steps recorded
(:class:`GradientField`): what the diagram's backward mode colours and the Equations panel prints.
No Qt: the document holds the field of what it shows.

The magnitudes span decades (a plain RNN's gradient shrinks by a factor at every step back), so
the colour is log-scaled: the sequential map from ``top``·10⁻⁶ (and zero) to ``top``, the largest
|∂target/∂node| anywhere in the field, so that colours compare across nodes and across steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import colormaps


@dataclass(frozen=True, eq=False)  # compared by identity: its arrays have no single truth value
class GradientField:
    """∂``target``/∂node, node name → (steps recorded, width), in the trace's step order: row k
    is step ``first`` + k (a long sequence records only the steps around the position; see
    :attr:`limited`).

    ``anchor``: the target's step; no gradient reaches a step after it. ``top``: the largest
    magnitude over every node and step, the top of the colour scale."""

    target: str
    anchor: int
    nodes: Mapping[str, np.ndarray]
    top: float
    first: int = 0

    @classmethod
    def of(
        cls, target: str, anchor: int, nodes: Mapping[str, np.ndarray], *, first: int = 0, top: float | None = None
    ) -> GradientField:
        """``top`` None: the largest magnitude recorded up to the anchor."""
        if top is None:
            rows = anchor + 1 - first
            top = max((float(np.max(np.abs(a[:rows]))) for a in nodes.values() if a[:rows].size), default=0.0)
        return cls(target, anchor, nodes, top, first)

    @property
    def last(self) -> int:
        """The last step recorded (the anchor, or before it)."""
        rows = min((len(a) for a in self.nodes.values()), default=0)
        return min(self.anchor, self.first + rows - 1)

    @property
    def limited(self) -> bool:
        """Whether steps the gradient reaches were left unrecorded (to bound memory)."""
        return self.first > 0 or self.last < self.anchor

    def reaches(self, t: int) -> bool:
        """Whether gradients at step ``t`` are here to show: recorded, and not after the target's
        step (which no gradient reaches)."""
        return self.first <= t <= self.last

    def values(self, name: str, t: int) -> np.ndarray:
        """∂target/∂node at step ``t``, (width,)."""
        return self.nodes[name][t - self.first]

    def magnitudes(self, name: str, t: int) -> np.ndarray:
        """|∂target/∂node| at step ``t``, (width,)."""
        return np.abs(self.nodes[name][t - self.first])

    def colours(self, magnitudes: np.ndarray) -> np.ndarray:
        """RGBA (…, 4) of magnitudes on the field's log scale."""
        return colormaps.log_sequential(magnitudes, self.top)

    def caption(self) -> str:
        """The legend's caption: ``|∂ loss@99 / ∂ node|``."""
        return f"|∂ {self.target} / ∂ node|"

    def limit_note(self) -> str:
        """What a limited field says: which steps it holds."""
        return f"recorded at steps {self.first}…{self.last} only (memory)"

    def end_labels(self) -> tuple[str, str]:
        """The magnitudes at the ends of the colour bar."""
        if not self.top > 0:
            return ("0", "0")
        return (f"≤{self.top * 10**-colormaps.LOG_DECADES:.0e}", f"{self.top:.1e}")
