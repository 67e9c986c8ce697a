"""Which lines are a website's own (search box, menus, notices, link lists ...), not the procedure's.

The rules are data (``data/site_text.yaml``, or a file given with
``--site-text``): regular expressions that match a whole line, stripped and
with inner runs of white space made one. A rule may say ``drop_rest`` (every
line after it is site text too), ``where: edges`` (only before the document's
first sentence and in the run of such lines that ends it), ``then_drop`` (the
lines right after it that match a second pattern) and ``lookup_site`` (a line
of the code-lookup site), and name groups whose text becomes a fact of the
page (``code_system``, ``reference``, ``published`` ...).
:func:`remove_site_text` and :func:`remove_chrome_at_edges` drop the lines and
record each one, so nothing leaves a leaflet unaccounted for.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from pipeline.config import data_text
from pipeline.errors import ConfigError
from pipeline.model import Line, RemovedLine

EDGES = "edges"
ANYWHERE = "anywhere"
# The facts a rule's named groups may record; a group named ``keep`` (edges) keeps its part of
# the line and drops the rest ("Skin Biopsy - A Guide For Patients" -> "Skin Biopsy").
FACTS = ("code_system", "reference", "published", "review_date", "department", "author")
KEEP = "keep"


@dataclass(frozen=True)
class SiteTextRule:
    name: str
    pattern: re.Pattern[str]
    drop_rest: bool = False
    where: str = ANYWHERE
    then_drop: re.Pattern[str] | None = None
    lookup_site: bool = False


@dataclass(frozen=True)
class SiteText:
    rules: tuple[SiteTextRule, ...]

    def match(self, line: str, where: str = ANYWHERE) -> tuple[SiteTextRule, re.Match[str]] | None:
        """The first rule for ``where`` that matches the whole line, stripped and its inner
        runs of white space made one space; a blank line is never site text."""
        key = " ".join(line.split())
        if not key:
            return None
        for rule in self.rules:
            if rule.where != where:
                continue
            found = rule.pattern.fullmatch(key)
            if found:
                return rule, found
        return None


def site_text_from_data(data: Any) -> SiteText:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("site text: expected a mapping with a 'rules' list")
    rules = []
    for index, entry in enumerate(data["rules"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise ConfigError(f"site text: rule {index}: expected a mapping with a 'pattern' string")
        where = entry.get("where", ANYWHERE)
        if where not in (ANYWHERE, EDGES):
            raise ConfigError(f"site text: rule {index}: where: expected {ANYWHERE} or {EDGES}, got {where!r}")
        pattern = _compile(entry["pattern"], index)
        unknown = sorted(set(pattern.groupindex) - {*FACTS, *([KEEP] if where == EDGES else [])})
        if unknown:
            raise ConfigError(f"site text: rule {index}: unknown group name(s) {', '.join(unknown)}; expected {', '.join(FACTS)}")
        then_drop = entry.get("then_drop")
        if then_drop is not None and (not isinstance(then_drop, str) or where != EDGES):
            raise ConfigError(f"site text: rule {index}: then_drop: expected a pattern string on a 'where: edges' rule")
        rules.append(
            SiteTextRule(
                str(entry.get("name", index)),
                pattern,
                bool(entry.get("drop_rest", False)),
                where,
                _compile(then_drop, index) if then_drop else None,
                bool(entry.get("lookup_site", False)),
            )
        )
    return SiteText(tuple(rules))


def _compile(pattern: str, index: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ConfigError(f"site text: rule {index}: bad pattern: {error}") from None


@functools.cache
def default_site_text() -> SiteText:
    return site_text_from_data(yaml.safe_load(data_text("site_text.yaml")))


@dataclass
class Removal:
    """What a pass of the rules dropped, and the facts their named groups found."""

    removed: list[RemovedLine]
    facts: dict[str, str]
    lookup_site: bool = False  # a line of the code-lookup site was among them

    def take(self, line: Line, rule: SiteTextRule, match: re.Match[str]) -> Line:
        """Record what ``match`` drops of ``line``; returns what is left of it (a blank, or
        the part a ``keep`` group keeps)."""
        keep = match.groupdict().get("keep")
        if keep:
            text = " ".join(line.text.split())
            dropped = " ".join((text[: match.start("keep")] + " " + text[match.end("keep"):]).split())
            self.removed.append(RemovedLine(line.number, dropped))
        else:
            self.removed.append(RemovedLine(line.number, line.text.strip()))
        self._note(rule, match)
        return Line(line.number, keep or "")

    def _note(self, rule: SiteTextRule, match: re.Match[str]) -> None:
        for key, value in match.groupdict().items():
            if key == "keep":
                continue
            if value and key not in self.facts:  # the first line that gives a fact wins
                self.facts[key] = value.strip()
        self.lookup_site = self.lookup_site or rule.lookup_site


def remove_site_text(lines: list[Line], site_text: SiteText) -> tuple[list[Line], list[RemovedLine], dict[str, str]]:
    """The lines kept, the lines removed and the facts found by :func:`strip_site_lines`."""
    kept, removal = strip_site_lines(lines, site_text)
    return kept, removal.removed, removal.facts


def strip_site_lines(lines: list[Line], site_text: SiteText) -> tuple[list[Line], Removal]:
    """Drop the lines that rules for anywhere match (and all after one whose rule says
    ``drop_rest``), leaving a blank in their place so paragraphs stay apart; returns the
    lines kept, and what was removed."""
    kept: list[Line] = []
    removal = Removal([], {})
    for index, line in enumerate(lines):
        found = site_text.match(line.text)
        if found is None:
            kept.append(line)
            continue
        rule, match = found
        removal.take(line, rule, match)
        dropped = lines[index + 1:] if rule.drop_rest else []
        removal.removed += [RemovedLine(number, text.strip()) for number, text in dropped if text.strip()]
        kept += [Line(number, "") for number, _ in [line, *dropped]]
        if rule.drop_rest:
            break
    return kept, removal


# A line of more words than this, or one ending like a sentence, is the document's
# content: the head of the document (title, menus, notices) ends before it.
_HEAD_LINE_WORDS = 12
_SENTENCE_END = re.compile(r"[.,;!]\W*$")


def _is_prose(text: str) -> bool:
    return bool(_SENTENCE_END.search(text)) or len(text.split()) > _HEAD_LINE_WORDS


def _goes_on(lines: list[Line], index: int) -> bool:
    """A file's own line that a hard wrap cut: it ends with a comma, or the next goes on in lower case."""
    following = lines[index + 1].text.strip() if index + 1 < len(lines) else ""
    return lines[index].text.rstrip().endswith(",") or following[:1].islower()


def remove_chrome_at_edges(
    lines: list[Line], site_text: SiteText, *, physical: bool = False
) -> tuple[list[Line], Removal]:
    """Drop the lines that the ``where: edges`` rules match at the document's edges: from its
    start up to its first line of prose that no rule matches, and the run of matching lines
    that ends it. A blank takes each dropped line's place. On the file's ``physical`` lines
    (before hard-wrapped ones are joined) a line cut by a wrap is part of a paragraph that only
    the joined text shows whole: it is never dropped, and ends the head."""
    removal = Removal([], {})
    lines = list(lines)
    dropped: set[int] = set()  # indexes into lines

    def drop(index: int) -> SiteTextRule | None:
        if physical and _goes_on(lines, index):
            return None
        found = site_text.match(lines[index].text, EDGES)
        if found is None:
            return None
        lines[index] = removal.take(lines[index], *found)
        if not lines[index].text:
            dropped.add(index)
        return found[0]

    index = 0
    while index < len(lines):
        rule = drop(index) if lines[index].text.strip() else None
        then_drop = rule.then_drop if rule else None
        text = lines[index].text.strip()  # what is left of it
        if text and index not in dropped and (_is_prose(text) or (physical and _goes_on(lines, index))):
            break
        index += 1
        while then_drop is not None and index < len(lines):
            if lines[index].text.strip() and then_drop.fullmatch(" ".join(lines[index].text.split())) is None:
                break
            if lines[index].text.strip():
                removal.removed.append(RemovedLine(lines[index].number, lines[index].text.strip()))
                lines[index] = Line(lines[index].number, "")
                dropped.add(index)
            index += 1
    for end in range(len(lines) - 1, index, -1):
        if lines[end].text.strip() and end not in dropped and (drop(end) is None or end not in dropped):
            break
    removal.removed.sort(key=lambda line: line.line)
    return lines, removal
