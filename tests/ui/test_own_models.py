"""A person's own model files in the window: the notice and its one-click change, File →
Vocabulary…, the module chooser, Help → Model…, and typing words into a word model. The files are
written by torch at test time."""

import json

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from lstm_explorer import cli
from lstm_explorer.ui.opening import OpenRequest

WORDS = ["the", "cat", "sat", "on", "internationalization", "<unk>"]


class WordModel(torch.nn.Module):
    """An embedding, an LSTM and a Linear head, as PyTorch's word-language-model example has them."""

    def __init__(self, tokens: int = len(WORDS)) -> None:
        super().__init__()
        self.embedding = torch.nn.Embedding(tokens, 4)
        self.rnn = torch.nn.LSTM(4, 6)
        self.decoder = torch.nn.Linear(6, tokens)


class EncoderDecoder(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = torch.nn.LSTM(3, 4)
        self.decoder = torch.nn.GRU(3, 5)


@pytest.fixture
def word_model(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "words.pt"
    torch.save(WordModel().state_dict(), path)
    return path


def write_vocabulary(path, tokens):
    if path.suffix == ".json":
        path.write_text(json.dumps(tokens))
    else:
        path.write_text("\n".join(tokens) + "\n")
    return path


def menu_action(window, text):
    return next(a for a in window.findChildren(QAction) if a.text().replace("&", "") == text)


def type_words(qtbot, window, text):
    edit = window.editor.edit
    edit.setFocus()
    edit.selectAll()
    for k, line in enumerate(text.split("\n")):
        if k:
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        qtbot.keyClicks(edit, line)
    window.editor.flush()


def test_a_pytorch_rnn_opens_as_tanh_and_one_click_reopens_it_as_relu(qtbot, make_window, tmp_path):
    torch.manual_seed(1)
    rnn = torch.nn.RNN(3, 5, nonlinearity="relu").double()
    path = tmp_path / "relu.pt"
    torch.save(rnn.state_dict(), path)
    window = make_window(str(path))
    notice = window.model_files.notice
    assert window.model.kind == "rnn"
    assert notice.isVisible()
    assert "Assumed cell rnn: the file does not record an nn.RNN's nonlinearity (tanh or relu)." in notice.lines
    button = notice.button("Use relu instead")
    assert button is not None and button.isVisible()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.kind == "rnn-relu", timeout=10000)
    assert not notice.isVisible(), "nothing is assumed any more"
    assert window.status.kind.text() == "RNN (relu)"
    # The numbers are now PyTorch's relu RNN on what the editor holds.
    qtbot.waitUntil(lambda: window.playback.steps == len(window.document.X), timeout=10000)
    X = torch.tensor(window.document.X, dtype=torch.float64)
    with torch.no_grad():
        expected, _ = rnn(X[:, None, :])
    assert np.abs(window.document.trace["h"] - expected[:, 0].numpy()).max() < 1e-12


def test_an_embedding_without_vocabulary_offers_one_and_words_are_typed(qtbot, window, word_model, monkeypatch):
    vocabulary = write_vocabulary(word_model.parent / "words.json", WORDS)
    assert window.open_model(str(word_model))
    notice = window.model_files.notice
    assert notice.isVisible()
    assert notice.lines == [
        "words.pt reads token ids through an embedding of 6 rows but has no vocabulary: give it one to type text."
    ]
    assert "Numbers" in window.editor.mode_label.text()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(vocabulary), ""))
    qtbot.mouseClick(notice.button("Open a vocabulary…"), Qt.MouseButton.LeftButton)
    assert window.model.vocabulary == WORDS
    assert not notice.isVisible()
    assert window.statusBar().currentMessage() == "words.pt reads 6 words from words.json (remembered for this file)"
    assert window.editor.mode_label.text().startswith("<b>Words</b>: one word per step")

    window.editor.set_debounce(60_000)  # one update for the whole line typed
    type_words(qtbot, window, "the  cat sat\non dog")
    qtbot.waitUntil(lambda: window.playback.steps == 5, timeout=5000)
    assert window.transport.strip.tokens == ["the", "cat", "sat", "on", "<unk>"]
    assert window.chain.tokens == ["the", "cat", "sat", "on", "<unk>"]
    assert window.editor.message.text() == "Read as <unk>, not in the vocabulary: 'dog' (step 5)"
    # The model read the embedding rows of those ids.
    ids = [WORDS.index(w) for w in ["the", "cat", "sat", "on", "<unk>"]]
    assert np.array_equal(window.document.X, window.model.embedding[ids])
    # An edit re-encodes from the first word whose id changed; the equations and predictions name words.
    type_words(qtbot, window, "the cat sat on the")
    qtbot.waitUntil(lambda: window.transport.strip.tokens[-1] == "the", timeout=5000)
    assert window.editor.message.text() == ""
    assert np.array_equal(window.document.X, window.model.embedding[[0, 1, 2, 3, 0]])
    window.playback.to_start()
    qtbot.waitUntil(lambda: "input the ·" in window.equations.header.plain_text())
    window.predictions_dock.show()
    window.predictions.refresh()
    assert "the next word is" in window.predictions.title.plain_text()
    assert "Actual next: cat" in window.predictions.text.plain_text()


def test_a_word_outside_a_vocabulary_without_unk_is_marked_with_its_step(qtbot, window, word_model):
    tokens = [w for w in WORDS if w != "<unk>"] + ["mat"]
    vocabulary = write_vocabulary(word_model.parent / "words.txt", tokens)
    window.open_model(str(word_model))
    assert window.model_files.apply_vocabulary(vocabulary)
    type_words(qtbot, window, "the cat sat")
    qtbot.waitUntil(lambda: window.playback.steps == 3, timeout=5000)
    trace = window.playback.trace
    type_words(qtbot, window, "the dog sat on a mat")
    message = "step 2: word 'dog' is not in the vocabulary (and it has no <unk>) (2 words are outside the vocabulary)"
    qtbot.waitUntil(lambda: window.editor.message.text() == message)
    assert window.statusBar().currentMessage() == message
    marked = [(s.cursor.selectionStart(), s.cursor.selectedText()) for s in window.editor.edit.extraSelections()]
    assert marked == [(4, "dog"), (15, "a")]
    assert window.playback.trace is trace and window.transport.strip.tokens == ["the", "cat", "sat"]


def test_long_word_tokens_are_elided_not_clipped(qtbot, window, word_model):
    window.open_model(str(word_model))
    window.model_files.apply_vocabulary(write_vocabulary(word_model.parent / "words.json", WORDS))
    type_words(qtbot, window, "the cat internationalization on")
    qtbot.waitUntil(lambda: window.playback.steps == 4, timeout=5000)
    window.playback.to_start()
    window.predictions_dock.show()
    window.predictions_dock.raise_()  # on a small screen it is a tab beside the equations
    window.predictions.refresh()
    bars = window.predictions.bars
    bars.rows = [("internationalization", 0.5, False), ("cat", 0.5, True)]
    bars.resize(240, bars.height())
    bars.repaint()
    long, short = bars.shown_labels
    assert long.endswith("…") and long[:-1] in "internationalization" and short == "cat"
    strip = window.transport.strip
    shown = strip._elide("internationalization", strip._fonts()[0], strip.cell_width - 6)
    assert shown.endswith("…") and len(shown) < len("internationalization")


@pytest.mark.parametrize(
    ("tokens", "suffix", "problem"),
    [
        (WORDS[:4], ".json", "the vocabulary has 4 tokens but the embedding has 6 rows"),
        (["a", "b", "a", "c", "d", "e"], ".json", "token 'a' appears twice (ids 0 and 2)"),
        (["a", "b", "", "c", "d", "e"], ".txt", "token 2 is empty"),
    ],
)
def test_a_vocabulary_that_does_not_fit_is_on_the_banner_and_the_model_stays(
    qtbot, window, word_model, tokens, suffix, problem
):
    window.open_model(str(word_model))
    model, trace = window.model, window.playback.trace
    path = write_vocabulary(word_model.parent / f"bad{suffix}", tokens)
    assert not window.model_files.apply_vocabulary(path)
    assert window.banner.isVisible()
    assert window.banner.label.text() == f"Could not use the vocabulary <b>bad{suffix}</b> for words.pt: {problem}"
    assert window.statusBar().currentMessage() == f"Could not use the vocabulary bad{suffix} for words.pt: {problem}"
    assert window.model is model and window.playback.trace is trace


def test_the_vocabulary_is_remembered_for_the_model_file(qtbot, make_window, settings, word_model):
    window = make_window()
    window.open_model(str(word_model))
    window.model_files.apply_vocabulary(write_vocabulary(word_model.parent / "words.json", WORDS))
    type_words(qtbot, window, "the cat")
    qtbot.waitUntil(lambda: window.playback.steps == 2, timeout=5000)
    window.close()

    again = make_window(str(word_model), settings)
    assert again.model.vocabulary == WORDS
    assert not again.model_files.notice.isVisible()
    assert again.editor.text() == "the cat"
    qtbot.waitUntil(lambda: again.transport.strip.tokens == ["the", "cat"], timeout=5000)


def test_a_file_with_two_modules_asks_which_one_and_remembers_it(qtbot, make_window, settings, tmp_path):
    path = tmp_path / "seq2seq.pt"
    torch.save(EncoderDecoder().state_dict(), path)
    window = make_window()
    window.open_in_background(str(path))
    qtbot.waitUntil(lambda: window.model_files.module_chooser is not None, timeout=10000)
    chooser = window.model_files.module_chooser
    assert chooser.isVisible()
    assert chooser.label.text() == "<b>seq2seq.pt</b> holds 2 recurrent modules. Which one should the window show?"
    assert [chooser.list.item(k).text() for k in range(chooser.list.count())] == ["encoder", "decoder"]
    assert window.model.name == "brackets" and not window.banner.isVisible()
    chooser.list.setCurrentRow(1)
    qtbot.mouseClick(chooser.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.name == "seq2seq.pt", timeout=10000)
    assert window.model.module == "decoder" and window.status.kind.text().startswith("GRU")
    window.close()

    again = make_window(str(path), settings)  # the choice is remembered: no question this time
    assert again.model.module == "decoder" and again.model_files.module_chooser is None


def test_help_model_lists_what_info_says(qtbot, make_window, tmp_path):
    path = tmp_path / "tanh.pt"
    torch.save(torch.nn.RNN(3, 5, num_layers=2, bidirectional=True).state_dict(), path)
    window = make_window(str(path))
    menu_action(window, "Model…").trigger()
    dialog = window.model_files.info_dialog
    assert dialog.isVisible()
    text = window.model_files.info_panel.plain_text()
    for expected in (
        "format\nPyTorch state_dict (.pt)",
        "cell\nrnn — RNN (tanh), from tensor shapes: weight_hh 5×5 → PyTorch nn.RNN",
        "layers\n2 (bidirectional); hidden sizes 5, 5; input 3",
        "layer 0\ninput 3 → hidden 5, both directions (merged by concat) → 10 out",
        "layer 1\ninput 10 → hidden 5, both directions (merged by concat) → 10 out",
        "embedding\nnone",
        "vocabulary\nnone: the model reads numbers",
        "assumed\ncell rnn: the file does not record an nn.RNN's nonlinearity (tanh or relu)",
    ):
        assert expected in text
    # The dialog follows the open model.
    window.open_model("lstm")
    assert "cell\nlstm — LSTM, from the kind asked for" in window.model_files.info_panel.plain_text()
    # The notice's "Model details…" opens the same dialog.
    dialog.hide()
    window.open_model(str(path))
    qtbot.mouseClick(window.model_files.notice.details_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()


def test_the_window_opens_a_module_with_a_vocabulary_from_the_command_line(qtbot, make_window, tmp_path, monkeypatch):
    torch.manual_seed(0)

    class Both(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(3, 4)
            self.encoder = torch.nn.LSTM(4, 4)
            self.decoder = torch.nn.LSTM(4, 4)

    path = tmp_path / "both.pt"
    torch.save(Both().state_dict(), path)
    vocabulary = write_vocabulary(tmp_path / "abc.json", ["a", "b", "c"])
    launched = {}
    monkeypatch.setattr("lstm_explorer.app.run_app", lambda **kwargs: launched.update(kwargs) or 0)
    assert cli.main([str(path), "--module", "encoder", "--vocab", str(vocabulary)]) == 0
    assert launched == {"model": str(path), "module": "encoder", "vocabulary": str(vocabulary), "cell": None}

    window = make_window(OpenRequest(str(path), module="encoder", vocabulary=str(vocabulary)))
    assert window.model.module == "encoder" and window.model.vocabulary == "abc"
    assert window.editor.mode_label.text().startswith("<b>Text</b>: one character per step")
    window.close()
    # Both are remembered for the file, as if chosen in the window.
    again = make_window(str(path))
    assert again.model.module == "encoder" and again.model.vocabulary == "abc"


def test_gui_command_line_errors_are_one_line(capsys, tmp_path):
    assert cli.main(["--module", "encoder"]) == 2
    assert capsys.readouterr().err == "lstm-explorer: error: --module needs a MODEL file\n"
    assert cli.main([str(tmp_path / "m.pt"), "--vocab", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err == f"lstm-explorer: error: --vocab {tmp_path / 'none.json'}: no such file\n"


def test_a_remembered_vocabulary_that_is_gone_is_said_and_forgotten(qtbot, make_window, settings, word_model):
    vocabulary = write_vocabulary(word_model.parent / "words.json", WORDS)
    window = make_window()
    window.open_model(str(word_model))
    window.model_files.apply_vocabulary(vocabulary)
    window.close()
    vocabulary.unlink()

    again = make_window(str(word_model), settings)
    assert again.model.vocabulary is None
    assert again.statusBar().currentMessage() == (
        "The vocabulary remembered for words.pt was not used: words.json: no such file"
    )
    assert again.model_files.notice.button("Open a vocabulary…") is not None
    assert settings.value(f"vocabulary/{word_model.resolve()}") is None


def test_word_edits_anywhere_give_the_tokens_of_the_whole_text(qtbot, word_model):
    """The editor re-encodes only after the unchanged prefix; every edit must still read as the
    whole text would: a word cut or extended at the boundary, a space inserted or removed."""
    from lstm_explorer.models import load_model_file
    from lstm_explorer.models.vocabulary import Vocabulary
    from lstm_explorer.ui.sequence_editor import SequenceEditor

    model = load_model_file(word_model, vocabulary=Vocabulary(WORDS))
    editor = SequenceEditor()
    qtbot.addWidget(editor)
    editor.set_model(model, "the")
    seen = []
    editor.sequence_changed.connect(lambda X, tokens, text: seen.append((X, tokens)))
    for text in ["the ca", "the cat", "the cats", "the cat sat", "thecat sat", "the  cat sat", "on cat sat", "on"]:
        editor.set_text(text)
        X, tokens = seen[-1]
        expected = [w if w in WORDS else "<unk>" for w in text.split()]
        assert tokens == expected, text
        assert np.array_equal(X, model.embedding[[WORDS.index(w) for w in expected]]), text


def test_a_head_the_file_cannot_describe_is_in_the_notice(qtbot, make_window, tmp_path):
    class MlpHead(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = torch.nn.LSTM(3, 6)
            self.hidden = torch.nn.Linear(6, 8)
            self.out = torch.nn.Linear(8, 2)

    path = tmp_path / "mlp.pt"
    torch.save(MlpHead().state_dict(), path)
    window = make_window(str(path))
    assert window.model_files.notice.lines == [
        "Readout not recognised: hidden.weight (6→8) feeds out.weight (8→2), and the file "
        "does not record the activation between them. The views show the hidden states only."
    ]


def test_another_cell_kind_keeps_a_word_vocabulary_and_the_words(qtbot, window, word_model):
    window.open_model(str(word_model))
    window.model_files.apply_vocabulary(write_vocabulary(word_model.parent / "words.json", WORDS))
    type_words(qtbot, window, "the cat sat")
    qtbot.waitUntil(lambda: window.playback.steps == 3, timeout=5000)
    window.new_random_model("gru")
    window.random_dialog.accept()
    assert window.model.kind == "gru" and window.model.vocabulary == WORDS
    assert window.editor.text() == "the cat sat"
    qtbot.waitUntil(lambda: window.transport.strip.tokens == ["the", "cat", "sat"], timeout=5000)
