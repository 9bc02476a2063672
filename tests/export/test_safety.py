"""Cancel and failure leave nothing behind and never clobber; user errors say what and where."""

from __future__ import annotations

import errno
import os

import pytest

from lstm_explorer.export import ExportCancelled, ExportError, ExportOptions, export_frames, parse_steps
from lstm_explorer.export import gif as gif_module
from lstm_explorer.export import writers as writers_module


def options(out, **kw) -> ExportOptions:
    kw.setdefault("size", (160, 90))
    kw.setdefault("fps", 10)
    kw.setdefault("frames_per_step", 3)
    return ExportOptions(out=str(out), **kw)


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("name", ["walk.mp4", "walk.gif", "walk.webm", "frames/"])
def test_cancel_leaves_nothing_and_keeps_an_existing_file(strips, tmp_path, name):
    target = tmp_path / name
    if name.endswith("/"):
        target.mkdir()
        (target / "frame_00000.png").write_bytes(b"earlier export")
        before = b"earlier export"
    else:
        target.write_bytes(b"precious")
        before = b"precious"
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 4

    with pytest.raises(ExportCancelled):
        export_frames(strips.trace, options(f"{target}/" if name.endswith("/") else target), progress, source=strips)
    assert calls[0] == (0, 15) and calls[-1] == (4, 15)
    kept = target / "frame_00000.png" if name.endswith("/") else target
    assert kept.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_disk_full_is_a_clear_error_and_leaves_nothing(strips, tmp_path, monkeypatch):
    target = tmp_path / "walk.gif"
    target.write_bytes(b"precious")
    written = []

    def full(self, frame):
        written.append(1)
        if len(written) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(gif_module.GifWriter, "write", full)
    with pytest.raises(ExportError, match="disk is full") as caught:
        export_frames(strips.trace, options(target), source=strips)
    assert str(target) in str(caught.value) and "\n" not in str(caught.value)
    assert target.read_bytes() == b"precious" and leftovers(tmp_path) == []


def test_disk_full_inside_ffmpeg_is_reported_as_disk_full(strips, tmp_path, monkeypatch):
    def failed(self, returncode):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    # ffmpeg says "No space left on device" and exits non-zero; simulate its report.
    monkeypatch.setattr(writers_module.FfmpegWriter, "_messages", lambda self: "Error: No space left on device")
    monkeypatch.setattr(writers_module.Mp4Writer, "encoder_arguments", lambda self: ["-c:v", "no-such-codec"])
    with pytest.raises(ExportError, match="disk is full"):
        export_frames(strips.trace, options(tmp_path / "walk.mp4"), source=strips)
    assert list(tmp_path.iterdir()) == []


def test_an_encoder_failure_is_one_line_and_leaves_nothing(strips, tmp_path, monkeypatch):
    monkeypatch.setattr(writers_module.Mp4Writer, "encoder_arguments", lambda self: ["-c:v", "no-such-codec"])
    with pytest.raises(ExportError, match="ffmpeg failed") as caught:
        export_frames(strips.trace, options(tmp_path / "walk.mp4"), source=strips)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_view_that_fails_midway_leaves_nothing(strips, tmp_path):
    real = strips.render

    def flaky(state):
        if state.t == 2:
            raise RuntimeError("view broke")
        return real(state)

    strips.render = flaky
    with pytest.raises(RuntimeError, match="view broke"):
        export_frames(strips.trace, options(f"{tmp_path}/frames/"), source=strips)
    assert list(tmp_path.iterdir()) == []


def test_unknown_extension(strips, tmp_path):
    with pytest.raises(ExportError, match=r"unknown extension '\.avi'.*\.mp4"):
        export_frames(strips.trace, options(tmp_path / "walk.avi"), source=strips)


def test_missing_and_unwritable_folders(strips, tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="folder does not exist"):
        export_frames(strips.trace, options(tmp_path / "nowhere" / "walk.gif"), source=strips)
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # Tests may run as root, for whom chmod does not lock a folder: ask os.access instead.
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(locked) else real_access(p, mode))
    for name in ("walk.mp4", "still.svg", "frames/", "trace.csv"):
        with pytest.raises(ExportError, match=f"cannot write to {locked}: permission denied"):
            export_frames(strips.trace, options(f"{locked}/{name}"), source=strips)


@pytest.mark.parametrize("steps", [(3, 3), (4, 2), (5, 9), (7, 8)])
def test_empty_step_range(strips, tmp_path, steps):
    with pytest.raises(ExportError, match=rf"step range {steps[0]}:{steps[1]} is empty; the sequence has 5 steps"):
        export_frames(strips.trace, options(tmp_path / "walk.gif", steps=steps), source=strips)
    assert list(tmp_path.iterdir()) == []


def test_parse_steps():
    assert parse_steps(None, 10) == (0, 10)
    assert parse_steps("2:5", 10) == (2, 5)
    assert parse_steps("3:", 10) == (3, 10)
    assert parse_steps(":4", 10) == (0, 4)
    assert parse_steps("7", 10) == (7, 8)
    assert parse_steps("-3:", 10) == (7, 10)
    assert parse_steps("-1", 10) == (9, 10)
    with pytest.raises(ExportError, match="expected A:B"):
        parse_steps("a:b", 10)


@pytest.mark.parametrize(
    ("name", "kw", "message"),
    [
        ("walk.mp4", {"size": (161, 90)}, r"even width and height \(try 160×90\)"),
        ("walk.mp4", {"transparent": True}, "H.264 has no alpha"),
        ("walk.gif", {"transparent": True}, "GIF has no partial transparency"),
        ("walk.gif", {"fps": 60}, "GIF plays at most 50"),
        ("walk.gif", {"size": (8, 90)}, "between 16 and"),
        ("walk.gif", {"frames_per_step": 0}, "at least 1"),
    ],
)
def test_option_errors(strips, tmp_path, name, kw, message):
    with pytest.raises(ExportError, match=message):
        export_frames(strips.trace, options(tmp_path / name, **kw), source=strips)


def test_a_folder_with_other_files_is_not_replaced(strips, tmp_path):
    target = tmp_path / "frames"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="holds other files"):
        export_frames(strips.trace, options(f"{target}/"), source=strips)
    assert (target / "notes.txt").read_text() == "mine"


def test_a_successful_export_replaces_the_earlier_one(strips, tmp_path):
    target = tmp_path / "walk.gif"
    target.write_bytes(b"old")
    export_frames(strips.trace, options(target, steps=(0, 1)), source=strips)
    assert target.read_bytes().startswith(b"GIF89a")
    frames = tmp_path / "frames"
    export_frames(strips.trace, options(f"{frames}/", steps=(0, 2)), source=strips)
    export_frames(strips.trace, options(f"{frames}/", steps=(0, 1)), source=strips)
    assert len(list(frames.iterdir())) == 3 and leftovers(tmp_path) == []


def test_disk_full_while_writing_frames_or_the_trace(strips, tmp_path, monkeypatch):
    import lstm_explorer.tracefile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writers_module, "save_png", full)
    with pytest.raises(ExportError, match="disk is full"):
        export_frames(strips.trace, options(f"{tmp_path}/frames/"), source=strips)
    with pytest.raises(ExportError, match="disk is full"):
        export_frames(strips.trace, options(tmp_path / "still.png"), source=strips)
    monkeypatch.setattr(lstm_explorer.tracefile.np.lib.format, "write_array", full)
    with pytest.raises(ExportError, match="disk is full"):
        export_frames(strips.trace, options(tmp_path / "trace.npz"))
    assert list(tmp_path.iterdir()) == []


def test_an_encoder_failure_in_the_cli_is_one_line_and_exit_2(qapp, tmp_path, monkeypatch, capsys):
    from lstm_explorer.cli import main

    monkeypatch.setattr(writers_module.Mp4Writer, "encoder_arguments", lambda self: ["-c:v", "no-such-codec"])
    out = str(tmp_path / "w.mp4")
    code = main(["export", "lstm", "--input", "0.1; 0.2", "--input-size", "1", "--out", out, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lstm-explorer: error: ") and "ffmpeg failed" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
