"""Stage 2, extract: normalized lines -> one :class:`~pipeline.model.Leaflet`.

The lines are cut into segments at headings (known ones through the synonym
table, unknown ones by their look), then each segment becomes structure:
the name block gives title, common names and technical term; sections give
paragraphs, bullet lists and numbered steps; text before the first heading
is the code's descriptor on scraped pages. No line is ever dropped: what
fits nowhere else goes into the summary with a warning.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pipeline.errors import InputError
from pipeline.config.headings import HeadingTable, NAME_BLOCK, default_table, strip_heading_markup
from pipeline.lines import (
    BULLET,
    HeadingStyle,
    INLINE_HEADING,
    LineShape,
    NAME_PARENTHESIS,
    heading_style,
    is_lead_in,
    is_list_item,
    is_marked_heading,
    is_short_plain_line,
    known_heading,
    line_shape,
    looks_like_title,
)
from pipeline.model import Line
from pipeline.model import Block, CANONICAL_SECTIONS, Code, Diagnostic, ExtraSection, Item, Leaflet, Review, Source
from pipeline.normalize import Normalized

PREAMBLE = "preamble"
EXTRA = "extra"
_MAX_LABEL_WORDS = 5
_H1 = re.compile(r"^#\s+(?P<text>\S.*?)\s*#*$")


@dataclass
class Segment:
    """Lines under one heading (or before the first)."""

    kind: str  # PREAMBLE, NAME_BLOCK, EXTRA, or a canonical section key
    heading: str | None
    line: int | None
    lines: list[Line] = field(default_factory=list)
    shapes: list[LineShape] = field(default_factory=list)  # of its lines, worked out once

    def add(self, line: Line, shape: LineShape) -> None:
        self.lines.append(line)
        self.shapes.append(shape)


# -- cutting into segments ---------------------------------------------------


def _heading_of(
    line: Line, shape: LineShape, table: HeadingTable, in_labelled_run: bool
) -> tuple[str, str, Line | None] | None:
    """(kind, heading text, text after an inline heading) when ``line`` is a known heading."""
    key = known_heading(line.text, table)
    if key is not None:
        return key, strip_heading_markup(line.text), None
    # "Duration: About an hour." is a heading with its text; "Goals: ..." among
    # other labelled lines is a labelled item.
    text = line.text
    if in_labelled_run or ":" not in text or shape.list_kind or shape.parenthesis:
        return None
    inline = INLINE_HEADING.match(text)
    if inline:
        key = table.match(inline["heading"], loose=False)
        if key is not None:
            return key, strip_heading_markup(inline["heading"]), Line(line.number, inline["text"])
    return None


@dataclass
class _Layout:
    """What the whole text tells about one line's neighbourhood."""

    lines: tuple[Line, ...]
    shapes: list[LineShape]  # one per line
    table: HeadingTable

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

    def is_content(self, index: int | None) -> bool:
        """What a heading stands over: not another heading, nor a bare list entry."""
        return (
            index is not None
            and known_heading(self.lines[index].text, self.table) is None
            and not is_short_plain_line(self.lines[index].text)
        )


def _unknown_heading(index: int, segment: Segment, layout: _Layout) -> bool:
    text = layout.lines[index].text
    if segment.kind == PREAMBLE or layout.shapes[index].list_kind or is_lead_in(text):
        return False  # a list item is never a heading by its look
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
    return segment.kind != NAME_BLOCK and _stands_like_a_heading(index, segment, layout)


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


def split_segments(lines: tuple[Line, ...], table: HeadingTable) -> list[Segment]:
    segments = [Segment(PREAMBLE, None, None)]
    shapes = [line_shape(line.text) for line in lines]
    in_run = _labelled_run_lines(lines, shapes, table)
    layout = _Layout(lines, shapes, table)
    for index, line in enumerate(lines):
        current = segments[-1]
        if not line.text or line.text.startswith("- "):
            current.add(line, shapes[index])  # a blank line, or a bullet: never a heading
            continue
        known = _heading_of(line, shapes[index], table, line.number in in_run)
        if known is not None:
            kind, heading, inline_text = known
            segments.append(Segment(kind, heading, line.number))
            if inline_text:
                segments[-1].add(inline_text, line_shape(inline_text.text))
        elif _unknown_heading(index, current, layout):
            segments.append(Segment(EXTRA, strip_heading_markup(line.text), line.number))
        else:
            current.add(line, shapes[index])
    return segments


# -- blocks ------------------------------------------------------------------


def _item(shape: LineShape, number: int) -> Item:
    if shape.labelled:
        label, rest = shape.labelled
        return Item(text=rest, label=label, line=number)
    if shape.label_only:
        return Item(text="", label=shape.label_only, line=number)
    return Item(text=shape.item, line=number)


def build_blocks(lines: list[Line], shapes: list[LineShape]) -> tuple[Block, ...]:
    """Paragraphs, bullet lists and steps of ``lines`` (of those ``shapes``)."""
    content = [line for line in lines if line.text]
    shapes = [shape for line, shape in zip(lines, shapes) if line.text]
    labelled = [shape.labelled is not None and not shape.list_kind for shape in shapes]
    groups: list[tuple[str, int, list[Item] | str]] = []  # (kind, first line, items or paragraph text)
    for index, (line, shape) in enumerate(zip(content, shapes)):
        if shape.list_kind:
            kind = shape.list_kind
        elif labelled[index] and (
            (index > 0 and labelled[index - 1]) or (index + 1 < len(labelled) and labelled[index + 1])
        ):
            kind = "bullets"  # a run of "Label: text" lines: labelled items all the same
        else:
            groups.append(("paragraph", line.number, line.text))
            continue
        item = _item(shape, line.number)
        if groups and groups[-1][0] == kind:
            groups[-1][2].append(item)  # type: ignore[union-attr]
        else:
            groups.append((kind, line.number, [item]))
    return tuple(
        Block(kind="paragraph", text=body, line=number)
        if isinstance(body, str)
        else Block(kind=kind, items=tuple(body), line=number)  # type: ignore[arg-type]
        for kind, number, body in groups
    )


# -- the name block and the preamble -----------------------------------------


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


def _name_fields(text: str, table: HeadingTable) -> list[tuple[str, str]]:
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
        fields = _name_fields(text, table)
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


# -- putting it together -----------------------------------------------------


def _add_names(names: Names, found: Names) -> None:
    """What another name block ``found`` adds to ``names``: a second title is kept as text."""
    if names.title is None:
        names.title, names.title_line = found.title, found.title_line
    elif found.title_line is not None:
        names.leftover.append(found.title_line)
    names.also_known_as += found.also_known_as
    names.technical_term = names.technical_term or found.technical_term
    names.leftover += found.leftover


def _merge_sections(
    segments: list[Segment],
) -> tuple[dict[str, tuple[Block, ...]], list[ExtraSection], list[Diagnostic]]:
    sections: dict[str, tuple[Block, ...]] = {}
    first_line: dict[str, int | None] = {}
    extras: list[ExtraSection] = []
    warnings: list[Diagnostic] = []
    for segment in segments:
        blocks = build_blocks(segment.lines, segment.shapes)
        if segment.kind == EXTRA:
            heading = segment.heading or ""
            extras.append(ExtraSection(heading=heading, content=blocks, line=segment.line))
            warnings.append(
                Diagnostic(f"heading {heading!r} matches no known section; kept under extra_sections", segment.line)
            )
        elif segment.kind in CANONICAL_SECTIONS:
            if segment.kind in sections:
                warnings.append(
                    Diagnostic(
                        f"section {segment.kind!r} appears again (heading {segment.heading!r}, "
                        f"first at line {first_line[segment.kind]}); contents merged",
                        segment.line,
                    )
                )
                sections[segment.kind] += blocks
            else:
                sections[segment.kind] = blocks
                first_line[segment.kind] = segment.line
    return sections, extras, warnings


def extract(
    normalized: Normalized,
    *,
    doc_id: str,
    source_path: str,
    sha256: str,
    headings: HeadingTable | None = None,
) -> Leaflet:
    """Normalized lines -> a draft leaflet, with warnings for a reviewer."""
    table = headings or default_table()
    segments = split_segments(normalized.lines, table)
    if not any(segment.kind != PREAMBLE for segment in segments):
        raise InputError("no recognisable section headings")

    names = Names()
    for segment in segments:
        if segment.kind == NAME_BLOCK:
            _add_names(names, parse_name_block(segment.lines, table))
    has_name_block = any(segment.kind == NAME_BLOCK for segment in segments)

    preamble = [line for line in segments[0].lines if line.text]
    scraped = normalized.code_system is not None or bool(normalized.removed)
    descriptor = None
    leftover = list(names.leftover)
    if preamble and _H1.match(preamble[0].text) and names.title is None:
        names.title = _H1.match(preamble[0].text)["text"]
        preamble = preamble[1:]
    if preamble:
        if scraped:
            descriptor = preamble[0].text
        elif names.title is None:
            names.title = strip_heading_markup(preamble[0].text)
        else:
            leftover.insert(0, preamble[0])
        rest = preamble[1:]
        if not has_name_block and any(_name_fields(line.text, table) for line in rest):
            # The name lines without their "Name of the Procedure" heading: the same block.
            _add_names(names, parse_name_block(rest, table))
            rest = sorted(names.leftover, key=lambda line: line.number)  # without a name block, all of it
        leftover = rest + leftover

    sections, extras, warnings = _merge_sections(segments)
    if leftover:
        where = ", ".join(str(line.number) for line in leftover)
        warnings.append(Diagnostic(f"text outside any section (lines {where}) put first in summary", leftover[0].number))
        leftover_blocks = build_blocks(leftover, [line_shape(line.text) for line in leftover])
        sections["summary"] = leftover_blocks + sections.get("summary", ())

    title = names.title or descriptor
    if not title:
        title = doc_id
        warnings.append(Diagnostic("no procedure name found; the file name is used as title"))
    if not any(sections.get(key) for key in CANONICAL_SECTIONS):
        warnings.append(Diagnostic("no known section found; everything is under extra_sections"))

    return Leaflet(
        id=doc_id,
        title=title,
        code=Code(system=normalized.code_system, descriptor=descriptor),
        also_known_as=tuple(dict.fromkeys(names.also_known_as)),
        technical_term=names.technical_term,
        sections={key: sections.get(key, ()) for key in CANONICAL_SECTIONS},
        extra_sections=tuple(extras),
        review=Review(),
        source=Source(path=source_path, sha256=sha256, encoding=normalized.encoding, removed=normalized.removed),
        warnings=tuple(sorted(warnings, key=lambda w: w.line or 0)),
    )
