"""Features over the input, one number per step, for character and word tokens."""

import numpy as np
import pytest

from lstm_explorer.analysis import FeatureError, check_varies, feature_values


def chars(text):
    return list(text)


def test_depth_counts_the_bracket_read_at_each_step_and_never_goes_below_zero():
    assert feature_values("depth", chars("a(b[c]{)})")).tolist() == [0, 1, 1, 2, 2, 1, 2, 1, 0, 0]
    assert feature_values("depth", chars("))(")).tolist() == [0, 0, 1]


def test_quotes_mark_string_literals_with_escapes():
    text = 'x = "a\\"b" + \'c\''
    values = feature_values("quotes", chars(text))
    inside = "".join(ch for ch, v in zip(text, values, strict=True) if v)
    assert inside == '"a\\"b"' + "'c'"


def test_column_is_the_position_in_the_line():
    assert feature_values("column", chars("ab\ncd\n\ne")).tolist() == [0, 1, 2, 0, 1, 2, 0, 0]


def test_regex_marks_every_step_inside_a_match():
    assert feature_values("regex:b+c", chars("abbcxbc")).tolist() == [0, 1, 1, 1, 0, 1, 1]
    assert feature_values("regex:x*", chars("ab")).tolist() == [0, 0]  # empty matches mark nothing


def test_word_tokens_are_joined_by_spaces_for_the_character_features():
    words = ["print", "(", "'hi", "there'", ")", "x"]
    # "print ( 'hi there' ) x": the regex spans two words, which are both inside the match.
    assert feature_values("regex:hi the", words, joiner=" ").tolist() == [0, 0, 1, 1, 0, 0]
    assert feature_values("quotes", words, joiner=" ").tolist() == [0, 0, 1, 1, 0, 0]
    assert feature_values("depth", words, joiner=" ").tolist() == [0, 1, 1, 1, 0, 0]
    assert feature_values("column", words, joiner=" ").tolist() == [0, 6, 8, 12, 19, 21]
    assert feature_values("token:(", words, joiner=" ").tolist() == [0, 1, 0, 0, 0, 0]


def test_token_feature_and_escapes():
    assert feature_values("token:a", chars("abca")).tolist() == [1, 0, 0, 1]
    assert feature_values("token:\\n", chars("a\nb")).tolist() == [0, 1, 0]


def test_csv_feature_reads_one_number_per_line(tmp_path):
    (tmp_path / "f.csv").write_text("1\n2.5\n-3\n\n")
    assert feature_values("csv:f.csv", None, steps=3, base=tmp_path).tolist() == [1, 2.5, -3]
    with pytest.raises(FeatureError, match="3 numbers, but the input has 4 steps"):
        feature_values("csv:f.csv", chars("abcd"), base=tmp_path)
    (tmp_path / "bad.csv").write_text("1\nx\n")
    with pytest.raises(FeatureError, match="line 2"):
        feature_values("csv:bad.csv", None, steps=2, base=tmp_path)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("regex:((", "invalid regular expression"),
        ("nesting", "unknown feature"),
        ("token:", "name the token"),
        ("csv:missing.csv", "cannot read"),
    ],
)
def test_bad_features_are_refused(spec, message):
    with pytest.raises(FeatureError, match=message):
        feature_values(spec, chars("abc"))


def test_text_features_need_text():
    with pytest.raises(FeatureError, match="reads text"):
        feature_values("depth", None, steps=4)


def test_a_constant_feature_is_refused():
    with pytest.raises(FeatureError, match="undefined"):
        check_varies("depth", np.zeros(5))
    check_varies("depth", np.array([0.0, 1.0]))
