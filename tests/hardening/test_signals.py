"""Class 1 of issue 14: Ctrl+C (SIGINT) and SIGTERM during long commands stop at a safe point,
remove every temporary file, keep an existing target, say "interrupted" and exit 130 / 143; the
temporary files of a process killed with SIGKILL are removed by the next write to the folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_explorer.atomic import TEMP_TAG, host_tag, remove_stale_temporaries, temp_prefix
from lstm_explorer.cli import main

ROOT = Path(__file__).resolve().parents[2]
LONG_INPUT = "(a(b)c)" * 6


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "lstm_explorer", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_TAG in p.name)


def wait_for_temporary(process: subprocess.Popen[str], folder: Path, limit: float = 60.0) -> None:
    """Poll (bounded) until the process has started writing: its temporary output exists."""
    deadline = time.monotonic() + limit
    while not temporaries(folder):
        assert process.poll() is None, f"ended before writing: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("out", ["walk.gif", "walk.mp4", "frames/"])
def test_a_signal_during_a_rendered_export_cleans_up_and_keeps_the_target(tmp_path, out, signum):
    target = tmp_path / out.rstrip("/")
    if out.endswith("/"):
        target.mkdir()
        (target / "frame_00000.png").write_bytes(b"earlier export")
        kept = target / "frame_00000.png"
    else:
        target.write_bytes(b"precious")
        kept = target
    before = kept.read_bytes()
    process = start(
        ["export", "brackets", "--input", LONG_INPUT, "--frames-per-step", "20", "--size", "320x180", "--out", out],
        tmp_path,
    )
    wait_for_temporary(process, tmp_path)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == "lstm-explorer: interrupted"
    assert "Traceback" not in err
    assert kept.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    if out.endswith("/"):
        assert [p.name for p in target.iterdir()] == ["frame_00000.png"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_a_long_trace_is_written_removes_the_partial_file(tmp_path, signum):
    np.save(tmp_path / "long.npy", np.random.default_rng(0).normal(size=(60_000, 8)))
    process = start(["trace", "lstm", "--hidden", "64", "--input-file", "long.npy", "--out", "t.json"], tmp_path)
    wait_for_temporary(process, tmp_path)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert err.strip() == "lstm-explorer: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.npy"]


def test_a_signal_during_training_saves_nothing(tmp_path, monkeypatch, capsys):
    from lstm_explorer.engine import train as train_module

    real = train_module.loss_and_gradients
    calls = []

    def then_terminated(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # a real signal, through the handler the command installed
            os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "loss_and_gradients", then_terminated)
    out = tmp_path / "m.safetensors"
    assert main(["train", "brackets", "--steps", "50", "--out", str(out)]) == 143
    assert capsys.readouterr().err.strip().splitlines()[-1] == "lstm-explorer: interrupted"
    assert len(calls) == 3 and list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the command's handler is gone


def temp_name(target: str, pid: int, rest: str, host: str | None = None) -> str:
    """A temporary name as process ``pid`` on ``host`` (default: this machine) would make it."""
    return f".{target}.{TEMP_TAG}-{pid}@{host or host_tag()}-{rest}"


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_leftovers_of_a_killed_process_are_removed_by_the_next_export(tmp_path, kind):
    pid = dead_pid()
    stale = tmp_path / temp_name("walk.gif", pid, "x1y2z3.gif")
    elsewhere = tmp_path / temp_name("walk.gif", pid, "x1y2z3.gif", host="another-machine")
    elsewhere.write_bytes(b"written over the network by another machine's process")
    if kind == "folder":
        stale = tmp_path / temp_name("frames", pid, "x1y2z3.part")
        stale.mkdir()
        (stale / "frame_00000.png").write_bytes(b"half")
    else:
        stale.write_bytes(b"half a gif")
    ours = tmp_path / (temp_prefix(tmp_path / "other.gif") + "abc.gif")  # this process: in progress
    ours.write_bytes(b"being written")
    unrelated = tmp_path / ".walk.gif.backup"
    unrelated.write_bytes(b"mine")
    assert main(["export", "lstm", "--input", "1 2 3 4 5 6 7 8", "--out", str(tmp_path / "t.csv")]) == 0
    assert not stale.exists() and ours.exists() and unrelated.exists() and elsewhere.exists()


def test_a_live_process_keeps_its_temporary_files_unless_its_id_was_reused(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = tmp_path / temp_name("walk.mp4", sleeper.pid, "abc.mp4")
        busy.write_bytes(b"")
        assert remove_stale_temporaries(tmp_path) == [] and busy.exists()
        # Written an hour before that process started: the id belonged to a process now gone.
        os.utime(busy, (time.time() - 3600, time.time() - 3600))
        assert remove_stale_temporaries(tmp_path) == [busy.name] and not busy.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("name", ["still.png", "still.svg", "still.pdf"])
def test_a_cancel_as_a_still_finishes_leaves_nothing_and_keeps_the_target(qapp, tmp_path, name):
    from lstm_explorer.document import ExplorerDocument
    from lstm_explorer.export import ExportCancelled, ExportOptions, export
    from lstm_explorer.models import random_model

    target = tmp_path / name
    target.write_bytes(b"precious")
    document = ExplorerDocument.computed(random_model("lstm", input_size=2, hidden_size=3), np.ones((3, 2)))

    def stop_when_done(done: int, total: int) -> bool:  # what the CLI's callback does after a signal
        return done < total

    with pytest.raises(ExportCancelled):
        export(document, ExportOptions(out=target, size=(64, 36)), stop_when_done)
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("make", ["mkstemp", "mkdtemp"])
def test_a_signal_the_moment_a_temporary_is_made_leaves_nothing_behind(tmp_path, monkeypatch, make):
    """The signal arrives just after the temporary file (folder) exists, before the code that
    would remove it has started: as a busy machine once timed it in the trace test above."""
    from lstm_explorer import interrupt
    from lstm_explorer.atomic import atomic_path
    from lstm_explorer.export.targets import temporary_folder

    real = getattr(tempfile, make)

    def made_then_signalled(*args, **kwargs):
        made = real(*args, **kwargs)
        interrupt._on_signal(signal.SIGINT, None)  # what the handler does when SIGINT arrives here
        return made

    monkeypatch.setattr(tempfile, make, made_then_signalled)
    target = tmp_path / ("t.json" if make == "mkstemp" else "frames")
    temporary = atomic_path(target) if make == "mkstemp" else temporary_folder(target)
    with interrupt.handle_signals(), pytest.raises(interrupt.Interrupted), temporary:
        pytest.fail("the block must not start once a signal arrived")
    assert list(tmp_path.iterdir()) == []
