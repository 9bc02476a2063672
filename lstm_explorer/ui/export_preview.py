"""The Export dialog's preview: the frame at a slider position, drawn by the same frame source (view,
size, theme, caption) the export will use, scaled down."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QSlider, QVBoxLayout, QWidget

from ..document import ExplorerDocument
from ..export.frames import FrameSource
from ..export.options import ExportError, ExportOptions
from ..export.registry import view_source
from ..playback import FORWARD, PlaybackState, Walk

PREVIEW = QSize(384, 216)


class ExportPreview(QWidget):
    """A picture, a slider over the animation's frames and a line saying which position it shows.
    The frame source is kept while the options that shape it stay the same."""

    def __init__(self, document: ExplorerDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._source: FrameSource | None = None
        self._key: tuple[object, ...] | None = None
        self.picture = QLabel()
        self.picture.setObjectName("exportPreview")
        self.picture.setFixedSize(PREVIEW)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet("QLabel#exportPreview { background: #808080; }")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("exportPreviewSlider")
        self.label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture)
        layout.addWidget(self.slider)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def set_frames(self, count: int, *, animated: bool) -> None:
        """Range the slider over ``count`` frames (a still: one, the slider disabled)."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(count - 1, 0))
        self.slider.setValue(min(self.slider.value(), count - 1) if animated else count - 1)
        self.slider.blockSignals(False)
        self.slider.setEnabled(animated and count > 1)

    def clear(self, text: str = "") -> None:
        self.picture.setPixmap(QPixmap())
        self.picture.setText(text)
        self.label.setText("")

    def source(self, options: ExportOptions) -> FrameSource:
        """The frame source the export will use (kept while the options that shape it stay)."""
        key = (
            options.view,
            options.size,
            options.transparent,
            options.theme,
            options.walkthrough,
            options.caption,
            options.region,
            options.steps,
        )
        if self._source is None or key != self._key:
            self.close_source()
            self._source = view_source(self.document, options)
            self._key = key
        return self._source

    def walk(self, options: ExportOptions) -> Walk:
        """The order the export visits the steps in (the backward diagram's: back from its target)."""
        try:
            return getattr(self.source(options), "walk", FORWARD)
        except ExportError:
            return FORWARD

    def show_frame(self, options: ExportOptions, state: PlaybackState) -> None:
        try:
            image = self.source(options).render(state)
        except ExportError as exc:
            self.clear(str(exc))
            return
        pixmap = QPixmap.fromImage(image).scaled(
            PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.picture.setPixmap(pixmap)
        self.label.setText(f"t = {state.t}, phase {state.phase + 1}/{state.phases}, {state.progress:.0%}")

    def close_source(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None
            self._key = None
