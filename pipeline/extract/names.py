"""The name block: title, common names and technical term, in any of the forms pages write them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.config.headings import HeadingTable, strip_heading_markup
from pipeline.lines import BULLET, NAME_PARENTHESIS, is_list_item
from pipeline.model import Line


@dataclass
class Names:
    title: str | None = None
    title_line: Line | None = None
    also_known_as: list[str] = field(default_factory=list)
    technical_term: str | None = None
    leftover: list[Line] = field(default_factory=list)


def _split_names(value: str) -> list[str]:
    return [name.strip() for name in re.split(r"[;,]", value) if name.strip()]


def _take_name_field(label: str, value: str, names: Names, table: HeadingTable) -> bool:
    meaning = table.name_label(label)
    if meaning == "common_names":
        names.also_known_as += _split_names(value)
    elif meaning == "technical_term":
        if names.technical_term and value.strip() != names.technical_term:
            return False  # a second, different term: kept as leftover text
        names.technical_term = value.strip() or None
    return meaning is not None


def name_fields(text: str, table: HeadingTable) -> list[tuple[str, str]]:
    """The (label, value) pairs of a name-field line: ``- Common Name(s): ...``,
    ``Technical Term: ...`` or ``(Common names: ...; Medical term: ...)``; else none."""
    parenthesis = NAME_PARENTHESIS.match(text) if text.startswith("(") else None
    if parenthesis:
        parts = [part.split(":", 1) for part in parenthesis["body"].split(";")]
        if all(len(part) == 2 and table.name_label(part[0]) for part in parts):
            return [(label, value) for label, value in parts]
    bullet = BULLET.match(text)
    label, colon, value = (bullet["text"] if bullet else text).partition(":")
    return [(label, value)] if colon and table.name_label(label) else []


def parse_name_block(lines: list[Line], table: HeadingTable) -> Names:
    names = Names()
    for line in lines:
        if not line.text:
            continue
        text = line.text
        fields = name_fields(text, table)
        # Every field is taken (a list, not a generator that all() would stop early); a line
        # with a field that could not be taken (a second, different term) is kept as text too.
        if fields and all([_take_name_field(label, value, names, table) for label, value in fields]):
            continue
        if names.title is None and not is_list_item(text):
            names.title = strip_heading_markup(text)
            names.title_line = line
        else:
            names.leftover.append(line)
    return names


