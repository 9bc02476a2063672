"""A model's tokens: a vocabulary (token id → token) and the tokenizer it implies.

All tokens single characters → text is read character by character; otherwise it is split on
whitespace into words, and a word outside the vocabulary becomes ``<unk>`` when the vocabulary has
it (else it is an error naming the word's step). Vocabulary files: ``.json`` (a list of tokens in
id order, or an object token → id) or ``.txt`` (one token per line).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..sequence import MAX_STEPS, InputError

UNKNOWN = "<unk>"
#: Largest vocabulary file read (bytes): far above any real vocabulary, far below a mistaken file.
MAX_VOCABULARY_BYTES = 64 * 1024 * 1024


class VocabularyError(ValueError):
    """A vocabulary that cannot be used: one line naming the file (when there is one) and the problem."""


class Vocabulary(Sequence[str]):
    """Tokens in id order. Iterating, indexing and ``len`` work as on a list of tokens; a character
    vocabulary also equals the string of its characters."""

    def __init__(self, tokens: Sequence[str], *, source: str = "") -> None:
        tokens = tuple(tokens)
        where = f"{source}: " if source else ""
        if not tokens:
            raise VocabularyError(f"{where}the vocabulary is empty")
        for k, token in enumerate(tokens):
            if not isinstance(token, str) or token == "":
                raise VocabularyError(f"{where}token {k} is empty")
        seen: dict[str, int] = {}
        for k, token in enumerate(tokens):
            if token in seen:
                raise VocabularyError(f"{where}token {token!r} appears twice (ids {seen[token]} and {k})")
            seen[token] = k
        self.tokens = tokens
        self.source = source
        self._ids = seen
        self.is_characters = all(len(t) == 1 for t in tokens)
        if not self.is_characters:
            spaced = next((t for t in tokens if t.split() != [t]), None)
            if spaced is not None:
                raise VocabularyError(
                    f"{where}token {spaced!r} contains whitespace; words are split on whitespace, "
                    "so it could never be typed"
                )

    # --- a sequence of tokens -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index):
        return self.tokens[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._ids

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Vocabulary):
            return self.tokens == other.tokens
        if isinstance(other, str):
            return self.is_characters and "".join(self.tokens) == other
        if isinstance(other, list | tuple):
            return self.tokens == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} {self.kind})"

    # --- tokenizing -----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``characters`` or ``words``: how text is split into tokens."""
        return "characters" if self.is_characters else "words"

    @property
    def unknown_id(self) -> int | None:
        return self._ids.get(UNKNOWN)

    def id_of(self, token: str) -> int | None:
        return self._ids.get(token)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; a token outside the vocabulary raises InputError at its place."""
        if not text or (not self.is_characters and not text.split()):
            raise InputError("the sequence is empty")
        if self.is_characters:
            return self._encode_characters(text)
        return self._encode_words(text)

    def _encode_characters(self, text: str) -> list[int]:
        if len(text) > MAX_STEPS:
            raise InputError(f"{len(text)} characters, more than {MAX_STEPS}; split the sequence")
        ids = []
        for offset, ch in enumerate(text):
            token_id = self._ids.get(ch)
            if token_id is None:
                shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in self.tokens)
                # One character per step: its offset is its step t (counted from 0, as everywhere).
                raise InputError(f"{ch!r} is not in the vocabulary {shown!r}", step=offset, offset=offset)
            ids.append(token_id)
        return ids

    def _encode_words(self, text: str) -> list[int]:
        ids: list[int] = []
        offset = 0
        unknown = self.unknown_id
        for step, word in enumerate(text.split()):  # step: t of this word, counted from 0
            if step >= MAX_STEPS:
                raise InputError(f"more than {MAX_STEPS} words; split the sequence")
            offset = text.index(word, offset)
            token_id = self._ids.get(word, unknown)
            if token_id is None:
                raise InputError(
                    f"word {word!r} is not in the vocabulary (and it has no {UNKNOWN})", step, None, offset
                )
            ids.append(token_id)
            offset += len(word)
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        """Tokens of ``ids`` joined as the tokenizer splits them (no separator for characters)."""
        return ("" if self.is_characters else " ").join(self.tokens[int(k)] for k in ids)

    # --- storage --------------------------------------------------------------------------------

    def to_metadata(self) -> dict[str, str]:
        """Bundle metadata: ``vocabulary`` (the characters, as bundles always stored them) or
        ``vocabulary_tokens`` (a JSON list, for word vocabularies; older readers ignore it)."""
        if self.is_characters:
            return {"vocabulary": "".join(self.tokens)}
        return {"vocabulary_tokens": json.dumps(list(self.tokens), ensure_ascii=False)}

    @classmethod
    def from_metadata(cls, metadata: dict[str, str]) -> Vocabulary | None:
        if metadata.get("vocabulary_tokens"):
            try:
                tokens = json.loads(metadata["vocabulary_tokens"])
            except ValueError as exc:
                raise VocabularyError(f"metadata vocabulary_tokens is not JSON ({exc})") from None
            if not isinstance(tokens, list):
                raise VocabularyError("metadata vocabulary_tokens is not a list of tokens")
            return cls(tokens)
        if metadata.get("vocabulary"):
            return cls(list(metadata["vocabulary"]))
        return None


def read_vocabulary_file(path: str | Path) -> Vocabulary:
    """A ``.json`` list / object token → id, or a ``.txt`` file with one token per line."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise VocabularyError(f"{name}: no such file" if not path.exists() else f"{name}: not a regular file")
    if path.stat().st_size > MAX_VOCABULARY_BYTES:
        raise VocabularyError(f"{name}: larger than {MAX_VOCABULARY_BYTES // 2**20} MiB; not a vocabulary")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{name}: cannot read it as UTF-8 text ({exc})") from None
    suffix = path.suffix.lower()
    if suffix == ".txt":
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final newline ends the last line; it is not an empty token
        return Vocabulary([line.removesuffix("\r") for line in lines], source=name)
    if suffix != ".json":
        raise VocabularyError(f"{name}: unknown vocabulary format {path.suffix!r}; use .json or .txt")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise VocabularyError(f"{name}: not valid JSON ({exc})") from None
    if isinstance(data, list):
        return Vocabulary(data, source=name)
    if isinstance(data, dict):
        return Vocabulary(_tokens_by_id(data, name), source=name)
    raise VocabularyError(f"{name}: expected a list of tokens or an object token → id, not {type(data).__name__}")


def _tokens_by_id(mapping: dict[str, object], name: str) -> list[str]:
    ids: dict[int, str] = {}
    for token, token_id in mapping.items():
        if not isinstance(token_id, int) or isinstance(token_id, bool) or token_id < 0:
            raise VocabularyError(f"{name}: token {token!r} has id {token_id!r}, not a non-negative integer")
        if token_id in ids:
            raise VocabularyError(f"{name}: tokens {ids[token_id]!r} and {token!r} share id {token_id}")
        ids[token_id] = token
    missing = next((k for k in range(len(ids)) if k not in ids), None)
    if missing is not None:
        raise VocabularyError(f"{name}: no token has id {missing}; ids must run 0..{len(ids) - 1}")
    return [ids[k] for k in range(len(ids))]


def parse_token_ids(text: str, rows: int) -> list[int]:
    """``"3 17 5"`` (spaces or commas) as token ids in 0..rows−1, with the step of a bad one."""
    ids = []
    for step, piece in enumerate(text.replace(",", " ").split()):  # step: t, counted from 0
        try:
            ids.append(int(piece))
        except ValueError:
            raise InputError(f"{piece!r} is not a token id (an integer)", step) from None
    return check_token_ids(ids, rows)


def check_token_ids(ids: Sequence[int], rows: int) -> list[int]:
    """Token ids, each in 0..rows−1 (the embedding's rows); a bad one is reported with its step."""
    if len(ids) == 0:
        raise InputError("the sequence is empty")
    if len(ids) > MAX_STEPS:
        raise InputError(f"{len(ids)} tokens, more than {MAX_STEPS}; split the sequence")
    for step, value in enumerate(ids):  # step: t, counted from 0
        if not 0 <= value < rows:
            raise InputError(f"token id {value} is outside 0..{rows - 1}", step)
    return [int(v) for v in ids]
