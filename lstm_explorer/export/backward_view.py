"""The diagram's backward mode as an exportable view (``diagram-backward``): the cell diagram with
|∂target/∂node| on every wire, the phases walked in reverse, drawn by the same scene and renderer
as the ``diagram`` view, so stills, SVG/PDF and animations all work as they do there.

The target is the document's gradient target (the Gradients panel's, or ``--target`` on the
command line; "" the model's default, its prediction). Its step: the one the window's backward
mode pinned, else the still's step, else the last step exported. The gradients are computed once,
on this thread, before the first frame (export draws frames with no event loop). An animation
walks back in time, as the window plays in this mode: from the target's step (or the range's last
step, if that comes first) down to the range's first step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.targets import TargetError
from ..playback import Walk
from .frames import still_position
from .options import STILLS, ExportError, check_steps, detect_format
from .views import diagram_source

if TYPE_CHECKING:
    from ..document import ExplorerDocument
    from .frames import FrameSource
    from .options import ExportOptions


def diagram_backward_source(document: ExplorerDocument, options: ExportOptions) -> FrameSource:
    from ..views.backward_flow import compute_field

    trace = document.trace
    assert trace is not None
    if not document.backward:  # a snapshot: pinning it moves nothing in the window
        document.backward_step, document.backward = still_position(trace, options).t, True
    first, stop = check_steps(options.steps or (0, trace.steps), trace.steps)
    still = (options.format or detect_format(options.out)) in STILLS
    if still:
        t = still_position(trace, options).t
        first, stop = t, t + 1
    try:  # recorded at the steps drawn only: every node at every step is the trace's size again
        field = compute_field(document, (first, stop))
    except TargetError as exc:
        raise ExportError(f"diagram-backward: {exc}") from None
    if not still and field.anchor < first:
        raise ExportError(
            f"diagram-backward: the target {field.target} is at step {field.anchor}, before the exported "
            f"steps {first}:{stop}; no gradient reaches them"
        )
    source = diagram_source(document, options)
    scene = source.scene
    scene.set_gradient_field(field, redraw=False)
    scene.set_backward(True, redraw=False)
    source.walk = Walk(True, field.anchor)
    return source
