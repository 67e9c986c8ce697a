"""A hospital leaflet's title and its own record, and how its headings were read.

The lookup site's pages name their procedure in a name block; a hospital's
leaflet has a title line of its own ("Flexible cystoscopy"), or none, when its
first words are a sentence ("This leaflet aims to answer ..."). Then the title
comes from the first heading that names a procedure ("What is a colonoscopy?").
A department ("Urology") or a sentence is never a title.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from pipeline.config.headings import HeadingTable, simplify, strip_heading_markup
from pipeline.extract.segments import EXTRA, PREAMBLE, Segment
from pipeline.lines import is_list_item, reads_as_sentence
from pipeline.model import CANONICAL_SECTIONS, Diagnostic, Source, SourceHeading

_MAX_TITLE_WORDS = 12
# A heading that names the procedure: "What is a flexible cystoscopy?", "About your colonoscopy".
_NAMING_HEADING = re.compile(
    r"(?:^|[-–—:]\s*)(?:what\s+(?:is|are)|about|having)\s+(?:an?\s+|the\s+|your\s+|my\s+)?(?P<name>[^?:]{3,80}?)\??$",
    re.IGNORECASE,
)
# Words that name no procedure in particular ("What is the procedure?", "About this test").
_GENERIC = frozenset(
    "it this that procedure procedures operation operations test tests treatment examination investigation "
    "surgery leaflet the a an my your".split()
)
# How pages write a day: "11 June 2021", "11 Jun 2021", "June 11, 2021", "11/06/2021".
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")


def leaflet_title(line: str, table: HeadingTable) -> str | None:
    """The title a leaflet's first line gives, if it is one: a short line, not a sentence, a
    list item or a department's name."""
    text = strip_heading_markup(line)
    if is_list_item(line) or reads_as_sentence(line) or len(text.split()) > _MAX_TITLE_WORDS:
        return None
    words = simplify(text).split()
    if not words or all(word in table.department_words for word in words):
        return None
    return _capitalised(text)


def leaflet_title_from_headings(segments: list[Segment], table: HeadingTable) -> str | None:
    """The procedure the first heading that names one names ("What is a colonoscopy?" -> Colonoscopy);
    never a heading that asks about one of the leaflet's sections ("What are the risks?")."""
    headings = sorted(
        [(segment.line or 0, segment.heading) for segment in segments if segment.heading]
        + [(sub.number, sub.text) for segment in segments for sub in segment.sub_headings.values()]
    )
    for _, heading in headings:
        if table.classify(heading).key not in (None, "summary"):
            continue
        if named := _NAMING_HEADING.search(heading):
            name = named["name"].strip()
            if not set(simplify(name).split()) <= _GENERIC:
                return _capitalised(name)
    return None


def _capitalised(name: str) -> str:
    name = name.strip()
    return name[:1].upper() + name[1:]


def read_by_words(segments: list[Segment]) -> tuple[SourceHeading, ...]:
    """The headings that went to a section by a keyword or question form, not a listed synonym."""
    return tuple(
        SourceHeading(segment.heading, segment.kind)
        for segment in segments
        if segment.heading
        and segment.kind in CANONICAL_SECTIONS
        and segment.choice is not None
        and not segment.choice.rule.startswith("synonym")
    )


def source_record(source: Source, facts: dict[str, str], headings: tuple[SourceHeading, ...]) -> Source:
    """``source`` with the leaflet's own record the site-text rules found, dates as YYYY-MM-DD."""
    fields = {name: facts[name] for name in ("reference", "department", "author") if facts.get(name)}
    fields |= {name: iso_date(facts[name]) for name in ("published", "review_date") if facts.get(name)}
    return dataclasses.replace(source, **fields, headings=headings)


def iso_date(text: str) -> str:
    """``11 June 2021`` -> ``2021-06-11``; a date without a day ("June 2021") stays as written."""
    bare = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text.strip().rstrip(".")).replace(",", " ")
    bare = " ".join(bare.split())
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(bare, form).date().isoformat()
        except ValueError:
            continue
    return text.strip()


def explain_headings(segments: list[Segment]) -> tuple[Diagnostic, ...]:
    """One line per heading: the section it went to and the rule that decided it (for --explain)."""
    notes = []
    for segment in segments:
        if segment.kind != PREAMBLE and segment.heading is not None:
            where = "extra_sections" if segment.kind == EXTRA else segment.kind
            rule = segment.choice.rule if segment.choice else "by the page's layout"
            notes.append(Diagnostic(f"heading {segment.heading!r} -> {where} ({rule})", segment.line, severity="note"))
        for sub in segment.sub_headings.values():
            notes.append(
                Diagnostic(f"sub-heading {sub.text!r} -> a part of {segment.kind} (by the page's layout)", sub.number, severity="note")
            )
    return tuple(sorted(notes, key=lambda note: note.line or 0))
