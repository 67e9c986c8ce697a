"""Plain-language checks: the words a patient may stumble on, at their place in the text. Pure.

- a medical term with no explanation near it (the term list is data:
  ``config/data/plain_words.yaml``);
- the leaflet speaking of "the patient" or "patients" where it should say "you";
- a long sentence in the passive voice ("The patient is positioned ..."), which
  hides who does what.

Each finder gives the words it found and their offset in the text, so a warning can
point at the line and column of the words themselves.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import yaml

from pipeline.config import data_text

_THIRD_PERSON = re.compile(r"\b(the patient's|the patient|patients'|patients)\b", re.IGNORECASE)

# Passive voice, by a simple rule: a form of "be", at most two adverbs, then a past participle
# (a word ending in -ed, or an irregular one from the list). It misses some passives and takes
# some adjectives for one ("is tired"); only sentences of LONG_PASSIVE_WORDS words or more are
# warned about, where the passive makes a sentence hard to follow.
LONG_PASSIVE_WORDS = 12
_BE = r"(?:am|is|are|was|were|be|been|being|isn't|aren't|wasn't|weren't)"
_ADVERB = r"(?:not|then|also|usually|often|sometimes|always|never|only|just|first|still|[a-z]+ly)"
_IRREGULAR = (
    "begun bent bitten blown broken brought built bought caught chosen cut dealt done drawn driven eaten fallen fed "
    "felt found frozen given gone grown held hidden hit hung hurt kept known laid led left lent lost made meant met "
    "paid put read run said seen sent set sewn shaken shown shut sought spent split spoken spread stuck struck "
    "taken taught thrown told torn understood woken won worn written"
)
# Words ending in -ed that are no participle.
_NOT_PARTICIPLES = frozenset({"bed", "bleed", "breed", "exceed", "feed", "need", "proceed", "red", "seed", "shed", "speed",
                               "succeed"})
_PASSIVE = re.compile(
    rf"\b{_BE}(?:\s+{_ADVERB}){{0,2}}\s+(?P<participle>[a-z]+ed|{'|'.join(_IRREGULAR.split())})\b", re.IGNORECASE
)


class Words(NamedTuple):
    """Words found in a text and the offset they start at."""

    text: str
    offset: int


class TermUse(NamedTuple):
    """A medical term as written, the plainer words for it, and where it stands."""

    term: str
    plain: str
    offset: int


@functools.cache
def default_terms() -> Mapping[str, str]:
    data = yaml.safe_load(data_text("plain_words.yaml"))
    return {str(term).casefold(): str(plain) for term, plain in data["terms"].items()}


@functools.cache
def _pattern(term: str) -> re.Pattern[str]:
    # The plural too: "sitz baths", "strictures".
    return re.compile(rf"\b{re.escape(term)}(?:e?s)?\b(?P<bracket>\s*\()?", re.IGNORECASE)


def unexplained_terms(
    text: str, met: set[str] | None = None, terms: Mapping[str, str] | None = None
) -> Iterator[TermUse]:
    """Each term in ``text`` with no explanation beside it: neither its plainer words in the same
    text nor a bracket right after it.

    ``met`` holds the terms met earlier in the leaflet (explained or already warned about):
    they are not warned about again, and the terms of ``text`` are added to it."""
    terms = default_terms() if terms is None else terms
    met = set() if met is None else met
    folded = text.casefold()
    found = []
    for term, plain in terms.items():
        match = _pattern(term).search(text)
        if not match or term in met:
            continue
        met.add(term)
        if not match["bracket"] and plain.casefold() not in folded:
            found.append(TermUse(match.group(0).rstrip(" ("), plain, match.start()))
    yield from sorted(found, key=lambda use: use.offset)


def third_person(text: str) -> Words | None:
    """The words that speak of the patient instead of to them ("the patient"), if any."""
    match = _THIRD_PERSON.search(text)
    return Words(match.group(0), match.start()) if match else None


def passive(sentence: str) -> Words | None:
    """The words that make a sentence passive ("is positioned"), if any."""
    for match in _PASSIVE.finditer(sentence):
        if match["participle"].casefold() not in _NOT_PARTICIPLES:
            return Words(match.group(0), match.start())
    return None


def term_message(use: TermUse) -> str:
    return f"{use.term!r} may be a word a patient does not know; explain it where it is first used, e.g. ({use.plain})"


def third_person_message(words: Words) -> str:
    return f"says {words.text!r}: a leaflet speaks to the reader as 'you'"
