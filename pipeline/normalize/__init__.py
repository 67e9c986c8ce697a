"""Stage 1, normalize: raw bytes -> clean lines of Unicode text.

It decides what is text and in which encoding, which characters a leaflet
keeps (one line break, one kind of space, ``- `` for every bullet mark,
``1.`` for every number mark), which lines are the website's rather than the
procedure's, and which physical lines are one hard-wrapped paragraph.

The work is two ordered lists of small named rules, ``TEXT_RULES`` on the
whole text and then ``LINE_RULES`` on each line, then two steps that need
data: site text is removed (and every removed line recorded) and hard-wrapped
paragraphs and list items are joined (:mod:`pipeline.normalize.joining`).
Each line remembers the source line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config.headings import HeadingTable, default_table
from pipeline.config.site_text import (
    Removal,
    SiteText,
    default_site_text,
    remove_chrome_at_edges,
    strip_site_lines,
)
from pipeline.lines import STEP
from pipeline.model import Line, RemovedLine
from pipeline.normalize.decode import check_is_text, decode
from pipeline.normalize.joining import join_wrapped_lines
from pipeline.normalize.rules import TEXT_RULES, clean_line

__all__ = ["Normalized", "decode", "normalize", "normalize_text"]


def remove_empty_items(lines: list[Line]) -> tuple[list[Line], list[RemovedLine]]:
    """A bullet mark with nothing after it ("- ") is no item: a blank line in its place, and recorded."""
    kept, removed = [], []
    for line in lines:
        if line.text.strip() == "-":
            removed.append(RemovedLine(line.number, line.text.strip()))
            line = Line(line.number, "")
        kept.append(line)
    return kept, removed


def nested_bullets(lines: list[Line]) -> frozenset[int]:
    """Bullet lines indented deeper than the numbered step (or nested bullet) just above them."""
    nested: set[int] = set()
    above: tuple[int, bool, bool] | None = None  # (indent, a step, itself nested) of the last line with text
    for line in lines:
        text = line.text.lstrip()
        if not text:
            continue
        indent = len(line.text) - len(text)
        is_bullet, is_step = text.startswith("- "), STEP.match(text) is not None
        if is_bullet and above is not None and indent > above[0] and (above[1] or above[2]):
            nested.add(line.number)
            above = (above[0], above[1], True) if above[1] else above
            continue
        above = (indent, is_step, False)
    return frozenset(nested)


def tidy_lines(lines: list[Line]) -> list[Line]:
    """No indentation, at most one blank line in a row, none at either end."""
    texts = [line.text.strip() for line in lines]
    tidy = [
        Line(line.number, text)
        for index, (line, text) in enumerate(zip(lines, texts))
        if text or (index > 0 and texts[index - 1])  # a blank line only after one with text
    ]
    while tidy and not tidy[-1].text:
        tidy.pop()
    return tidy


@dataclass(frozen=True)
class Normalized:
    lines: tuple[Line, ...]
    encoding: str
    removed: tuple[RemovedLine, ...]
    code_system: str | None
    # Numbers of the bullet lines indented under a numbered step above them: the step's own
    # items (the indentation itself is gone from ``lines``).
    nested: frozenset[int] = frozenset()
    # What the site-text rules' named groups found besides the code system: the leaflet's
    # reference, dates, department and author (fields under ``source``).
    facts: tuple[tuple[str, str], ...] = ()
    lookup_site: bool = False  # a page of the code-lookup site (a line of its own was removed)

    @property
    def text(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)


def normalize_text(
    text: str,
    encoding: str = "utf-8",
    *,
    site_text: SiteText | None = None,
    headings: HeadingTable | None = None,
    keep_chrome: bool = False,
) -> Normalized:
    """Decoded text -> normalized lines (see the module docstring). ``keep_chrome`` removes
    no site text at all (to see what a page holds without the rules)."""
    check_is_text(text)
    for rule in TEXT_RULES:
        text = rule(text)
    cleaned = [Line(number, clean_line(line)) for number, line in enumerate(text.split("\n"), 1)]
    cleaned, empty_items = remove_empty_items(cleaned)
    site_text = site_text or default_site_text()
    kept, removal = strip_site_lines(cleaned, site_text)
    lookup_site = removal.lookup_site or removal.facts.get("code_system") is not None
    code_system = removal.facts.pop("code_system", None)
    if keep_chrome:  # every line stays; the page is still known for what it is
        kept, removal = cleaned, Removal([], {})
    found = [removal]
    # A hospital's page: its menus, notices and record lines at the edges, seen as the file's
    # own lines and again as joined paragraphs (a notice wrapped over lines). The lookup
    # site's pages have none, and their first lines are the procedure's names.
    at_edges = not lookup_site and not keep_chrome
    if at_edges:
        kept, edges = remove_chrome_at_edges(kept, site_text, physical=True)
        found.append(edges)
    joined = join_wrapped_lines(kept, headings or default_table())
    if at_edges:
        joined, edges = remove_chrome_at_edges(joined, site_text)
        found.append(edges)
    removed = sorted([*empty_items, *(line for each in found for line in each.removed)], key=lambda line: line.line)
    facts: dict[str, str] = {}
    for each in reversed(found):
        facts.update(each.facts)  # the first pass that found a fact wins
    return Normalized(
        tuple(tidy_lines(joined)),
        encoding,
        tuple(removed),
        code_system,
        nested_bullets(joined),
        tuple(facts.items()),
        lookup_site,
    )


def normalize(
    data: bytes, *, site_text: SiteText | None = None, headings: HeadingTable | None = None, keep_chrome: bool = False
) -> Normalized:
    """Raw bytes of one input file -> normalized lines."""
    text, encoding = decode(data)
    return normalize_text(text, encoding, site_text=site_text, headings=headings, keep_chrome=keep_chrome)
