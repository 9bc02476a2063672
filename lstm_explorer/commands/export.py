"""``lstm-explorer export``: the window's views as MP4, WebM, GIF, PNG frames, a PNG/SVG/PDF still,
or the trace as CSV/NPZ/JSON, with no display (Qt renders offscreen)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

from .. import interrupt
from ..cli import (
    CliError,
    add_input_arguments,
    add_intervention_arguments,
    add_layer_arguments,
    add_model_arguments,
    check_cli_layer,
    given_input,
    load_cli_model,
    read_cli_input,
    read_cli_interventions,
    read_cli_session,
)

FORMAT_HELP = (
    "output: .mp4 (H.264), .webm (VP9), .gif, a folder ending in / (PNG frames), .png (one step), "
    ".svg or .pdf (the diagram at one step, as vectors), or .csv/.npz/.json (the trace)"
)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().replace("×", "x").split("x")
        return int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 1280x720") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected frames per second, e.g. 30") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: must be positive")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="export the diagram, chain or dashboard as video, GIF, images, or the trace as data",
        description="Render a view offscreen over a range of steps and write it; the format follows --out.",
    )
    add_model_arguments(parser)
    add_input_arguments(parser)
    parser.add_argument("--out", required=True, help=FORMAT_HELP)
    parser.add_argument("--fps", type=_fps, help="frames per second of an animation (default 30)")
    parser.add_argument("--size", type=_size, metavar="WxH", help="frame size (default 1280x720)")
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="size and frame rate for slides and phones: 1080p60 (1920x1080, 60 fps), 720p30 (1280x720, 30 fps), "
        "square (1080x1080), 9:16 (1080x1920); --size and --fps win over it",
    )
    parser.add_argument(
        "--steps",
        metavar="A:B",
        help="steps A to B−1 (either end optional; negative counts from the end), or one step A; "
        "default: all. A still shows the range's last step",
    )
    parser.add_argument(
        "--view",
        default="diagram",
        help="what to draw: diagram (default), diagram-backward (gradients of --target flowing back), chain, "
        "dashboard (every panel), or one panel: heatmaps, unit_plot, equations, predictions, gradients",
    )
    parser.add_argument(
        "--frames-per-step", type=_positive_int, default=30, metavar="N", help="frames for each step (default 30)"
    )
    parser.add_argument(
        "--no-phases",
        action="store_true",
        help="show each step complete instead of walking through the cell's phases",
    )
    parser.add_argument(
        "--transparent", action="store_true", help="transparent background (.webm with alpha, .png, .svg, .pdf)"
    )
    parser.add_argument(
        "--theme", choices=("light", "dark"), help="colour theme (default: a session's theme, else light)"
    )
    parser.add_argument(
        "--walkthrough", action="store_true", help="diagram: dim what is not computing and explain each phase"
    )
    parser.add_argument("--select", metavar="UNITS", help="hidden units to highlight, e.g. 0,3")
    parser.add_argument(
        "--target",
        metavar="TARGET",
        default="",
        help="gradients (diagram-backward, gradients views): of this, e.g. loss@-1, c[3]@40, out[0]; "
        "default: the model's prediction at the last step shown",
    )
    parser.add_argument(
        "--no-caption", action="store_true", help="no caption band (model, t = N, input, phase) under the frames"
    )
    parser.add_argument(
        "--no-clobber", action="store_true", help="do not replace an existing file or folder (default: replace it)"
    )
    add_layer_arguments(parser)
    add_intervention_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run_export)


class ProgressBar:
    """``[#####.....]  45%  120/270 frames`` on one line of stderr, redrawn at most 10 times a second.

    Also the export's cancel: it returns False once SIGINT or SIGTERM arrived, so the export stops
    at the next frame, outside Qt, and removes its temporary files (see lstm_explorer.interrupt).
    """

    def __init__(self, stream: TextIO, width: int = 30, *, quiet: bool = False) -> None:
        self.stream = stream
        self.width = width
        self.quiet = quiet
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> bool:
        if interrupt.pending():
            return False
        now = time.monotonic()
        if self.quiet or (done < total and now - self._last < 0.1):
            return True
        self._last = now
        filled = self.width * done // max(total, 1)
        percent = 100 * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%  {done}/{total} frames")
        self.stream.flush()
        self._shown = True
        return True

    def end(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _units(text: str | None, hidden: int) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        units = tuple(int(u) for u in text.replace(" ", ",").split(",") if u)
    except ValueError:
        raise CliError(f"--select {text!r}: expected unit numbers separated by commas") from None
    bad = [u for u in units if not 0 <= u < hidden]
    if bad:
        raise CliError(f"--select: unit {bad[0]} does not exist; the layer has {hidden} units, numbered from 0")
    return units


def _session_step(session, args: argparse.Namespace) -> int:
    """The session's step in the order of the trace exported (a session's t is numbered as its own
    layer and direction read the steps; --layer and --reverse may have chosen another order)."""
    net = session.model.network
    flipped = net.step_order_reversed(*session.layer) != net.step_order_reversed(args.layer, args.reverse)
    return len(session.tokens) - 1 - session.t if flipped else session.t


def _session_still(session, step: int | None) -> tuple[int, int, float] | None:
    """A session's still at its phase; None (the step complete) when it names no phase."""
    if session is None or step is None or session.phase is None:
        return None
    return (step, session.phase, 1.0)


def run_export(args: argparse.Namespace) -> int:
    from ..document import ExplorerDocument
    from ..export import STILLS, TRACES, ExportError, ExportOptions, detect_format, export, parse_steps
    from ..export.options import PRESETS

    preset = PRESETS.get(args.preset) if args.preset else None
    if args.preset and preset is None:
        raise CliError(f"--preset {args.preset!r}: choose one of {', '.join(PRESETS)}")

    try:
        fmt = detect_format(args.out)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    model = load_cli_model(args)
    X = read_cli_input(args, model)
    interventions = read_cli_interventions(args, model, len(X))
    check_cli_layer(args, model, X, layers=model.network.num_layers)  # the document keeps every layer
    session = read_cli_session(args)
    from_session = session is not None and not given_input(args)
    # A still of a session shows its step and phase, unless --steps says otherwise.
    session_still = from_session and args.steps is None and fmt in STILLS
    still_step = _session_step(session, args) if session_still else None
    try:
        steps = parse_steps(str(still_step) if still_step is not None else args.steps, len(X))
    except ExportError as exc:
        raise CliError(f"--{exc}") from None
    text = args.input if model.has_vocabulary and args.input is not None else ""
    vocab = model.vocabulary
    tokens = [vocab[k] for k in vocab.encode(text)] if text and vocab is not None else None
    if from_session:
        text, tokens = session.text, session.tokens
    document = ExplorerDocument.computed(model, X, tokens, text=text, layer=(args.layer, args.reverse))
    if interventions:  # every view then shows the run with the units held (and its Δ against the unheld one)
        document.hold(tuple(interventions))
        document.playback.seek(0)
    if session is not None:
        document.playback.select(session.selected)
    if args.select:
        document.playback.select(_units(args.select, document.network.layer(args.layer, args.reverse).hidden_size))
    # Gradients: --target, else the session's; a session saved in the backward mode keeps its pin.
    document.set_gradient_target(args.target or (session.gradient_target if session is not None else ""))
    if from_session and session.backward_pin is not None:
        document.set_backward(True, session.backward_pin)
    options = ExportOptions(
        out=args.out,
        view=args.view,
        size=args.size or (preset.size if preset else (1280, 720)),
        fps=args.fps or (preset.fps if preset and preset.fps else 30.0),
        steps=steps,
        frames_per_step=args.frames_per_step,
        phases=not args.no_phases,
        transparent=args.transparent,
        theme=args.theme or (session.theme if session is not None else None) or "light",
        selected=document.playback.selected,
        walkthrough=args.walkthrough,
        tokens=tuple(document.shown_tokens),
        format=fmt,
        still_at=_session_still(session, still_step),
        meta={
            "model": model.name,
            "cell": model.kind,
            "layer": args.layer,
            "reverse": args.reverse,
            **({"interventions": [item.describe() for item in interventions]} if interventions else {}),
        },
        caption=not args.no_caption,
        overwrite=not args.no_clobber,
    )
    bar = ProgressBar(sys.stderr, quiet=args.quiet)
    # Qt draws from here on: a signal is only recorded, and the progress callback stops the export.
    with interrupt.deferred():
        app = _ensure_qt() if fmt not in TRACES else None  # noqa: F841 - kept alive while exporting
        try:
            result = export(document, options, bar)
        except ExportError as exc:
            bar.end()
            raise CliError(str(exc)) from None
        except BaseException:
            bar.end()
            raise
    bar.end()
    what = f"{result.frames} frames" if result.frames > 1 else ("1 frame" if result.frames else "the trace")
    print(f"wrote {what} to {result.path} ({result.seconds:.1f} s)", file=sys.stderr)
    return 0


#: Qt messages that say nothing to someone exporting (the offscreen platform lacks window features).
_QUIET_QT_MESSAGES = ("propagateSizeHints",)


def _ensure_qt() -> object:
    """The QApplication (drawing offscreen: export never needs a display); keep it referenced."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def on_message(_kind: object, _context: object, message: str) -> None:
        if not any(part in message for part in _QUIET_QT_MESSAGES):
            print(message, file=sys.stderr)

    qInstallMessageHandler(on_message)
    return QApplication.instance() or QApplication(sys.argv[:1])
