"""Cutting normalized lines into segments, one per heading (and one for the text before the first).

Where a heading is decided: a line that a heading table names (exactly, or
loosely for a line that reads like a heading), an inline heading with its text
("Duration: About an hour."), or a line that looks like a heading on this page
(Markdown or bold, "A Heading:", a short question, a Title Case line set off
like the page's known headings). Labelled runs ("Goals: ...") are items, not headings.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pipeline.config.headings import (
    NAME_BLOCK,
    HeadingChoice,
    HeadingTable,
    simplify,
    strip_heading_markup,
)
from pipeline.lines import (
    INLINE_HEADING,
    HeadingStyle,
    LineShape,
    heading_style,
    is_lead_in,
    is_marked_heading,
    is_question_heading,
    is_short_plain_line,
    known_heading,
    line_shape,
    looks_like_title,
    without_likelihood,
)
from pipeline.model import CANONICAL_SECTIONS, Line

PREAMBLE = "preamble"
EXTRA = "extra"
_MAX_LABEL_WORDS = 5
_H1 = re.compile(r"^#\s+(?P<text>\S.*?)\s*#*$")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")


@dataclass
class Segment:
    """Lines under one heading (or before the first), and the sub-headings among them."""

    kind: str  # PREAMBLE, NAME_BLOCK, EXTRA, or a canonical section key
    heading: str | None
    line: int | None
    lines: list[Line] = field(default_factory=list)
    shapes: list[LineShape] = field(default_factory=list)  # of its lines, worked out once
    # Sub-headings inside the section, by the index in ``lines`` where their part begins.
    sub_headings: dict[int, Line] = field(default_factory=dict)
    choice: HeadingChoice | None = None  # how its heading was read, for --explain

    def add(self, line: Line, shape: LineShape) -> None:
        self.lines.append(line)
        self.shapes.append(shape)

    def add_sub_heading(self, line: Line) -> None:
        """A part begins here. A sub-heading just before it with no text of its own heads nothing:
        it stays as a line of text ("## May" straight above "Risk." would otherwise be lost)."""
        if self.sub_headings:
            start = max(self.sub_headings)
            if not any(earlier.text for earlier in self.lines[start:]):
                heading = self.sub_headings.pop(start)
                self.add(heading, line_shape(heading.text))
        self.sub_headings[len(self.lines)] = Line(line.number, strip_heading_markup(line.text))



def _heading_of(
    line: Line, shape: LineShape, table: HeadingTable, in_labelled_run: bool
) -> tuple[str, str, Line | None, HeadingChoice] | None:
    """(kind, heading text, text after an inline heading, how it was read) when ``line`` is a known heading:
    one the table names, or a question whose words say its section ("Why do I need a cystoscopy?")."""
    key = known_heading(line.text, table)
    if key is not None:
        return key, strip_heading_markup(line.text), None, table.classify(line.text)
    question = shape.item if shape.list_kind == "steps" else line.text  # "2. Why is it done?" heads a section
    if (
        shape.list_kind in (None, "steps")
        and is_question_heading(question)
        and (choice := table.classify(question)).key is not None
    ):
        return choice.key, strip_heading_markup(question), None, choice
    # "Duration: About an hour." is a heading with its text; "Goals: ..." among
    # other labelled lines is a labelled item.
    text = line.text
    if in_labelled_run or ":" not in text or shape.list_kind or shape.parenthesis:
        return None
    inline = INLINE_HEADING.match(text)
    if inline:
        key = table.match(inline["heading"], loose=False)
        if key is not None:
            heading = strip_heading_markup(inline["heading"])
            return key, heading, Line(line.number, inline["text"]), HeadingChoice(key, "synonym")
    return None


@dataclass
class _Layout:
    """What the whole text tells about one line's neighbourhood."""

    lines: tuple[Line, ...]
    shapes: list[LineShape]  # one per line
    table: HeadingTable
    # Not a lookup-site page (a hospital's leaflet): headings may stand before the first
    # known one, and a short line set off by blank lines over text is a heading.
    leaflet_layout: bool = False

    @functools.cached_property
    def style(self) -> HeadingStyle:
        """How the known headings are written; worked out when a line first needs it."""
        return heading_style([line.text for line in self.lines], self.table)

    def following(self, index: int) -> int | None:
        """The index of the next line with text after ``lines[index]``."""
        return next((after for after in range(index + 1, len(self.lines)) if self.lines[after].text), None)

    def between_blank_lines(self, index: int) -> bool:
        lines = self.lines
        return 0 < index < len(lines) - 1 and not lines[index - 1].text and not lines[index + 1].text

    def in_unmarked_list(self, index: int) -> bool:
        """Whether ``lines[index]`` is an entry of a list written without marks ("Medication" /
        "Surgery" / "Physical therapy"), so a word that names a section ("Surgery") is an entry,
        not a heading: a short line between short entries, after a lead-in ("Other options
        include:") or, on a page that sets a blank line before its headings, with none before it."""
        lines = self.lines
        if not is_short_plain_line(lines[index].text):
            return False
        after = index + 1
        if after < len(lines) and lines[after].text and not is_short_plain_line(lines[after].text):
            return False  # a short line over a paragraph reads as its heading
        before = index - 1
        if before >= 0 and is_short_plain_line(lines[before].text) and self.style.blank_before:
            return True
        while before >= 0 and is_short_plain_line(lines[before].text):
            before -= 1
        return before >= 0 and is_lead_in(lines[before].text)

    def is_content(self, index: int | None) -> bool:
        """What a heading stands over: not another heading, nor a bare list entry."""
        return (
            index is not None
            and known_heading(self.lines[index].text, self.table) is None
            and not is_short_plain_line(self.lines[index].text)
        )


def _unknown_heading(index: int, segment: Segment, layout: _Layout) -> bool:
    text = layout.lines[index].text
    if layout.shapes[index].list_kind or is_lead_in(text):
        return False  # a list item is never a heading by its look
    if segment.kind == PREAMBLE:
        # On a leaflet, after its title line; on a lookup-site page the text before the
        # first known heading is the code's descriptor and the name lines.
        return layout.leaflet_layout and _has_title_line(segment) and _leaflet_heading(index, layout)
    if segment.kind == NAME_BLOCK and not _has_title_line(segment):
        return False
    if is_marked_heading(text):
        return True
    # A line known only by its look is a heading when content follows it, not
    # more lines like it ("Surgeon" / "Anesthesiologist": a list without marks).
    if not layout.is_content(layout.following(index)):
        return False
    if looks_like_title(text, max_words=6):
        return True
    if layout.leaflet_layout and segment.kind != NAME_BLOCK and _leaflet_heading(index, layout):
        return True
    return segment.kind != NAME_BLOCK and _stands_like_a_heading(index, segment, layout)


def _leaflet_heading(index: int, layout: _Layout) -> bool:
    """On a leaflet: a question, or a short line set off by blank lines over text ("Your appointment")."""
    text = layout.lines[index].text
    following = layout.following(index)
    if following is None or not layout.is_content(following):
        return False
    if is_question_heading(text) or is_marked_heading(text):
        return True
    after_blank = index > 0 and not layout.lines[index - 1].text
    over_text = layout.between_blank_lines(index) or layout.shapes[following].list_kind is not None
    return after_blank and over_text and text[:1].isupper() and is_short_plain_line(text, max_words=8)


def _stands_like_a_heading(index: int, segment: Segment, layout: _Layout) -> bool:
    """Written like the file's own headings ("Special considerations" among "Risks and
    complications"), or a short line set off by blank lines as they are."""
    text = layout.lines[index].text
    set_off = (
        layout.between_blank_lines(index)
        and text[0].isalpha()
        and is_short_plain_line(text)
        and layout.style.set_off
    )
    if not (set_off or layout.style.fits(text)):
        return False
    content = [line for line in segment.lines if line.text]
    # The first line under a heading is its content; a line after a bare entry is the next entry.
    return bool(content) and not is_short_plain_line(content[-1].text)


def _has_title_line(segment: Segment) -> bool:
    return any(line.text for line in segment.lines)


def _labelled_run_lines(lines: tuple[Line, ...], shapes: list[LineShape], table: HeadingTable) -> set[int]:
    """Line numbers inside runs of "Label: text" lines that are labelled items.

    A run whose labels are all known headings ("Summary: ...", "Duration: ...")
    is a string of inline headings instead.
    """
    runs: list[list[Line]] = [[]]
    for line, shape in zip(lines, shapes):
        if not line.text:
            continue
        if shape.labelled and not shape.list_kind and not _names_line(line.text, table):
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    numbers: set[int] = set()
    for run in runs:
        labels = [line.text.split(":", 1)[0] for line in run]
        if len(run) >= 2 and not all(table.match(label, loose=False) for label in labels):
            numbers.update(line.number for line in run)
    return numbers


def _names_line(text: str, table: HeadingTable) -> bool:
    """``Name of the Procedure: X`` or ``Common Name(s): ...``: the name block, not a list."""
    label = text.split(":", 1)[0]
    return table.match(label, loose=False) == NAME_BLOCK or table.name_label(label) is not None


def _is_sub_heading(index: int, current: Segment, layout: _Layout, key: str | None) -> bool:
    """A heading inside a section that heads a part of it, not a section of its own.

    Decided by the page's own layout, not by a list of sub-heading words: a label
    that names the section it stands in ("Pre-Procedure Instructions:" under
    Preparation), or an unknown one ending with a colon on a page whose section
    headings have none ("Common:" / "Rare:" under "Risks and Complications"), or one
    not set off by blank lines on a page whose section headings are.
    """
    if current.kind not in CANONICAL_SECTIONS:
        return False
    text = layout.lines[index].text
    if key is not None:  # the section's own heading again is the section again (merged, with a warning)
        return key == current.kind and simplify(text) != simplify(current.heading or "")
    if text.rstrip().endswith(":") and not layout.style.colon:
        return True
    if layout.leaflet_layout and layout.table.sub_heading_of(_PARENTHESIS.sub("", text)) == current.kind:
        return True  # "Rare (less than 1 in 50)" under a leaflet's risks
    # On a page that sets its headings off with blank lines, one that is not ("Tools and Equipment"
    # straight under the steps) heads a part of the section it stands in.
    return layout.style.set_off and not layout.between_blank_lines(index)


def _opens_as_part(heading: str, kind: str, table: HeadingTable) -> bool:
    """A heading the table knows as a part of ``kind`` but not as its name ("Common risks (1 in
    10 people)", not "Complications"): it opens the section as its first part, so what it says
    (how likely) is not lost with the section's own heading."""
    return table.match(heading, loose=False) != kind and table.sub_heading_of(without_likelihood(heading)) == kind


def split_segments(lines: tuple[Line, ...], table: HeadingTable, *, leaflet_layout: bool = False) -> list[Segment]:
    """Segments at headings; ``leaflet_layout`` for a hospital's leaflet rather than a lookup-site page."""
    segments = [Segment(PREAMBLE, None, None)]
    shapes = [line_shape(line.text) for line in lines]
    in_run = _labelled_run_lines(lines, shapes, table)
    layout = _Layout(lines, shapes, table, leaflet_layout)
    for index, line in enumerate(lines):
        current = segments[-1]
        if not line.text or line.text.startswith("- "):
            current.add(line, shapes[index])  # a blank line, or a bullet: never a heading
            continue
        known = _heading_of(line, shapes[index], table, line.number in in_run)
        if known is not None and not known[2] and layout.in_unmarked_list(index):
            known = None  # "Surgery" among the entries of a list after "Other options include:"
        if known is not None and not known[2] and _is_sub_heading(index, current, layout, known[0]):
            current.add_sub_heading(line)
        elif known is not None:
            kind, heading, inline_text, choice = known
            segments.append(Segment(kind, heading, line.number, choice=choice))
            if not inline_text and _opens_as_part(heading, kind, table):
                segments[-1].add_sub_heading(line)  # its words stay: "Very common risks (1 in 10)" heads a part
            if inline_text:
                segments[-1].add(inline_text, line_shape(inline_text.text))
        elif _unknown_heading(index, current, layout):
            heading = strip_heading_markup(line.text)
            choice = table.classify(heading)  # a heading by its look may still say what it is about
            if _is_sub_heading(index, current, layout, None) or choice.key == current.kind:
                current.add_sub_heading(line)  # "Open approach:" under "Surgery:": a part of the procedure
            else:
                segments.append(Segment(choice.key or EXTRA, heading, line.number, choice=choice))
        else:
            current.add(line, shapes[index])
    return segments


