"""Which lines are the lookup site's own (search box, code descriptor, "Similar Codes" ...), not the procedure's.

The rules are data (``data/site_text.yaml``, or a file given with
``--site-text``): regular expressions that match a whole line, stripped and
with inner runs of white space made one. A rule may say ``drop_rest`` (every
line after it is site text too) and name groups whose text becomes a fact of
the page (``code_system``). :func:`remove_site_text` drops the lines and
records each one, so nothing leaves a leaflet unaccounted for.
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


@dataclass(frozen=True)
class SiteTextRule:
    name: str
    pattern: re.Pattern[str]
    drop_rest: bool = False


@dataclass(frozen=True)
class SiteText:
    rules: tuple[SiteTextRule, ...]

    def match(self, line: str) -> tuple[SiteTextRule, re.Match[str]] | None:
        """The first rule that matches the whole line, stripped and its inner runs
        of white space made one space; a blank line is never site text."""
        key = " ".join(line.split())
        if not key:
            return None
        for rule in self.rules:
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
        try:
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
        except re.error as error:
            raise ConfigError(f"site text: rule {index}: bad pattern: {error}") from None
        rules.append(SiteTextRule(str(entry.get("name", index)), pattern, bool(entry.get("drop_rest", False))))
    return SiteText(tuple(rules))


@functools.cache
def default_site_text() -> SiteText:
    return site_text_from_data(yaml.safe_load(data_text("site_text.yaml")))


def remove_site_text(lines: list[Line], site_text: SiteText) -> tuple[list[Line], list[RemovedLine], dict[str, str]]:
    """Drop site lines (and all after one whose rule says ``drop_rest``), leaving a blank
    in their place so paragraphs stay apart; returns the lines kept and removed, and the
    facts the rules' named groups found (``code_system``)."""
    kept: list[Line] = []
    removed: list[RemovedLine] = []
    facts: dict[str, str] = {}
    for index, line in enumerate(lines):
        found = site_text.match(line.text)
        if found is None:
            kept.append(line)
            continue
        rule, match = found
        facts.update({key: value for key, value in match.groupdict().items() if value})
        dropped = lines[index:] if rule.drop_rest else [line]
        removed += [RemovedLine(number, text.strip()) for number, text in dropped if text.strip()]
        kept += [Line(number, "") for number, _ in dropped]
        if rule.drop_rest:
            break
    return kept, removed, facts
