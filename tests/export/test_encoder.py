"""The drawing thread never waits for the encoder in one go: while frames queue up or the file is
finished, it reports progress again (in the window, that processes events), and can cancel."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from lstm_explorer.export.encoder import Encoder
from lstm_explorer.export.options import ExportCancelled


class SlowWriter:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.written: list[int] = []
        self.finished_on: str | None = None

    def write(self, frame: np.ndarray) -> None:
        time.sleep(self.seconds)
        self.written.append(int(frame[0]))

    def finish(self) -> None:
        time.sleep(3 * self.seconds)
        self.finished_on = threading.current_thread().name


def test_waiting_for_a_slow_encoder_reports_progress_and_the_file_is_finished_off_the_drawing_thread():
    writer = SlowWriter(0.05)
    encoder = Encoder(writer, depth=1)  # type: ignore[arg-type]
    waits: list[int] = []
    for index in range(6):
        encoder.put(None, np.array([index]), lambda index=index: waits.append(index))
    encoder.close(lambda: waits.append(-1))
    assert writer.written == list(range(6))
    assert writer.finished_on == "export-encoder"
    assert len(waits) > 6 and -1 in waits  # called again and again while the queue was full, and at the end


def test_waiting_can_cancel_and_nothing_more_is_written_or_finished():
    writer = SlowWriter(0.05)
    encoder = Encoder(writer, depth=1)  # type: ignore[arg-type]

    def cancel() -> None:
        raise ExportCancelled()

    with pytest.raises(ExportCancelled):
        for index in range(20):
            encoder.put(None, np.array([index]), cancel)
    encoder.stop()
    assert len(writer.written) < 20 and writer.finished_on is None


def test_a_gif_reports_progress_between_the_frames_it_samples_for_its_palette(strips, tmp_path):
    from lstm_explorer.export import ExportOptions, export_frames

    reports: list[tuple[int, int, int]] = []  # (done, total, frames drawn so far)

    def progress(done: int, total: int) -> bool:
        reports.append((done, total, strips.rendered))
        return True

    out = tmp_path / "walk.gif"
    export_frames(strips.trace, ExportOptions(out=str(out), size=(160, 90), fps=10), progress, source=strips)
    before_the_first_frame = [drawn for done, _total, drawn in reports if done == 0]
    assert before_the_first_frame[-1] == 6 and len(set(before_the_first_frame)) >= 6  # one per sample
