"""Training tasks generated in code (no downloads): ``brackets``, ``remember``, ``sine`` and the two
long-term dependency tasks of Hochreiter & Schmidhuber (1997), ``adding`` and ``temporal-order``.

Each task draws random batches for :func:`lstm_explorer.engine.train.train` and knows how its input
is written: a vocabulary (text tasks, one-hot inputs) or numbers (numeric tasks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine.train import Batch
from .long_tasks import AddingTask, TemporalOrderTask


@dataclass
class BracketsTask:
    """Predict the next character of random nested brackets mixed with letters.

    At each step: ``(`` with probability p_open (not at ``max_depth``), ``)`` with probability
    p_close (not at depth 0), otherwise a letter. To predict well the network must know whether
    the depth is 0 (no ``)`` possible) or ``max_depth`` (no ``(``): it has to count.
    """

    name: str = "brackets"
    kind: str = "text"
    vocabulary: str = "()abc"
    length: int = 60
    max_depth: int = 4
    p_open: float = 0.3
    p_close: float = 0.3
    description: str = "Next character of nested brackets mixed with letters; a cell unit counts the depth"

    @property
    def input_size(self) -> int:
        return len(self.vocabulary)

    @property
    def output_size(self) -> int:
        return len(self.vocabulary)

    def sequence(self, rng: np.random.Generator, length: int | None = None) -> tuple[str, list[int]]:
        """A random string and the nesting depth after each of its characters."""
        letters = self.vocabulary[2:]
        depth = 0
        chars: list[str] = []
        depths: list[int] = []
        for _ in range(length or self.length):
            p_open = self.p_open if depth < self.max_depth else 0.0
            p_close = self.p_close if depth > 0 else 0.0
            u = rng.random()
            if u < p_open:
                chars.append("(")
                depth += 1
            elif u < p_open + p_close:
                chars.append(")")
                depth -= 1
            else:
                chars.append(letters[int(rng.integers(len(letters)))])
            depths.append(depth)
        return "".join(chars), depths

    def next_distribution(self, depth: int) -> np.ndarray:
        """The true probabilities of each vocabulary character after a prefix at ``depth``."""
        p_open = self.p_open if depth < self.max_depth else 0.0
        p_close = self.p_close if depth > 0 else 0.0
        letters = len(self.vocabulary) - 2
        return np.array([p_open, p_close] + [(1.0 - p_open - p_close) / letters] * letters)

    def batch(self, rng: np.random.Generator, batch_size: int) -> Batch:
        ids = np.array(
            [[self.vocabulary.index(ch) for ch in self.sequence(rng, self.length + 1)[0]] for _ in range(batch_size)]
        )
        return Batch(ids[:, :-1], ids[:, 1:], np.ones((batch_size, self.length)))

    def loss_targets(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For one sequence of token ids (T,): every step but the last, scored against the next."""
        return next_token_targets(inputs)

    def presets(self) -> list[str]:
        return ["(a(b)c)", "((a)(b(c)))a", "a(b(c(a(b)c)a)b)c", "((((a))))b(c)", "a(b)(c)((a)b)((c(a)))"]


@dataclass
class RememberTask:
    """A symbol (a-d), then a run of distractors, then ``?``: recall the first symbol.

    The distractors are drawn from x, y, z *and the symbols themselves*, so later symbols must not
    overwrite the first (with ``symbols_distract`` False, x, y, z only). The loss counts only the
    step that reads ``?``.

    Delays follow a curriculum: over the first ``curriculum`` batches the longest delay grows
    linearly from ``min_delay + 1`` to ``max_delay``; each sequence's delay is drawn uniformly from
    ``min_delay`` up to that longest delay (``curriculum=0``: from min_delay..max_delay from the
    first batch). The schedule counts the batches this task object has drawn, so it is the same
    for every cell kind trained on a fresh task.

    Measured (scripts/train_bundled_models.py): with the curriculum an LSTM and a plain RNN both
    learn the task and recall at every delay tried (1 to 500; training saw 1 to 50); the RNN
    holds the symbol in saturated tanh units (an attractor that later inputs cannot leave), so its
    memory does not fade with the delay. Without the curriculum the plain RNN often learns to latch
    only some of the symbols (the gradient through long delays vanishes) while the LSTM learns them all.
    """

    name: str = "remember"
    kind: str = "text"
    symbols: str = "abcd"
    distractors: str = "xyz"
    query: str = "?"
    min_delay: int = 1
    #: Distractors drawn from the symbols too: later symbols must not overwrite the first.
    symbols_distract: bool = True
    max_delay: int = 50
    #: Batches over which the longest delay grows from min_delay + 1 to max_delay (0: no curriculum).
    curriculum: int = 1500
    #: Batches drawn so far by :meth:`batch` (the curriculum's clock).
    batches_drawn: int = field(default=0, repr=False, compare=False)
    description: str = "Recall the first symbol after a long run of distractors (a-d, x-z), when asked with ?"

    @property
    def vocabulary(self) -> str:
        return self.symbols + self.distractors + self.query

    @property
    def input_size(self) -> int:
        return len(self.vocabulary)

    @property
    def output_size(self) -> int:
        return len(self.vocabulary)

    def sequences(
        self, rng: np.random.Generator, batch_size: int, delay: int | np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(inputs (B, T), targets (B, T), mask (B, T)) with ``delay`` distractors (random if None)."""
        delays = (
            rng.integers(self.min_delay, self.max_delay + 1, size=batch_size)
            if delay is None
            else np.broadcast_to(np.asarray(delay), (batch_size,))
        )
        T = int(delays.max()) + 2
        n_sym = len(self.symbols)
        if self.symbols_distract:
            inputs = rng.integers(0, n_sym + len(self.distractors), size=(batch_size, T))
        else:
            inputs = n_sym + rng.integers(0, len(self.distractors), size=(batch_size, T))
        symbols = rng.integers(0, n_sym, size=batch_size)
        inputs[:, 0] = symbols
        query_at = delays + 1
        rows = np.arange(batch_size)
        inputs[rows, query_at] = self.vocabulary.index(self.query)
        targets = np.zeros((batch_size, T), dtype=np.int64)
        mask = np.zeros((batch_size, T))
        targets[rows, query_at] = symbols
        mask[rows, query_at] = 1.0
        return inputs, targets, mask

    def longest_delay(self, batch_index: int) -> int:
        """The longest delay the curriculum allows in batch ``batch_index`` (counted from 0)."""
        if self.curriculum <= 0:
            return self.max_delay
        start = min(self.min_delay + 1, self.max_delay)
        frac = min(1.0, batch_index / self.curriculum)
        return round(start + frac * (self.max_delay - start))

    def batch(self, rng: np.random.Generator, batch_size: int) -> Batch:
        longest = self.longest_delay(self.batches_drawn)
        self.batches_drawn += 1
        delays = rng.integers(self.min_delay, longest + 1, size=batch_size)
        return Batch(*self.sequences(rng, batch_size, delays))

    def loss_targets(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For one sequence of token ids (T,): each ``?`` is scored against the first symbol (none
        when the sequence does not start with a symbol)."""
        ids = np.asarray(inputs, dtype=np.int64)
        mask = ids == self.vocabulary.index(self.query)
        if not ids.size or ids[0] >= len(self.symbols):
            mask[:] = False
        return np.full(ids.shape[0], ids[0] if ids.size else 0, dtype=np.int64), mask

    def presets(self) -> list[str]:
        return ["axyzyx?", "cabdxyzdabcyx?", "b" + "xadyzc" * 6 + "?", "d" + "zayxbcxy" * 6 + "?"]


@dataclass
class SineTask:
    """Numeric next-value prediction of sine waves with a random frequency and phase."""

    name: str = "sine"
    kind: str = "numeric"
    length: int = 40
    min_omega: float = 0.15
    max_omega: float = 0.6
    description: str = "Predict the next value of a sine wave (random frequency and phase)"
    input_size: int = 1
    output_size: int = 1
    vocabulary: str | None = None
    #: The loss skips the first steps: the frequency cannot be known from fewer than three values.
    known_from: int = 3

    def waves(self, rng: np.random.Generator, batch_size: int, length: int) -> np.ndarray:
        omega = rng.uniform(self.min_omega, self.max_omega, size=(batch_size, 1))
        phase = rng.uniform(0, 2 * np.pi, size=(batch_size, 1))
        return np.sin(omega * np.arange(length)[None, :] + phase)  # (B, length)

    def batch(self, rng: np.random.Generator, batch_size: int) -> Batch:
        wave = self.waves(rng, batch_size, self.length + 1)
        mask = np.ones((batch_size, self.length))
        mask[:, : self.known_from] = 0.0  # the frequency cannot be known from fewer values
        return Batch(wave[:, :-1, None], wave[:, 1:, None], mask)

    def loss_targets(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For one sequence (T, 1): steps ``known_from``..T−2 scored against the next value."""
        values = np.asarray(inputs, dtype=np.float64)
        targets = np.zeros_like(values)
        targets[:-1] = values[1:]
        mask = np.zeros(values.shape[0], dtype=bool)
        mask[self.known_from : -1] = True
        return targets, mask

    def presets(self) -> list[str]:
        out = []
        for omega, phase in ((0.3, 0.0), (0.5, 1.0), (0.2, 2.0)):
            values = np.sin(omega * np.arange(30) + phase)
            out.append("; ".join(f"{v:.3f}" for v in values))
        return out


TASKS = {
    "brackets": BracketsTask,
    "remember": RememberTask,
    "sine": SineTask,
    "adding": AddingTask,
    "temporal-order": TemporalOrderTask,
}
Task = BracketsTask | RememberTask | SineTask | AddingTask | TemporalOrderTask


def next_token_targets(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For one sequence of token ids (T,): (the next token at each step, mask of the steps that
    have one: all but the last). The loss of any model that predicts the next character."""
    ids = np.asarray(inputs, dtype=np.int64)
    targets = np.zeros_like(ids)
    targets[:-1] = ids[1:]
    mask = np.zeros(ids.shape[0], dtype=bool)
    mask[:-1] = True
    return targets, mask


def make_task(name: str) -> Task:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return TASKS[name]()
