"""The longest event-loop stall of every long-work case of the window (issue 14, class 6).

    QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_stalls.py [--quick] [--only NAME ...]

A 10 ms QTimer runs under the real event loop (``QEventLoop.exec``) while each case works; the
figure printed is the longest gap between two of its ticks, minus the 10 ms interval, i.e. how
long the window could not answer. Budget (DESIGN.md): no gap over 100 ms.

Cases: exporting a 100 000-step trace as CSV from File → Export…'s dialog; pasting 100 000
numeric lines into the editor; a keystroke at the end of a 100 000-character text; a 10 000-step
recompute at H = 512, and its Cancel; an MP4 and a GIF export from the dialog; opening a large
model file (a 2-layer LSTM, H = 1024, a 103 MB .npz) from File → Open.

Prints figures and the load average (the machine is shared); nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.weights import init_weights
from lstm_explorer.models.model import Model
from lstm_explorer.threads import limit_blas_threads
from lstm_explorer.ui.export_dialog import ExportDialog
from lstm_explorer.ui.main_window import MainWindow

VOCAB = "abcdefghijklmnopqrstuvwxyz ().,"
TICK_MS = 10


def text_model(hidden: int) -> Model:
    tensors = init_weights(cell_graph("lstm"), len(VOCAB), hidden, seed=1)
    network = RecurrentNetwork.from_tensors(tensors, "lstm")
    return Model(f"bench-lstm-{hidden}", network, {"vocabulary": VOCAB, "task": "text", "description": "benchmark"})


def numeric_model(hidden: int) -> Model:
    tensors = init_weights(cell_graph("lstm"), 1, hidden, seed=2)
    network = RecurrentNetwork.from_tensors(tensors, "lstm")
    return Model(f"bench-numeric-{hidden}", network, {"task": "numeric", "description": "benchmark"})


def random_text(steps: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list(VOCAB), size=steps))


def idle(window: MainWindow) -> bool:
    recompute = window.recompute
    return (
        not window.editor.parsing
        and not window.editor.edit.pasting
        and (recompute is None or not recompute.busy)
        and not window.model_loader.busy
        and window.heatmaps.pending == 0
    )


def worst_gap(start: Callable[[], None], done: Callable[[], bool], timeout: float = 600.0) -> tuple[float, float]:
    """Run ``start`` inside a real event loop and wait for ``done``: (longest stall in ms, seconds)."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6 - TICK_MS)
        last[0] = now
        if done() or time.perf_counter() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    deadline = time.perf_counter() + timeout
    began = time.perf_counter()
    clock.start()
    timer.start()
    QTimer.singleShot(0, start)
    loop.exec()
    timer.stop()
    seconds = time.perf_counter() - began
    if not done():
        raise RuntimeError("the case did not finish in time")
    return max(gaps or [0.0]), seconds


def settle(window: MainWindow) -> None:
    worst_gap(lambda: None, lambda: idle(window))


def new_window(settings: QSettings, model: Model) -> MainWindow:
    window = MainWindow(model=model, settings=settings)
    window.resize(1600, 1000)
    window.show()
    return window


def close(window: MainWindow) -> None:
    window.close()
    window.deleteLater()
    QApplication.processEvents()


def export_case(window: MainWindow, folder: Path, fmt: str, frames: tuple[int, int] | None = None) -> float:
    """Export from the window's dialog; returns the longest stall (ms)."""
    dialog = ExportDialog(window.document, window, folder=folder, settings=window.settings)
    dialog.form.set_format(fmt)
    out = folder / f"bench.{fmt}"
    dialog.form.set_path(str(out))
    if frames is not None:
        dialog.form.set_size(1280, 720)
        dialog.form.frames_spin.setValue(frames[1])
        dialog.form.first_spin.setValue(0)
        dialog.form.last_spin.setValue(frames[0] - 1)
    finished: list[object] = []
    dialog.exported.connect(finished.append)
    dialog.finished.connect(lambda _code: finished.append(None))
    dialog.show()
    gap, seconds = worst_gap(dialog.run_export, lambda: bool(finished))
    size = out.stat().st_size / 1e6 if out.exists() else 0.0
    print(f"    ({seconds:.1f} s, {size:.1f} MB)")
    dialog.close()
    return gap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter inputs (10 000 instead of 100 000 steps)")
    parser.add_argument("--only", nargs="*", help="case names to run (csv, paste, key, recompute, cancel, video, open)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive until the end
    limit_blas_threads(1)
    long = 10_000 if args.quick else 100_000
    folder = Path(tempfile.mkdtemp(prefix="bench-stalls-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    wanted = set(args.only or ["csv", "paste", "key", "recompute", "cancel", "video", "open"])
    results: dict[str, float] = {}
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"longest event-loop stall per case ({TICK_MS} ms timer; budget 100 ms)")

    def report(name: str, gap: float) -> None:
        results[name] = gap
        print(f"  {name:<44} {gap:7.1f} ms {'OVER' if gap > 100 else ''}", flush=True)

    if wanted & {"csv", "key"}:
        window = new_window(settings, text_model(32))
        window.editor.set_text(random_text(long - 1))
        settle(window)
        if "key" in wanted:
            edit = window.editor.edit
            edit.setFocus()
            edit.moveCursor(edit.textCursor().MoveOperation.End)
            gap, _ = worst_gap(
                lambda: edit.insertPlainText("a"), lambda: window.playback.steps == long and idle(window)
            )
            report(f"keystroke at the end of {long} characters", gap)
        if "csv" in wanted:
            report(f"CSV export of {window.playback.steps} steps (H=32)", export_case(window, folder, "csv"))
        close(window)
    if "paste" in wanted:
        window = new_window(settings, numeric_model(32))
        settle(window)
        lines = "\n".join(f"{v:.4f}" for v in np.sin(np.arange(long) * 0.01))
        edit = window.editor.edit
        edit.selectAll()
        QApplication.clipboard().setText(lines)  # Ctrl+V over the whole input, as a person pastes
        gap, seconds = worst_gap(edit.paste, lambda: window.playback.steps == long and idle(window))
        report(f"paste of {long} numeric lines ({seconds:.1f} s)", gap)
        close(window)
    if wanted & {"recompute", "cancel"}:
        window = new_window(settings, text_model(512))
        window.editor.set_text("abc")
        settle(window)
        text = random_text(10_000, seed=3)
        if "recompute" in wanted:
            gap, seconds = worst_gap(
                lambda: window.editor.edit.setPlainText(text),
                lambda: window.playback.steps == 10_000 and idle(window),
            )
            report(f"recompute of 10000 steps at H=512 ({seconds:.1f} s)", gap)
            window.editor.set_text("abc")
            settle(window)
        if "cancel" in wanted:
            progressed: list[int] = []
            assert window.recompute is not None
            window.recompute.progress.connect(lambda done, _total: progressed.append(done))
            window.editor.edit.setPlainText(text)
            worst_gap(lambda: None, lambda: bool(progressed))  # the worker is under way
            began = time.perf_counter()
            gap, _ = worst_gap(window.cancel_action.trigger, lambda: not window.recompute.busy)
            report(f"Cancel of that recompute (returned in {1000 * (time.perf_counter() - began):.0f} ms)", gap)
        close(window)
    if "video" in wanted:
        window = new_window(settings, text_model(128))
        window.editor.set_text(random_text(40))
        settle(window)
        for fmt in ("mp4", "gif"):
            report(f"{fmt.upper()} export, 1280×720, 40 steps × 3 frames", export_case(window, folder, fmt, (40, 3)))
        close(window)
    if "open" in wanted:
        path = folder / "large.npz"
        rng = np.random.default_rng(0)
        H = 1024
        tensors = {}
        for layer in range(2):
            inputs = 64 if layer == 0 else H
            tensors[f"lstm.weight_ih_l{layer}"] = rng.normal(0, 0.03, (4 * H, inputs))
            tensors[f"lstm.weight_hh_l{layer}"] = rng.normal(0, 0.03, (4 * H, H))
            tensors[f"lstm.bias_ih_l{layer}"] = np.zeros(4 * H)
            tensors[f"lstm.bias_hh_l{layer}"] = np.zeros(4 * H)
        np.savez(path, **tensors)
        window = new_window(settings, numeric_model(8))
        settle(window)
        gap, seconds = worst_gap(
            lambda: window.open_in_background(str(path)),
            lambda: window.model is not None and window.model.hidden_size == H and idle(window),
        )
        report(f"open a {path.stat().st_size / 1e6:.0f} MB model file ({seconds:.1f} s)", gap)
        close(window)
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    worst = max(results.values(), default=0.0)
    print(f"worst over all cases: {worst:.1f} ms")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
