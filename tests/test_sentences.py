"""Sentence-level reading: sentences with their offsets, their grade, the hardest few of a
leaflet, and the line and column of a sentence however its YAML value is written."""

from __future__ import annotations

import pytest

from pipeline.review.check import Positions
from pipeline.review.readability import (
    MIN_SENTENCE_WORDS,
    sentence_grade,
    split_sentences,
)
from pipeline.review.sentences import (
    MAX_HARD_SHOWN,
    MAX_PASSIVE_SHOWN,
    Sentence,
    reading,
    sentences_of,
)
from pipeline.yamlio import compose_yaml


def test_sentences_keep_their_offsets():
    text = "You fast for six hours. Then, e.g. at 8 a.m., you come in!  Dr. Smith sees you. It takes 1.5 hours"
    found = split_sentences(text)
    assert [sentence for _, sentence in found] == [
        "You fast for six hours.", "Then, e.g. at 8 a.m., you come in!", "Dr. Smith sees you.", "It takes 1.5 hours"]
    assert all(text[offset:offset + len(sentence)] == sentence for offset, sentence in found)


def test_a_sentence_in_brackets_or_quotes_ends_after_them():
    assert [s for _, s in split_sentences("Ask the team (they know.) \"Then\" go.")] == [
        "Ask the team (they know.)", "\"Then\" go."]


def test_short_pieces_are_not_graded_and_long_words_grade_higher():
    assert sentence_grade("Operating room technician") is None  # under MIN_SENTENCE_WORDS
    assert MIN_SENTENCE_WORDS == 6
    plain = sentence_grade("You can go home on the same day as the test.")
    hard = sentence_grade("Postoperative recuperation necessitates considerable physiological adaptation.")
    assert plain is not None and hard is not None and plain < 6 < hard


def sentence(text: str, grade: float | None, passive: str | None = None, words: int = 12) -> Sentence:
    return Sentence(("sections", "summary", 0, "paragraph"), 0, text, words, grade, passive)


def test_the_hardest_are_shown_hardest_first_and_passive_ones_not_twice():
    sentences = [sentence(f"s{n}", float(n)) for n in range(10)]
    sentences.append(sentence("hard passive", 20.0, "is done"))
    sentences += [sentence(f"p{n}", 3.0, "is made", words=12 + n) for n in range(5)]
    found = reading(sentences, 9.0, max_grade=6)
    assert [s.text for s in found.hard] == ["hard passive", "s9", "s8", "s7"]
    assert [s.text for s in found.hard_shown] == ["hard passive", "s9", "s8", "s7"]
    assert [s.text for s in found.passive] == ["p4", "p3", "p2", "p1", "p0"]  # longest first
    assert len(found.passive_shown) == MAX_PASSIVE_SHOWN and found.too_hard
    many = reading([sentence(f"s{n}", 7.0 + n) for n in range(9)], None, max_grade=6)
    assert len(many.hard_shown) == MAX_HARD_SHOWN and many.hard_shown[0].text == "s8"


def test_a_leaflet_at_the_grade_is_not_too_hard():
    found = reading([sentence("fine", 6.0)], 6.0, max_grade=6)
    assert not found.too_hard and found.hard == ()


def test_passive_counts_only_in_long_sentences():
    short, long = sentences_of([
        (("a",), "The duct is cleaned."),
        (("b",), "The narrow part of the duct is stretched with a tiny balloon until it opens."),
    ])
    assert (short.passive, long.passive) == (None, "is stretched")


YAML = '''plain: The first sentence. The second one
  goes on to the next line. And a third.
quoted: "With an escape \\u00e9 here. Then the end."
single: 'It''s here. And there.'
block: |
  One line.
  Two lines. Three.
'''


@pytest.mark.parametrize(("key", "words", "line", "column"), [
    ("plain", "The second", 1, 28),
    ("plain", "goes on", 2, 3),
    ("plain", "And a third.", 2, 29),
    ("quoted", "Then the end.", 3, 38),
    ("single", "And there.", 4, 22),
    ("block", "Three.", 7, 14),
])
def test_a_place_inside_a_text_value_is_its_line_and_column(key, words, line, column):
    positions = Positions(compose_yaml(YAML), YAML)
    value = positions.values[(key,)].value
    assert positions.within((key,), value.index(words)) == (line, column)
    assert YAML.splitlines()[line - 1][column - 1:].startswith(words)


def test_without_the_text_a_place_is_the_value_start():
    positions = Positions(compose_yaml(YAML))
    assert positions.within(("plain",), 30) == (1, 8)
