"""Colour maps: shapes, ends, clipping, NaN, and the properties that make them colour-blind safe."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_explorer import colormaps
from lstm_explorer.engine.cells import cell_graph


def _luminance(rgba: np.ndarray) -> np.ndarray:
    """Relative luminance (sRGB → linear, Rec. 709 weights)."""
    c = rgba[..., :3].astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def _blue_minus_yellow(rgba: np.ndarray) -> float:
    return float(rgba[2] - (rgba[0] + rgba[1]) / 2)


def test_shapes_and_dtype_follow_the_input() -> None:
    values = np.linspace(-2, 2, 12).reshape(3, 4)
    for mapped in (colormaps.diverging(values), colormaps.sequential(values)):
        assert mapped.shape == (3, 4, 4)
        assert mapped.dtype == np.uint8
        assert (mapped[..., 3] == 255).all()


def test_diverging_is_white_at_zero_and_blue_below_orange_above() -> None:
    low, zero, high = colormaps.diverging(np.array([-1.0, 0.0, 1.0]))
    assert min(zero[:3]) > 235  # near-white midpoint
    assert low[2] > low[0]  # negative: more blue than red
    assert high[0] > high[2]  # positive: more red than blue


def test_diverging_clips_beyond_vmax_and_scales_with_it() -> None:
    assert (colormaps.diverging(np.array([5.0])) == colormaps.diverging(np.array([1.0]))).all()
    assert (colormaps.diverging(np.array([-9.0])) == colormaps.diverging(np.array([-1.0]))).all()
    assert (colormaps.diverging(np.array([2.0]), vmax=4.0) == colormaps.diverging(np.array([0.5]))).all()
    with pytest.raises(ValueError):
        colormaps.diverging(np.zeros(2), vmax=0.0)


def test_nan_is_grey_not_a_colour_of_the_scale() -> None:
    for mapped in (colormaps.diverging(np.array([np.nan])), colormaps.sequential(np.array([np.nan]))):
        assert tuple(mapped[0]) == colormaps.NAN_RGBA


def test_sequential_gets_lighter_monotonically() -> None:
    lum = _luminance(colormaps.gradient("sequential"))
    assert (np.diff(lum) >= -1e-3).all()
    assert lum[-1] - lum[0] > 0.7


def test_diverging_lightness_rises_towards_zero_from_both_ends() -> None:
    lum = _luminance(colormaps.gradient("diverging"))
    half = len(lum) // 2
    assert (np.diff(lum[:half]) >= -1e-3).all()
    assert (np.diff(lum[half:]) <= 1e-3).all()


def test_diverging_ends_differ_on_the_blue_yellow_axis() -> None:
    """Red–green deficiencies keep the blue–yellow axis, so the two signs stay apart."""
    low, high = colormaps.diverging(np.array([-1.0, 1.0])).astype(float)
    assert _blue_minus_yellow(low) > 40
    assert _blue_minus_yellow(high) < -40


def test_gates_are_sequential_and_everything_else_diverging() -> None:
    lstm = cell_graph("lstm")
    for name in ("f", "i", "o"):
        assert colormaps.colormap_for(lstm[name]) is colormaps.sequential
    for name in ("x", "h_prev", "c_prev", "xh", "g", "fc", "ig", "c", "tanh_c", "h"):
        assert colormaps.colormap_for(lstm[name]) is colormaps.diverging
    coupled = cell_graph("coupled")
    assert colormaps.map_name_for(coupled["i"]) == "sequential"  # i = 1 − f
    gru = cell_graph("gru")
    assert colormaps.map_name_for(gru["z_inv"]) == "sequential"
    assert colormaps.map_name_for(gru["hn"]) == "diverging"  # a linear layer is signed


def test_legend_stops_span_the_value_range_with_the_map_colours() -> None:
    stops = colormaps.legend_stops("diverging", 5)
    assert [v for v, _ in stops] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert stops[2][1] == tuple(colormaps.diverging(np.array([0.0]))[0])
    seq = colormaps.legend_stops("sequential", 3)
    assert [v for v, _ in seq] == [0.0, 0.5, 1.0]
    with pytest.raises(ValueError):
        colormaps.legend_stops("rainbow")  # type: ignore[arg-type]
