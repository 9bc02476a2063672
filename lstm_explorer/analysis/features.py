"""Features over the input: one number per step, to correlate units with.

A feature is named by a short spec:

* ``depth`` — bracket nesting: ``(``, ``[``, ``{`` open and ``)``, ``]``, ``}`` close; the value at a
  step counts the brackets of the token read at that step; never below 0.
* ``quotes`` — 1 on the characters of a string literal (from its opening quote to its closing one,
  ``"`` or ``'``, a backslash escaping the next character), else 0.
* ``column`` — position in the line, from 0 (a newline character sits at the end of its line).
* ``regex:PATTERN`` — 1 on every step inside a match of PATTERN over the text, else 0.
* ``token:X`` — 1 where the token is X (``\\n``, ``\\t`` and ``\\\\`` may be written escaped).
* ``csv:FILE`` — one number per line, one line per step.

Features are computed from the tokens, so they work for character and word tokenizers alike: the
text is the tokens joined by ``joiner`` (``""`` for characters, ``" "`` for words), and a step's
value for the character features (depth, quotes, column, regex) is read from its token's characters:
depth after its last character, column at its first, quotes and regex 1 if any of its characters is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FEATURE_NAMES = ("depth", "quotes", "column", "regex:PATTERN", "token:X", "csv:FILE")

_OPEN, _CLOSE = "([{", ")]}"


class FeatureError(ValueError):
    """A feature that cannot be computed or correlated: unknown, invalid, wrong length, constant."""


def _spans(tokens: Sequence[str], joiner: str) -> tuple[str, np.ndarray, np.ndarray]:
    """The joined text and each token's [start, end) character offsets in it."""
    starts, ends = np.empty(len(tokens), dtype=np.intp), np.empty(len(tokens), dtype=np.intp)
    position = 0
    for k, token in enumerate(tokens):
        starts[k] = position
        ends[k] = position + len(token)
        position = ends[k] + len(joiner)
    return joiner.join(tokens), starts, ends


def _any_in_span(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per token: 1.0 if any character in its span is marked, from a cumulative count (no loop)."""
    counts = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    return (counts[ends] - counts[starts] > 0).astype(np.float64)


def _depth(text: str, ends: np.ndarray) -> np.ndarray:
    depth = 0
    after = np.empty(len(text) + 1)
    after[0] = 0.0
    for k, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        after[k + 1] = depth
    return after[ends]  # the depth once the token's last character is read


def _quotes(text: str) -> np.ndarray:
    mask = np.zeros(len(text), dtype=bool)
    quote: str | None = None
    escaped = False
    for k, ch in enumerate(text):
        if quote is None:
            if ch in "\"'":
                quote = ch
                mask[k] = True
            continue
        mask[k] = True
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == quote:
            quote = None
    return mask


def _column(text: str, starts: np.ndarray) -> np.ndarray:
    columns = np.empty(len(text) + 1)
    column = 0
    for k, ch in enumerate(text):
        columns[k] = column
        column = 0 if ch == "\n" else column + 1
    columns[len(text)] = column
    return columns[starts]


def _regex(pattern: str, text: str) -> np.ndarray:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise FeatureError(f"regex:{pattern}: invalid regular expression ({exc})") from None
    # +1 at each match's start, −1 at its end: the running sum marks the characters inside a match.
    edges = np.zeros(len(text) + 1, dtype=np.int64)
    for match in compiled.finditer(text):
        if match.end() > match.start():
            edges[match.start()] += 1
            edges[match.end()] -= 1
    return np.cumsum(edges[:-1]) > 0


def _csv(name: str, steps: int, base: Path | None) -> np.ndarray:
    path = Path(name)
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        lines = path.read_text().replace("\r", "").split("\n")
    except OSError as exc:
        raise FeatureError(f"csv:{name}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FeatureError(f"csv:{name}: not a text file") from None
    while lines and not lines[-1].strip():
        lines.pop()
    values = np.empty(len(lines))
    for k, line in enumerate(lines):
        try:
            values[k] = float(line.strip().rstrip(","))
        except ValueError:
            raise FeatureError(f"csv:{name}: line {k + 1}: {line.strip()[:40]!r} is not a number") from None
        if not np.isfinite(values[k]):
            raise FeatureError(f"csv:{name}: line {k + 1}: {line.strip()} is not a finite number")
    if len(values) != steps:
        raise FeatureError(f"csv:{name}: {len(values)} numbers, but the input has {steps} steps (one line per step)")
    return values


def _unescape(token: str) -> str:
    return {"\\n": "\n", "\\t": "\t", "\\\\": "\\", "\\r": "\r"}.get(token, token)


def feature_values(
    spec: str, tokens: Sequence[str] | None, *, steps: int | None = None, joiner: str = "", base: Path | None = None
) -> np.ndarray:
    """The feature ``spec`` at every step, (T,) float64.

    ``tokens`` are the steps as text (None for numeric input: only ``csv:`` applies then);
    ``steps`` is the input's length when there are no tokens; ``base`` is the folder a relative
    ``csv:`` path is read from.
    """
    name, _, argument = spec.partition(":")
    T = len(tokens) if tokens is not None else steps
    if T is None:
        raise ValueError("give the tokens or the number of steps")
    if name == "csv":
        if not argument:
            raise FeatureError("csv:FILE: name the file, one number per line")
        return _csv(argument, T, base)
    if name not in ("depth", "quotes", "column", "regex", "token"):
        raise FeatureError(f"unknown feature {spec!r}; use one of {', '.join(FEATURE_NAMES)}")
    if tokens is None:
        raise FeatureError(f"feature {name} reads text: this input is numbers (use csv:FILE)")
    text, starts, ends = _spans(tokens, joiner)
    if name == "depth":
        return _depth(text, ends)
    if name == "quotes":
        return _any_in_span(_quotes(text), starts, ends)
    if name == "column":
        return _column(text, starts)
    if name == "regex":
        if not argument:
            raise FeatureError("regex:PATTERN: the pattern is empty")
        return _any_in_span(_regex(argument, text), starts, ends)
    if not argument:
        raise FeatureError("token:X: name the token")
    wanted = _unescape(argument)
    return np.array([token == wanted for token in tokens], dtype=np.float64)


def check_varies(spec: str, values: np.ndarray) -> None:
    """Raise FeatureError if the feature has one value at every step (its correlation is undefined)."""
    if len(values) == 0:
        raise FeatureError(f"{spec}: the input is empty")
    if np.all(values == values[0]):
        raise FeatureError(
            f"feature {spec} is {values[0]:g} at every one of the {len(values)} steps: "
            "a correlation with it is undefined; choose a feature that varies over the input"
        )
