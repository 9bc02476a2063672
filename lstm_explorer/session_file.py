"""Saved sessions (``.lstmx``): the explorer document serialised as JSON, so that a moment can be
opened again, exported from the command line, or written by a script.

::

    {"format": "lstm-explorer-session/1", "model": "brackets", "input": "(a(b)c)",
     "layer": 0, "direction": "forward", "t": 3, "phase": 4, "selected": [12], ...}

Only ``model``, ``input``, ``t`` and ``selected`` are required (the README has the table of keys
and defaults). :func:`read_session` checks every field and loads the model, with one-line
:class:`SessionError` messages naming the field; :func:`session_document` builds the document it
describes and :func:`session_data` describes a document. Qt-free: the window adds its theme and
panel layout, which are plain values here.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .document import ExplorerDocument, Key
from .session_model import SessionError, expect_type, load_model_entry, model_entry

if TYPE_CHECKING:
    from .models.model import Model

SESSION_FORMAT = "lstm-explorer-session/1"
SESSION_SUFFIX = ".lstmx"
#: The themes a session may name (the window's views/theme.py THEMES; a test keeps them equal).
THEME_NAMES = ("light", "dark")
DIRECTIONS = ("forward", "backward")
REQUIRED = ("model", "input", "t", "selected")
OPTIONAL = (
    "format",
    "vocabulary",
    "layer",
    "direction",
    "phase",
    "interventions",
    "gradient_target",
    "backward_pin",
    "theme",
    "layout",
)
#: Bigger files are refused before reading (embedded weights of a very large model).
MAX_SESSION_BYTES = 512 * 1024 * 1024

__all__ = ["SESSION_FORMAT", "SESSION_SUFFIX", "OpenedSession", "SessionError", "is_session_path"]


def is_session_path(spec: object) -> bool:
    return isinstance(spec, str | Path) and str(spec).lower().endswith(SESSION_SUFFIX)


@dataclass
class OpenedSession:
    """A session file read, checked against its model, and ready to show."""

    model: Model
    #: What the window remembers the model by (a bundled name, a cell kind, a file's path).
    model_key: str
    text: str
    X: np.ndarray  # (T, input_size): what the first layer reads
    tokens: list[str]
    layer: Key
    t: int  # in the shown direction's order, as the transport shows it
    phase: int | None  # None: the step complete
    selected: tuple[int, ...]
    interventions: tuple[Any, ...]  # engine Interventions (held units)
    gradient_target: str  # as written in the Gradients panel; "" the model's default
    backward_pin: int | None  # the diagram's backward mode, its target pinned at this step; None: off
    theme: str | None  # None: leave the theme as it is
    layout: bytes | None  # the window's saveState(), when saved


# -- reading ---------------------------------------------------------------------------------------


def read_session(path: str | Path) -> OpenedSession:
    """Read and check ``path``; raises :class:`SessionError` (``NAME: field: problem``)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SessionError(f"{path.name}: not a file")
        if size > MAX_SESSION_BYTES:
            raise SessionError(f"{path.name}: {size / 1e6:.0f} MB is too large for a session file")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise SessionError(f"{path}: no such file") from None
    except OSError as exc:
        raise SessionError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SessionError(f"{path.name}: not a session file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"{path.name}: not a session file (invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    try:
        return parse_session(data, path.parent)
    except SessionError as exc:
        raise SessionError(f"{path.name}: {exc}") from None


def parse_session(data: Any, folder: Path) -> OpenedSession:
    """Check a session's fields (types first, then against the model) and load its model."""
    expect_type(data, dict, "session", "a JSON object")
    _check_format(data.get("format", SESSION_FORMAT))
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise SessionError(f"unknown key {unknown[0]!r} (known: {', '.join(REQUIRED + OPTIONAL)})")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise SessionError(f"{missing[0]}: required (a session needs {', '.join(REQUIRED)})")
    t = expect_type(data["t"], int, "t", "a whole number (the time step, from 0)")
    selected = expect_type(data["selected"], list, "selected", "a list of unit numbers, e.g. [12]")
    for unit in selected:
        expect_type(unit, int, "selected", "a list of unit numbers, e.g. [12]")
    layer = expect_type(data.get("layer", 0), int, "layer", "a whole number (from 0)")
    direction = expect_type(data.get("direction", "forward"), str, "direction", "'forward' or 'backward'")
    if direction not in DIRECTIONS:
        raise SessionError(f"direction: expected 'forward' or 'backward', got {direction!r}")
    phase = data.get("phase")
    if phase is not None:
        expect_type(phase, int | str, "phase", "a phase number (from 0) or a phase's name")
    interventions = expect_type(data.get("interventions", []), list, "interventions", "a list of strings")
    for item in interventions:
        expect_type(item, str, "interventions", 'a list of strings such as "c[12]=0"')
    gradient_target = expect_type(data.get("gradient_target", ""), str, "gradient_target", "a target such as loss@-1")
    _check_target(gradient_target)
    backward_pin = data.get("backward_pin")
    if backward_pin is not None:
        expect_type(backward_pin, int, "backward_pin", "a whole number (the step the target is pinned at)")
    theme = data.get("theme")
    if theme is not None and expect_type(theme, str, "theme", "a theme's name") not in THEME_NAMES:
        raise SessionError(f"theme: unknown theme {theme!r} (known: {', '.join(THEME_NAMES)})")
    layout = _decode_layout(data.get("layout"))
    vocabulary = data.get("vocabulary")
    if vocabulary is not None:
        expect_type(vocabulary, str | list, "vocabulary", "a string of characters or a list of tokens (index = id)")

    model, key = load_model_entry(data["model"], folder)
    if vocabulary is not None and vocabulary != model.vocabulary:
        model = _with_vocabulary(model, vocabulary)
    X, tokens, text = _read_input(data["input"], model)
    net, steps = model.network, len(X)
    if not 0 <= layer < net.num_layers:
        raise SessionError(f"layer: {layer} is out of range; the model has {net.num_layers} layer(s), numbered from 0")
    if direction == "backward" and not net.bidirectional:
        raise SessionError("direction: 'backward', but the model is not bidirectional")
    for name, step in (("t", t), ("backward_pin", backward_pin)):
        if step is not None and not 0 <= step < steps:
            raise SessionError(f"{name}: {step} is out of range; the input has {steps} steps (t = 0 to {steps - 1})")
    hidden = net.layer(layer, direction == "backward").hidden_size
    bad = [u for u in selected if not 0 <= u < hidden]
    if bad:
        raise SessionError(f"selected: unit {bad[0]} is out of range; the layer has {hidden} units (0 to {hidden - 1})")
    return OpenedSession(
        model=model,
        model_key=key,
        text=text,
        X=X,
        tokens=tokens,
        layer=(layer, direction == "backward"),
        t=t,
        phase=None if phase is None else _phase_index(phase, model),
        selected=tuple(dict.fromkeys(selected)),
        interventions=_read_interventions(interventions, model, steps),
        gradient_target=gradient_target.strip(),
        backward_pin=backward_pin,
        theme=theme,
        layout=layout,
    )


def _check_target(text: str) -> None:
    """The target's syntax (without ``@STEP`` it follows the position, as in the Gradients panel);
    whether it fits the model is said where it is computed, as for a target typed there."""
    from .engine.targets import TargetError, parse_target

    if text.strip():
        try:
            parse_target(text if "@" in text else f"{text.strip()}@0")
        except TargetError as exc:
            raise SessionError(f"gradient_target: {exc}") from None


def _check_format(value: Any) -> None:
    expect_type(value, str, "format", f"{SESSION_FORMAT!r}")
    if value == SESSION_FORMAT:
        return
    family, _, version = value.rpartition("/")
    if family == SESSION_FORMAT.rpartition("/")[0]:
        raise SessionError(f"format: version {version!r} is not one this LSTM Explorer reads ({SESSION_FORMAT})")
    raise SessionError(f"format: {value!r} is not an LSTM Explorer session ({SESSION_FORMAT})")


def _decode_layout(value: Any) -> bytes | None:
    if value is None:
        return None
    expect_type(value, str, "layout", "base64 text (the window's saved panel layout)")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SessionError("layout: not valid base64") from None


def _with_vocabulary(model: Model, vocabulary: str | list[Any]) -> Model:
    """``model`` reading ``vocabulary``: a string is characters, a list is tokens (words)."""
    from .models.vocabulary import Vocabulary

    try:
        return model.with_vocabulary(Vocabulary(list(vocabulary)))
    except ValueError as exc:  # VocabularyError, or WeightsError when the sizes disagree
        raise SessionError(f"vocabulary: {exc}") from None


def _vocabulary_entry(model: Model) -> str | list[str] | None:
    vocab = model.vocabulary
    if vocab is None:
        return None
    return "".join(vocab) if vocab.is_characters else list(vocab)


def _read_interventions(texts: list[str], model: Model, steps: int) -> tuple[Any, ...]:
    """Held units, written in the ``--set`` syntax (``c[12]=0``), checked against the model."""
    from .engine.interventions import InterventionError, parse_intervention

    held = []
    for text in texts:
        try:
            item = parse_intervention(text, steps)
            model.network.check_interventions([item], steps)
        except InterventionError as exc:
            message = str(exc).removeprefix(f"--set {text}: ")
            raise SessionError(f"interventions: {text!r}: {message}") from None
        held.append(item)
    return tuple(held)


def _intervention_text(item: Any) -> str:
    from .engine.interventions import format_intervention

    return item if isinstance(item, str) else format_intervention(item)


def _read_input(value: Any, model: Model) -> tuple[np.ndarray, list[str], str]:
    """(X, tokens, text): text for a model with a vocabulary, numbers otherwise (a string as the
    editor takes it, or a list of steps, each a list of values)."""
    from .sequence import InputError, check_array, parse_numeric

    try:
        vocab = model.vocabulary
        if isinstance(value, str):
            if vocab is not None:
                ids = vocab.encode(value)
                return model.encode_tokens(ids), [vocab[k] for k in ids], value
            X = parse_numeric(value, model.input_size)
            return X, _numeric_tokens(X), value
        expect_type(value, list, "input", "text, or a list of steps (each a list of numbers)")
        if vocab is not None:
            raise SessionError(f"input: {model.name} reads text; give the input as a string")
        rows = [expect_type(row, list, "input", "a list of steps, each a list of numbers") for row in value]
        for row in rows:
            for number in row:
                expect_type(number, int | float, "input", "a list of steps, each a list of numbers")
        if len({len(row) for row in rows}) > 1:
            raise SessionError("input: every step needs the same number of values")
        X = check_array(np.array(rows, dtype=np.float64), model.input_size)
        return X, _numeric_tokens(X), ""
    except InputError as exc:
        raise SessionError(f"input: {exc}") from None


def _numeric_tokens(X: np.ndarray) -> list[str]:
    return [", ".join(f"{v:.3g}" for v in row) for row in X]


def _phase_index(phase: int | str, model: Model) -> int:
    phases = model.network.graph.phases
    if isinstance(phase, str):
        titles = [p.title.lower() for p in phases]
        if phase.lower() not in titles:
            raise SessionError(f"phase: {phase!r} is not a phase of this cell ({', '.join(p.title for p in phases)})")
        return titles.index(phase.lower())
    if not 0 <= phase < len(phases):
        count = len(phases)
        raise SessionError(f"phase: {phase} is out of range; the cell has {count} phases (0 to {count - 1})")
    return phase


# -- the document ----------------------------------------------------------------------------------


def session_document(opened: OpenedSession) -> ExplorerDocument:
    """The document a session describes, computed (with its held units), at its step, phase and
    selection."""
    document = ExplorerDocument.computed(opened.model, opened.X, opened.tokens, text=opened.text, layer=opened.layer)
    document.model_key = opened.model_key
    hold(document, opened)
    place(document, opened)
    return document


def hold(document: ExplorerDocument, opened: OpenedSession) -> None:
    """Recompute ``document`` (showing the session's model and input) with the session's held units."""
    if opened.interventions:  # (the unheld run is kept: the predictions show the change against it)
        document.hold(tuple(opened.interventions))


def place(document: ExplorerDocument, opened: OpenedSession) -> None:
    """Put ``document`` (already showing the session's model and input) at its layer, step, phase
    and selection."""
    document.set_layer(opened.layer)
    document.set_gradient_target(opened.gradient_target)
    document.set_backward(opened.backward_pin is not None, opened.backward_pin)
    document.playback.seek(opened.t, opened.phase)
    document.playback.select(opened.selected)


def session_data(
    document: ExplorerDocument,
    folder: str | Path,
    *,
    embed: bool = False,
    theme: str | None = None,
    layout: bytes | None = None,
) -> dict[str, Any]:
    """The JSON object describing ``document``; file paths relative to ``folder`` when inside it."""
    model = document.model
    if model is None or document.trace is None:
        raise SessionError("there is nothing to save: no model or no computed input")
    state = document.playback.state
    data: dict[str, Any] = {
        "format": SESSION_FORMAT,
        "model": model_entry(model, document.model_key, Path(folder), embed=embed),
    }
    vocabulary = _vocabulary_entry(model)
    if vocabulary is not None:
        data["vocabulary"] = vocabulary
    data["input"] = document.text if document.text else document.X.tolist()
    data.update(
        layer=document.layer[0],
        direction=DIRECTIONS[document.layer[1]],
        t=state.t,
        phase=state.phase,
        selected=list(state.selected),
        interventions=[_intervention_text(item) for item in document.interventions],
    )
    if document.gradient_target:
        data["gradient_target"] = document.gradient_target
    if document.backward:
        data["backward_pin"] = document.backward_step
    if theme is not None:
        data["theme"] = theme
    if layout is not None:
        data["layout"] = base64.b64encode(layout).decode("ascii")
    return data


def write_session(path: str | Path, data: dict[str, Any]) -> Path:
    """Write atomically: the file appears complete under its name, or not at all."""
    from .atomic import atomic_path  # tempfile and shutil: not needed before the first save

    path = Path(path)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path
