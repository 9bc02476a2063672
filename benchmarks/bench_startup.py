"""Start-up benchmark: process start → the window's first paint, the app beside a bare window.

    QT_QPA_PLATFORM=offscreen python3 benchmarks/bench_startup.py [--runs N]

Each run is a fresh Python process. "bare" imports PySide6 and pyqtgraph and shows an empty
QMainWindow; "app" starts the GUI exactly as ``python3 -m lstm_explorer`` does (``cli.main``, which
opens the last model used or the bundled default), with its settings in a temporary folder. The
clock runs from just before the process is spawned to the end of the first paint of the top-level
window (the paint event of the window has been delivered and the event loop turns again). The
first run of each is a warm-up (files into the page cache) and is not counted; the two kinds are
interleaved so that the machine's load falls on both alike.

Budget (DESIGN.md): the app ≤ 0.6 s warm. Prints medians and the ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Runs in the child: report the time (time.time()) once the first paint of a window is done.
PROBE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

folder = sys.argv[2]
for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
    QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    QSettings.setPath(fmt, QSettings.Scope.SystemScope, folder)
app = QApplication(sys.argv[:1])


def report():
    print(f"PAINTED {time.time():.6f}", flush=True)
    os._exit(0)


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
            app.removeEventFilter(self)
            QTimer.singleShot(0, report)  # runs once this paint pass is over
        return False


probe = FirstPaint()
app.installEventFilter(probe)
if sys.argv[1] == "bare":
    import pyqtgraph  # noqa: F401  (what a pyqtgraph window imports)
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    window.resize(1600, 1000)
    window.show()
    app.exec()
else:
    from lstm_explorer.cli import main

    sys.argv = sys.argv[:1]
    main()
"""


def one_run(kind: str, folder: str) -> float:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    began = time.time()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, kind, folder], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )
    for line in done.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - began
    raise RuntimeError(f"{kind}: no first paint reported\n{done.stdout}\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each (default 7)")
    args = parser.parse_args()
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    times: dict[str, list[float]] = {"bare": [], "app": []}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        for kind in times:
            one_run(kind, folder)  # warm-up: not counted (the app's settings now exist, as after a first start)
        for _ in range(args.runs):
            for kind, runs in times.items():
                runs.append(one_run(kind, folder))
    bare, app = statistics.median(times["bare"]), statistics.median(times["app"])
    for kind, runs in times.items():
        shown = " ".join(f"{t:.3f}" for t in runs)
        print(f"  {kind:>4}: median {statistics.median(runs):.3f} s   min {min(runs):.3f} s   runs [{shown}]")
    print(f"app / bare window: {app / bare:.2f}×   app − bare: {app - bare:+.3f} s   (budget: app ≤ 0.6 s warm)")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
