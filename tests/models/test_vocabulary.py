"""Your own tokens: vocabulary files, the character and word tokenizers, token ids, and bundles that
carry a word vocabulary."""

import json

import numpy as np
import pytest

from lstm_explorer.engine import cell_graph, init_weights
from lstm_explorer.models import Vocabulary, VocabularyError, load_model_file, read_vocabulary_file
from lstm_explorer.models.bundle import bundle_metadata, write_bundle
from lstm_explorer.models.vocabulary import parse_token_ids
from lstm_explorer.sequence import InputError

WORDS = ["<unk>", "the", "cat", "sat", "on", "mat"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("v.json", json.dumps(WORDS)),
        ("v.json", json.dumps({w: k for k, w in reversed(list(enumerate(WORDS)))})),
        ("v.txt", "\n".join(WORDS) + "\n"),
        ("v.txt", "\r\n".join(WORDS)),
    ],
)
def test_vocabulary_files(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8", newline="")
    vocab = read_vocabulary_file(tmp_path / name)
    assert list(vocab) == WORDS and vocab.kind == "words" and vocab.source == name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("v.json", '["a", "b", "a"]', r"v\.json: token 'a' appears twice \(ids 0 and 2\)"),
        ("v.txt", "a\n\nb\n", r"v\.txt: token 1 is empty"),
        ("v.json", '{"a": 0, "b": 2}', r"v\.json: no token has id 1"),
        ("v.json", '{"a": 0, "b": 0}', r"v\.json: tokens 'a' and 'b' share id 0"),
        ("v.json", "[1, 2", r"v\.json: not valid JSON"),
        ("v.json", '"abc"', r"v\.json: expected a list of tokens or an object"),
        ("v.csv", "a,b", r"v\.csv: unknown vocabulary format"),
        ("v.txt", "", r"v\.txt: the vocabulary is empty"),
    ],
)
def test_bad_vocabulary_files_are_one_line(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(VocabularyError, match=message) as info:
        read_vocabulary_file(tmp_path / name)
    assert "\n" not in str(info.value)


def test_word_tokenizer_maps_unknown_words_to_unk_or_names_the_step():
    vocab = Vocabulary(WORDS)
    assert vocab.encode("the cat  sat\non the  dog") == [1, 2, 3, 4, 1, 0]
    strict = Vocabulary(WORDS[1:])
    with pytest.raises(InputError, match="step 2: word 'dog' is not in the vocabulary") as info:
        strict.encode("the cat dog mat")
    assert info.value.offset == 8
    assert strict.decode([0, 1]) == "the cat"


def test_character_vocabulary_equals_its_string_and_reports_the_position():
    vocab = Vocabulary(list("ab()"))
    assert vocab == "ab()" and vocab.kind == "characters" and vocab.to_metadata() == {"vocabulary": "ab()"}
    with pytest.raises(InputError, match="step 2: 'z' is not in the vocabulary"):  # t = 2
        vocab.encode("a(z")


def test_token_ids():
    assert parse_token_ids("3 1, 4", 5) == [3, 1, 4]
    with pytest.raises(InputError, match=r"step 1: token id 7 is outside 0\.\.4"):
        parse_token_ids("3 7", 5)
    with pytest.raises(InputError, match="step 0: 'x' is not a token id"):
        parse_token_ids("x", 5)


def word_model_tensors(vocab_size=6, embed=3, hidden=4):
    tensors = {f"rnn.{k}": v for k, v in init_weights(cell_graph("lstm"), embed, hidden, seed=1).items()}
    rng = np.random.default_rng(0)
    tensors["embedding.weight"] = rng.normal(size=(vocab_size, embed))
    tensors["fc.weight"] = rng.normal(size=(vocab_size, hidden))
    tensors["fc.bias"] = rng.normal(size=vocab_size)
    return tensors


def test_bundle_carries_a_word_vocabulary(tmp_path):
    metadata = bundle_metadata(cell="lstm", task="text", description="words", vocabulary=WORDS)
    assert "vocabulary" not in metadata  # older readers see no character vocabulary rather than a wrong one
    write_bundle(tmp_path / "w.safetensors", word_model_tensors(), metadata)
    model = load_model_file(tmp_path / "w.safetensors")
    assert list(model.vocabulary) == WORDS and model.output_labels == WORDS
    X = model.encode_text("the cat sat")
    assert np.array_equal(X, model.embedding[[1, 2, 3]])


def test_vocabulary_must_fit_the_embedding(tmp_path):
    write_bundle(tmp_path / "w.safetensors", word_model_tensors(), {"cell": "lstm"})
    with pytest.raises(ValueError, match="vocabulary has 5 tokens but the embedding has 6 rows"):
        load_model_file(tmp_path / "w.safetensors", vocabulary=Vocabulary(WORDS[:5]))
    model = load_model_file(tmp_path / "w.safetensors")
    assert model.vocabulary is None and model.task == "text" and model.token_count == 6
