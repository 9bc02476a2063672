"""Colour maps for vectors: values in, RGBA bytes out. Pure NumPy, no Qt.

Two maps, both readable with the common colour-vision deficiencies (they vary in lightness as well
as hue, and avoid a red–green axis):

* ``diverging`` for signed values (tanh range, cell state, inputs): blue for negative, a near-white
  for zero, orange for positive. Values beyond ``±vmax`` are clipped to the end colours.
* ``sequential`` for gates in [0, 1]: the viridis ramp (dark purple → blue → green → yellow),
  interpolated from its standard published key colours.

Each map is a 256-entry lookup table built once; mapping a vector is one index computation and one
fancy-index, so a 512-unit strip costs microseconds. NaN maps to a neutral grey so that a broken
value is visible, never silently a colour of the scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

MapName = Literal["diverging", "sequential"]
Colormap = Callable[[Any], np.ndarray]

#: Key colours (position in [0, 1] along the map, RGB). Diverging: blue – white – orange.
_DIVERGING_KEYS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.00, (24, 64, 140)),
    (0.25, (90, 145, 205)),
    (0.50, (246, 246, 246)),
    (0.75, (245, 160, 80)),
    (1.00, (165, 62, 12)),
)
#: Viridis key colours (#440154, #3b528b, #21918c, #5ec962, #fde725).
_SEQUENTIAL_KEYS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.00, (68, 1, 84)),
    (0.25, (59, 82, 139)),
    (0.50, (33, 145, 140)),
    (0.75, (94, 201, 98)),
    (1.00, (253, 231, 37)),
)
NAN_RGBA = (128, 128, 128, 255)
LUT_SIZE = 256


def _build_lut(keys: Sequence[tuple[float, tuple[int, int, int]]]) -> np.ndarray:
    """(LUT_SIZE + 1, 4) uint8: linear interpolation between key colours; last row is the NaN colour."""
    where = np.linspace(0.0, 1.0, LUT_SIZE)
    stops = np.array([k for k, _ in keys])
    rgb = np.array([c for _, c in keys], dtype=np.float64)
    lut = np.empty((LUT_SIZE + 1, 4), dtype=np.uint8)
    for channel in range(3):
        lut[:LUT_SIZE, channel] = np.rint(np.interp(where, stops, rgb[:, channel])).astype(np.uint8)
    lut[:LUT_SIZE, 3] = 255
    lut[LUT_SIZE] = NAN_RGBA
    return lut


_LUTS: dict[str, np.ndarray] = {
    "diverging": _build_lut(_DIVERGING_KEYS),
    "sequential": _build_lut(_SEQUENTIAL_KEYS),
}
for _lut in _LUTS.values():
    _lut.flags.writeable = False


def _lookup(lut: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """Map fractions in [0, 1] (clipped; NaN allowed) to RGBA rows of ``lut``."""
    nan = np.isnan(fraction)
    index = np.rint(np.clip(np.nan_to_num(fraction, nan=0.0), 0.0, 1.0) * (LUT_SIZE - 1)).astype(np.intp)
    if nan.any():
        index[nan] = LUT_SIZE
    return lut[index]


def diverging(values: Any, vmax: float = 1.0) -> np.ndarray:
    """RGBA uint8 of shape ``values.shape + (4,)``: −vmax → blue, 0 → white, +vmax → orange."""
    if not vmax > 0:
        raise ValueError(f"vmax must be positive, not {vmax!r}")
    v = np.asarray(values, dtype=np.float64)
    return _lookup(_LUTS["diverging"], v / (2.0 * vmax) + 0.5)


def sequential(values: Any) -> np.ndarray:
    """RGBA uint8 of shape ``values.shape + (4,)``: 0 → dark purple, 1 → yellow (viridis)."""
    return _lookup(_LUTS["sequential"], np.asarray(values, dtype=np.float64))


#: Decades a log colour scale shows below its top; anything smaller takes the lowest colour.
LOG_DECADES = 6.0


def log_fractions(values: Any, top: float, decades: float = LOG_DECADES) -> np.ndarray:
    """Where each |value| sits on a log scale from ``top``·10^−decades (0) to ``top`` (1), clipped;
    zeros (and everything when ``top`` is not positive) at 0, NaN kept."""
    magnitude = np.abs(np.asarray(values, dtype=np.float64))
    if not top > 0:
        return np.where(np.isnan(magnitude), np.nan, 0.0)
    with np.errstate(divide="ignore"):
        logs = np.log10(magnitude / top)
    return np.clip(1.0 + logs / decades, 0.0, 1.0)


def log_sequential(values: Any, top: float, decades: float = LOG_DECADES) -> np.ndarray:
    """RGBA uint8 of shape ``values.shape + (4,)``: |values| on the sequential map, log-scaled
    (dark purple at ``top``·10^−decades and below, yellow at ``top``): magnitudes that span
    decades, such as gradients through time, stay distinguishable."""
    return _lookup(_LUTS["sequential"], log_fractions(values, top, decades))


#: The map that shows each value range of the op table (engine/ops.py).
MAP_FOR_RANGE: dict[str, MapName] = {"gate": "sequential", "signed": "diverging", "unbounded": "diverging"}


def map_name_for(node: Any) -> MapName:
    """Which map suits a graph node, by the value range its graph derived from the op table:
    gates (σ layers, 1 − a gate) live in [0, 1]; everything else is signed."""
    return MAP_FOR_RANGE[node.value_range]


def colormap_for(node: Any) -> Colormap:
    """The colour map a node's vector is drawn with (``diverging`` with vmax 1, or ``sequential``)."""
    return sequential if map_name_for(node) == "sequential" else diverging


def colormap_by_name(name: MapName) -> Colormap:
    if name == "sequential":
        return sequential
    if name == "diverging":
        return diverging
    raise ValueError(f"unknown colour map {name!r}; choose diverging or sequential")


def value_range(name: MapName) -> tuple[float, float]:
    """The values at the two ends of a map (beyond them colours are clipped)."""
    return (0.0, 1.0) if name == "sequential" else (-1.0, 1.0)


def legend_stops(name: MapName, count: int = 5) -> list[tuple[float, tuple[int, int, int, int]]]:
    """``count`` evenly spaced (value, RGBA) pairs along a map, ends included, for drawing a legend."""
    if count < 2:
        raise ValueError("a legend needs at least two stops")
    low, high = value_range(name)
    values = np.linspace(low, high, count)
    colours = colormap_by_name(name)(values)
    return [(float(v), (int(c[0]), int(c[1]), int(c[2]), int(c[3]))) for v, c in zip(values, colours, strict=True)]


def gradient(name: MapName, samples: int = LUT_SIZE) -> np.ndarray:
    """(samples, 4) uint8: the map from its low end to its high end, for a legend bar image."""
    low, high = value_range(name)
    return colormap_by_name(name)(np.linspace(low, high, samples))
