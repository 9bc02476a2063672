"""The command line: ``lstm-explorer`` opens the window; subcommands work with no display.

Every error a user can cause is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from . import __version__

EXIT_USAGE = 2

#: Subcommand modules in lstm_explorer/commands/, each with ``register(subparsers)``.
COMMANDS = ("trace", "models", "train", "export", "info", "units", "gradients")


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line (no usage block) and whose values may start with a minus.

    argparse takes ``-3:`` for an option unless it looks like a negative number; no option here
    starts with a digit, so anything that does (``--steps -3:``, ``--input -1,2``) is a value.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a cell kind with random weights (lstm, gru, rnn, peephole, coupled, gru-classic, mingru, "
        "rnn-relu), a bundled model name, a weights file (.safetensors, .npz, .pt, .pth, .bin, .ckpt, "
        ".keras, .weights.h5, .onnx), or a saved session (.lstmx: its model, and its input unless one is given)",
    )
    parser.add_argument("--cell", help="cell kind, overriding what the file's shapes suggest")
    parser.add_argument(
        "--vocab",
        metavar="FILE",
        help="the model's tokens: .json (a list in id order, or an object token → id) or .txt (one per line); "
        "single characters make a character tokenizer, anything else splits words on whitespace",
    )
    parser.add_argument("--module", metavar="NAME", help="which recurrent module, when the file holds several")
    parser.add_argument("--hidden", type=int, default=16, help="hidden size for random weights (default 16)")
    parser.add_argument("--input-size", type=int, default=8, help="input size for random weights (default 8)")
    parser.add_argument("--layers", type=int, default=1, help="layers for random weights (default 1)")
    parser.add_argument("--bidirectional", action="store_true", help="random weights in both directions")
    parser.add_argument("--seed", type=int, default=0, help="seed for random weights (default 0)")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    # Not required by argparse: a session file as MODEL brings its input (read_cli_input checks).
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--input",
        metavar="TEXT",
        help="text for models with a vocabulary, otherwise numbers: steps separated by ';' "
        "or newlines, values by commas or spaces",
    )
    group.add_argument(
        "--input-file",
        metavar="FILE",
        help="a .npy or .csv file of shape (steps, values); for a model that reads tokens, a .npy of integer "
        "token ids of shape (steps,)",
    )
    group.add_argument("--tokens", metavar="IDS", help='token ids, for a model that reads tokens: "3 17 5"')


def read_cli_session(args: argparse.Namespace):
    """The saved session named as MODEL (``FILE.lstmx``), read once; None for any other MODEL.

    Its layer and direction stand in for --layer and --reverse unless those were given."""
    from .session_file import SessionError, is_session_path, read_session

    if not is_session_path(args.model):
        return None
    if getattr(args, "opened_session", None) is None:
        try:
            args.opened_session = read_session(args.model)
        except SessionError as exc:
            raise CliError(str(exc)) from None
        if not getattr(args, "layer", 0) and not getattr(args, "reverse", False):
            args.layer, args.reverse = args.opened_session.layer
    return args.opened_session


def load_cli_model(args: argparse.Namespace, *, announce: bool = True):
    """The MODEL argument as a Model; what it assumes is printed on stderr, one line each."""
    # Imported here for start-up time: `lstm-explorer` (the window) and --help need no model code.
    from .engine.weights import WeightsError
    from .models import ModelFileError, VocabularyError, read_vocabulary_file, resolve_model
    from .models.resolve import is_variant_name

    session = read_cli_session(args)
    if session is not None:
        return session.model
    try:
        vocabulary = read_vocabulary_file(args.vocab) if args.vocab else None
        if is_variant_name(args.model):
            require_random_weights_memory(args)
        model = resolve_model(
            args.model,
            cell=args.cell,
            input_size=args.input_size,
            hidden_size=args.hidden,
            num_layers=args.layers,
            bidirectional=args.bidirectional,
            seed=args.seed,
            module=args.module,
            vocabulary=vocabulary,
        )
    except (ModelFileError, WeightsError, VocabularyError, ValueError) as exc:
        raise CliError(str(exc)) from None
    if announce:
        for assumption in model.assumptions:
            print(f"lstm-explorer: note: {model.name}: {assumption.message()}", file=sys.stderr)
    return model


def given_input(args: argparse.Namespace) -> bool:
    """Whether --input, --input-file or --tokens was given (else a session's input is used)."""
    return any(getattr(args, name, None) is not None for name in ("input", "input_file", "tokens"))


def require_random_weights_memory(args: argparse.Namespace) -> None:
    """Refuse --hidden/--input-size/--layers whose random weights cannot fit, before allocating them."""
    from .models.safe_read import require_memory

    H, n_in, layers = args.hidden, args.input_size, args.layers
    if min(H, n_in, layers) < 1:
        raise CliError("--hidden, --input-size and --layers must be at least 1")
    directions = 2 if args.bidirectional else 1
    # At most 4 stacked gates: (4H, in) + (4H, H) + 2·(4H,) per layer and direction, float64.
    per_direction = 4 * H * (max(n_in, H * directions) + H + 2)
    require_memory(8 * per_direction * layers * directions, f"random weights of hidden size {H}")


def _reads_tokens(model) -> bool:
    return bool(model.has_vocabulary or model.embedding is not None)


def read_cli_input(args: argparse.Namespace, model) -> np.ndarray:
    """The sequence the first layer reads, from --input, --tokens or --input-file."""
    # Imported here for start-up time, as in load_cli_model.
    from .inputfile import read_csv_input, read_npy_input
    from .models import ModelFileError
    from .models.vocabulary import check_token_ids, parse_token_ids
    from .sequence import InputError, check_array, parse_numeric

    if not given_input(args):
        session = read_cli_session(args)
        if session is None:
            raise CliError(
                "the input is missing: give --input TEXT, --input-file FILE or --tokens IDS "
                "(or a session file as MODEL)"
            )
        return session.X
    try:
        if getattr(args, "tokens", None) is not None:
            if not _reads_tokens(model):
                raise CliError(f"--tokens: {model.name} reads numbers, not tokens (it has no embedding or vocabulary)")
            return model.encode_tokens(parse_token_ids(args.tokens, model.token_count))
        if args.input is not None:
            if model.has_vocabulary:
                return np.asarray(model.encode_text(args.input))
            if model.embedding is not None:
                raise CliError(
                    f"--input: {model.name} reads token ids through an embedding of {model.token_count} rows but has "
                    'no vocabulary; give --vocab FILE, or the ids with --tokens "3 17 5"'
                )
            return parse_numeric(args.input, model.input_size)
        path = Path(args.input_file)
        if path.suffix.lower() == ".npy":
            data = read_npy_input(path)
        elif path.suffix.lower() == ".csv":
            return parse_numeric(read_csv_input(path), model.input_size)
        else:
            raise CliError(f"{path.name}: unknown input format {path.suffix!r}; use .npy or .csv")
        if _reads_tokens(model) and data.ndim == 1 and np.issubdtype(data.dtype, np.integer):
            return model.encode_tokens(check_token_ids(data.tolist(), model.token_count))
        return check_array(data, model.input_size, source=path.name)
    except ModelFileError as exc:  # not a regular file, unreadable …
        raise CliError(str(exc)) from None
    except InputError as exc:
        raise CliError(f"input: {exc}") from None


def add_layer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layer", type=int, default=0, help="which layer to show (default 0)")
    parser.add_argument(
        "--reverse", action="store_true", help="the backward direction (steps in the order the cell read them)"
    )


def add_intervention_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="[LAYER[r]:]NODE[UNITS]=VALUE[@A:B]",
        help="hold units of a node at a value, e.g. c[3]=0, f[*]=1@10:20, 1:h[0,4]=0.5 (layer 1), "
        "0r:o[2:6]=1 (layer 0, reverse direction); UNITS: an index, a:b, a list 3,7 or *; @A:B: steps "
        "A to B−1 (negative counts from the end; default every step); repeatable",
    )


def read_cli_interventions(args: argparse.Namespace, model, steps: int) -> tuple:
    """The --set interventions, checked against the model and a ``steps``-long input; without
    --set, a session's held units (when its input is the one used)."""
    from .engine.interventions import InterventionError, parse_intervention

    session = read_cli_session(args)
    if not args.set and session is not None and not given_input(args):
        return session.interventions
    items = []
    for text in args.set:
        try:
            item = parse_intervention(text, steps)
            model.network.check_interventions([item], steps)
        except InterventionError as exc:
            message = str(exc)
            raise CliError(message if message.startswith("--set") else f"--set {text}: {message}") from None
        items.append(item)
    return tuple(items)


def array_out_path(args: argparse.Namespace) -> Path:
    """The --out of a command that writes named arrays (.npz, .csv or .json), checked before any work."""
    from .tracefile import TRACE_FORMATS  # numpy's writers: not needed to parse the arguments

    out = Path(args.out)
    if out.suffix.lower() not in TRACE_FORMATS:
        raise CliError(f"{out.name}: unknown output format {out.suffix!r}; use {', '.join(TRACE_FORMATS)}")
    return out


def check_cli_layer(args: argparse.Namespace, model, X: np.ndarray, layers: int | None = None) -> None:
    """--layer and --reverse name a layer and direction of ``model``, and the traces of ``layers``
    layers (default: up to --layer) of ``X`` fit in memory."""
    from .models.safe_read import require_memory

    network = model.network
    if not 0 <= args.layer < network.num_layers:
        raise CliError(f"--layer {args.layer}: the model has {network.num_layers} layer(s), numbered from 0")
    if args.reverse and not network.bidirectional:
        raise CliError("--reverse: the model is not bidirectional")
    # Every node of every layer up to --layer, in each direction, is kept: (T, width) float64 each.
    widths = sum(network.graph.width(name, network.input_size, network.hidden_size) for name in network.graph.names)
    try:
        layers = args.layer + 1 if layers is None else layers
        require_memory(8 * len(X) * widths * layers * len(network.directions), f"a trace of {len(X)} steps")
    except ValueError as exc:
        raise CliError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="lstm-explorer", description="Watch an LSTM think, gate by gate.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name in COMMANDS:
        import_module(f"{__package__}.commands.{name}").register(sub)

    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="lstm-explorer",
        description="Open the LSTM Explorer window.",
        epilog=f"Subcommands: {', '.join(COMMANDS)} (run 'lstm-explorer COMMAND --help').",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "model", nargs="?", help="a model to open (a weights file or a bundled model name) or a session (.lstmx)"
    )
    parser.add_argument(
        "--install-desktop",
        action="store_true",
        help="add LSTM Explorer to the desktop's menu for this user ($XDG_DATA_HOME or ~/.local/share) and exit",
    )
    parser.add_argument("--module", metavar="NAME", help="which recurrent module, when the file holds several")
    parser.add_argument("--vocab", metavar="FILE", help="the model's tokens (.json or .txt), as for trace")
    parser.add_argument("--cell", help="cell kind, overriding what the file's shapes suggest")
    return parser


def run_gui(args: argparse.Namespace) -> int:
    if args.install_desktop:
        return install_desktop_entry()
    from .app import run_app

    chosen = {"module": args.module, "vocab": args.vocab, "cell": args.cell}
    given = [f"--{name}" for name, value in chosen.items() if value]
    if given and not args.model:
        raise CliError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} a MODEL file")
    if args.vocab and not Path(args.vocab).is_file():
        raise CliError(f"--vocab {args.vocab}: no such file")
    return run_app(model=args.model, module=args.module, vocabulary=args.vocab, cell=args.cell)


def install_desktop_entry() -> int:
    from .desktop import DesktopError, install_desktop

    try:
        written = install_desktop()
    except DesktopError as exc:
        raise CliError(str(exc)) from None
    for path in written:
        print(f"wrote {path}")
    mime = next((p.parent.parent for p in written if p.parent.name == "packages"), None)
    print(
        f"LSTM Explorer is in the applications menu; for .lstmx files to open with it, run: update-mime-database {mime}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    handler: Callable[[argparse.Namespace], int]
    try:
        if argv and argv[0] in COMMANDS:  # each module registers the subcommand of its own name
            args = build_parser().parse_args(argv)
            handler = args.handler
        else:
            args = build_gui_parser().parse_args(argv)
            handler = run_gui
    except SystemExit as exc:
        if exc.code in (0, None):  # --help, --version
            raise
        return EXIT_USAGE  # a usage error, already printed on one line
    from .interrupt import Interrupted, handle_signals
    from .threads import limit_blas_threads

    limit_blas_threads(1)  # the GUI, export and long traces all run matrix-vector products
    try:
        with handle_signals() if handler is not run_gui else contextlib.nullcontext():
            return handler(args)
    except CliError as exc:
        print(f"lstm-explorer: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(
            "lstm-explorer: error: not enough memory for this; try a shorter input or a smaller model", file=sys.stderr
        )
        return EXIT_USAGE
    except Interrupted as exc:
        print("lstm-explorer: interrupted", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lstm-explorer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
