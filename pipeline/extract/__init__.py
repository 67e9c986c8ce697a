"""Stage 2, extract: normalized lines -> one :class:`~pipeline.model.Leaflet`.

The lines are cut into segments at headings (known ones through the synonym
table or by the keywords in their words, unknown ones by their look), then
each segment becomes structure: the name block gives title, common names and
technical term; sections give paragraphs, bullet lists and numbered steps;
text before the first heading is the code's descriptor on scraped pages, and
the title line on a hospital's leaflet. No line is ever dropped: what fits
nowhere else goes into the summary with a warning.
"""

from __future__ import annotations

import re

from pipeline.config.headings import (
    NAME_BLOCK,
    HeadingTable,
    default_table,
)
from pipeline.errors import InputError
from pipeline.extract.blocks import build_blocks, section_blocks
from pipeline.extract.lost_headings import place_headless_blocks
from pipeline.extract.names import (
    CODE_TAG,
    Names,
    name_fields,
    parse_name_block,
    title_and_names,
    without_billing_words,
)
from pipeline.extract.segments import EXTRA, PREAMBLE, Segment, split_segments
from pipeline.extract.titles import (
    explain_headings,
    leaflet_title,
    leaflet_title_from_headings,
    read_by_words,
    source_record,
)
from pipeline.lines import is_list_item, line_shape, reads_as_sentence, words_of
from pipeline.model import (
    CANONICAL_SECTIONS,
    Block,
    Code,
    Diagnostic,
    ExtraSection,
    Leaflet,
    Line,
    RemovedLine,
    Review,
    Source,
)
from pipeline.normalize import Normalized

_H1 = re.compile(r"^#\s+(?P<text>\S.*?)\s*#*$")



def _add_names(names: Names, found: Names) -> None:
    """What another name block ``found`` adds to ``names``: a second title is kept as text."""
    if names.title is None:
        names.title, names.title_line = found.title, found.title_line
    elif found.title_line is not None:
        names.leftover.append(found.title_line)
    names.also_known_as += found.also_known_as
    names.technical_term = names.technical_term or found.technical_term
    names.leftover += found.leftover


def _names_a_procedure(text: str) -> bool:
    """A short line that can be a procedure's name, not a sentence or a list entry."""
    return len(text) <= 120 and not is_list_item(text) and not reads_as_sentence(text)


def _without_title_repeats(lines: list[Line], title: str | None) -> tuple[list[Line], list[RemovedLine]]:
    """The text before the first heading without the title written again (a page that prints its
    title twice, the second time wrapped over two lines): each repeat listed as removed, not content."""
    words = words_of(title or "")
    repeats = [line for line in lines if words and words_of(line.text) == words]
    return [line for line in lines if line not in repeats], [RemovedLine(line.number, line.text) for line in repeats]


def _merge_sections(
    segments: list[Segment], nested: frozenset[int] = frozenset()
) -> tuple[dict[str, tuple[Block, ...]], list[ExtraSection], list[Diagnostic]]:
    sections: dict[str, tuple[Block, ...]] = {}
    first_line: dict[str, int | None] = {}
    extras: list[ExtraSection] = []
    warnings: list[Diagnostic] = []
    for segment in segments:
        blocks = section_blocks(segment.lines, segment.shapes, segment.sub_headings, nested)
        if segment.kind == EXTRA:
            heading = segment.heading or ""
            extras.append(ExtraSection(heading=heading, content=blocks, line=segment.line))
            warnings.append(
                Diagnostic(f"heading {heading!r} matches no known section; kept under extra_sections", segment.line)
            )
        elif segment.kind in CANONICAL_SECTIONS:
            if segment.kind in sections and segment.heading is None:
                sections[segment.kind] += blocks  # a block set apart on a page whose headings were lost
            elif segment.kind in sections:
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


def _with_code_tag(descriptor: str | None, segments: list[Segment]) -> str | None:
    """The descriptor with the code tag a name line carried ("(HCPCS Code G0404)"), which the title leaves out."""
    name_lines = [line for segment in segments if segment.kind in (PREAMBLE, NAME_BLOCK) for line in segment.lines]
    tag = next((match[0] for line in name_lines if (match := CODE_TAG.search(line.text))), None)
    if tag is None or (descriptor and tag.lower() in descriptor.lower()):
        return descriptor
    return f"{descriptor} {tag}" if descriptor else tag


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
    scraped = normalized.lookup_site
    segments = split_segments(normalized.lines, table, leaflet_layout=not scraped)
    if not any(segment.kind != PREAMBLE for segment in segments):
        raise InputError("no recognisable section headings")
    lost_warnings: list[Diagnostic] = []
    if scraped:  # the lookup site's fixed order of sections is known
        segments, lost_warnings = place_headless_blocks(segments)

    names = Names()
    for segment in segments:
        if segment.kind == NAME_BLOCK:
            _add_names(names, parse_name_block(segment.lines, table))
    has_name_block = any(segment.kind == NAME_BLOCK for segment in segments)

    preamble = [line for line in segments[0].lines if line.text]
    descriptor = None
    leftover = list(names.leftover)
    if preamble and _H1.match(preamble[0].text) and names.title is None:
        names.title = _H1.match(preamble[0].text)["text"]
        preamble = preamble[1:]
    if preamble:
        rest = preamble[1:]
        if scraped:
            descriptor = preamble[0].text
        elif names.title is None and (title := leaflet_title(preamble[0].text, table)):
            names.title = title
        elif names.title is None:
            rest = preamble  # a sentence or a department's name: no title line; the text stays
        else:
            leftover.insert(0, preamble[0])
        if scraped and has_name_block and names.title is None and rest and _names_a_procedure(rest[-1].text):
            # A short name line standing just before a name block that has none of its own.
            names.title, common, term = title_and_names(rest[-1].text, table)
            names.also_known_as[:0] = common
            names.technical_term = names.technical_term or term
            rest = rest[:-1]
        if not has_name_block and any(name_fields(line.text, table) for line in rest):
            # The name lines without their "Name of the Procedure" heading: the same block.
            _add_names(names, parse_name_block(rest, table))
            rest = sorted(names.leftover, key=lambda line: line.number)  # without a name block, all of it
        leftover = rest + leftover

    leftover, repeats = _without_title_repeats(leftover, names.title)
    sections, extras, warnings = _merge_sections(segments, normalized.nested)
    warnings += lost_warnings
    if leftover:
        where = ", ".join(str(line.number) for line in leftover)
        warnings.append(Diagnostic(f"text outside any section (lines {where}) put first in summary", leftover[0].number))
        leftover_blocks = build_blocks(leftover, [line_shape(line.text) for line in leftover])
        sections["summary"] = leftover_blocks + sections.get("summary", ())

    also_known_as = list(dict.fromkeys(names.also_known_as))
    if names.title is None and has_name_block and also_known_as:
        # A name block of labels only ("Common name(s): X"): its first name, not the billing descriptor.
        names.title = also_known_as.pop(0)
    title = names.title or (without_billing_words(descriptor) if descriptor else None)
    if not title and not scraped:
        title = leaflet_title_from_headings(segments, table)
    descriptor = _with_code_tag(descriptor, segments)
    if not title:
        title = doc_id
        warnings.append(Diagnostic("no procedure name found; the file name is used as title"))
    if not any(sections.get(key) for key in CANONICAL_SECTIONS):
        warnings.append(Diagnostic("no known section found; everything is under extra_sections"))

    code = Code(system=normalized.code_system, descriptor=descriptor)
    source = source_record(
        Source(path=source_path, sha256=sha256, encoding=normalized.encoding,
               removed=tuple(sorted((*normalized.removed, *repeats), key=lambda line: line.line))),
        dict(normalized.facts),
        read_by_words(segments),
    )
    if code == Code() and not scraped:
        code = None  # a hospital's leaflet has no code: no empty code in its YAML
    return Leaflet(
        id=doc_id,
        title=title,
        code=code,
        also_known_as=tuple(also_known_as),
        technical_term=names.technical_term,
        sections={key: sections.get(key, ()) for key in CANONICAL_SECTIONS},
        extra_sections=tuple(extras),
        review=Review(),
        source=source,
        warnings=tuple(sorted(warnings, key=lambda w: w.line or 0)),
        explanations=explain_headings(segments),
    )
