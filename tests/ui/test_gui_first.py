"""Workers that run Python beside the GUI thread hand the interpreter back sooner while they run."""

from __future__ import annotations

import sys
import threading

import pytest

from lstm_explorer.ui.gui_first import WORKER_SWITCH_INTERVAL, gui_first


def test_the_short_interval_holds_while_any_worker_runs_and_is_restored_after():
    default = sys.getswitchinterval()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, float] = {}

    def first() -> None:
        with gui_first():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with gui_first():
            second_in.set()
            first_out.wait(10)
            seen["after the first ended"] = sys.getswitchinterval()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(10)
    seen["while running"] = sys.getswitchinterval()
    for thread in threads:
        thread.join(10)
    assert seen == {"while running": WORKER_SWITCH_INTERVAL, "after the first ended": WORKER_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == default


def test_a_worker_that_fails_restores_the_interval():
    default = sys.getswitchinterval()
    with pytest.raises(KeyError), gui_first():
        raise KeyError("boom")
    assert sys.getswitchinterval() == default
