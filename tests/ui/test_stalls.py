"""The window's long-work cases (issue 14, class 6) keep the GUI thread's part small: a keystroke at
the end of a long text copies no input, a long trace is drawn in few wide heatmap tiles, a data
export formats its rows with the GUI thread first, and opening a model of the same cell keeps the
heatmap plots."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor


def idle(window) -> bool:
    return not window.editor.edit_pending and not window.recompute.busy


def test_a_keystroke_at_the_end_of_a_long_text_copies_no_input(qtbot, make_window):
    window = make_window("brackets")
    text = ("(a(b)c)" * 3000)[:20_000]
    window.editor.set_text(text)
    qtbot.waitUntil(lambda: window.playback.steps == 20_000 and idle(window), timeout=30000)
    before = window.document.X
    edit = window.editor.edit
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(edit, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.playback.steps == 20_001 and idle(window), timeout=30000)
    after = window.document.X
    # The new input is the old one's memory plus a row, and the session keeps it as it is.
    assert np.shares_memory(before, after) and np.shares_memory(window.document.session.X, after)
    np.testing.assert_array_equal(after, window.model.encode_text(text + "a"))
    np.testing.assert_array_equal(before, window.model.encode_text(text))  # the shown input before, intact
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_B)  # retyped after a deletion: a new buffer, the old rows untouched
    qtbot.waitUntil(lambda: window.document.text == text + "b" and idle(window), timeout=30000)
    np.testing.assert_array_equal(window.document.X, window.model.encode_text(text + "b"))
    np.testing.assert_array_equal(after, window.model.encode_text(text + "a"))
    full = window.model.run(window.document.X)[(0, False)]
    np.testing.assert_array_equal(window.document.trace["h"], full["h"])


def drawn_map(heatmaps, name: str) -> np.ndarray:
    """The RGBA a heatmap's tiles show, side by side in time order: (H, T, 4)."""
    m = heatmaps.maps[name]
    rects = [tile.mapRectToParent(tile.boundingRect()) for tile in m.tiles]
    assert [round(r.left()) for r in rects] == sorted(round(r.left()) for r in rects)
    return np.concatenate([tile.image for tile in m.tiles], axis=1)


def test_a_long_trace_is_drawn_in_few_wide_tiles_that_show_every_value(qtbot, make_window, monkeypatch):
    import pyqtgraph as pg

    from lstm_explorer.views.heatmap_items import MAX_TILES, TILE

    window = make_window("brackets")
    heatmaps = window.heatmaps
    text = ("(a(b)c)" * 4000)[:20_000]
    window.editor.set_text(text)
    qtbot.waitUntil(lambda: window.playback.steps == 20_000 and idle(window) and heatmaps.pending == 0, timeout=60000)
    trace = window.playback.trace
    for name, m in heatmaps.maps.items():
        assert 1 < len(m.tiles) <= MAX_TILES  # not 79 tiles of 256 steps
        np.testing.assert_array_equal(drawn_map(heatmaps, name), m.scale.colours(trace[name].T))
    uploads: list[int] = []
    set_image = pg.ImageItem.setImage
    monkeypatch.setattr(pg.ImageItem, "setImage", lambda item, *a, **k: (uploads.append(1), set_image(item, *a, **k)))
    edit = window.editor.edit
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(edit, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.playback.steps == 20_001 and idle(window) and heatmaps.pending == 0, timeout=30000)
    assert len(uploads) == len(heatmaps.maps)  # one (the last) tile per map
    trace = window.playback.trace
    for name, m in heatmaps.maps.items():
        np.testing.assert_array_equal(drawn_map(heatmaps, name), m.scale.colours(trace[name].T))
    window.editor.set_text(text[:3000])  # far shorter again: tiles of TILE steps
    qtbot.waitUntil(lambda: window.playback.steps == 3000 and idle(window) and heatmaps.pending == 0, timeout=30000)
    assert all(len(m.tiles) == -(-3000 // TILE) for m in heatmaps.maps.values())
    trace = window.playback.trace
    for name, m in heatmaps.maps.items():
        np.testing.assert_array_equal(drawn_map(heatmaps, name), m.scale.colours(trace[name].T))


def test_a_data_export_formats_its_rows_with_the_gui_thread_first(qtbot, make_window, tmp_path, monkeypatch):
    import sys

    from lstm_explorer import tracefile
    from lstm_explorer.ui.export_dialog import ExportDialog
    from lstm_explorer.ui.gui_first import WORKER_SWITCH_INTERVAL

    window = make_window("brackets")
    window.editor.set_text("(a(b)c)" * 200)
    qtbot.waitUntil(lambda: window.playback.steps == 1400 and idle(window), timeout=30000)
    intervals: list[float] = []
    add = tracefile._Counter.add
    monkeypatch.setattr(
        tracefile._Counter, "add", lambda c, rows: (intervals.append(sys.getswitchinterval()), add(c, rows))
    )
    default = sys.getswitchinterval()
    dialog = ExportDialog(window.document, window, folder=tmp_path, settings=window.settings)
    dialog.form.set_path(str(tmp_path / "trace.csv"))
    dialog.show()
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        dialog.run_export()
    assert intervals and set(intervals) == {WORKER_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == default
    assert tracefile.read_trace_csv(tmp_path / "trace.csv")["h"].shape[0] == 1400


def test_opening_another_model_of_the_same_cell_keeps_the_heatmap_plots(qtbot, make_window, tmp_path):
    from lstm_explorer.models import random_model
    from lstm_explorer.models.files import write_npz

    window = make_window(random_model("lstm", input_size=1, hidden_size=4))
    window.editor.set_text("0.5\n0.25\n1")
    qtbot.waitUntil(lambda: window.playback.steps == 3 and idle(window), timeout=30000)
    plots = {name: m.plot for name, m in window.heatmaps.maps.items()}
    path = tmp_path / "wide.npz"
    write_npz(path, random_model("lstm", input_size=1, hidden_size=24).network.tensors)
    window.open_in_background(str(path))
    qtbot.waitUntil(
        lambda: window.model.name == "wide.npz" and window.playback.trace is not None and window.heatmaps.pending == 0,
        timeout=30000,
    )
    maps = window.heatmaps.maps
    assert {name: m.plot for name, m in maps.items()} == plots  # the same plot items, not six new ones
    trace = window.playback.trace
    assert trace.hidden_size == 24
    for name, m in maps.items():
        assert m.plot.isVisible() and m.bar.isVisible() and m.plot.vb.viewRange()[1] == [0, 24]
        assert m.cursor.line().y2() == 24
        np.testing.assert_array_equal(drawn_map(window.heatmaps, name), m.scale.colours(trace[name].T))
