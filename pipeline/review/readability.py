"""Reading level (US school grade, Flesch-Kincaid, by textstat): of a whole leaflet, and of
each sentence, so a reviewer is pointed at the hard sentence, not only told the average. Pure.

Flesch-Kincaid is ``0.39 x words per sentence + 11.8 x syllables per word - 15.59``;
textstat counts the words and syllables. A US grade is about a reading age minus 5:
grade 6 is a reading age of about 11.
"""

from __future__ import annotations

import re

import textstat

from pipeline.model import CANONICAL_SECTIONS, Block, Leaflet, without_groups

# Pieces shorter than this are not graded: the formula needs words to average over (one word
# of three syllables grades 20), and a hard word in a short item is the term list's job.
MIN_SENTENCE_WORDS = 6
# A whole leaflet is graded from this many words on.
MIN_LEAFLET_WORDS = 30

# A sentence ends at . ! or ? (and any closing quote or bracket) before a space and a capital,
# a digit or an opening quote or bracket; not after a short abbreviation or an initial.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]’”]*\s+(?=[\"'(\[‘“]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|approx|vs|dr|mr|mrs|ms|st|no|fig)|(?-i:\b[A-Z]))\.$", re.IGNORECASE)


def reading_age(grade: float) -> float:
    """The reading age a US school grade stands for (grade 6: about 11)."""
    return grade + 5


def split_sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a paragraph or item, each with the offset it starts at in ``text``."""
    sentences: list[tuple[int, str]] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : end.start() + 1]):
            continue
        sentences.append((start, text[start : end.start() + len(end.group().rstrip())]))
        start = end.end()
    if text[start:].strip():
        sentences.append((start, text[start:].rstrip()))
    leading = [len(sentence) - len(sentence.lstrip()) for _, sentence in sentences]
    return [(offset + skip, sentence.lstrip()) for (offset, sentence), skip in zip(sentences, leading)]


def word_count(text: str) -> int:
    return int(textstat.lexicon_count(text))


def sentence_grade(sentence: str) -> float | None:
    """Flesch-Kincaid grade of one sentence, or None for one too short to judge."""
    if word_count(sentence) < MIN_SENTENCE_WORDS:
        return None
    return float(textstat.flesch_kincaid_grade(sentence))


def _block_sentences(block: Block) -> list[str]:
    if block.kind == "paragraph":
        return [block.text]
    # Each list item reads as one sentence, whether or not it ends with a full stop.
    items = [entry for item in block.items for entry in (item, *item.items)]
    return [f"{item.label}: {item.text}" if item.label else item.text for item in items]


def leaflet_text(leaflet: Leaflet) -> str:
    """The text a patient reads, one sentence-like piece per line."""
    blocks = [block for key in CANONICAL_SECTIONS for block in without_groups(leaflet.sections[key])]
    blocks += [block for extra in leaflet.extra_sections for block in without_groups(extra.content)]
    pieces = [piece.strip() for block in blocks for piece in _block_sentences(block) if piece.strip()]
    return "\n".join(piece if piece[-1] in ".!?" else f"{piece}." for piece in pieces)


def grade_level(text: str) -> float | None:
    """Flesch-Kincaid grade of a whole text, or None for text too short to judge."""
    if len(text.split()) < MIN_LEAFLET_WORDS:
        return None
    return float(textstat.flesch_kincaid_grade(text))
