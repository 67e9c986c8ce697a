"""The sentences of a leaflet a reviewer should rewrite first: those above the reading grade
a leaflet aims at, hardest first, and the long passive ones. Pure.

Warnings are kept few on purpose: a reviewer shown forty per leaflet reads none. So a
leaflet's :class:`Reading` marks at most :data:`MAX_HARD_SHOWN` sentences above the grade
(the hardest) and :data:`MAX_PASSIVE_SHOWN` long passive ones (the longest), and counts
the rest; rewriting the marked ones brings the next ones up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.review.plain_language import LONG_PASSIVE_WORDS, passive
from pipeline.review.readability import sentence_grade, split_sentences, word_count

MAX_HARD_SHOWN = 5
MAX_PASSIVE_SHOWN = 3
EXCERPT_CHARACTERS = 80  # of a sentence quoted in a message

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph or item: where it is (the text's path in the YAML document
    and the offset in that text; line and column once known), its grade (None when too short
    to grade) and, for a long sentence in the passive voice, the words that make it so."""

    path: Path_
    offset: int
    text: str
    words: int
    grade: float | None
    passive: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def section(self) -> Path_:
        """``("sections", "risks")`` or ``("extra_sections", 0)``: the section it stands in."""
        return self.path[:2]

    def excerpt(self, limit: int = EXCERPT_CHARACTERS) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def sentences_of(texts: Iterable[tuple[Path_, str]]) -> list[Sentence]:
    """Every sentence of the paragraphs and items given (each as its path and text), in order."""
    found = []
    for path, text in texts:
        for offset, sentence in split_sentences(text):
            words = word_count(sentence)
            words_of_passive = passive(sentence) if words >= LONG_PASSIVE_WORDS else None
            found.append(Sentence(
                path, offset, sentence, words, sentence_grade(sentence),
                words_of_passive.text if words_of_passive else None,
            ))
    return found


@dataclass(frozen=True)
class Reading:
    """How a leaflet reads against ``max_grade``: its grade as a whole (None when too short to
    judge), every sentence above the grade (hardest first) and every long passive sentence not
    among them (longest first)."""

    max_grade: float
    grade: float | None
    hard: tuple[Sentence, ...]
    passive: tuple[Sentence, ...]
    sentences: int  # how many were graded

    @property
    def hard_shown(self) -> tuple[Sentence, ...]:
        return self.hard[:MAX_HARD_SHOWN]

    @property
    def passive_shown(self) -> tuple[Sentence, ...]:
        return self.passive[:MAX_PASSIVE_SHOWN]

    @property
    def too_hard(self) -> bool:
        """Above the grade as a whole, or in any sentence."""
        return bool(self.hard) or (self.grade is not None and self.grade > self.max_grade)

    def placed(self, place: Any) -> Reading:
        """The same, each sentence given its line and column by ``place(path, offset)``."""

        def at(sentence: Sentence) -> Sentence:
            line, column = place(sentence.path, sentence.offset)
            return dataclasses.replace(sentence, line=line, column=column)

        return dataclasses.replace(self, hard=tuple(map(at, self.hard)), passive=tuple(map(at, self.passive)))


def reading(sentences: list[Sentence], grade: float | None, max_grade: float) -> Reading:
    hard = sorted(
        (sentence for sentence in sentences if sentence.grade is not None and sentence.grade > max_grade),
        key=lambda sentence: -(sentence.grade or 0),  # sorted() is stable: equal grades stay in reading order
    )
    shown = {id(sentence) for sentence in hard[:MAX_HARD_SHOWN]}
    passive_ones = sorted(
        (sentence for sentence in sentences if sentence.passive and id(sentence) not in shown),
        key=lambda sentence: -sentence.words,
    )
    graded = sum(sentence.grade is not None for sentence in sentences)
    return Reading(max_grade, grade, tuple(hard), tuple(passive_ones), graded)
