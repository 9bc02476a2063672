"""Captions on exported frames: a band under the view that says which model, which step (``t = N``,
the number the transport shows), which input token and which phase of the step.

The font is 4.5% of the frame's height (32 px at 720p, digits 24 px high) and never under 4.2%
(digits at least 3% of the height, 22 px at 720p), so a frame projected in a lecture hall reads
from the back row. The band is painted with QPainter in
both ``render`` (a frame) and ``paint`` (SVG, PDF: the caption stays text).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from ..playback import FORWARD
from .frames import FrameSource
from .options import ExportError, ExportOptions

if TYPE_CHECKING:
    from ..document import ExplorerDocument
    from ..playback import PlaybackState
    from ..views.theme import Theme

FONT_FAMILY = "DejaVu Sans"
#: The font's pixel size as a share of the frame height; a digit is about 0.73 of it (DejaVu Sans).
TEXT_SHARE = 0.045
MIN_TEXT_SHARE = 0.042  # the smallest it may shrink to so that a long caption fits the width
MIN_TEXT_PX = 9  # tiny frames (thumbnails) still get legible pixels
LINE_HEIGHT = 1.3  # band height per line of text, in text sizes, plus half a text size of padding
SEPARATOR = "  ·  "
MAX_TOKEN_CHARS = 28  # a numeric input of many values is cut with "…"
_VISIBLE_WHITESPACE = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍"}


def token_label(token: str, *, text: bool) -> str:
    """How a caption names the input at a step: ``input ‘e’`` for a text token (whitespace made
    visible), ``x = 0.5, 1`` for a numeric row."""
    if text:
        shown = "".join(_VISIBLE_WHITESPACE.get(ch, ch) for ch in token)
        return f"input ‘{_cut(shown)}’"
    return f"x = {_cut(token)}"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TOKEN_CHARS else text[: MAX_TOKEN_CHARS - 1] + "…"


@dataclass(frozen=True)
class CaptionFacts:
    """What captions name, read once from the document: the model, the tokens in the order of
    the shown direction, and the cell's phase titles."""

    model: str
    tokens: tuple[str, ...]
    phases: tuple[str, ...]
    text_input: bool = True

    @classmethod
    def of(cls, document: ExplorerDocument) -> CaptionFacts:
        trace = document.trace
        if trace is None or document.model is None:
            raise ExportError("there is nothing to export yet: enter a sequence first")
        model = document.model
        net = model.network
        name = model.name
        layer, reverse = document.layer
        where = []
        if net.num_layers > 1:
            where.append(f"layer {layer + 1} of {net.num_layers}")
        if net.bidirectional:
            where.append("backward" if reverse else "forward")
        if where:
            name = f"{name} ({', '.join(where)})"
        if document.interventions:  # an ablated run must not pass for the model's own
            name = f"{name}, clamped {', '.join(item.describe() for item in document.interventions)}"
        phases = tuple(phase.title for phase in trace.graph.phases)
        return cls(name, tuple(document.shown_tokens), phases, bool(model.has_vocabulary))

    def parts(self, state: PlaybackState) -> tuple[str, ...]:
        """``("t = 3", "input ‘e’", "Forget gate", "char model")``: step, token, phase, model."""
        parts = [f"t = {state.t}"]
        if 0 <= state.t < len(self.tokens):
            parts.append(token_label(self.tokens[state.t], text=self.text_input))
        if 0 <= state.phase < len(self.phases):
            parts.append(self.phases[state.phase])
        if self.model:
            parts.append(self.model)
        return tuple(parts)

    def widest_parts(self, steps: int) -> tuple[str, ...]:
        """The longest caption the export can show (band size is fixed for the whole export)."""
        parts = [f"t = {max(steps - 1, 0)}"]
        if self.tokens:
            parts.append(max((token_label(tok, text=self.text_input) for tok in self.tokens), key=len))
        if self.phases:
            parts.append(max(self.phases, key=len))
        if self.model:
            parts.append(self.model)
        return tuple(parts)


#: Extra width of a space, in font sizes: "t = 3" reads as three words (to a person at the back
#: and to OCR) rather than "t=3".
WORD_SPACING = 0.3


def caption_font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setWordSpacing(WORD_SPACING * pixels)
    return font


def _lines(parts: tuple[str, ...], count: int) -> tuple[tuple[str, ...], ...]:
    """One line, or two: step and token above, phase and model below."""
    if count == 1 or len(parts) <= 2:
        return (parts,)
    return (parts[:2], parts[2:])


def _line_width(line: tuple[str, ...], pixels: int, *, first: bool) -> float:
    """Width of a line drawn as :meth:`CaptionBand.paint` draws it (the caption's first part, the
    step, bold)."""
    bold, regular = QFontMetricsF(caption_font(pixels, bold=True)), QFontMetricsF(caption_font(pixels))
    width = 0.0
    for k, part in enumerate(line):
        metrics = bold if first and k == 0 else regular
        width += metrics.horizontalAdvance(part) + (regular.horizontalAdvance(SEPARATOR) if k else 0.0)
    return width


@dataclass(frozen=True)
class CaptionLayout:
    pixels: int  # text size (the font's pixel size)
    lines: int  # 1, or 2 when one line would need a font under MIN_TEXT_SHARE of the frame height
    band: int  # band height in pixels

    @classmethod
    def fit(cls, widest: tuple[str, ...], size: tuple[int, int]) -> CaptionLayout:
        """The largest text from :data:`TEXT_SHARE` down to :data:`MIN_TEXT_SHARE` of the height
        with which ``widest`` fits the width on one line; else two lines (portrait frames); text
        that still overflows is elided."""
        w, h = size
        largest = max(MIN_TEXT_PX, round(TEXT_SHARE * h))
        smallest = max(MIN_TEXT_PX, math.ceil(MIN_TEXT_SHARE * h))
        pixels, count_chosen = smallest, 2
        for count in (1, 2):
            lines = _lines(widest, count)
            needed = max(_line_width(line, largest, first=row == 0) for row, line in enumerate(lines))
            room = w - 2 * _margin(largest)
            fitting = largest if needed <= room else math.floor(largest * room / max(needed, 1.0))
            if fitting >= smallest:
                pixels, count_chosen = min(fitting, largest), count
                break
        band = math.ceil(pixels * (LINE_HEIGHT * count_chosen + 0.5))
        return cls(pixels, count_chosen, band)


def _margin(pixels: int) -> float:
    return 0.6 * pixels


class CaptionBand:
    """Paints the caption of one position into a band (any painter: an image, SVG or PDF)."""

    def __init__(self, facts: CaptionFacts, layout: CaptionLayout, theme: Theme, *, transparent: bool) -> None:
        self.facts = facts
        self.layout = layout
        self.transparent = transparent
        self.background = QColor(theme.window)
        self.rule = QColor(theme.muted)
        self.text = QColor(theme.text)
        self.muted = QColor(theme.muted)

    def paint(self, painter: QPainter, band: QRectF, state: PlaybackState) -> None:
        layout = self.layout
        scale = band.height() / layout.band  # SVG/PDF targets may differ from the frame size
        pixels = max(1, round(layout.pixels * scale))
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            if not self.transparent:
                painter.fillRect(band, self.background)
            painter.setPen(QPen(self.rule, max(1.0, scale)))
            painter.drawLine(band.topLeft(), band.topRight())
            margin = _margin(pixels)
            line_height = band.height() / layout.lines
            regular, bold = caption_font(pixels), caption_font(pixels, bold=True)
            separator = QFontMetricsF(regular).horizontalAdvance(SEPARATOR)
            for row, line in enumerate(_lines(self.facts.parts(state), layout.lines)):
                baseline = band.top() + line_height * row + (line_height + 0.7 * pixels) / 2
                x, right = band.left() + margin, band.right() - margin
                for k, part in enumerate(line):
                    font = bold if row == 0 and k == 0 else regular
                    is_model = part == self.facts.model
                    if k:
                        painter.setFont(regular)
                        painter.setPen(self.muted)
                        painter.drawText(QPointF(x, baseline), SEPARATOR)
                        x += separator
                    metrics = QFontMetricsF(font)
                    shown = metrics.elidedText(part, Qt.TextElideMode.ElideRight, max(right - x, 0.0))
                    painter.setFont(font)
                    painter.setPen(self.muted if is_model else self.text)
                    painter.drawText(QPointF(x, baseline), shown)
                    x += metrics.horizontalAdvance(shown)
        finally:
            painter.restore()


class CaptionedFrames:
    """A view's frames with the caption band under them: the view draws into the frame minus the
    band (so nothing of it is covered), the band says where the frame is."""

    def __init__(self, inner: FrameSource, band: CaptionBand, size: tuple[int, int], *, transparent: bool) -> None:
        self.inner = inner
        self.band = band
        self.size = size
        self.transparent = transparent
        #: The order its frames are exported in (the inner view's: backward for diagram-backward).
        self.walk = getattr(inner, "walk", FORWARD)
        self._band_image: tuple[tuple[str, ...], QImage] | None = None

    def _band_at(self, state: PlaybackState) -> QImage:
        """The band as an image, drawn once per caption text (it changes per step and phase only)."""
        key = self.band.facts.parts(state)
        if self._band_image is None or self._band_image[0] != key:
            w, height = self.size[0], self.band.layout.band
            image = QImage(w, height, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            try:
                self.band.paint(painter, QRectF(0, 0, w, height), state)
            finally:
                painter.end()
            self._band_image = (key, image)
        return self._band_image[1]

    def render(self, state: PlaybackState) -> QImage:
        """The view painted straight into the frame above the band (no intermediate image to copy)."""
        w, h = self.size
        band = self.band.layout.band
        frame = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        frame.fill(Qt.GlobalColor.transparent)
        painter = QPainter(frame)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.inner.paint(painter, QRectF(0, 0, w, h - band), state)
            painter.drawImage(0, h - band, self._band_at(state))
        finally:
            painter.end()
        return frame

    def paint(self, painter: QPainter, target: QRectF, state: PlaybackState) -> None:
        band = target.height() * self.band.layout.band / self.size[1]
        self.inner.paint(painter, QRectF(target.left(), target.top(), target.width(), target.height() - band), state)
        self.band.paint(painter, QRectF(target.left(), target.bottom() - band, target.width(), band), state)

    def close(self) -> None:
        self.inner.close()


ViewFactory = Callable[["ExplorerDocument", ExportOptions], FrameSource]


#: A caption never takes more than this share of the frame: smaller frames (thumbnails under
#: about 70 px high) are exported without one.
MAX_BAND_SHARE = 0.25


def captioned(factory: ViewFactory, document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    """The view ``factory`` makes, drawn above a caption band; the view gets the frame minus the band."""
    from ..views.theme import THEMES

    if options.theme not in THEMES:
        raise ExportError(f"unknown theme {options.theme!r}; choose {' or '.join(THEMES)}")
    facts = CaptionFacts.of(document)
    if options.view == "diagram-backward":  # the phases walked in reverse, gradients flowing back
        facts = replace(facts, phases=tuple(f"← {title}" for title in reversed(facts.phases)))
    w, h = options.size
    layout = CaptionLayout.fit(facts.widest_parts(len(facts.tokens)), (w, h))
    if layout.band > MAX_BAND_SHARE * h:
        return factory(document, options)
    inner = factory(document, replace(options, size=(w, h - layout.band)))
    band = CaptionBand(facts, layout, THEMES[options.theme], transparent=options.transparent)
    return CaptionedFrames(inner, band, (w, h), transparent=options.transparent)
