"""The sequence editor: type text (one character or one word per step, as the model's vocabulary
says) or numbers (one step per line).

Parsing runs after a short pause in typing (debounced); a bad character or number is marked in
place with a wavy red underline and a message saying what and where, and the last good sequence
stays on screen. Words are split on whitespace; a word outside the vocabulary is read as
``<unk>`` when the vocabulary has it (and said so), else it is marked like a bad character.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..sequence import MAX_STEPS, InputError
from ..views.common import pin_size, token_text
from .growing_rows import GrowingRows
from .parsing import PARSE_SYNC_CHARS, BackgroundParse, read_numeric
from .sliced_paste import SlicedPasteEdit
from .text_input import UNKNOWN, EncodedWords, common_prefix, encode_words, word_spans, words_label

#: Pause in typing before the sequence is recomputed (ms), when recomputing is costly; when it
#: is cheap (an appended character), the update runs on the next turn of the event loop.
DEBOUNCE_MS = 60
RANDOM_STEPS = 40
#: The Preset box's entry for an input that is none of the presets (no preset is this string).
CUSTOM = "\x00custom"


def format_numeric(X: np.ndarray) -> str:
    """Rows of numbers as the editor shows them: one step per line, values separated by commas."""
    return "\n".join(", ".join(f"{v:.3g}" for v in row) for row in X)


class SequenceEditor(QWidget):
    """Emits ``sequence_changed(X, tokens, text)`` with a valid sequence, ``input_invalid(message)`` otherwise."""

    sequence_changed = Signal(object, object, str)
    input_invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: Any = None
        self._rng = np.random.default_rng()
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.mode_label.setObjectName("modeLabel")
        self.edit = SlicedPasteEdit()
        self.edit.setObjectName("sequenceEdit")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(11)
        # Every keystroke lays out the whole paragraph again (a 10 000-character line for a long text
        # input): Latin text needs no shaping, and complex scripts are still shaped (≈25% less time).
        font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        self.edit.setFont(font)
        self.edit.setTabChangesFocus(True)
        self.message = QLabel()
        self.message.setObjectName("inputMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.presets = QComboBox()
        self.presets.setToolTip("Example inputs for this model")
        self.presets.setMinimumContentsLength(8)
        self.presets.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.random_button = QPushButton("Random")
        self.random_button.setToolTip("Replace the input with a random sequence")
        self.count_label = QLabel()
        self.count_label.setObjectName("stepCount")
        pin_size(self.count_label, "100000 steps")  # changes on every keystroke: no relayout
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        row = QHBoxLayout()
        row.addWidget(QLabel("Preset:"))
        row.addWidget(self.presets, 1)
        row.addWidget(self.random_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.mode_label)
        layout.addWidget(self.edit, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(bottom)
        layout.addLayout(row)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self.edit.textChanged.connect(self._timer.start)
        self.edit.paste_finished.connect(self._timer.start)
        self.presets.activated.connect(self._on_preset)
        self.random_button.clicked.connect(self.randomize)
        self._error_colour = QColor("#c0392b")
        self._last_encoded: tuple[Any, str, np.ndarray] | None = None
        self._last_words: EncodedWords | None = None
        self._rows = GrowingRows()  # the encoded text: a keystroke at the end copies nothing
        self._parser = BackgroundParse(self)
        self._parser.parsed.connect(self._on_parsed)
        self._parser.invalid.connect(self._on_parse_failed)

    # -- model -------------------------------------------------------------------------------
    @property
    def text_mode(self) -> bool:
        return bool(self.model is not None and self.model.has_vocabulary)

    @property
    def word_mode(self) -> bool:
        return self.text_mode and not self.model.vocabulary.is_characters

    def set_model(self, model: Any, text: str | None = None) -> None:
        """Switch to ``model``'s input mode and presets; show ``text`` (or its first preset)."""
        self.model = model
        self.mode_label.setToolTip("")
        if self.word_mode:
            self.mode_label.setText(words_label(model.vocabulary))
            self.mode_label.setToolTip(" ".join(list(model.vocabulary)[:200]))
            self.edit.setPlaceholderText("Type words from the vocabulary, separated by spaces…")
            self.edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        elif self.text_mode:
            vocab = "".join(token_text(ch) for ch in model.vocabulary)
            self.mode_label.setText(f"<b>Text</b>: one character per step. Vocabulary: <code>{_escape(vocab)}</code>")
            self.edit.setPlaceholderText("Type characters from the vocabulary…")
            # One character per step: wrap anywhere (cheaper than finding word boundaries in a
            # 10 000-character line, and words mean nothing here).
            self.edit.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        else:
            n = model.input_size
            self.mode_label.setText(
                f"<b>Numbers</b>: one step per line (or separated by <code>;</code>), "
                f"{n} value{'s' if n != 1 else ''} per step separated by commas or spaces."
            )
            self.edit.setPlaceholderText("0.5, -1.2, …\n0.1, 0.3, …" if n > 1 else "0.5\n-1.2\n…")
            self.edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # numbers stay whole
        self.presets.clear()
        presets = list(model.presets)
        for preset in presets:
            shown = preset.replace("\n", "; ")
            self.presets.addItem(shown if len(shown) <= 40 else shown[:39] + "…", preset)
        self.presets.setEnabled(bool(presets))
        self.presets.addItem("custom" if presets else "(no presets)", CUSTOM)
        if text is None:
            text = self.default_preset() if presets else self.random_text()
        self.set_text(text)

    def _show_preset_of(self, text: str) -> None:
        """The Preset box names the input shown: its preset, or "custom" once it was edited."""
        index = self.presets.findData(text)
        if index < 0:
            index = self.presets.findData(CUSTOM)
        if index >= 0 and index != self.presets.currentIndex():
            self.presets.setCurrentIndex(index)

    def default_preset(self) -> str:
        """The richest short preset: the longest of those a person can read at a glance."""
        presets = list(self.model.presets) if self.model is not None else []
        short = [p for p in presets if len(p) <= 60] or presets[:1]
        best = max(short, key=len)
        self.presets.setCurrentIndex(presets.index(best))
        return best

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        self.flush()

    def set_debounce(self, ms: int) -> None:
        """How long to wait after a keystroke (0: as soon as the event loop is free)."""
        self._timer.setInterval(max(int(ms), 0))

    def text(self) -> str:
        return self.edit.toPlainText()

    @property
    def edit_pending(self) -> bool:
        """Typed but not parsed yet (the debounce pause is running)."""
        return self._timer.isActive()

    # -- actions -----------------------------------------------------------------------------
    def _on_preset(self, index: int) -> None:
        preset = self.presets.itemData(index)
        if isinstance(preset, str) and preset != CUSTOM:
            self.set_text(preset)

    def random_text(self, steps: int = RANDOM_STEPS) -> str:
        return self.random_text_for(self.model, steps)

    def random_text_for(self, model: Any, steps: int = RANDOM_STEPS) -> str:
        """A random input ``model`` reads: tokens of its vocabulary, else smooth noisy numbers."""
        if model is None:
            return ""
        vocab = model.vocabulary
        if vocab is not None and not vocab.is_characters:
            words = [w for w in vocab if w != UNKNOWN] or list(vocab)
            return " ".join(self._rng.choice(words, size=min(steps, 12)))
        if vocab is not None:
            chars = [ch for ch in vocab if ch.isprintable()] or list(vocab)
            return "".join(self._rng.choice(chars, size=steps))
        t = np.arange(steps)[:, None]
        phase = self._rng.uniform(0, 2 * np.pi, size=(1, model.input_size))
        X = np.sin(0.3 * t + phase) + 0.2 * self._rng.normal(size=(steps, model.input_size))
        return format_numeric(X)

    def randomize(self) -> None:
        self.set_text(self.random_text())

    # -- parsing -----------------------------------------------------------------------------
    @property
    def parsing(self) -> bool:
        """True while a long numeric input is being read on a worker thread."""
        return self._parser.busy

    def flush(self) -> None:
        """Parse now (the debounce timer calls this after a pause in typing). Long numeric input
        is read on a worker thread (100 000 lines take ~1 s of Python): the result follows."""
        self._timer.stop()
        if self.model is None or self.edit.pasting:  # a long paste is still going in: read it once it is all in
            return
        text = self.text()
        tokens: list[str]
        if not self.text_mode and len(text) > PARSE_SYNC_CHARS:
            self.count_label.setText("reading…")
            self._parser.parse(text, self.model.input_size)
            return
        self._parser.forget()
        try:
            unknown: list[tuple[int, str]] = []
            if self.word_mode:
                X, tokens, unknown = self._encode_words(text)
            elif self.text_mode:
                if len(text) > MAX_STEPS:
                    raise InputError(f"{len(text)} characters, more than {MAX_STEPS}; split the sequence")
                X = self._encode_text(text)
                tokens = list(text)
            else:
                X, tokens = read_numeric(text, self.model.input_size)
        except InputError as exc:
            self._show_error(exc, text)
            return
        self._accept(X, tokens, text, unknown)

    def _on_parsed(self, text: str, X: np.ndarray, tokens: list[str]) -> None:
        if self.model is not None and not self.text_mode and text == self.text():
            self._accept(X, tokens, text)

    def _on_parse_failed(self, text: str, exc: InputError) -> None:
        if self.model is not None and not self.text_mode and text == self.text():
            self._show_error(exc, text)

    def _accept(
        self, X: np.ndarray, tokens: list[str], text: str, unknown: list[tuple[int, str]] | None = None
    ) -> None:
        self._clear_error()
        if unknown:
            self._show_unknown(unknown, text)
        self._show_preset_of(text)
        self.count_label.setText(f"{len(X)} steps")
        self.sequence_changed.emit(X, tokens, text)

    def _encode_text(self, text: str) -> np.ndarray:
        """The model's encoding of ``text``, re-encoding only what follows the unchanged prefix
        (and growing in place when that is the end)."""
        model, last = self.model, self._last_encoded
        if last is not None and last[0] is model and len(last[1]) > 0 and len(text) > 0:
            old_text, old_X = last[1], last[2]
            p = common_prefix(old_text, text)
            if p > 0:
                try:
                    tail = model.encode_text(text[p:]) if p < len(text) else old_X[:0]
                except InputError:
                    tail = None  # re-encode everything, so the message counts from the start
                if tail is not None:
                    X = self._rows.join(old_X[:p], tail)
                    self._last_encoded = (model, text, X)
                    return X
        X = self._rows.start(model.encode_text(text))
        self._last_encoded = (model, text, X)
        return X

    def _encode_words(self, text: str) -> tuple[np.ndarray, list[str], list[tuple[int, str]]]:
        """(X, the tokens read, (step, word) of each word read as <unk>), re-encoding only the words
        after the unchanged prefix of the last text."""
        self._last_words = encoded = encode_words(self.model, text, self._last_words, self._rows)
        words = text.split() if encoded.unknown else []
        return encoded.X, encoded.tokens, [(k + 1, words[k]) for k in encoded.unknown]

    def _show_unknown(self, unknown: list[tuple[int, str]], text: str) -> None:
        """Words read as <unk>: said below the text and dotted underneath, not an error."""
        spans = word_spans(text, {word for _step, word in unknown})
        self._mark(spans, QTextCharFormat.UnderlineStyle.DotLine, QColor(self._error_colour), None)
        listed = ", ".join(f"{word!r} (step {step})" for step, word in unknown[:5])
        more = " …" if len(unknown) > 5 else ""
        self.message.setText(f"Read as {UNKNOWN}, not in the vocabulary: {listed}{more}")
        self.message.setStyleSheet("")

    def _show_error(self, exc: InputError, text: str) -> None:
        spans = self._bad_spans(exc, text)
        self._mark(spans, QTextCharFormat.UnderlineStyle.WaveUnderline, self._error_colour, QColor(255, 80, 60, 60))
        message = str(exc)  # "step 26: 'X' is not in the vocabulary …": steps counted from t = 0
        if not self.text_mode and exc.offset is not None and "\n" in text.strip():
            message += f" (line {text.count(chr(10), 0, exc.offset) + 1})"
        if len(spans) > 1:
            message += f" ({len(spans)} {'words' if self.word_mode else 'characters'} are outside the vocabulary)"
        self.message.setText(message)
        self.message.setStyleSheet(f"color: {self._error_colour.name()};")
        self.count_label.setText("")
        self.input_invalid.emit(message)

    def _mark(
        self,
        spans: list[tuple[int, int]],
        style: QTextCharFormat.UnderlineStyle,
        colour: QColor,
        background: QColor | None,
    ) -> None:
        selections = []
        for start, length in spans[:2000]:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(style)
            fmt.setUnderlineColor(colour)
            if background is not None:
                fmt.setBackground(background)
            selection.format = fmt
            cursor = QTextCursor(self.edit.document())
            cursor.setPosition(start)
            cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.edit.setExtraSelections(selections)

    def _bad_spans(self, exc: InputError, text: str) -> list[tuple[int, int]]:
        if self.word_mode:
            vocab = self.model.vocabulary
            return word_spans(text, {word for word in text.split() if word not in vocab})
        if self.text_mode and self.model is not None:
            vocab = set(self.model.vocabulary)
            return [(k, 1) for k, ch in enumerate(text) if ch not in vocab]
        if exc.offset is None:
            return []
        end = exc.offset
        while end < len(text) and text[end] not in " ,;\n\t":
            end += 1
        return [(exc.offset, max(end - exc.offset, 1))]

    def _clear_error(self) -> None:
        self.edit.setExtraSelections([])
        self.message.setText("")
        self.message.setStyleSheet("")

    def set_error_colour(self, colour: str) -> None:
        self._error_colour = QColor(colour)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
