"""File → Export…: choose format, size, frame rate, steps, frames per step, view, phases and
transparency, see a preview, and export with a progress dialog that can cancel.

The dialog only gathers options and shows progress: the work is :func:`export`, the same function
``lstm-explorer export`` calls. Export runs on the GUI thread in slices (the views are widgets),
processing events after every frame so the window stays responsive and Cancel is heard.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..document import ExplorerDocument
from ..export.export import export
from ..export.frames import FrameClock, FrameSource, still_state
from ..export.options import (
    ANIMATIONS,
    DESCRIPTIONS,
    FOLDER,
    FORMATS,
    STILLS,
    TRACES,
    ExportCancelled,
    ExportError,
    ExportOptions,
    ExportResult,
    check_options,
    check_steps,
    detect_format,
)
from ..export.registry import view_source, views
from ..playback import PlaybackState

#: Format choices in the order the dialog lists them: (format name, extension or "/" for a folder).
CHOICES: tuple[tuple[str, str], ...] = (
    ("mp4", ".mp4"),
    ("webm", ".webm"),
    ("gif", ".gif"),
    (FOLDER, "/"),
    ("png", ".png"),
    ("svg", ".svg"),
    ("pdf", ".pdf"),
    ("csv", ".csv"),
    ("npz", ".npz"),
    ("json", ".json"),
)
SIZES = ((1280, 720), (1920, 1080), (960, 540), (640, 360), (3840, 2160))
PREVIEW = QSize(384, 216)


class ExportDialog(QDialog):
    """Options for :func:`export`, a preview of the frames, and the export itself."""

    exported = Signal(object)  # ExportResult

    def __init__(
        self,
        document: ExplorerDocument,
        parent: QWidget | None = None,
        *,
        theme: str = "light",
        folder: str | Path | None = None,
        walkthrough: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        if document.trace is None:
            raise ExportError("there is nothing to export yet: enter a sequence first")
        self.document = document
        self.trace = trace = document.trace
        self.theme = theme
        layer, reverse = document.layer
        model = document.model.name if document.model is not None else ""
        self.meta: dict[str, object] = {"model": model, "cell": trace.graph.kind, "layer": layer, "reverse": reverse}
        self.tokens = tuple(document.shown_tokens)
        self.last_result: ExportResult | None = None
        self._selected = document.playback.selected
        self._preview_source: FrameSource | None = None
        self._preview_key: tuple[object, ...] | None = None
        self._progress: QProgressDialog | None = None
        self._exporting = False
        steps = trace.steps

        stem = re.sub(r"[^\w-]+", "-", str(self.meta.get("model") or "lstm")).strip("-") or "lstm"
        self.path_edit = QLineEdit(str(Path(folder or Path.home()) / f"{stem}.mp4"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.format_combo = QComboBox()
        for fmt, _ in CHOICES:
            self.format_combo.addItem(DESCRIPTIONS[fmt], fmt)
        self.view_combo = QComboBox()
        for view in views():
            self.view_combo.addItem(view.label, view.name)

        self.size_combo = QComboBox()
        for w, h in SIZES:
            self.size_combo.addItem(f"{w} × {h}", f"{w}x{h}")  # strings: Qt's findData compares them
        self.size_combo.addItem("Custom", "")
        self.width_spin = _spin(16, 7680, 1280, step=2)
        self.height_spin = _spin(16, 4320, 720, step=2)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_combo)
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_spin)

        self.fps_spin = _spin(1, 120, 30, suffix=" frames/s")
        self.first_spin = _spin(0, max(steps - 1, 0), 0)
        self.last_spin = _spin(0, max(steps - 1, 0), max(steps - 1, 0))
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.first_spin)
        steps_row.addWidget(QLabel("to"))
        steps_row.addWidget(self.last_spin)
        steps_row.addWidget(QLabel(f"of {steps} (0 to {max(steps - 1, 0)})"))
        self.frames_spin = _spin(1, 600, 30)
        self.phases_check = QCheckBox("Walk through the phases of each step")
        self.phases_check.setChecked(True)
        self.transparent_check = QCheckBox("Transparent background (WebM, PNG, SVG, PDF)")
        self.walkthrough_check = QCheckBox("Explain each phase on the diagram")
        self.walkthrough_check.setChecked(walkthrough)

        form = QFormLayout()
        form.addRow("File", path_row)
        form.addRow("Format", self.format_combo)
        form.addRow("View", self.view_combo)
        form.addRow("Size", size_row)
        form.addRow("Frame rate", self.fps_spin)
        form.addRow("Steps", steps_row)
        form.addRow("Frames per step", self.frames_spin)
        form.addRow("", self.phases_check)
        form.addRow("", self.transparent_check)
        form.addRow("", self.walkthrough_check)

        self.preview = QLabel()
        self.preview.setObjectName("exportPreview")
        self.preview.setFixedSize(PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("QLabel#exportPreview { background: #808080; }")
        self.preview_slider = QSlider(Qt.Orientation.Horizontal)
        self.preview_slider.setObjectName("exportPreviewSlider")
        self.preview_label = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)

        preview_box = QVBoxLayout()
        preview_box.addWidget(self.preview)
        preview_box.addWidget(self.preview_slider)
        preview_box.addWidget(self.preview_label)
        preview_box.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addLayout(preview_box)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.summary)
        outer.addWidget(self.buttons)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(60)
        self._preview_timer.timeout.connect(self._update_preview)

        self.path_edit.textEdited.connect(self._on_path_edited)
        self.format_combo.currentIndexChanged.connect(self._on_format_chosen)
        self.size_combo.currentIndexChanged.connect(self._on_size_preset)
        for spin in (self.width_spin, self.height_spin):
            spin.valueChanged.connect(self._on_size_typed)
        for spin in (self.fps_spin, self.first_spin, self.last_spin, self.frames_spin):
            spin.valueChanged.connect(self._refresh)
        for check in (self.phases_check, self.transparent_check, self.walkthrough_check):
            check.toggled.connect(self._refresh)
        self.view_combo.currentIndexChanged.connect(self._refresh)
        self.preview_slider.valueChanged.connect(self._schedule_preview)
        self._refresh()

    # -- options ---------------------------------------------------------------------------------
    @property
    def format(self) -> str:
        return str(self.format_combo.currentData())

    def options(self) -> ExportOptions:
        """The options as chosen; ``export`` checks them."""
        fmt = self.format
        out = self.path_edit.text().strip()
        if fmt == FOLDER and not out.endswith("/"):
            out += "/"
        return ExportOptions(
            out=out,
            view=self.view_combo.currentData(),
            size=(self.width_spin.value(), self.height_spin.value()),
            fps=float(self.fps_spin.value()),
            steps=(self.first_spin.value(), self.last_spin.value() + 1),
            frames_per_step=self.frames_spin.value(),
            phases=self.phases_check.isChecked(),
            transparent=self.transparent_check.isChecked(),
            theme=self.theme,
            selected=self._selected,
            walkthrough=self.walkthrough_check.isChecked(),
            tokens=self.tokens,
            format=fmt,
            meta=self.meta,
        )

    def set_format(self, fmt: str) -> None:
        index = self.format_combo.findData(fmt)
        if index < 0:
            raise ValueError(f"unknown format {fmt!r}")
        self.format_combo.setCurrentIndex(index)

    def set_size(self, width: int, height: int) -> None:
        self.width_spin.setValue(width)
        self.height_spin.setValue(height)

    def set_path(self, path: str) -> None:
        self.path_edit.setText(path)
        self._on_path_edited(path)

    # -- reacting --------------------------------------------------------------------------------
    def _browse(self) -> None:
        fmt = self.format
        current = self.path_edit.text().strip()
        if fmt == FOLDER:
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the PNG frames", current)
            if chosen:
                self.set_path(chosen.rstrip("/") + "/")
            return
        ext = dict(CHOICES)[fmt]
        chosen, _ = QFileDialog.getSaveFileName(self, "Export to", current, f"{DESCRIPTIONS[fmt]} (*{ext})")
        if chosen:
            self.set_path(chosen)

    def _on_path_edited(self, text: str) -> None:
        try:
            fmt = detect_format(text.strip())
        except ExportError:
            return
        if fmt != self.format:
            self.format_combo.blockSignals(True)
            self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))
            self.format_combo.blockSignals(False)
        self._refresh()

    def _on_format_chosen(self) -> None:
        fmt = self.format
        text = self.path_edit.text().strip().rstrip("/")
        path = Path(text) if text else Path.home() / "lstm"
        ext = dict(CHOICES)[fmt]
        base = path.with_suffix("") if path.suffix.lower() in FORMATS else path
        self.path_edit.setText(str(base) + "/" if ext == "/" else str(base.with_suffix(ext)))
        self._refresh()

    def _on_size_preset(self) -> None:
        data = self.size_combo.currentData()
        if data:
            size = [int(v) for v in str(data).split("x")]
            for spin, value in zip((self.width_spin, self.height_spin), size, strict=True):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        self._refresh()

    def _on_size_typed(self) -> None:
        index = self.size_combo.findData(f"{self.width_spin.value()}x{self.height_spin.value()}")
        self.size_combo.blockSignals(True)
        self.size_combo.setCurrentIndex(index if index >= 0 else self.size_combo.count() - 1)
        self.size_combo.blockSignals(False)
        self._refresh()

    def _clock(self, options: ExportOptions) -> FrameClock | None:
        try:
            start, stop = check_steps(options.steps or (0, self.trace.steps), self.trace.steps)
        except ExportError:
            return None
        phases = len(self.trace.graph.phases)
        return FrameClock(
            start, stop, options.frames_per_step, phases, options.phases, options.selected, self.trace.steps
        )

    def _refresh(self) -> None:
        """Enable what applies to the format, summarise, and say what is wrong before Export."""
        options = self.options()
        fmt = options.format or ""
        animated, drawn = fmt in ANIMATIONS, fmt not in TRACES
        animation_widgets: tuple[QWidget, ...] = (self.fps_spin, self.frames_spin, self.phases_check)
        for widget in animation_widgets:
            widget.setEnabled(animated)
        picture_widgets: tuple[QWidget, ...] = (self.view_combo, self.size_combo, self.width_spin, self.height_spin)
        for widget in picture_widgets:
            widget.setEnabled(drawn)
        self.transparent_check.setEnabled(fmt in ("webm", FOLDER, "png", "svg", "pdf"))
        self.walkthrough_check.setEnabled(drawn and options.view == "diagram")
        problem = ""
        try:
            check_options(options, fmt)
            check_steps(options.steps or (0, self.trace.steps), self.trace.steps)
        except ExportError as exc:
            problem = str(exc)
        clock = self._clock(options)
        if problem or clock is None:
            text = f"<span style='color:#c92a2a'>{problem or 'empty step range'}</span>"
        elif animated:
            seconds = clock.total / options.fps
            count = clock.stop - clock.start
            text = f"{clock.total} frames ({count} steps × {options.frames_per_step}), {seconds:.1f} s"
        elif fmt in STILLS:
            text = f"One picture of step {clock.stop - 1}, complete."
        else:
            text = f"Every node's value at steps {clock.start} to {clock.stop - 1}."
        self.summary.setText(text)
        self.export_button.setEnabled(not problem and clock is not None)
        frames = clock.total if (clock is not None and animated) else 1
        self.preview_slider.blockSignals(True)
        self.preview_slider.setRange(0, max(frames - 1, 0))
        self.preview_slider.setValue(frames - 1 if not animated else min(self.preview_slider.value(), frames - 1))
        self.preview_slider.blockSignals(False)
        self.preview_slider.setEnabled(animated and frames > 1)
        self._schedule_preview()

    def _schedule_preview(self) -> None:
        if not self._exporting:  # the export moves the views itself; the preview waits
            self._preview_timer.start()

    def preview_state(self) -> PlaybackState | None:
        options = self.options()
        clock = self._clock(options)
        if clock is None:
            return None
        if options.format in ANIMATIONS:
            return clock.state(min(self.preview_slider.value(), clock.total - 1))
        return still_state(self.trace, clock.stop - 1, options.selected)

    def _update_preview(self) -> None:
        """Draw the frame at the slider with the same source and size the export will use."""
        if self._exporting:
            return
        options = self.options()
        state = self.preview_state()
        if options.format in TRACES or state is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("(no picture: data)" if state is not None else "")
            self.preview_label.setText("")
            return
        key = (options.view, options.size, options.transparent, options.theme, options.walkthrough)
        try:
            if self._preview_source is None or key != self._preview_key:
                self._close_preview_source()
                self._preview_source = view_source(self.document, options)
                self._preview_key = key
            image = self._preview_source.render(state)
        except ExportError as exc:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(str(exc))
            return
        pixmap = QPixmap.fromImage(image).scaled(
            PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.preview.setPixmap(pixmap)
        phase = state.phase + 1
        self.preview_label.setText(f"step {state.t}, phase {phase}/{state.phases}, {state.progress:.0%}")

    def _close_preview_source(self) -> None:
        if self._preview_source is not None:
            self._preview_source.close()
            self._preview_source = None

    # -- exporting -------------------------------------------------------------------------------
    def _on_progress(self, done: int, total: int) -> bool:
        dialog = self._progress
        if dialog is None:
            return True
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))
        if done:
            elapsed = time.perf_counter() - self._started
            rate = done / elapsed if elapsed > 0 else 0.0
            dialog.setLabelText(f"Exporting frame {done} of {total} ({rate:.0f} frames/s)…")
        QApplication.processEvents()
        return not dialog.wasCanceled()

    def run_export(self) -> ExportResult | None:
        """Export with a progress dialog; errors are shown, not raised. Returns the result or None."""
        options = self.options()
        self._preview_timer.stop()
        self._close_preview_source()  # the export draws with a fresh source of its own
        self._exporting = True
        self._progress = QProgressDialog("Preparing…", "Cancel", 0, 1, self)
        self._progress.setObjectName("exportProgress")
        self._progress.setWindowTitle("Exporting")
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._started = time.perf_counter()
        try:
            try:
                result = export(self.document, options, self._on_progress)
            finally:
                self._exporting = False
        except ExportCancelled:
            self._finish_progress()
            self.summary.setText("Export cancelled; nothing was written.")
            self._schedule_preview()
            return None
        except ExportError as exc:
            self._finish_progress()
            box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", str(exc), QMessageBox.StandardButton.Ok, self)
            box.setObjectName("exportError")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # window-modal, without a nested event loop
            self.summary.setText(f"<span style='color:#c92a2a'>{exc}</span>")
            self._schedule_preview()
            return None
        except BaseException:
            self._finish_progress()  # an unexpected error: the app's error dialog takes over
            raise
        self._finish_progress()
        self.last_result = result
        self.exported.emit(result)
        self.accept()
        return result

    def _finish_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def done(self, code: int) -> None:
        self._preview_timer.stop()
        self._close_preview_source()
        super().done(code)


def _spin(low: int, high: int, value: int, *, step: int = 1, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    if suffix:
        spin.setSuffix(suffix)
    return spin
