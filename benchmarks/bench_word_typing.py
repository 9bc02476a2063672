"""The sequence editor's parse of one keystroke at the end of a 10 000-step input: a word model
(one word per step, through an embedding) beside a character model of the same size, measured
side by side in one run. Only the editor's own work is timed (tokenising, looking up the
embedding rows of what changed, marking unknown words); the recompute after it is the same for both.

    python3 benchmarks/bench_word_typing.py [--steps 10000] [--repeats 40]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from lstm_explorer.models import Vocabulary, random_model
from lstm_explorer.models.model import Model
from lstm_explorer.ui.sequence_editor import SequenceEditor


def median_parse_ms(tokens: list[str], text: str, appended: list[str], repeats: int) -> float:
    rng = np.random.default_rng(0)
    network = random_model("lstm", input_size=64, hidden_size=128).network
    embedding = rng.normal(size=(len(tokens), 64))
    model = Model("bench", network, {}, {"embedding.weight": embedding}).with_vocabulary(Vocabulary(tokens))
    editor = SequenceEditor()
    editor.set_model(model, text)
    times = []
    for k in range(repeats):
        text += appended[k % len(appended)]
        editor.edit.setPlainText(text)
        start = time.perf_counter()
        editor.flush()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    words = [f"w{k}" for k in range(2000)] + ["<unk>"]
    word_text = " ".join(rng.choice(words[:-1], args.steps))
    # Every other keystroke leaves an unknown word at the end (read as <unk>, marked with dots).
    word_ms = median_parse_ms(words, word_text, [" w1", "x"], args.repeats)
    chars = list("abcdefghijklmnopqrstuvwxyz ")
    char_ms = median_parse_ms(chars, "".join(rng.choice(chars, args.steps)), ["a", "b"], args.repeats)
    print(f"editor parse per keystroke, {args.steps} steps, load {os.getloadavg()[0]:.2f}:")
    print(f"  words {word_ms:.2f} ms, characters {char_ms:.2f} ms, ratio {word_ms / char_ms:.2f}")


if __name__ == "__main__":
    main()
