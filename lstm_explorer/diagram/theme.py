"""Light and dark palettes. Layer boxes stay yellow and pointwise ops pink in both themes: that is
the visual language readers know from the classic drawings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor


@dataclass(frozen=True)
class Theme:
    name: str
    background: QColor
    frame_fill: QColor
    frame_edge: QColor
    wire: QColor
    text: QColor
    muted_text: QColor
    layer_fill: QColor
    layer_edge: QColor
    pointwise_fill: QColor
    pointwise_edge: QColor
    glow: QColor  # outline of a node while it computes
    selection: QColor  # outline of the selected unit on every strip
    pending_strip: QColor  # a strip slot whose vector is not computed yet
    panel_fill: QColor  # walk-through explanation box


LIGHT = Theme(
    name="light",
    background=QColor("#ffffff"),
    frame_fill=QColor("#f3f3f1"),
    frame_edge=QColor("#8f8f8f"),
    wire=QColor("#3a3a3a"),
    text=QColor("#161616"),
    muted_text=QColor("#5c5c5c"),
    layer_fill=QColor("#ffd94a"),
    layer_edge=QColor("#a8841a"),
    pointwise_fill=QColor("#f7a6c8"),
    pointwise_edge=QColor("#b5507d"),
    glow=QColor("#e8590c"),
    selection=QColor("#d6336c"),
    pending_strip=QColor("#dcdcdc"),
    panel_fill=QColor("#fffbe6"),
)

DARK = Theme(
    name="dark",
    background=QColor("#1c1d21"),
    frame_fill=QColor("#2a2c32"),
    frame_edge=QColor("#6f7280"),
    wire=QColor("#d0d0d0"),
    text=QColor("#f0f0f0"),
    muted_text=QColor("#a8a8b0"),
    layer_fill=QColor("#f2cc3d"),
    layer_edge=QColor("#fff0a8"),
    pointwise_fill=QColor("#ef93bb"),
    pointwise_edge=QColor("#ffd0e4"),
    glow=QColor("#ff922b"),
    selection=QColor("#00e5ff"),
    pending_strip=QColor("#44464e"),
    panel_fill=QColor("#33302a"),
)

THEMES = {"light": LIGHT, "dark": DARK}


def theme_named(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; choose {' or '.join(THEMES)}") from None
