"""Every control is visible in both themes: measured on the pixels a person sees."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFontMetrics

from lstm_explorer.export.frames import rgba_array
from lstm_explorer.views.theme import THEMES


def contrast(widget, background: str, width: int | None = None) -> int:
    """The largest summed RGB difference from ``background`` over the widget's pixels (0–765)."""
    pixels = rgba_array(widget.grab().toImage())[:, :width, :3].astype(int)
    bg = np.array([int(background[k : k + 2], 16) for k in (1, 3, 5)])
    return int(np.abs(pixels - bg).sum(axis=2).max())


@pytest.mark.parametrize("name", list(THEMES))
def test_unticked_boxes_and_the_slider_stand_out_from_the_window(qtbot, make_window, settings, name):
    settings.setValue("theme", name)
    window = make_window()
    background = THEMES[name].window
    loop = window.transport.loop
    assert not loop.isChecked()
    indicator = loop.style().pixelMetric(loop.style().PixelMetric.PM_IndicatorWidth) + 4
    assert contrast(loop, background, indicator) > 150  # was 30 in the dark theme: an invisible box
    unticked = [box for box in window.unit_plot.checks.values() if not box.isChecked()]
    assert unticked and all(contrast(box, background, indicator) > 150 for box in unticked)
    assert contrast(window.transport.slider, background) > 150


def test_long_cell_names_fit_their_chain_modules(qtbot, make_window):
    window = make_window("peephole")
    chain = window.chain
    font = chain._title_font(chain.MODULE - 24)
    assert chain.title == "PEEPHOLE"
    assert QFontMetrics(font).horizontalAdvance(chain.title) <= chain.MODULE - 24
