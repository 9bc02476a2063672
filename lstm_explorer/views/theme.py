"""Light and dark themes: a Qt palette for the widgets and colours for the plots."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    text: str
    muted: str
    accent: str
    plot_background: str
    plot_foreground: str
    highlight: str  # the current step on strips
    cursor: str  # the time cursor on heatmaps and plots
    error: str


THEMES = {
    "light": Theme(
        "light",
        "#f3f3f1",
        "#ffffff",
        "#1d1d1f",
        "#6b6b70",
        "#0072B2",
        "#ffffff",
        "#333333",
        "#ffd54a",
        "#d62728",
        "#c0392b",
    ),
    "dark": Theme(
        "dark",
        "#232427",
        "#1b1c1f",
        "#e8e8ea",
        "#9a9aa2",
        "#56B4E9",
        "#1b1c1f",
        "#cfcfd4",
        "#b8860b",
        "#ff5f56",
        "#ff6b5e",
    ),
}
DEFAULT_THEME = "light"


def theme(name: str) -> Theme:
    return THEMES.get(name, THEMES[DEFAULT_THEME])


def apply_palette(app: QApplication, name: str) -> None:
    app.setStyle("Fusion")
    app.setPalette(make_palette(name))
    app.setStyleSheet(control_style(theme(name)))


def make_palette(name: str) -> QPalette:
    """The widgets' colours for a theme (the app's, or one exported board's)."""
    t = theme(name)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.base,
        QPalette.ColorRole.AlternateBase: t.window,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.window,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.ToolTipBase: t.base,
        QPalette.ColorRole.ToolTipText: t.text,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: t.muted,
        QPalette.ColorRole.Link: t.accent,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(t.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(t.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(t.muted))
    return palette


def control_style(t: Theme) -> str:
    """Check boxes and sliders drawn visibly in both themes. Fusion draws a check box in the
    palette's Base inside Window.darker(140), and a slider's groove and handle in shades of Window:
    on a dark window all are near black (measured: 30 and 111 of 765 RGB levels from the
    background), so an unticked box and the time slider were lost."""
    check = files("lstm_explorer.resources").joinpath("icons/check.svg")
    return (
        f"QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid {t.muted};"
        f" border-radius: 2px; background: {t.base}; }}"
        f"QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent};"
        f" image: url({check}); }}"
        f"QCheckBox::indicator:disabled {{ border-color: {t.window}; }}"
        f"QSlider::groove:horizontal {{ height: 4px; border-radius: 2px; background: {t.muted}; }}"
        f"QSlider::sub-page:horizontal {{ height: 4px; border-radius: 2px; background: {t.accent}; }}"
        f"QSlider::handle:horizontal {{ width: 14px; margin: -6px 0; border-radius: 7px;"
        f" background: {t.text}; border: 1px solid {t.muted}; }}"
    )
