"""Window benchmarks: keystroke → every view updated, and the longest event-loop stall while a
long sequence is recomputed.

    QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_window.py [--quick]

1. Keystroke latency at H=128 for T = 1 000 and 10 000: a character is typed at the end of the
   input (then deleted again), the editor's debounce is skipped (``flush``), and the clock stops
   once the recompute is done and every view that changed has painted (the paint events Qt
   posts are delivered: diagram, heatmaps, plot, chain, timeline, equations, predictions).
   Budget (DESIGN.md): ≤ 16 ms. The GUI thread's CPU time is printed beside the wall-clock time:
   on a shared machine it is the figure that does not depend on the other processes.
2. Longest stall: a 10 000-step input at H=512 replaces a short one; the recompute runs on a
   worker thread and the heatmap tiles are coloured in slices. A 5 ms timer records the longest
   gap between its ticks until everything is shown. Budget: ≤ 100 ms.

Prints figures; nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from lstm_explorer.engine.cells import cell_graph
from lstm_explorer.engine.network import RecurrentNetwork
from lstm_explorer.engine.weights import init_weights
from lstm_explorer.models.model import Model
from lstm_explorer.threads import limit_blas_threads
from lstm_explorer.ui.main_window import MainWindow

VOCAB = "abcdefghijklmnopqrstuvwxyz ().,"


def text_model(hidden: int) -> Model:
    graph = cell_graph("lstm")
    tensors = init_weights(graph, len(VOCAB), hidden, seed=1)
    network = RecurrentNetwork.from_tensors(tensors, "lstm")
    return Model(f"bench-lstm-{hidden}", network, {"vocabulary": VOCAB, "task": "text", "description": "benchmark"})


def settle(app: QApplication, window: MainWindow, timeout: float = 300.0) -> None:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents()
        busy = window.recompute is not None and window.recompute.busy
        if not busy and window.heatmaps.pending == 0:
            return
    raise RuntimeError("the window did not settle")


def random_text(steps: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list(VOCAB), size=steps))


def keystroke_latency(
    app: QApplication, settings: QSettings, steps: int, keys: int
) -> tuple[float, float, float, float]:
    window = MainWindow(model=text_model(128), settings=settings)
    window.resize(1600, 1000)
    window.show()
    window.editor.set_text(random_text(steps - 1))
    settle(app, window)
    edit = window.editor.edit
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    times, cpu = [], []
    for k in range(keys):
        key = Qt.Key.Key_A if k % 2 == 0 else Qt.Key.Key_Backspace
        began, began_cpu = time.perf_counter(), time.thread_time()
        QTest.keyClick(edit, key)
        window.editor.flush()
        app.processEvents()  # delivers the paint events of every view that changed
        app.processEvents()
        times.append(time.perf_counter() - began)
        cpu.append(time.thread_time() - began_cpu)
        assert window.playback.steps == (steps if k % 2 == 0 else steps - 1)
    window.close()
    window.deleteLater()
    app.processEvents()
    ms = np.array(times) * 1000
    return float(np.median(ms)), float(np.percentile(ms, 90)), float(ms.max()), float(np.median(cpu) * 1000)


def longest_stall(app: QApplication, settings: QSettings, steps: int, hidden: int) -> tuple[float, float, float]:
    window = MainWindow(model=text_model(hidden), settings=settings)
    window.resize(1600, 1000)
    window.show()
    window.editor.set_text("abc")
    settle(app, window)
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    text = random_text(steps, seed=3)
    began = time.perf_counter()
    window.editor.edit.setPlainText(text)  # as a paste: the debounce timer then starts the recompute
    end = time.perf_counter() + 600
    shown_at = None
    while time.perf_counter() < end:
        app.processEvents()
        if shown_at is None and window.playback.steps == steps:
            shown_at = time.perf_counter() - began
        if shown_at is not None and window.heatmaps.pending == 0 and not window.recompute.busy:
            break
    total = time.perf_counter() - began
    timer.stop()
    window.close()
    window.deleteLater()
    app.processEvents()
    return max(gaps), shown_at or float("nan"), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer keystrokes, a shorter long sequence")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    limit_blas_threads(1)
    print("one BLAS thread, as the app runs")
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    folder = tempfile.mkdtemp(prefix="bench-window-")
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    keys = 20 if args.quick else 60
    print("keystroke → all views updated (type a character at the end / delete it), LSTM H=128")
    for steps in (1_000, 10_000):
        median, p90, worst, cpu = keystroke_latency(app, settings, steps, keys)
        print(
            f"  T = {steps:>6}: median {median:6.2f} ms   p90 {p90:6.2f} ms   max {worst:6.2f} ms   "
            f"GUI-thread CPU median {cpu:6.2f} ms   (budget 16 ms)"
        )
    steps = 2_000 if args.quick else 10_000
    stall, shown, total = longest_stall(app, settings, steps, 512)
    print(f"recompute of {steps} steps at H=512 off the GUI thread (paste replacing a 3-step input)")
    print(f"  longest event-loop stall {stall:6.1f} ms (budget 100 ms)")
    print(f"  traces shown after {shown:5.2f} s; every heatmap tile coloured after {total:5.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
