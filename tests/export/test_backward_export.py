"""The diagram's backward mode, exported through the one export function: a still's pixels on a
wire are the log colour of the recorded gradient; animations and the command line go the same way."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF

from lstm_explorer.cli import main
from lstm_explorer.colormaps import log_sequential
from lstm_explorer.engine.gradients import gradients
from lstm_explorer.engine.targets import NodeTarget
from lstm_explorer.export import ExportOptions, export
from lstm_explorer.export.registry import view_names, view_source
from lstm_explorer.ui.export_dialog import ExportDialog

SIZE = (1280, 720)


def cell_pixel(source, image: np.ndarray, name: str, unit: int, count: int) -> np.ndarray:
    """The RGB at the middle of unit ``unit`` of ``count`` cells on a node's strip, in a frame of
    the source's size."""
    strip = source.scene.strips[name]
    cell = strip.length / count
    point = strip.mapToScene(QPointF(-strip.length / 2 + (unit + 0.5) * cell, 0.0))
    x, y = source._renderer.scene_to_image(point.x(), point.y())
    return image[int(y), int(x), :3].astype(int)


def test_a_still_shows_each_cell_in_the_colour_of_its_gradient(qapp, document, tmp_path):
    document.set_gradient_target("h[1]")
    document.playback.seek(4)
    document.set_backward(True)  # pinned at step 4
    phases = len(document.trace.graph.phases)
    options = ExportOptions(
        out=tmp_path / "back.png", view="diagram-backward", size=SIZE, caption=False, still_at=(2, phases - 1, 1.0)
    )
    result = export(document, options)
    assert result.frames == 1
    with Image.open(tmp_path / "back.png") as png:
        image = np.asarray(png.convert("RGBA"))
    expected = gradients(document.network, document.X, NodeTarget("h", 1, 4), nodes=True).nodes
    top = max(np.abs(a[:5]).max() for a in expected.values())
    source = view_source(document, options)  # the same view: its geometry says where the cells are
    try:
        checked = 0
        for name in ("c", "f", "o", "h_prev"):
            colours = log_sequential(np.abs(expected[name][2]), top)
            for unit in range(4):
                assert np.abs(cell_pixel(source, image, name, unit, 4) - colours[unit, :3]).max() <= 1, (name, unit)
                checked += 1
        assert checked == 16
    finally:
        source.close()
    assert document.backward_step == 4 and document.playback.t == 4  # the window's document did not move


def test_without_the_mode_on_the_target_is_taken_at_the_still(qapp, document, tmp_path):
    """A document not in the backward mode is pinned at the still's step, in the export's copy only."""
    source = view_source(document, ExportOptions(out=tmp_path / "a.png", view="diagram-backward", caption=False))
    try:
        field = source.scene.gradient_field
        assert field is not None and field.anchor == document.trace.steps - 1
    finally:
        source.close()
    assert not document.backward


def test_an_animation_walks_every_step_backward(qapp, document, tmp_path):
    out = tmp_path / "back.gif"
    options = ExportOptions(out=out, view="diagram-backward", size=(320, 180), steps=(1, 4), frames_per_step=5)
    assert export(document, options).frames == 15
    with Image.open(out) as gif:
        assert gif.n_frames == 15


def test_the_command_line_exports_it_and_refuses_a_bad_target(qapp, tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(6, 3))
    np.save(tmp_path / "x.npy", X)
    args = ["export", "lstm", "--hidden", "4", "--input-size", "3", "--input-file", str(tmp_path / "x.npy")]
    args += ["--view", "diagram-backward"]
    assert main([*args, "--target", "c[0]@-1", "--out", str(tmp_path / "c.png"), "--quiet"]) == 0
    assert (tmp_path / "c.png").stat().st_size > 0
    capsys.readouterr()
    assert main([*args, "--target", "q[0]@3", "--out", str(tmp_path / "q.png"), "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "no node 'q'" in error
    assert not (tmp_path / "q.png").exists()


def test_the_export_dialog_lists_it(qtbot, document, tmp_path):
    assert "diagram-backward" in view_names()
    dialog = ExportDialog(document, folder=tmp_path)
    qtbot.addWidget(dialog)
    index = dialog.form.view_combo.findData("diagram-backward")
    assert index >= 0 and "backward" in dialog.form.view_combo.itemText(index)


def test_the_dialogs_summary_and_preview_go_back_in_time(qtbot, document, tmp_path):
    """The export dialog counts and previews the frames the backward diagram exports: from the
    target's step back to the first exported one."""
    document.playback.seek(3)
    document.set_backward(True)  # pinned at step 3 of 0..4
    dialog = ExportDialog(document, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.form.view_combo.setCurrentIndex(dialog.form.view_combo.findData("diagram-backward"))
    dialog.form.set_size(320, 180)
    dialog.form.set_format("mp4")
    dialog.form.frames_spin.setValue(2)
    assert dialog.summary.text().startswith("8 frames (4 steps × 2)")  # steps 3, 2, 1, 0
    assert "back in time from t = 3" in dialog.summary.text()
    dialog.preview.slider.setValue(0)
    qtbot.waitUntil(lambda: dialog.preview.label.text().startswith("t = 3,"), timeout=5000)
    dialog.preview.slider.setValue(7)  # the last frame: step 0, complete
    qtbot.waitUntil(lambda: dialog.preview.label.text().startswith("t = 0,"), timeout=5000)
    assert dialog.preview.label.text().endswith("100%")


def test_the_dashboard_of_a_window_in_the_backward_mode_draws_its_gradients_at_once(qapp, tmp_path):
    """Export draws with no event loop: a long input's gradients, which the window computes on a
    thread, are computed before the first frame."""
    from lstm_explorer.diagram import DiagramView
    from lstm_explorer.document import ExplorerDocument
    from lstm_explorer.models import random_model

    model = random_model("lstm", input_size=3, hidden_size=4, seed=7)
    document = ExplorerDocument.computed(model, np.random.default_rng(3).normal(size=(400, 3)))
    document.playback.seek(399)
    document.set_backward(True)
    source = view_source(document, ExportOptions(out=tmp_path / "d.png", view="dashboard", caption=False))
    try:
        (diagram,) = source.widget.findChildren(DiagramView)
        assert diagram.diagram.backward and diagram.backward_flow.field is not None
        assert diagram.backward_flow.field.anchor == 399
    finally:
        source.close()


def test_the_exported_animation_goes_back_in_time_from_the_target(qapp, tmp_path, monkeypatch, capsys):
    """``export adding --view diagram-backward --target loss@-1 --out x.gif``: the frames walk from
    the target's step down to the first exported step, as the caption under each frame says."""
    from PIL import ImageSequence

    from lstm_explorer.export.captions import CaptionedFrames

    rng = np.random.default_rng(5)
    X = np.column_stack([rng.uniform(size=100), np.zeros(100)])
    X[[3, 40], 1] = 1.0  # the adding problem's two markers
    np.save(tmp_path / "seq.npy", X)
    captions: list[str] = []
    render = CaptionedFrames.render

    def spy(self, state):
        captions.append(self.band.facts.parts(state)[0])  # the caption's first part, "t = N"
        return render(self, state)

    monkeypatch.setattr(CaptionedFrames, "render", spy)
    out = tmp_path / "x.gif"
    args = ["export", "adding", "--input-file", str(tmp_path / "seq.npy"), "--view", "diagram-backward"]
    args += ["--target", "loss@-1", "--steps", "94:100", "--frames-per-step", "3", "--size", "320x180"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    with Image.open(out) as gif:
        frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)]
    assert len(frames) == 18
    shown = captions[-18:]  # (a GIF first renders a few frames to choose its palette)
    assert shown == [f"t = {t}" for t in range(99, 93, -1) for _ in range(3)]
    # The target is pinned before the range: no gradient reaches it, the command says so.
    capsys.readouterr()
    late = ["--target", "loss@-1", "--steps", "94:100"]
    assert main([*args[:6], "--target", "out[0]@50", *late[2:], "--out", str(tmp_path / "y.gif"), "--quiet"]) == 2
    assert "before the exported steps 94:100" in capsys.readouterr().err


def test_an_export_records_the_node_gradients_of_the_steps_it_draws_only(qapp, tmp_path):
    """Every node at every step is the trace's size again: the view records the exported steps."""
    from lstm_explorer.document import ExplorerDocument
    from lstm_explorer.models import random_model

    model = random_model("lstm", input_size=3, hidden_size=4, seed=7)
    document = ExplorerDocument.computed(model, np.random.default_rng(3).normal(size=(300, 3)))
    document.set_gradient_target("h[1]@-1")
    full = gradients(document.network, document.X, NodeTarget("h", 1, -1), nodes=True)
    options = ExportOptions(out=tmp_path / "a.mp4", view="diagram-backward", caption=False, steps=(250, 260))
    source = view_source(document, options)
    try:
        field = source.scene.gradient_field
        assert (field.first, field.last) == (250, 259) and len(field.nodes["c"]) == 10
        assert field.top == max(float(np.abs(a).max()) for a in full.nodes.values())  # the whole walk's scale
        np.testing.assert_array_equal(field.values("f", 255), full.nodes["f"][255])
    finally:
        source.close()


def test_a_session_exports_with_its_gradient_target_and_pin(qapp, tmp_path):
    """A session saved in the backward mode draws its own target (the default would be the
    prediction at the still's step, a different field)."""
    import json

    rng = np.random.default_rng(0)
    X = np.zeros((100, 2))
    X[:, 0] = rng.uniform(0, 1, 100)
    X[[3, 40], 1] = 1.0
    session = {"model": "adding", "input": X.tolist(), "t": 60, "selected": [3]}
    (tmp_path / "plain.lstmx").write_text(json.dumps(session))
    (tmp_path / "back.lstmx").write_text(json.dumps({**session, "gradient_target": "c[3]@90", "backward_pin": 90}))

    def still(name, *extra):
        out = tmp_path / f"{name}-{len(extra)}.png"
        assert (
            main(["export", str(tmp_path / f"{name}.lstmx"), "--view", "diagram-backward", "--out", str(out), *extra])
            == 0
        )
        return np.asarray(Image.open(out))

    saved = still("back")
    assert np.array_equal(saved, still("plain", "--target", "c[3]@90"))  # the session's own target…
    assert not np.array_equal(saved, still("plain"))  # …not the default one
