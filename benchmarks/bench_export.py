"""Export throughput at 1280×720: render, encode, and both together (the export function), side by
side in one run, for MP4 and GIF, as ratios against the budgets in DESIGN.md.

    python3 benchmarks/bench_export.py [--frames 240] [--hidden 64] [--size 1280x720] [--no-caption]

* render: the diagram drawn offscreen at each frame's position (what export does per frame).
* encode: the writer alone, fed frames rendered beforehand.
* end to end: ``export()`` to a file: render and encode overlapped (encoder thread; ffmpeg runs in
  its own process), plus opening and finishing the file.

Wall-clock figures depend on what else the machine runs; the CPU time per frame printed last does
not, and gives what two idle cores would reach.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtWidgets import QApplication

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.export import ExportOptions, FrameClock, export_frames
from lstm_explorer.export.frames import bgra_view, normalize_image
from lstm_explorer.export.gif import GifWriter
from lstm_explorer.export.registry import view_source
from lstm_explorer.export.writers import Mp4Writer
from lstm_explorer.models import random_model

BUDGETS = {"mp4": 100.0, "gif": 15.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=240, help="frames per measurement (default 240)")
    parser.add_argument("--hidden", type=int, default=64, help="hidden size (default 64)")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--view", default="diagram", choices=("diagram", "chain", "dashboard"))
    parser.add_argument("--no-caption", action="store_true", help="frames without the caption band")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    assert len(size) == 2
    w, h = size

    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive
    model = random_model("lstm", input_size=16, hidden_size=args.hidden, seed=0)
    frames_per_step = 24
    steps = max(1, -(-args.frames // frames_per_step))
    X = np.random.default_rng(0).normal(size=(steps, 16))
    document = ExplorerDocument.computed(model, X)
    trace = document.trace
    assert trace is not None
    clock = FrameClock(0, steps, frames_per_step, len(trace.graph.phases), steps=steps)
    total = clock.total
    caption = "without" if args.no_caption else "with"
    print(
        f"LSTM H={args.hidden}, {args.view} at {w}×{h} {caption} caption, {total} frames ({steps} × {frames_per_step})"
    )
    print(f"{os.cpu_count()} CPUs; figures are frames per second (higher is better)\n")

    # Render alone (the frames are kept for the encode-only runs: a window of distinct frames).
    source = view_source(document, ExportOptions(out="-", view=args.view, size=(w, h), caption=not args.no_caption))
    source.render(clock.state(0))  # warm-up: fonts, caches
    kept = []
    started = time.perf_counter()
    for k in range(total):
        image = normalize_image(source.render(clock.state(k)), transparent=False)
        if len(kept) < 48:
            kept.append(image)
    render_fps = total / (time.perf_counter() - started)
    frames = [bgra_view(image) for image in kept]

    rows = []
    cpu: list[tuple[str, float, float]] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        for fmt, writer_class in (("mp4", Mp4Writer), ("gif", GifWriter)):
            n = total if fmt == "mp4" else min(total, 120)
            path = Path(folder) / f"encode.{fmt}"
            writer = writer_class(path, (w, h), 30.0)
            started = time.perf_counter()
            for k in range(n):
                writer.write(frames[k % len(frames)])
            writer.finish()
            encode_fps = n / (time.perf_counter() - started)

            out = Path(folder) / f"walk.{fmt}"
            options = ExportOptions(
                out=str(out), size=(w, h), fps=30.0, frames_per_step=frames_per_step, steps=(0, -(-n // 24))
            )
            own, children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
            result = export_frames(trace, options, source=source)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            python_ms = 1000 * (time.process_time() - own) / result.frames
            spent = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            ffmpeg_ms = max(1000 * spent / result.frames, 0.0)
            rows.append((fmt, render_fps, encode_fps, result.fps, result.frames, out.stat().st_size))
            cpu.append((fmt, python_ms, ffmpeg_ms))

    print(f"{'format':<7}{'render':>10}{'encode':>10}{'end to end':>12}{'budget':>9}{'ratio':>8}   file")
    for fmt, render, encode, total_fps, n, nbytes in rows:
        budget = BUDGETS[fmt]
        ratio = total_fps / budget
        verdict = "ok" if ratio >= 1 else "BELOW BUDGET"
        print(
            f"{fmt:<7}{render:>10.1f}{encode:>10.1f}{total_fps:>12.1f}{budget:>9.0f}{ratio:>7.2f}×   "
            f"{n} frames, {nbytes / 1e6:.1f} MB  {verdict}"
        )
    # CPU time does not depend on what else runs: what the machine could do with both cores free.
    print("\nCPU time per frame, end to end (this process: render + writer thread; ffmpeg: its own process):")
    for fmt, python_ms, ffmpeg_ms in cpu:
        total_ms = python_ms + ffmpeg_ms
        one_core, two_cores = 1000 / total_ms, 2000 / total_ms
        print(
            f"  {fmt}: {python_ms:.1f} ms here + {ffmpeg_ms:.1f} ms in ffmpeg = {total_ms:.1f} ms"
            f"  → {one_core:.0f} frames/s on one free core, at most {two_cores:.0f} on two"
        )
    print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}: other work shares the CPUs")
    source.close()


if __name__ == "__main__":
    main()
