"""Content lints: what a reviewer should look at in a leaflet that is valid YAML.

Warnings (errors under ``check --strict``), each at the place it is about:
empty sections, site text left behind, repeated items, items too long for a
leaflet, hard reading, review dates that do not add up, and the marks of an
extraction that went wrong: risks empty while extra sections hold text, an
extra section that looks like part of a section, a title that is a sentence,
a department or far too long, an extra section with no text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from pipeline.config.headings import HeadingTable, default_table, simplify
from pipeline.config.site_text import SiteText
from pipeline.model import (
    CANONICAL_SECTIONS,
    SITE_SECTIONS,
    Block,
    Diagnostic,
    Item,
    Leaflet,
)
from pipeline.review.plain_language import plain_language_problems

MAX_GRADE = 8.0

MAX_ITEM_CHARACTERS = 400
MAX_TITLE_CHARACTERS = 130  # real procedure names run to 126 (see the README)
# Sections a patient must not miss: one left empty while extra sections hold text
# is the mark of headings that went astray.
SAFETY_SECTIONS = ("risks",)

Path_ = tuple[Any, ...]
Place = tuple[Path_, bool]  # a path in the document, and whether the problem is at its key


def _texts(blocks: tuple[Block, ...], path: Path_) -> Iterator[tuple[Path_, str]]:
    """Every paragraph and item text of ``blocks`` (groups and sub-items included), with its place."""
    for index, block in enumerate(blocks):
        if block.kind == "group":
            yield from _texts(block.blocks, (*path, index, "content"))
        elif block.kind == "paragraph":
            yield (*path, index, "paragraph"), block.text
        else:
            for item_index, item in enumerate(block.items):
                yield from _item_texts(item, (*path, index, block.kind, item_index))


def _item_texts(item: Item, path: Path_) -> Iterator[tuple[Path_, str]]:
    yield (path if item.label is None and not item.items else (*path, "text")), item.text
    for index, sub in enumerate(item.items):
        yield from _item_texts(sub, (*path, "items", index))


def structure_problems(leaflet: Leaflet, table: HeadingTable | None = None) -> list[tuple[Path_, bool, str]]:
    """The marks of an extraction that went wrong, as (path, at its key, message)."""
    table = table or default_table()
    found: list[tuple[Path_, bool, str]] = []
    extras_with_text = [extra.heading for extra in leaflet.extra_sections if any(True for _ in _texts(extra.content, ()))]
    for key in SAFETY_SECTIONS:
        if not leaflet.sections[key] and extras_with_text:
            named = ", ".join(repr(heading) for heading in extras_with_text[:4])
            found.append(((("sections", key)), True, f"section {key!r} is empty while extra sections hold text "
                          f"({named}); a patient would read no {key}: move that text under {key}"))
    for index, extra in enumerate(leaflet.extra_sections):
        owner = table.sub_heading_of(extra.heading)
        if owner is not None:
            found.append(((("extra_sections", index, "heading")), False, f"extra section {extra.heading!r} looks like "
                          f"part of section {owner!r}: it is printed apart, after every section"))
        if not any(True for _ in _texts(extra.content, ())):
            found.append(((("extra_sections", index, "heading")), False,
                          f"extra section {extra.heading!r} has no text; it is not printed"))
    found += [(("title",), False, message) for message in title_problems(leaflet.title, table)]
    return found


_BILLING_WORDS = re.compile(
    r"list\s+(separately\s+)?in\s+addition\s+to|\beach\s+additional\b|\b(HCPCS|CPT-?4?)\s+code\b", re.IGNORECASE
)


def title_problems(title: str, table: HeadingTable) -> list[str]:
    problems = []
    if len(title) > MAX_TITLE_CHARACTERS:
        problems.append(f"the title is {len(title)} characters long (at most {MAX_TITLE_CHARACTERS}): is it a name?")
    if title.rstrip().endswith((".", "!")) or re.search(r"[.!?]\s+[A-Z]", title):
        problems.append("the title reads as a sentence, not as the name of a procedure")
    if _BILLING_WORDS.search(title):
        problems.append("the title carries the code's billing wording; a patient needs the procedure's name")
    words = simplify(title).split()
    if words and all(word in table.department_words for word in words):
        problems.append(f"the title {title!r} names a department, not a procedure")
    return problems


# What a reviewer writes in the sections no source page has, said when an approved leaflet lacks one.
_REVIEWER_WRITES = {
    "urgent_help": "when to get urgent help): the page shows only the theme's general text; write what a "
                   "patient should watch for after this procedure",
    "doing_nothing": "what if I decide not to have it): the page leaves the question out; write what is likely "
                     "to happen without the procedure, so the choice is an informed one",
}


def lint(
    leaflet: Leaflet, positions: Any, today: dt.date, site_text: SiteText, grade: float | None,
    table: HeadingTable | None = None,
) -> list[Diagnostic]:
    """Warnings about the content of a valid leaflet; ``grade`` is its reading grade,
    ``positions`` a :class:`pipeline.review.check.Positions` of its YAML."""
    problems: list[Diagnostic] = []

    def warn(path: Path_, message: str, key: bool = False) -> None:
        problems.append(Diagnostic(message, *positions.at(path, key=key)))

    met: set[str] = set()  # medical terms met so far: explained (or warned about) at their first use
    for key in CANONICAL_SECTIONS:
        blocks = leaflet.sections[key]
        if not blocks and key in SITE_SECTIONS:
            warn(("sections", key), f"section {key!r} is empty", key=True)
        elif not blocks and leaflet.review.status == "approved":
            # urgent_help, doing_nothing: extraction leaves them empty; a reviewer writes them before approving.
            where = ("sections", key) if ("sections", key) in positions.keys else ("sections",)
            warn(where, f"approved without {key!r} ({_REVIEWER_WRITES[key]}", key=True)
        seen: set[str] = set()
        for path, text in _texts(blocks, ("sections", key)):
            if site_text.match(text):
                warn(path, f"site text left in the content: {text!r}")
            if len(text) > MAX_ITEM_CHARACTERS:
                warn(path, f"{len(text)} characters is too long for one leaflet item (at most {MAX_ITEM_CHARACTERS})")
            normal = " ".join(text.casefold().split())
            if normal and normal in seen:
                warn(path, f"repeated in section {key!r}: {text[:60]!r}")
            seen.add(normal)
            for message in plain_language_problems(text, met):
                warn(path, message)

    for index, extra in enumerate(leaflet.extra_sections):
        for path, text in _texts(extra.content, ("extra_sections", index, "content")):
            if site_text.match(text):
                warn(path, f"site text left in the content: {text!r}")
    for path, at_key, message in structure_problems(leaflet, table):
        warn(path, message, key=at_key)

    if grade is not None and grade > MAX_GRADE:
        warn(("title",), f"reading grade {grade:.1f} is above {MAX_GRADE:g} (US grade, Flesch-Kincaid)")

    review = leaflet.review
    if review.status == "approved":
        for field in ("reviewer", "reviewed_on", "next_review_due"):
            if getattr(review, field) in (None, ""):
                warn(("review", field), f"approved, but review.{field} is not set")
    if review.reviewed_on and review.reviewed_on > today:
        warn(("review", "reviewed_on"), f"reviewed_on {review.reviewed_on} is in the future")
    if review.next_review_due and review.next_review_due < today:
        warn(("review", "next_review_due"), f"next review was due on {review.next_review_due}")
    return problems
