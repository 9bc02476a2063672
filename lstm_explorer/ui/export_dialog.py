"""File → Export…: choose format, size (or a preset), frame rate, steps, frames per step, view,
phases, caption and transparency (:mod:`.export_form`), see a preview (:mod:`.export_preview`), and
export with a progress dialog that can cancel.

It opens on what the window shows: a still is the current step and phase, the diagram the window's
zoom, theme and selection. It asks before replacing a file and remembers its choices in the
window's QSettings (:mod:`.export_settings`).

The dialog only gathers options and shows progress: the work is :func:`export`, the same function
``lstm-explorer export`` calls. Rendered formats run on the GUI thread in slices (the views are
widgets), processing events after every frame so the window stays responsive and Cancel is heard;
data formats (CSV, NPZ, JSON) need no Qt and are written on a worker thread (:mod:`.export_worker`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from ..document import ExplorerDocument
from ..export.export import export
from ..export.frames import FrameClock, still_position
from ..export.options import (
    ANIMATIONS,
    STILLS,
    TRACES,
    ExportCancelled,
    ExportError,
    ExportOptions,
    ExportResult,
    check_options,
    check_steps,
    would_replace,
)
from ..export.registry import views
from ..playback import FORWARD, PlaybackState
from . import export_settings
from .export_form import ExportForm
from .export_preview import ExportPreview
from .export_worker import DataExport


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
        settings: QSettings | None = None,
        region: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        if document.trace is None:
            raise ExportError("there is nothing to export yet: enter a sequence first")
        self.document = document
        self.trace = document.trace
        self.settings = settings
        self.last_result: ExportResult | None = None
        self._progress: QProgressDialog | None = None
        self._exporting = False
        self.data_export: DataExport | None = None
        #: The result code to close with once the rendered export under way has stopped.
        self._close_when_stopped: int | None = None
        if parent is not None:  # the window closing (Quit, a signal) closes this dialog first
            parent.installEventFilter(self)

        self.form = ExportForm(document, theme=theme, folder=folder, walkthrough=walkthrough, region=region)
        self.preview = ExportPreview(document)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.form, 1)
        top.addWidget(self.preview)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.summary)
        outer.addWidget(self.buttons)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(60)
        self._preview_timer.timeout.connect(self._update_preview)
        threading.Thread(target=_ready_encoders, name="export-warm-up", daemon=True).start()
        self.form.restore(export_settings.load(settings))
        self.form.changed.connect(self._refresh)
        self.preview.slider.valueChanged.connect(self._schedule_preview)
        self._refresh()

    def options(self) -> ExportOptions:
        return self.form.options()

    def _clock(self, options: ExportOptions) -> FrameClock | None:
        try:
            start, stop = check_steps(options.steps or (0, self.trace.steps), self.trace.steps)
        except ExportError:
            return None
        phases = len(self.trace.graph.phases)
        view = next((v for v in views() if v.name == options.view), None)
        walk = self.preview.walk(options) if view is not None and view.walks_back else FORWARD
        try:
            return FrameClock(
                start, stop, options.frames_per_step, phases, options.phases, options.selected, self.trace.steps, walk
            )
        except ValueError:  # the backward diagram's target before the steps: the export says so
            return None

    def _refresh(self) -> None:
        """Enable what applies to the format, summarise, and say what is wrong before Export."""
        options = self.options()
        fmt = options.format or ""
        self.form.enable_for(options)
        problem = ""
        try:
            check_options(options, fmt)
            check_steps(options.steps or (0, self.trace.steps), self.trace.steps)
        except ExportError as exc:
            problem = str(exc)
        clock = self._clock(options)
        animated = fmt in ANIMATIONS
        if problem or clock is None:
            text = f"<span style='color:#c92a2a'>{problem or 'empty step range'}</span>"
        elif animated:
            seconds = clock.total / options.fps
            count = clock.total // options.frames_per_step
            text = f"{clock.total} frames ({count} steps × {options.frames_per_step}), {seconds:.1f} s"
            if clock.walk.backward:
                text += f", back in time from t = {clock.first}"
        elif fmt in STILLS:
            text = f"One picture at t = {clock.start}, {self.form.still_phase_combo.currentText()}."
        else:
            text = f"Every node's value at steps {clock.start} to {clock.stop - 1}."
        self.summary.setText(text)
        self.export_button.setEnabled(not problem and clock is not None)
        self.preview.set_frames(clock.total if (clock is not None and animated) else 1, animated=animated)
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
            return clock.state(min(self.preview.slider.value(), clock.total - 1))
        try:
            return still_position(self.trace, options)
        except ExportError:
            return None

    def _update_preview(self) -> None:
        """Draw the frame at the slider with the same source and size the export will use."""
        if self._exporting:
            return
        options = self.options()
        state = self.preview_state()
        if options.format in TRACES or state is None:
            self.preview.clear("(no picture: data)" if state is not None else "")
            return
        self.preview.show_frame(options, state)

    # -- exporting -------------------------------------------------------------------------------
    def _on_progress(self, done: int, total: int, rows: bool = False) -> bool:
        """Progress of a rendered export (frames; events are processed here, between frames) or
        of a data export (``rows``: reported from the worker, the event loop runs anyway)."""
        dialog = self._progress
        if dialog is None:
            return True
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))  # a modal progress dialog processes events here
        if self._progress is not dialog:
            return True  # the export ended meanwhile (a data export's result arrived)
        if done:
            elapsed = time.perf_counter() - self._started
            rate = done / elapsed if elapsed > 0 else 0.0
            what = "row" if rows else "frame"
            dialog.setLabelText(f"Exporting {what} {done} of {total} ({rate:.0f} {what}s/s)…")
        if not rows:
            QApplication.processEvents()
        elif dialog.wasCanceled() and self.data_export is not None:
            self.data_export.cancel()  # cancelled by a key or close rather than the button
        return not dialog.wasCanceled()

    def confirm_replace(self, options: ExportOptions) -> bool:
        """Ask before replacing an existing file or folder of frames (unless the file chooser
        already asked about this very path)."""
        existing = would_replace(options.out)
        if existing is None or str(existing) == self.form.confirmed_path:
            return True
        what = "folder of frames" if existing.is_dir() else "file"
        answer = QMessageBox.question(
            self,
            "Replace?",
            f"The {what} “{existing.name}” already exists in {existing.parent}.\nReplace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def run_export(self) -> ExportResult | None:
        """Export with a progress dialog; errors are shown, not raised. Returns the result, or None
        (not exported, or a data export that goes on on a worker thread: ``exported`` tells)."""
        options = self.options()
        if not self.confirm_replace(options):
            self.summary.setText("Not exported: choose another name, or answer Yes to replace the file.")
            return None
        self._preview_timer.stop()
        self.preview.close_source()  # the export draws with a fresh source of its own
        self._exporting = True
        self._progress = progress = QProgressDialog("Preparing…", "Cancel", 0, 1, self)
        progress.setObjectName("exportProgress")
        progress.setWindowTitle("Exporting")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self._started = time.perf_counter()
        if options.format in TRACES:
            self._export_data(options, progress)
            return None
        try:
            return self._export_rendered(options)
        finally:
            if self._close_when_stopped is not None:  # asked to close while drawing: now it can
                self.done(self._close_when_stopped)

    def _export_rendered(self, options: ExportOptions) -> ExportResult | None:
        """Draw on the GUI thread, processing events between frames (see :meth:`_on_progress`)."""
        try:
            try:
                result = export(self.document, options, self._on_progress)
            finally:
                self._exporting = False
        except ExportCancelled:
            self._on_cancelled()
            return None
        except ExportError as exc:
            self._on_failed(str(exc))
            return None
        except BaseException:
            self._finish_progress()  # an unexpected error: the app's error dialog takes over
            raise
        self._on_exported(result)
        return result

    def _export_data(self, options: ExportOptions, progress: QProgressDialog) -> None:
        """CSV, NPZ, JSON: written on a worker thread (no Qt needed), the dialog's progress and
        Cancel follow it without blocking the window."""
        job = self.data_export = DataExport(self)
        job.progress.connect(lambda done, total: self._on_progress(done, total, rows=True))
        job.finished.connect(self._on_exported)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        job.crashed.connect(self._finish_progress)
        for end in (job.finished, job.failed, job.cancelled, job.crashed):
            end.connect(self._data_export_ended)
        progress.canceled.connect(job.cancel)
        job.start(self.document, options)

    def _data_export_ended(self) -> None:
        self._exporting = False
        if self.data_export is not None:
            self.data_export.deleteLater()
            self.data_export = None

    def _on_cancelled(self) -> None:
        self._finish_progress()
        self.summary.setText("Export cancelled; nothing was written.")
        self._schedule_preview()

    def _on_failed(self, message: str) -> None:
        self._finish_progress()
        box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("exportError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, without a nested event loop
        self.summary.setText(f"<span style='color:#c92a2a'>{message}</span>")
        self._schedule_preview()

    def _on_exported(self, result: ExportResult) -> None:
        self._finish_progress()
        self.last_result = result
        self.exported.emit(result)
        self.accept()

    def _finish_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self.parent() and event.type() == QEvent.Type.Close:
            self.reject()  # an export under way is cancelled: its temporary files go, the target stays
        return False

    def done(self, code: int) -> None:
        if self._exporting and self.data_export is None and self._progress is not None:
            # Closed between two frames of a rendered export (this runs inside its event
            # processing): its next progress report stops it, and run_export closes the dialog.
            self._close_when_stopped = code
            self._progress.cancel()
            return
        self._close_when_stopped = None
        if self.data_export is not None:  # closed while writing (the app quits): stop, remove the temp file
            self.data_export.wait()
        self._preview_timer.stop()
        self.preview.close_source()
        export_settings.save(self.settings, self.form.remembered())
        super().done(code)


def _ready_encoders() -> None:
    """Import the encoders and find ffmpeg (it is run once to check it) off the GUI thread while
    the dialog is open: done by the first video export, they held the window ~40 ms."""
    from ..export import gif, writers  # noqa: F401 - imported for the import's sake

    with contextlib.suppress(RuntimeError):  # no ffmpeg: the export itself says so
        writers.ffmpeg_exe()
