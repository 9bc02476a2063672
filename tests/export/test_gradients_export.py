"""The Gradients panel as an export view: each frame computes its own step's gradients at once
(no event loop runs between frames), and the still is the panel's own drawing."""

import numpy as np

from lstm_explorer.document import ExplorerDocument
from lstm_explorer.export import ExportOptions, export
from lstm_explorer.export.registry import view_names, view_source
from lstm_explorer.models.bundled import load_bundled
from lstm_explorer.models.gradients import model_gradients
from lstm_explorer.playback import PlaybackState


def adding_document() -> ExplorerDocument:
    X = np.zeros((60, 2))
    X[:, 0] = np.linspace(0.1, 0.9, 60)
    X[[2, 20], 1] = 1.0
    return ExplorerDocument.computed(load_bundled("adding"), X)


def test_each_frame_shows_its_own_steps_gradients(qtbot):
    document = adding_document()
    assert "gradients" in view_names()
    source = view_source(document, ExportOptions(out="unused.png", view="gradients", size=(800, 500), caption=False))
    try:
        panel = source.widget
        for t in (10, 45):
            source.render(PlaybackState(t, 0, 1.0, (), document.playback.phases, document.steps))
            assert panel.result is not None and panel.result.request.anchor == t
            expected = model_gradients(document.model, document.X, f"out[0]@{t}", traces=document.traces).norms()
            np.testing.assert_allclose(panel.strip.values, expected["x"], rtol=1e-12)
    finally:
        source.close()
    assert document.playback.t == 0  # the snapshot moved, never the document


def test_a_still_of_the_gradients_panel(qtbot, tmp_path):
    out = tmp_path / "gradients.png"
    export(adding_document(), ExportOptions(out=str(out), view="gradients", size=(640, 400), steps=(59, 60)))
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 400)
    colours = {image.pixelColor(x, y).name() for x in range(0, 640, 8) for y in range(0, 400, 8)}
    assert len(colours) > 20  # the strip's viridis cells and the curves, not a blank frame
