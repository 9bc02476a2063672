"""Typed text as a model reads it: one word per step for a word vocabulary (split on whitespace),
re-encoded incrementally from the first change, and where a text's words are (to mark them).
Qt-free; the sequence editor uses it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..sequence import MAX_STEPS, InputError
from .growing_rows import GrowingRows

#: The vocabulary token unknown words are read as (models.vocabulary.UNKNOWN; not imported from
#: there, because the editor is made before the model code loads, after the first paint).
UNKNOWN = "<unk>"


@dataclass(frozen=True)
class EncodedWords:
    """The last text a word model read: its ids, tokens (<unk> for unknown words), the steps of the
    unknown words and X (T, input_size), kept so that the next keystroke re-encodes only its word."""

    model: Any
    text: str
    ids: list[int]
    tokens: list[str]
    unknown: list[int]
    X: np.ndarray


def encode_words(
    model: Any, text: str, last: EncodedWords | None = None, rows: GrowingRows | None = None
) -> EncodedWords:
    """``text`` as ``model`` reads it, one word per step: ids, tokens (<unk> for an unknown word,
    when the vocabulary has it; else InputError naming the word and its step) and X.

    Only the words after the prefix ``text`` shares with ``last.text`` are looked up and embedded
    again: a keystroke at the end costs one word, whatever the length (the rest is list slicing;
    X grows in ``rows`` without a copy, when given)."""
    vocab = model.vocabulary
    words = text.split()
    if not words:
        raise InputError("the sequence is empty")
    if len(words) > MAX_STEPS:
        raise InputError(f"{len(words)} words, more than {MAX_STEPS}; split the sequence")
    keep = 0
    if last is not None and last.model is model:
        p = common_prefix(last.text, text)
        keep = len(text[:p].split())
        if keep and not text[p - 1].isspace():
            keep -= 1  # the word at the boundary may go on differently in the two texts
    else:
        last = None
    id_of, unknown_id = vocab.id_of, vocab.unknown_id
    ids = last.ids[:keep] if last is not None else []
    tokens = last.tokens[:keep] if last is not None else []
    unknown = [k for k in last.unknown if k < keep] if last is not None else []
    for k in range(keep, len(words)):
        word = words[k]
        token_id = id_of(word)
        if token_id is None:
            if unknown_id is None:
                raise InputError(f"word {word!r} is not in the vocabulary (and it has no {UNKNOWN})", k + 1)
            token_id, word = unknown_id, UNKNOWN
            unknown.append(k)
        ids.append(token_id)
        tokens.append(word)
    tail = model.encode_tokens(ids[keep:])
    if rows is None:
        X = np.concatenate([last.X[:keep], tail]) if last is not None else tail
    else:
        X = rows.join(last.X[:keep], tail) if last is not None else rows.start(tail)
    return EncodedWords(model, text, ids, tokens, unknown, X)


def common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of two strings (vectorised: 10 000 characters in µs)."""
    n = min(len(a), len(b))
    if n == 0:
        return 0
    x = np.frombuffer(a[:n].encode("utf-32-le"), dtype=np.uint32)
    y = np.frombuffer(b[:n].encode("utf-32-le"), dtype=np.uint32)
    differs = np.flatnonzero(x != y)
    return int(differs[0]) if differs.size else n


def word_spans(text: str, words: set[str], limit: int = 2000) -> list[tuple[int, int]]:
    """(offset, length) of every occurrence of ``words`` as a whole word, in text order (the first
    ``limit``). Each word is one C-level scan of the text instead of a Python step per word of the
    text (10 000 words: ~1 ms rather than ~15 ms per keystroke)."""
    spans: list[tuple[int, int]] = []
    for word in sorted(words)[:limit]:
        pattern = re.compile(rf"(?<!\S){re.escape(word)}(?!\S)")
        spans += [(m.start(), len(word)) for m in pattern.finditer(text)]
    return sorted(spans)[:limit]


def words_label(vocab: Any) -> str:
    """The editor's line above the text for a word vocabulary (HTML)."""
    unknown = f", others are read as {_escape(UNKNOWN)}" if vocab.unknown_id is not None else ""
    return f"<b>Words</b>: one word per step, separated by spaces; {len(vocab)} words in the vocabulary{unknown}."


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
