"""The Export dialog's form: file, format, view, size (or a preset), frame rate, step range or the
still's position, frames per step, phases, caption, transparency, walk-through and zoom. It turns
the choices into :class:`ExportOptions` and says which choices apply to the chosen format."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..document import ExplorerDocument
from ..export.options import (
    ANIMATIONS,
    DESCRIPTIONS,
    FOLDER,
    FORMATS,
    PRESETS,
    STILLS,
    TRACES,
    ExportError,
    ExportOptions,
    detect_format,
)
from ..export.registry import views
from . import export_settings

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
PRESET_PREFIX = "preset:"  # size-list entries that are presets carry this before the preset's name
#: The views drawn by the diagram scene: the walk-through and the window's zoom apply to them.
DIAGRAM_VIEWS = ("diagram", "diagram-backward")


class ExportForm(QWidget):
    """The choices; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(
        self,
        document: ExplorerDocument,
        parent: QWidget | None = None,
        *,
        theme: str = "light",
        folder: str | Path | None = None,
        walkthrough: bool = False,
        region: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__(parent)
        trace = document.trace
        if trace is None:
            raise ExportError("there is nothing to export yet: enter a sequence first")
        self.theme = theme
        self.region = region
        layer, reverse = document.layer
        model = document.model.name if document.model is not None else ""
        self.meta: dict[str, object] = {"model": model, "cell": trace.graph.kind, "layer": layer, "reverse": reverse}
        self.tokens = tuple(document.shown_tokens)
        self.shown = shown = document.playback.state  # what the window shows: a still's default
        self.confirmed_path = ""  # a path the file chooser already asked to replace
        last = max(trace.steps - 1, 0)

        stem = re.sub(r"[^\w-]+", "-", model or "lstm").strip("-") or "lstm"
        self.path_edit = QLineEdit(str(Path(folder or Path.home()) / f"{stem}.mp4"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = _row(self.path_edit, browse, stretch=self.path_edit)

        self.format_combo = QComboBox()
        for fmt, _ in CHOICES:
            self.format_combo.addItem(DESCRIPTIONS[fmt], fmt)
        self.view_combo = QComboBox()
        for view in views():
            self.view_combo.addItem(view.label, view.name)
        self.size_combo = QComboBox()
        for preset in PRESETS.values():
            self.size_combo.addItem(preset.label, PRESET_PREFIX + preset.name)
        for w, h in SIZES:
            self.size_combo.addItem(f"{w} × {h}", f"{w}x{h}")  # strings: Qt's findData compares them
        self.size_combo.addItem("Custom", "")
        self.width_spin = _spin(16, 7680, 1280, step=2)
        self.height_spin = _spin(16, 4320, 720, step=2)
        self.fps_spin = _spin(1, 120, 30, suffix=" frames/s")
        self.first_spin = _spin(0, last, 0)
        self.last_spin = _spin(0, last, last)
        self.still_step_spin = _spin(0, last, min(shown.t, last), prefix="t = ")
        self.still_phase_combo = QComboBox()
        phases = trace.graph.phases
        for k, phase in enumerate(phases):
            self.still_phase_combo.addItem(f"phase {k + 1}/{len(phases)}: {phase.title}", k)
        self.still_phase_combo.setCurrentIndex(min(shown.phase, len(phases) - 1))
        self.frames_spin = _spin(1, 600, 30)
        self.phases_check = _check("Walk through the phases of each step", True)
        self.caption_check = _check("Caption: model, t = N, input and phase under each frame", True)
        self.transparent_check = _check("Transparent background (WebM, PNG, SVG, PDF)", False)
        self.walkthrough_check = _check("Explain each phase on the diagram", walkthrough)
        self.zoom_check = _check("Diagram as zoomed in the window", region is not None)
        self.zoom_check.setVisible(region is not None)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("File", path_row)
        form.addRow("Format", self.format_combo)
        form.addRow("View", self.view_combo)
        form.addRow("Size", _row(self.size_combo, self.width_spin, QLabel("×"), self.height_spin))
        form.addRow("Frame rate", self.fps_spin)
        form.addRow(
            "Steps", _row(self.first_spin, QLabel("to"), self.last_spin, QLabel(f"of {trace.steps} (0 to {last})"))
        )
        form.addRow("Still", _row(self.still_step_spin, self.still_phase_combo, stretch=self.still_phase_combo))
        form.addRow("Frames per step", self.frames_spin)
        for check in (self.phases_check, self.caption_check, self.transparent_check, self.walkthrough_check):
            form.addRow("", check)
        form.addRow("", self.zoom_check)

        self.path_edit.textEdited.connect(self._on_path_edited)
        self.format_combo.currentIndexChanged.connect(self._on_format_chosen)
        self.size_combo.currentIndexChanged.connect(self._on_size_preset)
        for spin in (self.width_spin, self.height_spin):
            spin.valueChanged.connect(self._on_size_typed)
        for spin in (self.fps_spin, self.first_spin, self.last_spin, self.frames_spin, self.still_step_spin):
            spin.valueChanged.connect(self.changed)
        checks = (
            self.phases_check,
            self.caption_check,
            self.transparent_check,
            self.walkthrough_check,
            self.zoom_check,
        )
        for check in checks:
            check.toggled.connect(self.changed)
        self.view_combo.currentIndexChanged.connect(self.changed)
        self.still_phase_combo.currentIndexChanged.connect(self.changed)
        self._sync_size_list()

    # -- the choices -----------------------------------------------------------------------------
    @property
    def format(self) -> str:
        return str(self.format_combo.currentData())

    def options(self) -> ExportOptions:
        """The options as chosen; ``export`` checks them."""
        fmt = self.format
        out = self.path_edit.text().strip()
        if fmt == FOLDER and not out.endswith("/"):
            out += "/"
        still_at = self.still_position() if fmt in STILLS else None
        steps = (still_at[0], still_at[0] + 1) if still_at else (self.first_spin.value(), self.last_spin.value() + 1)
        view = self.view_combo.currentData()
        return ExportOptions(
            out=out,
            view=view,
            size=(self.width_spin.value(), self.height_spin.value()),
            fps=float(self.fps_spin.value()),
            steps=steps,
            frames_per_step=self.frames_spin.value(),
            phases=self.phases_check.isChecked(),
            transparent=self.transparent_check.isChecked(),
            theme=self.theme,
            selected=self.shown.selected,
            walkthrough=self.walkthrough_check.isChecked(),
            tokens=self.tokens,
            format=fmt,
            meta=self.meta,
            caption=self.caption_check.isChecked(),
            still_at=still_at,
            region=self.region if self.zoom_check.isChecked() and view in DIAGRAM_VIEWS else None,
        )

    def still_position(self) -> tuple[int, int, float]:
        """The still's (t, phase, progress): the window's own position until another is chosen."""
        t, phase = self.still_step_spin.value(), int(self.still_phase_combo.currentData())
        shown = self.shown
        return t, phase, shown.progress if (t, phase) == (shown.t, shown.phase) else 1.0

    def enable_for(self, options: ExportOptions) -> None:
        """Enable the choices that apply to the options' format and view."""
        fmt = options.format or ""
        animated, drawn, still = fmt in ANIMATIONS, fmt not in TRACES, fmt in STILLS
        diagram = drawn and options.view in DIAGRAM_VIEWS
        enabled: dict[QWidget, bool] = {
            self.fps_spin: animated,
            self.frames_spin: animated,
            self.phases_check: animated,
            self.first_spin: not still,
            self.last_spin: not still,
            self.still_step_spin: still,
            self.still_phase_combo: still,
            self.caption_check: drawn,
            self.transparent_check: fmt in ("webm", FOLDER, "png", "svg", "pdf"),
            self.walkthrough_check: diagram,
            self.zoom_check: diagram,
        }
        picture: tuple[QWidget, ...] = (self.view_combo, self.size_combo, self.width_spin, self.height_spin)
        enabled.update(dict.fromkeys(picture, drawn))
        for widget, on in enabled.items():
            widget.setEnabled(on)

    def remembered(self) -> export_settings.RememberedExport:
        return export_settings.RememberedExport(
            format=self.format,
            view=str(self.view_combo.currentData()),
            width=self.width_spin.value(),
            height=self.height_spin.value(),
            fps=self.fps_spin.value(),
            frames_per_step=self.frames_spin.value(),
            phases=self.phases_check.isChecked(),
            caption=self.caption_check.isChecked(),
            transparent=self.transparent_check.isChecked(),
        )

    def restore(self, remembered: export_settings.RememberedExport) -> None:
        """Choices remembered from an earlier opening (unknown formats or views are skipped)."""
        if self.format_combo.findData(remembered.format) >= 0:
            self.set_format(remembered.format)
        view = self.view_combo.findData(remembered.view)
        if view >= 0:
            self.view_combo.setCurrentIndex(view)
        self.set_size(remembered.width, remembered.height)
        self.fps_spin.setValue(remembered.fps)
        self.frames_spin.setValue(remembered.frames_per_step)
        self.phases_check.setChecked(remembered.phases)
        self.caption_check.setChecked(remembered.caption)
        self.transparent_check.setChecked(remembered.transparent)
        self._sync_size_list()

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
            self.confirmed_path = chosen  # the file chooser itself asks before choosing an existing file
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
        self.changed.emit()

    def _on_format_chosen(self) -> None:
        fmt = self.format
        text = self.path_edit.text().strip().rstrip("/")
        path = Path(text) if text else Path.home() / "lstm"
        ext = dict(CHOICES)[fmt]
        base = path.with_suffix("") if path.suffix.lower() in FORMATS else path
        self.path_edit.setText(str(base) + "/" if ext == "/" else str(base.with_suffix(ext)))
        self.changed.emit()

    def _on_size_preset(self) -> None:
        data = str(self.size_combo.currentData() or "")
        if data.startswith(PRESET_PREFIX):
            preset = PRESETS[data.removeprefix(PRESET_PREFIX)]
            size = list(preset.size)
            if preset.fps:
                self.fps_spin.setValue(round(preset.fps))
        else:
            size = [int(v) for v in data.split("x")] if data else []
        for spin, value in zip((self.width_spin, self.height_spin), size, strict=False):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.changed.emit()

    def _on_size_typed(self) -> None:
        self._sync_size_list()
        self.changed.emit()

    def _sync_size_list(self) -> None:
        """Show the size list's entry for the typed size: the chosen preset while it still
        applies, else a plain size, else a preset of that size (square, 9:16), else Custom."""
        size = (self.width_spin.value(), self.height_spin.value())
        current = str(self.size_combo.currentData() or "")
        preset = PRESETS.get(current.removeprefix(PRESET_PREFIX)) if current.startswith(PRESET_PREFIX) else None
        if preset is not None and preset.size == size:
            return
        index = self.size_combo.findData(f"{size[0]}x{size[1]}")
        if index < 0:
            same = [p.name for p in PRESETS.values() if p.size == size]
            index = self.size_combo.findData(PRESET_PREFIX + same[0]) if same else self.size_combo.count() - 1
        self.size_combo.blockSignals(True)
        self.size_combo.setCurrentIndex(index)
        self.size_combo.blockSignals(False)


def _spin(low: int, high: int, value: int, *, step: int = 1, suffix: str = "", prefix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setPrefix(prefix)
    return spin


def _check(text: str, checked: bool) -> QCheckBox:
    check = QCheckBox(text)
    check.setChecked(checked)
    return check


def _row(*widgets: QWidget, stretch: QWidget | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget, 1 if widget is stretch else 0)
    return row
