"""Pages whose section headings were lost in scraping.

Some pages of the lookup site keep only one or two of their headings
("Procedure Description", "Risks and Complications"); the sections in between
survive as blocks set apart by two or more blank lines. Such a block is cut
off as a section of its own (so two lists are never merged into one), and
placed by the site's fixed order of sections when the count fits exactly:
as many blocks as sections missing there. Otherwise the blocks stay under the
section they stand in. Either way the reviewer is told, naming the lines.
"""

from __future__ import annotations

from pipeline.config.headings import NAME_BLOCK
from pipeline.extract.segments import Segment
from pipeline.model import CANONICAL_SECTIONS, SITE_SECTIONS, Diagnostic, Line

# Two or more blank lines in the source between two lines with text. Normalizing keeps
# the first blank line of a run, so the gap is the distance from it to the next line.
_WIDE_GAP = 2


def _chunk_starts(lines: list[Line]) -> list[int]:
    """Indexes in ``lines`` where a block after a wide gap begins."""
    starts = []
    before = None  # the last line with text
    for index in range(1, len(lines)):
        blank, line = lines[index - 1], lines[index]
        if blank.text:
            before = blank
        wide = line.text and not blank.text and line.number - blank.number >= _WIDE_GAP
        if wide and before is not None and not before.text.endswith(":"):  # a lead-in keeps its list
            starts.append(index)
    return starts


def _split(segment: Segment, cuts: list[int], kinds: list[str]) -> list[Segment]:
    """``segment`` cut at ``cuts``: the first part keeps its heading, the others are headless ``kinds``."""
    bounds = list(zip([0, *cuts], [*cuts, len(segment.lines)]))
    parts = []
    for (start, end), kind in zip(bounds, [segment.kind, *kinds]):
        first = start == 0
        part = Segment(kind, segment.heading if first else None, segment.line if first else segment.lines[start].number,
                       choice=segment.choice if first else None)  # how its heading was read goes with it
        for index in range(start, end):
            if index in segment.sub_headings:
                part.add_sub_heading(segment.sub_headings[index])
            part.add(segment.lines[index], segment.shapes[index])
        if end == len(segment.lines) and end in segment.sub_headings:
            part.add_sub_heading(segment.sub_headings[end])  # a sub-heading with nothing after it, last of all
        parts.append(part)
    return parts


def _missing_after(kind: str, segments: list[Segment], position: int) -> list[str]:
    """Sections the site writes after ``kind`` and before the next heading kept on the page, that the page lacks."""
    present = {segment.kind for segment in segments}
    following = segments[position + 1].kind if position + 1 < len(segments) else None
    if following is not None and following not in CANONICAL_SECTIONS:
        return []  # a heading this page has but no table knows: what stands before it is anyone's guess
    start = SITE_SECTIONS.index(kind) + 1 if kind in SITE_SECTIONS else 0
    end = SITE_SECTIONS.index(following) if following in SITE_SECTIONS else len(SITE_SECTIONS)
    return [key for key in SITE_SECTIONS[start:end] if key not in present]


def _gaps(lines: list[Line]) -> set[int]:
    """How many blank lines stood in the source between two lines with text, for every such gap."""
    return {
        line.number - blank.number
        for blank, line in zip(lines, lines[1:])
        if not blank.text and line.text
    }


def place_headless_blocks(segments: list[Segment]) -> tuple[list[Segment], list[Diagnostic]]:
    """Blocks set apart by wide gaps inside a section (or the name block) -> sections of their own.

    Only on a page that also has narrow gaps: where every gap is wide, a wide
    one tells nothing.
    """
    if 1 not in _gaps([line for segment in segments for line in segment.lines]):
        return segments, []
    placed: list[Segment] = []
    warnings: list[Diagnostic] = []
    for position, segment in enumerate(segments):
        cuts = _chunk_starts(segment.lines) if segment.kind in (NAME_BLOCK, *CANONICAL_SECTIONS) else []
        missing = _missing_after(segment.kind, segments, position) if cuts else []
        if not missing:
            placed.append(segment)
            continue
        starts = [segment.lines[cut].number for cut in cuts]
        if len(cuts) == len(missing):
            placed += _split(segment, cuts, missing)
            warnings += [
                Diagnostic(
                    f"no heading before this block (its heading seems lost); placed under {key!r}, "
                    "where the site puts the next section, for a reviewer to check",
                    line,
                )
                for key, line in zip(missing, starts)
            ]
        else:
            stay = segment.kind if segment.kind in CANONICAL_SECTIONS else "summary"
            placed += _split(segment, cuts, [stay] * len(cuts))
            where = ", ".join(str(line) for line in starts)
            warnings.append(
                Diagnostic(
                    f"text from line {where} stands apart as if its heading were lost, but the "
                    f"{len(cuts)} block(s) do not fit the {len(missing)} section(s) missing here; "
                    f"kept under {stay!r}, check which section each belongs to",
                    starts[0],
                )
            )
    return placed, warnings
