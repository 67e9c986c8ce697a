"""Plain-language checks: the words a patient may stumble on, at their place. Pure.

- a medical term with no explanation near it (the term list is data:
  ``config/data/plain_words.yaml``);
- the leaflet speaking of "the patient" or "patients" where it should say "you".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

import yaml

from pipeline.config import data_text

_THIRD_PERSON = re.compile(r"\b(the patient's|the patient|patients'|patients)\b", re.IGNORECASE)


@functools.cache
def default_terms() -> Mapping[str, str]:
    data = yaml.safe_load(data_text("plain_words.yaml"))
    return {str(term).casefold(): str(plain) for term, plain in data["terms"].items()}


@functools.cache
def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(term)}\b(?P<bracket>\s*\()?", re.IGNORECASE)


def unexplained_terms(
    text: str, met: set[str] | None = None, terms: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """(term as written, plainer words) for each term in ``text`` with no explanation beside it.

    ``met`` holds the terms met earlier in the leaflet (explained or already warned about):
    they are not warned about again, and the terms of ``text`` are added to it."""
    terms = default_terms() if terms is None else terms
    met = set() if met is None else met
    folded = text.casefold()
    for term, plain in terms.items():
        match = _pattern(term).search(text)
        if not match or term in met:
            continue
        met.add(term)
        if not match["bracket"] and plain.casefold() not in folded:
            yield match.group(0).rstrip(" ("), plain


def third_person(text: str) -> str | None:
    """The words that speak of the patient instead of to them ("the patient"), if any."""
    match = _THIRD_PERSON.search(text)
    return match.group(0) if match else None


def plain_language_problems(text: str, met: set[str] | None = None) -> list[str]:
    """Warnings about one paragraph or item's words; ``met`` as for :func:`unexplained_terms`."""
    problems = [
        f"{term!r} may be a word a patient does not know; explain it where it is first used, e.g. ({plain})"
        for term, plain in unexplained_terms(text, met)
    ]
    if words := third_person(text):
        problems.append(f"says {words!r}: a leaflet speaks to the reader as 'you'")
    return problems
