"""Recognising section headings, through the synonym table in ``data/headings.yaml``.

Pure functions over strings plus one loader; the table is data that users
extend without touching code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from pipeline.config import data_text
from pipeline.errors import ConfigError
from pipeline.model import CANONICAL_SECTIONS

NAME_BLOCK = "name_block"

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+?)\1$")
_LEADING_NUMBER = re.compile(r"^(?:\d{1,2}|[IVX]{1,4}|[A-Z])[.)]\s+(?=\S)", re.IGNORECASE)  # "2.", "IV.", "B)"
_TRAILING_MARK = re.compile(r"\s*[:?.!]+\s*$")
_MARKUP_FIRST = frozenset("#*_")  # what markup can start with ...
_MARKUP_LAST = frozenset(":?.!")  # ... and what stripping can start from at the end
_NON_WORD = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=8192)  # headings repeat from page to page
def strip_heading_markup(line: str) -> str:
    """``## **Risks & Complications:**`` -> ``Risks & Complications``."""
    text = line.strip()
    if text[:1] not in _MARKUP_FIRST and text[-1:] not in _MARKUP_LAST:
        return text  # nothing to strip
    markdown = _MARKDOWN_HEADING.match(text)
    if markdown:
        text = markdown.group(1)
    for _ in range(2):  # `**Risks**:` and `**Risks:**` both occur
        emphasis = _EMPHASIS.match(text)
        if emphasis:
            text = emphasis.group(2).strip()
        text = _TRAILING_MARK.sub("", text)
    return text.strip()


def simplify(heading: str) -> str:
    """The form two headings are compared in: lower case, words only."""
    text = strip_heading_markup(heading)
    text = _LEADING_NUMBER.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = text.replace("'s", "s").replace("’s", "s")
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def _label_form(label: str) -> str:
    """A name-block label as compared: simplified, each word singular ("Common Names" = "Common Name")."""
    return " ".join(_singular(word) for word in simplify(label).split())


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# Remembered answers per table; headings repeat from page to page.
_MATCH_CACHE_SIZE = 20_000


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so functions can cache per table
class HeadingTable:
    exact: dict[str, str]
    loose: dict[frozenset[str], str]
    filler_words: frozenset[str]
    common_names_labels: frozenset[str]
    technical_term_labels: frozenset[str]
    sub_headings: dict[str, str] = field(default_factory=dict)  # simplified sub-heading -> its section
    department_words: frozenset[str] = frozenset()
    # Headings by meaning: (section, keyword as written, its pattern over the heading's words).
    keywords: tuple[KeywordRule, ...] = ()
    question_forms: tuple[KeywordRule, ...] = ()
    _matches: dict[tuple[str, bool], str | None] = field(default_factory=dict, init=False, repr=False)

    def _loose_key(self, simple: str) -> frozenset[str]:
        return frozenset(_singular(w) for w in simple.split() if w not in self.filler_words)

    def match(self, heading: str, *, loose: bool = True) -> str | None:
        """The canonical key (or :data:`NAME_BLOCK`) a heading means, if any."""
        try:
            return self._matches[heading, loose]
        except KeyError:
            pass
        if len(self._matches) >= _MATCH_CACHE_SIZE:
            self._matches.clear()
        found = self._matches[heading, loose] = self._match(heading, loose)
        return found

    def _match(self, heading: str, loose: bool) -> str | None:
        simple = simplify(heading)
        if not simple:
            return None
        found = self.exact.get(simple)
        if found is None and loose:
            key = self._loose_key(simple)
            found = self.loose.get(key) if key else None
        return found

    def classify(self, heading: str) -> HeadingChoice:
        """What section a heading means and by which rule: the synonym table first, then the
        keywords in its words, then the question forms; none, or more than one section, is no choice."""
        key = self.match(heading, loose=False)
        if key is not None:
            return HeadingChoice(key, "synonym")
        key = self.match(heading)
        if key is not None:
            return HeadingChoice(key, "synonym words")
        words = _heading_words(heading)
        for tier, rules in (("keyword", self.keywords), ("question form", self.question_forms)):
            found = _longest_matches(words, rules)
            sections = list(dict.fromkeys(rule.section for rule in found))
            if len(sections) == 1:
                return HeadingChoice(sections[0], f"{tier} {found[0].keyword!r}")
            if sections:
                named = ", ".join(f"{rule.section} ({rule.keyword!r})" for rule in found)
                return HeadingChoice(None, f"{tier}s of more than one section: {named}", tuple(sections))
        return HeadingChoice(None, "no synonym, keyword or question form")

    def sub_heading_of(self, heading: str) -> str | None:
        """The section a heading usually stands under as a part of it ("Rare" -> risks), if any."""
        return self.sub_headings.get(" ".join(_singular(word) for word in simplify(heading).split()))

    def name_label(self, label: str) -> str | None:
        """``common_names`` or ``technical_term`` for a name-block label (plural or not: "Technical Terms")."""
        simple = _label_form(label)
        if simple in self.common_names_labels:
            return "common_names"
        if simple in self.technical_term_labels:
            return "technical_term"
        return None


@dataclass(frozen=True)
class KeywordRule:
    section: str
    keyword: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class HeadingChoice:
    """A heading's section (None: no section fits) and the rule that decided it, for --explain."""

    key: str | None
    rule: str
    candidates: tuple[str, ...] = ()


def _heading_words(heading: str) -> str:
    """The heading's words as keywords are matched against: simplified, each word singular."""
    return " ".join(_singular(word) for word in simplify(heading).split())


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """``side effect*`` -> those words in a row, the last one ending in anything; ``...``
    stands for up to four words ("why ... done"). Compared as headings are: simplified, singular."""
    regex = ""
    for token in keyword.split():
        if token == "...":
            regex += r"(?:\S+ ){0,4}"
            continue
        words = [_singular(word) for word in simplify(token.rstrip("*")).split()]
        if words:
            regex += " ".join(map(re.escape, words)) + (r"\w*" if token.endswith("*") else "") + " "
    return re.compile(r"(?<!\S)" + regex.rstrip(" ") + r"(?!\S)")


def _longest_matches(words: str, rules: tuple[KeywordRule, ...]) -> list[KeywordRule]:
    """The rules whose keyword is in ``words``, less those inside a longer one's match
    ("after" inside "after effect")."""
    spans = [(match.start(), match.end(), rule) for rule in rules if (match := rule.pattern.search(words))]
    return [
        rule
        for start, end, rule in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
    ]


def _expect_list(data: Any, where: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(entry, str) for entry in data):
        raise ConfigError(f"headings table: {where}: expected a list of strings, got {type(data).__name__}")
    return data


def table_from_data(data: Any) -> HeadingTable:
    if not isinstance(data, dict):
        raise ConfigError("headings table: expected a mapping at the top level")
    sections = data.get("sections")
    if not isinstance(sections, dict):
        raise ConfigError("headings table: expected a 'sections' mapping")
    unknown = sorted(set(sections) - set(CANONICAL_SECTIONS))
    if unknown:
        raise ConfigError(f"headings table: unknown section key(s): {', '.join(unknown)}")
    name_block = data.get("name_block") or {}
    filler = frozenset(simplify(word) for word in _expect_list(data.get("filler_words", []), "filler_words"))

    meanings: list[tuple[str, str]] = [
        (heading, NAME_BLOCK) for heading in _expect_list(name_block.get("headings", []), "name_block.headings")
    ]
    for key, headings in sections.items():
        meanings += [(heading, key) for heading in _expect_list(headings, f"sections.{key}")]

    exact: dict[str, str] = {}
    loose_candidates: dict[frozenset[str], set[str]] = {}
    for heading, key in meanings:
        simple = simplify(heading)
        exact.setdefault(simple, key)
        loose = frozenset(_singular(w) for w in simple.split() if w not in filler)
        if loose:
            loose_candidates.setdefault(loose, set()).add(key)
    # A loose form shared by two sections means nothing on its own.
    loose = {words: keys.pop() for words, keys in loose_candidates.items() if len(keys) == 1}

    def labels(name: str) -> frozenset[str]:
        return frozenset(_label_form(label) for label in _expect_list(name_block.get(name, []), f"name_block.{name}"))

    return HeadingTable(
        keywords=_keyword_rules(data.get("keywords"), "keywords"),
        question_forms=_keyword_rules(data.get("question_forms"), "question_forms"),
        exact=exact,
        loose=loose,
        filler_words=filler,
        common_names_labels=labels("common_names_labels"),
        technical_term_labels=labels("technical_term_labels"),
        sub_headings=_sub_headings(data.get("sub_headings") or {}),
        department_words=frozenset(simplify(word) for word in _expect_list(data.get("department_words", []), "department_words")),
    )


def _keyword_rules(data: Any, name: str) -> tuple[KeywordRule, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict) or not set(data) <= set(CANONICAL_SECTIONS):
        raise ConfigError(f"headings table: {name}: expected a mapping of section keys to lists of keywords")
    rules = []
    for key, keywords in data.items():
        for keyword in _expect_list(keywords, f"{name}.{key}"):
            if not simplify(keyword.replace("...", " ").replace("*", " ")):
                raise ConfigError(f"headings table: {name}.{key}: {keyword!r} has no words")
            rules.append(KeywordRule(key, keyword, _keyword_pattern(keyword)))
    return tuple(rules)


def _sub_headings(data: Any) -> dict[str, str]:
    if not isinstance(data, dict) or not set(data) <= set(CANONICAL_SECTIONS):
        raise ConfigError("headings table: sub_headings: expected a mapping of section keys to lists of sub-headings")
    return {
        " ".join(_singular(word) for word in simplify(heading).split()): key
        for key, headings in data.items()
        for heading in _expect_list(headings, f"sub_headings.{key}")
    }


@functools.cache
def default_table() -> HeadingTable:
    return table_from_data(yaml.safe_load(data_text("headings.yaml")))
